// SPDX-License-Identifier: GPL-2.0
/*
 * sdk_async: the asynchronous side of libedudma: submissions and
 * edudma_get_completions() (each cookie once, its timeouts, its argument
 * errors; the submissions' argument errors are in sdk_xfer.c), the data
 * of asynchronous transfers verified, EBUSY of a registration with a
 * transfer in flight, EAGAIN at max_inflight, poll() on edudma_fd() and
 * the eventfd of edudma_set_eventfd().
 */
#include <sys/eventfd.h>

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

/*
 * Reads completions until n arrived; checks each cookie once (cookies
 * base + 0 .. n - 1), status 0, bytes len[i].  1 when all was right, else
 * 0 with the reason in why.
 */
static int reap(struct edudma_dev *d, uint64_t base, int n,
		const uint64_t *len, char *why, size_t wn)
{
	struct edudma_completion c[16];
	int seen[16] = { 0 }, got = 0, r, k, ok = 1;

	snprintf(why, wn, "all %d once, status 0, bytes right", n);
	while (got < n) {
		r = edudma_get_completions(d, c, 16, 10000);
		if (r <= 0) {
			snprintf(why, wn, "edudma_get_completions -> %s after %d of %d",
				 sdk_rs(r), got, n);
			return 0;
		}
		for (k = 0; k < r; k++) {
			uint64_t i = c[k].cookie - base;

			if (i >= (uint64_t)n || seen[i]) {
				snprintf(why, wn, "cookie %#llx %s",
					 (unsigned long long)c[k].cookie,
					 i >= (uint64_t)n ? "unknown" : "twice");
				ok = 0;
				continue;
			}
			seen[i] = 1;
			got++;
			if (c[k].status || c[k].bytes != len[i]) {
				snprintf(why, wn, "cookie %llu: status %s, bytes %llu (want %llu)",
					 (unsigned long long)i,
					 sdk_rs(c[k].status),
					 (unsigned long long)c[k].bytes,
					 (unsigned long long)len[i]);
				ok = 0;
			}
		}
	}
	return ok;
}

/* ---- completions --------------------------------------------------------- */

ET_TEST_F(sdk, get_completions_with_nothing_pending_and_timeout_0_is_0)
{
	struct edudma_completion c[4];

	SDK_EXPECT_RET(0, edudma_get_completions(self->dev, c, 4, 0),
		       "edudma_get_completions(timeout 0)");
}

struct bad_get {
	const char *name;
	int null_dev, null_comps;
	unsigned int max;
	int timeout_ms;
};

static const struct bad_get bad_gets[] = {
	{ .name = "get_completions_of_a_NULL_dev_is_EINVAL",
	  .null_dev = 1, .max = 4, },
	{ .name = "get_completions_into_NULL_is_EINVAL",
	  .null_comps = 1, .max = 4, },
	{ .name = "get_completions_of_max_0_is_EINVAL", .max = 0, },
	{ .name = "get_completions_with_timeout_minus_2_is_EINVAL",
	  .max = 4, .timeout_ms = -2, },
};

ET_TABLE_F(sdk, bad_get, struct bad_get, bad_gets)
{
	struct edudma_completion c[4];
	int r = edudma_get_completions(row->null_dev ? NULL : self->dev,
				       row->null_comps ? NULL : c, row->max,
				       row->timeout_ms);

	ET_EXPECT(r == -EINVAL, "%s, expected -EINVAL", sdk_rs(r));
}

ET_TEST_F(sdk, get_completions_with_nothing_pending_waits_out_300_ms)
{
	struct edudma_completion c[4];
	long long t0 = et_now_ms(), waited;
	int r = edudma_get_completions(self->dev, c, 4, 300);

	waited = et_now_ms() - t0;
	ET_EXPECT(r == 0 && waited >= 290,
		  "timeout 300 ms: %s after %lld ms, want 0 after the timeout",
		  sdk_rs(r), waited);
}

/*
 * Six submissions, each cookie base + i: two COPYs B -> A, a
 * write_dev/read_dev pair (one file's transfers run in order), a one-page
 * COPY inside A (of what the first COPY wrote), and a write_dev.  Sets
 * want to what A must hold after them; returns 0 or the first failure.
 */
static int submit_six(struct et_fx_sdk *self, uint64_t base, uint64_t *len)
{
	static const uint64_t lens[6] = { 9000, 5000, 2000, 2000, 4000, 1 };
	unsigned char *w = self->want;
	int r;

	memcpy(len, lens, sizeof(lens));
	memcpy(w, self->A, SDK_RSIZE);
	memcpy(w + 100, self->B + 7, 9000);
	memcpy(w + 20000, self->B + 30000, 5000);
	memcpy(w + 40000, self->B + 50001, 2000);	/* via the device */
	memcpy(w + 60000, w + 56000, 4000);	/* the copy of the copy */
	r = edudma_submit_copy(self->mB, 7, self->mA, 100, 9000, base + 0);
	if (!r)
		r = edudma_submit_copy(self->mB, 30000, self->mA, 20000, 5000,
				       base + 1);
	if (!r)
		r = edudma_submit_write_dev(self->mB, 50001, 33, 2000,
					    base + 2);
	if (!r)
		r = edudma_submit_read_dev(self->mA, 40000, 33, 2000,
					   base + 3);
	if (!r)
		r = edudma_submit_copy(self->mA, 56000, self->mA, 60000, 4000,
				       base + 4);
	if (!r)
		r = edudma_submit_write_dev(self->mA, 0, 4000, 1, base + 5);
	return r;
}

/*
 * One experiment of 15 DMAs (1.5 s of device time), four checks: the
 * submissions, their completions, the data, nothing more to read.
 */
ET_TEST_F(sdk, six_submissions_complete_once_each_with_the_right_data)
{
	uint64_t base = 0x5d0000 + (et_rand() & 0xffff) * 0x100, len[6];
	struct edudma_completion c[4];
	char why[160];
	int r = submit_six(self, base, len);

	ET_ASSERT(!r, "six submissions (copy, copy, write_dev, read_dev, copy, write_dev): %s",
		  sdk_rs(r));
	ET_EXPECT(reap(self->dev, base, 6, len, why, sizeof(why)),
		  "edudma_get_completions with a timeout: %s", why);
	ET_EXPECT(sdk_verify(self->A, self->want, SDK_RSIZE, why, sizeof(why)),
		  "the data of the asynchronous transfers: %s", why);
	SDK_EXPECT_RET(0, edudma_get_completions(self->dev, c, 4, 0),
		       "edudma_get_completions after every completion was read");
}

/* A timeout > 0 waits for the completion that is on its way. */
ET_TEST_F(sdk, get_completions_with_timeout_5000_waits_for_one_transfer)
{
	struct edudma_completion c[4];
	long long t0, waited;
	int r, n;

	r = edudma_submit_write_dev(self->mA, 0, 0, 100, 9);
	t0 = et_now_ms();
	n = edudma_get_completions(self->dev, c, 4, 5000);
	waited = et_now_ms() - t0;
	ET_EXPECT(!r && n == 1 && c[0].cookie == 9 && !c[0].status &&
		  waited >= 50 && waited < 5000,
		  "submit %s, got %s after %lld ms (cookie %llu, status %s)",
		  sdk_rs(r), sdk_rs(n), waited,
		  n > 0 ? (unsigned long long)c[0].cookie : 0ULL,
		  n > 0 ? sdk_rs(c[0].status) : "-");
}

/* ---- EBUSY, EAGAIN ------------------------------------------------------- */

/* 16 KiB: at least 8 DMAs, 800 ms of device time; A deregistered meanwhile. */
static void copy_then_dereg(struct et_fx_sdk *self, int *r, int *r2)
{
	*r = edudma_submit_copy(self->mA, 0, self->mB, 0, 16384, 77);
	*r2 = edudma_dereg_mr(self->mA);
}

ET_TEST_F(sdk, dereg_mr_with_a_transfer_in_flight_is_EBUSY_and_keeps_the_mr)
{
	uint32_t h = edudma_mr_handle(self->mA);
	int r, r2;

	copy_then_dereg(self, &r, &r2);
	ET_EXPECT(!r && r2 == -EBUSY, "submit %s, dereg %s (want 0, -EBUSY)",
		  sdk_rs(r), sdk_rs(r2));
	ET_EXPECT(edudma_mr_handle(self->mA) == h &&
		  edudma_mr_length(self->mA) == SDK_RSIZE,
		  "the mr changed: handle %u (was %u), length %zu",
		  edudma_mr_handle(self->mA), h, edudma_mr_length(self->mA));
}

ET_TEST_F(sdk, the_completion_of_the_transfer_that_made_EBUSY_arrives)
{
	struct edudma_completion c[2];
	int r, r2, n;

	copy_then_dereg(self, &r, &r2);
	ET_ASSERT(!r, "submit: %s", sdk_rs(r));
	n = edudma_get_completions(self->dev, c, 2, 10000);
	ET_EXPECT(n == 1 && c[0].cookie == 77 && !c[0].status,
		  "%s completions, cookie %llu, status %s", sdk_rs(n),
		  n > 0 ? (unsigned long long)c[0].cookie : 0ULL,
		  n > 0 ? sdk_rs(c[0].status) : "-");
}

ET_TEST_F(sdk, at_max_inflight_2_the_third_submission_is_EAGAIN)
{
	int r, r2, r3;

	if (et_param_get("max_inflight", &self->param_was))
		ET_SKIP("cannot read max_inflight");
	self->param = "max_inflight";
	if (et_param_set("max_inflight", 2))
		ET_SKIP("cannot set max_inflight");
	r = edudma_submit_write_dev(self->mA, 0, 0, 10, 1);
	r2 = edudma_submit_write_dev(self->mA, 0, 0, 10, 2);
	r3 = edudma_submit_write_dev(self->mA, 0, 0, 10, 3);
	ET_EXPECT(!r && !r2 && r3 == -EAGAIN,
		  "submissions: %s, %s, %s (want 0, 0, -EAGAIN)", sdk_rs(r),
		  sdk_rs(r2), sdk_rs(r3));
}

/* ---- poll, eventfd ------------------------------------------------------- */

ET_TEST_F(sdk, poll_of_the_fd_with_nothing_pending_is_0)
{
	struct pollfd pfd = { .fd = edudma_fd(self->dev), .events = POLLIN };
	int r = poll(&pfd, 1, 0);

	ET_EXPECT(r == 0, "poll: %d, revents %#x", r, pfd.revents);
}

/* Submits a write_dev (cookie 500), polls for it; the poll's return. */
static int submit_and_poll(struct et_fx_sdk *self, struct pollfd *pfd)
{
	int r;

	pfd->fd = edudma_fd(self->dev);
	pfd->events = POLLIN;
	pfd->revents = 0;
	r = edudma_submit_write_dev(self->mA, 0, 0, 100, 500);
	ET_ASSERT(!r, "submit: %s", sdk_rs(r));
	return poll(pfd, 1, 10000);
}

ET_TEST_F(sdk, poll_of_the_fd_reports_POLLIN_once_a_transfer_finished)
{
	struct pollfd pfd;
	int n = submit_and_poll(self, &pfd);

	ET_EXPECT(n == 1 && (pfd.revents & POLLIN), "poll %d, revents %#x",
		  n, pfd.revents);
}

ET_TEST_F(sdk, get_completions_with_timeout_0_reads_what_poll_reported)
{
	struct edudma_completion c[4];
	struct pollfd pfd;
	int n = submit_and_poll(self, &pfd);

	ET_ASSERT(n == 1, "poll: %d", n);
	n = edudma_get_completions(self->dev, c, 4, 0);
	ET_EXPECT(n == 1 && c[0].cookie == 500, "%s completions, cookie %llu",
		  sdk_rs(n), n > 0 ? (unsigned long long)c[0].cookie : 0ULL);
}

/* A fresh eventfd in the fixture; attached when attach is set. */
static int new_eventfd(struct et_fx_sdk *self, int attach)
{
	self->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ET_ASSERT(self->efd >= 0, "eventfd: %s", strerror(errno));
	return attach ? edudma_set_eventfd(self->dev, self->efd) : 0;
}

ET_TEST_F(sdk, set_eventfd_of_an_eventfd_is_0)
{
	SDK_EXPECT_RET(0, new_eventfd(self, 1), "edudma_set_eventfd(eventfd)");
}

ET_TEST_F(sdk, the_eventfd_counts_every_completion)
{
	uint64_t val = 0, len[2] = { 100, 200 };
	char why[128] = "-";
	int r = new_eventfd(self, 1), ok = 0;

	ET_ASSERT(!r, "edudma_set_eventfd: %s", sdk_rs(r));
	r = edudma_submit_write_dev(self->mA, 0, 0, 100, 600);
	if (!r)
		r = edudma_submit_read_dev(self->mB, 0, 0, 200, 601);
	if (!r)
		ok = reap(self->dev, 600, 2, len, why, sizeof(why));
	if (read(self->efd, &val, sizeof(val)) != sizeof(val))
		val = 0;
	ET_EXPECT(ok && val == 2, "2 transfers: the counter is %llu (%s)",
		  (unsigned long long)val, r ? sdk_rs(r) : why);
}

ET_TEST_F(sdk, set_eventfd_of_minus_1_detaches)
{
	int r = new_eventfd(self, 1);

	ET_ASSERT(!r, "edudma_set_eventfd: %s", sdk_rs(r));
	SDK_EXPECT_RET(0, edudma_set_eventfd(self->dev, -1),
		       "edudma_set_eventfd(-1)");
}

ET_TEST_F(sdk, after_detaching_a_completion_leaves_the_eventfd_alone)
{
	struct edudma_completion c[4];
	uint64_t val = 0;
	int r = new_eventfd(self, 1), n = 0, e;

	ET_ASSERT(!r, "edudma_set_eventfd: %s", sdk_rs(r));
	r = edudma_set_eventfd(self->dev, -1);
	ET_ASSERT(!r, "edudma_set_eventfd(-1): %s", sdk_rs(r));
	r = edudma_submit_write_dev(self->mA, 0, 0, 100, 700);
	if (!r)
		n = edudma_get_completions(self->dev, c, 4, 10000);
	errno = 0;
	e = read(self->efd, &val, sizeof(val)) < 0 ? errno : 0;
	ET_EXPECT(n == 1 && e == EAGAIN,
		  "submit %s, %s completions, read of the eventfd: %s, counter %llu",
		  sdk_rs(r), sdk_rs(n), et_errno_name(e),
		  (unsigned long long)val);
}

ET_TEST_F(sdk, set_eventfd_of_a_pipe_is_EBADF)
{
	int pfds[2];

	ET_ASSERT(!pipe(pfds), "pipe: %s", strerror(errno));
	SDK_EXPECT_RET(-EBADF, edudma_set_eventfd(self->dev, pfds[0]),
		       "edudma_set_eventfd of a pipe");
	close(pfds[0]);
	close(pfds[1]);
}

ET_TEST(set_eventfd_of_a_NULL_dev_is_EINVAL)
{
	SDK_EXPECT_RET(-EINVAL, edudma_set_eventfd(NULL, -1),
		       "edudma_set_eventfd(NULL dev)");
}
