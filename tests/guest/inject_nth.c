// SPDX-License-Identifier: GPL-2.0
/*
 * inject_nth: every allocation a call makes, made to fail in turn (the
 * debug kernel's fail-nth, with failslab and fail_page_alloc; iommufd's
 * fail_nth selftest is the model).  For each call below, N = 1, 2, ...:
 * the Nth allocation of the calling task fails, until a run reaches no Nth
 * allocation.  Each failed run must give a documented errno, leave no pin,
 * no VmPin (the memlock charge) and no VmLck behind, log no bad kernel
 * line (the runner checks after every case), and the run without a
 * failure must succeed.  kmemleak's scan at the end of the boot catches
 * what a failed run leaked.
 *
 * The calls: REG_MR (4K pages, THP, on demand), PREFETCH of an on-demand
 * registration, XFER with registered and one-shot sides, synchronous and
 * asynchronous, SET_EVENTFD, open() and close() of the device file, and
 * probe (a bind through sysfs).  Each case prints
 * how many failure points its sweep reached.
 */
#include <sys/eventfd.h>

#include "edudma_test.h"
#include "et_inject.h"

#define KiB	1024UL
#define MiB	(1024 * KiB)
#define RUNS	2000	/* at most, per sweep */
#define DRV	"/sys/bus/pci/drivers/edudma"

static const char *need_injection(void)
{
	const char *why = et_need_device();

	if (why)
		return why;
	why = et_inject_missing();
	if (why)
		return why;
	return et_inject_setup() ? "cannot set failslab and fail_page_alloc up in debugfs" : NULL;
}
ET_PRECONDITION(need_injection)

struct nth {
	int fd;
	unsigned char *a, *b;
	size_t len;
	uint32_t ha, hb, h;
	int efd, fd2;
	unsigned int flags;
	char bdf[64];
};

ET_FIXTURE(nth) { struct nth n; };

ET_SETUP(nth)
{
	struct nth *n = &self->n;

	n->len = 64 * KiB;
	n->fd = et_open(0, 0);
	ET_ASSERT(n->fd >= 0, "open: %s", strerror(errno));
	n->a = et_map(n->len);
	n->b = et_map(n->len);
	et_fill(n->a, n->len);
	memset(n->b, 0, n->len);
	ET_ASSERT(!et_reg_rw(n->fd, n->a, n->len, &n->ha) &&
		  !et_reg_rw(n->fd, n->b, n->len, &n->hb),
		  "REG_MR: %s", strerror(errno));
	n->efd = eventfd(0, EFD_CLOEXEC);
	n->fd2 = -1;
	et_timeout(600);
}

ET_TEARDOWN(nth)
{
	struct nth *n = &self->n;

	/* the probe sweep may have ended with its device unbound */
	if (n->bdf[0] && !et_dev_of_bdf(n->bdf)[0])
		et_file_put(DRV "/bind", n->bdf);
	if (n->fd2 >= 0)
		close(n->fd2);
	close(n->efd);
	if (n->fd >= 0)
		close(n->fd);
}

static const int only_enomem[] = { ENOMEM, 0 };

/* ---- REG_MR -------------------------------------------------------------- */

static int reg(void *arg)
{
	struct nth *n = arg;
	struct edudma_reg_mr r;
	int e = et_reg(n->fd, n->a, n->len, ET_RW, &r);

	n->h = r.handle;
	return e;
}

static int dereg(void *arg)
{
	struct nth *n = arg;

	return et_dereg(n->fd, n->h);
}

ET_TEST_F(nth, reg_mr_4k)
{
	et_sweep_nth("REG_MR 64 KiB, 4K pages", NULL, reg, dereg, &self->n,
		     only_enomem, RUNS);
}

ET_TEST_F(nth, reg_mr_thp)
{
	struct nth *n = &self->n;

	uint32_t shadow;

	n->a = et_map_aligned(4 * MiB, 2 * MiB);
	n->len = 4 * MiB;
	madvise(n->a, n->len, MADV_HUGEPAGE);
	memset(n->a, 0x5a, n->len);
	/*
	 * A registration of the same memory outside the sweep gives DMA-API
	 * debug's cacheline tree its nodes, as the fixture's registrations
	 * do for the other sweeps: a failure injected into DMA-API debug's
	 * own allocation would switch it off for the rest of the boot.
	 */
	ET_ASSERT(!et_reg_rw(n->fd, n->a, n->len, &shadow), "REG_MR: %s",
		  strerror(errno));
	et_sweep_nth("REG_MR 4 MiB, THP", NULL, reg, dereg, n, only_enomem,
		     RUNS);
}

/* ---- on demand: REG_MR and PREFETCH (the caller's own faults) -------------- */

static int reg_odp(void *arg)
{
	struct nth *n = arg;
	struct edudma_reg_mr r;
	int e = et_reg(n->fd, n->a, n->len, ET_RW | EDUDMA_REG_ON_DEMAND, &r);

	n->h = r.handle;
	return e;
}

ET_TEST_F(nth, reg_mr_on_demand)
{
	et_sweep_nth("REG_MR 64 KiB, on demand", NULL, reg_odp, dereg,
		     &self->n, only_enomem, RUNS);
}

static int prefetch(void *arg)
{
	struct nth *n = arg;
	struct edudma_prefetch p = {
		.argsz = sizeof(p), .flags = EDUDMA_PREFETCH_WRITE,
		.handle = n->h, .length = n->len,
	};

	return ioctl(n->fd, EDUDMA_PREFETCH, &p) ? errno : 0;
}

/* The registration made again, with nothing mapped: the next run faults. */
static int reregister(void *arg)
{
	struct nth *n = arg;
	int e = dereg(n);

	return e ? e : reg_odp(n);
}

/*
 * A transfer's faults run in the engine's worker, not in the caller, so
 * fail-nth reaches them through PREFETCH, which faults in the caller.  The
 * sweep maps each page on its own, and DMA-API debug files a mapping under
 * its first cacheline: the fixture's registration of the same pages (n->ha)
 * files physically contiguous pages as one segment, under the first one's
 * only, so a page of such a run would need a new node of DMA-API debug's
 * cacheline tree in the sweep, and a failure injected there switches it off
 * for the boot ("cacheline tracking ENOMEM", seen when pages happened to be
 * contiguous).  One registration a page, outside the sweep, files each.
 */
ET_TEST_F(nth, prefetch_on_demand)
{
	struct nth *n = &self->n;
	uint32_t shadow[64];
	size_t pages = n->len / ET_PAGE;

	/* a page fault that fails an allocation is EFAULT from HMM */
	static const int enomem_efault[] = { ENOMEM, EFAULT, 0 };

	ET_ASSERT(pages <= sizeof(shadow) / sizeof(shadow[0]), "%zu pages",
		  pages);
	for (size_t i = 0; i < pages; i++)
		ET_ASSERT(!et_reg_rw(n->fd, n->a + i * ET_PAGE, ET_PAGE,
				     &shadow[i]),
			  "REG_MR of page %zu: %s", i, strerror(errno));
	ET_ASSERT_ERRNO(reg_odp(n), 0, "REG_MR on demand");
	et_sweep_nth("PREFETCH_WRITE 64 KiB, on demand", NULL, prefetch,
		     reregister, n, enomem_efault, RUNS);
}

/* ---- GET_EVENTS ------------------------------------------------------------ */

/* count 0: the record stays queued for the next run. */
static int get_events(void *arg)
{
	struct nth *n = arg;
	struct edudma_get_events g = { .argsz = sizeof(g) };

	return ioctl(n->fd, EDUDMA_GET_EVENTS, &g) ? errno :
	       g.pending == 1 ? 0 : EPROTO;
}

/* The fixture's registration of a made stale: one record waits. */
ET_TEST_F(nth, get_events_with_a_record_queued)
{
	struct nth *n = &self->n;

	munmap(n->a, n->len);
	ET_ASSERT(mmap(n->a, n->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == n->a,
		  "mmap anew");
	et_sweep_nth("GET_EVENTS, one stale registration", NULL, get_events,
		     NULL, n, only_enomem, RUNS);
}

/* ---- XFER ---------------------------------------------------------------- */

static int xfer(struct nth *n, uint32_t flags)
{
	struct edudma_xfer x = {
		.argsz = sizeof(x), .flags = flags, .op = EDUDMA_OP_COPY,
		.length = 8 * KiB, .cookie = 7,
	};

	if (flags & EDUDMA_XFER_SRC_PTR)
		x.src = (uintptr_t)n->a;
	else
		x.src_handle = n->ha;
	if (flags & EDUDMA_XFER_DST_PTR)
		x.dst = (uintptr_t)n->b + 4 * KiB;
	else
		x.dst_handle = n->hb;
	return et_xfer(n->fd, &x);
}

static int xfer_call(void *arg)
{
	struct nth *n = arg;

	return xfer(n, n->flags);
}

/* An asynchronous transfer that was queued: its record must say 0. */
static int reap(void *arg)
{
	struct nth *n = arg;
	struct edudma_completion c;
	int got = 0, e = et_read_completions(n->fd, &c, 1, &got);

	ET_EXPECT(!e && got == 1 && c.status == 0 && c.cookie == 7,
		  "the queued transfer's record: %s, %d records, status %d",
		  et_errno_name(e), got, got ? c.status : 0);
	return e;
}

static const struct xfer_row {
	const char *name;
	uint32_t flags;
} xfer_rows[] = {
	{ "sync_registered", 0 },
	{ "sync_oneshot", EDUDMA_XFER_SRC_PTR | EDUDMA_XFER_DST_PTR },
	{ "async_registered", EDUDMA_XFER_ASYNC },
	{ "async_oneshot", EDUDMA_XFER_ASYNC | EDUDMA_XFER_SRC_PTR |
			   EDUDMA_XFER_DST_PTR },
};

ET_TABLE_F(nth, xfer_copy, struct xfer_row, xfer_rows)
{
	char what[80];

	self->n.flags = row->flags;
	snprintf(what, sizeof(what), "XFER COPY 8 KiB, %s", row->name);
	et_sweep_nth(what, NULL, xfer_call,
		     row->flags & EDUDMA_XFER_ASYNC ? reap : NULL, &self->n,
		     only_enomem, RUNS);
	ET_EXPECT(et_diff(self->n.b + 4 * KiB * !!(row->flags & EDUDMA_XFER_DST_PTR),
			  self->n.a, 8 * KiB) < 0,
		  "the data after the sweep's last run");
}

/* ---- SET_EVENTFD, open, close ------------------------------------------------ */

static int set_efd(void *arg)
{
	struct nth *n = arg;

	return et_set_eventfd(n->fd, n->efd);
}

static int unset_efd(void *arg)
{
	struct nth *n = arg;

	return et_set_eventfd(n->fd, -1);
}

ET_TEST_F(nth, set_eventfd)
{
	static const int allowed[] = { ENOMEM, 0 };

	et_sweep_nth("SET_EVENTFD", NULL, set_efd, unset_efd, &self->n,
		     allowed, RUNS);
}

static int open_call(void *arg)
{
	struct nth *n = arg;

	n->fd2 = open(et_dev_path(0), O_RDWR | O_CLOEXEC);
	return n->fd2 < 0 ? errno : 0;
}

static int close_fd2(void *arg)
{
	struct nth *n = arg;

	close(n->fd2);
	n->fd2 = -1;
	return 0;
}

ET_TEST_F(nth, open)
{
	/*
	 * open(2)'s own errnos: ENOMEM, and EFAULT where the VFS cannot
	 * fault in a page of the path it reads; the driver adds none.
	 */
	static const int allowed[] = { ENOMEM, EFAULT, 0 };

	et_sweep_nth("open", NULL, open_call, close_fd2, &self->n, allowed,
		     RUNS);
}

/* close() of a file holding a registration and a queued record */
static int close_prep(void *arg)
{
	struct nth *n = arg;
	uint32_t h;
	int e = open_call(n);

	if (!e)
		e = et_reg_rw(n->fd2, n->a, n->len, &h);
	return e;
}

static int close_call(void *arg)
{
	struct nth *n = arg;
	int r = close(n->fd2);

	n->fd2 = -1;
	return r ? errno : 0;
}

ET_TEST_F(nth, close)
{
	static const int none[] = { 0 };

	et_sweep_nth("close with a registration", close_prep, close_call,
		     NULL, &self->n, none, RUNS);
}

/* ---- probe ---------------------------------------------------------------- */

static int bind_call(void *arg)
{
	struct nth *n = arg;

	return et_file_put(DRV "/bind", n->bdf);
}

static int unbind_call(void *arg)
{
	struct nth *n = arg;

	return et_file_put(DRV "/unbind", n->bdf);
}

ET_TEST_F(nth, probe)
{
	/*
	 * What bind returns is probe's error: ENOMEM, or EBUSY where the
	 * allocation inside request_mem_region() failed (pcim_iomap_regions()
	 * reports every failure there as a busy region).
	 */
	static const int allowed[] = { ENOMEM, EBUSY, 0 };
	struct nth *n = &self->n;
	char path[LAB_PATH + 16], msi[8] = "";
	const char *why = et_last_device(path, sizeof(path), n->bdf,
					 sizeof(n->bdf));
	int e;

	ET_ASSERT(!why, "%s", why);
	/*
	 * With MSI every probe gets a new IRQ descriptor, and a failure
	 * injected into request_irq()'s /proc/irq/N set-up (which ignores
	 * it) makes 6.1's free_irq() warn for each entry it then cannot
	 * remove (remove_proc_entry(), from unregister_irq_proc()): the
	 * kernel's bug, not the driver's.  INTx uses a descriptor whose
	 * /proc entries exist since boot: the INTx suite runs this sweep.
	 */
	if (!et_read_line(ET_PARAM_DIR "/use_msi", msi, sizeof(msi)) &&
	    msi[0] == 'Y')
		ET_SKIP("MSI: 6.1's free_irq() warns after a failure injected into request_irq()'s /proc set-up; the INTx suite (use_msi=0) runs this sweep");
	close(n->fd);	/* the fixture's file may be on that device */
	n->fd = -1;
	e = unbind_call(n);
	ET_ASSERT(!e, "unbind %s: %s", n->bdf, et_errno_name(e));
	et_sweep_nth("probe (bind through sysfs)", NULL, bind_call,
		     unbind_call, n, allowed, RUNS);
	e = bind_call(n);
	ET_ASSERT(!e, "bind %s after the sweep: %s", n->bdf, et_errno_name(e));
	for (int i = 0; i < 200 && !et_dev_of_bdf(n->bdf)[0]; i++)
		usleep(10000);
	et_expect_copy_every_device("after the probe sweep");
}
