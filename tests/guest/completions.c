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
 *  - the errors counter counts cancelled transfers, started or not.
 */
#include <sys/eventfd.h>

#include "edudma_test.h"

#define REC	sizeof(struct edudma_completion)

static int fd, efd;
static uint32_t h_src;

/* n async TO_DEV of 16 bytes with cookies first.., then waits for all. */
static int submit_wait(int n, uint64_t first)
{
	uint64_t count = 0, v;

	for (int i = 0; i < n; i++) {
		struct edudma_xfer x = {
			.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC,
			.length = 16, .src_handle = h_src, .cookie = first + i,
		};
		int e = et_xfer(fd, &x);

		if (e)
			return e;
	}
	while (count < (uint64_t)n) {
		if (read(efd, &v, sizeof(v)) != sizeof(v))
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

static void read_counts(void)
{
	struct edudma_completion *recs = calloc(200, REC);
	ssize_t r;
	int e;

	e = submit_wait(100, 1000);
	r = read(fd, recs, 100 * REC);
	tap_ok(!e && r == (ssize_t)(100 * REC) && in_order(recs, 100, 1000),
	       "100 completions waiting, a buffer for 100: read() returns all 100 in order (%zd bytes, %s)",
	       r, et_errno_name(e));

	e = submit_wait(100, 2000);
	r = read(fd, recs, 150 * REC);
	tap_ok(!e && r == (ssize_t)(100 * REC) && in_order(recs, 100, 2000),
	       "100 completions waiting, a buffer for 150: read() returns 100 (%zd bytes)",
	       r);

	e = submit_wait(70, 3000);
	r = read(fd, recs, 64 * REC + REC / 2);
	tap_ok(!e && r == (ssize_t)(64 * REC) && in_order(recs, 64, 3000),
	       "70 waiting, a buffer for 64.5 records: 64 whole records (%zd bytes)",
	       r);
	r = read(fd, recs, 200 * REC);
	tap_ok(r == (ssize_t)(6 * REC) && in_order(recs, 6, 3064),
	       "then the other 6 (%zd bytes)", r);
	free(recs);
}

/*
 * A buffer of which only the first 80 records' worth is mapped: read()
 * for 100 delivers the 80 that fit before the hole (or fewer, never one
 * into it) and loses none; the rest come with the next read.
 */
static void read_bad_tail(void)
{
	const size_t good = 80 * REC;
	size_t span = (good + ET_PAGE - 1) / ET_PAGE * ET_PAGE;
	unsigned char *m = et_map(span + ET_PAGE);
	struct edudma_completion recs[100];
	ssize_t r1, r2 = 0;
	size_t got = 0;
	int e, ok = 1;

	if (!m) {
		tap_ok(0, "bad buffer tail: out of memory");
		return;
	}
	munmap(m + span, ET_PAGE);
	e = submit_wait(100, 5000);
	/* the buffer ends where the hole begins */
	r1 = read(fd, m + span - good, 100 * REC);
	if (r1 > 0) {
		memcpy(recs, m + span - good, r1);
		got = r1 / REC;
	}
	while (got < 100 && ok) {
		r2 = read(fd, recs + got, (100 - got) * REC);
		if (r2 <= 0)
			ok = 0;
		else
			got += r2 / REC;
	}
	tap_ok(!e && r1 > 0 && r1 % REC == 0 && r1 <= (ssize_t)good &&
	       got == 100 && in_order(recs, 100, 5000),
	       "a buffer whose tail is unmapped: read() returns the whole records copied before it (%zd bytes), the next read the rest, none lost (%zu of 100)",
	       r1, got);
	munmap(m, span);
}

/* DEREG after the transfer finished, before its record is read. */
static void dereg_before_read(void)
{
	unsigned char *m = et_map(ET_PAGE);
	struct edudma_completion c = { 0 };
	struct edudma_reg_mr r;
	uint64_t v;
	int e, ed;
	ssize_t n;

	memset(m, 0x61, ET_PAGE);
	e = et_reg(fd, m, ET_PAGE, EDUDMA_ACCESS_DEV_READ, &r);
	if (!e) {
		struct edudma_xfer x = {
			.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC,
			.length = 100, .src_handle = r.handle, .cookie = 4242,
		};

		e = et_xfer(fd, &x);
	}
	if (!e && read(efd, &v, sizeof(v)) != sizeof(v))
		e = errno;
	ed = et_dereg(fd, r.handle);
	n = read(fd, &c, sizeof(c));
	tap_ok(!e && !ed && n == (ssize_t)REC && c.cookie == 4242 && !c.status &&
	       c.bytes == 100,
	       "DEREG_MR of a region whose async transfer finished, completion unread: success (%s); the record still comes (cookie %llu, status %d, %llu bytes)",
	       et_errno_name(ed), (unsigned long long)c.cookie, c.status,
	       (unsigned long long)c.bytes);
	munmap(m, ET_PAGE);
}

/* errors counts cancelled transfers, those that never started included. */
static void errors_counter(void)
{
	const size_t len = 10 * ET_MAX_XFER;
	unsigned char *a = et_map(len), *b = et_map(len);
	struct edudma_stats s0, s1;
	uint32_t ha, hb;
	int f2 = et_open(0, 0), e = 0;

	memset(a, 1, len);
	if (f2 < 0 || et_reg_rw(f2, a, len, &ha) || et_reg_rw(f2, b, len, &hb) ||
	    et_stats(fd, &s0)) {
		tap_ok(0, "errors counter: set-up failed");
		return;
	}
	for (int i = 0; i < 5 && !e; i++) {
		struct edudma_xfer x = {
			.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_ASYNC,
			.length = len, .src_handle = ha, .dst_handle = hb,
		};

		e = et_xfer(f2, &x);
	}
	close(f2);	/* cancels the running one and the 4 queued */
	et_stats(fd, &s1);
	tap_ok(!e && s1.xfers - s0.xfers == 5 && s1.errors - s0.errors == 5,
	       "5 async COPYs cancelled by close, 4 of them before they started: xfers +%llu, errors +%llu (both 5)",
	       (unsigned long long)(s1.xfers - s0.xfers),
	       (unsigned long long)(s1.errors - s0.errors));
	munmap(a, len);
	munmap(b, len);
}

int main(void)
{
	unsigned char *src;
	struct edudma_reg_mr r;
	long long base;

	fd = et_open_or_skip();
	tap_plan(9);
	efd = eventfd(0, EFD_CLOEXEC);
	src = et_map(ET_PAGE);
	base = et_pins();
	if (efd < 0 || !src || et_set_eventfd(fd, efd))
		tap_skip_all("eventfd set-up failed");
	memset(src, 0x5c, ET_PAGE);
	if (et_reg(fd, src, ET_PAGE, EDUDMA_ACCESS_DEV_READ, &r))
		tap_skip_all("REG_MR failed");
	h_src = r.handle;

	read_counts();		/* 4 */
	read_bad_tail();	/* 1 */
	dereg_before_read();	/* 1 */
	errors_counter();	/* 1 */

	{
		struct edudma_completion c;
		ssize_t n = read(fd, &c, REC - 1);

		tap_ok(n < 0 && errno == EINVAL,
		       "read() with a buffer below one record -> EINVAL");
	}
	et_dereg(fd, h_src);
	close(fd);
	tap_ok(et_pins_settle(base, 2000) == base, "pin counters balance");
	tap_finish();
}
