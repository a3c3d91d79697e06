// SPDX-License-Identifier: GPL-2.0
/*
 * xfer_ptr: synchronous EDUDMA_XFER with one-shot sides (SRC_PTR,
 * DST_PTR): TO_DEV from and FROM_DEV into plain heap memory, COPY pointer
 * to pointer, pointer to region and region to pointer, data verified byte
 * for byte with the bytes around each destination; one-shot sides fail as
 * REG_MR would (read-only, unmapped, PROT_NONE memory) and release their
 * pins when the call returns.
 */
#include "xfer.h"

ET_PRECONDITION(et_need_device)

#define HEAP	(3 * 8192UL)
#define ROSIZE	8192UL

/*
 * The regions; a heap block with a source hs and a destination hd in it;
 * 8 KiB of read-only memory; an address where nothing is mapped.
 */
ET_FIXTURE(oneshot) {
	struct et_fx_regions rg;
	unsigned char *heap, *hs, *hd;
	unsigned char *ro, *hole;
	const unsigned char *chk;	/* the destination to verify, */
	size_t chk_len;			/* its size */
};

ET_SETUP(oneshot)
{
	et_setup_regions(&self->rg);
	self->heap = malloc(HEAP);
	ET_ASSERT(self->heap, "out of memory");
	et_fill(self->heap, HEAP);
	self->hs = self->heap + 13;
	self->hd = self->heap + 8192 + 4090;
	self->ro = xf_buffer(ROSIZE);
	ET_ASSERT(!mprotect(self->ro, ROSIZE, PROT_READ),
		  "mprotect PROT_READ: %s", strerror(errno));
	self->hole = xf_buffer(ROSIZE);
	munmap(self->hole, ROSIZE);
	self->chk = NULL;
}

ET_TEARDOWN(oneshot)
{
	munmap(self->ro, ROSIZE);
	free(self->heap);
	et_teardown_regions(&self->rg);
}

/* dst of dsize bytes is to get src[0, len) at doff; verified afterwards. */
static void due(struct et_fx_oneshot *self, const unsigned char *dst,
		size_t dsize, size_t doff, const unsigned char *src, size_t len)
{
	xf_expect(&self->rg, dst, dsize, doff, src, len);
	self->chk = dst;
	self->chk_len = dsize;
}

/* TO_DEV from a pointer, FROM_DEV into B. */
static int to_dev_src_ptr(struct et_fx_oneshot *self)
{
	struct et_fx_regions *rg = &self->rg;
	int e;

	due(self, rg->B, RSIZE, 333, self->hs, 3000);
	e = et_to_dev_ptr(rg->fd, self->hs, 50, 3000);
	return e ? e : et_from_dev(rg->fd, rg->hB, 333, 50, 3000);
}

/* TO_DEV from A, FROM_DEV into a pointer. */
static int from_dev_dst_ptr(struct et_fx_oneshot *self)
{
	struct et_fx_regions *rg = &self->rg;
	int e;

	due(self, self->heap, HEAP, self->hd - self->heap, rg->A + 77,
	    ET_MAX_XFER);
	e = et_to_dev(rg->fd, rg->hA, 77, 0, ET_MAX_XFER);
	return e ? e : et_from_dev_ptr(rg->fd, self->hd, 0, ET_MAX_XFER);
}

static int copy_ptr_to_ptr(struct et_fx_oneshot *self)
{
	due(self, self->heap, HEAP, self->hd - self->heap, self->hs, 5000);
	return et_copy_ptr(self->rg.fd, self->hs, self->hd, 5000);
}

static int copy_ptr_to_region(struct et_fx_oneshot *self)
{
	struct et_fx_regions *rg = &self->rg;
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_SRC_PTR,
		.length = 9000, .src = (uintptr_t)self->hs,
		.dst_handle = rg->hB, .dst = 4321,
	};

	due(self, rg->B, RSIZE, 4321, self->hs, 9000);
	return et_xfer(rg->fd, &x);
}

static int copy_region_to_ptr(struct et_fx_oneshot *self)
{
	struct et_fx_regions *rg = &self->rg;
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_DST_PTR,
		.length = 6000, .src_handle = rg->hA, .src = 1,
		.dst = (uintptr_t)self->hd,
	};

	due(self, self->heap, HEAP, self->hd - self->heap, rg->A + 1, 6000);
	return et_xfer(rg->fd, &x);
}

static int from_dev_into_read_only(struct et_fx_oneshot *self)
{
	return et_from_dev_ptr(self->rg.fd, self->ro + 10, 0, 100);
}

static int to_dev_from_read_only(struct et_fx_oneshot *self)
{
	return et_to_dev_ptr(self->rg.fd, self->ro + 10, 0, 100);
}

static int to_dev_from_unmapped(struct et_fx_oneshot *self)
{
	return et_to_dev_ptr(self->rg.fd, self->hole, 0, 100);
}

static int copy_from_prot_none(struct et_fx_oneshot *self)
{
	ET_ASSERT(!mprotect(self->ro, ROSIZE, PROT_NONE),
		  "mprotect PROT_NONE: %s", strerror(errno));
	return et_copy_ptr(self->rg.fd, self->ro, self->hd, 100);
}

struct oneshot_row {
	const char *name;
	int (*run)(struct et_fx_oneshot *self);	/* returns the errno */
	int want;
};

static const struct oneshot_row oneshots[] = {
	{ .name = "one_shot_TO_DEV_SRC_PTR_of_3000_bytes",
	  .run = to_dev_src_ptr, .want = 0 },
	{ .name = "one_shot_FROM_DEV_DST_PTR_of_4095_bytes",
	  .run = from_dev_dst_ptr, .want = 0 },
	{ .name = "one_shot_COPY_SRC_PTR_DST_PTR_of_5000_bytes",
	  .run = copy_ptr_to_ptr, .want = 0 },
	{ .name = "COPY_SRC_PTR_to_a_region_9000_bytes",
	  .run = copy_ptr_to_region, .want = 0 },
	{ .name = "COPY_a_region_to_DST_PTR_6000_bytes",
	  .run = copy_region_to_ptr, .want = 0 },
	{ .name = "one_shot_FROM_DEV_into_read_only_memory_EFAULT",
	  .run = from_dev_into_read_only, .want = EFAULT },
	{ .name = "one_shot_TO_DEV_from_read_only_memory_works",
	  .run = to_dev_from_read_only, .want = 0 },
	{ .name = "one_shot_TO_DEV_from_unmapped_memory_EFAULT",
	  .run = to_dev_from_unmapped, .want = EFAULT },
	{ .name = "one_shot_COPY_from_PROT_NONE_memory_EFAULT",
	  .run = copy_from_prot_none, .want = EFAULT },
};

ET_TABLE_F(oneshot, one_shot, struct oneshot_row, oneshots)
{
	ET_ASSERT_ERRNO(row->run(self), row->want, "the transfer");
	if (self->chk)
		XF_VERIFY(&self->rg, self->chk, self->chk_len,
			  "the destination");
}

/* With the regions still registered, every one-shot pin goes back. */
ET_TEST_F(oneshot, one_shot_pins_are_all_released)
{
	long long pins = et_pins(), v;

	for (size_t i = 0; i < ET_ARRAY_SIZE(oneshots); i++)
		oneshots[i].run(self);
	v = et_pins_settle(pins, 2000);
	ET_EXPECT(v == pins,
		  "pin counter %+lld after the one-shot transfers, expected 0",
		  v - pins);
}
