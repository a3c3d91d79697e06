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

#define KiB 1024UL
#define MiB (1024 * KiB)

ET_PRECONDITION(et_need_device)

/* What a sync COPY interrupted by a signal saw, sent by the child. */
struct eintr_result {
	int setup_err;		/* errno of the child's set-up, or 0 */
	int one_shot;		/* plain pointers, SIGALRM; else SIGUSR1 */
	int r, e;		/* the COPY: -1 and its errno, or 0 */
	long long ms;		/* how long it took */
	int e1, e2;		/* DEREG_MR of its regions (registered) */
	int ok;			/* et_copy_check() on the same file */
	char why[160];
};

/*
 * The parent's file, the counters' base, and what one experiment left:
 * each case runs one experiment, then looks at one part of the result.
 */
ET_FIXTURE(lt) {
	int fd;
	long long pin_base;
	uint64_t regions_base;
	pid_t pid;			/* a child that did the transfers */
	int status;
	int sub_err, close_err;		/* close with transfers queued */
	long long close_ms;
	uint64_t dmas;
	struct eintr_result ei;
	long old_timeout;		/* timeout_ms, while changed */
	int timeout_set;
	int to_err, async_err, restore_err;
	struct edudma_stats s0, s1;
	struct edudma_completion c;
};

ET_SETUP(lt)
{
	struct edudma_stats st;

	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	ET_ASSERT_ERRNO(et_stats(self->fd, &st), 0, "GET_STATS");
	self->pin_base = et_pins();
	self->regions_base = st.regions;
}

ET_TEARDOWN(lt)
{
	if (self->timeout_set)
		et_param_set("timeout_ms", self->old_timeout);
	close(self->fd);
}

/* ---- after each experiment ----------------------------------------------- */

/* Waits up to 5 s for the queue to drain and the regions to go. */
static long long settle(struct et_fx_lt *self, struct edudma_stats *st)
{
	long long pins = et_pins_settle(self->pin_base, 5000);

	memset(st, 0, sizeof(*st));
	for (int i = 0; i < 500; i++) {
		if (et_stats(self->fd, st) ||
		    (!st->queue_depth && st->regions == self->regions_base))
			break;
		usleep(10000);
	}
	return pins;
}

static void counters_back(struct et_fx_lt *self)
{
	struct edudma_stats st;
	long long pins = settle(self, &st);

	ET_EXPECT(pins == self->pin_base && st.regions == self->regions_base &&
		  st.queue_depth == 0,
		  "pin counter %+lld, regions %llu, queue_depth %llu (0, %llu, 0)",
		  pins - self->pin_base, (unsigned long long)st.regions,
		  (unsigned long long)st.queue_depth,
		  (unsigned long long)self->regions_base);
}

static void device_works(struct et_fx_lt *self)
{
	struct edudma_stats st;
	char why[160];

	settle(self, &st);
	ET_EXPECT(et_copy_check(self->fd, 5000, why, sizeof(why)),
		  "the device does not move data right: %s", why);
}

/* ---- children that transfer ---------------------------------------------- */

/* A child's set-up: a file and two registered buffers. */
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

/* ---- kill -9 during sync COPYs ------------------------------------------- */

/*
 * The child COPYs 64 KiB (3.2 s of device time) before it is ready, so
 * each random moment is one case with its three checks.
 */
ET_TEST_N_F(lt, kill_9_at_a_random_moment_of_sync_COPYs, 4)
{
	int delay = (int)et_range(0, 500), status = 0;
	long long t0;
	pid_t pid;

	et_note("kill -9 after %d ms of sync COPYs", delay);
	pid = spawn(sync_loop_child);
	ET_ASSERT(pid > 0, "the child could not start");
	usleep(delay * 1000);
	kill(pid, SIGKILL);
	t0 = et_now_ms();
	waitpid(pid, &status, 0);
	ET_EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "child %s (killed by signal 9), reaped %lld ms after the kill",
		  et_status_str(status), et_now_ms() - t0);
	counters_back(self);
	device_works(self);
}

/* ---- the experiments of the table below ---------------------------------- */

static void run_kill_async(struct et_fx_lt *self)
{
	self->pid = spawn(async_wait_child);
	ET_ASSERT(self->pid > 0, "the child could not start");
	kill(self->pid, SIGKILL);
	waitpid(self->pid, &self->status, 0);
}

static void run_exit_async(struct et_fx_lt *self)
{
	self->pid = spawn(async_exit_child);
	ET_ASSERT(self->pid > 0, "the child could not start");
	waitpid(self->pid, &self->status, 0);
}

/* 32 async COPYs of 8 KiB queued on a file of its own, then close(). */
static void run_close_async(struct et_fx_lt *self)
{
	struct edudma_stats s0 = { 0 }, s1 = { 0 };
	struct kid k;
	long long t0;

	et_stats(self->fd, &s0);
	self->sub_err = kid_setup(&k, 64 * KiB) ? EIO :
			submit_async(&k, 32, 8 * KiB);
	t0 = et_now_ms();
	self->close_err = et_ret(close(k.f));
	self->close_ms = et_now_ms() - t0;
	for (int i = 0; i < 500; i++) {
		if (et_stats(self->fd, &s1) || !s1.queue_depth)
			break;
		usleep(10000);
	}
	self->dmas = s1.dma_to_dev - s0.dma_to_dev +
		     s1.dma_from_dev - s0.dma_from_dev;
	munmap(k.A, 64 * KiB);
	munmap(k.B, 64 * KiB);
}

static void on_signal(int sig)
{
	(void)sig;
}

/*
 * A sync COPY of 1 MiB (512 DMAs, 51 s of device time) interrupted by a
 * signal from the parent (SIGUSR1) or an alarm (SIGALRM, one-shot sides).
 */
static void eintr_copy(int wfd, struct eintr_result *res)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	long long t0;
	struct kid k;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	if (kid_setup(&k, 1 * MiB)) {
		res->setup_err = errno ? errno : EIO;
		if (!res->one_shot)
			say(wfd, 'x');	/* not ready: no signal */
		return;
	}
	if (!res->one_shot)
		say(wfd, 'r');
	else
		alarm(1);
	t0 = et_now_ms();
	if (res->one_shot)
		res->r = et_copy_ptr(k.f, k.A, k.B, 1 * MiB) ? -1 : 0;
	else
		res->r = et_copy(k.f, k.a, 0, k.b, 0, 1 * MiB) ? -1 : 0;
	res->e = errno;
	res->ms = et_now_ms() - t0;
	if (res->one_shot)
		return;
	res->e1 = et_dereg(k.f, k.a);
	res->e2 = et_dereg(k.f, k.b);
	res->ok = et_copy_check(k.f, 5000, res->why, sizeof(res->why));
}

/* Forks the child of eintr_copy(), signals it, takes its result. */
static void run_eintr(struct et_fx_lt *self, int one_shot)
{
	struct eintr_result *res = &self->ei;
	int p[2];
	char c = 0;

	ET_ASSERT(pipe(p) == 0, "pipe: %s", strerror(errno));
	res->one_shot = one_shot;
	self->pid = fork();
	ET_ASSERT(self->pid >= 0, "fork: %s", strerror(errno));
	if (self->pid == 0) {
		close(p[0]);
		eintr_copy(p[1], res);
		if (write(p[1], res, sizeof(*res)) != sizeof(*res))
			_exit(3);
		_exit(res->setup_err ? 2 : 0);
	}
	close(p[1]);
	if (!one_shot && read(p[0], &c, 1) == 1 && c == 'r') {
		usleep(200000);
		kill(self->pid, SIGUSR1);
	}
	if (read(p[0], res, sizeof(*res)) != sizeof(*res))
		res->setup_err = EPIPE;
	close(p[0]);
	waitpid(self->pid, &self->status, 0);
	ET_ASSERT_ERRNO(res->setup_err, 0, "the child's set-up");
}

static void run_eintr_usr1(struct et_fx_lt *self)
{
	run_eintr(self, 0);
}

static void run_eintr_alrm(struct et_fx_lt *self)
{
	run_eintr(self, 1);
}

/* timeout_ms 20: a sync TO_DEV and an async one-shot COPY time out. */
static void run_timeouts(struct et_fx_lt *self)
{
	unsigned char *buf = et_map(64 * KiB);
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC | EDUDMA_XFER_SRC_PTR |
			 EDUDMA_XFER_DST_PTR,
		.op = EDUDMA_OP_COPY, .length = 5000, .cookie = 77,
		.src = (uintptr_t)buf, .dst = (uintptr_t)(buf + 32 * KiB),
	};

	ET_ASSERT(buf, "out of memory");
	et_fill(buf, 64 * KiB);
	ET_ASSERT_ERRNO(et_param_get("timeout_ms", &self->old_timeout), 0,
			"reading timeout_ms");
	ET_ASSERT_ERRNO(et_param_set("timeout_ms", 20), 0,
			"setting timeout_ms to 20");
	self->timeout_set = 1;
	et_stats(self->fd, &self->s0);
	self->to_err = et_to_dev_ptr(self->fd, buf, 0, 100);
	et_stats(self->fd, &self->s1);
	self->async_err = et_xfer(self->fd, &x);
	if (!self->async_err && read(self->fd, &self->c, sizeof(self->c)) !=
				sizeof(self->c))
		self->async_err = errno;
	self->restore_err = et_param_set("timeout_ms", self->old_timeout);
	self->timeout_set = self->restore_err != 0;
	munmap(buf, 64 * KiB);
}

/* ---- what the table's cases look at -------------------------------------- */

static void child_killed(struct et_fx_lt *self)
{
	ET_EXPECT(WIFSIGNALED(self->status) &&
		  WTERMSIG(self->status) == SIGKILL,
		  "child %s (killed by signal 9)", et_status_str(self->status));
}

static void child_exited_0(struct et_fx_lt *self)
{
	ET_EXPECT(WIFEXITED(self->status) && WEXITSTATUS(self->status) == 0,
		  "child %s (exited 0)", et_status_str(self->status));
}

static void close_returned_0(struct et_fx_lt *self)
{
	ET_EXPECT(!self->sub_err && !self->close_err,
		  "32 async COPYs of 8 KiB queued (%s), close() %s after %lld ms",
		  et_errno_name(self->sub_err), et_errno_name(self->close_err),
		  self->close_ms);
}

static void close_cancelled(struct et_fx_lt *self)
{
	ET_EXPECT(self->dmas < 96,
		  "%llu DMAs ran after the close (all 32 need at least 192; expected < 96)",
		  (unsigned long long)self->dmas);
}

static void eintr_returned(struct et_fx_lt *self)
{
	ET_EXPECT(self->ei.r == -1 && self->ei.e == EINTR,
		  "the %s COPY of 1 MiB hit by %s: %d/%s (-1/EINTR)",
		  self->ei.one_shot ? "one-shot" : "registered",
		  self->ei.one_shot ? "SIGALRM after 1 s" :
				      "SIGUSR1 after 200 ms", self->ei.r,
		  et_errno_name(self->ei.r ? self->ei.e : 0));
}

static void eintr_promptly(struct et_fx_lt *self)
{
	long long limit = self->ei.one_shot ? 3000 : 2200;

	ET_EXPECT(self->ei.ms < limit,
		  "it returned %lld ms after it began (< %lld; the whole COPY takes 51 s)",
		  self->ei.ms, limit);
}

static void eintr_deregistered(struct et_fx_lt *self)
{
	ET_EXPECT(!self->ei.e1 && !self->ei.e2,
		  "DEREG_MR of the interrupted COPY's regions: %s, %s (both success: the device stopped)",
		  et_errno_name(self->ei.e1), et_errno_name(self->ei.e2));
}

static void eintr_same_file_works(struct et_fx_lt *self)
{
	ET_EXPECT(self->ei.ok, "the same file afterwards: %s", self->ei.why);
}

static void timed_out(struct et_fx_lt *self)
{
	ET_EXPECT_ERRNO(self->to_err, ETIMEDOUT,
			"timeout_ms 20: a TO_DEV of 100 ms of device time");
	et_note("timeout_ms was %ld", self->old_timeout);
}

static void timeout_counted(struct et_fx_lt *self)
{
	uint64_t t = self->s1.timeouts - self->s0.timeouts;
	uint64_t e = self->s1.errors - self->s0.errors;
	uint64_t x = self->s1.xfers - self->s0.xfers;

	ET_EXPECT(t == 1 && e == 1 && x == 1,
		  "stats: timeouts +%llu, errors +%llu, xfers +%llu (1, 1, 1)",
		  (unsigned long long)t, (unsigned long long)e,
		  (unsigned long long)x);
}

static void async_timed_out(struct et_fx_lt *self)
{
	ET_EXPECT(!self->async_err && self->c.cookie == 77 &&
		  self->c.status == -ETIMEDOUT && self->c.bytes == 0,
		  "async one-shot COPY: %s; cookie %llu, status %d, bytes %llu (77, -ETIMEDOUT, 0)",
		  et_errno_name(self->async_err),
		  (unsigned long long)self->c.cookie, self->c.status,
		  (unsigned long long)self->c.bytes);
}

static void timeout_restored(struct et_fx_lt *self)
{
	long v = -1;

	ET_EXPECT_ERRNO(self->restore_err, 0, "restoring timeout_ms");
	ET_EXPECT(!et_param_get("timeout_ms", &v) && v == self->old_timeout,
		  "timeout_ms reads %ld, restored to %ld", v,
		  self->old_timeout);
}

/* ---- the table: one experiment, one look --------------------------------- */

struct look {
	const char *name;
	void (*run)(struct et_fx_lt *self);	/* the experiment */
	void (*check)(struct et_fx_lt *self);	/* what the case looks at */
};

static const struct look looks[] = {
	{ .name = "kill_9_with_16_async_COPYs_queued_kills_the_child",
	  .run = run_kill_async, .check = child_killed, },
	{ .name = "kill_9_with_16_async_COPYs_queued_leaves_the_counters_back",
	  .run = run_kill_async, .check = counters_back, },
	{ .name = "kill_9_with_16_async_COPYs_queued_leaves_the_device_working",
	  .run = run_kill_async, .check = device_works, },
	{ .name = "exit_with_16_async_COPYs_queued_nothing_closed_exits_0",
	  .run = run_exit_async, .check = child_exited_0, },
	{ .name = "exit_with_16_async_COPYs_queued_leaves_the_counters_back",
	  .run = run_exit_async, .check = counters_back, },
	{ .name = "exit_with_16_async_COPYs_queued_leaves_the_device_working",
	  .run = run_exit_async, .check = device_works, },
	{ .name = "close_with_32_async_COPYs_queued_returns_0",
	  .run = run_close_async, .check = close_returned_0, },
	{ .name = "close_with_32_async_COPYs_queued_cancels_the_queue",
	  .run = run_close_async, .check = close_cancelled, },
	{ .name = "close_with_32_async_COPYs_queued_leaves_the_counters_back",
	  .run = run_close_async, .check = counters_back, },
	{ .name = "close_with_32_async_COPYs_queued_leaves_the_device_working",
	  .run = run_close_async, .check = device_works, },
	{ .name = "SIGUSR1_during_a_registered_sync_COPY_gives_EINTR",
	  .run = run_eintr_usr1, .check = eintr_returned, },
	{ .name = "SIGUSR1_during_a_registered_sync_COPY_returns_promptly",
	  .run = run_eintr_usr1, .check = eintr_promptly, },
	{ .name = "SIGUSR1_during_a_registered_sync_COPY_its_regions_deregister",
	  .run = run_eintr_usr1, .check = eintr_deregistered, },
	{ .name = "SIGUSR1_during_a_registered_sync_COPY_the_file_moves_data_after",
	  .run = run_eintr_usr1, .check = eintr_same_file_works, },
	{ .name = "SIGUSR1_during_a_registered_sync_COPY_the_child_exits_0",
	  .run = run_eintr_usr1, .check = child_exited_0, },
	{ .name = "SIGUSR1_during_a_registered_sync_COPY_leaves_the_counters_back",
	  .run = run_eintr_usr1, .check = counters_back, },
	{ .name = "SIGUSR1_during_a_registered_sync_COPY_leaves_the_device_working",
	  .run = run_eintr_usr1, .check = device_works, },
	{ .name = "SIGALRM_during_a_one_shot_sync_COPY_gives_EINTR",
	  .run = run_eintr_alrm, .check = eintr_returned, },
	{ .name = "SIGALRM_during_a_one_shot_sync_COPY_returns_promptly",
	  .run = run_eintr_alrm, .check = eintr_promptly, },
	{ .name = "SIGALRM_during_a_one_shot_sync_COPY_the_child_exits_0",
	  .run = run_eintr_alrm, .check = child_exited_0, },
	{ .name = "SIGALRM_during_a_one_shot_sync_COPY_leaves_the_counters_back",
	  .run = run_eintr_alrm, .check = counters_back, },
	{ .name = "SIGALRM_during_a_one_shot_sync_COPY_leaves_the_device_working",
	  .run = run_eintr_alrm, .check = device_works, },
	{ .name = "timeout_ms_20_a_longer_TO_DEV_gives_ETIMEDOUT",
	  .run = run_timeouts, .check = timed_out, },
	{ .name = "timeout_ms_20_the_stats_count_the_timeout",
	  .run = run_timeouts, .check = timeout_counted, },
	{ .name = "timeout_ms_20_an_async_one_shot_COPY_completes_with_ETIMEDOUT",
	  .run = run_timeouts, .check = async_timed_out, },
	{ .name = "timeout_ms_20_then_timeout_ms_is_restored",
	  .run = run_timeouts, .check = timeout_restored, },
	{ .name = "timeout_ms_20_leaves_the_counters_back",
	  .run = run_timeouts, .check = counters_back, },
	{ .name = "timeout_ms_20_leaves_the_device_working",
	  .run = run_timeouts, .check = device_works, },
};

ET_TABLE_F(lt, after_an_abnormal_end, struct look, looks)
{
	row->run(self);
	row->check(self);
}
