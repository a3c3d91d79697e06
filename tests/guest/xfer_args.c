// SPDX-License-Identifier: GPL-2.0
/*
 * xfer_args: what a synchronous EDUDMA_XFER refuses.  The access checks
 * against a region's flags (a DEV_READ-only region is a source only, a
 * DEV_WRITE-only one a destination only), and argument errors: lengths
 * and ranges of the device buffer and of the regions, overflows, op,
 * flags, argsz, and handles unknown or of another file.
 */
#include "xfer.h"

ET_PRECONDITION(et_need_device)

/*
 * dev_offset and length against the device's max_transfer (M: 4095, or
 * 4096 on QEMU 9.1 and later) instead of as the row gives them.
 */
enum dev_rel {
	REL_NONE,
	REL_LEN_PAST_MAX,	/* length = M + 1 */
	REL_END_PAST_MAX,	/* dev_offset 1, length = M */
	REL_DEV_AT_MAX,		/* dev_offset = M, length 1 */
};

/* One transfer described by name; argsz 0 is the struct's size. */
struct xfer_row {
	const char *name;
	uint32_t argsz, flags, op, dev_offset;
	uint64_t length;
	enum dev_rel rel;
	enum region src_region, dst_region;
	uint64_t src, dst;	/* offsets, or addresses with SRC/DST_PTR */
	int want;		/* the errno */
};

static int xfer_row(const struct et_fx_regions *self,
		    const struct xfer_row *row)
{
	struct edudma_xfer x = {
		.argsz = row->argsz, .flags = row->flags, .op = row->op,
		.dev_offset = row->dev_offset, .length = row->length,
		.src_handle = xf_handle(self, row->src_region), .src = row->src,
		.dst_handle = xf_handle(self, row->dst_region), .dst = row->dst,
	};
	uint32_t m = et_max_transfer();

	if (row->rel == REL_LEN_PAST_MAX)
		x.length = m + 1;
	else if (row->rel == REL_END_PAST_MAX)
		x.dev_offset = 1, x.length = m;
	else if (row->rel == REL_DEV_AT_MAX)
		x.dev_offset = m, x.length = 1;
	return et_xfer(self->fd, &x);
}

/* ---- access -------------------------------------------------------------- */

static const struct xfer_row accesses[] = {
	{ .name = "COPY_from_a_DEV_WRITE_only_region_EACCES",
	  .op = EDUDMA_OP_COPY, .length = 100, .src_region = REG_W,
	  .dst_region = REG_B, .want = EACCES },
	{ .name = "COPY_into_a_DEV_READ_only_region_EACCES",
	  .op = EDUDMA_OP_COPY, .length = 100, .src_region = REG_A,
	  .dst_region = REG_R, .want = EACCES },
	{ .name = "TO_DEV_from_a_DEV_WRITE_only_region_EACCES",
	  .op = EDUDMA_OP_TO_DEV, .length = 100, .src_region = REG_W,
	  .want = EACCES },
	{ .name = "FROM_DEV_into_a_DEV_READ_only_region_EACCES",
	  .op = EDUDMA_OP_FROM_DEV, .length = 100, .dst_region = REG_R,
	  .want = EACCES },
};

ET_TABLE_F(regions, access, struct xfer_row, accesses)
{
	ET_EXPECT_ERRNO(xfer_row(self, row), row->want, "XFER");
}

ET_TEST_F(regions, COPY_DEV_READ_only_to_DEV_WRITE_only_region_7000_bytes)
{
	xf_expect(self, self->W, RWSIZE, 5000, self->R + 3000, 7000);
	ET_ASSERT_ERRNO(et_copy(self->fd, self->hR, 3000, self->hW, 5000, 7000),
			0, "COPY of 7000 bytes R+3000 -> W+5000");
	XF_VERIFY(self, self->W, RWSIZE, "W after the COPY");
}

/* ---- argument errors ----------------------------------------------------- */

#define TO	EDUDMA_OP_TO_DEV
#define FROM	EDUDMA_OP_FROM_DEV
#define COPY	EDUDMA_OP_COPY

static const struct xfer_row errors[] = {
	{ .name = "TO_DEV_of_max_transfer_plus_1_bytes_EINVAL", .op = TO,
	  .rel = REL_LEN_PAST_MAX, .src_region = REG_A, .want = EINVAL },
	{ .name = "TO_DEV_of_max_transfer_bytes_at_dev_offset_1_EINVAL",
	  .op = TO, .rel = REL_END_PAST_MAX, .src_region = REG_A,
	  .want = EINVAL },
	{ .name = "FROM_DEV_of_1_byte_at_dev_offset_max_transfer_EINVAL",
	  .op = FROM, .rel = REL_DEV_AT_MAX, .dst_region = REG_B,
	  .want = EINVAL },
	{ .name = "FROM_DEV_at_dev_offset_0xffffffff_overflow_EINVAL",
	  .op = FROM, .dev_offset = 0xffffffffu, .length = 2,
	  .dst_region = REG_B, .want = EINVAL },
	{ .name = "TO_DEV_of_length_0_EINVAL", .op = TO, .length = 0,
	  .src_region = REG_A, .want = EINVAL },
	{ .name = "COPY_of_length_0_EINVAL", .op = COPY, .length = 0,
	  .src_region = REG_A, .dst_region = REG_B, .want = EINVAL },
	{ .name = "COPY_reading_1_byte_past_the_source_region_EINVAL",
	  .op = COPY, .length = 11, .src_region = REG_A, .src = RSIZE - 10,
	  .dst_region = REG_B, .want = EINVAL },
	{ .name = "COPY_writing_at_the_destination_regions_end_EINVAL",
	  .op = COPY, .length = 1, .src_region = REG_A, .dst_region = REG_B,
	  .dst = RSIZE, .want = EINVAL },
	{ .name = "COPY_with_src_offset_plus_length_overflowing_EINVAL",
	  .op = COPY, .length = 10, .src_region = REG_A, .src = ~0ULL - 5,
	  .dst_region = REG_B, .want = EINVAL },
	{ .name = "COPY_of_2_to_the_62_bytes_EINVAL", .op = COPY,
	  .length = 1ULL << 62, .src_region = REG_A, .dst_region = REG_B,
	  .want = EINVAL },
	{ .name = "FROM_DEV_past_the_destination_region_EINVAL", .op = FROM,
	  .length = 100, .dst_region = REG_B, .dst = RSIZE - 99,
	  .want = EINVAL },
	{ .name = "op_0_EINVAL", .op = 0, .length = 100, .src_region = REG_A,
	  .dst_region = REG_B, .want = EINVAL },
	{ .name = "op_4_EINVAL", .op = 4, .length = 100, .src_region = REG_A,
	  .dst_region = REG_B, .want = EINVAL },
	{ .name = "unknown_flag_bit_3_EINVAL", .flags = 1U << 3, .op = COPY,
	  .length = 100, .src_region = REG_A, .dst_region = REG_B,
	  .want = EINVAL },
	{ .name = "argsz_smaller_than_the_struct_EINVAL",
	  .argsz = offsetof(struct edudma_xfer, dst), .op = COPY,
	  .length = 100, .src_region = REG_A, .dst_region = REG_B,
	  .want = EINVAL },
	{ .name = "one_shot_TO_DEV_whose_address_plus_length_overflows_EINVAL",
	  .flags = EDUDMA_XFER_SRC_PTR, .op = TO, .length = 100,
	  .src = ~0ULL - 10, .want = EINVAL },
	{ .name = "COPY_from_an_unknown_handle_ENOENT", .op = COPY,
	  .length = 100, .src_region = UNKNOWN, .dst_region = REG_B,
	  .want = ENOENT },
	{ .name = "COPY_into_an_unknown_handle_ENOENT", .op = COPY,
	  .length = 100, .src_region = REG_A, .dst_region = UNKNOWN,
	  .want = ENOENT },
};

ET_TABLE_F(regions, error, struct xfer_row, errors)
{
	ET_EXPECT_ERRNO(xfer_row(self, row), row->want, "XFER");
}

static int is_first_files(const struct et_fx_regions *self, uint32_t h)
{
	return h == self->hA || h == self->hB || h == self->hM ||
	       h == self->hR || h == self->hW;
}

/*
 * Handles may be numbered per file: register on the second file until it
 * hands out a number that is not also one of this file's handles.
 */
ET_TEST_F(regions, TO_DEV_from_a_handle_of_another_open_file_ENOENT)
{
	unsigned char *other = xf_buffer(8192);
	uint32_t hs[16], h2 = 0;
	int n = 0;

	while (n < 16 && !et_reg_rw(self->fd2, other, 8192, &hs[n])) {
		h2 = hs[n++];
		if (!is_first_files(self, h2))
			break;
	}
	et_note("handle %u of the second file (this file has %u %u %u %u %u)",
		h2, self->hA, self->hB, self->hM, self->hR, self->hW);
	ET_EXPECT_ERRNO(et_to_dev(self->fd, h2, 0, 0, 100), ENOENT,
			"TO_DEV from the second file's handle");
	while (n > 0)
		et_dereg(self->fd2, hs[--n]);
	munmap(other, 8192);
}
