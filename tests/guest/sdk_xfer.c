// SPDX-License-Identifier: GPL-2.0
/*
 * sdk_xfer: the synchronous transfers of libedudma: edudma_write_dev(),
 * edudma_read_dev() and edudma_copy() with every byte verified (and the
 * bytes around each destination) and the statistics they move, the
 * one-shot edudma_*_ptr() calls (which pin nothing beyond the call), each
 * way these and the submissions must fail on their arguments (EINVAL,
 * EACCES, EFAULT), and EXDEV between devices.
 */
#include "sdk.h"

ET_PRECONDITION(et_need_device)

ET_SETUP(sdk)
{
	sdk_setup(self, 1);
}

ET_TEARDOWN(sdk)
{
	sdk_teardown(self);
}

/* ---- registered memory --------------------------------------------------- */

/*
 * The statistics moved by bytes each way in dmas DMAs each way (at least
 * -dmas when dmas < 0) and xfers transfers, without errors.
 */
static void expect_moved(const struct edudma_stats *s0,
			 const struct edudma_stats *s1, long long bytes,
			 long long dmas, long long xfers)
{
	long long to = SDK_DELTA(*s0, *s1, dma_to_dev);
	long long from = SDK_DELTA(*s0, *s1, dma_from_dev);
	int dmas_ok = dmas < 0 ? to >= -dmas && from >= -dmas :
				 to == dmas && from == dmas;

	ET_EXPECT(SDK_DELTA(*s0, *s1, bytes_to_dev) == bytes &&
		  SDK_DELTA(*s0, *s1, bytes_from_dev) == bytes && dmas_ok &&
		  SDK_DELTA(*s0, *s1, xfers) == xfers &&
		  SDK_DELTA(*s0, *s1, errors) == 0,
		  "bytes %+lld/%+lld, DMAs %+lld/%+lld, xfers %+lld, errors %+lld (want +%lld/+%lld, %s%lld/%lld, +%lld, +0)",
		  SDK_DELTA(*s0, *s1, bytes_to_dev),
		  SDK_DELTA(*s0, *s1, bytes_from_dev), to, from,
		  SDK_DELTA(*s0, *s1, xfers), SDK_DELTA(*s0, *s1, errors),
		  bytes, bytes, dmas < 0 ? ">= " : "+", dmas < 0 ? -dmas : dmas,
		  dmas < 0 ? -dmas : dmas, xfers);
}

/*
 * write_dev then read_dev of 1000 bytes at device offset 10, each inside
 * one page (one DMA each), between two snapshots of the statistics.
 */
static void round_trip_1000(struct et_fx_sdk *self, struct edudma_stats *s0,
			    struct edudma_stats *s1, int *r, int *r2)
{
	sdk_expect(self->want, self->B, SDK_RSIZE, 200, self->A + 100, 1000);
	*s0 = sdk_stats(self->dev);
	*r2 = -1;
	*r = edudma_write_dev(self->mA, 100, 10, 1000);
	if (!*r)
		*r2 = edudma_read_dev(self->mB, 200, 10, 1000);
	*s1 = sdk_stats(self->dev);
}

ET_TEST_F(sdk, write_dev_and_read_dev_of_1000_bytes_at_device_offset_10)
{
	struct edudma_stats s0, s1;
	char why[128];
	int r, r2;

	round_trip_1000(self, &s0, &s1, &r, &r2);
	ET_EXPECT(!r && !r2 && sdk_verify(self->B, self->want, SDK_RSIZE, why,
					  sizeof(why)),
		  "write_dev %s, read_dev %s, %s", sdk_rs(r), sdk_rs(r2),
		  r || r2 ? "-" : why);
}

ET_TEST_F(sdk, write_dev_and_read_dev_move_the_statistics)
{
	struct edudma_stats s0, s1;
	int r, r2;

	round_trip_1000(self, &s0, &s1, &r, &r2);
	ET_ASSERT(!r && !r2, "write_dev %s, read_dev %s", sdk_rs(r),
		  sdk_rs(r2));
	expect_moved(&s0, &s1, 1000, 1, 2);
}

ET_TEST_F(sdk, round_trip_of_the_whole_usable_buffer_page_crossing)
{
	char why[128] = "-";
	int r, r2 = -1;

	sdk_expect(self->want, self->B, SDK_RSIZE, 3, self->A + 4094, 4095);
	r = edudma_write_dev(self->mA, 4094, 0, 4095);
	if (!r)
		r2 = edudma_read_dev(self->mB, 3, 0, 4095);
	ET_EXPECT(!r && !r2 && sdk_verify(self->B, self->want, SDK_RSIZE, why,
					  sizeof(why)),
		  "4095 bytes: write_dev %s, read_dev %s, %s", sdk_rs(r),
		  sdk_rs(r2), why);
}

/* edudma_copy of 10000 bytes at odd offsets, A -> B, with the statistics. */
static int copy_10000(struct et_fx_sdk *self, struct edudma_stats *s0,
		      struct edudma_stats *s1)
{
	int r;

	sdk_expect(self->want, self->B, SDK_RSIZE, 4093, self->A + 5, 10000);
	*s0 = sdk_stats(self->dev);
	r = edudma_copy(self->mA, 5, self->mB, 4093, 10000);
	*s1 = sdk_stats(self->dev);
	return r;
}

ET_TEST_F(sdk, copy_of_10000_bytes_at_odd_offsets)
{
	struct edudma_stats s0, s1;
	char why[128] = "-";
	int r = copy_10000(self, &s0, &s1);

	ET_EXPECT(!r && sdk_verify(self->B, self->want, SDK_RSIZE, why,
				   sizeof(why)),
		  "edudma_copy: %s, %s", sdk_rs(r), why);
}

ET_TEST_F(sdk, copy_moves_the_statistics)
{
	struct edudma_stats s0, s1;

	ET_ASSERT(!copy_10000(self, &s0, &s1), "edudma_copy failed");
	expect_moved(&s0, &s1, 10000, -3, 1);
}

ET_TEST_F(sdk, copy_inside_one_registration)
{
	char why[128] = "-";
	int r;

	sdk_expect(self->want, self->A, SDK_RSIZE, 40000, self->A + 1, 20000);
	r = edudma_copy(self->mA, 1, self->mA, 40000, 20000);
	ET_EXPECT(!r && sdk_verify(self->A, self->want, SDK_RSIZE, why,
				   sizeof(why)),
		  "20000 bytes: %s, %s", sdk_rs(r), why);
}

/* ---- transfers that must fail -------------------------------------------- */

enum op {
	OP_WRITE_DEV, OP_READ_DEV, OP_COPY,
	OP_SUBMIT_WRITE_DEV, OP_SUBMIT_READ_DEV, OP_SUBMIT_COPY,
};

/* Which registration a row uses. */
enum mr_pick {
	MR_NULL,
	MR_A, MR_B,		/* the fixture's, read-write */
	MR_A_DEV_READ,		/* A[0, 8192), DEV_READ only */
	MR_B_DEV_WRITE,		/* B[0, 8192), DEV_WRITE only */
};

/*
 * One transfer and its expected return: mr at off is what write_dev and
 * copy read and what read_dev writes; dst at doff is copy's destination.
 */
/* Where a device-buffer range ends, against the device's max_transfer M. */
enum dev_range {
	DEV_AS_GIVEN,		/* dev_off and len as the row says */
	DEV_END_PAST_MAX,	/* dev_off = M + 1 - len: ends 1 byte past M */
	DEV_LEN_PAST_MAX,	/* len = M + 1 */
};

struct xfer_row {
	const char *name;
	enum op op;
	enum mr_pick mr, dst;
	uint64_t off, doff;
	uint32_t dev_off;
	size_t len;
	enum dev_range range;
	int want;
};

static struct edudma_mr *pick(struct et_fx_sdk *self, enum mr_pick which)
{
	struct edudma_mr *m = NULL;
	int r = 0;

	switch (which) {
	case MR_NULL:
		break;
	case MR_A:
		m = self->mA;
		break;
	case MR_B:
		m = self->mB;
		break;
	case MR_A_DEV_READ:
		r = edudma_reg_mr(self->dev, self->A, 8192,
				  EDUDMA_ACCESS_DEV_READ, &m);
		break;
	case MR_B_DEV_WRITE:
		r = edudma_reg_mr(self->dev, self->B, 8192,
				  EDUDMA_ACCESS_DEV_WRITE, &m);
		break;
	}
	ET_ASSERT(!r, "set-up: a one-way registration: %s", sdk_rs(r));
	return m;
}

/* Runs the row's transfer (cookie 1 when it is a submission). */
static int xfer_call(struct et_fx_sdk *self, const struct xfer_row *row)
{
	struct edudma_mr *m = pick(self, row->mr);
	struct edudma_mr *d = pick(self, row->dst);
	uint32_t dev_off = row->dev_off;
	size_t len = row->len;

	if (row->range == DEV_END_PAST_MAX)
		dev_off = et_max_transfer() + 1 - (uint32_t)len;
	else if (row->range == DEV_LEN_PAST_MAX)
		len = et_max_transfer() + 1;
	switch (row->op) {
	case OP_WRITE_DEV:
		return edudma_write_dev(m, row->off, dev_off, len);
	case OP_READ_DEV:
		return edudma_read_dev(m, row->off, dev_off, len);
	case OP_COPY:
		return edudma_copy(m, row->off, d, row->doff, len);
	case OP_SUBMIT_WRITE_DEV:
		return edudma_submit_write_dev(m, row->off, dev_off, len, 1);
	case OP_SUBMIT_READ_DEV:
		return edudma_submit_read_dev(m, row->off, dev_off, len, 1);
	case OP_SUBMIT_COPY:
		return edudma_submit_copy(m, row->off, d, row->doff, len, 1);
	}
	return -ENOSYS;
}

static const struct xfer_row bad_xfers[] = {
	{ .name = "write_dev_of_a_NULL_mr_is_EINVAL", .op = OP_WRITE_DEV,
	  .mr = MR_NULL, .len = 1, .want = -EINVAL, },
	{ .name = "read_dev_into_a_NULL_mr_is_EINVAL", .op = OP_READ_DEV,
	  .mr = MR_NULL, .len = 1, .want = -EINVAL, },
	{ .name = "copy_from_a_NULL_src_is_EINVAL", .op = OP_COPY,
	  .mr = MR_NULL, .dst = MR_B, .len = 1, .want = -EINVAL, },
	{ .name = "copy_to_a_NULL_dst_is_EINVAL", .op = OP_COPY,
	  .mr = MR_A, .dst = MR_NULL, .len = 1, .want = -EINVAL, },
	{ .name = "write_dev_of_length_0_is_EINVAL", .op = OP_WRITE_DEV,
	  .mr = MR_A, .len = 0, .want = -EINVAL, },
	{ .name = "copy_of_length_0_is_EINVAL", .op = OP_COPY,
	  .mr = MR_A, .dst = MR_B, .len = 0, .want = -EINVAL, },
	{ .name = "write_dev_ending_1_byte_past_max_transfer_is_EINVAL",
	  .op = OP_WRITE_DEV, .mr = MR_A, .len = 96,
	  .range = DEV_END_PAST_MAX, .want = -EINVAL, },
	{ .name = "read_dev_of_max_transfer_plus_1_bytes_is_EINVAL",
	  .op = OP_READ_DEV, .mr = MR_B, .range = DEV_LEN_PAST_MAX,
	  .want = -EINVAL, },
	{ .name = "read_dev_past_the_end_of_the_registration_is_EINVAL",
	  .op = OP_READ_DEV, .mr = MR_B, .off = SDK_RSIZE - 10,
	  .len = 20, .want = -EINVAL, },
	{ .name = "copy_from_past_the_end_of_the_source_is_EINVAL",
	  .op = OP_COPY, .mr = MR_A, .off = SDK_RSIZE - 100,
	  .dst = MR_B, .len = 101, .want = -EINVAL, },
	{ .name = "read_dev_into_a_DEV_READ_only_registration_is_EACCES",
	  .op = OP_READ_DEV, .mr = MR_A_DEV_READ, .len = 10,
	  .want = -EACCES, },
	{ .name = "write_dev_from_a_DEV_WRITE_only_registration_is_EACCES",
	  .op = OP_WRITE_DEV, .mr = MR_B_DEV_WRITE, .len = 10,
	  .want = -EACCES, },
	{ .name = "copy_with_the_accesses_swapped_is_EACCES",
	  .op = OP_COPY, .mr = MR_B_DEV_WRITE, .dst = MR_A_DEV_READ,
	  .len = 10, .want = -EACCES, },
	{ .name = "submit_write_dev_of_a_NULL_mr_is_EINVAL",
	  .op = OP_SUBMIT_WRITE_DEV, .mr = MR_NULL, .len = 1,
	  .want = -EINVAL, },
	{ .name = "submit_read_dev_into_a_NULL_mr_is_EINVAL",
	  .op = OP_SUBMIT_READ_DEV, .mr = MR_NULL, .len = 1,
	  .want = -EINVAL, },
	{ .name = "submit_copy_to_a_NULL_dst_is_EINVAL",
	  .op = OP_SUBMIT_COPY, .mr = MR_A, .dst = MR_NULL,
	  .len = 1, .want = -EINVAL, },
	{ .name = "submit_copy_of_length_0_is_EINVAL",
	  .op = OP_SUBMIT_COPY, .mr = MR_A, .dst = MR_B, .len = 0,
	  .want = -EINVAL, },
};

ET_TABLE_F(sdk, bad_xfer, struct xfer_row, bad_xfers)
{
	int r = xfer_call(self, row);

	ET_EXPECT(r == row->want, "%s, expected %s", sdk_rs(r),
		  sdk_rs(row->want));
}

/* ---- one-shot transfers -------------------------------------------------- */

#define HEAP (4 * 8192)

/* The fixture's map: HEAP bytes; hs and hd odd addresses in it. */
static unsigned char *heap(struct et_fx_sdk *self)
{
	if (!self->map) {
		self->map = et_map(HEAP);
		ET_ASSERT(self->map, "out of memory");
		self->map_len = HEAP;
	}
	et_fill(self->map, HEAP);
	return self->map;
}

#define HS(h) ((h) + 3)
#define HD(h) ((h) + 8192 + 4093)

static int ptr_round_trip(struct et_fx_sdk *self, char *why, size_t n)
{
	unsigned char *h = heap(self);
	int r, r2 = -1;

	sdk_expect(self->want, h, HEAP, HD(h) - h, HS(h), 3000);
	r = edudma_write_dev_ptr(self->dev, HS(h), 77, 3000);
	if (!r)
		r2 = edudma_read_dev_ptr(self->dev, HD(h), 77, 3000);
	if (!r && !r2 && sdk_verify(h, self->want, HEAP, why, n))
		return 0;
	if (r || r2)
		snprintf(why, n, "write_dev_ptr %s, read_dev_ptr %s",
			 sdk_rs(r), sdk_rs(r2));
	return -1;
}

static int ptr_copy(struct et_fx_sdk *self, char *why, size_t n)
{
	unsigned char *h = heap(self);
	int r;

	sdk_expect(self->want, h, HEAP, HD(h) - h, HS(h), 9000);
	r = edudma_copy_ptr(self->dev, HD(h), HS(h), 9000);
	if (!r && sdk_verify(h, self->want, HEAP, why, n))
		return 0;
	if (r)
		snprintf(why, n, "copy_ptr %s", sdk_rs(r));
	return -1;
}

ET_TEST_F(sdk, write_dev_ptr_and_read_dev_ptr_of_3000_bytes_at_odd_addresses)
{
	char why[128];

	ET_EXPECT(!ptr_round_trip(self, why, sizeof(why)), "%s", why);
}

ET_TEST_F(sdk, copy_ptr_of_9000_bytes_at_odd_addresses)
{
	char why[128];

	ET_EXPECT(!ptr_copy(self, why, sizeof(why)), "%s", why);
}

enum ptr_op { WRITE_DEV_PTR, READ_DEV_PTR, COPY_PTR };

struct bad_ptr {
	const char *name;
	enum ptr_op op;
	int null_dev;
	int read_only_dst;	/* the destination: read-only memory + 5 */
	size_t len;
	int want;
};

static const struct bad_ptr bad_ptrs[] = {
	{ .name = "write_dev_ptr_of_a_NULL_dev_is_EINVAL",
	  .op = WRITE_DEV_PTR, .null_dev = 1, .len = 1, .want = -EINVAL, },
	{ .name = "read_dev_ptr_of_a_NULL_dev_is_EINVAL",
	  .op = READ_DEV_PTR, .null_dev = 1, .len = 1, .want = -EINVAL, },
	{ .name = "copy_ptr_of_a_NULL_dev_is_EINVAL",
	  .op = COPY_PTR, .null_dev = 1, .len = 1, .want = -EINVAL, },
	{ .name = "read_dev_ptr_of_length_0_is_EINVAL",
	  .op = READ_DEV_PTR, .len = 0, .want = -EINVAL, },
	{ .name = "read_dev_ptr_into_read_only_memory_is_EFAULT",
	  .op = READ_DEV_PTR, .read_only_dst = 1, .len = 100,
	  .want = -EFAULT, },
	{ .name = "copy_ptr_into_read_only_memory_is_EFAULT",
	  .op = COPY_PTR, .read_only_dst = 1, .len = 100, .want = -EFAULT, },
};

static int try_ptr(struct et_fx_sdk *self, const struct bad_ptr *row)
{
	struct edudma_dev *d = row->null_dev ? NULL : self->dev;
	unsigned char *h = heap(self), *ro = NULL, *dst = HD(h);
	int r = -ENOSYS;

	if (row->read_only_dst) {
		ro = sdk_map_ro(8192);
		dst = ro + 5;
	}
	switch (row->op) {
	case WRITE_DEV_PTR:
		r = edudma_write_dev_ptr(d, HS(h), 0, row->len);
		break;
	case READ_DEV_PTR:
		r = edudma_read_dev_ptr(d, dst, 0, row->len);
		break;
	case COPY_PTR:
		r = edudma_copy_ptr(d, dst, HS(h), row->len);
		break;
	}
	if (ro)
		munmap(ro, 8192);
	return r;
}

ET_TABLE_F(sdk, bad_ptr, struct bad_ptr, bad_ptrs)
{
	int r = try_ptr(self, row);

	ET_EXPECT(r == row->want, "%s, expected %s", sdk_rs(r),
		  sdk_rs(row->want));
}

ET_TEST_F(sdk, one_shot_pins_are_all_released)
{
	long long pins = et_pins(), now;
	char why[128];

	ET_EXPECT(!ptr_round_trip(self, why, sizeof(why)), "%s", why);
	ET_EXPECT(!ptr_copy(self, why, sizeof(why)), "%s", why);
	for (size_t i = 0; i < ET_ARRAY_SIZE(bad_ptrs); i++)
		try_ptr(self, &bad_ptrs[i]);
	now = et_pins_settle(pins, 2000);
	ET_EXPECT(now == pins, "pin counter %+lld after the one-shot calls",
		  now - pins);
}

/* ---- two devices --------------------------------------------------------- */

/* B registered on the second device. */
static struct edudma_mr *second_device_b(struct et_fx_sdk *self)
{
	struct edudma_mr *m = NULL;
	int r;

	if (self->ndev < 2)
		ET_SKIP("needs two devices");
	r = edudma_open(self->minors[1], &self->dev2);
	ET_ASSERT(!r, "edudma_open(%u): %s", self->minors[1], sdk_rs(r));
	r = edudma_reg_mr(self->dev2, self->B, SDK_RSIZE, ET_RW, &m);
	ET_ASSERT(!r, "edudma_reg_mr on the second device: %s", sdk_rs(r));
	return m;
}

ET_TEST_F(sdk, copy_between_two_devices_is_EXDEV)
{
	struct edudma_mr *m2 = second_device_b(self);

	SDK_EXPECT_RET(-EXDEV, edudma_copy(self->mA, 0, m2, 0, 100),
		       "edudma_copy from /dev/edudma%u's registration to /dev/edudma%u's",
		       self->minors[0], self->minors[1]);
}

ET_TEST_F(sdk, submit_copy_between_two_devices_is_EXDEV)
{
	struct edudma_mr *m2 = second_device_b(self);

	SDK_EXPECT_RET(-EXDEV, edudma_submit_copy(m2, 0, self->mA, 0, 100, 1),
		       "edudma_submit_copy from /dev/edudma%u's registration to /dev/edudma%u's",
		       self->minors[1], self->minors[0]);
}
