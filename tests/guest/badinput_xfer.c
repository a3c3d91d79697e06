// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_xfer: XFER's own rules.  Ops, lengths, dev_offset against the
 * device buffer, offsets against the regions (and their overflows), the
 * fields an op must leave zero, handles (0, stale, another file's), the
 * access of a region against the op, one-shot pointers (NULL, unmapped,
 * the kernel's, PROT_NONE, read-only, a range that runs into a hole,
 * overflows), and an ASYNC argument error, which posts no completion.  Each
 * row expects the errno include/uapi/linux/edudma.h documents; the fixture
 * is badinput.h's.  The budgets are badinput_limits.c's.
 */
#include "badinput.h"

BI_PROGRAM

/*
 * dev_offset or length against the device's max_transfer (M: 4095, or 4096
 * on QEMU 9.1 and later) instead of as the row gives them.
 */
enum xf_rel {
	REL_NONE,
	REL_DEV_BEFORE_MAX,	/* dev_offset = M - back */
	REL_LEN_PAST_MAX,	/* length = M + 1 */
};

/* One XFER: its fields; a side is a handle or, with *_at, a pointer. */
struct xfer_row {
	const char *name;
	uint32_t flags, op, dev_offset;
	uint64_t length;
	enum xf_rel rel;
	uint32_t back;
	enum bi_handle src_handle, dst_handle;
	enum bi_at src_at, dst_at;	/* AT_OFFSET: src, dst as they are */
	uint64_t src, dst;
	int on_fda;		/* submitted on fda, not fd */
	int expect;
};

static const struct xfer_row xfer_rows[] = {
	{ .name = "XFER: op 0", .op = 0, .length = 1, .src_handle = HANDLE_RW,
	  .expect = EINVAL },
	{ .name = "XFER: op 4", .op = 4, .length = 1, .src_handle = HANDLE_RW,
	  .expect = EINVAL },
	{ .name = "XFER: op 0xffffffff", .op = 0xffffffffu, .length = 1,
	  .src_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: TO_DEV length 0", .op = EDUDMA_OP_TO_DEV,
	  .src_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: FROM_DEV length 0", .op = EDUDMA_OP_FROM_DEV,
	  .dst_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: COPY length 0", .op = EDUDMA_OP_COPY,
	  .src_handle = HANDLE_RW, .dst_handle = HANDLE_RW, .dst = 8192,
	  .expect = EINVAL },
	{ .name = "XFER: TO_DEV dev_offset max_transfer, length 1",
	  .op = EDUDMA_OP_TO_DEV, .rel = REL_DEV_BEFORE_MAX, .length = 1,
	  .src_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: TO_DEV length max_transfer + 1",
	  .op = EDUDMA_OP_TO_DEV, .rel = REL_LEN_PAST_MAX,
	  .src_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: TO_DEV dev_offset max_transfer - 95 + length 96 > max_transfer",
	  .op = EDUDMA_OP_TO_DEV, .rel = REL_DEV_BEFORE_MAX, .back = 95,
	  .length = 96,
	  .src_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: TO_DEV dev_offset 0xffffffff", .op = EDUDMA_OP_TO_DEV,
	  .dev_offset = 0xffffffffu, .length = 1, .src_handle = HANDLE_RW,
	  .expect = EINVAL },
	{ .name = "XFER: TO_DEV dev_offset 1 + length 2^64 - 1 overflows",
	  .op = EDUDMA_OP_TO_DEV, .dev_offset = 1, .length = ~0ULL,
	  .src_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: FROM_DEV dev_offset max_transfer, length 1",
	  .op = EDUDMA_OP_FROM_DEV, .rel = REL_DEV_BEFORE_MAX, .length = 1,
	  .dst_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: FROM_DEV length max_transfer + 1",
	  .op = EDUDMA_OP_FROM_DEV, .rel = REL_LEN_PAST_MAX,
	  .dst_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: TO_DEV dev_offset max_transfer - 1, length 1 (accepted)",
	  .op = EDUDMA_OP_TO_DEV, .rel = REL_DEV_BEFORE_MAX, .back = 1,
	  .length = 1,
	  .src_handle = HANDLE_RW, .expect = 0 },
	{ .name = "XFER: TO_DEV src offset = region length",
	  .op = EDUDMA_OP_TO_DEV, .length = 1, .src_handle = HANDLE_RW,
	  .src = RLEN, .expect = EINVAL },
	{ .name = "XFER: TO_DEV src range 1 byte past the region",
	  .op = EDUDMA_OP_TO_DEV, .length = 2, .src_handle = HANDLE_RW,
	  .src = RLEN - 1, .expect = EINVAL },
	{ .name = "XFER: TO_DEV src offset 2^64 - 1 (overflow)",
	  .op = EDUDMA_OP_TO_DEV, .length = 2, .src_handle = HANDLE_RW,
	  .src = ~0ULL, .expect = EINVAL },
	{ .name = "XFER: FROM_DEV dst range past the region",
	  .op = EDUDMA_OP_FROM_DEV, .length = 100, .dst_handle = HANDLE_RW,
	  .dst = RLEN - 99, .expect = EINVAL },
	{ .name = "XFER: COPY dst range past the region", .op = EDUDMA_OP_COPY,
	  .length = 4096, .src_handle = HANDLE_RW, .dst_handle = HANDLE_RW,
	  .dst = RLEN - 4095, .expect = EINVAL },
	{ .name = "XFER: COPY length region + 1", .op = EDUDMA_OP_COPY,
	  .length = RLEN + 1, .src_handle = HANDLE_RW, .dst_handle = HANDLE_RW,
	  .expect = EINVAL },
	{ .name = "XFER: COPY src offset 2^40", .op = EDUDMA_OP_COPY,
	  .length = 10, .src_handle = HANDLE_RW, .dst_handle = HANDLE_RW,
	  .src = 1ULL << 40, .expect = EINVAL },
	{ .name = "XFER: COPY with dev_offset 1", .op = EDUDMA_OP_COPY,
	  .dev_offset = 1, .length = 10, .src_handle = HANDLE_RW,
	  .dst_handle = HANDLE_RW, .dst = 8192, .expect = EINVAL },
	{ .name = "XFER: TO_DEV with dst_handle set", .op = EDUDMA_OP_TO_DEV,
	  .length = 1, .src_handle = HANDLE_RW, .dst_handle = HANDLE_RW,
	  .expect = EINVAL },
	{ .name = "XFER: TO_DEV with dst set", .op = EDUDMA_OP_TO_DEV,
	  .length = 1, .src_handle = HANDLE_RW, .dst = 8, .expect = EINVAL },
	{ .name = "XFER: TO_DEV with DST_PTR", .flags = EDUDMA_XFER_DST_PTR,
	  .op = EDUDMA_OP_TO_DEV, .length = 1, .src_handle = HANDLE_RW,
	  .expect = EINVAL },
	{ .name = "XFER: FROM_DEV with src_handle set",
	  .op = EDUDMA_OP_FROM_DEV, .length = 1, .src_handle = HANDLE_RW,
	  .dst_handle = HANDLE_RW, .expect = EINVAL },
	{ .name = "XFER: FROM_DEV with src set", .op = EDUDMA_OP_FROM_DEV,
	  .length = 1, .dst_handle = HANDLE_RW, .src = 8, .expect = EINVAL },
	{ .name = "XFER: FROM_DEV with SRC_PTR", .flags = EDUDMA_XFER_SRC_PTR,
	  .op = EDUDMA_OP_FROM_DEV, .length = 1, .dst_handle = HANDLE_RW,
	  .expect = EINVAL },
	{ .name = "XFER: SRC_PTR with src_handle set",
	  .flags = EDUDMA_XFER_SRC_PTR, .op = EDUDMA_OP_TO_DEV, .length = 1,
	  .src_handle = HANDLE_RW, .src_at = AT_BUF, .expect = EINVAL },
	{ .name = "XFER: DST_PTR with dst_handle set",
	  .flags = EDUDMA_XFER_DST_PTR, .op = EDUDMA_OP_FROM_DEV, .length = 1,
	  .dst_handle = HANDLE_RW, .dst_at = AT_BUF, .expect = EINVAL },
	{ .name = "XFER: TO_DEV src_handle 0", .op = EDUDMA_OP_TO_DEV,
	  .length = 1, .src_handle = HANDLE_0, .expect = ENOENT },
	{ .name = "XFER: FROM_DEV dst_handle 0", .op = EDUDMA_OP_FROM_DEV,
	  .length = 1, .dst_handle = HANDLE_0, .expect = ENOENT },
	{ .name = "XFER: COPY dst_handle 0", .op = EDUDMA_OP_COPY, .length = 1,
	  .src_handle = HANDLE_RW, .dst_handle = HANDLE_0, .expect = ENOENT },
	{ .name = "XFER: TO_DEV stale src_handle", .op = EDUDMA_OP_TO_DEV,
	  .length = 1, .src_handle = HANDLE_STALE, .expect = ENOENT },
	{ .name = "XFER: COPY stale dst_handle", .op = EDUDMA_OP_COPY,
	  .length = 1, .src_handle = HANDLE_RW, .dst_handle = HANDLE_STALE,
	  .expect = ENOENT },
	{ .name = "XFER: TO_DEV another file's handle", .op = EDUDMA_OP_TO_DEV,
	  .length = 1, .src_handle = HANDLE_FOREIGN, .on_fda = 1,
	  .expect = ENOENT },
	{ .name = "XFER: TO_DEV src_handle 0xffffffff", .op = EDUDMA_OP_TO_DEV,
	  .length = 1, .src_handle = HANDLE_MAX, .expect = ENOENT },
	{ .name = "XFER: COPY from a DEV_WRITE-only region",
	  .op = EDUDMA_OP_COPY, .length = 16, .src_handle = HANDLE_WONLY,
	  .dst_handle = HANDLE_RW, .dst = 8192, .expect = EACCES },
	{ .name = "XFER: TO_DEV from a DEV_WRITE-only region",
	  .op = EDUDMA_OP_TO_DEV, .length = 16, .src_handle = HANDLE_WONLY,
	  .expect = EACCES },
	{ .name = "XFER: FROM_DEV into a DEV_READ-only region",
	  .op = EDUDMA_OP_FROM_DEV, .length = 16, .dst_handle = HANDLE_RONLY,
	  .expect = EACCES },
	{ .name = "XFER: COPY into a DEV_READ-only region",
	  .op = EDUDMA_OP_COPY, .length = 16, .src_handle = HANDLE_RW,
	  .dst_handle = HANDLE_RONLY, .expect = EACCES },
	{ .name = "XFER: SRC_PTR NULL", .flags = EDUDMA_XFER_SRC_PTR,
	  .op = EDUDMA_OP_TO_DEV, .length = 16, .src_at = AT_NULL,
	  .expect = EFAULT },
	{ .name = "XFER: SRC_PTR unmapped", .flags = EDUDMA_XFER_SRC_PTR,
	  .op = EDUDMA_OP_TO_DEV, .length = 16, .src_at = AT_HOLE,
	  .expect = EFAULT },
	{ .name = "XFER: SRC_PTR kernel address", .flags = EDUDMA_XFER_SRC_PTR,
	  .op = EDUDMA_OP_TO_DEV, .length = 16, .src_at = AT_KADDR,
	  .expect = EFAULT },
	{ .name = "XFER: SRC_PTR PROT_NONE", .flags = EDUDMA_XFER_SRC_PTR,
	  .op = EDUDMA_OP_TO_DEV, .length = 16, .src_at = AT_NONE,
	  .expect = EFAULT },
	{ .name = "XFER: SRC_PTR range that runs into an unmapped page",
	  .flags = EDUDMA_XFER_SRC_PTR, .op = EDUDMA_OP_TO_DEV, .length = 200,
	  .src_at = AT_EDGE_END_100, .expect = EFAULT },
	{ .name = "XFER: DST_PTR read-only memory",
	  .flags = EDUDMA_XFER_DST_PTR, .op = EDUDMA_OP_FROM_DEV, .length = 16,
	  .dst_at = AT_RO, .expect = EFAULT },
	{ .name = "XFER: DST_PTR PROT_NONE", .flags = EDUDMA_XFER_DST_PTR,
	  .op = EDUDMA_OP_FROM_DEV, .length = 16, .dst_at = AT_NONE,
	  .expect = EFAULT },
	{ .name = "XFER: DST_PTR kernel address", .flags = EDUDMA_XFER_DST_PTR,
	  .op = EDUDMA_OP_FROM_DEV, .length = 16, .dst_at = AT_KADDR,
	  .expect = EFAULT },
	{ .name = "XFER: SRC_PTR address + length overflows",
	  .flags = EDUDMA_XFER_SRC_PTR, .op = EDUDMA_OP_TO_DEV, .length = 100,
	  .src_at = AT_TOP_10, .expect = EINVAL },
	{ .name = "XFER: DST_PTR address + length overflows",
	  .flags = EDUDMA_XFER_DST_PTR, .op = EDUDMA_OP_FROM_DEV,
	  .length = 100, .dst_at = AT_TOP_10, .expect = EINVAL },
	{ .name = "XFER: SRC_PTR read-only memory (accepted)",
	  .flags = EDUDMA_XFER_SRC_PTR, .op = EDUDMA_OP_TO_DEV, .length = 16,
	  .src_at = AT_RO, .expect = 0 },
	{ .name = "XFER: ASYNC with op 9", .flags = EDUDMA_XFER_ASYNC, .op = 9,
	  .length = 1, .src_handle = HANDLE_RW, .expect = EINVAL },
};

ET_TABLE_F(badinput, xfer, struct xfer_row, xfer_rows)
{
	struct edudma_xfer x = {
		.argsz = sizeof(x), .flags = row->flags, .op = row->op,
		.dev_offset = row->dev_offset, .length = row->length,
		.src_handle = bi_handle(self, row->src_handle),
		.dst_handle = bi_handle(self, row->dst_handle),
		.src = bi_addr(self, row->src_at, row->src),
		.dst = bi_addr(self, row->dst_at, row->dst),
	};

	if (row->rel == REL_DEV_BEFORE_MAX)
		x.dev_offset = et_max_transfer() - row->back;
	else if (row->rel == REL_LEN_PAST_MAX)
		x.length = et_max_transfer() + 1;
	BI_EXPECT(et_xfer(row->on_fda ? self->fda : self->fd, &x),
		  row->expect, row->name);
}

/* an argument error of an ASYNC XFER posts no completion */
ET_TEST_F(badinput, async_error_posts_no_completion)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC, .op = 9, .length = 1,
		.src_handle = self->hrw,
	};
	struct edudma_completion rec;
	int e;

	ET_ASSERT_ERRNO(et_xfer(self->fdn, &x), EINVAL, "ASYNC XFER with op 9");
	e = read(self->fdn, &rec, sizeof(rec)) < 0 ? errno : 0;
	BI_EXPECT(e, EAGAIN,
		  "XFER: ... and that ASYNC error posted no completion (read)");
}

BI_AFTERWARDS
