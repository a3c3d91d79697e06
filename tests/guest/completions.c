// SPDX-License-Identifier: GPL-2.0
/*
 * completions: what read() hands out and what finished transfers allow
 * (Documentation/uapi.md, "Completions", "EDUDMA_DEREG_MR",
 * "EDUDMA_GET_STATS"):
 *  - read() returns as many records as fit in the buffer, not a batch of
 *    the driver's choosing: 100 waiting and room for 100 gives 100;
 *  - a buffer that turns bad part-way gets the records that fit before the
 *    bad part, and the rest stay queued;
 *  - a region whose transfer finished may be deregistered before the
 *    completion is read, and the record still comes;
 *  - the errors counter counts cancelled transfers, started or not;
 *  - a buffer below one record gets EINVAL.
 */
#include <sys/eventfd.h>

#include "edudma_test.h"

#define REC	sizeof(struct edudma_completion)

ET_PRECONDITION(et_need_device)

/* A file whose completions signal an eventfd; a registered source page. */
ET_FIXTURE(cq) {
	int fd, efd;
	unsigned char *src;
	uint32_t h_src;
};

ET_SETUP(cq)
{
	struct edudma_reg_mr r;

	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	self->efd = eventfd(0, EFD_CLOEXEC);
	ET_ASSERT(self->efd >= 0, "eventfd: %s", strerror(errno));
	self->src = et_map(ET_PAGE);
	ET_ASSERT(self->src, "out of memory");
	ET_ASSERT_ERRNO(et_set_eventfd(self->fd, self->efd), 0,
			"SET_EVENTFD");
	memset(self->src, 0x5c, ET_PAGE);
	ET_ASSERT_ERRNO(et_reg(self->fd, self->src, ET_PAGE,
			       EDUDMA_ACCESS_DEV_READ, &r), 0,
			"REG_MR of the source page");
	self->h_src = r.handle;
}

ET_TEARDOWN(cq)
{
	et_dereg(self->fd, self->h_src);
	close(self->fd);
	close(self->efd);
	munmap(self->src, ET_PAGE);
}

/* n async TO_DEV of 16 bytes with cookies first.., then waits for all. */
static int submit_wait(struct et_fx_cq *self, int n, uint64_t first)
{
	uint64_t count = 0, v;

	for (int i = 0; i < n; i++) {
		struct edudma_xfer x = {
			.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC,
			.length = 16, .src_handle = self->h_src,
			.cookie = first + i,
		};
		int e = et_xfer(self->fd, &x);

		if (e)
			return e;
	}
	while (count < (uint64_t)n) {
		if (read(self->efd, &v, sizeof(v)) != sizeof(v))
			return errno;
		count += v;
	}
	return 0;
}

/* Records in recs[0..n) carry cookies first, first + 1, ... */
static int in_order(const struct edudma_completion *recs, int n,
		    uint64_t first)
{
	for (int i = 0; i < n; i++)
		if (recs[i].cookie != first + i || recs[i].status)
			return 0;
	return 1;
}

/* ---- how many records a read() returns ----------------------------------- */

struct count {
	const char *name;
	int waiting;		/* completions posted before the read */
	uint64_t cookie;	/* the first one's */
	size_t room;		/* the read()'s buffer, bytes */
	int want;		/* records it returns */
	int then_rest;		/* the case is the next read: the rest */
};

static const struct count counts[] = {
	{ .name = "100_waiting_and_room_for_100_read_returns_all_100_in_order",
	  .waiting = 100, .cookie = 1000, .room = 100 * REC, .want = 100, },
	{ .name = "100_waiting_and_room_for_150_read_returns_100",
	  .waiting = 100, .cookie = 2000, .room = 150 * REC, .want = 100, },
	{ .name = "70_waiting_and_room_for_64_5_records_read_returns_64_whole_records",
	  .waiting = 70, .cookie = 3000, .room = 64 * REC + REC / 2,
	  .want = 64, },
	{ .name = "70_waiting_after_64_were_read_the_next_read_returns_the_other_6",
	  .waiting = 70, .cookie = 3000, .room = 64 * REC + REC / 2,
	  .want = 64, .then_rest = 1, },
};

ET_TABLE_F(cq, read_counts, struct count, counts)
{
	struct edudma_completion *recs = calloc(200, REC);
	int rest = row->waiting - row->want;
	ssize_t r;

	ET_ASSERT(recs, "out of memory");
	ET_ASSERT_ERRNO(submit_wait(self, row->waiting, row->cookie), 0,
			"async TO_DEVs and their eventfd signals");
	r = read(self->fd, recs, row->room);
	if (!row->then_rest) {
		ET_EXPECT(r == (ssize_t)(row->want * REC) &&
			  in_order(recs, row->want, row->cookie),
			  "%d waiting, room for %zu bytes: %zd bytes (%s), expected %d records in order",
			  row->waiting, row->room, r,
			  et_errno_name(r < 0 ? errno : 0), row->want);
	} else {
		ET_ASSERT(r == (ssize_t)(row->want * REC),
			  "the first read(): %zd bytes, expected %zu",
			  r, row->want * REC);
		r = read(self->fd, recs, 200 * REC);
		ET_EXPECT(r == (ssize_t)(rest * REC) &&
			  in_order(recs, rest, row->cookie + row->want),
			  "the next read() for 200: %zd bytes (%s), expected the other %d in order",
			  r, et_errno_name(r < 0 ? errno : 0), rest);
	}
	free(recs);
}

/* ---- the other rules ----------------------------------------------------- */

/*
 * A buffer of which only the first 80 records' worth is mapped: read()
 * for 100 delivers the 80 that fit before the hole (or fewer, never one
 * into it) and loses none; the rest come with the next read.
 */
ET_TEST_F(cq, a_buffer_whose_tail_is_unmapped_gets_the_records_before_it_and_none_is_lost)
{
	const size_t good = 80 * REC;
	size_t span = (good + ET_PAGE - 1) / ET_PAGE * ET_PAGE;
	unsigned char *m = et_map(span + ET_PAGE);
	struct edudma_completion recs[100];
	ssize_t r1, r2 = 0;
	size_t got = 0;

	ET_ASSERT(m, "out of memory");
	munmap(m + span, ET_PAGE);
	ET_ASSERT_ERRNO(submit_wait(self, 100, 5000), 0,
			"100 async TO_DEVs and their eventfd signals");
	/* the buffer ends where the hole begins */
	r1 = read(self->fd, m + span - good, 100 * REC);
	if (r1 > 0) {
		memcpy(recs, m + span - good, r1);
		got = r1 / REC;
	}
	while (got < 100) {
		r2 = read(self->fd, recs + got, (100 - got) * REC);
		if (r2 <= 0)
			break;
		got += r2 / REC;
	}
	ET_EXPECT(r1 > 0 && r1 % REC == 0 && r1 <= (ssize_t)good,
		  "the first read(): %zd bytes (%s); expected whole records, at most %zu bytes",
		  r1, et_errno_name(r1 < 0 ? errno : 0), good);
	ET_EXPECT(got == 100 && in_order(recs, 100, 5000),
		  "%zu of 100 records in order (a later read(): %zd)", got, r2);
	munmap(m, span);
}

ET_TEST_F(cq, DEREG_MR_after_the_transfer_finished_before_its_record_is_read_works_and_the_record_comes)
{
	unsigned char *m = et_map(ET_PAGE);
	struct edudma_completion c = { 0 };
	struct edudma_reg_mr r;
	uint64_t v;
	ssize_t n;

	ET_ASSERT(m, "out of memory");
	memset(m, 0x61, ET_PAGE);
	ET_ASSERT_ERRNO(et_reg(self->fd, m, ET_PAGE, EDUDMA_ACCESS_DEV_READ,
			       &r), 0, "REG_MR");
	{
		struct edudma_xfer x = {
			.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC,
			.length = 100, .src_handle = r.handle, .cookie = 4242,
		};

		ET_ASSERT_ERRNO(et_xfer(self->fd, &x), 0, "async TO_DEV");
	}
	ET_ASSERT(read(self->efd, &v, sizeof(v)) == sizeof(v),
		  "the eventfd: %s", strerror(errno));
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle), 0,
			"DEREG_MR before the completion is read");
	n = read(self->fd, &c, sizeof(c));
	ET_EXPECT(n == (ssize_t)REC && c.cookie == 4242 && !c.status &&
		  c.bytes == 100,
		  "the record: %zd bytes, cookie %llu, status %d, %llu bytes (%zu, 4242, 0, 100)",
		  n, (unsigned long long)c.cookie, c.status,
		  (unsigned long long)c.bytes, REC);
	munmap(m, ET_PAGE);
}

/* errors counts cancelled transfers, those that never started included. */
ET_TEST_F(cq, errors_counts_transfers_cancelled_by_close_started_or_not)
{
	const size_t len = 10 * ET_MAX_XFER;
	unsigned char *a = et_map(len), *b = et_map(len);
	struct edudma_stats s0, s1;
	uint32_t ha, hb;
	int f2 = et_open(0, 0);

	ET_ASSERT(a && b, "out of memory");
	ET_ASSERT(f2 >= 0, "open: %s", strerror(errno));
	memset(a, 1, len);
	ET_ASSERT_ERRNO(et_reg_rw(f2, a, len, &ha), 0, "REG_MR a");
	ET_ASSERT_ERRNO(et_reg_rw(f2, b, len, &hb), 0, "REG_MR b");
	ET_ASSERT_ERRNO(et_stats(self->fd, &s0), 0, "GET_STATS");
	for (int i = 0; i < 5; i++) {
		struct edudma_xfer x = {
			.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_ASYNC,
			.length = len, .src_handle = ha, .dst_handle = hb,
		};

		ET_ASSERT_ERRNO(et_xfer(f2, &x), 0, "async COPY");
	}
	close(f2);	/* cancels the running one and the 4 queued */
	ET_ASSERT_ERRNO(et_stats(self->fd, &s1), 0, "GET_STATS");
	ET_EXPECT(s1.xfers - s0.xfers == 5 && s1.errors - s0.errors == 5,
		  "5 async COPYs cancelled by close, 4 of them before they started: xfers +%llu, errors +%llu (both 5)",
		  (unsigned long long)(s1.xfers - s0.xfers),
		  (unsigned long long)(s1.errors - s0.errors));
	munmap(a, len);
	munmap(b, len);
}

ET_TEST_F(cq, read_with_a_buffer_below_one_record_gives_EINVAL)
{
	struct edudma_completion c;
	ssize_t n = read(self->fd, &c, REC - 1);

	ET_EXPECT(n < 0 && errno == EINVAL, "read() of %zu bytes: %zd (%s)",
		  REC - 1, n, et_errno_name(n < 0 ? errno : 0));
}
