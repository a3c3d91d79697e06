// SPDX-License-Identifier: GPL-2.0
/*
 * badinput: a table of hostile and malformed calls, every one asserting the
 * exact errno that include/uapi/linux/edudma.h and Documentation/uapi.md
 * document for it.  Every ioctl (argsz, flags, reserved fields, bad argument
 * pointers, checked the same way for all eight: the GENERIC rows), then per
 * ioctl its own rules: lengths, offsets and overflows, access to memory
 * (read-only, PROT_NONE, unmapped, kernel addresses, memfd, tmpfs and
 * private file mappings, hugetlbfs), handles (0, stale, another file's,
 * deregistered twice, busy), the access of a region against the op, the
 * budgets (max_regions, max_pinned_mb, max_inflight, RLIMIT_MEMLOCK), an
 * unprivileged BENCH_PIN, unknown ioctl numbers, and the file operations
 * (read, poll, write, lseek, pread/pwrite, mmap).
 *
 * Every case prints "NAME: expected EXXX, got EYYY".  Afterwards the pin
 * counter must be back at its baseline and a COPY still verifies on every
 * device.  Operations on a removed device are tests/host/t-hotplug.sh's.
 */
#include <grp.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "edudma_test.h"

#define KADDR		0xffff888000000000ULL	/* the kernel's direct map */
#define KTEXT		0xffffffff81000000ULL	/* kernel text */
#define SKIP		(-1)
#define RLEN		16384UL			/* each fixture region */
#define TMPFS_DIR	"/tmp/edudma-badinput"

/* ---- errno names ------------------------------------------------------- */

/* ---- fixtures ------------------------------------------------------------ */

static int fd;			/* /dev/edudma0: the main subject */
static int fdn;			/* /dev/edudma0, O_NONBLOCK: completions */
static int fda, fdb;		/* handle isolation: fda has handle 1 only */
static long long pin_base;
static char detail[200];	/* appended to a case's line */
static const char *skip_why;

static unsigned char *buf;	/* 64 KiB read-write, faulted in */
static unsigned char *ro;	/* 2 pages PROT_READ */
static unsigned char *none;	/* 1 page PROT_NONE */
static unsigned char *hole;	/* an unmapped page */
static unsigned char *edge;	/* 1 page mapped, then the unmapped page */
static unsigned char *big;	/* 2 pages of zeros, for argsz > a page */
static unsigned char *big2m;	/* 2 MiB read-write */
static uint32_t hrw, hr, hw, hspare, hstale, hforeign;

static unsigned char *xmap(size_t len, int prot)
{
	unsigned char *p = et_map(len);

	if (!p) {
		tap_diag("out of memory");
		exit(1);
	}
	memset(p, 0x5a, len);
	if (prot != (PROT_READ | PROT_WRITE))
		mprotect(p, len, prot);
	return p;
}

static int reg(int f, const void *addr, uint64_t len, uint32_t flags,
	       uint32_t *h)
{
	struct edudma_reg_mr r;
	int e = et_reg(f, addr, len, flags, &r);

	*h = e ? 0 : r.handle;
	return e;
}

static int setup(void)
{
	uint32_t h;
	int e = 0;

	buf = xmap(64 * 1024, PROT_READ | PROT_WRITE);
	et_fill(buf, 64 * 1024);
	ro = xmap(2 * ET_PAGE, PROT_READ);
	none = xmap(ET_PAGE, PROT_NONE);
	hole = xmap(ET_PAGE, PROT_READ | PROT_WRITE);
	munmap(hole, ET_PAGE);
	edge = xmap(2 * ET_PAGE, PROT_READ | PROT_WRITE);
	munmap(edge + ET_PAGE, ET_PAGE);
	big = xmap(2 * ET_PAGE, PROT_READ | PROT_WRITE);
	memset(big, 0, 2 * ET_PAGE);
	big2m = xmap(2 << 20, PROT_READ | PROT_WRITE);

	e = e ?: reg(fd, buf, RLEN, ET_RW, &hrw);
	e = e ?: reg(fd, buf + RLEN, RLEN, EDUDMA_ACCESS_DEV_READ, &hr);
	e = e ?: reg(fd, buf + 2 * RLEN, RLEN, EDUDMA_ACCESS_DEV_WRITE, &hw);
	e = e ?: reg(fd, buf + 3 * RLEN, ET_PAGE, ET_RW, &hspare);
	e = e ?: reg(fd, buf + 3 * RLEN, ET_PAGE, ET_RW, &hstale);
	e = e ?: et_dereg(fd, hstale);
	/* fda holds handle 1; fdb holds 1 and 2: fdb's 2 is foreign to fda */
	e = e ?: reg(fda, buf, ET_PAGE, ET_RW, &h);
	e = e ?: reg(fdb, buf, ET_PAGE, ET_RW, &h);
	e = e ?: reg(fdb, buf, ET_PAGE, ET_RW, &hforeign);
	if (e)
		tap_diag("setup: %s", et_errno_name(e));
	tap_diag("fixture handles: rw %u, read-only %u, write-only %u, spare %u, stale %u; foreign %u",
		 hrw, hr, hw, hspare, hstale, hforeign);
	return e;
}

/* ---- the table's shape -------------------------------------------------------- */

struct bcase;
typedef int (*case_fn)(const struct bcase *c);

struct bcase {
	const char *name;
	case_fn fn;
	int expect;
	int ioc;		/* index in iocs[], for the GENERIC rows */
	uint64_t a, b;		/* case arguments */
};

/* The eight ioctls, with a valid argument each. */
struct ioc {
	const char *name;
	unsigned long cmd;
	size_t minsz;
	void (*fill)(void *arg);
};

static void fill_info(void *p)
{
	struct edudma_device_info *a = p;

	a->argsz = sizeof(*a);
}

static void fill_reg(void *p)
{
	struct edudma_reg_mr *a = p;

	a->argsz = sizeof(*a);
	a->flags = EDUDMA_ACCESS_DEV_READ;
	a->addr = (uintptr_t)buf;
	a->length = ET_PAGE;
}

static void fill_dereg(void *p)
{
	struct edudma_dereg_mr *a = p;

	a->argsz = sizeof(*a);
	a->handle = hspare;
}

static void fill_xfer(void *p)
{
	struct edudma_xfer *a = p;

	a->argsz = sizeof(*a);
	a->op = EDUDMA_OP_TO_DEV;
	a->length = 1;
	a->src_handle = hrw;
}

static void fill_evfd(void *p)
{
	struct edudma_eventfd *a = p;

	a->argsz = sizeof(*a);
	a->fd = -1;
}

static void fill_fact(void *p)
{
	struct edudma_factorial *a = p;

	a->argsz = sizeof(*a);
	a->n = 5;
}

static void fill_stats(void *p)
{
	struct edudma_stats *a = p;

	a->argsz = sizeof(*a);
}

static void fill_bench(void *p)
{
	struct edudma_bench_pin *a = p;

	a->argsz = sizeof(*a);
	a->flags = EDUDMA_ACCESS_DEV_READ;
	a->addr = (uintptr_t)buf;
	a->length = ET_PAGE;
}

enum { I_INFO, I_REG, I_DEREG, I_XFER, I_EVFD, I_FACT, I_STATS, I_BENCH };

static const struct ioc iocs[] = {
	[I_INFO] = { "GET_INFO", EDUDMA_GET_INFO,
		     sizeof(struct edudma_device_info), fill_info },
	[I_REG] = { "REG_MR", EDUDMA_REG_MR, sizeof(struct edudma_reg_mr),
		    fill_reg },
	[I_DEREG] = { "DEREG_MR", EDUDMA_DEREG_MR,
		      sizeof(struct edudma_dereg_mr), fill_dereg },
	[I_XFER] = { "XFER", EDUDMA_XFER, sizeof(struct edudma_xfer),
		     fill_xfer },
	[I_EVFD] = { "SET_EVENTFD", EDUDMA_SET_EVENTFD,
		     sizeof(struct edudma_eventfd), fill_evfd },
	[I_FACT] = { "FACTORIAL", EDUDMA_FACTORIAL,
		     sizeof(struct edudma_factorial), fill_fact },
	[I_STATS] = { "GET_STATS", EDUDMA_GET_STATS,
		      sizeof(struct edudma_stats), fill_stats },
	[I_BENCH] = { "BENCH_PIN", EDUDMA_BENCH_PIN,
		      sizeof(struct edudma_bench_pin), fill_bench },
};

/* Calls iocs[i] on f with the argument at p; 0 or the errno. */
static int call(int f, int i, void *p)
{
	/* BENCH_PIN lives on its debugfs file (edudma_bench.h) */
	if (i == I_BENCH)
		f = et_bench_open();
	return et_ret(ioctl(f, iocs[i].cmd, p));
}

/*
 * Undoes what a call that wrongly succeeded did (a registration), so that
 * one driver bug does not cascade into the next cases.
 */
static void undo(int i, void *p, int e)
{
	if (!e && i == I_REG)
		et_dereg(fd, ((struct edudma_reg_mr *)p)->handle);
}

/* ---- GENERIC rows: the argument rules shared by every ioctl ----------------- */

static unsigned char argbuf[2 * 4096] __attribute__((aligned(4096)));

static void *valid_arg(int i)
{
	memset(argbuf, 0, sizeof(argbuf));
	iocs[i].fill(argbuf);
	return argbuf;
}

/* argsz = c->a (0, or minsz - 1 when a == 1) */
static int g_argsz_small(const struct bcase *c)
{
	void *p = valid_arg(c->ioc);
	int e;

	*(uint32_t *)p = c->a ? iocs[c->ioc].minsz - 1 : 0;
	e = call(fd, c->ioc, p);
	undo(c->ioc, p, e);
	return e;
}

/* argsz = minsz + 8, the tail with a non-zero byte at its end */
static int g_tail(const struct bcase *c)
{
	unsigned char *p = valid_arg(c->ioc);
	int e;

	*(uint32_t *)p = iocs[c->ioc].minsz + 8;
	p[iocs[c->ioc].minsz + 7] = 1;
	e = call(fd, c->ioc, p);
	undo(c->ioc, p, e);
	return e;
}

/* argsz = PAGE + 1 (or c->a), everything past minsz zero */
static int g_huge(const struct bcase *c)
{
	void *p;
	int e;

	memset(big, 0, 2 * ET_PAGE);
	iocs[c->ioc].fill(big);
	p = big;
	*(uint32_t *)p = c->a ? c->a : ET_PAGE + 1;
	e = call(fd, c->ioc, p);
	undo(c->ioc, p, e);
	return e;
}

/* flags = c->a (a bit no ioctl knows) */
static int g_flags(const struct bcase *c)
{
	void *p = valid_arg(c->ioc);
	int e;

	((uint32_t *)p)[1] |= (uint32_t)c->a;
	e = call(fd, c->ioc, p);
	undo(c->ioc, p, e);
	return e;
}

/* the argument pointer itself is c->a (NULL, unmapped, kernel, ...) */
static int g_ptr(const struct bcase *c)
{
	uintptr_t p;

	switch (c->a) {
	case 0: p = 0; break;
	case 1: p = (uintptr_t)hole; break;
	case 2: p = KADDR; break;
	case 3: p = (uintptr_t)none; break;
	default: p = KTEXT; break;
	}
	return call(fd, c->ioc, (void *)p);
}

/* argsz = minsz + 8: the struct is mapped, its zero tail is not */
static int g_tail_unmapped(const struct bcase *c)
{
	size_t minsz = iocs[c->ioc].minsz;
	unsigned char *p = edge + ET_PAGE - minsz;
	int e;

	memset(edge, 0, ET_PAGE);
	iocs[c->ioc].fill(p);
	*(uint32_t *)p = minsz + 8;
	e = call(fd, c->ioc, p);
	undo(c->ioc, p, e);
	return e;
}

/* a larger argsz with a zero tail is accepted (a positive control) */
static int g_tail_zero(const struct bcase *c)
{
	unsigned char *p = valid_arg(c->ioc);
	int e;

	*(uint32_t *)p = iocs[c->ioc].minsz + 64;
	if (c->ioc == I_DEREG) {	/* needs a handle it may consume */
		uint32_t h;

		e = reg(fd, buf, ET_PAGE, ET_RW, &h);
		if (e)
			return e;
		((struct edudma_dereg_mr *)p)->handle = h;
	}
	e = call(fd, c->ioc, p);
	undo(c->ioc, p, e);
	return e;
}

#define GENERIC(I, NAME, FLAGBIT)					      \
	{ NAME ": argsz 0", g_argsz_small, EINVAL, I, 0, 0 },		      \
	{ NAME ": argsz sizeof - 1", g_argsz_small, EINVAL, I, 1, 0 },	      \
	{ NAME ": argsz sizeof + 8, non-zero tail", g_tail, EINVAL, I, 0, 0 },\
	{ NAME ": argsz page + 1, zero tail", g_huge, EINVAL, I, 0, 0 },      \
	{ NAME ": argsz 0xffffffff", g_huge, EINVAL, I, 0xffffffffu, 0 },     \
	{ NAME ": argsz sizeof + 64, zero tail (accepted)", g_tail_zero, 0,   \
	  I, 0, 0 },							      \
	{ NAME ": unknown flag bit 31", g_flags, EINVAL, I, 0x80000000u, 0 }, \
	{ NAME ": unknown flag " #FLAGBIT, g_flags, EINVAL, I, FLAGBIT, 0 },  \
	{ NAME ": argument pointer NULL", g_ptr, EFAULT, I, 0, 0 },	      \
	{ NAME ": argument pointer unmapped", g_ptr, EFAULT, I, 1, 0 },	      \
	{ NAME ": argument pointer in the kernel's direct map", g_ptr,	      \
	  EFAULT, I, 2, 0 },						      \
	{ NAME ": argument pointer to kernel text", g_ptr, EFAULT, I, 4, 0 }, \
	{ NAME ": argument pointer PROT_NONE", g_ptr, EFAULT, I, 3, 0 },      \
	{ NAME ": zero tail of argsz in an unmapped page", g_tail_unmapped,   \
	  EFAULT, I, 0, 0 }

/* ---- output into read-only memory ----------------------------------------- */

/* The struct lives in a read-only page: the copy back fails. */
static int c_out_ro(const struct bcase *c)
{
	unsigned char *p = ro;
	int e;

	mprotect(ro, ET_PAGE, PROT_READ | PROT_WRITE);
	memset(p, 0, ET_PAGE);
	iocs[c->ioc].fill(p);
	mprotect(ro, ET_PAGE, PROT_READ);
	e = call(fd, c->ioc, p);
	undo(c->ioc, p, e);
	return e;
}

/* ---- REG_MR -------------------------------------------------------------- */

/* a = address selector, b = length; flags in c->ioc's place: see table */
static int c_reg(const struct bcase *c)
{
	const void *addr;
	struct edudma_reg_mr r;
	int e;

	switch (c->a >> 32) {
	case 0: addr = buf; break;
	case 1: addr = ro; break;
	case 2: addr = none; break;
	case 3: addr = hole; break;
	case 4: addr = NULL; break;
	case 5: addr = (void *)(uintptr_t)KADDR; break;
	case 6: addr = (void *)(uintptr_t)(~0ULL - 100); break;
	case 7: addr = edge + 100; break;		/* runs into the hole */
	case 8: addr = big2m; break;
	case 10: addr = buf + 4095; break;
	default: addr = (void *)(uintptr_t)KTEXT; break;
	}
	e = et_reg(fd, addr, c->b, (uint32_t)c->a, &r);
	if (!e)
		et_dereg(fd, r.handle);
	return e;
}

#define A_BUF	(0ULL << 32)
#define A_RO	(1ULL << 32)
#define A_NONE	(2ULL << 32)
#define A_HOLE	(3ULL << 32)
#define A_NULL	(4ULL << 32)
#define A_KERN	(5ULL << 32)
#define A_TOP	(6ULL << 32)
#define A_EDGE	(7ULL << 32)
#define A_2M	(8ULL << 32)
#define A_KTEXT	(9ULL << 32)
#define A_ODD	(10ULL << 32)
#define DR	EDUDMA_ACCESS_DEV_READ
#define DW	EDUDMA_ACCESS_DEV_WRITE

/* REG_MR of a whole mapping: memfd, tmpfs file, private file mapping. */
static int reg_mapping(void *p, size_t len, uint32_t flags)
{
	struct edudma_reg_mr r;
	int e = et_reg(fd, p, len, flags, &r);

	if (!e) {
		if (r.nr_pages != (len + ET_PAGE - 1) / ET_PAGE) {
			snprintf(detail, sizeof(detail), " (nr_pages %llu)",
				 (unsigned long long)r.nr_pages);
			e = EPROTO;
		}
		et_dereg(fd, r.handle);
	}
	return e;
}

/* a: 0 memfd shared rw, 1 memfd shared PROT_READ */
static int c_memfd(const struct bcase *c)
{
	size_t len = 4 * ET_PAGE;
	int m = memfd_create("edudma-badinput", MFD_CLOEXEC), e;
	void *p;

	if (m < 0 || ftruncate(m, len)) {
		skip_why = "memfd_create failed";
		if (m >= 0)
			close(m);
		return SKIP;
	}
	p = mmap(NULL, len, c->a ? PROT_READ : PROT_READ | PROT_WRITE,
		 MAP_SHARED, m, 0);
	close(m);
	if (p == MAP_FAILED) {
		skip_why = "mmap of the memfd failed";
		return SKIP;
	}
	if (!c->a)
		memset(p, 0x33, len);
	e = reg_mapping(p, len, (uint32_t)c->b);
	munmap(p, len);
	return e;
}

/*
 * A file on tmpfs (/tmp, or a tmpfs mounted for the test).
 * a: 0 MAP_SHARED rw, 1 MAP_PRIVATE rw, 2 O_RDONLY MAP_SHARED PROT_READ,
 * 3 O_RDONLY MAP_PRIVATE PROT_READ
 */
static int c_tmpfs(const struct bcase *c)
{
	static const char path[] = TMPFS_DIR "/file";
	size_t len = 4 * ET_PAGE;
	unsigned char page[4096];
	int f, e, prot, flags;
	void *p;

	mkdir(TMPFS_DIR, 0700);
	f = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	memset(page, 0x77, sizeof(page));
	for (int i = 0; f >= 0 && i < 4; i++)
		if (write(f, page, sizeof(page)) != sizeof(page)) {
			close(f);
			f = -1;
		}
	if (f < 0) {
		skip_why = "cannot create a file in " TMPFS_DIR;
		return SKIP;
	}
	if (c->a >= 2) {
		close(f);
		f = open(path, O_RDONLY | O_CLOEXEC);
	}
	prot = c->a >= 2 ? PROT_READ : PROT_READ | PROT_WRITE;
	flags = (c->a & 1) ? MAP_PRIVATE : MAP_SHARED;
	p = mmap(NULL, len, prot, flags, f, 0);
	close(f);
	unlink(path);
	if (p == MAP_FAILED) {
		skip_why = "mmap of the tmpfs file failed";
		return SKIP;
	}
	e = reg_mapping(p, len, (uint32_t)c->b);
	munmap(p, len);
	return e;
}

static long read_long(const char *path)
{
	char s[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(s, sizeof(s), f))
		s[0] = 0;
	fclose(f);
	return strtol(s, NULL, 10);
}

static void write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%ld\n", v);
		fclose(f);
	}
}

/* a: 0 MAP_HUGETLB anonymous, 1 a file on /dev/hugepages */
static int c_hugetlb(const struct bcase *c)
{
	static const char nr[] = "/proc/sys/vm/nr_hugepages";
	static const char path[] = "/dev/hugepages/edudma-badinput";
	size_t len = 2 << 20;
	long old = read_long(nr);
	void *p = MAP_FAILED;
	int e = SKIP, f;

	if (old >= 0 && old < 2)
		write_long(nr, 2);
	if (!c->a) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	} else {
		f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (f >= 0) {
			p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				 f, 0);
			close(f);
			unlink(path);
		}
	}
	if (p == MAP_FAILED) {
		skip_why = c->a ? "no hugetlbfs at /dev/hugepages or no huge page"
				: "no huge page (nr_hugepages cannot be raised)";
	} else {
		memset(p, 0x44, len);
		e = reg_mapping(p, len, ET_RW);
		munmap(p, len);
	}
	if (old >= 0 && old < 2)
		write_long(nr, old);
	return e;
}

/* ---- module parameters ------------------------------------------------------ */

/* a: 0 max_regions, 1 max_pinned_mb (REG_MR), 2 max_pinned_mb (one-shot) */
static int c_budget(const struct bcase *c)
{
	const char *name = c->a ? "max_pinned_mb" : "max_regions";
	/* both sides one-shot: a registered side would fail its range first */
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY,
		.flags = EDUDMA_XFER_SRC_PTR | EDUDMA_XFER_DST_PTR,
		.length = 2 << 20, .src = (uintptr_t)big2m,
		.dst = (uintptr_t)big2m,
	};
	long old = 0;
	int e;

	if (et_param_get(name, &old)) {
		skip_why = "no module parameter";
		return SKIP;
	}
	if (et_param_set(name, 1)) {
		skip_why = "cannot write the module parameter";
		return SKIP;
	}
	if (c->a == 0)
		e = et_reg(fda, buf, ET_PAGE, ET_RW, NULL);	/* has 1 */
	else if (c->a == 1)
		e = et_reg(fda, big2m, 2 << 20, DR, NULL);
	else
		e = et_xfer(fd, &x);
	et_param_set(name, old);
	return e;
}

/* over the default per-file budget: max_pinned_mb + 1 MiB */
static int c_budget_default(const struct bcase *c)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY,
		.flags = EDUDMA_XFER_SRC_PTR | EDUDMA_XFER_DST_PTR,
		.src = (uintptr_t)buf, .dst = (uintptr_t)buf,
	};
	long mb = 0;

	if (et_param_get("max_pinned_mb", &mb)) {
		skip_why = "no module parameter";
		return SKIP;
	}
	x.length = ((uint64_t)mb + 1) << 20;
	if (c->a)
		return et_xfer(fd, &x);
	return et_reg(fd, buf, x.length, DR, NULL);
}

/* max_inflight 1: the second asynchronous submission is refused */
static int c_inflight(const struct bcase *c)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC,
		.length = 1, .src_handle = 0, .cookie = 7,
	};
	struct edudma_completion rec;
	uint32_t h;
	long old = 0;
	int e, e1;

	(void)c;
	if (et_param_get("max_inflight", &old) || et_param_set("max_inflight", 1)) {
		skip_why = "cannot set max_inflight";
		return SKIP;
	}
	reg(fdn, buf, ET_PAGE, ET_RW, &h);
	x.src_handle = h;
	e1 = et_xfer(fdn, &x);
	x.cookie = 8;
	e = et_xfer(fdn, &x);
	et_param_set("max_inflight", old);
	if (e1) {
		snprintf(detail, sizeof(detail), " (the first submission: %s)",
			 et_errno_name(e1));
		e = EPROTO;
	}
	/* collect what was queued */
	for (int i = (e1 == 0) + (e == 0); i > 0; i--) {
		struct pollfd p = { .fd = fdn, .events = POLLIN };

		poll(&p, 1, 10000);
		if (read(fdn, &rec, sizeof(rec)) != sizeof(rec))
			break;
	}
	et_dereg(fdn, h);
	return e;
}

/* ---- unprivileged children ----------------------------------------------------- */

static int drop_to_nobody(void)
{
	return setgroups(0, NULL) == 0 && setgid(65534) == 0 &&
	       setuid(65534) == 0;
}

/*
 * a: 0 BENCH_PIN as nobody, 1 REG_MR over RLIMIT_MEMLOCK as nobody,
 * 2 one-shot XFER over RLIMIT_MEMLOCK as nobody, 3 REG_MR under the limit
 * as nobody (control).  The child inherits fd (opened by root) and exits
 * with the errno.
 */
static int c_nobody(const struct bcase *c)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		skip_why = "fork failed";
		return SKIP;
	}
	if (pid == 0) {
		struct rlimit rl = { 64 * 1024, 64 * 1024 };
		struct edudma_bench_pin bp = {
			.argsz = sizeof(bp), .flags = DR,
			.addr = (uintptr_t)buf, .length = ET_PAGE,
		};
		struct edudma_xfer x = {
			.op = EDUDMA_OP_COPY,
			.flags = EDUDMA_XFER_SRC_PTR | EDUDMA_XFER_DST_PTR,
			.length = 40 * 1024, .src = (uintptr_t)buf,
			.dst = (uintptr_t)buf + 40 * 1024,
		};
		struct edudma_reg_mr r;
		int e;

		if (setrlimit(RLIMIT_MEMLOCK, &rl) || !drop_to_nobody())
			_exit(250);
		switch (c->a) {
		case 0:
			e = et_ret(ioctl(et_bench_open(), EDUDMA_BENCH_PIN, &bp));
			break;
		case 1:
			e = et_reg(fd, buf, 128 * 1024 - 4096, DR, &r);
			break;
		case 2:
			e = et_xfer(fd, &x);
			break;
		default:
			e = et_reg(fd, buf, 16 * 1024, DR, &r);
			if (!e)
				et_dereg(fd, r.handle);
			break;
		}
		_exit(e);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) >= 250) {
		snprintf(detail, sizeof(detail), " (child %s)",
			 et_status_str(status));
		return EPROTO;
	}
	return WEXITSTATUS(status);
}

/* ---- DEREG_MR -------------------------------------------------------------- */

/* a: handle selector */
static uint32_t pick_handle(uint64_t a)
{
	switch (a) {
	case 0: return 0;
	case 1: return hstale;
	case 2: return hforeign;
	case 3: return 0xffffffffu;
	case 4: return hrw;
	case 5: return hr;
	case 6: return hw;
	default: return 0x7fffffffu;
	}
}

static int c_dereg(const struct bcase *c)
{
	return et_dereg(c->b ? fda : fd, pick_handle(c->a));
}

/* register, deregister, deregister again */
static int c_double_dereg(const struct bcase *c)
{
	uint32_t h;
	int e;

	(void)c;
	e = reg(fd, buf, ET_PAGE, ET_RW, &h);
	if (!e)
		e = et_dereg(fd, h);
	if (e) {
		snprintf(detail, sizeof(detail), " (the first dereg: %s)",
			 et_errno_name(e));
		return EPROTO;
	}
	return et_dereg(fd, h);
}

/* the handle of fda used on fdb's device 1 file, and the other way */
static int c_other_device(const struct bcase *c)
{
	uint32_t h;
	int f = et_open(1, 0), e;

	(void)c;
	if (f < 0) {
		skip_why = "needs two devices";
		return SKIP;
	}
	/* f has handles 1 and 2; fda (device 0) knows only 1 */
	reg(f, buf, ET_PAGE, ET_RW, &h);
	reg(f, buf, ET_PAGE, ET_RW, &h);
	e = et_dereg(fda, h);
	close(f);
	return e;
}

/* an asynchronous COPY in flight: its regions cannot go */
static int c_busy(const struct bcase *c)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_ASYNC,
		.length = 8000, .cookie = 99,
		.src = 0, .dst = 8192,
	};
	struct edudma_completion rec;
	uint32_t h;
	int e, e1;

	(void)c;
	reg(fdn, buf, RLEN, ET_RW, &h);
	x.src_handle = x.dst_handle = h;
	e1 = et_xfer(fdn, &x);
	e = et_dereg(fdn, h);
	if (e1) {
		snprintf(detail, sizeof(detail), " (the COPY: %s)", et_errno_name(e1));
		e = EPROTO;
	} else {
		struct pollfd p = { .fd = fdn, .events = POLLIN };

		poll(&p, 1, 30000);
		if (read(fdn, &rec, sizeof(rec)) != sizeof(rec) || rec.status) {
			snprintf(detail, sizeof(detail),
				 " (the completion did not come back right)");
			e = EPROTO;
		}
	}
	et_dereg(fdn, h);	/* whatever happened, it can go now */
	return e;
}

/* ---- XFER ------------------------------------------------------------------ */

/* The XFER under test: the table fills it through these selectors. */
static uint64_t ptr_of(uint64_t sel, uint64_t raw)
{
	switch (sel) {
	case 1: return (uintptr_t)buf;
	case 2: return (uintptr_t)ro;
	case 3: return (uintptr_t)none;
	case 4: return (uintptr_t)hole;
	case 5: return KADDR;
	case 6: return 0;
	case 7: return ~0ULL - 10;
	case 8: return (uintptr_t)edge + ET_PAGE - 100;	/* runs into hole */
	default: return raw;
	}
}

struct xspec {
	uint32_t flags, op, dev_offset;
	uint64_t length;
	uint32_t sh, dh;	/* pick_handle() selectors + 100, or raw */
	uint64_t src, dst;	/* ptr_of() selectors + 100, or raw */
	int file;		/* 0 fd, 1 fda */
};

static const struct xspec xspecs[];

static uint32_t handle_sel(uint32_t v)
{
	return v >= 100 ? pick_handle(v - 100) : v;
}

static int c_xfer(const struct bcase *c)
{
	const struct xspec *s = &xspecs[c->a];
	struct edudma_xfer x = {
		.argsz = sizeof(x), .flags = s->flags, .op = s->op,
		.dev_offset = s->dev_offset, .length = s->length,
		.src_handle = handle_sel(s->sh), .dst_handle = handle_sel(s->dh),
		.src = s->src >= 100 && s->src < 200 ? ptr_of(s->src - 100, 0) : s->src,
		.dst = s->dst >= 100 && s->dst < 200 ? ptr_of(s->dst - 100, 0) : s->dst,
	};

	return et_xfer(s->file ? fda : fd, &x);
}

#define H(sel)	(100 + (sel))	/* pick_handle selector */
#define P(sel)	(100 + (sel))	/* ptr_of selector */
#define HRW	H(4)
#define HR	H(5)
#define HW	H(6)
#define TO	EDUDMA_OP_TO_DEV
#define FROM	EDUDMA_OP_FROM_DEV
#define COPY	EDUDMA_OP_COPY
#define SPTR	EDUDMA_XFER_SRC_PTR
#define DPTR	EDUDMA_XFER_DST_PTR
#define ASYNC	EDUDMA_XFER_ASYNC

enum {
	X_OP0, X_OP4, X_OPMAX,
	X_TO_LEN0, X_FROM_LEN0, X_COPY_LEN0,
	X_TO_DEVOFF_END, X_TO_LEN4096, X_TO_DEVOFF_PAST, X_TO_DEVOFF_MAX,
	X_TO_DEVOFF_OVF, X_FROM_DEVOFF_END, X_FROM_LEN4096, X_TO_LAST_BYTE,
	X_TO_REGION_END, X_TO_REGION_PAST, X_TO_REGION_OVF, X_FROM_REGION_PAST,
	X_COPY_DST_PAST, X_COPY_LEN_PAST, X_COPY_SRC_OFF_HUGE,
	X_COPY_DEVOFF, X_TO_DSTH, X_TO_DST, X_TO_DPTR, X_FROM_SRCH,
	X_FROM_SRC, X_FROM_SPTR, X_SPTR_HANDLE, X_DPTR_HANDLE,
	X_TO_H0, X_FROM_H0, X_COPY_DH0, X_TO_STALE, X_COPY_STALE_DST,
	X_TO_FOREIGN, X_TO_HMAX,
	X_COPY_SRC_WONLY, X_TO_WONLY, X_FROM_RONLY, X_COPY_DST_RONLY,
	X_SPTR_NULL, X_SPTR_HOLE, X_SPTR_KERN, X_SPTR_NONE, X_SPTR_EDGE,
	X_DPTR_RO, X_DPTR_NONE, X_DPTR_KERN, X_SPTR_OVF, X_DPTR_OVF,
	X_SPTR_RO_OK, X_ASYNC_BADOP,
	X_NSPECS
};

static const struct xspec xspecs[] = {
	[X_OP0] = { 0, 0, 0, 1, HRW, 0, 0, 0, 0 },
	[X_OP4] = { 0, 4, 0, 1, HRW, 0, 0, 0, 0 },
	[X_OPMAX] = { 0, 0xffffffffu, 0, 1, HRW, 0, 0, 0, 0 },
	[X_TO_LEN0] = { 0, TO, 0, 0, HRW, 0, 0, 0, 0 },
	[X_FROM_LEN0] = { 0, FROM, 0, 0, 0, HRW, 0, 0, 0 },
	[X_COPY_LEN0] = { 0, COPY, 0, 0, HRW, HRW, 0, 8192, 0 },
	[X_TO_DEVOFF_END] = { 0, TO, 4095, 1, HRW, 0, 0, 0, 0 },
	[X_TO_LEN4096] = { 0, TO, 0, 4096, HRW, 0, 0, 0, 0 },
	[X_TO_DEVOFF_PAST] = { 0, TO, 4000, 96, HRW, 0, 0, 0, 0 },
	[X_TO_DEVOFF_MAX] = { 0, TO, 0xffffffffu, 1, HRW, 0, 0, 0, 0 },
	[X_TO_DEVOFF_OVF] = { 0, TO, 1, ~0ULL, HRW, 0, 0, 0, 0 },
	[X_FROM_DEVOFF_END] = { 0, FROM, 4095, 1, 0, HRW, 0, 0, 0 },
	[X_FROM_LEN4096] = { 0, FROM, 0, 4096, 0, HRW, 0, 0, 0 },
	[X_TO_LAST_BYTE] = { 0, TO, 4094, 1, HRW, 0, 0, 0, 0 },
	[X_TO_REGION_END] = { 0, TO, 0, 1, HRW, 0, RLEN, 0, 0 },
	[X_TO_REGION_PAST] = { 0, TO, 0, 2, HRW, 0, RLEN - 1, 0, 0 },
	[X_TO_REGION_OVF] = { 0, TO, 0, 2, HRW, 0, ~0ULL, 0, 0 },
	[X_FROM_REGION_PAST] = { 0, FROM, 0, 100, 0, HRW, 0, RLEN - 99, 0 },
	[X_COPY_DST_PAST] = { 0, COPY, 0, 4096, HRW, HRW, 0, RLEN - 4095, 0 },
	[X_COPY_LEN_PAST] = { 0, COPY, 0, RLEN + 1, HRW, HRW, 0, 0, 0 },
	[X_COPY_SRC_OFF_HUGE] = { 0, COPY, 0, 10, HRW, HRW, 1ULL << 40, 0, 0 },
	[X_COPY_DEVOFF] = { 0, COPY, 1, 10, HRW, HRW, 0, 8192, 0 },
	[X_TO_DSTH] = { 0, TO, 0, 1, HRW, HRW, 0, 0, 0 },
	[X_TO_DST] = { 0, TO, 0, 1, HRW, 0, 0, 8, 0 },
	[X_TO_DPTR] = { DPTR, TO, 0, 1, HRW, 0, 0, 0, 0 },
	[X_FROM_SRCH] = { 0, FROM, 0, 1, HRW, HRW, 0, 0, 0 },
	[X_FROM_SRC] = { 0, FROM, 0, 1, 0, HRW, 8, 0, 0 },
	[X_FROM_SPTR] = { SPTR, FROM, 0, 1, 0, HRW, 0, 0, 0 },
	[X_SPTR_HANDLE] = { SPTR, TO, 0, 1, HRW, 0, P(1), 0, 0 },
	[X_DPTR_HANDLE] = { DPTR, FROM, 0, 1, 0, HRW, 0, P(1), 0 },
	[X_TO_H0] = { 0, TO, 0, 1, H(0), 0, 0, 0, 0 },
	[X_FROM_H0] = { 0, FROM, 0, 1, 0, H(0), 0, 0, 0 },
	[X_COPY_DH0] = { 0, COPY, 0, 1, HRW, H(0), 0, 0, 0 },
	[X_TO_STALE] = { 0, TO, 0, 1, H(1), 0, 0, 0, 0 },
	[X_COPY_STALE_DST] = { 0, COPY, 0, 1, HRW, H(1), 0, 0, 0 },
	[X_TO_FOREIGN] = { 0, TO, 0, 1, H(2), 0, 0, 0, 1 },
	[X_TO_HMAX] = { 0, TO, 0, 1, H(3), 0, 0, 0, 0 },
	[X_COPY_SRC_WONLY] = { 0, COPY, 0, 16, HW, HRW, 0, 8192, 0 },
	[X_TO_WONLY] = { 0, TO, 0, 16, HW, 0, 0, 0, 0 },
	[X_FROM_RONLY] = { 0, FROM, 0, 16, 0, HR, 0, 0, 0 },
	[X_COPY_DST_RONLY] = { 0, COPY, 0, 16, HRW, HR, 0, 0, 0 },
	[X_SPTR_NULL] = { SPTR, TO, 0, 16, 0, 0, P(6), 0, 0 },
	[X_SPTR_HOLE] = { SPTR, TO, 0, 16, 0, 0, P(4), 0, 0 },
	[X_SPTR_KERN] = { SPTR, TO, 0, 16, 0, 0, P(5), 0, 0 },
	[X_SPTR_NONE] = { SPTR, TO, 0, 16, 0, 0, P(3), 0, 0 },
	[X_SPTR_EDGE] = { SPTR, TO, 0, 200, 0, 0, P(8), 0, 0 },
	[X_DPTR_RO] = { DPTR, FROM, 0, 16, 0, 0, 0, P(2), 0 },
	[X_DPTR_NONE] = { DPTR, FROM, 0, 16, 0, 0, 0, P(3), 0 },
	[X_DPTR_KERN] = { DPTR, FROM, 0, 16, 0, 0, 0, P(5), 0 },
	[X_SPTR_OVF] = { SPTR, TO, 0, 100, 0, 0, P(7), 0, 0 },
	[X_DPTR_OVF] = { DPTR, FROM, 0, 100, 0, 0, 0, P(7), 0 },
	[X_SPTR_RO_OK] = { SPTR, TO, 0, 16, 0, 0, P(2), 0, 0 },
	[X_ASYNC_BADOP] = { ASYNC, 9, 0, 1, HRW, 0, 0, 0, 0 },
};

/* an argument error of an ASYNC XFER posts no completion */
static int c_async_no_record(const struct bcase *c)
{
	struct edudma_xfer x = {
		.flags = ASYNC, .op = 9, .length = 1, .src_handle = hrw,
	};
	struct edudma_completion rec;
	int e;

	(void)c;
	e = et_xfer(fdn, &x);
	if (e != EINVAL) {
		snprintf(detail, sizeof(detail), " (the XFER: %s)", et_errno_name(e));
		return EPROTO;
	}
	return read(fdn, &rec, sizeof(rec)) < 0 ? errno : 0;
}

/* ---- SET_EVENTFD ------------------------------------------------------------ */

/* a: 0 a pipe, 1 -2, 2 INT_MIN, 3 a closed fd, 4 the device's own fd,
 * 5 -1 (detach, accepted), 6 an eventfd (accepted), 7 a regular file */
static int c_evfd(const struct bcase *c)
{
	int p[2] = { -1, -1 }, efd = -1, e, f = -1;
	struct edudma_eventfd ev = { .argsz = sizeof(ev) };

	switch (c->a) {
	case 0:
		if (pipe(p))
			return SKIP;
		ev.fd = p[0];
		break;
	case 1: ev.fd = -2; break;
	case 2: ev.fd = (int)0x80000000u; break;
	case 3:
		ev.fd = dup(0);
		close(ev.fd);
		break;
	case 4: ev.fd = fd; break;
	case 5: ev.fd = -1; break;
	case 6:
		efd = eventfd(0, EFD_CLOEXEC);
		ev.fd = efd;
		break;
	default:
		f = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		ev.fd = f;
		break;
	}
	e = et_ret(ioctl(fd, EDUDMA_SET_EVENTFD, &ev));
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	if (efd >= 0) {
		et_set_eventfd(fd, -1);
		close(efd);
	}
	if (f >= 0)
		close(f);
	return e;
}

/* reserved != 0 (DEREG_MR, SET_EVENTFD) */
static int c_reserved(const struct bcase *c)
{
	void *p = valid_arg(c->ioc);

	if (c->ioc == I_DEREG)
		((struct edudma_dereg_mr *)p)->reserved = (uint32_t)c->a;
	else
		((struct edudma_eventfd *)p)->reserved = (uint32_t)c->a;
	return call(fd, c->ioc, p);
}

/* ---- BENCH_PIN (root) ------------------------------------------------------ */

static int c_bench(const struct bcase *c)
{
	struct edudma_bench_pin bp = {
		.argsz = sizeof(bp), .flags = (uint32_t)c->a,
		.length = c->b,
	};

	switch (c->a >> 32) {
	case 0: bp.addr = (uintptr_t)buf; break;
	case 1: bp.addr = (uintptr_t)ro; break;
	case 2: bp.addr = (uintptr_t)none; break;
	case 3: bp.addr = (uintptr_t)hole; break;
	case 4: bp.addr = 0; break;
	case 5: bp.addr = KADDR; break;
	case 6: bp.addr = ~0ULL - 100; break;
	default: bp.addr = (uintptr_t)edge + 100; break;
	}
	return et_ret(ioctl(et_bench_open(), EDUDMA_BENCH_PIN, &bp));
}

/* ---- unknown ioctls ------------------------------------------------------------ */

static int c_unknown(const struct bcase *c)
{
	void *p = valid_arg(I_INFO);

	return et_ret(ioctl(fd, (unsigned long)c->a, p));
}

#define TCGETS_NR	0x5401UL
#define FIONREAD_NR	0x541bUL

/* ---- file operations -------------------------------------------------------- */

/* read(fd, ..., a bytes) with nothing queued on a blocking file */
static int c_read_size(const struct bcase *c)
{
	unsigned char b[64];

	return read(fd, b, c->a) < 0 ? errno : 0;
}

static int c_read_nonblock(const struct bcase *c)
{
	struct edudma_completion rec[2];

	(void)c;
	return read(fdn, rec, sizeof(rec)) < 0 ? errno : 0;
}

/* queues one asynchronous 1-byte TO_DEV on fdn and waits for its record */
static int queue_one(uint64_t cookie)
{
	struct edudma_xfer x = {
		.flags = ASYNC, .op = TO, .length = 1, .cookie = cookie,
		.src_handle = 0,
	};
	struct pollfd p = { .fd = fdn, .events = POLLIN };
	static uint32_t h;
	int e;

	if (!h && reg(fdn, buf, ET_PAGE, ET_RW, &h))
		return EIO;
	x.src_handle = h;
	e = et_xfer(fdn, &x);
	if (!e && poll(&p, 1, 30000) != 1)
		e = ETIMEDOUT;
	return e;
}

/*
 * A record waits; read() into a (a) bad buffer or a (b) too small one
 * fails, and the record is still there for the next read.
 * a: 0 NULL, 1 read-only memory, 2 23 bytes, 3 unmapped; b: 1 = report
 * whether the record survived instead.
 */
static int c_read_keep(const struct bcase *c)
{
	struct edudma_completion rec;
	uint64_t cookie = 1000 + c->a;
	void *dst;
	size_t n = sizeof(rec);
	ssize_t r;
	int e;

	e = queue_one(cookie);
	if (e) {
		snprintf(detail, sizeof(detail), " (queueing: %s)", et_errno_name(e));
		return EPROTO;
	}
	switch (c->a) {
	case 0: dst = NULL; break;
	case 1: dst = ro; break;
	case 2: dst = &rec; n = sizeof(rec) - 1; break;
	default: dst = hole; break;
	}
	r = read(fdn, dst, n);
	e = r < 0 ? errno : 0;
	/* the record must still be there */
	memset(&rec, 0, sizeof(rec));
	r = read(fdn, &rec, sizeof(rec));
	if (r != sizeof(rec) || rec.cookie != cookie || rec.status) {
		snprintf(detail, sizeof(detail),
			 "; the record was then %s (cookie %llu, status %d)",
			 r == sizeof(rec) ? "read" : "lost",
			 (unsigned long long)rec.cookie, rec.status);
		if (!c->b)
			return e ? e : EPROTO;
		return EPROTO;
	}
	if (c->b) {
		snprintf(detail, sizeof(detail), " (cookie %llu read afterwards)",
			 (unsigned long long)rec.cookie);
		return 0;
	}
	return e;
}

/* poll: a 0 nothing queued (no event), 1 a record waits (POLLIN) */
static int c_poll(const struct bcase *c)
{
	struct pollfd p = { .fd = fdn, .events = POLLIN };
	struct edudma_completion rec;
	int n, e = 0;

	if (c->a && (e = queue_one(77)))
		return EPROTO;
	n = poll(&p, 1, 0);
	snprintf(detail, sizeof(detail), " (poll %d, revents %#x)", n,
		 p.revents);
	if (c->a) {
		if (n != 1 || p.revents != POLLIN)
			e = EPROTO;
		if (read(fdn, &rec, sizeof(rec)) != sizeof(rec))
			e = EPROTO;
	} else if (n != 0) {
		e = EPROTO;
	}
	return e;
}

/* a: 0 write, 1 writev, 2 lseek SET, 3 lseek END, 4 pread, 5 pwrite,
 * 6 mmap shared, 7 mmap private, 8 ftruncate */
static int c_fileop(const struct bcase *c)
{
	unsigned char b[64] = { 0 };
	struct iovec iov = { b, sizeof(b) };
	void *p;

	switch (c->a) {
	case 0: return write(fd, b, sizeof(b)) < 0 ? errno : 0;
	case 1: return writev(fd, &iov, 1) < 0 ? errno : 0;
	case 2: return lseek(fd, 0, SEEK_SET) < 0 ? errno : 0;
	case 3: return lseek(fd, 0, SEEK_END) < 0 ? errno : 0;
	case 4: return pread(fd, b, sizeof(b), 0) < 0 ? errno : 0;
	case 5: return pwrite(fd, b, sizeof(b), 0) < 0 ? errno : 0;
	case 8: return ftruncate(fd, 0) < 0 ? errno : 0;
	default:
		p = mmap(NULL, ET_PAGE, PROT_READ | PROT_WRITE,
			 c->a == 6 ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return errno;
		munmap(p, ET_PAGE);
		return 0;
	}
}

/* a FACTORIAL whose result cannot be written back */
/* (c_out_ro with I_FACT) */

/* ---- the table ------------------------------------------------------------------- */

#define RO_OUT(I, NAME) \
	{ NAME ": struct in read-only memory, output not writable", c_out_ro, \
	  EFAULT, I, 0, 0 }
#define XF(ID, NAME, E) { "XFER: " NAME, c_xfer, E, I_XFER, ID, 0 }

static const struct bcase table[] = {
	/* every ioctl: argsz, flags, the argument pointer */
	GENERIC(I_INFO, "GET_INFO", 1),
	GENERIC(I_REG, "REG_MR", 4),
	GENERIC(I_DEREG, "DEREG_MR", 1),
	GENERIC(I_XFER, "XFER", 8),
	GENERIC(I_EVFD, "SET_EVENTFD", 1),
	GENERIC(I_FACT, "FACTORIAL", 1),
	GENERIC(I_STATS, "GET_STATS", 1),
	GENERIC(I_BENCH, "BENCH_PIN", 4),
	RO_OUT(I_INFO, "GET_INFO"),
	RO_OUT(I_REG, "REG_MR"),
	RO_OUT(I_FACT, "FACTORIAL"),
	RO_OUT(I_STATS, "GET_STATS"),
	RO_OUT(I_BENCH, "BENCH_PIN"),

	/* REG_MR: flags, lengths, memory */
	{ "REG_MR: no access flag", c_reg, EINVAL, 0, A_BUF | 0, ET_PAGE },
	{ "REG_MR: length 0", c_reg, EINVAL, 0, A_BUF | DR, 0 },
	{ "REG_MR: addr + length overflows", c_reg, EINVAL, 0, A_TOP | DR, 4096 },
	{ "REG_MR: length 2^64 - 1", c_reg, EINVAL, 0, A_BUF | DR, ~0ULL },
	{ "REG_MR: NULL address", c_reg, EFAULT, 0, A_NULL | DR, ET_PAGE },
	{ "REG_MR: unmapped address", c_reg, EFAULT, 0, A_HOLE | DR, ET_PAGE },
	{ "REG_MR: kernel direct-map address", c_reg, EFAULT, 0, A_KERN | ET_RW, ET_PAGE },
	{ "REG_MR: kernel text address, DEV_READ", c_reg, EFAULT, 0, A_KTEXT | DR, ET_PAGE },
	{ "REG_MR: range that runs into an unmapped page", c_reg, EFAULT, 0, A_EDGE | ET_RW, ET_PAGE },
	{ "REG_MR: read-only memory, DEV_WRITE", c_reg, EFAULT, 0, A_RO | DW, ET_PAGE },
	{ "REG_MR: read-only memory, DEV_READ|DEV_WRITE", c_reg, EFAULT, 0, A_RO | ET_RW, 2 * ET_PAGE },
	{ "REG_MR: read-only memory, DEV_READ (accepted)", c_reg, 0, 0, A_RO | DR, 2 * ET_PAGE },
	{ "REG_MR: PROT_NONE memory, DEV_READ", c_reg, EFAULT, 0, A_NONE | DR, ET_PAGE },
	{ "REG_MR: PROT_NONE memory, DEV_WRITE", c_reg, EFAULT, 0, A_NONE | DW, ET_PAGE },
	{ "REG_MR: 1 byte, unaligned (accepted)", c_reg, 0, 0, A_ODD | DR, 1 },
	{ "REG_MR: memfd MAP_SHARED, DEV_READ|DEV_WRITE (accepted)", c_memfd, 0, 0, 0, ET_RW },
	{ "REG_MR: memfd MAP_SHARED, DEV_READ (accepted)", c_memfd, 0, 0, 0, DR },
	{ "REG_MR: memfd MAP_SHARED PROT_READ, DEV_WRITE", c_memfd, EFAULT, 0, 1, DW },
	{ "REG_MR: memfd MAP_SHARED PROT_READ, DEV_READ (accepted)", c_memfd, 0, 0, 1, DR },
	{ "REG_MR: tmpfs file MAP_SHARED, DEV_READ|DEV_WRITE (accepted)", c_tmpfs, 0, 0, 0, ET_RW },
	{ "REG_MR: tmpfs file MAP_PRIVATE, DEV_READ|DEV_WRITE (accepted)", c_tmpfs, 0, 0, 1, ET_RW },
	{ "REG_MR: read-only tmpfs file MAP_SHARED, DEV_READ (accepted)", c_tmpfs, 0, 0, 2, DR },
	{ "REG_MR: read-only tmpfs file MAP_SHARED, DEV_WRITE", c_tmpfs, EFAULT, 0, 2, DW },
	{ "REG_MR: read-only tmpfs file MAP_PRIVATE, DEV_WRITE", c_tmpfs, EFAULT, 0, 3, DW },
	{ "REG_MR: read-only tmpfs file MAP_PRIVATE, DEV_READ (accepted)", c_tmpfs, 0, 0, 3, DR },
	{ "REG_MR: hugetlbfs MAP_HUGETLB 2 MiB (accepted)", c_hugetlb, 0, 0, 0, 0 },
	{ "REG_MR: hugetlbfs file MAP_SHARED 2 MiB (accepted)", c_hugetlb, 0, 0, 1, 0 },
	{ "REG_MR: max_regions reached", c_budget, ENOSPC, 0, 0, 0 },
	{ "REG_MR: over max_pinned_mb (set to 1, 2 MiB)", c_budget, ENOSPC, 0, 1, 0 },
	{ "REG_MR: over the default max_pinned_mb", c_budget_default, ENOSPC, 0, 0, 0 },
	{ "REG_MR: over RLIMIT_MEMLOCK as nobody", c_nobody, ENOMEM, 0, 1, 0 },
	{ "REG_MR: under RLIMIT_MEMLOCK as nobody (accepted)", c_nobody, 0, 0, 3, 0 },

	/* DEREG_MR: handles */
	{ "DEREG_MR: reserved 1", c_reserved, EINVAL, I_DEREG, 1, 0 },
	{ "DEREG_MR: reserved 0x80000000", c_reserved, EINVAL, I_DEREG, 0x80000000u, 0 },
	{ "DEREG_MR: handle 0", c_dereg, ENOENT, 0, 0, 0 },
	{ "DEREG_MR: stale handle (deregistered)", c_dereg, ENOENT, 0, 1, 0 },
	{ "DEREG_MR: handle 0xffffffff", c_dereg, ENOENT, 0, 3, 0 },
	{ "DEREG_MR: handle never given (0x7fffffff)", c_dereg, ENOENT, 0, 7, 0 },
	{ "DEREG_MR: another file's handle (not valid on this file)", c_dereg, ENOENT, 0, 2, 1 },
	{ "DEREG_MR: another device's file's handle", c_other_device, ENOENT, 0, 0, 0 },
	{ "DEREG_MR: double deregistration", c_double_dereg, ENOENT, 0, 0, 0 },
	{ "DEREG_MR: region of a queued asynchronous COPY", c_busy, EBUSY, 0, 0, 0 },

	/* XFER */
	XF(X_OP0, "op 0", EINVAL),
	XF(X_OP4, "op 4", EINVAL),
	XF(X_OPMAX, "op 0xffffffff", EINVAL),
	XF(X_TO_LEN0, "TO_DEV length 0", EINVAL),
	XF(X_FROM_LEN0, "FROM_DEV length 0", EINVAL),
	XF(X_COPY_LEN0, "COPY length 0", EINVAL),
	XF(X_TO_DEVOFF_END, "TO_DEV dev_offset 4095, length 1", EINVAL),
	XF(X_TO_LEN4096, "TO_DEV length 4096", EINVAL),
	XF(X_TO_DEVOFF_PAST, "TO_DEV dev_offset 4000 + length 96 > 4095", EINVAL),
	XF(X_TO_DEVOFF_MAX, "TO_DEV dev_offset 0xffffffff", EINVAL),
	XF(X_TO_DEVOFF_OVF, "TO_DEV dev_offset 1 + length 2^64 - 1 overflows", EINVAL),
	XF(X_FROM_DEVOFF_END, "FROM_DEV dev_offset 4095, length 1", EINVAL),
	XF(X_FROM_LEN4096, "FROM_DEV length 4096", EINVAL),
	XF(X_TO_LAST_BYTE, "TO_DEV dev_offset 4094, length 1 (accepted)", 0),
	XF(X_TO_REGION_END, "TO_DEV src offset = region length", EINVAL),
	XF(X_TO_REGION_PAST, "TO_DEV src range 1 byte past the region", EINVAL),
	XF(X_TO_REGION_OVF, "TO_DEV src offset 2^64 - 1 (overflow)", EINVAL),
	XF(X_FROM_REGION_PAST, "FROM_DEV dst range past the region", EINVAL),
	XF(X_COPY_DST_PAST, "COPY dst range past the region", EINVAL),
	XF(X_COPY_LEN_PAST, "COPY length region + 1", EINVAL),
	XF(X_COPY_SRC_OFF_HUGE, "COPY src offset 2^40", EINVAL),
	XF(X_COPY_DEVOFF, "COPY with dev_offset 1", EINVAL),
	XF(X_TO_DSTH, "TO_DEV with dst_handle set", EINVAL),
	XF(X_TO_DST, "TO_DEV with dst set", EINVAL),
	XF(X_TO_DPTR, "TO_DEV with DST_PTR", EINVAL),
	XF(X_FROM_SRCH, "FROM_DEV with src_handle set", EINVAL),
	XF(X_FROM_SRC, "FROM_DEV with src set", EINVAL),
	XF(X_FROM_SPTR, "FROM_DEV with SRC_PTR", EINVAL),
	XF(X_SPTR_HANDLE, "SRC_PTR with src_handle set", EINVAL),
	XF(X_DPTR_HANDLE, "DST_PTR with dst_handle set", EINVAL),
	XF(X_TO_H0, "TO_DEV src_handle 0", ENOENT),
	XF(X_FROM_H0, "FROM_DEV dst_handle 0", ENOENT),
	XF(X_COPY_DH0, "COPY dst_handle 0", ENOENT),
	XF(X_TO_STALE, "TO_DEV stale src_handle", ENOENT),
	XF(X_COPY_STALE_DST, "COPY stale dst_handle", ENOENT),
	XF(X_TO_FOREIGN, "TO_DEV another file's handle", ENOENT),
	XF(X_TO_HMAX, "TO_DEV src_handle 0xffffffff", ENOENT),
	XF(X_COPY_SRC_WONLY, "COPY from a DEV_WRITE-only region", EACCES),
	XF(X_TO_WONLY, "TO_DEV from a DEV_WRITE-only region", EACCES),
	XF(X_FROM_RONLY, "FROM_DEV into a DEV_READ-only region", EACCES),
	XF(X_COPY_DST_RONLY, "COPY into a DEV_READ-only region", EACCES),
	XF(X_SPTR_NULL, "SRC_PTR NULL", EFAULT),
	XF(X_SPTR_HOLE, "SRC_PTR unmapped", EFAULT),
	XF(X_SPTR_KERN, "SRC_PTR kernel address", EFAULT),
	XF(X_SPTR_NONE, "SRC_PTR PROT_NONE", EFAULT),
	XF(X_SPTR_EDGE, "SRC_PTR range that runs into an unmapped page", EFAULT),
	XF(X_DPTR_RO, "DST_PTR read-only memory", EFAULT),
	XF(X_DPTR_NONE, "DST_PTR PROT_NONE", EFAULT),
	XF(X_DPTR_KERN, "DST_PTR kernel address", EFAULT),
	XF(X_SPTR_OVF, "SRC_PTR address + length overflows", EINVAL),
	XF(X_DPTR_OVF, "DST_PTR address + length overflows", EINVAL),
	XF(X_SPTR_RO_OK, "SRC_PTR read-only memory (accepted)", 0),
	XF(X_ASYNC_BADOP, "ASYNC with op 9", EINVAL),
	{ "XFER: ... and that ASYNC error posted no completion (read)", c_async_no_record, EAGAIN, 0, 0, 0 },
	{ "XFER: one-shot side over max_pinned_mb (set to 1, 2 MiB)", c_budget, ENOSPC, 0, 2, 0 },
	{ "XFER: one-shot side over the default max_pinned_mb", c_budget_default, ENOSPC, 0, 1, 0 },
	{ "XFER: one-shot sides over RLIMIT_MEMLOCK as nobody", c_nobody, ENOMEM, 0, 2, 0 },
	{ "XFER: ASYNC past max_inflight (set to 1)", c_inflight, EAGAIN, 0, 0, 0 },

	/* SET_EVENTFD */
	{ "SET_EVENTFD: reserved 1", c_reserved, EINVAL, I_EVFD, 1, 0 },
	{ "SET_EVENTFD: a pipe, not an eventfd", c_evfd, EBADF, 0, 0, 0 },
	{ "SET_EVENTFD: fd -2", c_evfd, EBADF, 0, 1, 0 },
	{ "SET_EVENTFD: fd INT_MIN", c_evfd, EBADF, 0, 2, 0 },
	{ "SET_EVENTFD: a closed fd", c_evfd, EBADF, 0, 3, 0 },
	{ "SET_EVENTFD: the device file itself", c_evfd, EBADF, 0, 4, 0 },
	{ "SET_EVENTFD: a regular file", c_evfd, EBADF, 0, 7, 0 },
	{ "SET_EVENTFD: fd -1, detach (accepted)", c_evfd, 0, 0, 5, 0 },
	{ "SET_EVENTFD: an eventfd (accepted)", c_evfd, 0, 0, 6, 0 },

	/* BENCH_PIN */
	{ "BENCH_PIN: as nobody", c_nobody, EPERM, 0, 0, 0 },
	{ "BENCH_PIN: no access flag", c_bench, EINVAL, 0, A_BUF | 0, ET_PAGE },
	{ "BENCH_PIN: length 0", c_bench, EINVAL, 0, A_BUF | DR, 0 },
	{ "BENCH_PIN: addr + length overflows", c_bench, EINVAL, 0, A_TOP | DR, 4096 },
	{ "BENCH_PIN: NULL address", c_bench, EFAULT, 0, A_NULL | DR, ET_PAGE },
	{ "BENCH_PIN: unmapped address", c_bench, EFAULT, 0, A_HOLE | DR, ET_PAGE },
	{ "BENCH_PIN: kernel address", c_bench, EFAULT, 0, A_KERN | DR, ET_PAGE },
	{ "BENCH_PIN: PROT_NONE memory", c_bench, EFAULT, 0, A_NONE | DR, ET_PAGE },
	{ "BENCH_PIN: read-only memory, DEV_WRITE", c_bench, EFAULT, 0, A_RO | DW, ET_PAGE },
	{ "BENCH_PIN: read-only memory, DEV_READ (accepted)", c_bench, 0, 0, A_RO | DR, ET_PAGE },
	{ "BENCH_PIN: range that runs into an unmapped page", c_bench, EFAULT, 0, A_EDGE | DR, ET_PAGE },
	{ "BENCH_PIN: length 2 TiB", c_bench, ENOMEM, 0, A_BUF | DR, 1ULL << 41 },

	/* unknown ioctl numbers */
	{ "ioctl: _IO(0xB9, 0x47), the next number", c_unknown, ENOTTY, 0, _IO(EDUDMA_TYPE, 0x47), 0 },
	{ "ioctl: _IO(0xB9, 0x3f), below the base", c_unknown, ENOTTY, 0, _IO(EDUDMA_TYPE, 0x3f), 0 },
	{ "ioctl: _IO(0xB9, 0xff)", c_unknown, ENOTTY, 0, _IO(EDUDMA_TYPE, 0xff), 0 },
	{ "ioctl: GET_INFO's number as _IOWR with a size", c_unknown, ENOTTY, 0,
	  _IOWR(EDUDMA_TYPE, 0x40, struct edudma_device_info), 0 },
	{ "ioctl: GET_INFO's number with API 1's type ('E')", c_unknown, ENOTTY, 0, _IO('E', 0x40), 0 },
	{ "ioctl: VFIO_GET_API_VERSION (';', 100)", c_unknown, ENOTTY, 0, _IO(';', 100), 0 },
	{ "ioctl: TCGETS", c_unknown, ENOTTY, 0, TCGETS_NR, 0 },
	{ "ioctl: FIONREAD", c_unknown, ENOTTY, 0, FIONREAD_NR, 0 },
	{ "ioctl: 0", c_unknown, ENOTTY, 0, 0, 0 },
	{ "ioctl: 0xffffffff", c_unknown, ENOTTY, 0, 0xffffffffUL, 0 },

	/* read and poll */
	{ "read: 0 bytes", c_read_size, EINVAL, 0, 0, 0 },
	{ "read: 1 byte", c_read_size, EINVAL, 0, 1, 0 },
	{ "read: 23 bytes (one record is 24)", c_read_size, EINVAL, 0, 23, 0 },
	{ "read: O_NONBLOCK with nothing queued", c_read_nonblock, EAGAIN, 0, 0, 0 },
	{ "read: 23 bytes with a record queued", c_read_keep, EINVAL, 0, 2, 0 },
	{ "read: NULL buffer with a record queued", c_read_keep, EFAULT, 0, 0, 0 },
	{ "read: read-only buffer with a record queued", c_read_keep, EFAULT, 0, 1, 0 },
	{ "read: unmapped buffer, then the record is still there", c_read_keep, 0, 0, 3, 1 },
	{ "poll: nothing queued, no event", c_poll, 0, 0, 0, 0 },
	{ "poll: a record queued, POLLIN", c_poll, 0, 0, 1, 0 },

	/* the file operations the driver does not have */
	{ "write: no write op", c_fileop, EINVAL, 0, 0, 0 },
	{ "writev: no write op", c_fileop, EINVAL, 0, 1, 0 },
	{ "lseek SEEK_SET: not seekable", c_fileop, ESPIPE, 0, 2, 0 },
	{ "lseek SEEK_END: not seekable", c_fileop, ESPIPE, 0, 3, 0 },
	{ "pread: not seekable", c_fileop, ESPIPE, 0, 4, 0 },
	{ "pwrite: not seekable", c_fileop, ESPIPE, 0, 5, 0 },
	{ "mmap MAP_SHARED: no mmap op", c_fileop, ENODEV, 0, 6, 0 },
	{ "mmap MAP_PRIVATE: no mmap op", c_fileop, ENODEV, 0, 7, 0 },
	{ "ftruncate: not a regular file", c_fileop, EINVAL, 0, 8, 0 },
};

#define NCASES ((int)(sizeof(table) / sizeof(table[0])))

/* ---- the kernel log: no case may leave a warning -------------------------------- */

static int kmsg = -1;

static void klog_mark(void)
{
	if (kmsg < 0)
		kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
}

/* The first bad line (qemu/klog-bad) logged since klog_mark(), or NULL. */
static const char *klog_bad(void)
{
	static char rec[1024];
	const char *msg;
	ssize_t n;

	if (kmsg < 0)
		return NULL;
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		rec[strcspn(rec, "\n")] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (et_klog_bad(msg))	/* bad, or no list to tell */
			return msg;
	}
	return NULL;
}

/* ---- main -------------------------------------------------------------------------- */

int main(void)
{
	int ndev = et_ndevices(), i, got;
	struct edudma_stats s;

	if (ndev < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	if (geteuid() != 0)
		tap_skip_all("needs root (module parameters, setuid, hugetlbfs)");
	/* opened as root: the nobody cases inherit it and get EPERM */
	if (et_bench_open() < 0)
		tap_diag("cannot open " EDUDMA_BENCH_FILE ": %s", strerror(errno));
	if ((fd = et_open(0, 0)) >= 0) {
		struct edudma_device_info info;

		/*
		 * qemu/run --stock-mask: any page may lie above the mask, so
		 * every registration may fail with ERANGE (documented) and
		 * the table's rows would test page placement instead.
		 */
		if (!et_info(fd, &info) && !(info.caps & EDUDMA_CAP_IOMMU) &&
		    info.dma_mask < 0xffffffffULL)
			tap_skip_all("a DMA mask below 4 GiB without an IOMMU makes any registration ERANGE (tests/host/t-stockmask.sh covers that)");
		close(fd);
	}
	tap_plan(NCASES + 3 + ndev);
	et_seed_init();
	tap_diag("badinput: %d cases", NCASES);
	tap_diag("operations on a removed device: tests/host/t-hotplug.sh");

	pin_base = et_pins();
	fd = et_open(0, 0);
	fdn = et_open(0, O_NONBLOCK);
	fda = et_open(0, 0);
	fdb = et_open(0, 0);
	if (fd < 0 || fdn < 0 || fda < 0 || fdb < 0) {
		tap_diag("cannot open the device: %s", strerror(errno));
		tap_finish();
	}
	if (setup())
		tap_diag("setup failed: the cases that need it will fail");

	for (i = 0; i < NCASES; i++) {
		const struct bcase *c = &table[i];

		const char *kbad;

		detail[0] = 0;
		skip_why = NULL;
		klog_mark();
		got = c->fn(c);
		kbad = klog_bad();
		if (got == SKIP && !kbad) {
			tap_skip(skip_why ? skip_why : "cannot set up", "%s",
				 c->name);
			continue;
		}
		tap_ok(got == c->expect && !kbad, "%s: expected %s, got %s%s%s%s",
		       c->name, et_errno_name(c->expect), et_errno_name(got), detail,
		       kbad ? "; kernel log: " : "", kbad ? kbad : "");
	}

	/* the fixtures survived all of that */
	got = et_dereg(fd, hrw);
	got = got ?: et_dereg(fd, hr);
	got = got ?: et_dereg(fd, hw);
	tap_ok(got == 0, "after the table: the fixture regions deregister (%s)",
	       et_errno_name(got));
	close(fd);
	close(fdn);
	close(fda);
	close(fdb);
	et_stats((fd = et_open(0, 0)), &s);
	tap_ok(s.queue_depth == 0,
	       "after the table: nothing queued on the device (queue_depth %llu)",
	       (unsigned long long)s.queue_depth);
	close(fd);
	tap_ok(et_pins_settle(pin_base, 5000) == pin_base,
	       "after the table: pin counter back to the baseline (%+lld)",
	       et_pins() - pin_base);
	for (i = 0; i < ndev; i++) {
		char why[200];
		int f = et_open(i, 0);

		tap_ok(f >= 0 && et_copy_check(f, 10000, why, sizeof(why)),
		       "data check on %s after the table: %s", et_dev_path(i),
		       f < 0 ? strerror(errno) : why);
		if (f >= 0)
			close(f);
	}
	tap_finish();
}
