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
#define MIB		(1UL << 20)

#define SP EDUDMA_XFER_SRC_PTR
#define DP EDUDMA_XFER_DST_PTR
#define U(p) ((uintptr_t)(p))

ET_PRECONDITION(et_need_device)

/*
 * A file with three registrations of buf (2 pages of 0x22): DEV_READ,
 * DEV_WRITE and both; hole is 2 pages of address with nothing mapped.
 * A case may lower max_pinned_mb and max_inflight (set_param()); the
 * teardown puts them back.
 */
ET_FIXTURE(xo) {
	int fd;
	uint32_t h_rd, h_wr, h_rw;
	unsigned char *buf, *hole;
	long saved_mb, saved_inflight;
	int set_mb, set_inflight;
};

static void xo_setup(struct et_fx_xo *self)
{
	struct edudma_reg_mr r;

	self->set_mb = self->set_inflight = 0;
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	self->buf = et_map(SIZE);
	self->hole = et_map(SIZE);
	ET_ASSERT(self->buf && self->hole, "out of memory");
	memset(self->buf, 0x22, SIZE);
	munmap(self->hole, SIZE);
	ET_ASSERT_ERRNO(et_reg(self->fd, self->buf, SIZE,
			       EDUDMA_ACCESS_DEV_READ, &r), 0, "REG_MR DEV_READ");
	self->h_rd = r.handle;
	ET_ASSERT_ERRNO(et_reg(self->fd, self->buf, SIZE,
			       EDUDMA_ACCESS_DEV_WRITE, &r), 0,
			"REG_MR DEV_WRITE");
	self->h_wr = r.handle;
	ET_ASSERT_ERRNO(et_reg(self->fd, self->buf, SIZE, ET_RW, &r), 0,
			"REG_MR DEV_READ | DEV_WRITE");
	self->h_rw = r.handle;
	ET_ASSERT_ERRNO(et_param_get("max_pinned_mb", &self->saved_mb), 0,
			"max_pinned_mb");
	ET_ASSERT_ERRNO(et_param_get("max_inflight", &self->saved_inflight), 0,
			"max_inflight");
}

static void xo_teardown(struct et_fx_xo *self)
{
	if (self->set_mb)
		ET_EXPECT_ERRNO(et_param_set("max_pinned_mb", self->saved_mb),
				0, "restoring max_pinned_mb");
	if (self->set_inflight)
		ET_EXPECT_ERRNO(et_param_set("max_inflight",
					     self->saved_inflight), 0,
				"restoring max_inflight");
	close(self->fd);
	munmap(self->buf, SIZE);
}

ET_SETUP(xo)
{
	xo_setup(self);
}

ET_TEARDOWN(xo)
{
	xo_teardown(self);
}

static void set_max_pinned_mb(struct et_fx_xo *self, long mb)
{
	self->set_mb = 1;
	ET_ASSERT_ERRNO(et_param_set("max_pinned_mb", mb), 0, "max_pinned_mb");
}

static void set_max_inflight(struct et_fx_xo *self, long n)
{
	self->set_inflight = 1;
	ET_ASSERT_ERRNO(et_param_set("max_inflight", n), 0, "max_inflight");
}

static int queue_depth(int fd)
{
	struct edudma_stats st;

	return et_stats(fd, &st) ? -1 : (int)st.queue_depth;
}

/* One XFER that must fail with want, having pinned and queued nothing. */
static void expect_fails(struct et_fx_xo *self, int want,
			 struct edudma_xfer x, const char *what)
{
	long long before = et_pins_acquired(), after;
	int e, depth;

	x.argsz = sizeof(x);
	e = et_ret(ioctl(self->fd, EDUDMA_XFER, &x));
	after = et_pins_acquired();
	depth = queue_depth(self->fd);
	ET_EXPECT_ERRNO(e, want, what);
	ET_EXPECT(after == before, "%s: %lld pages pinned meanwhile, expected 0",
		  what, after - before);
	ET_EXPECT(depth == 0, "%s: queue depth %d after it, expected 0", what,
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

/* ---- the order of the checks, max_pinned_mb=1 ----------------------------- */

/* What one side of a COPY names. */
enum side {
	S_HOLE,		/* one-shot, nothing mapped */
	S_BUF,		/* one-shot, buf */
	S_NONE,		/* handle 0 without the _PTR flag */
	S_UNKNOWN,	/* a handle that was never given out */
	S_RD,		/* the DEV_READ registration */
	S_WR,		/* the DEV_WRITE registration */
};

struct order_row {
	const char *name;
	int want;
	enum side src, dst;
	uint64_t src_off, dst_off;	/* into a registration */
	uint64_t len;
	const char *what;
};

/* The one-shot budget is 1 MiB, so 2 MiB of address is over it. */
#define BIG (2 * MIB)

static const struct order_row order_rows[] = {
	{ .name = "COPY_src_not_mapped_dst_handle_unknown_ENOENT",
	  .want = ENOENT, .src = S_HOLE, .dst = S_UNKNOWN, .len = 100,
	  .what = "COPY: one-shot source not mapped, destination handle unknown", },
	{ .name = "COPY_src_not_mapped_dst_range_bad_EINVAL",
	  .want = EINVAL, .src = S_HOLE, .dst = S_WR, .dst_off = SIZE,
	  .len = 100,
	  .what = "COPY: one-shot source not mapped, destination range past its region", },
	{ .name = "COPY_src_over_max_pinned_mb_dst_handle_unknown_ENOENT",
	  .want = ENOENT, .src = S_BUF, .dst = S_UNKNOWN, .len = BIG,
	  .what = "COPY: one-shot source over max_pinned_mb, destination handle unknown", },
	{ .name = "COPY_src_valid_dst_handle_unknown_ENOENT",
	  .want = ENOENT, .src = S_BUF, .dst = S_UNKNOWN, .len = 100,
	  .what = "COPY: valid one-shot source, destination handle unknown", },
	{ .name = "COPY_src_valid_dst_range_bad_EINVAL",
	  .want = EINVAL, .src = S_BUF, .dst = S_WR, .dst_off = SIZE - 50,
	  .len = 100,
	  .what = "COPY: valid one-shot source, destination range past its region", },
	{ .name = "COPY_dst_handle_0_without_DST_PTR_ENOENT",
	  .want = ENOENT, .src = S_RD, .dst = S_NONE, .len = 100,
	  .what = "COPY: registered source, destination handle 0 without DST_PTR (0 is never a handle)", },
	{ .name = "COPY_src_lacks_DEV_READ_dst_handle_unknown_EACCES",
	  .want = EACCES, .src = S_WR, .dst = S_UNKNOWN, .len = 100,
	  .what = "COPY: source lacks DEV_READ, destination handle unknown (source first)", },
	{ .name = "COPY_src_handle_unknown_dst_lacks_DEV_WRITE_ENOENT",
	  .want = ENOENT, .src = S_UNKNOWN, .dst = S_RD, .len = 100,
	  .what = "COPY: source handle unknown, destination lacks DEV_WRITE", },
	{ .name = "COPY_src_lacks_DEV_READ_dst_range_bad_EACCES",
	  .want = EACCES, .src = S_WR, .dst = S_WR, .dst_off = SIZE,
	  .len = 100,
	  .what = "COPY: source lacks DEV_READ, destination range bad (access before range)", },
	{ .name = "COPY_src_range_bad_dst_handle_unknown_EINVAL",
	  .want = EINVAL, .src = S_RD, .src_off = SIZE, .dst = S_UNKNOWN,
	  .len = 100,
	  .what = "COPY: source range past its region, destination handle unknown", },
	{ .name = "COPY_src_over_max_pinned_mb_dst_lacks_DEV_WRITE_EACCES",
	  .want = EACCES, .src = S_BUF, .dst = S_RD, .len = BIG,
	  .what = "COPY: one-shot source over max_pinned_mb, destination lacks DEV_WRITE (handles before limits)", },
	{ .name = "COPY_src_not_mapped_dst_over_max_pinned_mb_ENOSPC",
	  .want = ENOSPC, .src = S_HOLE, .dst = S_BUF, .len = BIG,
	  .what = "COPY: one-shot source not mapped, one-shot destination over max_pinned_mb (limits before pins)", },
};

/* Sets one side: its flag, handle and address or offset. */
static void side(struct et_fx_xo *self, enum side s, uint64_t off,
		 __u32 ptr_flag, __u32 *flags, __u32 *h, __u64 *addr)
{
	const uint32_t handles[] = {
		[S_NONE] = 0, [S_UNKNOWN] = UNKNOWN,
		[S_RD] = self->h_rd, [S_WR] = self->h_wr,
	};

	*h = 0;
	*addr = off;
	if (s == S_HOLE || s == S_BUF) {
		*flags |= ptr_flag;
		*addr = U(s == S_HOLE ? self->hole : self->buf) + off;
	} else {
		*h = handles[s];
	}
}

ET_TABLE_F(xo, order, struct order_row, order_rows)
{
	struct edudma_xfer x = { .op = EDUDMA_OP_COPY, .length = row->len };

	side(self, row->src, row->src_off, SP, &x.flags, &x.src_handle,
	     &x.src);
	side(self, row->dst, row->dst_off, DP, &x.flags, &x.dst_handle,
	     &x.dst);
	set_max_pinned_mb(self, 1);
	expect_fails(self, row->want, x, row->what);
}

ET_TEST_F(xo, COPY_src_valid_dst_not_mapped_EFAULT_the_source_pin_released)
{
	struct edudma_xfer x = copy(SP | DP, 0, U(self->buf), 0,
				    U(self->hole), 100);
	long long held, now;

	set_max_pinned_mb(self, 1);
	held = et_pins();
	ET_EXPECT_ERRNO(et_xfer(self->fd, &x), EFAULT,
			"COPY: valid one-shot source, one-shot destination not mapped");
	now = et_pins_settle(held, 1000);
	ET_EXPECT(now == held, "%+lld pages still pinned after it, expected 0",
		  now - held);
}

/* max_inflight is reached: EAGAIN before the one-shot source is pinned. */
ET_TEST_F(xo, async_one_shot_TO_DEV_at_max_inflight_EAGAIN_nothing_pinned)
{
	struct edudma_xfer q = {
		.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC,
		.length = 64, .src_handle = self->h_rd, .cookie = 1,
	};
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC | SP,
		.length = 64, .src = U(self->buf), .cookie = 2,
	};
	struct edudma_completion c;
	long long before, after;
	int e;

	set_max_pinned_mb(self, 1);
	set_max_inflight(self, 1);
	ET_ASSERT_ERRNO(et_xfer(self->fd, &q), 0, "async TO_DEV from a region");
	before = et_pins_acquired();
	x.argsz = sizeof(x);
	e = et_ret(ioctl(self->fd, EDUDMA_XFER, &x));
	after = et_pins_acquired();
	ET_EXPECT_ERRNO(e, EAGAIN, "async one-shot TO_DEV with max_inflight used");
	ET_EXPECT(after == before, "%lld pages pinned by it, expected 0",
		  after - before);
	ET_EXPECT(read(self->fd, &c, sizeof(c)) == sizeof(c),
		  "reading the first TO_DEV's completion: %s", strerror(errno));
}

/* ---- max_pinned_mb counts the pages a range touches ----------------------- */

/*
 * For registrations, one-shot sides and BENCH_PIN alike: with
 * max_pinned_mb=1 (256 pages) an unaligned MiB (257 pages) is over it, an
 * aligned one is not.  Each case uses a file of its own, so fd's
 * registrations do not count against its budget.
 */
ET_FIXTURE(budget) {
	struct et_fx_xo xo;
	unsigned char *m;	/* 1 MiB and a page, 0x33 */
	int f2;
};

ET_SETUP(budget)
{
	xo_setup(&self->xo);
	self->m = et_map(MIB + PG);
	ET_ASSERT(self->m, "out of memory");
	memset(self->m, 0x33, MIB + PG);
	self->f2 = et_open(0, 0);
	ET_ASSERT(self->f2 >= 0, "open: %s", strerror(errno));
	set_max_pinned_mb(&self->xo, 1);
}

ET_TEARDOWN(budget)
{
	close(self->f2);
	munmap(self->m, MIB + PG);
	xo_teardown(&self->xo);
}

ET_TEST_F(budget, max_pinned_mb_1_REG_MR_of_an_unaligned_MiB_ENOSPC_aligned_ok)
{
	struct edudma_reg_mr r;

	ET_EXPECT_ERRNO(et_reg(self->f2, self->m + 1, MIB,
			       EDUDMA_ACCESS_DEV_READ, NULL), ENOSPC,
			"REG_MR of an unaligned MiB (257 pages)");
	ET_EXPECT_ERRNO(et_reg(self->f2, self->m, MIB, EDUDMA_ACCESS_DEV_READ,
			       &r), 0, "REG_MR of an aligned MiB (256 pages)");
}

/* An accepted async COPY is cancelled by closing the file (teardown). */
ET_TEST_F(budget, max_pinned_mb_1_one_shot_side_of_an_unaligned_MiB_ENOSPC)
{
	struct edudma_xfer x = copy(SP | DP | EDUDMA_XFER_ASYNC, 0,
				    U(self->m + 1), 0, U(self->m + 1), MIB);

	ET_EXPECT_ERRNO(et_xfer(self->f2, &x), ENOSPC,
			"one-shot COPY of an unaligned MiB");
	/* src and dst the same aligned MiB: copied onto itself */
	x = copy(SP | DP | EDUDMA_XFER_ASYNC, 0, U(self->m), 0, U(self->m),
		 MIB);
	ET_EXPECT_ERRNO(et_xfer(self->f2, &x), 0,
			"one-shot COPY of an aligned MiB");
}

ET_TEST_F(budget, max_pinned_mb_1_BENCH_PIN_of_an_unaligned_MiB_ENOSPC)
{
	ET_EXPECT_ERRNO(et_bench_pin(self->m + 1, MIB, EDUDMA_ACCESS_DEV_READ),
			ENOSPC, "BENCH_PIN of an unaligned MiB");
	ET_EXPECT_ERRNO(et_bench_pin(self->m, MIB, EDUDMA_ACCESS_DEV_READ), 0,
			"BENCH_PIN of an aligned MiB");
}

/* ---- with the default limits ------------------------------------------------ */

/* An async one-shot side that cannot be pinned fails the ioctl itself. */
ET_TEST_F(xo, async_COPY_from_an_unmapped_one_shot_source_EFAULT_no_completion)
{
	struct edudma_xfer x = copy(SP | DP | EDUDMA_XFER_ASYNC, 0,
				    U(self->hole), 0, U(self->buf), 100);
	struct edudma_completion c;
	int f2 = et_open(0, O_NONBLOCK);
	ssize_t r;

	ET_ASSERT(f2 >= 0, "open: %s", strerror(errno));
	x.cookie = 77;
	ET_EXPECT_ERRNO(et_xfer(f2, &x), EFAULT,
			"async COPY from an unmapped one-shot source");
	r = read(f2, &c, sizeof(c));
	ET_EXPECT(r < 0 && errno == EAGAIN,
		  "a completion was posted: read %s",
		  r < 0 ? et_errno_name(errno) : "a record");
	close(f2);
}

/* Fields an op does not use must be 0. */
struct unused_row {
	const char *name;
	uint32_t op, flags, dev_offset;
	int src_h, dst_h;	/* set to the DEV_READ / DEV_WRITE handle */
	uint64_t src, dst;	/* when the side is no _PTR */
};

static const struct unused_row unused_rows[] = {
	{ .name = "TO_DEV_with_dst_handle_set_EINVAL",
	  .op = EDUDMA_OP_TO_DEV, .src_h = 1, .dst_h = 1, },
	{ .name = "TO_DEV_with_dst_set_EINVAL",
	  .op = EDUDMA_OP_TO_DEV, .src_h = 1, .dst = 8, },
	{ .name = "TO_DEV_with_DST_PTR_EINVAL",
	  .op = EDUDMA_OP_TO_DEV, .flags = DP, .src_h = 1, },
	{ .name = "FROM_DEV_with_src_handle_set_EINVAL",
	  .op = EDUDMA_OP_FROM_DEV, .src_h = 1, .dst_h = 1, },
	{ .name = "FROM_DEV_with_src_set_EINVAL",
	  .op = EDUDMA_OP_FROM_DEV, .dst_h = 1, .src = 4, },
	{ .name = "COPY_with_dev_offset_set_EINVAL",
	  .op = EDUDMA_OP_COPY, .dev_offset = 1, .src_h = 1, .dst_h = 1, },
	{ .name = "COPY_with_SRC_PTR_and_a_src_handle_EINVAL",
	  .op = EDUDMA_OP_COPY, .flags = SP, .src_h = 1, .dst_h = 1, },
	{ .name = "COPY_with_DST_PTR_and_a_dst_handle_EINVAL",
	  .op = EDUDMA_OP_COPY, .flags = DP, .src_h = 1, .dst_h = 1, },
};

ET_TABLE_F(xo, unused, struct unused_row, unused_rows)
{
	struct edudma_xfer x = {
		.op = row->op, .flags = row->flags,
		.dev_offset = row->dev_offset, .length = 8,
		.src_handle = row->src_h ? self->h_rd : 0,
		.dst_handle = row->dst_h ? self->h_wr : 0,
		.src = row->flags & SP ? U(self->buf) : row->src,
		.dst = row->flags & DP ? U(self->buf) : row->dst,
	};

	expect_fails(self, EINVAL, x, row->name);
}

ET_TEST_F(xo, a_synchronous_COPY_with_a_cookie_set_is_accepted)
{
	struct edudma_xfer x = copy(0, self->h_rd, 0, self->h_rw, 0, 8);

	x.cookie = 12345;
	ET_EXPECT_ERRNO(et_xfer(self->fd, &x), 0,
			"a synchronous COPY with a cookie (the cookie is not used)");
}

/* A range that ends exactly at 2^64 overflows; one just below it does not. */
static void top_range(struct et_fx_xo *self, uint64_t len, int want)
{
	void *top = (void *)(uintptr_t)TOP_PAGE;
	struct edudma_xfer x = copy(SP, 0, TOP_PAGE, self->h_wr, 0, len);
	struct edudma_reg_mr r;

	ET_EXPECT_ERRNO(et_reg(self->fd, top, len, EDUDMA_ACCESS_DEV_READ, &r),
			want, "REG_MR");
	ET_EXPECT_ERRNO(et_bench_pin(top, len, EDUDMA_ACCESS_DEV_READ), want,
			"BENCH_PIN");
	ET_EXPECT_ERRNO(et_xfer(self->fd, &x), want, "XFER one-shot");
}

ET_TEST_F(xo, a_range_ending_exactly_at_2_to_the_64_is_an_overflow_EINVAL)
{
	top_range(self, PG, EINVAL);
}

ET_TEST_F(xo, a_range_ending_one_byte_below_2_to_the_64_is_only_not_mapped)
{
	top_range(self, PG - 1, EFAULT);
}

ET_TEST_F(xo, GET_INFO_reserved_is_an_output_written_0)
{
	struct edudma_device_info info;

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.reserved = 0xdeadbeef;
	ET_EXPECT_ERRNO(et_ret(ioctl(self->fd, EDUDMA_GET_INFO, &info)), 0,
			"GET_INFO");
	ET_EXPECT(info.reserved == 0, "reserved %#x after it, expected 0",
		  info.reserved);
	ET_EXPECT(info.argsz == sizeof(info), "argsz %u after it, expected %zu",
		  info.argsz, sizeof(info));
}
