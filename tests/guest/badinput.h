/* SPDX-License-Identifier: GPL-2.0 */
/*
 * badinput.h: what the badinput_* programs share.  Each of them is a table
 * of hostile and malformed calls, every row asserting the exact errno that
 * include/uapi/linux/edudma.h and Documentation/uapi.md document for it.
 *
 * The fixture (set up again for every row): four files on /dev/edudma0, a
 * 64 KiB read-write buffer with three registrations of RLEN bytes (read-
 * write, DEV_READ only, DEV_WRITE only), a spare and a stale handle, a
 * handle that is another file's, and memory of every kind a row points at
 * (read-only, PROT_NONE, unmapped, a page followed by a hole, 2 MiB).  Its
 * teardown checks that the fixture regions still deregister and that
 * nothing is left queued on the device.
 *
 * Rows name the memory they point at by enum bi_at, the handles they use
 * by enum bi_handle, the ioctl they call by enum bi_ioc.
 */
#ifndef BADINPUT_H
#define BADINPUT_H

#include <grp.h>
#include <sys/resource.h>

#include "edudma_test.h"

#define BI_KADDR	0xffff888000000000ULL	/* the direct map */
#define BI_KTEXT	0xffffffff81000000ULL	/* kernel text */
#define RLEN		16384UL		/* each fixture region */
#define DR		EDUDMA_ACCESS_DEV_READ
#define DW		EDUDMA_ACCESS_DEV_WRITE

ET_FIXTURE(badinput) {
	int fd;			/* /dev/edudma0: the main subject */
	int fdn;		/* /dev/edudma0, O_NONBLOCK: completions */
	int fda, fdb;		/* handle isolation: fda has only handle 1 */
	unsigned char *buf;	/* 64 KiB read-write, faulted in */
	unsigned char *ro;	/* 2 pages PROT_READ */
	unsigned char *none;	/* 1 page PROT_NONE */
	unsigned char *hole;	/* an unmapped page */
	unsigned char *edge;	/* 1 page mapped, then an unmapped page */
	unsigned char *big;	/* 2 pages of zeros, for argsz > a page */
	unsigned char *big2m;	/* 2 MiB read-write */
	unsigned char *arg;	/* 2 pages: an ioctl's argument */
	uint32_t hrw, hr, hw, hspare, hstale, hforeign;
	uint32_t hodp;		/* 1 page on demand (PREFETCH's rows) */
};

/* ---- what rows point at ------------------------------------------------- */

enum bi_at {
	AT_OFFSET,		/* not a pointer: the row's raw value */
	AT_BUF,			/* the 64 KiB buffer */
	AT_BUF_ODD,		/* buf + 4095 */
	AT_RO,			/* read-only memory */
	AT_NONE,		/* PROT_NONE memory */
	AT_HOLE,		/* an unmapped page */
	AT_NULL,		/* 0 */
	AT_KADDR,		/* the kernel's direct map */
	AT_KTEXT,		/* kernel text */
	AT_TOP_100,		/* 2^64 - 1 - 100 */
	AT_TOP_10,		/* 2^64 - 1 - 10 */
	AT_EDGE_100,		/* edge + 100: a page from it hits the hole */
	AT_EDGE_END_100,	/* 100 bytes before the hole */
	AT_2M,			/* the 2 MiB buffer */
};

static inline uint64_t bi_addr(const struct et_fx_badinput *self,
			       enum bi_at at, uint64_t raw)
{
	switch (at) {
	case AT_OFFSET: return raw;
	case AT_BUF: return (uintptr_t)self->buf;
	case AT_BUF_ODD: return (uintptr_t)self->buf + 4095;
	case AT_RO: return (uintptr_t)self->ro;
	case AT_NONE: return (uintptr_t)self->none;
	case AT_HOLE: return (uintptr_t)self->hole;
	case AT_NULL: return 0;
	case AT_KADDR: return BI_KADDR;
	case AT_KTEXT: return BI_KTEXT;
	case AT_TOP_100: return ~0ULL - 100;
	case AT_TOP_10: return ~0ULL - 10;
	case AT_EDGE_100: return (uintptr_t)self->edge + 100;
	case AT_EDGE_END_100: return (uintptr_t)self->edge + ET_PAGE - 100;
	case AT_2M: return (uintptr_t)self->big2m;
	}
	return raw;
}

enum bi_handle {
	HANDLE_0,		/* 0: never a handle */
	HANDLE_STALE,		/* registered and deregistered */
	HANDLE_FOREIGN,		/* fdb's handle 2: fda has only 1 */
	HANDLE_MAX,		/* 0xffffffff */
	HANDLE_NEVER,		/* 0x7fffffff, never given */
	HANDLE_RW,		/* the read-write region */
	HANDLE_RONLY,		/* the DEV_READ-only region */
	HANDLE_WONLY,		/* the DEV_WRITE-only region */
};

static inline uint32_t bi_handle(const struct et_fx_badinput *self,
				 enum bi_handle h)
{
	switch (h) {
	case HANDLE_0: return 0;
	case HANDLE_STALE: return self->hstale;
	case HANDLE_FOREIGN: return self->hforeign;
	case HANDLE_MAX: return 0xffffffffu;
	case HANDLE_NEVER: return 0x7fffffffu;
	case HANDLE_RW: return self->hrw;
	case HANDLE_RONLY: return self->hr;
	case HANDLE_WONLY: return self->hw;
	}
	return 0;
}

/* A row of REG_MR or BENCH_PIN: the memory pinned and how. */
struct bi_mem_row {
	const char *name;
	enum bi_at at;
	uint64_t length;
	uint32_t flags;
	int expect;
};

/* REG_MR of len bytes at addr on f; the handle lands in *h (0 on error). */
static inline int bi_reg(int f, const void *addr, uint64_t len,
			 uint32_t flags, uint32_t *h)
{
	struct edudma_reg_mr r;
	int e = et_reg(f, addr, len, flags, &r);

	*h = e ? 0 : r.handle;
	return e;
}

/* ---- the fixture -------------------------------------------------------- */

static inline unsigned char *bi_map(size_t len, int prot)
{
	unsigned char *p = et_map(len);

	ET_ASSERT(p, "out of memory mapping %zu bytes", len);
	memset(p, 0x5a, len);
	if (prot != (PROT_READ | PROT_WRITE))
		ET_ASSERT(!mprotect(p, len, prot), "mprotect: %s",
			  strerror(errno));
	return p;
}

static inline void bi_map_all(struct et_fx_badinput *self)
{
	self->buf = bi_map(64 * 1024, PROT_READ | PROT_WRITE);
	et_fill(self->buf, 64 * 1024);
	self->ro = bi_map(2 * ET_PAGE, PROT_READ);
	self->none = bi_map(ET_PAGE, PROT_NONE);
	self->hole = bi_map(ET_PAGE, PROT_READ | PROT_WRITE);
	munmap(self->hole, ET_PAGE);
	self->edge = bi_map(2 * ET_PAGE, PROT_READ | PROT_WRITE);
	munmap(self->edge + ET_PAGE, ET_PAGE);
	self->big = bi_map(2 * ET_PAGE, PROT_READ | PROT_WRITE);
	memset(self->big, 0, 2 * ET_PAGE);
	self->big2m = bi_map(2 << 20, PROT_READ | PROT_WRITE);
	self->arg = bi_map(2 * ET_PAGE, PROT_READ | PROT_WRITE);
}

ET_SETUP(badinput)
{
	unsigned char *b;
	uint32_t h;
	int e = 0;

	/* opened as root: the nobody rows inherit it and get EPERM */
	et_bench_open();
	self->fd = et_open(0, 0);
	self->fdn = et_open(0, O_NONBLOCK);
	self->fda = et_open(0, 0);
	self->fdb = et_open(0, 0);
	ET_ASSERT(self->fd >= 0 && self->fdn >= 0 && self->fda >= 0 &&
		  self->fdb >= 0, "cannot open the device: %s",
		  strerror(errno));
	bi_map_all(self);
	b = self->buf;
	e = e ?: bi_reg(self->fd, b, RLEN, ET_RW, &self->hrw);
	e = e ?: bi_reg(self->fd, b + RLEN, RLEN, DR, &self->hr);
	e = e ?: bi_reg(self->fd, b + 2 * RLEN, RLEN, DW, &self->hw);
	e = e ?: bi_reg(self->fd, b + 3 * RLEN, ET_PAGE, ET_RW, &self->hspare);
	e = e ?: bi_reg(self->fd, b + 3 * RLEN, ET_PAGE, ET_RW, &self->hstale);
	e = e ?: et_dereg(self->fd, self->hstale);
	e = e ?: bi_reg(self->fd, b + 3 * RLEN, ET_PAGE,
			ET_RW | EDUDMA_REG_ON_DEMAND, &self->hodp);
	/* fda holds handle 1; fdb holds 1 and 2: fdb's 2 is foreign to fda */
	e = e ?: bi_reg(self->fda, b, ET_PAGE, ET_RW, &h);
	e = e ?: bi_reg(self->fdb, b, ET_PAGE, ET_RW, &h);
	e = e ?: bi_reg(self->fdb, b, ET_PAGE, ET_RW, &self->hforeign);
	ET_ASSERT_ERRNO(e, 0, "setup: the fixture's registrations");
}

/* After the row: the fixture survived it, nothing stays queued. */
ET_TEARDOWN(badinput)
{
	struct edudma_stats s;
	int e, f;

	e = et_dereg(self->fd, self->hrw);
	e = e ?: et_dereg(self->fd, self->hr);
	e = e ?: et_dereg(self->fd, self->hw);
	e = e ?: et_dereg(self->fd, self->hodp);
	ET_EXPECT_ERRNO(e, 0, "after the row: DEREG_MR of the fixture regions");
	close(self->fd);
	close(self->fdn);
	close(self->fda);
	close(self->fdb);
	f = et_open(0, 0);
	ET_ASSERT(f >= 0, "reopening the device: %s", strerror(errno));
	e = et_stats(f, &s);
	ET_EXPECT_ERRNO(e, 0, "after the row: GET_STATS");
	ET_EXPECT(s.queue_depth == 0,
		  "after the row: queue_depth %llu, expected nothing queued",
		  (unsigned long long)s.queue_depth);
	close(f);
}

/* ---- the whole program -------------------------------------------------- */

static inline const char *bi_precondition(void)
{
	struct edudma_device_info info;
	const char *why = et_need_device();
	int f;

	if (why)
		return why;
	if (geteuid() != 0)
		return "needs root (module parameters, setuid, hugetlbfs)";
	f = et_open(0, 0);
	if (f < 0)
		return NULL;	/* the fixture reports it */
	/*
	 * qemu/run --stock-mask: any page may lie above the mask, so every
	 * registration may fail with ERANGE (documented) and the rows would
	 * test page placement instead.
	 */
	if (!et_info(f, &info) && !(info.caps & EDUDMA_CAP_IOMMU) &&
	    info.dma_mask < 0xffffffffULL)
		why = "a DMA mask below 4 GiB without an IOMMU makes any "
		      "registration ERANGE (tests/host/t-stockmask.sh "
		      "covers that)";
	close(f);
	return why;
}

/*
 * The program's first and last lines: what every badinput_* program has;
 * the last checks that a COPY still verifies on every device.
 */
#define BI_PROGRAM ET_PRECONDITION(bi_precondition)
#define BI_AFTERWARDS							\
	ET_TEST(afterwards_a_COPY_verifies_on_every_device)		\
	{								\
		et_expect_copy_every_device("after the rows");	\
	}

/* ---- the ten ioctls, each with a valid argument ------------------------- */

enum bi_ioc {
	IOC_INFO, IOC_REG, IOC_DEREG, IOC_XFER, IOC_EVFD, IOC_FACT, IOC_STATS,
	IOC_BENCH, IOC_PREFETCH, IOC_EVENTS,
};

/*
 * size is the struct's, minsz the smallest argsz the driver takes: the
 * same but for GET_STATS, whose API 2 end (factorials) is still taken.
 */
struct bi_ioc_def {
	const char *name;
	unsigned long cmd;
	size_t minsz, size;
	void (*fill)(const struct et_fx_badinput *self, void *arg);
};

static inline void bi_fill_argsz(const struct et_fx_badinput *self, void *p)
{
	(void)self;
	(void)p;	/* bi_arg() writes argsz = size */
}

static inline void bi_fill_reg(const struct et_fx_badinput *self, void *p)
{
	struct edudma_reg_mr *a = p;

	a->flags = DR;
	a->addr = (uintptr_t)self->buf;
	a->length = ET_PAGE;
}

static inline void bi_fill_dereg(const struct et_fx_badinput *self, void *p)
{
	((struct edudma_dereg_mr *)p)->handle = self->hspare;
}

static inline void bi_fill_xfer(const struct et_fx_badinput *self, void *p)
{
	struct edudma_xfer *a = p;

	a->op = EDUDMA_OP_TO_DEV;
	a->length = 1;
	a->src_handle = self->hrw;
}

static inline void bi_fill_evfd(const struct et_fx_badinput *self, void *p)
{
	(void)self;
	((struct edudma_eventfd *)p)->fd = -1;
}

static inline void bi_fill_fact(const struct et_fx_badinput *self, void *p)
{
	(void)self;
	((struct edudma_factorial *)p)->n = 5;
}

static inline void bi_fill_bench(const struct et_fx_badinput *self, void *p)
{
	struct edudma_bench_pin *a = p;

	a->flags = DR;
	a->addr = (uintptr_t)self->buf;
	a->length = ET_PAGE;
}

static inline void bi_fill_prefetch(const struct et_fx_badinput *self,
				    void *p)
{
	struct edudma_prefetch *a = p;

	a->handle = self->hodp;
	a->length = ET_PAGE;
}

#define BI_IOC(name, cmd, s, fill)	name, cmd, sizeof(s), sizeof(s), fill

static const struct bi_ioc_def bi_iocs[] = {
	[IOC_INFO] = { BI_IOC("GET_INFO", EDUDMA_GET_INFO,
			      struct edudma_device_info, bi_fill_argsz) },
	[IOC_REG] = { BI_IOC("REG_MR", EDUDMA_REG_MR, struct edudma_reg_mr,
			     bi_fill_reg) },
	[IOC_DEREG] = { BI_IOC("DEREG_MR", EDUDMA_DEREG_MR,
			       struct edudma_dereg_mr, bi_fill_dereg) },
	[IOC_XFER] = { BI_IOC("XFER", EDUDMA_XFER, struct edudma_xfer,
			      bi_fill_xfer) },
	[IOC_EVFD] = { BI_IOC("SET_EVENTFD", EDUDMA_SET_EVENTFD,
			      struct edudma_eventfd, bi_fill_evfd) },
	[IOC_FACT] = { BI_IOC("FACTORIAL", EDUDMA_FACTORIAL,
			      struct edudma_factorial, bi_fill_fact) },
	[IOC_STATS] = { "GET_STATS", EDUDMA_GET_STATS,
			offsetof(struct edudma_stats, factorials) + 8,
			sizeof(struct edudma_stats), bi_fill_argsz },
	[IOC_BENCH] = { BI_IOC("BENCH_PIN", EDUDMA_BENCH_PIN,
			       struct edudma_bench_pin, bi_fill_bench) },
	[IOC_PREFETCH] = { BI_IOC("PREFETCH", EDUDMA_PREFETCH,
				  struct edudma_prefetch, bi_fill_prefetch) },
	/* count 0: a valid call that only reports pending */
	[IOC_EVENTS] = { BI_IOC("GET_EVENTS", EDUDMA_GET_EVENTS,
				struct edudma_get_events, bi_fill_argsz) },
};

/* Writes a valid argument of ioctl i at p (argsz = its size). */
static inline void bi_fill(const struct et_fx_badinput *self, enum bi_ioc i,
			   void *p)
{
	*(uint32_t *)p = bi_iocs[i].size;
	bi_iocs[i].fill(self, p);
}

/* A valid argument of ioctl i in the fixture's zeroed argument pages. */
static inline unsigned char *bi_arg(struct et_fx_badinput *self,
				    enum bi_ioc i)
{
	memset(self->arg, 0, 2 * ET_PAGE);
	bi_fill(self, i, self->arg);
	return self->arg;
}

/* Calls ioctl i on the fixture's main file with the argument at p. */
static inline int bi_call(const struct et_fx_badinput *self, enum bi_ioc i,
			  void *p)
{
	/* BENCH_PIN lives on its debugfs file (edudma_bench.h) */
	int f = i == IOC_BENCH ? et_bench_open() : self->fd;

	return et_ret(ioctl(f, bi_iocs[i].cmd, p));
}

/*
 * bi_call(), then undoes what a call that wrongly succeeded did (a
 * registration), so that one driver bug does not cascade into the
 * fixture's checks.
 */
static inline int bi_call_undo(const struct et_fx_badinput *self,
			       enum bi_ioc i, void *p)
{
	int e = bi_call(self, i, p);

	if (!e && i == IOC_REG)
		et_dereg(self->fd, ((struct edudma_reg_mr *)p)->handle);
	return e;
}

/* ioctl i (DEREG_MR or SET_EVENTFD) with a valid argument but reserved */
static inline int bi_call_reserved(struct et_fx_badinput *self,
				   enum bi_ioc i, uint32_t reserved)
{
	unsigned char *p = bi_arg(self, i);

	if (i == IOC_DEREG)
		((struct edudma_dereg_mr *)p)->reserved = reserved;
	else
		((struct edudma_eventfd *)p)->reserved = reserved;
	return bi_call(self, i, p);
}

/* Fails the case unless got is the row's errno. */
#define BI_EXPECT(got, want, name)					\
	ET_EXPECT((got) == (want), "%s: expected %s, got %s", (name),	\
		  et_errno_name(want), et_errno_name(got))

#endif /* BADINPUT_H */
