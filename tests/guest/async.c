// SPDX-License-Identifier: GPL-2.0
/*
 * async: EDUDMA_XFER_ASYNC and the completion queue.  64 mixed submissions
 * drained with read() (each cookie once, in order, status 0, bytes and
 * data right), read() size rules, O_NONBLOCK, poll and epoll readiness,
 * EDUDMA_SET_EVENTFD, EBUSY on deregistering a busy region, and the
 * max_inflight limit.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "edudma_test.h"

#define PLAN 39
#define NSUB 64
#define RSIZE (128 * 1024)

static int fd;
static unsigned char *A, *B, *heap, *want;
static uint32_t hA, hB;

static int submit(int f, uint32_t op, uint32_t flags, uint64_t cookie,
		  uint32_t sh, uint64_t so, uint32_t dh, uint64_t doff,
		  uint32_t dev_off, uint64_t len)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC | flags, .op = op, .cookie = cookie,
		.src_handle = sh, .src = so, .dst_handle = dh, .dst = doff,
		.dev_offset = dev_off, .length = len,
	};

	return et_xfer(f, &x);
}

/* Nothing to read right now? (O_NONBLOCK read gives EAGAIN) */
static int queue_empty(int f)
{
	struct edudma_completion c;
	int fl = fcntl(f, F_GETFL);
	ssize_t r;
	int e;

	fcntl(f, F_SETFL, fl | O_NONBLOCK);
	r = read(f, &c, sizeof(c));
	e = r < 0 ? errno : 0;
	fcntl(f, F_SETFL, fl);
	return r < 0 && e == EAGAIN;
}

static void cases_batch(void)
{
	struct edudma_completion comp[NSUB + 1];
	uint64_t cookie[NSUB], len[NSUB];
	int seen[NSUB] = { 0 };
	int i, e = 0, first_err = -1, got = 0, dup = 0, order = 1, bad_status = 0;
	int bad_bytes = 0, k;
	uint64_t base = et_rand() & ~0xffffULL;
	char why[160] = "";
	long bad;

	et_fill(A, RSIZE);
	et_fill(B, RSIZE);
	et_fill(heap, 16384);
	memcpy(want, B, RSIZE);
	for (i = 0; i < NSUB; i++) {
		uint64_t l = et_range(1, 1000);
		uint64_t doff = i * 1024 + et_range(0, 1024 - l);
		uint64_t so = et_range(0, RSIZE - l);

		cookie[i] = base | i;
		len[i] = l;
		if (i % 8 == 6) {
			/* TO_DEV now, FROM_DEV of the same bytes next */
			uint32_t dev = et_range(0, 4095 - l);

			e = submit(fd, EDUDMA_OP_TO_DEV, 0, cookie[i], hA, so, 0,
				   0, dev, l);
			if (!e) {
				i++;
				cookie[i] = base | i;
				len[i] = l;
				doff = i * 1024 + et_range(0, 1024 - l);
				e = submit(fd, EDUDMA_OP_FROM_DEV, 0, cookie[i],
					   0, 0, hB, doff, dev, l);
			}
			memcpy(want + doff, A + so, l);
		} else if (i % 8 == 3) {
			/* one-shot source */
			so = et_range(0, 16384 - l);
			e = submit(fd, EDUDMA_OP_COPY, EDUDMA_XFER_SRC_PTR,
				   cookie[i], 0, (uintptr_t)heap + so, hB, doff,
				   0, l);
			memcpy(want + doff, heap + so, l);
		} else {
			e = submit(fd, EDUDMA_OP_COPY, 0, cookie[i], hA, so, hB,
				   doff, 0, l);
			memcpy(want + doff, A + so, l);
		}
		if (e && first_err < 0)
			first_err = i;
	}
	tap_ok(first_err < 0, "64 async submissions accepted (first failure at %d: %s)",
	       first_err, tap_errname(e));

	e = et_read_completions(fd, comp, NSUB, &got);
	tap_ok(!e && got == NSUB, "read() drains 64 completions (%d, %s)", got,
	       tap_errname(e));
	for (k = 0; k < got; k++) {
		uint64_t c = comp[k].cookie;

		i = (c & ~0xffffULL) == base ? (int)(c & 0xffff) : -1;
		if (i < 0 || i >= NSUB || seen[i]++) {
			dup++;
			continue;
		}
		if (i != k)
			order = 0;
		if (comp[k].status)
			bad_status++;
		if (comp[k].bytes != len[i])
			bad_bytes++;
	}
	tap_ok(got == NSUB && !dup, "every cookie exactly once (%d unknown or repeated)",
	       dup);
	tap_ok(got == NSUB && order, "completions come in submission order");
	tap_ok(got == NSUB && !bad_status, "every status is 0 (%d are not)",
	       bad_status);
	tap_ok(got == NSUB && !bad_bytes,
	       "every bytes field equals the transfer's length (%d do not)",
	       bad_bytes);
	bad = et_diff(B, want, RSIZE);
	if (bad >= 0)
		snprintf(why, sizeof(why), "byte %ld is 0x%02x, not 0x%02x", bad,
			 B[bad], want[bad]);
	tap_ok(bad < 0, "the destination holds exactly the 64 transfers' data%s%s",
	       bad >= 0 ? ": " : "", why);
	tap_ok(queue_empty(fd), "afterwards the queue is empty (O_NONBLOCK read -> EAGAIN)");
}

static int wait_readable(int f, int ms)
{
	struct pollfd p = { .fd = f, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static void cases_read_rules(void)
{
	struct edudma_completion c[3];
	char small[8];
	ssize_t r;
	int e;

	e = submit(fd, EDUDMA_OP_COPY, 0, 111, hA, 0, hB, 0, 0, 100);
	wait_readable(fd, 10000);
	r = read(fd, small, sizeof(small));
	tap_ok(!e && r < 0 && errno == EINVAL,
	       "read() into 8 bytes while a completion waits -> EINVAL (%zd, %s)",
	       r, tap_errname(r < 0 ? errno : 0));
	r = read(fd, c, sizeof(c[0]) + 5);
	tap_ok(r == sizeof(c[0]) && c[0].cookie == 111 && c[0].status == 0,
	       "... the record is still there; a buffer of 1.x records gets one (%zd bytes, cookie %llu)",
	       r, (unsigned long long)c[0].cookie);

	e = submit(fd, EDUDMA_OP_COPY, 0, 222, hA, 0, hB, 0, 0, 100);
	if (!e)
		e = submit(fd, EDUDMA_OP_COPY, 0, 333, hA, 0, hB, 0, 0, 100);
	for (int i = 0; !e && i < 1000; i++) {	/* until both finished */
		struct edudma_stats st;

		if (et_stats(fd, &st) || !st.queue_depth)
			break;
		usleep(10000);
	}
	usleep(50000);
	r = read(fd, c, sizeof(c));
	tap_ok(!e && r == 2 * sizeof(c[0]) && c[0].cookie == 222 &&
	       c[1].cookie == 333,
	       "read() with room for 3 returns both waiting records (%zd bytes)", r);

	e = submit(fd, EDUDMA_OP_COPY, 0, 444, hA, 0, hB, 0, 0, 0);
	tap_ok(e == EINVAL && queue_empty(fd),
	       "an async submission that fails (length 0 -> %s) posts no completion",
	       tap_errname(e));
}

static void cases_poll(void)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct edudma_completion c;
	int ep, n, e;

	n = poll(&p, 1, 0);
	tap_ok(n == 0, "poll() with nothing pending reports nothing (%d)", n);
	e = submit(fd, EDUDMA_OP_COPY, 0, 5, hA, 0, hB, 0, 0, 5000);
	n = poll(&p, 1, 10000);
	tap_ok(!e && n == 1 && (p.revents & POLLIN),
	       "poll() reports POLLIN once the transfer completed (%d, revents %#x)",
	       n, p.revents);
	if (read(fd, &c, sizeof(c)) != sizeof(c))
		c.cookie = 0;
	n = poll(&p, 1, 0);
	tap_ok(n == 0 && c.cookie == 5, "poll() reports nothing after the read (%d)", n);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.data.u32 = 7;
	e = ep >= 0 ? et_ret(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) : errno;
	n = e ? -1 : epoll_wait(ep, &out, 1, 0);
	tap_ok(!e && n == 0, "epoll: added, nothing ready (%d, %s)", n,
	       tap_errname(e));
	e = submit(fd, EDUDMA_OP_TO_DEV, 0, 6, hA, 0, 0, 0, 0, 10);
	n = epoll_wait(ep, &out, 1, 10000);
	tap_ok(!e && n == 1 && (out.events & EPOLLIN) && out.data.u32 == 7,
	       "epoll_wait() reports EPOLLIN after the completion (%d)", n);
	if (read(fd, &c, sizeof(c)) != sizeof(c))
		c.cookie = 0;
	n = epoll_wait(ep, &out, 1, 0);
	tap_ok(n == 0 && c.cookie == 6, "epoll_wait() reports nothing after the read (%d)", n);
	close(ep);
}

static void cases_eventfd(void)
{
	struct edudma_completion comp[8];
	struct edudma_eventfd ev;
	uint64_t sum = 0, v;
	long long t0;
	int efd, e, got, p[2];
	ssize_t r;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e = et_set_eventfd(fd, efd);
	tap_ok(e == 0, "SET_EVENTFD with an eventfd (%s)", tap_errname(e));
	for (int i = 0; i < 5 && !e; i++)
		e = submit(fd, EDUDMA_OP_COPY, 0, 1000 + i, hA, i * 100, hB,
			   i * 100, 0, 50);
	t0 = et_now_ms();
	while (!e && sum < 5 && et_now_ms() - t0 < 20000) {
		struct pollfd pf = { .fd = efd, .events = POLLIN };

		poll(&pf, 1, 1000);
		if (read(efd, &v, sizeof(v)) == sizeof(v))
			sum += v;
	}
	usleep(50000);
	if (read(efd, &v, sizeof(v)) == sizeof(v))
		sum += v;
	tap_ok(sum == 5, "5 completions signal the eventfd 5 times (%llu)",
	       (unsigned long long)sum);
	e = et_read_completions(fd, comp, 5, &got);
	tap_ok(!e && got == 5 && queue_empty(fd),
	       "... and 5 records are there to read (%d)", got);

	e = et_set_eventfd(fd, -1);
	tap_ok(e == 0, "SET_EVENTFD -1 detaches (%s)", tap_errname(e));
	e = submit(fd, EDUDMA_OP_COPY, 0, 2000, hA, 0, hB, 0, 0, 50);
	if (!e)
		e = et_read_completions(fd, comp, 1, &got);
	r = read(efd, &v, sizeof(v));
	tap_ok(!e && r < 0 && errno == EAGAIN,
	       "after detaching, a completion does not signal the eventfd (%zd)", r);

	if (pipe(p) == 0) {
		e = et_set_eventfd(fd, p[0]);
		close(p[0]);
		close(p[1]);
	} else {
		e = -1;
	}
	tap_ok(e == EBADF, "SET_EVENTFD with a pipe -> EBADF (%s)", tap_errname(e));
	e = et_set_eventfd(fd, 1000);
	tap_ok(e == EBADF, "SET_EVENTFD with a closed fd number -> EBADF (%s)",
	       tap_errname(e));
	memset(&ev, 0, sizeof(ev));
	ev.argsz = sizeof(ev);
	ev.fd = efd;
	ev.flags = 1;
	e = et_ret(ioctl(fd, EDUDMA_SET_EVENTFD, &ev));
	tap_ok(e == EINVAL, "SET_EVENTFD with a flag -> EINVAL (%s)", tap_errname(e));
	ev.flags = 0;
	ev.reserved = 1;
	e = et_ret(ioctl(fd, EDUDMA_SET_EVENTFD, &ev));
	tap_ok(e == EINVAL, "SET_EVENTFD with reserved != 0 -> EINVAL (%s)",
	       tap_errname(e));
	close(efd);
}

static void cases_busy(void)
{
	struct edudma_completion comp[3];
	struct edudma_stats st;
	int e, eb, got;

	e = 0;
	for (int i = 0; i < 3 && !e; i++)
		e = submit(fd, EDUDMA_OP_COPY, 0, 50 + i, hA, 0, hB, 0, 0, 32768);
	et_stats(fd, &st);
	tap_ok(!e && st.queue_depth >= 1 && st.queue_depth <= 3,
	       "3 async COPYs of 32 KiB queued: queue_depth %llu (1..3)",
	       (unsigned long long)st.queue_depth);
	eb = et_dereg(fd, hA);
	tap_ok(eb == EBUSY, "DEREG_MR of the source while they run -> EBUSY (%s)",
	       tap_errname(eb));
	if (!eb)
		et_reg_rw(fd, A, RSIZE, &hA);
	e = et_read_completions(fd, comp, 3, &got);
	tap_ok(!e && got == 3 && !comp[0].status && !comp[1].status &&
	       !comp[2].status,
	       "the three complete with status 0 (%d, %d, %d)", comp[0].status,
	       comp[1].status, comp[2].status);
	e = et_dereg(fd, hA);
	tap_ok(e == 0, "once they completed DEREG_MR works (%s)", tap_errname(e));
	e = et_reg_rw(fd, A, RSIZE, &hA);
	if (e)
		tap_diag("re-registering A: %s", strerror(e));
}

static void cases_inflight(void)
{
	struct edudma_completion comp[5];
	long old = -1;
	int f, e, e5, e6, got, eg;
	uint32_t a, b;

	eg = et_param_get("max_inflight", &old);
	e = eg ? eg : et_param_set("max_inflight", 4);
	tap_ok(!e, "max_inflight is %ld, set to 4 (%s)", old, tap_errname(e));
	f = et_open(0, 0);
	e = et_reg_rw(f, A, RSIZE, &a);
	if (!e)
		e = et_reg_rw(f, B, RSIZE, &b);
	for (int i = 0; i < 4 && !e; i++)
		e = submit(f, EDUDMA_OP_COPY, 0, i, a, i * 1000, b, i * 1000, 0, 500);
	tap_ok(!e, "4 async transfers are accepted (%s)", tap_errname(e));
	e5 = submit(f, EDUDMA_OP_COPY, 0, 4, a, 0, b, 0, 0, 500);
	tap_ok(e5 == EAGAIN, "the fifth -> EAGAIN (%s)", tap_errname(e5));
	e = et_read_completions(f, comp, 1, &got);
	e6 = e ? e : submit(f, EDUDMA_OP_COPY, 0, 5, a, 0, b, 0, 0, 500);
	tap_ok(e6 == 0, "after reading one completion another is accepted (%s)",
	       tap_errname(e6));
	e = et_read_completions(f, comp + 1, 4, &got);
	tap_ok(!e && got == 4 && comp[0].cookie == 0 && comp[4].cookie == 5 &&
	       !comp[4].status,
	       "the other four complete (%d, last cookie %llu)", got,
	       (unsigned long long)comp[4].cookie);
	close(f);
	e = old >= 0 ? et_param_set("max_inflight", old) : EINVAL;
	tap_ok(!e, "max_inflight restored to %ld (%s)", old, tap_errname(e));
}

int main(void)
{
	int e;

	if (et_ndevices() < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(PLAN);
	et_seed_init();
	fd = et_open(0, 0);
	A = et_map(RSIZE);
	B = et_map(RSIZE);
	heap = malloc(16384);
	want = malloc(RSIZE);
	et_fill(A, RSIZE);
	et_fill(B, RSIZE);
	if (fd < 0 || (e = et_reg_rw(fd, A, RSIZE, &hA)) ||
	    (e = et_reg_rw(fd, B, RSIZE, &hB))) {
		tap_diag("set-up failed: %s", strerror(fd < 0 ? errno : e));
		tap_finish();
	}
	tap_ok(queue_empty(fd), "a new file: O_NONBLOCK read() -> EAGAIN");

	cases_batch();		/* 8 */
	cases_read_rules();	/* 4 */
	cases_poll();		/* 6 */
	cases_eventfd();	/* 9 */
	cases_busy();		/* 4 */
	cases_inflight();	/* 6 */

	e = et_dereg(fd, hA);
	if (!e)
		e = et_dereg(fd, hB);
	tap_ok(!e, "the regions deregister (%s)", tap_errname(e));
	close(fd);
	tap_finish();
}
