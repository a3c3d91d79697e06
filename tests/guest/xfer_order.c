// SPDX-License-Identifier: GPL-2.0
/*
 * xfer_order: the order in which EDUDMA_XFER checks its arguments and
 * what a failed call leaves behind (Documentation/uapi.md, "EDUDMA_XFER",
 * "Order of the checks"): the struct first, then the handles, access and
 * ranges of both sides (source first), then the limits (a one-shot side's
 * max_pinned_mb, max_inflight), and only then the one-shot pins.  A call
 * that fails pinned nothing (nr_foll_pin_acquired does not move), queued
 * nothing and posted no completion.
 *
 * Also: fields unused by an op must be 0; a range ending exactly at 2^64
 * is an overflow; max_pinned_mb counts pages alike for registrations,
 * one-shot sides and BENCH_PIN; an async one-shot EFAULT comes from the
 * ioctl; GET_INFO's reserved is an output.
 */
#include "edudma_test.h"

#define PG		ET_PAGE
#define SIZE		(2 * PG)
#define UNKNOWN		0x7fff0001U
#define TOP_PAGE	(~(uint64_t)0 - PG + 1)	/* 2^64 - 4096 */

static int fd;
static uint32_t h_rd, h_wr, h_rw;	/* DEV_READ, DEV_WRITE, both */
static unsigned char *buf, *hole;

static int queue_depth(void)
{
	struct edudma_stats st;

	return et_stats(fd, &st) ? -1 : (int)st.queue_depth;
}

/*
 * One XFER that must fail with want, having pinned and queued nothing.
 */
static void expect(int want, struct edudma_xfer x, const char *what)
{
	long long before = et_pins_acquired(), after;
	int e, depth;

	x.argsz = sizeof(x);
	e = et_ret(ioctl(fd, EDUDMA_XFER, &x));
	after = et_pins_acquired();
	depth = queue_depth();
	tap_ok(e == want && after == before && depth == 0,
	       "%s -> %s (got %s; pages pinned meanwhile %lld, queue %d)",
	       what, et_errno_name(want), et_errno_name(e), after - before,
	       depth);
}

static struct edudma_xfer copy(uint32_t flags, uint32_t sh, uint64_t src,
			       uint32_t dh, uint64_t dst, uint64_t len)
{
	return (struct edudma_xfer){
		.op = EDUDMA_OP_COPY, .flags = flags, .length = len,
		.src_handle = sh, .src = src, .dst_handle = dh, .dst = dst,
	};
}

#define SP EDUDMA_XFER_SRC_PTR
#define DP EDUDMA_XFER_DST_PTR
#define U(p) ((uintptr_t)(p))

static void order_cases(void)
{
	/* the one-shot budget: 1 MiB, so 2 MiB of address is over it */
	const uint64_t big = 2 << 20;

	expect(ENOENT, copy(SP, 0, U(hole), UNKNOWN, 0, 100),
	       "COPY: one-shot source not mapped, destination handle unknown");
	expect(EINVAL, copy(SP, 0, U(hole), h_wr, SIZE, 100),
	       "COPY: one-shot source not mapped, destination range past its region");
	expect(ENOENT, copy(SP, 0, U(buf), UNKNOWN, 0, big),
	       "COPY: one-shot source over max_pinned_mb, destination handle unknown");
	expect(ENOENT, copy(SP, 0, U(buf), UNKNOWN, 0, 100),
	       "COPY: valid one-shot source, destination handle unknown");
	expect(EINVAL, copy(SP, 0, U(buf), h_wr, SIZE - 50, 100),
	       "COPY: valid one-shot source, destination range past its region");
	expect(ENOENT, copy(0, h_rd, 0, 0, U(buf), 100),
	       "COPY: registered source, destination handle 0 without DST_PTR (0 is never a handle)");

	/* which side first, and where EACCES sits */
	expect(EACCES, copy(0, h_wr, 0, UNKNOWN, 0, 100),
	       "COPY: source lacks DEV_READ, destination handle unknown (source first)");
	expect(ENOENT, copy(0, UNKNOWN, 0, h_rd, 0, 100),
	       "COPY: source handle unknown, destination lacks DEV_WRITE");
	expect(EACCES, copy(0, h_wr, 0, h_wr, SIZE, 100),
	       "COPY: source lacks DEV_READ, destination range bad (access before range)");
	expect(EINVAL, copy(0, h_rd, SIZE, UNKNOWN, 0, 100),
	       "COPY: source range past its region, destination handle unknown");
	expect(EACCES, copy(SP, 0, U(buf), h_rd, 0, big),
	       "COPY: one-shot source over max_pinned_mb, destination lacks DEV_WRITE (handles before limits)");
	expect(ENOSPC, copy(SP | DP, 0, U(hole), 0, U(buf), big),
	       "COPY: one-shot source not mapped, one-shot destination over max_pinned_mb (limits before pins)");
	{
		struct edudma_xfer x = copy(SP | DP, 0, U(buf), 0, U(hole), 100);
		long long held = et_pins();
		int e = et_xfer(fd, &x);

		tap_ok(e == EFAULT && et_pins_settle(held, 1000) == held,
		       "COPY: valid one-shot source, one-shot destination not mapped -> EFAULT, the source's pin released (%s)",
		       et_errno_name(e));
	}
}

/* max_inflight is reached: EAGAIN before the one-shot source is pinned. */
static void inflight_case(void)
{
	struct edudma_xfer q = {
		.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC,
		.length = 64, .src_handle = h_rd, .cookie = 1,
	};
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC | SP,
		.length = 64, .src = U(buf), .cookie = 2,
	};
	struct edudma_completion c;
	long long before;
	int e, e2;

	et_param_set("max_inflight", 1);
	e = et_xfer(fd, &q);
	before = et_pins_acquired();
	x.argsz = sizeof(x);
	e2 = et_ret(ioctl(fd, EDUDMA_XFER, &x));
	tap_ok(!e && e2 == EAGAIN && et_pins_acquired() == before,
	       "async one-shot TO_DEV with max_inflight used -> EAGAIN, nothing pinned (%s, %s, %lld pages pinned)",
	       et_errno_name(e), et_errno_name(e2), et_pins_acquired() - before);
	if (!e && read(fd, &c, sizeof(c)) != sizeof(c))
		tap_diag("reading the completion failed: %s", strerror(errno));
	et_param_set("max_inflight", 4096);
}

/*
 * max_pinned_mb counts the pages a range touches, for registrations,
 * one-shot sides and BENCH_PIN alike: with max_pinned_mb=1 (256 pages) an
 * unaligned MiB (257 pages) is over it, an aligned one is not.
 */
static void budget_cases(void)
{
	const uint64_t mib = 1 << 20;
	unsigned char *m = et_map(mib + PG);
	struct edudma_reg_mr r;
	int e_reg_al, e_reg_un, e_os_al, e_os_un, e_b_al, e_b_un;
	int f2;

	if (!m) {
		for (int i = 0; i < 3; i++)
			tap_ok(0, "max_pinned_mb: out of memory");
		return;
	}
	memset(m, 0x33, mib + PG);
	/* a file of its own: fd's registrations count against its budget */
	f2 = et_open(0, 0);
	e_reg_un = et_reg(f2, m + 1, mib, EDUDMA_ACCESS_DEV_READ, NULL);
	e_reg_al = et_reg(f2, m, mib, EDUDMA_ACCESS_DEV_READ, &r);
	close(f2);
	tap_ok(e_reg_un == ENOSPC && !e_reg_al,
	       "max_pinned_mb=1: REG_MR of an unaligned MiB (257 pages) -> ENOSPC (%s), of an aligned MiB (256 pages) -> success (%s)",
	       et_errno_name(e_reg_un), et_errno_name(e_reg_al));

	/* one-shot: an accepted async COPY is cancelled by closing the file */
	f2 = et_open(0, 0);
	{
		struct edudma_xfer x = copy(SP | DP | EDUDMA_XFER_ASYNC, 0,
					    U(m + 1), 0, U(m + 1), mib);

		e_os_un = et_xfer(f2, &x);
		/* src and dst the same aligned MiB: copied onto itself */
		x = copy(SP | DP | EDUDMA_XFER_ASYNC, 0, U(m), 0, U(m), mib);
		e_os_al = et_xfer(f2, &x);
	}
	close(f2);
	tap_ok(e_os_un == ENOSPC && !e_os_al,
	       "max_pinned_mb=1: a one-shot side of an unaligned MiB -> ENOSPC (%s), of an aligned MiB -> accepted (%s)",
	       et_errno_name(e_os_un), et_errno_name(e_os_al));

	e_b_un = et_bench_pin(m + 1, mib, EDUDMA_ACCESS_DEV_READ);
	e_b_al = et_bench_pin(m, mib, EDUDMA_ACCESS_DEV_READ);
	tap_ok(e_b_un == ENOSPC && !e_b_al,
	       "max_pinned_mb=1: BENCH_PIN of an unaligned MiB -> ENOSPC (%s), of an aligned MiB -> success (%s)",
	       et_errno_name(e_b_un), et_errno_name(e_b_al));
	munmap(m, mib + PG);
}

/* An async one-shot side that cannot be pinned fails the ioctl itself. */
static void async_efault_case(void)
{
	struct edudma_xfer x = copy(SP | DP | EDUDMA_XFER_ASYNC, 0, U(hole), 0,
				    U(buf), 100);
	struct edudma_completion c;
	int e, f2 = et_open(0, O_NONBLOCK);
	ssize_t r;

	x.cookie = 77;
	e = et_xfer(f2, &x);
	r = read(f2, &c, sizeof(c));
	tap_ok(e == EFAULT && r < 0 && errno == EAGAIN,
	       "async COPY from an unmapped one-shot source: the ioctl fails with EFAULT (%s), no completion is posted (read: %s)",
	       et_errno_name(e), r < 0 ? et_errno_name(errno) : "a record");
	close(f2);
}

/* Fields an op does not use must be 0. */
static void unused_cases(void)
{
	const struct {
		uint32_t op, flags, dev_offset;
		int src_h, dst_h;		/* 1: h_rd / h_wr */
		uint64_t src, dst;
		const char *what;
	} cases[] = {
		{ EDUDMA_OP_TO_DEV, 0, 0, 1, 1, 0, 0, "TO_DEV with dst_handle set" },
		{ EDUDMA_OP_TO_DEV, 0, 0, 1, 0, 0, 8, "TO_DEV with dst set" },
		{ EDUDMA_OP_TO_DEV, DP, 0, 1, 0, 0, 0, "TO_DEV with DST_PTR" },
		{ EDUDMA_OP_FROM_DEV, 0, 0, 1, 1, 0, 0, "FROM_DEV with src_handle set" },
		{ EDUDMA_OP_FROM_DEV, 0, 0, 0, 1, 4, 0, "FROM_DEV with src set" },
		{ EDUDMA_OP_COPY, 0, 1, 1, 1, 0, 0, "COPY with dev_offset set" },
		{ EDUDMA_OP_COPY, SP, 0, 1, 1, 1, 0, "COPY with SRC_PTR and a src_handle" },
		{ EDUDMA_OP_COPY, DP, 0, 1, 1, 0, 1, "COPY with DST_PTR and a dst_handle" },
	};
	struct edudma_xfer x;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		x = (struct edudma_xfer){
			.op = cases[i].op, .flags = cases[i].flags,
			.dev_offset = cases[i].dev_offset, .length = 8,
			.src_handle = cases[i].src_h ? h_rd : 0,
			.dst_handle = cases[i].dst_h ? h_wr : 0,
			.src = cases[i].flags & SP ? U(buf) : cases[i].src,
			.dst = cases[i].flags & DP ? U(buf) : cases[i].dst,
		};
		expect(EINVAL, x, cases[i].what);
	}
	x = copy(0, h_rd, 0, h_rw, 0, 8);
	x.cookie = 12345;
	tap_ok(et_xfer(fd, &x) == 0,
	       "a synchronous COPY with a cookie set: accepted (the cookie is not used)");
}

/* A range that ends exactly at 2^64 overflows; one just below it does not. */
static void top_cases(void)
{
	struct edudma_reg_mr r;
	int e1, e2, e3, f1, f2, f3;

	e1 = et_reg(fd, (void *)(uintptr_t)TOP_PAGE, PG, EDUDMA_ACCESS_DEV_READ, &r);
	e2 = et_bench_pin((void *)(uintptr_t)TOP_PAGE, PG, EDUDMA_ACCESS_DEV_READ);
	{
		struct edudma_xfer x = copy(SP, 0, TOP_PAGE, h_wr, 0, PG);

		e3 = et_xfer(fd, &x);
	}
	tap_ok(e1 == EINVAL && e2 == EINVAL && e3 == EINVAL,
	       "a range ending exactly at 2^64 is an overflow: REG_MR %s, BENCH_PIN %s, XFER one-shot %s",
	       et_errno_name(e1), et_errno_name(e2), et_errno_name(e3));

	f1 = et_reg(fd, (void *)(uintptr_t)TOP_PAGE, PG - 1, EDUDMA_ACCESS_DEV_READ, &r);
	f2 = et_bench_pin((void *)(uintptr_t)TOP_PAGE, PG - 1, EDUDMA_ACCESS_DEV_READ);
	{
		struct edudma_xfer x = copy(SP, 0, TOP_PAGE, h_wr, 0, PG - 1);

		f3 = et_xfer(fd, &x);
	}
	tap_ok(f1 == EFAULT && f2 == EFAULT && f3 == EFAULT,
	       "a range ending one byte below 2^64 is no overflow, only not mapped: REG_MR %s, BENCH_PIN %s, XFER one-shot %s",
	       et_errno_name(f1), et_errno_name(f2), et_errno_name(f3));
}

static void info_reserved_case(void)
{
	struct edudma_device_info info;
	int e;

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.reserved = 0xdeadbeef;
	e = et_ret(ioctl(fd, EDUDMA_GET_INFO, &info));
	tap_ok(!e && info.reserved == 0 && info.argsz == sizeof(info),
	       "GET_INFO: reserved is an output, written 0 whatever it held (%s, reserved %#x)",
	       et_errno_name(e), info.reserved);
}

int main(void)
{
	struct edudma_reg_mr r;
	long saved_mb = 2048, saved_inflight = 4096;
	long long base;

	fd = et_open_or_skip();
	tap_plan(32);
	buf = et_map(SIZE);
	hole = et_map(SIZE);
	if (!buf || !hole)
		tap_skip_all("out of memory");
	memset(buf, 0x22, SIZE);
	munmap(hole, SIZE);
	et_param_get("max_pinned_mb", &saved_mb);
	et_param_get("max_inflight", &saved_inflight);

	if (et_reg(fd, buf, SIZE, EDUDMA_ACCESS_DEV_READ, &r))
		tap_skip_all("REG_MR failed");
	h_rd = r.handle;
	et_reg(fd, buf, SIZE, EDUDMA_ACCESS_DEV_WRITE, &r);
	h_wr = r.handle;
	et_reg(fd, buf, SIZE, ET_RW, &r);
	h_rw = r.handle;
	base = et_pins();

	et_param_set("max_pinned_mb", 1);
	order_cases();		/* 13 */
	inflight_case();	/* 1 */
	budget_cases();		/* 3 */
	et_param_set("max_pinned_mb", saved_mb);
	et_param_set("max_inflight", saved_inflight);
	async_efault_case();	/* 1 */
	unused_cases();		/* 9 */
	top_cases();		/* 2 */
	info_reserved_case();	/* 1 */

	et_dereg(fd, h_rd);
	et_dereg(fd, h_wr);
	et_dereg(fd, h_rw);
	close(fd);
	tap_ok(et_pins_settle(base - 3 * (long long)(SIZE / PG), 2000) ==
	       base - 3 * (long long)(SIZE / PG),
	       "pin counters balance after every case");
	tap_ok(1, "module parameters restored (max_pinned_mb %ld, max_inflight %ld)",
	       saved_mb, saved_inflight);
	tap_finish();
}
