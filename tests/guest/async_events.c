// SPDX-License-Identifier: GPL-2.0
/*
 * async_events: how a file tells that async transfers completed.  poll()
 * and epoll readiness before a completion, after it and after its record
 * was read; EDUDMA_SET_EVENTFD: one signal per completion, detaching, and
 * the arguments it refuses.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "async.h"

ET_PRECONDITION(et_need_device)

/* ---- poll() -------------------------------------------------------------- */

/* poll() for POLLIN: 1 with POLLIN in revents, or what else it returned. */
static int poll_in(struct et_fx_q *self, int ms, short *revents)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	*revents = p.revents;
	return n;
}

/* An async COPY of 5000 bytes (cookie 5); poll() until it completed. */
static void poll_completion(struct et_fx_q *self)
{
	short rev;
	int n;

	ET_ASSERT_ERRNO(COPY_AB(self, 5, 0, 0, 5000), 0,
			"async COPY of 5000 bytes");
	n = poll_in(self, 10000, &rev);
	ET_EXPECT(n == 1 && (rev & POLLIN),
		  "poll() after the transfer: %d, revents %#x (1, POLLIN)",
		  n, rev);
}

/* Reads one record; its cookie, or 0. */
static uint64_t read_cookie(int fd)
{
	struct edudma_completion c;

	if (read(fd, &c, sizeof(c)) != sizeof(c))
		return 0;
	return c.cookie;
}

ET_TEST_F(q, poll_with_nothing_pending_reports_nothing)
{
	short rev;
	int n = poll_in(self, 0, &rev);

	ET_EXPECT(n == 0, "poll(): %d, revents %#x (0)", n, rev);
}

ET_TEST_F(q, poll_reports_POLLIN_once_the_transfer_completed)
{
	poll_completion(self);
}

ET_TEST_F(q, poll_reports_nothing_after_the_record_was_read)
{
	uint64_t cookie;
	short rev;
	int n;

	poll_completion(self);
	cookie = read_cookie(self->fd);
	n = poll_in(self, 0, &rev);
	ET_EXPECT(n == 0 && cookie == 5,
		  "poll() after reading the record (cookie %llu, 5): %d, revents %#x (0)",
		  (unsigned long long)cookie, n, rev);
}

/* ---- epoll --------------------------------------------------------------- */

/* The file of q added to an epoll instance with data 7. */
ET_FIXTURE(ep) {
	struct et_fx_q q;
	int ep;
	int add_err;		/* of epoll_create1 or EPOLL_CTL_ADD */
};

ET_SETUP(ep)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };

	q_open(&self->q);
	self->ep = epoll_create1(EPOLL_CLOEXEC);
	self->add_err = self->ep < 0 ? errno :
		et_ret(epoll_ctl(self->ep, EPOLL_CTL_ADD, self->q.fd, &ev));
}

ET_TEARDOWN(ep)
{
	if (self->ep >= 0)
		close(self->ep);
	q_close(&self->q);
}

/* An async TO_DEV of 10 bytes (cookie 6); epoll_wait() until it completed. */
static void epoll_completion(struct et_fx_ep *self)
{
	struct epoll_event out = { 0 };
	int n;

	ET_ASSERT_ERRNO(self->add_err, 0, "epoll: adding the file");
	ET_ASSERT_ERRNO(submit(self->q.fd, EDUDMA_OP_TO_DEV, 0, 6, self->q.hA,
			       0, 0, 0, 0, 10), 0, "async TO_DEV of 10 bytes");
	n = epoll_wait(self->ep, &out, 1, 10000);
	ET_EXPECT(n == 1 && (out.events & EPOLLIN) && out.data.u32 == 7,
		  "epoll_wait() after the transfer: %d, events %#x, data %u (1, EPOLLIN, 7)",
		  n, out.events, out.data.u32);
}

ET_TEST_F(ep, epoll_added_with_nothing_pending_reports_nothing)
{
	struct epoll_event out;
	int n;

	ET_ASSERT_ERRNO(self->add_err, 0, "epoll: adding the file");
	n = epoll_wait(self->ep, &out, 1, 0);
	ET_EXPECT(n == 0, "epoll_wait(): %d (0)", n);
}

ET_TEST_F(ep, epoll_wait_reports_EPOLLIN_after_the_completion)
{
	epoll_completion(self);
}

ET_TEST_F(ep, epoll_wait_reports_nothing_after_the_record_was_read)
{
	struct epoll_event out;
	uint64_t cookie;
	int n;

	epoll_completion(self);
	cookie = read_cookie(self->q.fd);
	n = epoll_wait(self->ep, &out, 1, 0);
	ET_EXPECT(n == 0 && cookie == 6,
		  "epoll_wait() after reading the record (cookie %llu, 6): %d (0)",
		  (unsigned long long)cookie, n);
}

/* ---- EDUDMA_SET_EVENTFD -------------------------------------------------- */

/* The file of q and a non-blocking eventfd. */
ET_FIXTURE(ev) {
	struct et_fx_q q;
	int efd;
};

ET_SETUP(ev)
{
	q_open(&self->q);
	self->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ET_ASSERT(self->efd >= 0, "eventfd: %s", strerror(errno));
}

ET_TEARDOWN(ev)
{
	close(self->efd);
	q_close(&self->q);
}

static void attach(struct et_fx_ev *self)
{
	ET_ASSERT_ERRNO(et_set_eventfd(self->q.fd, self->efd), 0,
			"SET_EVENTFD with an eventfd");
}

/* Five async COPYs of 50 bytes; the eventfd's count until 5 or 20 s. */
static uint64_t five_signals(struct et_fx_ev *self)
{
	uint64_t sum = 0, v;
	long long t0;

	attach(self);
	for (int i = 0; i < 5; i++)
		ET_ASSERT_ERRNO(COPY_AB(&self->q, 1000 + i, i * 100, i * 100,
					50), 0, "async COPY of 50 bytes");
	t0 = et_now_ms();
	while (sum < 5 && et_now_ms() - t0 < 20000) {
		struct pollfd pf = { .fd = self->efd, .events = POLLIN };

		poll(&pf, 1, 1000);
		if (read(self->efd, &v, sizeof(v)) == sizeof(v))
			sum += v;
	}
	usleep(50000);
	if (read(self->efd, &v, sizeof(v)) == sizeof(v))
		sum += v;
	return sum;
}

ET_TEST_F(ev, SET_EVENTFD_with_an_eventfd_succeeds)
{
	ET_EXPECT_ERRNO(et_set_eventfd(self->q.fd, self->efd), 0,
			"SET_EVENTFD with an eventfd");
}

ET_TEST_F(ev, five_completions_signal_the_eventfd_five_times)
{
	uint64_t sum = five_signals(self);

	ET_EXPECT(sum == 5, "the eventfd counted %llu (5)",
		  (unsigned long long)sum);
}

ET_TEST_F(ev, and_the_five_records_are_there_to_read)
{
	struct edudma_completion comp[5];
	int e, got = 0;

	five_signals(self);
	e = et_read_completions(self->q.fd, comp, 5, &got);
	ET_EXPECT(!e && got == 5, "read %d of 5 records (%s)", got,
		  et_errno_name(e));
	ET_EXPECT(queue_empty(self->q.fd), "more than 5 records to read");
}

ET_TEST_F(ev, SET_EVENTFD_minus_1_detaches)
{
	attach(self);
	ET_EXPECT_ERRNO(et_set_eventfd(self->q.fd, -1), 0, "SET_EVENTFD -1");
}

ET_TEST_F(ev, after_detaching_a_completion_does_not_signal_the_eventfd)
{
	struct edudma_completion c;
	uint64_t v = 0;
	int got;
	ssize_t r;

	attach(self);
	ET_ASSERT_ERRNO(et_set_eventfd(self->q.fd, -1), 0, "SET_EVENTFD -1");
	ET_ASSERT_ERRNO(COPY_AB(&self->q, 2000, 0, 0, 50), 0, "async COPY");
	ET_ASSERT_ERRNO(et_read_completions(self->q.fd, &c, 1, &got), 0,
			"reading its completion");
	r = read(self->efd, &v, sizeof(v));
	ET_EXPECT(r < 0 && errno == EAGAIN,
		  "read() of the eventfd: %zd (%s), count %llu; expected EAGAIN",
		  r, et_errno_name(r < 0 ? errno : 0), (unsigned long long)v);
}

/* What SET_EVENTFD refuses. */
enum ev_fd { EV_EVENTFD, EV_PIPE, EV_CLOSED };

struct bad_eventfd {
	const char *name;
	enum ev_fd fd;		/* what .fd is */
	uint32_t flags, reserved;
	int want;
};

static const struct bad_eventfd bad_eventfds[] = {
	{ .name = "SET_EVENTFD_with_a_pipe_gives_EBADF",
	  .fd = EV_PIPE, .want = EBADF, },
	{ .name = "SET_EVENTFD_with_a_closed_fd_number_gives_EBADF",
	  .fd = EV_CLOSED, .want = EBADF, },
	{ .name = "SET_EVENTFD_with_a_flag_gives_EINVAL",
	  .fd = EV_EVENTFD, .flags = 1, .want = EINVAL, },
	{ .name = "SET_EVENTFD_with_reserved_not_0_gives_EINVAL",
	  .fd = EV_EVENTFD, .reserved = 1, .want = EINVAL, },
};

ET_TABLE_F(ev, set_eventfd_refuses, struct bad_eventfd, bad_eventfds)
{
	struct edudma_eventfd ev = {
		.argsz = sizeof(ev), .flags = row->flags,
		.reserved = row->reserved, .fd = self->efd,
	};
	int p[2] = { -1, -1 };

	if (row->fd == EV_PIPE) {
		ET_ASSERT(pipe(p) == 0, "pipe: %s", strerror(errno));
		ev.fd = p[0];
	} else if (row->fd == EV_CLOSED) {
		ET_ASSERT(fcntl(1000, F_GETFD) < 0, "fd 1000 is open");
		ev.fd = 1000;
	}
	ET_EXPECT_ERRNO(et_ret(ioctl(self->q.fd, EDUDMA_SET_EVENTFD, &ev)),
			row->want, row->name);
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
}
