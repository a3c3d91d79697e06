// SPDX-License-Identifier: GPL-2.0
/*
 * async: EDUDMA_XFER_ASYNC and the completion queue.  64 mixed submissions
 * drained with read() (each cookie once, in order, status 0, bytes and
 * data right), read() size rules, O_NONBLOCK, EBUSY on deregistering a
 * busy region, and the max_inflight limit.  Poll, epoll and
 * EDUDMA_SET_EVENTFD are in async_events.c.
 */
#include "async.h"

#define NSUB 64
#define HEAP 16384

ET_PRECONDITION(et_need_device)

ET_TEST_F(q, a_new_file_has_nothing_to_read_O_NONBLOCK_read_gives_EAGAIN)
{
	ET_EXPECT(queue_empty(self->fd),
		  "an O_NONBLOCK read() of a new file did not fail with EAGAIN");
}

/* ---- 64 mixed submissions ------------------------------------------------ */

struct batch {
	uint64_t base;		/* cookies are base | index */
	uint64_t len[NSUB];
	unsigned char *heap, *want;
	int first_err;		/* the first failed submission, or -1 */
	int err;		/* its errno */
};

/* TO_DEV of l bytes now, FROM_DEV of the same device bytes as number i + 1. */
static int submit_through_device(struct et_fx_q *self, struct batch *b,
				 int i, uint64_t l, uint64_t so)
{
	uint32_t dev = et_range(0, 4095 - l);
	uint64_t doff;
	int e;

	e = submit(self->fd, EDUDMA_OP_TO_DEV, 0, b->base | i, self->hA, so,
		   0, 0, dev, l);
	if (e)
		return e;
	b->len[i + 1] = l;
	doff = (i + 1) * 1024 + et_range(0, 1024 - l);
	memcpy(b->want + doff, self->A + so, l);
	return submit(self->fd, EDUDMA_OP_FROM_DEV, 0, b->base | (i + 1), 0,
		      0, self->hB, doff, dev, l);
}

/*
 * Submits NSUB transfers of 1 to 1000 bytes, each to its own KiB of B:
 * COPYs from A, every 8th from a plain pointer, and every 8th a TO_DEV
 * followed by the FROM_DEV of the same device bytes.
 */
static void batch_submit(struct et_fx_q *self, struct batch *b)
{
	b->base = et_rand() & ~0xffffULL;
	b->first_err = -1;
	et_fill(b->heap, HEAP);
	memcpy(b->want, self->B, RSIZE);
	for (int i = 0; i < NSUB; i++) {
		uint64_t l = et_range(1, 1000);
		uint64_t doff = i * 1024 + et_range(0, 1024 - l);
		uint64_t so = et_range(0, RSIZE - l);
		int e;

		b->len[i] = l;
		if (i % 8 == 6) {
			e = submit_through_device(self, b, i, l, so);
		} else if (i % 8 == 3) {
			so = et_range(0, HEAP - l);
			e = submit(self->fd, EDUDMA_OP_COPY,
				   EDUDMA_XFER_SRC_PTR, b->base | i, 0,
				   (uintptr_t)b->heap + so, self->hB, doff,
				   0, l);
			memcpy(b->want + doff, b->heap + so, l);
		} else {
			e = COPY_AB(self, b->base | i, so, doff, l);
			memcpy(b->want + doff, self->A + so, l);
		}
		if (e && b->first_err < 0) {
			b->first_err = i;
			b->err = e;
		}
		if (i % 8 == 6)
			i++;	/* the FROM_DEV */
	}
}

/* The completions against the submissions: each cookie once, in order. */
static void batch_check_records(const struct batch *b,
				const struct edudma_completion *comp, int got)
{
	int seen[NSUB] = { 0 };
	int dup = 0, order = 1, bad_status = 0, bad_bytes = 0;

	for (int k = 0; k < got; k++) {
		uint64_t c = comp[k].cookie;
		int i = (c & ~0xffffULL) == b->base ? (int)(c & 0xffff) : -1;

		if (i < 0 || i >= NSUB || seen[i]++) {
			dup++;
			continue;
		}
		if (i != k)
			order = 0;
		if (comp[k].status)
			bad_status++;
		if (comp[k].bytes != b->len[i])
			bad_bytes++;
	}
	ET_EXPECT(got == NSUB && !dup,
		  "every cookie exactly once: %d of %d records, %d unknown or repeated",
		  got, NSUB, dup);
	ET_EXPECT(got == NSUB && order,
		  "completions in submission order: %d records, order %s",
		  got, order ? "right" : "wrong");
	ET_EXPECT(got == NSUB && !bad_status,
		  "every status 0: %d records, %d with another status",
		  got, bad_status);
	ET_EXPECT(got == NSUB && !bad_bytes,
		  "every bytes field the transfer's length: %d records, %d not",
		  got, bad_bytes);
}

/*
 * One experiment of 120 DMAs (12 s of device time), so its eight checks
 * stay in one case.
 */
ET_TEST_F(q, sixty_four_mixed_submissions_complete_once_each_in_order_with_their_data)
{
	struct edudma_completion comp[NSUB + 1];
	struct batch b = { 0 };
	int e, got = 0;
	long bad;

	b.heap = malloc(HEAP);
	b.want = malloc(RSIZE);
	ET_ASSERT(b.heap && b.want, "out of memory");
	batch_submit(self, &b);
	ET_EXPECT(b.first_err < 0, "64 async submissions: number %d failed: %s",
		  b.first_err, et_errno_name(b.err));
	e = et_read_completions(self->fd, comp, NSUB, &got);
	ET_EXPECT(!e && got == NSUB, "read() drains 64 completions: %d, %s",
		  got, et_errno_name(e));
	batch_check_records(&b, comp, got);
	bad = et_diff(self->B, b.want, RSIZE);
	ET_EXPECT(bad < 0,
		  "the destination holds the 64 transfers' data: byte %ld is 0x%02x, not 0x%02x",
		  bad, bad >= 0 ? self->B[bad] : 0, bad >= 0 ? b.want[bad] : 0);
	ET_EXPECT(queue_empty(self->fd),
		  "afterwards the queue is empty: an O_NONBLOCK read() did not give EAGAIN");
	free(b.heap);
	free(b.want);
}

/* ---- read() sizes -------------------------------------------------------- */

static int wait_readable(int f, int ms)
{
	struct pollfd p = { .fd = f, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* A COPY (cookie 111) completed and waiting; then read() into 8 bytes. */
static int read_8_bytes_of_a_waiting_record(struct et_fx_q *self)
{
	char small[8];
	ssize_t r;

	ET_ASSERT_ERRNO(COPY_AB(self, 111, 0, 0, 100), 0,
			"async COPY of 100 bytes");
	ET_ASSERT(wait_readable(self->fd, 10000),
		  "the COPY's completion did not come within 10 s");
	r = read(self->fd, small, sizeof(small));
	ET_EXPECT(r < 0, "read() into 8 bytes returned %zd", r);
	return r < 0 ? errno : 0;
}

ET_TEST_F(q, read_into_8_bytes_while_a_completion_waits_gives_EINVAL)
{
	ET_EXPECT_ERRNO(read_8_bytes_of_a_waiting_record(self), EINVAL,
			"read() into 8 bytes");
}

ET_TEST_F(q, after_that_EINVAL_the_record_is_still_there_and_a_buffer_of_1_x_records_gets_it)
{
	struct edudma_completion c[2] = { 0 };
	ssize_t r;

	ET_ASSERT_ERRNO(read_8_bytes_of_a_waiting_record(self), EINVAL,
			"read() into 8 bytes");
	r = read(self->fd, c, sizeof(c[0]) + 5);
	ET_EXPECT(r == sizeof(c[0]) && c[0].cookie == 111 && c[0].status == 0,
		  "read() of 1.x records: %zd bytes (%s), cookie %llu (111), status %d (0)",
		  r, et_errno_name(r < 0 ? errno : 0),
		  (unsigned long long)c[0].cookie, c[0].status);
}

ET_TEST_F(q, read_with_room_for_3_returns_both_waiting_records)
{
	struct edudma_completion c[3] = { 0 };
	ssize_t r;

	ET_ASSERT_ERRNO(COPY_AB(self, 222, 0, 0, 100), 0, "async COPY 222");
	ET_ASSERT_ERRNO(COPY_AB(self, 333, 0, 0, 100), 0, "async COPY 333");
	for (int i = 0; i < 1000; i++) {	/* until both finished */
		struct edudma_stats st;

		if (et_stats(self->fd, &st) || !st.queue_depth)
			break;
		usleep(10000);
	}
	usleep(50000);
	r = read(self->fd, c, sizeof(c));
	ET_EXPECT(r == 2 * sizeof(c[0]) && c[0].cookie == 222 &&
		  c[1].cookie == 333,
		  "read() for 3: %zd bytes (%zu), cookies %llu, %llu (222, 333)",
		  r, 2 * sizeof(c[0]), (unsigned long long)c[0].cookie,
		  (unsigned long long)c[1].cookie);
}

ET_TEST_F(q, an_async_submission_that_fails_posts_no_completion)
{
	ET_EXPECT_ERRNO(COPY_AB(self, 444, 0, 0, 0), EINVAL,
			"async COPY of length 0");
	ET_EXPECT(queue_empty(self->fd),
		  "after the failed submission there is a record to read");
}

/* ---- EBUSY: a region under transfers ------------------------------------- */

/* Three async COPYs of 32 KiB (48 DMAs), then DEREG_MR of their source. */
ET_FIXTURE(busy) {
	struct et_fx_q q;
	struct edudma_stats st;
	int dereg_err;
};

ET_SETUP(busy)
{
	q_open(&self->q);
	for (uint64_t i = 0; i < 3; i++)
		ET_ASSERT_ERRNO(COPY_AB(&self->q, 50 + i, 0, 0, 32768), 0,
				"async COPY of 32 KiB");
	ET_ASSERT_ERRNO(et_stats(self->q.fd, &self->st), 0, "GET_STATS");
	self->dereg_err = et_dereg(self->q.fd, self->q.hA);
	if (!self->dereg_err)
		et_reg_rw(self->q.fd, self->q.A, RSIZE, &self->q.hA);
}

ET_TEARDOWN(busy)
{
	q_close(&self->q);
}

static void busy_wait_all(struct et_fx_busy *self,
			  struct edudma_completion *comp)
{
	int got;

	ET_ASSERT_ERRNO(et_read_completions(self->q.fd, comp, 3, &got), 0,
			"reading the three completions");
}

ET_TEST_F(busy, three_async_COPYs_of_32_KiB_queued_show_in_queue_depth)
{
	ET_EXPECT(self->st.queue_depth >= 1 && self->st.queue_depth <= 3,
		  "queue_depth %llu, expected 1..3",
		  (unsigned long long)self->st.queue_depth);
}

ET_TEST_F(busy, DEREG_MR_of_their_source_while_they_run_gives_EBUSY)
{
	ET_EXPECT_ERRNO(self->dereg_err, EBUSY, "DEREG_MR of the busy source");
}

ET_TEST_F(busy, the_three_complete_with_status_0)
{
	struct edudma_completion comp[3] = { 0 };

	busy_wait_all(self, comp);
	ET_EXPECT(!comp[0].status && !comp[1].status && !comp[2].status,
		  "statuses %d, %d, %d (0, 0, 0)", comp[0].status,
		  comp[1].status, comp[2].status);
}

ET_TEST_F(busy, once_they_completed_DEREG_MR_of_the_source_works)
{
	struct edudma_completion comp[3];

	busy_wait_all(self, comp);
	ET_EXPECT_ERRNO(et_dereg(self->q.fd, self->q.hA), 0,
			"DEREG_MR of the source after the completions");
}

/* ---- max_inflight -------------------------------------------------------- */

/* max_inflight set to 4, then a file with 4 async COPYs of 500 bytes. */
ET_FIXTURE(inflight) {
	struct et_fx_q q;
	long old;
	int err4;		/* the first failure of the four, or 0 */
};

ET_SETUP(inflight)
{
	ET_ASSERT_ERRNO(et_param_get("max_inflight", &self->old), 0,
			"reading max_inflight");
	ET_ASSERT_ERRNO(et_param_set("max_inflight", 4), 0,
			"setting max_inflight to 4");
	q_open(&self->q);
	for (int i = 0; i < 4 && !self->err4; i++)
		self->err4 = COPY_AB(&self->q, i, i * 1000, i * 1000, 500);
}

ET_TEARDOWN(inflight)
{
	q_close(&self->q);
	ET_EXPECT_ERRNO(et_param_set("max_inflight", self->old), 0,
			"restoring max_inflight");
}

static int fifth(struct et_fx_inflight *self)
{
	ET_ASSERT_ERRNO(self->err4, 0, "4 async COPYs under max_inflight 4");
	return COPY_AB(&self->q, 4, 0, 0, 500);
}

/* The fifth refused; one completion read; the sixth submission. */
static int sixth(struct et_fx_inflight *self, struct edudma_completion *c)
{
	int got;

	ET_ASSERT_ERRNO(fifth(self), EAGAIN, "the fifth async COPY");
	ET_ASSERT_ERRNO(et_read_completions(self->q.fd, c, 1, &got), 0,
			"reading one completion");
	return COPY_AB(&self->q, 5, 0, 0, 500);
}

ET_TEST_F(inflight, max_inflight_can_be_set_to_4)
{
	long v = -1;

	ET_EXPECT_ERRNO(et_param_get("max_inflight", &v), 0,
			"reading max_inflight back");
	ET_EXPECT(v == 4, "max_inflight was %ld, set to 4, reads %ld",
		  self->old, v);
}

ET_TEST_F(inflight, four_async_transfers_are_accepted)
{
	ET_EXPECT_ERRNO(self->err4, 0, "4 async COPYs under max_inflight 4");
}

ET_TEST_F(inflight, the_fifth_gives_EAGAIN)
{
	ET_EXPECT_ERRNO(fifth(self), EAGAIN, "the fifth async COPY");
}

ET_TEST_F(inflight, after_reading_one_completion_another_is_accepted)
{
	struct edudma_completion c;

	ET_EXPECT_ERRNO(sixth(self, &c), 0, "the sixth async COPY");
}

ET_TEST_F(inflight, the_other_four_complete)
{
	struct edudma_completion comp[5] = { 0 };
	int got = 0, e;

	ET_ASSERT_ERRNO(sixth(self, comp), 0, "the sixth async COPY");
	e = et_read_completions(self->q.fd, comp + 1, 4, &got);
	ET_EXPECT(!e && got == 4 && comp[0].cookie == 0 &&
		  comp[4].cookie == 5 && !comp[4].status,
		  "%d of 4 more (%s), first cookie %llu (0), last cookie %llu (5), its status %d",
		  got, et_errno_name(e), (unsigned long long)comp[0].cookie,
		  (unsigned long long)comp[4].cookie, comp[4].status);
}

ET_TEST_F(inflight, max_inflight_can_be_restored)
{
	long v = -1;

	q_close(&self->q);
	ET_EXPECT_ERRNO(et_param_set("max_inflight", self->old), 0,
			"restoring max_inflight");
	ET_EXPECT_ERRNO(et_param_get("max_inflight", &v), 0,
			"reading max_inflight back");
	ET_EXPECT(v == self->old, "max_inflight reads %ld, restored to %ld",
		  v, self->old);
}

ET_TEST_F(q, the_regions_deregister_once_their_transfers_completed)
{
	struct edudma_completion c;
	int got;

	ET_ASSERT_ERRNO(COPY_AB(self, 1, 0, 0, 100), 0, "async COPY");
	ET_ASSERT_ERRNO(et_read_completions(self->fd, &c, 1, &got), 0,
			"reading its completion");
	ET_EXPECT_ERRNO(et_dereg(self->fd, self->hA), 0, "DEREG_MR of A");
	ET_EXPECT_ERRNO(et_dereg(self->fd, self->hB), 0, "DEREG_MR of B");
}
