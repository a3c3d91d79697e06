// SPDX-License-Identifier: GPL-2.0
/*
 * lifetime: transfers that do not end normally.  kill -9 during sync
 * transfers (several random moments) and with async ones queued, close
 * and exit with async transfers queued, a sync transfer interrupted by a
 * signal (EINTR, promptly, registered and one-shot), and the timeout
 * (ETIMEDOUT, stats).  After each: the pin counter and the statistics are
 * back where they were, and the device still moves data correctly.
 */
#include <signal.h>

#include "edudma_test.h"

#define PLAN 41
#define KiB 1024UL
#define MiB (1024 * KiB)

static int fd;			/* the parent's file, for the checks */
static long long pin_base;
static uint64_t regions_base;

/* Two cases: counters back, and a data check on the device. */
static void after_check(const char *what)
{
	struct edudma_stats st = { 0 };
	long long pins = et_pins_settle(pin_base, 5000);
	char why[160];
	int ok;

	for (int i = 0; i < 500; i++) {
		if (et_stats(fd, &st) || (!st.queue_depth &&
					  st.regions == regions_base))
			break;
		usleep(10000);
	}
	tap_ok(pins == pin_base && st.regions == regions_base &&
	       st.queue_depth == 0,
	       "%s: pin counter %+lld, regions %llu, queue_depth %llu (0, %llu, 0)",
	       what, pins - pin_base, (unsigned long long)st.regions,
	       (unsigned long long)st.queue_depth,
	       (unsigned long long)regions_base);
	ok = et_copy_check(fd, 5000, why, sizeof(why));
	tap_ok(ok, "%s: the device still works (%s)", what, why);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A child's set-up: a file and two registered 64 KiB buffers. */
struct kid {
	int f;
	uint32_t a, b;
	unsigned char *A, *B;
};

static int kid_setup(struct kid *k, size_t size)
{
	k->f = et_open(0, 0);
	k->A = et_map(size);
	k->B = et_map(size);
	if (k->f < 0 || !k->A || !k->B)
		return -1;
	et_fill(k->A, size);
	et_fill(k->B, size);
	if (et_reg_rw(k->f, k->A, size, &k->a) ||
	    et_reg_rw(k->f, k->B, size, &k->b))
		return -1;
	return 0;
}

static void say(int wfd, char c)
{
	if (write(wfd, &c, 1) != 1)
		_exit(3);
}

/* Sync COPYs (registered and one-shot) until killed. */
static void sync_loop_child(int wfd)
{
	struct kid k;

	if (kid_setup(&k, 64 * KiB) || et_copy(k.f, k.a, 0, k.b, 0, 64 * KiB))
		_exit(2);
	say(wfd, 'r');
	for (;;) {
		et_copy(k.f, k.a, 0, k.b, 0, 64 * KiB);
		et_copy_ptr(k.f, k.A + 100, k.B + 200, 8 * KiB);
	}
}

static int submit_async(struct kid *k, int n, size_t len)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
		.length = len, .src_handle = k->a, .dst_handle = k->b,
	};
	int e = 0;

	for (int i = 0; i < n && !e; i++) {
		x.cookie = i;
		x.src = i * 100;
		x.dst = i * 100;
		x.argsz = 0;
		e = et_xfer(k->f, &x);
	}
	return e;
}

/* Queues 16 async COPYs, then waits to be killed. */
static void async_wait_child(int wfd)
{
	struct kid k;

	if (kid_setup(&k, 64 * KiB) || submit_async(&k, 16, 8 * KiB))
		_exit(2);
	say(wfd, 'r');
	for (;;)
		pause();
}

/* Queues 16 async COPYs and exits without closing anything. */
static void async_exit_child(int wfd)
{
	struct kid k;

	if (kid_setup(&k, 64 * KiB) || submit_async(&k, 16, 8 * KiB))
		_exit(2);
	say(wfd, 'r');
	_exit(0);
}

/* Forks fn(wfd); waits for its 'r'; returns the pid (or -1). */
static pid_t spawn(void (*fn)(int))
{
	int p[2];
	char c = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		fn(p[1]);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1 || c != 'r') {
		close(p[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(p[0]);
	return pid;
}

static void cases_kill_sync(void)
{
	for (int i = 0; i < 4; i++) {
		int delay = (int)et_range(0, 500), status = 0;
		char what[80];
		long long t0;
		pid_t pid = spawn(sync_loop_child);

		snprintf(what, sizeof(what), "kill -9 after %d ms of sync COPYs", delay);
		if (pid > 0) {
			usleep(delay * 1000);
			kill(pid, SIGKILL);
			t0 = et_now_ms();
			waitpid(pid, &status, 0);
			tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			       "%s: child %s, reaped %lld ms after the kill", what,
			       et_status_str(status), et_now_ms() - t0);
		} else {
			tap_ok(0, "%s: the child could not start", what);
		}
		after_check(what);
	}
}

static void cases_kill_async(void)
{
	int status = 0;
	pid_t pid = spawn(async_wait_child);

	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	tap_ok(pid > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "kill -9 with 16 async COPYs queued: child %s",
	       pid > 0 ? et_status_str(status) : "did not start");
	after_check("kill -9 with async COPYs queued");
}

static void cases_exit_async(void)
{
	int status = 0;
	pid_t pid = spawn(async_exit_child);

	if (pid > 0)
		waitpid(pid, &status, 0);
	tap_ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "exit with 16 async COPYs queued, nothing closed: child %s",
	       pid > 0 ? et_status_str(status) : "did not start");
	after_check("exit with async COPYs queued");
}

static void cases_close_async(void)
{
	struct edudma_stats s0, s1;
	struct kid k;
	long long t0, dt;
	uint64_t dmas;
	int e, ec;

	et_stats(fd, &s0);
	e = kid_setup(&k, 64 * KiB) ? EIO : submit_async(&k, 32, 8 * KiB);
	t0 = et_now_ms();
	ec = et_ret(close(k.f));
	dt = et_now_ms() - t0;
	tap_ok(!e && !ec, "32 async COPYs of 8 KiB queued (%s), close() returns 0 after %lld ms",
	       tap_errname(e), dt);
	for (int i = 0; i < 500; i++) {
		if (et_stats(fd, &s1) || !s1.queue_depth)
			break;
		usleep(10000);
	}
	dmas = s1.dma_to_dev - s0.dma_to_dev + s1.dma_from_dev - s0.dma_from_dev;
	tap_ok(dmas < 96, "close cancelled the queue: %llu DMAs ran (all 32 need at least 192)",
	       (unsigned long long)dmas);
	after_check("close with async COPYs queued");
	munmap(k.A, 64 * KiB);
	munmap(k.B, 64 * KiB);
}

/*
 * A sync COPY of 1 MiB (512 DMAs, 51 s of device time) interrupted by a
 * signal from the parent (SIGUSR1) or an alarm (SIGALRM, one-shot sides).
 */
static void eintr_child(int wfd, int one_shot)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	long long t0, dt;
	struct kid k;
	int r, e, e1, e2;
	char why[160];

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	if (kid_setup(&k, 1 * MiB)) {
		et_report(0, "set-up: %s", strerror(errno));
		_exit(2);
	}
	if (!one_shot)
		say(wfd, 'r');
	else
		alarm(1);
	t0 = et_now_ms();
	if (one_shot)
		r = et_copy_ptr(k.f, k.A, k.B, 1 * MiB) ? -1 : 0;
	else
		r = et_copy(k.f, k.a, 0, k.b, 0, 1 * MiB) ? -1 : 0;
	e = errno;
	dt = et_now_ms() - t0;
	et_report(r == -1 && e == EINTR, "%s COPY of 1 MiB hit by %s: -1/EINTR (%d/%s)",
		  one_shot ? "one-shot" : "registered",
		  one_shot ? "SIGALRM after 1 s" : "SIGUSR1 after 200 ms", r,
		  tap_errname(r ? e : 0));
	et_report(dt < (one_shot ? 3000 : 2200),
		  "... and it returned promptly, %lld ms after it began (the whole COPY takes 51 s)",
		  dt);
	if (one_shot)
		return;
	e1 = et_dereg(k.f, k.a);
	e2 = et_dereg(k.f, k.b);
	et_report(!e1 && !e2,
		  "the interrupted COPY's regions deregister: the device stopped (%s, %s)",
		  tap_errname(e1), tap_errname(e2));
	et_report(et_copy_check(k.f, 5000, why, sizeof(why)),
		  "the same file moves data right afterwards (%s)", why);
}

static void eintr_usr1(int wfd)
{
	eintr_child(wfd, 0);
}

static void eintr_alrm(int wfd)
{
	eintr_child(wfd, 1);
}

static void run_eintr(void (*fn)(int), int ncases, int signal_it,
		      const char *who)
{
	int p[2], r[2], status = 0;
	char c = 0;
	pid_t pid;

	if (pipe(p) || pipe(r)) {
		et_collect(-1, ncases + 1, who);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(r[0]);
		et_report_fd = r[1];
		fn(p[1]);
		_exit(0);
	}
	close(p[1]);
	close(r[1]);
	if (signal_it) {
		if (read(p[0], &c, 1) == 1 && c == 'r') {
			usleep(200000);
			kill(pid, SIGUSR1);
		}
	}
	et_collect(r[0], ncases, who);
	close(p[0]);
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s %s", who,
	       et_status_str(status));
	after_check(who);
}

static void cases_timeout(void)
{
	struct edudma_completion c = { 0 };
	struct edudma_stats s0, s1;
	unsigned char *buf = et_map(64 * KiB);
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC | EDUDMA_XFER_SRC_PTR |
			 EDUDMA_XFER_DST_PTR,
		.op = EDUDMA_OP_COPY, .length = 5000, .cookie = 77,
		.src = (uintptr_t)buf, .dst = (uintptr_t)(buf + 32 * KiB),
	};
	long old = -1;
	int e, ea, er;

	et_fill(buf, 64 * KiB);
	e = et_param_get("timeout_ms", &old);
	if (!e)
		e = et_param_set("timeout_ms", 20);
	if (e)
		tap_diag("timeout_ms: %s", strerror(e));
	et_stats(fd, &s0);
	e = et_to_dev_ptr(fd, buf, 0, 100);
	et_stats(fd, &s1);
	tap_ok(e == ETIMEDOUT,
	       "timeout_ms 20 (was %ld): a TO_DEV (100 ms of device time) -> ETIMEDOUT (%s)",
	       old, tap_errname(e));
	tap_ok(s1.timeouts - s0.timeouts == 1 && s1.errors - s0.errors == 1 &&
	       s1.xfers - s0.xfers == 1,
	       "stats: timeouts +%llu, errors +%llu, xfers +%llu (1, 1, 1)",
	       (unsigned long long)(s1.timeouts - s0.timeouts),
	       (unsigned long long)(s1.errors - s0.errors),
	       (unsigned long long)(s1.xfers - s0.xfers));
	ea = et_xfer(fd, &x);
	er = ea ? ea : (read(fd, &c, sizeof(c)) == sizeof(c) ? 0 : errno);
	tap_ok(!er && c.cookie == 77 && c.status == -ETIMEDOUT && c.bytes == 0,
	       "an async one-shot COPY completes with -ETIMEDOUT, 0 bytes (%s; status %d, bytes %llu)",
	       tap_errname(er), c.status, (unsigned long long)c.bytes);
	e = old > 0 ? et_param_set("timeout_ms", old) : EINVAL;
	tap_ok(!e, "timeout_ms restored to %ld (%s)", old, tap_errname(e));
	munmap(buf, 64 * KiB);
	after_check("after the timeouts");
}

int main(void)
{
	struct edudma_stats st;

	if (et_ndevices() < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(PLAN);
	et_seed_init();
	fd = et_open(0, 0);
	if (fd < 0 || et_stats(fd, &st)) {
		tap_diag("cannot open the device: %s", strerror(errno));
		tap_finish();
	}
	pin_base = et_pins();
	regions_base = st.regions;

	cases_kill_sync();				/* 12 */
	cases_kill_async();				/* 3 */
	cases_exit_async();				/* 3 */
	cases_close_async();				/* 4 */
	run_eintr(eintr_usr1, 4, 1, "EINTR (SIGUSR1) child");	/* 7 */
	run_eintr(eintr_alrm, 2, 0, "EINTR (SIGALRM) child");	/* 5 */
	cases_timeout();				/* 6 */
	close(fd);
	tap_ok(et_pins_settle(pin_base, 2000) == pin_base,
	       "at the end the pin counter is at the baseline (%+lld)",
	       et_pins() - pin_base);
	tap_finish();
}
