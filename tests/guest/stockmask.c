// SPDX-License-Identifier: GPL-2.0
/*
 * stockmask: the guest half of tests/host/t-stockmask.sh.  The edu device
 * keeps its stock 28-bit DMA mask (qemu/run --stock-mask) and the driver
 * its default dma_bits=28, in a guest of 2 GiB: most memory lies above
 * what the device can address.
 *
 * Fills about 1.6 GiB, registers it in 64 MiB pieces and reads every
 * page's frame number from /proc/self/pagemap.  Without an IOMMU a piece
 * must register exactly when all its pages lie below 256 MiB and fail with
 * ERANGE otherwise (never a silent wrong address); with an IOMMU every
 * piece registers.  Whatever registers must move data right.  Single pages
 * and one-shot transfers are checked the same way.
 *
 * Runs only with EDUDMA_STOCKMASK=1 (the host script sets it).  Filling
 * the memory takes seconds of guest time, so the registration of all the
 * pieces is one case with several checks, and each case that fills memory
 * has a time limit of minutes.
 */
#define ET_DEFAULT_TIMEOUT 600

#include "edudma_test.h"

#define MiB (1024UL * 1024)
#define PIECE (64 * MiB)
#define LOW_PFN_END (1UL << (28 - 12))	/* first frame above the mask */
#define MAX_PIECES 32
#define PICK 4			/* single pages on either side of the mask */

static long mem_available_mib(void)
{
	return (long)et_proc_value("/proc/meminfo", "MemAvailable:", 10) / 1024;
}

static const char *stockmask_guest(void)
{
	const char *env = getenv("EDUDMA_STOCKMASK");

	if (!env || strcmp(env, "1"))
		return "run by tests/host/t-stockmask.sh";
	if (et_need_device())
		return et_need_device();
	/*
	 * The memory the guest has, not what is free: the debug kernel's
	 * own tables (kmemleak, KASAN's shadow) take a few hundred MiB of a
	 * 2 GiB guest, and fill_pieces() fills what is available.
	 */
	if (et_proc_value("/proc/meminfo", "MemTotal:", 10) / 1024 < 1800)
		return "needs a guest of 2 GiB (qemu/run --mem 2048)";
	return NULL;
}

ET_PRECONDITION(stockmask_guest)

/* ---- what the driver reports ----------------------------------------------- */

static void get_info(struct edudma_device_info *info)
{
	int fd = et_open(0, 0);

	ET_ASSERT(fd >= 0, "open: %s", strerror(errno));
	ET_ASSERT_ERRNO(et_info(fd, info), 0, "GET_INFO");
	close(fd);
}

ET_TEST(the_driver_set_the_stock_28_bit_dma_mask)
{
	struct edudma_device_info info;

	get_info(&info);
	ET_EXPECT(info.dma_mask == 0x0fffffff,
		  "dma_mask %#llx, expected 0xfffffff (28 bits)",
		  (unsigned long long)info.dma_mask);
}

ET_TEST(IOMMU_in_use_as_the_kernel_command_line_asks)
{
	struct edudma_device_info info;
	int iommu;

	get_info(&info);
	iommu = !!(info.caps & EDUDMA_CAP_IOMMU);
	ET_EXPECT(iommu == lab_iommu_expected(),
		  "IOMMU %s, the kernel command line asks for %s",
		  iommu ? "in use" : "not in use",
		  lab_iommu_expected() ? "one" : "none");
}

/* ---- about 1.6 GiB of memory, filled --------------------------------------- */

ET_FIXTURE(mem) {
	int fd, iommu, pagemap;
	long long pin_base;
	unsigned char *piece[MAX_PIECES];
	int npieces;
	unsigned char *low[PICK], *high[PICK];	/* single pages */
	int nlow, nhigh;
};

/* About 1.6 GiB of 2, so most of it lies above 256 MiB. */
static void fill_pieces(struct et_fx_mem *self)
{
	long avail = mem_available_mib(), total = avail - 320;
	long long t0 = et_now_ms();

	if (total > 1792)
		total = 1792;
	self->npieces = total * MiB / PIECE;
	if (self->npieces > MAX_PIECES)
		self->npieces = MAX_PIECES;
	for (int i = 0; i < self->npieces; i++) {
		self->piece[i] = et_map(PIECE);
		if (!self->piece[i]) {
			self->npieces = i;
			break;
		}
		madvise(self->piece[i], PIECE, MADV_NOHUGEPAGE);
		memset(self->piece[i], 0x11 * (i + 1), PIECE);
	}
	et_note("%d pieces of 64 MiB filled in %lld ms (MemAvailable was %ld MiB), IOMMU %s",
		self->npieces, et_now_ms() - t0, avail,
		self->iommu ? "on" : "off");
}

ET_SETUP(mem)
{
	struct edudma_device_info info;

	memset(self, 0, sizeof(*self));
	self->pagemap = -1;
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	self->pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ET_ASSERT(self->pagemap >= 0, "/proc/self/pagemap: %s",
		  strerror(errno));
	ET_ASSERT_ERRNO(et_info(self->fd, &info), 0, "GET_INFO");
	self->iommu = !!(info.caps & EDUDMA_CAP_IOMMU);
	self->pin_base = et_pins();
	fill_pieces(self);
	ET_ASSERT(self->npieces > 0, "no memory for a piece of 64 MiB");
}

/* What the file holds at the end: nothing. */
ET_TEARDOWN(mem)
{
	struct edudma_stats st;

	ET_EXPECT_ERRNO(et_stats(self->fd, &st), 0, "GET_STATS");
	ET_EXPECT(st.regions == 0 && st.pinned_pages == 0,
		  "at the end: regions %llu, pinned_pages %llu, expected 0",
		  (unsigned long long)st.regions,
		  (unsigned long long)st.pinned_pages);
	for (int i = 0; i < self->npieces; i++)
		munmap(self->piece[i], PIECE);
	close(self->pagemap);
	close(self->fd);
}

/* Frame number of the page at addr, or -1 (not present, no permission). */
static long pfn_of(struct et_fx_mem *self, const void *addr)
{
	uint64_t e;

	if (pread(self->pagemap, &e, sizeof(e),
		  (uintptr_t)addr / ET_PAGE * sizeof(e)) != sizeof(e))
		return -1;
	if (!(e >> 63) || !(e & ((1ULL << 55) - 1)))
		return -1;
	return (long)(e & ((1ULL << 55) - 1));
}

/* Pages of [p, p + len) above the mask; -1 if a frame is unknown. */
static long high_pages(struct et_fx_mem *self, const unsigned char *p,
		       size_t len)
{
	size_t n = len / ET_PAGE;
	uint64_t *e = malloc(n * sizeof(*e));
	long high = 0;

	if (!e || pread(self->pagemap, e, n * sizeof(*e),
			(uintptr_t)p / ET_PAGE * sizeof(*e)) !=
		  (ssize_t)(n * sizeof(*e))) {
		free(e);
		return -1;
	}
	for (size_t i = 0; i < n && high >= 0; i++) {
		uint64_t pfn = e[i] & ((1ULL << 55) - 1);

		if (!(e[i] >> 63) || !pfn)
			high = -1;
		else
			high += pfn >= LOW_PFN_END;
	}
	free(e);
	return high;
}

/* Up to PICK single pages on either side of 256 MiB, into low and high. */
static void pick_pages(struct et_fx_mem *self)
{
	for (int i = 0; i < self->npieces &&
			(self->nlow < PICK || self->nhigh < PICK); i++)
		for (size_t off = 0; off < PIECE; off += 997 * ET_PAGE) {
			unsigned char *p = self->piece[i] + off;
			long pfn = pfn_of(self, p);

			if (pfn < 0)
				continue;
			if ((unsigned long)pfn < LOW_PFN_END && self->nlow < PICK)
				self->low[self->nlow++] = p;
			else if ((unsigned long)pfn >= LOW_PFN_END &&
				 self->nhigh < PICK)
				self->high[self->nhigh++] = p;
		}
	et_note("%d pages below and %d above 256 MiB picked", self->nlow,
		self->nhigh);
}

/* COPY len random bytes inside region h at base p, verified with guards. */
static int copy_inside(int fd, uint32_t h, unsigned char *p, size_t size,
		       size_t len, char *why, size_t n)
{
	size_t so, dof, g0, g1;
	unsigned char *want;
	long bad;
	int e;

	if (2 * len + 3 * 64 > size) {
		snprintf(why, n, "%zu bytes do not fit twice in %zu", len, size);
		return 0;
	}
	do {	/* source and destination apart, with 64-byte guards */
		so = et_range(64, size - len - 64);
		dof = et_range(64, size - len - 64);
	} while (so < dof + len + 64 && dof < so + len + 64);
	et_fill(p + so, len);
	g0 = dof - 64;
	g1 = dof + len + 64;
	want = malloc(g1 - g0);
	memcpy(want, p + g0, g1 - g0);
	memcpy(want + 64, p + so, len);
	e = et_copy(fd, h, so, h, dof, len);
	bad = e ? -1 : et_diff(p + g0, want, g1 - g0);
	free(want);
	if (e || bad >= 0) {
		snprintf(why, n, "COPY %zu bytes +%zu -> +%zu: %s, bad byte %ld",
			 len, so, dof, et_errno_name(e), bad);
		return 0;
	}
	snprintf(why, n, "verified");
	return 1;
}

/* Registers the page p, COPYs len bytes inside it, deregisters; 1: right. */
static int page_copies(struct et_fx_mem *self, unsigned char *p, size_t len,
		       char *why, size_t n)
{
	struct edudma_reg_mr r;
	int e, good;

	e = et_reg(self->fd, p, ET_PAGE, ET_RW, &r);
	if (e) {
		snprintf(why, n, "REG_MR of the page: %s", et_errno_name(e));
		return 0;
	}
	good = copy_inside(self->fd, r.handle, p, ET_PAGE, len, why, n);
	et_dereg(self->fd, r.handle);
	return good;
}

/* ---- the pieces of 64 MiB ---------------------------------------------------- */

struct tally {
	int ok, erange, other, mismatch, unknown;
	int copies, bad_copies, pin_bad;
	long high_total;
	char first_bad[200], why[240];
};

/* Registers piece i, checks its frames, copies inside it and lets it go. */
static void one_piece(struct et_fx_mem *self, int i, struct tally *t)
{
	struct edudma_reg_mr r;
	int e = et_reg(self->fd, self->piece[i], PIECE, ET_RW, &r);
	long hp = high_pages(self, self->piece[i], PIECE); /* pinned, if !e */
	int wrong = !self->iommu && hp >= 0 && (e == 0) != (hp == 0);

	if (hp < 0)
		t->unknown++;
	else
		t->high_total += hp;
	t->mismatch += wrong;
	if (e == 0)
		t->ok++;
	else if (e == ERANGE)
		t->erange++;
	else
		t->other++;
	if (((e && e != ERANGE) || wrong) && !t->first_bad[0])
		snprintf(t->first_bad, sizeof(t->first_bad),
			 "piece %d: %s with %ld pages above 256 MiB", i,
			 et_errno_name(e), hp);
	for (int k = 0; !e && k < 2; k++) {
		char why[160];

		t->copies++;
		if (!copy_inside(self->fd, r.handle, self->piece[i], PIECE,
				 et_range(3000, 8000), why, sizeof(why)) &&
		    !t->bad_copies++)
			snprintf(t->why, sizeof(t->why), "piece %d: %s", i, why);
	}
	if (!e)
		et_dereg(self->fd, r.handle);
	if (et_pins_settle(self->pin_base, 2000) != self->pin_base)
		t->pin_bad++;
}

/* After all the registrations (and ERANGEs) the device copies right. */
static void expect_device_still_copies(struct et_fx_mem *self)
{
	char why[200];

	if (self->iommu) {
		ET_EXPECT(et_copy_check(self->fd, 5000, why, sizeof(why)),
			  "after the pieces the device copies wrong: %s", why);
		return;
	}
	pick_pages(self);
	if (!self->nlow)
		ET_SKIP("no page below 256 MiB to copy with after the ERANGEs");
	ET_EXPECT(page_copies(self, self->low[0], 1500, why, sizeof(why)),
		  "after all the ERANGEs the device copies wrong: %s", why);
}

/*
 * One experiment: every piece registered in turn.  Four checks on what
 * they did, then one that the device still copies right after them.
 */
ET_TEST_F(mem, every_64_MiB_piece_registers_exactly_when_the_device_reaches_it)
{
	struct tally t = { 0 };
	long long t0 = et_now_ms();

	for (int i = 0; i < self->npieces; i++)
		one_piece(self, i, &t);
	et_note("%d registered, %d ERANGE, %d other errors; %ld pages above 256 MiB in all (%lld ms)",
		t.ok, t.erange, t.other, t.high_total, et_now_ms() - t0);
	ET_EXPECT(!t.other && !t.unknown,
		  "every 64 MiB REG_MR must succeed or fail with ERANGE: %d other errors, %d pieces with unknown frames%s%s",
		  t.other, t.unknown, t.first_bad[0] ? ": " : "", t.first_bad);
	if (self->iommu)
		ET_EXPECT(t.ok == self->npieces,
			  "with an IOMMU %d of %d pieces registered, expected all",
			  t.ok, self->npieces);
	else
		ET_EXPECT(!t.mismatch && !t.unknown && t.erange > 0,
			  "ERANGE must come exactly for the pieces with a page above 256 MiB: %d ERANGE, %d mismatches%s%s",
			  t.erange, t.mismatch, t.first_bad[0] ? ": " : "",
			  t.first_bad);
	ET_EXPECT(!t.bad_copies && (t.copies > 0 || !self->iommu),
		  "every registered piece must move data right: %d COPYs, %d wrong%s%s",
		  t.copies, t.bad_copies, t.bad_copies ? ": " : "", t.why);
	ET_EXPECT(!t.pin_bad,
		  "the pin counter did not come back after %d of the pieces",
		  t.pin_bad);
	expect_device_still_copies(self);
}

/* ---- single pages and one-shot transfers --------------------------------------- */

ET_TEST_F(mem, single_pages_below_256_MiB_register_and_copy_right)
{
	char why[200];

	pick_pages(self);
	if (!self->nlow)
		ET_SKIP("none of the memory lies below 256 MiB");
	for (int i = 0; i < self->nlow; i++)
		ET_EXPECT(page_copies(self, self->low[i], 1000, why,
				      sizeof(why)),
			  "page %d of %d below 256 MiB: %s", i + 1, self->nlow,
			  why);
}

ET_TEST_F(mem, single_pages_above_256_MiB_ERANGE_or_with_an_IOMMU_copy_right)
{
	struct edudma_reg_mr r;
	char why[200];
	int e;

	pick_pages(self);
	if (!self->nhigh)
		ET_SKIP("none of the memory lies above 256 MiB");
	for (int i = 0; i < self->nhigh; i++) {
		if (self->iommu) {
			ET_EXPECT(page_copies(self, self->high[i], 1000, why,
					      sizeof(why)),
				  "page %d of %d above 256 MiB: %s", i + 1,
				  self->nhigh, why);
			continue;
		}
		e = et_reg(self->fd, self->high[i], ET_PAGE, ET_RW, &r);
		ET_EXPECT_ERRNO(e, ERANGE, "REG_MR of a page above 256 MiB");
		if (!e)
			et_dereg(self->fd, r.handle);
	}
}

ET_TEST_F(mem, one_shot_TO_DEV_and_FROM_DEV_on_pages_above_256_MiB)
{
	unsigned char *a, *b;

	pick_pages(self);
	if (!self->nhigh)
		ET_SKIP("none of the memory lies above 256 MiB");
	a = self->high[0];
	b = self->high[self->nhigh - 1] + 2048;
	et_fill(a, 2000);
	if (!self->iommu) {
		ET_EXPECT_ERRNO(et_to_dev_ptr(self->fd, a, 0, 2000), ERANGE,
				"one-shot TO_DEV from a page above 256 MiB");
		ET_EXPECT_ERRNO(et_from_dev_ptr(self->fd, a, 0, 100), ERANGE,
				"one-shot FROM_DEV into a page above 256 MiB");
		return;
	}
	ET_ASSERT_ERRNO(et_to_dev_ptr(self->fd, a, 0, 2000), 0,
			"one-shot TO_DEV from a page above 256 MiB");
	ET_ASSERT_ERRNO(et_from_dev_ptr(self->fd, b, 0, 2000), 0,
			"one-shot FROM_DEV into a page above 256 MiB");
	ET_EXPECT(et_diff(b, a, 2000) < 0,
		  "FROM_DEV brought back other bytes than TO_DEV took (first at %ld)",
		  et_diff(b, a, 2000));
}

/*
 * An on-demand registration of a single page: its transfers fault the
 * page in when they run, so the mask is checked then: ERANGE above
 * 256 MiB without an IOMMU, right data below it and with an IOMMU.
 */
static int odp_page_copies(struct et_fx_mem *self, unsigned char *p,
			   char *why, size_t n)
{
	struct edudma_reg_mr r;
	int e, good;

	e = et_reg(self->fd, p, ET_PAGE, ET_RW | EDUDMA_REG_ON_DEMAND, &r);
	if (e) {
		snprintf(why, n, "REG_MR on demand: %s", et_errno_name(e));
		return -1;
	}
	if (!self->iommu && pfn_of(self, p) >= (long)LOW_PFN_END) {
		e = et_to_dev(self->fd, r.handle, 0, 0, 1000);
		snprintf(why, n, "TO_DEV: %s, want ERANGE", et_errno_name(e));
		good = e == ERANGE;
	} else {
		good = copy_inside(self->fd, r.handle, p, ET_PAGE, 1000, why, n);
	}
	et_dereg(self->fd, r.handle);
	return good;
}

ET_TEST_F(mem, on_demand_pages_above_256_MiB_ERANGE_when_faulted_or_with_an_IOMMU_copy_right)
{
	char why[200];

	pick_pages(self);
	if (!self->nlow && !self->nhigh)
		ET_SKIP("no page picked");
	for (int i = 0; i < self->nhigh; i++)
		ET_EXPECT(odp_page_copies(self, self->high[i], why,
					  sizeof(why)) == 1,
			  "page %d of %d above 256 MiB: %s", i + 1, self->nhigh,
			  why);
	for (int i = 0; i < self->nlow; i++)
		ET_EXPECT(odp_page_copies(self, self->low[i], why,
					  sizeof(why)) == 1,
			  "page %d of %d below 256 MiB: %s", i + 1, self->nlow,
			  why);
}
