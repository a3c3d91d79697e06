// SPDX-License-Identifier: GPL-2.0
/*
 * signals: what signals do to waiting calls (Documentation/uapi.md,
 * "Signals"):
 *  - a synchronous XFER stopped by SIGSTOP and resumed by SIGCONT, with no
 *    handler installed, returns EINTR (as epoll_wait(2) and the other
 *    interfaces signal(7) lists do), with part of the data moved;
 *  - FACTORIAL is never interrupted by a caught signal: a timer signal
 *    every millisecond (until 100 have come) fails none of them;
 *  - a blocking read() goes on waiting through a stop and SIGCONT and
 *    through a caught signal whose handler has SA_RESTART, and returns
 *    EINTR for one without.
 */
#include <signal.h>
#include <sys/time.h>

#include "edudma_test.h"

static int fd;

static void sigstop_case(void)
{
	const size_t len = 40 * ET_MAX_XFER;	/* 80 DMAs, 8 s of device time */
	unsigned char *a = et_map(len), *b = et_map(len);
	int p[2], status, e = -1, stopped;
	pid_t pid;

	if (!a || !b || pipe(p)) {
		tap_ok(0, "SIGSTOP: set-up failed");
		tap_ok(0, "SIGSTOP: set-up failed");
		return;
	}
	memset(a, 0x3c, len);
	pid = fork();
	if (pid == 0) {
		uint32_t ha, hb;

		close(p[0]);
		e = et_reg_rw(fd, a, len, &ha);
		if (!e)
			e = et_reg_rw(fd, b, len, &hb);
		if (write(p[1], "r", 1) != 1)
			_exit(100);
		if (!e)
			e = et_copy(fd, ha, 0, hb, 0, len);
		if (write(p[1], &e, sizeof(e)) != sizeof(e))
			_exit(100);
		_exit(0);
	}
	close(p[1]);
	{
		char c;

		if (read(p[0], &c, 1) != 1)
			c = 0;
	}
	usleep(300 * 1000);	/* the COPY is running */
	kill(pid, SIGSTOP);
	stopped = waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status);
	kill(pid, SIGCONT);
	if (read(p[0], &e, sizeof(e)) != sizeof(e))
		e = -1;
	waitpid(pid, &status, 0);
	close(p[0]);
	tap_ok(stopped, "the child doing a synchronous COPY was stopped by SIGSTOP");
	tap_ok(e == EINTR,
	       "SIGSTOP then SIGCONT, no handler installed: the synchronous COPY returns EINTR (%s)",
	       e < 0 ? "no answer" : et_errno_name(e));
	munmap(a, len);
	munmap(b, len);
}

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

static void factorial_case(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = {
		.it_interval = { .tv_usec = 1000 }, .it_value = { .tv_usec = 1000 },
	};
	struct itimerval off = { 0 };
	int bad = 0, eintr = 0, n = 0;
	uint32_t want = 1, got;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	/* until 100 signals came, or 20000 factorials */
	for (uint32_t i = 1; i <= 20000 && ticks < 100; i++, n++) {
		int e = et_factorial(fd, i % 13, &got);

		want = 1;
		for (uint32_t k = 2; k <= i % 13; k++)
			want *= k;
		if (e == EINTR)
			eintr++;
		else if (e || got != want)
			bad++;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	tap_ok(!eintr && !bad && ticks >= 20,
	       "%d factorials under a 1 ms SIGALRM with a handler (%d signals): none interrupted (%d EINTR), all right (%d wrong)",
	       n, (int)ticks, eintr, bad);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A child blocks in read(); the parent disturbs it (how), then posts a
 * completion on the same file.  Returns the child's read() result: the
 * record's bytes (24), or -errno.
 */
static int disturbed_read(int how)
{
	int p[2], status, res = -1000;
	pid_t pid;

	if (pipe(p))
		return -1000;
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1 };
		struct edudma_completion c;
		ssize_t r;

		if (how == 2)
			sa.sa_flags = SA_RESTART;
		sigaction(SIGUSR1, &sa, NULL);
		close(p[0]);
		r = read(fd, &c, sizeof(c));
		res = r < 0 ? -errno : (int)r;
		if (write(p[1], &res, sizeof(res)) != sizeof(res))
			_exit(100);
		_exit(0);
	}
	close(p[1]);
	usleep(200 * 1000);	/* the child is blocked in read() */
	if (how == 0) {
		kill(pid, SIGSTOP);
		waitpid(pid, &status, WUNTRACED);
		kill(pid, SIGCONT);
	} else {
		kill(pid, SIGUSR1);
	}
	usleep(200 * 1000);
	{
		static unsigned char src[64];
		struct edudma_xfer x = {
			.op = EDUDMA_OP_TO_DEV,
			.flags = EDUDMA_XFER_ASYNC | EDUDMA_XFER_SRC_PTR,
			.length = sizeof(src), .src = (uintptr_t)src,
		};

		et_xfer(fd, &x);
	}
	if (read(p[0], &res, sizeof(res)) != sizeof(res))
		res = -1000;
	waitpid(pid, &status, 0);
	close(p[0]);
	return res;
}

static void read_cases(void)
{
	struct edudma_completion c;
	int fl, r;

	r = disturbed_read(0);
	tap_ok(r == (int)sizeof(c),
	       "a blocking read() stopped and continued goes on waiting and returns the record (%d)",
	       r);
	r = disturbed_read(2);
	tap_ok(r == (int)sizeof(c),
	       "a blocking read() and a caught signal with SA_RESTART: goes on waiting, returns the record (%d)",
	       r);
	r = disturbed_read(1);
	tap_ok(r == -EINTR,
	       "a blocking read() and a caught signal without SA_RESTART: EINTR (%s)",
	       r < 0 && r > -1000 ? et_errno_name(-r) : "no EINTR");
	/* that case's record was not read by the child: take it */
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	for (int i = 0; i < 100 && read(fd, &c, sizeof(c)) < 0 && errno == EAGAIN; i++)
		usleep(10000);
	fcntl(fd, F_SETFL, fl);
}

int main(void)
{
	long long base;

	fd = et_open_or_skip();
	tap_plan(7);
	base = et_pins();
	sigstop_case();		/* 2 */
	factorial_case();	/* 1 */
	read_cases();		/* 3 */
	close(fd);
	tap_ok(et_pins_settle(base, 2000) == base, "pin counters balance");
	tap_finish();
}
