// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug_guest: the guest half of tests/host/t-hotplug.sh (surprise
 * removal of edu1 under load, then a new device plugged in).
 *
 * Runs only with EDUDMA_HOTPLUG=1 (the host script sets it); otherwise it
 * skips, since the runner runs every program of the test directory.
 *
 * Talks to the host through two lines on stdout:
 *   READY      edudma1 is busy (an 8 MiB sync COPY running, async COPYs
 *              queued on a second file): the host sends device_del edu1
 *   UNPLUGGED  the removal was checked: the host sends device_add
 * Meanwhile a thread keeps copying on edudma0 and verifies every byte.
 *
 * The removal happens once per boot, so the whole choreography is one
 * case: its checks are the ET_EXPECTs of the phases below.
 */
#include <pthread.h>
#include <signal.h>

#include "hotplug.h"

#define KiB 1024UL
#define MiB (1024 * KiB)
#define NASYNC 8
/*
 * The host script boots without icount, so guest time is real time: the
 * waiting COPY (4100 DMAs, 410 s) and the queued ones outlast the removal,
 * which comes within seconds of READY.
 */
#define BIG (8 * MiB)
#define GONE_MS 600000		/* for remove() to return */
#define NEW_MS 3600000		/* for the host's device_add */

static const char *need_hotplug_script(void)
{
	if (!hp_env_set("EDUDMA_HOTPLUG"))
		return "run by tests/host/t-hotplug.sh";
	if (!et_exists("/dev/edudma0") || !et_exists("/dev/edudma1"))
		return "needs /dev/edudma0 and /dev/edudma1";
	return NULL;
}

ET_PRECONDITION(need_hotplug_script)

/* ---- edudma0 keeps working throughout ---------------------------------- */

struct steady {
	int fd;
	volatile int stop;
	uint64_t seed;
	int copies, bad, errors;
	char first[200];
};

/* One random COPY between a and b of size bytes, verified against want. */
static void steady_round(struct steady *st, uint64_t *s, unsigned char *a,
			 unsigned char *b, unsigned char *want, size_t size,
			 uint32_t ha, uint32_t hb)
{
	size_t len = ed_rand_range(s, 1, 8 * KiB);
	size_t so = ed_rand_range(s, 0, size - len - 1);
	size_t dof = ed_rand_range(s, 0, size - len - 1);
	long bad;
	int e;

	memcpy(want, b, size);
	memcpy(want + dof, a + so, len);
	e = et_copy(st->fd, ha, so, hb, dof, len);
	bad = e ? -1 : et_diff(b, want, size);
	if (e) {
		if (!st->errors++ && !st->bad)
			snprintf(st->first, sizeof(st->first),
				 "COPY %zu bytes: %s", len, strerror(e));
		memcpy(b, want, size);	/* resynchronise */
	} else if (bad >= 0) {
		if (!st->bad++ && !st->errors)
			snprintf(st->first, sizeof(st->first),
				 "COPY %zu bytes +%zu -> +%zu: byte %ld wrong",
				 len, so, dof, bad);
		memcpy(b, want, size);
	}
	st->copies++;
}

static void *steady_copies(void *arg)
{
	struct steady *st = arg;
	size_t size = 64 * KiB;
	unsigned char *a = et_map(size), *b = et_map(size), *want = malloc(size);
	uint64_t s = st->seed;
	uint32_t ha, hb;

	ed_rand_fill(&s, a, size);
	ed_rand_fill(&s, b, size);
	if (et_reg_rw(st->fd, a, size, &ha) ||
	    et_reg_rw(st->fd, b, size, &hb)) {
		st->errors++;
		snprintf(st->first, sizeof(st->first), "REG_MR: %s",
			 strerror(errno));
		return NULL;
	}
	while (!st->stop) {
		steady_round(st, &s, a, b, want, size, ha, hb);
		usleep(20000);
	}
	et_dereg(st->fd, ha);
	et_dereg(st->fd, hb);
	munmap(a, size);
	munmap(b, size);
	free(want);
	return NULL;
}

/* ---- the long transfer on edudma1 that the removal interrupts ---------- */

struct waiter {
	int fd;
	uint32_t a, b;
	int err;
	long long ms;
};

static void *long_copy(void *arg)
{
	struct waiter *w = arg;
	long long t0 = et_now_ms();

	w->err = et_copy(w->fd, w->a, 0, w->b, 0, BIG);
	w->ms = et_now_ms() - t0;
	return NULL;
}

/*
 * A blocking read() in a child (sharing the open file): 1 when it returned
 * within ms (*r, *err say how), 0 when it was still sleeping and had to be
 * killed.
 */
static int read_returns(int fd, int ms, ssize_t *r, int *err)
{
	struct { ssize_t r; int err; } res = { -2, 0 };
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return 0;
	pid = fork();
	if (pid == 0) {
		struct edudma_completion c;

		close(p[0]);
		res.r = read(fd, &c, sizeof(c));
		res.err = res.r < 0 ? errno : 0;
		if (write(p[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	for (int t = 0; t < ms; t += 20) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (read(p[0], &res, sizeof(res)) != sizeof(res))
				res.r = -2;
			close(p[0]);
			*r = res.r;
			*err = res.err;
			return 1;
		}
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
	return 0;
}

/* ---- the experiment: edudma0 steady, edudma1 busy and removed ----------- */

ET_FIXTURE(hotplug) {
	long long pins0;
	struct steady st0;
	pthread_t t0;
	int steady_running;
	int fd1, fd1b;		/* two files of edudma1 */
	unsigned char *A, *B, *C, *D;
	uint32_t hc, hd;	/* C and D on fd1b; A and B are w's */
	struct waiter w;	/* the 8 MiB COPY from A to B on fd1 */
	char pcidir[128];
};

ET_SETUP(hotplug)
{
	struct edudma_device_info info;

	et_timeout((GONE_MS + NEW_MS) / 1000 + 300);
	self->pins0 = et_pins();
	self->fd1 = self->fd1b = -1;
	self->st0.fd = open("/dev/edudma0", O_RDWR | O_CLOEXEC);
	ET_ASSERT(self->st0.fd >= 0, "open /dev/edudma0: %s", strerror(errno));
	self->st0.seed = et_rand();
	pthread_create(&self->t0, NULL, steady_copies, &self->st0);
	self->steady_running = 1;

	self->fd1 = open("/dev/edudma1", O_RDWR | O_CLOEXEC);
	self->fd1b = open("/dev/edudma1", O_RDWR | O_CLOEXEC);
	ET_ASSERT(self->fd1 >= 0 && self->fd1b >= 0,
		  "open /dev/edudma1 twice: %s", strerror(errno));
	self->A = et_map(BIG);
	self->B = et_map(BIG);
	self->C = et_map(BIG);
	self->D = et_map(BIG);
	ET_ASSERT(self->A && self->B && self->C && self->D, "out of memory");
	et_fill(self->A, BIG);
	et_fill(self->C, BIG);
	ET_ASSERT_ERRNO(et_reg_rw(self->fd1, self->A, BIG, &self->w.a), 0,
			"REG_MR 8 MiB (A) on edudma1's first file");
	ET_ASSERT_ERRNO(et_reg_rw(self->fd1, self->B, BIG, &self->w.b), 0,
			"REG_MR 8 MiB (B) on edudma1's first file");
	ET_ASSERT_ERRNO(et_reg_rw(self->fd1b, self->C, BIG, &self->hc), 0,
			"REG_MR 8 MiB (C) on edudma1's second file");
	ET_ASSERT_ERRNO(et_reg_rw(self->fd1b, self->D, BIG, &self->hd), 0,
			"REG_MR 8 MiB (D) on edudma1's second file");
	ET_ASSERT_ERRNO(et_info(self->fd1, &info), 0, "GET_INFO on edudma1");
	hp_pcidir(&info, self->pcidir, sizeof(self->pcidir));
	ET_ASSERT(et_exists(self->pcidir),
		  "edudma1's PCI function %s is not there", self->pcidir);
	self->w.fd = self->fd1;
}

ET_TEARDOWN(hotplug)
{
	struct steady *st = &self->st0;

	if (self->steady_running) {
		st->stop = 1;
		pthread_join(self->t0, NULL);
		ET_EXPECT(st->copies >= 3 && !st->bad && !st->errors,
			  "edudma0 throughout: %d COPYs (expected 3 or more), %d wrong, %d failed%s%s",
			  st->copies, st->bad, st->errors,
			  st->first[0] ? ": " : "", st->first);
	}
	close(st->fd);
	if (self->fd1 >= 0)
		close(self->fd1);
	if (self->fd1b >= 0)
		close(self->fd1b);
	munmap(self->A, BIG);
	munmap(self->B, BIG);
	munmap(self->C, BIG);
	munmap(self->D, BIG);
	/* the unpinning may lag; the runner then checks the counters */
	et_pins_settle(self->pins0, 5000);
}

/* edudma1 copies right, gets busy; READY: the host removes it. */
static void make_busy(struct et_fx_hotplug *self, pthread_t *tw)
{
	long bad;
	int e;

	e = et_copy(self->fd1, self->w.a, 1000, self->w.b, 3000, 20000);
	bad = e ? -1 : et_diff(self->B + 3000, self->A + 1000, 20000);
	ET_EXPECT(!e && bad < 0,
		  "edudma1 before the removal: COPY of 20000 bytes: %s, byte %ld wrong",
		  et_errno_name(e), bad);
	e = hp_queue_copies(self->fd1b, self->hc, self->hd, NASYNC, 1 * MiB);
	ET_EXPECT_ERRNO(e, 0, "8 async COPYs of 1 MiB queued on the second file");
	pthread_create(tw, NULL, long_copy, &self->w);
	usleep(300000);
	printf("READY\n");
	fflush(stdout);
}

/* The waiting COPY ends, the device goes, every new call: ENODEV. */
static void check_removed(struct et_fx_hotplug *self, pthread_t tw)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
		.length = 100, .src_handle = self->w.a,
		.dst_handle = self->w.b,
	};
	struct edudma_device_info info;
	uint32_t h;
	int fd = self->fd1;

	/* the removal ends the waiting COPY (51 s of device time otherwise) */
	pthread_join(tw, NULL);
	ET_EXPECT(self->w.err == ENODEV,
		  "the sync COPY of 8 MiB waiting on edudma1 ended after %lld ms with %s, expected ENODEV",
		  self->w.ms, et_errno_name(self->w.err));
	/* once a call has seen ENODEV, new calls must not succeed */
	ET_EXPECT_ERRNO(et_reg_rw(fd, self->C, 4096, &h), ENODEV,
			"REG_MR on the same file right after that ENODEV");
	ET_EXPECT(hp_wait_gone("/dev/edudma1", self->pcidir, GONE_MS),
		  "/dev/edudma1 or %s still there after %d s (remove() did not return)",
		  self->pcidir, GONE_MS / 1000);

	ET_EXPECT_ERRNO(et_info(fd, &info), ENODEV,
			"GET_INFO on the open file of the removed device");
	ET_EXPECT_ERRNO(et_reg_rw(fd, self->C, 4096, &h), ENODEV,
			"REG_MR on the removed device");
	ET_EXPECT_ERRNO(et_copy(fd, self->w.a, 0, self->w.b, 0, 100), ENODEV,
			"sync COPY on the removed device");
	ET_EXPECT_ERRNO(et_xfer(fd, &x), ENODEV,
			"async COPY on the removed device");
	ET_EXPECT_ERRNO(et_factorial(fd, 5, &h), ENODEV,
			"FACTORIAL on the removed device");
}

/* Every queued COPY completes once; a waiting reader wakes with ENODEV. */
static void check_completions(struct et_fx_hotplug *self)
{
	struct edudma_completion comp[NASYNC];
	struct pollfd p = { .fd = self->fd1b, .events = POLLIN };
	int got, ended, odd, back, err = 0, k;
	ssize_t r = 0;

	/*
	 * Completion order is not promised here: the queued transfers are
	 * cancelled at once, the running one ends after its DMA.
	 */
	got = hp_collect(self->fd1b, comp, NASYNC, 20000);
	odd = hp_judge(comp, got, NASYNC, 1 * MiB, &ended, 1);
	ET_EXPECT(got == NASYNC && !odd && ended > 0,
		  "of the %d queued async COPYs %d completed: %d ok, %d ENODEV/ECANCELED (expected some), %d unexpected",
		  NASYNC, got, got - ended - odd, ended, odd);

	/* a reader waiting for completions must not sleep forever */
	fcntl(self->fd1b, F_SETFL, 0);
	back = read_returns(self->fd1b, 3000, &r, &err);
	ET_EXPECT(back && r < 0 && err == ENODEV,
		  "a blocking read() with no completions left on the removed device: %s, expected ENODEV",
		  !back ? "still sleeping after 3 s, killed" :
		  r < 0 ? et_errno_name(err) : "returned >= 0");
	k = poll(&p, 1, 0);
	et_note("poll() on the removed device's file: %d, revents %#x", k,
		p.revents);
}

/* UNPLUGGED: the host plugs a device in; it appears and works. */
static void check_new_device(struct et_fx_hotplug *self)
{
	struct edudma_device_info info = { 0 };
	char why[200] = "not tried";
	const char *path;
	long long waited;
	int fd, e;

	printf("UNPLUGGED\n");
	fflush(stdout);
	ET_EXPECT_ERRNO(et_ret(close(self->fd1)), 0,
			"close() of the removed device's first file");
	ET_EXPECT_ERRNO(et_ret(close(self->fd1b)), 0,
			"close() of its second file");
	self->fd1 = self->fd1b = -1;

	path = hp_wait_other_device(NEW_MS, &waited);
	ET_ASSERT(*path, "no new device node %lld ms after UNPLUGGED", waited);
	et_note("after device_add: %s (%lld ms)", path, waited);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ET_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	e = et_info(fd, &info);
	ET_EXPECT(!e && info.ident == 0x010000ed &&
		  !(info.caps & ~EDUDMA_CAP_IOMMU),
		  "the new device's GET_INFO: %s, ident %#x (0x010000ed), caps %#llx, minor %u",
		  et_errno_name(e), info.ident,
		  (unsigned long long)info.caps, info.minor);
	ET_EXPECT(et_copy_check(fd, 20000, why, sizeof(why)),
		  "the new device copies wrong: %s", why);
	close(fd);
}

ET_TEST_F(hotplug, surprise_removal_under_load_then_a_new_device)
{
	pthread_t tw;

	make_busy(self, &tw);
	check_removed(self, tw);
	check_completions(self);
	check_new_device(self);
}
