// SPDX-License-Identifier: GPL-2.0
/*
 * xfer: synchronous EDUDMA_XFER between registered regions, with data
 * verified byte for byte (and the bytes around each destination checked
 * untouched): TO_DEV then FROM_DEV round trips, COPY between regions and
 * inside a 4 MiB one, the device buffer shared by two files, and the
 * statistics (GET_STATS and sysfs).  (One-shot sides: xfer_ptr.c; access
 * checks and argument errors: xfer_args.c.)
 */
#include "xfer.h"

ET_PRECONDITION(et_need_device)

/* ---- TO_DEV then FROM_DEV ------------------------------------------------ */

/* TO_DEV A[so, +len) at dev_off, FROM_DEV into B[doff, +len). */
static void round_trip(struct et_fx_regions *self, size_t so,
		       uint32_t dev_off, size_t doff, size_t len)
{
	char what[96];

	snprintf(what, sizeof(what), "%zu bytes, A+%zu -> dev+%u -> B+%zu",
		 len, so, dev_off, doff);
	et_fill(self->B, RSIZE);
	xf_expect(self, self->B, RSIZE, doff, self->A + so, len);
	ET_ASSERT_ERRNO(et_to_dev(self->fd, self->hA, so, dev_off, len), 0,
			what);
	ET_ASSERT_ERRNO(et_from_dev(self->fd, self->hB, doff, dev_off, len),
			0, what);
	XF_VERIFY(self, self->B, RSIZE, what);
}

struct trip_row {
	const char *name;
	size_t so;		/* in A */
	uint32_t dev_off;
	size_t doff;		/* in B */
	size_t len;
};

static const struct trip_row trips[] = {
	{ .name = "round_trip_1_byte", .so = 0, .dev_off = 0, .doff = 0,
	  .len = 1 },
	{ .name = "round_trip_1_byte_at_the_buffers_last_usable_byte",
	  .so = 4097, .dev_off = 4094, .doff = 8191, .len = 1 },
	{ .name = "round_trip_4095_bytes_at_offset_0", .so = 0, .dev_off = 0,
	  .doff = 0, .len = 4095 },
	{ .name = "round_trip_page_crossing", .so = 4000, .dev_off = 7,
	  .doff = 8100, .len = 300 },
};

ET_TABLE_F(regions, round_trip, struct trip_row, trips)
{
	round_trip(self, row->so, row->dev_off, row->doff, row->len);
}

ET_TEST_N_F(regions, round_trip_random, 4)
{
	size_t len = et_range(1, ET_MAX_XFER);
	uint32_t dev = et_range(0, ET_MAX_XFER - len);
	size_t so = et_range(0, RSIZE - len);

	round_trip(self, so, dev, et_range(0, RSIZE - len), len);
}

/* ---- COPY ---------------------------------------------------------------- */

/* COPY A[so, +len) to B[doff, +len). */
static void copy_ab(struct et_fx_regions *self, size_t so, size_t doff,
		    size_t len)
{
	char what[96];

	snprintf(what, sizeof(what), "COPY of %zu bytes, A+%zu -> B+%zu", len,
		 so, doff);
	et_fill(self->B, RSIZE);
	xf_expect(self, self->B, RSIZE, doff, self->A + so, len);
	ET_ASSERT_ERRNO(et_copy(self->fd, self->hA, so, self->hB, doff, len),
			0, what);
	XF_VERIFY(self, self->B, RSIZE, what);
}

struct copy_row {
	const char *name;
	size_t so, doff;	/* in A, in B */
	size_t len;
};

static const struct copy_row copies[] = {
	{ .name = "copy_1_byte", .so = 0, .doff = 0, .len = 1 },
	{ .name = "copy_4095_bytes", .so = 0, .doff = 0, .len = 4095 },
	{ .name = "copy_4096_bytes", .so = 0, .doff = 0, .len = 4096 },
	{ .name = "copy_4097_bytes", .so = 0, .doff = 0, .len = 4097 },
	{ .name = "copy_page_crossing_odd_offsets", .so = 4090, .doff = 8190,
	  .len = 20 },
	{ .name = "copy_two_chunks_exactly", .so = 1, .doff = 3, .len = 8190 },
	{ .name = "copy_two_chunks_plus_one_byte", .so = 4095, .doff = 4097,
	  .len = 8191 },
};

ET_TABLE_F(regions, copy, struct copy_row, copies)
{
	copy_ab(self, row->so, row->doff, row->len);
}

ET_TEST_N_F(regions, copy_random, 3)
{
	size_t len = et_range(1, 64 * 1024);
	size_t so = et_range(0, RSIZE - len);

	copy_ab(self, so, et_range(0, RSIZE - len), len);
}

/* 5 to 20 KiB between non-overlapping places of the 4 MiB region M. */
ET_TEST_N_F(regions, copy_inside_the_4_MiB_region, 3)
{
	size_t len = et_range(5 * 1024, 20 * 1024), so, doff;
	char what[96];

	do {
		so = et_range(0, MSIZE - len);
		doff = et_range(0, MSIZE - len);
	} while (so < doff + len && doff < so + len);
	snprintf(what, sizeof(what), "COPY of %zu bytes, M+%zu -> M+%zu", len,
		 so, doff);
	xf_expect(self, self->M, MSIZE, doff, self->M + so, len);
	ET_ASSERT_ERRNO(et_copy(self->fd, self->hM, so, self->hM, doff, len),
			0, what);
	XF_VERIFY(self, self->M, MSIZE, what);
}

/* ---- the device buffer shared by two files ------------------------------- */

#define B2SIZE 8192UL

/* The regions, and B2 of 8 KiB registered on the second file. */
ET_FIXTURE(shared) {
	struct et_fx_regions rg;
	unsigned char *B2;
	uint32_t hB2;
};

ET_SETUP(shared)
{
	et_setup_regions(&self->rg);
	self->B2 = xf_buffer(B2SIZE);
	self->hB2 = xf_reg(self->rg.fd2, self->B2, B2SIZE, ET_RW,
			   "REG_MR of B2 on the second file");
}

ET_TEARDOWN(shared)
{
	ET_EXPECT_ERRNO(et_dereg(self->rg.fd2, self->hB2), 0,
			"DEREG_MR of B2");
	munmap(self->B2, B2SIZE);
	et_teardown_regions(&self->rg);
}

/* FROM_DEV of the buffer's 4095 bytes into B2 on the second file. */
static void read_on_file_2(struct et_fx_shared *self, const char *what)
{
	ET_ASSERT_ERRNO(et_from_dev(self->rg.fd2, self->hB2, 0, 0,
				    ET_MAX_XFER), 0, "FROM_DEV on file 2");
	XF_VERIFY(&self->rg, self->B2, B2SIZE, what);
}

ET_TEST_F(shared, file_1_TO_DEV_file_2_FROM_DEV_sees_it)
{
	struct et_fx_regions *rg = &self->rg;

	xf_expect(rg, self->B2, B2SIZE, 0, rg->A + 5, ET_MAX_XFER);
	ET_ASSERT_ERRNO(et_to_dev(rg->fd, rg->hA, 5, 0, ET_MAX_XFER), 0,
			"TO_DEV of 4095 bytes on file 1");
	read_on_file_2(self, "B2 after file 1's TO_DEV");
}

/* A COPY of 300 bytes replaces [0, 300) of the buffer only. */
ET_TEST_F(shared, a_300_byte_COPY_replaces_the_buffers_first_300_bytes)
{
	struct et_fx_regions *rg = &self->rg;

	xf_expect(rg, self->B2, B2SIZE, 0, rg->A + 5, ET_MAX_XFER);
	memcpy(rg->want, rg->A + 9000, 300);
	ET_ASSERT_ERRNO(et_to_dev(rg->fd, rg->hA, 5, 0, ET_MAX_XFER), 0,
			"TO_DEV of 4095 bytes on file 1");
	ET_ASSERT_ERRNO(et_copy(rg->fd, rg->hA, 9000, rg->hB, 0, 300), 0,
			"COPY of 300 bytes on file 1");
	read_on_file_2(self, "B2 after the 300-byte COPY");
}

/*
 * A COPY of 5000 bytes, in chunks of max_transfer (M, 4095 or 4096):
 * chunk 1 = [0, M), chunk 2 = [0, 5000 - M).
 */
ET_TEST_F(shared, a_5000_byte_COPY_leaves_its_last_chunk_then_chunk_1)
{
	struct et_fx_regions *rg = &self->rg;
	uint32_t m = et_max_transfer(), n = 5000 - m;

	xf_expect(rg, self->B2, B2SIZE, n, rg->A + 20000 + n, ET_MAX_XFER - n);
	memcpy(rg->want, rg->A + 20000 + m, n);
	ET_ASSERT_ERRNO(et_copy(rg->fd, rg->hA, 20000, rg->hB, 0, 5000), 0,
			"COPY of 5000 bytes on file 1");
	read_on_file_2(self, "B2 after the 5000-byte COPY");
}

/* ---- statistics ---------------------------------------------------------- */

/* What one transfer adds to the counters (xfers +1 and errors +0 always). */
struct stats_row {
	const char *name;
	uint32_t op;	/* A+0 -> dev+10, dev+10 -> B+0, A+0 -> B+0 */
	uint64_t len;
	uint64_t to_bytes, from_bytes;
	uint64_t to_dma_min, to_dma_max, from_dma_min, from_dma_max;
};

/*
 * COPY: one chunk inside a page on each side is one DMA each way; three
 * chunks over three pages on each side are at least one DMA per chunk, at
 * most one more per page boundary (pages that are not contiguous for the
 * device need a DMA each).
 */
static const struct stats_row stat_rows[] = {
	{ .name = "stats_after_TO_DEV_of_1000_bytes", .op = EDUDMA_OP_TO_DEV,
	  .len = 1000, .to_bytes = 1000, .to_dma_min = 1, .to_dma_max = 1 },
	{ .name = "stats_after_FROM_DEV_of_777_bytes",
	  .op = EDUDMA_OP_FROM_DEV, .len = 777, .from_bytes = 777,
	  .from_dma_min = 1, .from_dma_max = 1 },
	{ .name = "stats_after_COPY_of_3000_bytes_inside_a_page",
	  .op = EDUDMA_OP_COPY, .len = 3000, .to_bytes = 3000,
	  .from_bytes = 3000, .to_dma_min = 1, .to_dma_max = 1,
	  .from_dma_min = 1, .from_dma_max = 1 },
	{ .name = "stats_after_COPY_of_9000_bytes", .op = EDUDMA_OP_COPY,
	  .len = 9000, .to_bytes = 9000, .from_bytes = 9000,
	  .to_dma_min = 3, .to_dma_max = 5, .from_dma_min = 3,
	  .from_dma_max = 5 },
};

#define DELTA(f) ((unsigned long long)(s1.f - s0.f))

ET_TABLE_F(regions, stats_after, struct stats_row, stat_rows)
{
	struct edudma_xfer x = { .op = row->op, .length = row->len };
	struct edudma_stats s0, s1;

	if (row->op != EDUDMA_OP_FROM_DEV)
		x.src_handle = self->hA;
	if (row->op != EDUDMA_OP_TO_DEV)
		x.dst_handle = self->hB;
	if (row->op != EDUDMA_OP_COPY)
		x.dev_offset = 10;
	ET_ASSERT_ERRNO(et_stats(self->fd, &s0), 0, "GET_STATS before");
	ET_ASSERT_ERRNO(et_xfer(self->fd, &x), 0, "the transfer");
	ET_ASSERT_ERRNO(et_stats(self->fd, &s1), 0, "GET_STATS after");
	ET_EXPECT(DELTA(bytes_to_dev) == row->to_bytes &&
		  DELTA(bytes_from_dev) == row->from_bytes,
		  "bytes_to_dev +%llu, bytes_from_dev +%llu; expected +%llu, +%llu",
		  DELTA(bytes_to_dev), DELTA(bytes_from_dev),
		  (unsigned long long)row->to_bytes,
		  (unsigned long long)row->from_bytes);
	ET_EXPECT(DELTA(dma_to_dev) >= row->to_dma_min &&
		  DELTA(dma_to_dev) <= row->to_dma_max &&
		  DELTA(dma_from_dev) >= row->from_dma_min &&
		  DELTA(dma_from_dev) <= row->from_dma_max,
		  "dma_to_dev +%llu, dma_from_dev +%llu; expected %llu..%llu, %llu..%llu",
		  DELTA(dma_to_dev), DELTA(dma_from_dev),
		  (unsigned long long)row->to_dma_min,
		  (unsigned long long)row->to_dma_max,
		  (unsigned long long)row->from_dma_min,
		  (unsigned long long)row->from_dma_max);
	ET_EXPECT(DELTA(xfers) == 1 && DELTA(errors) == 0,
		  "xfers +%llu, errors +%llu; expected +1, +0", DELTA(xfers),
		  DELTA(errors));
}

ET_TEST_F(regions, stats_when_idle_queue_depth_0_regions_at_least_5)
{
	struct edudma_stats s;

	ET_ASSERT_ERRNO(et_stats(self->fd, &s), 0, "GET_STATS");
	ET_EXPECT(s.queue_depth == 0 && s.regions >= 5,
		  "queue_depth %llu, regions %llu; expected 0, at least 5",
		  (unsigned long long)s.queue_depth,
		  (unsigned long long)s.regions);
}

/* sysfs stats/NAME equals the field NAME of GET_STATS. */
struct sysfs_row {
	const char *name;
	const char *stat;
	size_t off;		/* in struct edudma_stats */
};

#define SYSFS_ROW(f)							\
	{ .name = "sysfs_stats_" #f "_equals_GET_STATS", .stat = #f,	\
	  .off = offsetof(struct edudma_stats, f) }

static const struct sysfs_row sysfs_rows[] = {
	SYSFS_ROW(regions), SYSFS_ROW(pinned_pages), SYSFS_ROW(reg_total),
	SYSFS_ROW(bytes_to_dev), SYSFS_ROW(bytes_from_dev),
	SYSFS_ROW(dma_to_dev), SYSFS_ROW(dma_from_dev), SYSFS_ROW(xfers),
	SYSFS_ROW(errors), SYSFS_ROW(timeouts), SYSFS_ROW(queue_depth),
	SYSFS_ROW(factorials), SYSFS_ROW(odp_faults),
	SYSFS_ROW(odp_pages_faulted), SYSFS_ROW(odp_invalidations),
	SYSFS_ROW(odp_retries), SYSFS_ROW(odp_pages_mapped), SYSFS_ROW(stale),
	/* not watch_checks: NUMA hinting may add a check between the reads */
};

ET_TABLE_F(regions, sysfs_stats, struct sysfs_row, sysfs_rows)
{
	struct edudma_stats s;
	uint64_t sv = ~0ULL, iv;

	ET_ASSERT_ERRNO(et_stats(self->fd, &s), 0, "GET_STATS");
	memcpy(&iv, (const char *)&s + row->off, sizeof(iv));
	ET_ASSERT_ERRNO(et_sysfs_stat(self->minor, row->stat, &sv), 0,
			"reading the sysfs counter");
	ET_EXPECT(sv == iv, "%s: sysfs %llu, GET_STATS %llu", row->stat,
		  (unsigned long long)sv, (unsigned long long)iv);
}
