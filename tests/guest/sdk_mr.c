// SPDX-License-Identifier: GPL-2.0
/*
 * sdk_mr: the registrations of libedudma: edudma_reg_mr() and its
 * accessors, the statistics it moves, each way it must fail (leaving *mr
 * alone and pinning nothing), read-only memory registered for DEV_READ,
 * and DEV_READ registrations of memory written only after registering
 * (the device must read the new bytes, not the shared zero page); on-demand
 * registrations, edudma_mr_on_demand() and edudma_prefetch().
 */
#include "sdk.h"

ET_PRECONDITION(et_need_device)

ET_SETUP(sdk)
{
	sdk_setup(self, 0);
}

ET_TEARDOWN(sdk)
{
	sdk_teardown(self);
}

/* Registers A (64 KiB, read-write) between two snapshots of the statistics. */
static int reg_a(struct et_fx_sdk *self, struct edudma_stats *s0,
		 struct edudma_stats *s1)
{
	int r;

	*s0 = sdk_stats(self->dev);
	r = edudma_reg_mr(self->dev, self->A, SDK_RSIZE, ET_RW, &self->mA);
	*s1 = sdk_stats(self->dev);
	return r;
}

ET_TEST_F(sdk, reg_mr_of_64_KiB_read_write_succeeds)
{
	struct edudma_stats s0, s1;
	int r = reg_a(self, &s0, &s1);

	ET_EXPECT(!r && self->mA, "edudma_reg_mr of 64 KiB, DEV_READ|DEV_WRITE: %s",
		  sdk_rs(r));
}

ET_TEST_F(sdk, the_accessors_describe_the_registration)
{
	struct edudma_stats s0, s1;
	int r = reg_a(self, &s0, &s1);
	struct edudma_mr *m = self->mA;

	ET_ASSERT(!r, "edudma_reg_mr: %s", sdk_rs(r));
	ET_EXPECT(edudma_mr_addr(m) == self->A, "addr %p, want %p",
		  edudma_mr_addr(m), (void *)self->A);
	ET_EXPECT(edudma_mr_length(m) == SDK_RSIZE, "length %zu, want %d",
		  edudma_mr_length(m), SDK_RSIZE);
	ET_EXPECT(edudma_mr_handle(m) != 0, "handle 0");
	ET_EXPECT(edudma_mr_segments(m) >= 1 &&
		  edudma_mr_segments(m) <= SDK_RSIZE / ET_PAGE,
		  "%u segments, want 1 to %lu", edudma_mr_segments(m),
		  SDK_RSIZE / ET_PAGE);
}

ET_TEST_F(sdk, a_registration_moves_the_statistics)
{
	struct edudma_stats s0, s1;
	int r = reg_a(self, &s0, &s1);

	ET_ASSERT(!r, "edudma_reg_mr: %s", sdk_rs(r));
	ET_EXPECT(SDK_DELTA(s0, s1, regions) == 1 &&
		  SDK_DELTA(s0, s1, reg_total) == 1 &&
		  SDK_DELTA(s0, s1, pinned_pages) == SDK_RSIZE / ET_PAGE,
		  "regions %+lld, reg_total %+lld, pinned_pages %+lld (want +1, +1, +%lu)",
		  SDK_DELTA(s0, s1, regions), SDK_DELTA(s0, s1, reg_total),
		  SDK_DELTA(s0, s1, pinned_pages), SDK_RSIZE / ET_PAGE);
}

ET_TEST(the_accessors_of_NULL_return_0_or_NULL)
{
	ET_EXPECT(!edudma_mr_handle(NULL), "handle %u",
		  edudma_mr_handle(NULL));
	ET_EXPECT(!edudma_mr_addr(NULL), "addr %p", edudma_mr_addr(NULL));
	ET_EXPECT(!edudma_mr_length(NULL), "length %zu",
		  edudma_mr_length(NULL));
	ET_EXPECT(!edudma_mr_segments(NULL), "segments %u",
		  edudma_mr_segments(NULL));
}

/* ---- registrations that must fail ---------------------------------------- */

enum reg_mem {
	MEM_A,			/* the fixture's A */
	MEM_END_OVERFLOWS,	/* the last page of the address space */
	MEM_READ_ONLY,		/* a read-only private mapping */
	MEM_UNMAPPED,		/* a hole */
};

struct bad_reg {
	const char *name;
	enum reg_mem mem;
	size_t len;
	unsigned int access;
	int null_dev, null_mr;
	int want;
};

static const struct bad_reg bad_regs[] = {
	{ .name = "reg_mr_of_length_0_is_EINVAL",
	  .mem = MEM_A, .len = 0, .access = ET_RW, .want = -EINVAL, },
	{ .name = "reg_mr_with_access_0_is_EINVAL",
	  .mem = MEM_A, .len = 4096, .access = 0, .want = -EINVAL, },
	{ .name = "reg_mr_with_an_unknown_access_bit_is_EINVAL",
	  .mem = MEM_A, .len = 4096, .access = 1U << 4, .want = -EINVAL, },
	{ .name = "reg_mr_of_a_NULL_dev_is_EINVAL",
	  .mem = MEM_A, .len = 4096, .access = ET_RW, .null_dev = 1,
	  .want = -EINVAL, },
	{ .name = "reg_mr_into_a_NULL_mr_is_EINVAL",
	  .mem = MEM_A, .len = 4096, .access = ET_RW, .null_mr = 1,
	  .want = -EINVAL, },
	{ .name = "reg_mr_whose_end_overflows_is_EINVAL",
	  .mem = MEM_END_OVERFLOWS, .len = 8192, .access = ET_RW,
	  .want = -EINVAL, },
	{ .name = "reg_mr_of_read_only_memory_with_DEV_WRITE_is_EFAULT",
	  .mem = MEM_READ_ONLY, .len = 8192,
	  .access = EDUDMA_ACCESS_DEV_WRITE, .want = -EFAULT, },
	{ .name = "reg_mr_of_unmapped_memory_is_EFAULT",
	  .mem = MEM_UNMAPPED, .len = 8192,
	  .access = EDUDMA_ACCESS_DEV_READ, .want = -EFAULT, },
};

/* The row's registration into *m; one that succeeded is undone. */
static int try_reg(struct et_fx_sdk *self, const struct bad_reg *row,
		   struct edudma_mr **m)
{
	struct edudma_mr *before = *m;
	void *addr = self->A;
	int r;

	if (row->mem == MEM_END_OVERFLOWS)
		addr = (void *)(uintptr_t)-4096;
	else if (row->mem == MEM_READ_ONLY)
		addr = sdk_map_ro(8192);
	else if (row->mem == MEM_UNMAPPED) {
		addr = et_map(8192);
		ET_ASSERT(addr, "out of memory");
		munmap(addr, 8192);
	}
	r = edudma_reg_mr(row->null_dev ? NULL : self->dev, addr, row->len,
			  row->access, row->null_mr ? NULL : m);
	if (!r && !row->null_mr && *m != before)
		edudma_dereg_mr(*m);
	if (row->mem == MEM_READ_ONLY)
		munmap(addr, 8192);
	return r;
}

ET_TABLE_F(sdk, bad_reg, struct bad_reg, bad_regs)
{
	struct edudma_mr *m = NULL;
	int r = try_reg(self, row, &m);

	ET_EXPECT(r == row->want, "%s, expected %s", sdk_rs(r),
		  sdk_rs(row->want));
}

ET_TEST_F(sdk, failed_registrations_leave_mr_alone)
{
	static char sentinel;
	struct edudma_mr *const mark = (struct edudma_mr *)(void *)&sentinel;
	struct edudma_mr *m;

	for (size_t i = 0; i < ET_ARRAY_SIZE(bad_regs); i++) {
		if (bad_regs[i].null_mr)
			continue;
		m = mark;
		try_reg(self, &bad_regs[i], &m);
		ET_EXPECT(m == mark, "%s: *mr changed to %p", bad_regs[i].name,
			  (void *)m);
	}
}

ET_TEST_F(sdk, failed_registrations_pin_nothing)
{
	struct edudma_stats s0 = sdk_stats(self->dev), s1;
	long long pins = et_pins(), now;
	struct edudma_mr *m = NULL;

	for (size_t i = 0; i < ET_ARRAY_SIZE(bad_regs); i++)
		try_reg(self, &bad_regs[i], &m);
	s1 = sdk_stats(self->dev);
	now = et_pins_settle(pins, 2000);
	ET_EXPECT(SDK_DELTA(s0, s1, regions) == 0 &&
		  SDK_DELTA(s0, s1, reg_total) == 0 && now == pins,
		  "regions %+lld, reg_total %+lld, pins %+lld (want +0 each)",
		  SDK_DELTA(s0, s1, regions), SDK_DELTA(s0, s1, reg_total),
		  now - pins);
}

ET_TEST(dereg_mr_of_NULL_is_EINVAL)
{
	SDK_EXPECT_RET(-EINVAL, edudma_dereg_mr(NULL), "edudma_dereg_mr(NULL)");
}

/* ---- read-only memory for DEV_READ --------------------------------------- */

ET_TEST_F(sdk, reg_mr_of_read_only_memory_with_DEV_READ_succeeds)
{
	struct edudma_mr *m = NULL;
	unsigned char *ro = sdk_map_ro(8192);
	int r = edudma_reg_mr(self->dev, ro, 8192, EDUDMA_ACCESS_DEV_READ, &m);

	ET_EXPECT(!r, "edudma_reg_mr of a read-only mapping with DEV_READ: %s",
		  sdk_rs(r));
	if (!r)
		edudma_dereg_mr(m);
	munmap(ro, 8192);
}

ET_TEST_F(sdk, the_device_reads_read_only_memory_registered_for_DEV_READ)
{
	struct edudma_mr *m = NULL;
	unsigned char *ro = sdk_map_ro(8192), back[100];
	int r = edudma_reg_mr(self->dev, ro, 8192, EDUDMA_ACCESS_DEV_READ, &m);
	int r2 = -1;

	ET_ASSERT(!r, "edudma_reg_mr: %s", sdk_rs(r));
	r = edudma_write_dev(m, 4090, 0, 100);
	if (!r)
		r2 = edudma_read_dev_ptr(self->dev, back, 0, 100);
	ET_EXPECT(!r && !r2 && !memcmp(back, ro + 4090, 100),
		  "write_dev %s, read back %s, %s", sdk_rs(r), sdk_rs(r2),
		  !r && !r2 ? "the bytes differ" : "no bytes");
	r = edudma_dereg_mr(m);
	ET_EXPECT(!r, "edudma_dereg_mr of the read-only region: %s",
		  sdk_rs(r));
	munmap(ro, 8192);
}

/* ---- register, then write ------------------------------------------------ */

/*
 * The usual order: allocate, register, then write the data.  A DEV_READ
 * registration must pin the pages the process will write, not the shared
 * zero page that an untouched (or only read) private page maps.
 */
enum before_write {
	NEVER_TOUCHED,
	ONLY_READ,
	NEVER_TOUCHED_THEN_A_READ_ONLY_PAGE,	/* in the same registration */
};

struct reg_first {
	const char *name;
	enum before_write mem;
};

static const struct reg_first reg_firsts[] = {
	{ .name = "DEV_READ_of_memory_never_touched_then_written",
	  .mem = NEVER_TOUCHED, },
	{ .name = "DEV_READ_of_memory_only_read_then_written",
	  .mem = ONLY_READ, },
	{ .name = "DEV_READ_of_untouched_memory_and_a_read_only_page_then_written",
	  .mem = NEVER_TOUCHED_THEN_A_READ_ONLY_PAGE, },
};

ET_TABLE_F(sdk, reg_first, struct reg_first, reg_firsts)
{
	unsigned char *p = et_map(4 * ET_PAGE), back[200] = { 0 };
	size_t len = 3 * ET_PAGE;
	struct edudma_mr *m = NULL;
	volatile unsigned char sink;
	int r, r2 = -1;

	ET_ASSERT(p, "out of memory");
	if (row->mem == ONLY_READ)
		for (size_t o = 0; o < len; o += ET_PAGE)
			sink = p[o];
	(void)sink;
	if (row->mem == NEVER_TOUCHED_THEN_A_READ_ONLY_PAGE) {
		mprotect(p + len, ET_PAGE, PROT_READ);
		len += ET_PAGE;
	}
	r = edudma_reg_mr(self->dev, p, len, EDUDMA_ACCESS_DEV_READ, &m);
	et_fill(p, 3 * ET_PAGE);
	if (!r) {
		r = edudma_write_dev(m, ET_PAGE + 7, 11, sizeof(back));
		if (!r)
			r2 = edudma_read_dev_ptr(self->dev, back, 11,
						 sizeof(back));
	}
	ET_EXPECT(!r && !r2 && !memcmp(back, p + ET_PAGE + 7, sizeof(back)),
		  "the device reads the new bytes: %s, %s, first byte 0x%02x, want 0x%02x",
		  sdk_rs(r), sdk_rs(r2), back[0], p[ET_PAGE + 7]);
	if (m)
		edudma_dereg_mr(m);
	munmap(p, 4 * ET_PAGE);
}

/* ---- on demand: edudma_reg_mr(EDUDMA_REG_ON_DEMAND), edudma_prefetch() ---- */

ET_TEST_F(sdk, an_on_demand_registration_pins_nothing_and_says_so)
{
	struct edudma_stats s0 = sdk_stats(self->dev), s1;
	int r = edudma_reg_mr(self->dev, self->A, SDK_RSIZE,
			      ET_RW | EDUDMA_REG_ON_DEMAND, &self->mA);

	s1 = sdk_stats(self->dev);
	ET_ASSERT(!r, "edudma_reg_mr on demand: %s", sdk_rs(r));
	ET_EXPECT(edudma_mr_on_demand(self->mA) == 1, "edudma_mr_on_demand %d",
		  edudma_mr_on_demand(self->mA));
	ET_EXPECT(edudma_mr_segments(self->mA) == 0, "%u segments, want 0",
		  edudma_mr_segments(self->mA));
	ET_EXPECT(SDK_DELTA(s0, s1, regions) == 1 &&
		  SDK_DELTA(s0, s1, pinned_pages) == 0,
		  "regions %+lld, pinned_pages %+lld (want +1, +0)",
		  SDK_DELTA(s0, s1, regions), SDK_DELTA(s0, s1, pinned_pages));
}

ET_TEST_F(sdk, prefetch_maps_the_part_and_a_copy_over_it_is_right)
{
	struct edudma_stats s0, s1;
	uint64_t bytes = 0;
	int r = edudma_reg_mr(self->dev, self->A, SDK_RSIZE,
			      ET_RW | EDUDMA_REG_ON_DEMAND, &self->mA);

	ET_ASSERT(!r, "edudma_reg_mr on demand: %s", sdk_rs(r));
	s0 = sdk_stats(self->dev);
	r = edudma_prefetch(self->mA, 0, SDK_RSIZE, EDUDMA_PREFETCH_WRITE,
			    &bytes);
	s1 = sdk_stats(self->dev);
	ET_ASSERT(!r, "edudma_prefetch: %s", sdk_rs(r));
	ET_EXPECT(bytes == SDK_RSIZE, "bytes %llu, want %d",
		  (unsigned long long)bytes, SDK_RSIZE);
	ET_EXPECT(SDK_DELTA(s0, s1, odp_pages_mapped) == SDK_RSIZE / ET_PAGE,
		  "odp_pages_mapped %+lld, want +%lu",
		  SDK_DELTA(s0, s1, odp_pages_mapped), SDK_RSIZE / ET_PAGE);
	r = edudma_copy(self->mA, 0, self->mA, SDK_RSIZE / 2, SDK_RSIZE / 2);
	ET_ASSERT(!r, "edudma_copy inside it: %s", sdk_rs(r));
	ET_EXPECT(et_diff(self->A + SDK_RSIZE / 2, self->A, SDK_RSIZE / 2) < 0,
		  "the copy is wrong");
}

ET_TEST_F(sdk, prefetch_refuses_NULL_and_pinned_registrations)
{
	int r = edudma_reg_mr(self->dev, self->A, SDK_RSIZE, ET_RW, &self->mA);
	uint64_t bytes = 77;

	ET_ASSERT(!r, "edudma_reg_mr: %s", sdk_rs(r));
	ET_EXPECT(edudma_mr_on_demand(self->mA) == 0, "edudma_mr_on_demand %d",
		  edudma_mr_on_demand(self->mA));
	ET_EXPECT(edudma_mr_on_demand(NULL) == 0, "edudma_mr_on_demand(NULL)");
	r = edudma_prefetch(NULL, 0, 1, 0, NULL);
	ET_EXPECT(r == -EINVAL, "edudma_prefetch(NULL): %s", sdk_rs(r));
	r = edudma_prefetch(self->mA, 0, ET_PAGE, 0, &bytes);
	ET_EXPECT(r == -EINVAL && bytes == 0,
		  "edudma_prefetch of a pinned registration: %s, bytes %llu",
		  sdk_rs(r), (unsigned long long)bytes);
}
