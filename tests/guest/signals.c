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

ET_PRECONDITION(et_need_device)

/* A file on the first device, shared with the case's children. */
ET_FIXTURE(sig) {
	int fd;
};

ET_SETUP(sig)
{
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
}

ET_TEARDOWN(sig)
{
	close(self->fd);
}

/* ---- SIGSTOP during a synchronous COPY ----------------------------------- */

#define STOP_LEN (40 * ET_MAX_XFER)	/* 80 DMAs, 8 s of device time */

/* The child: registers, says "r", COPYs, sends the COPY's errno. */
static void __attribute__((noreturn))
copy_child(int fd, unsigned char *a, unsigned char *b, int wfd)
{
	uint32_t ha, hb;
	int e;

	e = et_reg_rw(fd, a, STOP_LEN, &ha);
	if (!e)
		e = et_reg_rw(fd, b, STOP_LEN, &hb);
	if (write(wfd, "r", 1) != 1)
		_exit(100);
	if (!e)
		e = et_copy(fd, ha, 0, hb, 0, STOP_LEN);
	if (write(wfd, &e, sizeof(e)) != sizeof(e))
		_exit(100);
	_exit(0);
}

/*
 * A child doing a synchronous COPY is stopped 300 ms into it and
 * continued; what happened is in stopped and copy_err.
 */
ET_FIXTURE(stop) {
	struct et_fx_sig f;
	int stopped;		/* waitpid() saw the child stopped */
	int copy_err;		/* the COPY's errno, -1: no answer */
};

ET_SETUP(stop)
{
	unsigned char *a = et_map(STOP_LEN), *b = et_map(STOP_LEN);
	int p[2], status;
	char c;
	pid_t pid;

	et_setup_sig(&self->f);
	ET_ASSERT(a && b, "out of memory");
	ET_ASSERT(pipe(p) == 0, "pipe: %s", strerror(errno));
	memset(a, 0x3c, STOP_LEN);
	pid = fork();
	ET_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		copy_child(self->f.fd, a, b, p[1]);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		c = 0;
	usleep(300 * 1000);	/* the COPY is running */
	kill(pid, SIGSTOP);
	self->stopped = waitpid(pid, &status, WUNTRACED) == pid &&
			WIFSTOPPED(status);
	kill(pid, SIGCONT);
	if (read(p[0], &self->copy_err, sizeof(self->copy_err)) !=
	    sizeof(self->copy_err))
		self->copy_err = -1;
	waitpid(pid, &status, 0);
	close(p[0]);
	munmap(a, STOP_LEN);
	munmap(b, STOP_LEN);
}

ET_TEARDOWN(stop)
{
	et_teardown_sig(&self->f);
}

ET_TEST_F(stop, the_child_doing_a_synchronous_COPY_is_stopped_by_SIGSTOP)
{
	ET_EXPECT(self->stopped, "waitpid(WUNTRACED) did not see it stopped");
}

ET_TEST_F(stop, SIGSTOP_then_SIGCONT_without_a_handler_the_synchronous_COPY_gives_EINTR)
{
	ET_EXPECT(self->copy_err == EINTR, "the COPY: %s, expected EINTR",
		  self->copy_err < 0 ? "no answer" :
				       et_errno_name(self->copy_err));
}

/* ---- FACTORIAL under a timer signal -------------------------------------- */

/* The signal handler's count: the case's process only. */
static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

ET_TEST_F(sig, factorials_under_a_1_ms_SIGALRM_with_a_handler_are_never_interrupted)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	struct itimerval it = {
		.it_interval = { .tv_usec = 1000 },
		.it_value = { .tv_usec = 1000 },
	};
	struct itimerval off = { 0 };
	int bad = 0, eintr = 0, n = 0;
	uint32_t want, got;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	/* until 100 signals came, or 20000 factorials */
	for (uint32_t i = 1; i <= 20000 && ticks < 100; i++, n++) {
		int e = et_factorial(self->fd, i % 13, &got);

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
	ET_EXPECT(!eintr && !bad && ticks >= 20,
		  "%d factorials, %d signals (at least 20): %d EINTR, %d wrong (0, 0)",
		  n, (int)ticks, eintr, bad);
}

/* ---- a blocking read() disturbed ----------------------------------------- */

enum disturbance { STOP_CONT, SIGNAL_SA_RESTART, SIGNAL_NO_RESTART };

struct disturbed {
	const char *name;
	enum disturbance how;
	int want;		/* the read()'s result: bytes, or -errno */
};

static const struct disturbed disturbed[] = {
	{ .name = "a_blocking_read_stopped_and_continued_goes_on_waiting_and_returns_the_record",
	  .how = STOP_CONT, .want = sizeof(struct edudma_completion), },
	{ .name = "a_blocking_read_and_a_caught_signal_with_SA_RESTART_goes_on_waiting_and_returns_the_record",
	  .how = SIGNAL_SA_RESTART, .want = sizeof(struct edudma_completion), },
	{ .name = "a_blocking_read_and_a_caught_signal_without_SA_RESTART_gives_EINTR",
	  .how = SIGNAL_NO_RESTART, .want = -EINTR, },
};

static void on_usr1(int sig)
{
	(void)sig;
}

/* The child: blocks in read() of fd, sends its result (bytes or -errno). */
static void __attribute__((noreturn))
read_child(int fd, enum disturbance how, int wfd)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct edudma_completion c;
	ssize_t r;
	int res;

	if (how == SIGNAL_SA_RESTART)
		sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	r = read(fd, &c, sizeof(c));
	res = r < 0 ? -errno : (int)r;
	if (write(wfd, &res, sizeof(res)) != sizeof(res))
		_exit(100);
	_exit(0);
}

/*
 * A child blocks in read(); the case disturbs it, then posts a completion
 * on the same file and takes the child's read() result.
 */
ET_TABLE_F(sig, disturbed_read, struct disturbed, disturbed)
{
	static unsigned char src[64];
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV,
		.flags = EDUDMA_XFER_ASYNC | EDUDMA_XFER_SRC_PTR,
		.length = sizeof(src), .src = (uintptr_t)src,
	};
	int p[2], status, res = -1000;
	pid_t pid;

	ET_ASSERT(pipe(p) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	ET_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		read_child(self->fd, row->how, p[1]);
	}
	close(p[1]);
	usleep(200 * 1000);	/* the child is blocked in read() */
	if (row->how == STOP_CONT) {
		kill(pid, SIGSTOP);
		waitpid(pid, &status, WUNTRACED);
		kill(pid, SIGCONT);
	} else {
		kill(pid, SIGUSR1);
	}
	usleep(200 * 1000);
	ET_EXPECT_ERRNO(et_xfer(self->fd, &x), 0, "async TO_DEV of 64 bytes");
	if (read(p[0], &res, sizeof(res)) != sizeof(res))
		res = -1000;
	waitpid(pid, &status, 0);
	close(p[0]);
	ET_EXPECT(res == row->want, "the child's read(): %d (%s), expected %d",
		  res, res < 0 && res > -1000 ? et_errno_name(-res) :
		  res == -1000 ? "no answer" : "bytes", row->want);
}
