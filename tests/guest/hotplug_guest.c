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
 */
#include <pthread.h>
#include <signal.h>

#include "edudma_test.h"

#define PLAN 20
#define KiB 1024UL
#define MiB (1024 * KiB)
#define NASYNC 8
/*
 * The host script boots without icount, so guest time is real time: the
 * waiting COPY (4100 DMAs, 410 s) and the queued ones outlast the removal,
 * which comes within seconds of READY.
 */
#define BIG (8 * MiB)

/* ---- edudma0 keeps working throughout ---------------------------------- */

static volatile int stop0;
static int fd0;

struct steady {
	int copies, bad, errors;
	char first[200];
};

static void *steady_copies(void *arg)
{
	struct steady *st = arg;
	size_t size = 64 * KiB;
	unsigned char *a = et_map(size), *b = et_map(size), *want = malloc(size);
	uint64_t s = 0x5eed ^ et_seed_value;
	uint32_t ha, hb;
	int e;

	ed_rand_fill(&s, a, size);
	ed_rand_fill(&s, b, size);
	if (et_reg_rw(fd0, a, size, &ha) || et_reg_rw(fd0, b, size, &hb)) {
		st->errors++;
		snprintf(st->first, sizeof(st->first), "REG_MR: %s", strerror(errno));
		return NULL;
	}
	while (!stop0) {
		size_t len, so, dof;
		long bad;

		len = ed_rand_range(&s, 1, 8 * KiB);
		so = ed_rand_range(&s, 0, size - len - 1);
		dof = ed_rand_range(&s, 0, size - len - 1);
		memcpy(want, b, size);
		memcpy(want + dof, a + so, len);
		e = et_copy(fd0, ha, so, hb, dof, len);
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
		usleep(20000);
	}
	et_dereg(fd0, ha);
	et_dereg(fd0, hb);
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

int main(void)
{
	const char *env = getenv("EDUDMA_HOTPLUG");
	struct edudma_completion comp[NASYNC];
	struct edudma_device_info info;
	struct steady st0 = { 0 };
	struct waiter w = { 0 };
	char pcidir[128];
	pthread_t t0, tw;
	unsigned char *A, *B, *C, *D;
	uint32_t hc, hd, h;
	int fd1, fd1b, e, got, failed, odd, fnew;
	long long pins0, t;
	char why[200];
	const char *path;

	if (!env || strcmp(env, "1")) {
		printf("TAP version 13\n1..0 # SKIP run by tests/host/t-hotplug.sh\n");
		return TAP_EXIT_SKIP;
	}
	if (!et_exists("/dev/edudma0") || !et_exists("/dev/edudma1"))
		tap_skip_all("needs /dev/edudma0 and /dev/edudma1");
	tap_plan(PLAN);
	et_seed_init();
	pins0 = et_pins();

	fd0 = open("/dev/edudma0", O_RDWR | O_CLOEXEC);
	pthread_create(&t0, NULL, steady_copies, &st0);

	fd1 = open("/dev/edudma1", O_RDWR | O_CLOEXEC);
	fd1b = open("/dev/edudma1", O_RDWR | O_CLOEXEC);
	A = et_map(BIG);
	B = et_map(BIG);
	C = et_map(BIG);
	D = et_map(BIG);
	et_fill(A, BIG);
	et_fill(C, BIG);
	memset(B, 0, BIG);
	memset(D, 0, BIG);
	e = fd1 < 0 || fd1b < 0 ? ENODEV : 0;
	if (!e)
		e = et_reg_rw(fd1, A, BIG, &w.a);
	if (!e)
		e = et_reg_rw(fd1, B, BIG, &w.b);
	if (!e)
		e = et_reg_rw(fd1b, C, BIG, &hc);
	if (!e)
		e = et_reg_rw(fd1b, D, BIG, &hd);
	if (!e)
		e = et_info(fd1, &info);
	snprintf(pcidir, sizeof(pcidir), "/sys/bus/pci/devices/%04x:%02x:%02x.%x",
		 info.pci_domain, info.pci_bus, info.pci_devfn >> 3,
		 info.pci_devfn & 7);
	tap_ok(!e && et_exists(pcidir), "edudma1 (%s): two files, 32 MiB registered (%s)",
	       pcidir, tap_errname(e));
	e = et_copy(fd1, w.a, 1000, w.b, 3000, 20000);
	tap_ok(!e && et_diff(B + 3000, A + 1000, 20000) < 0,
	       "edudma1 copies right before the removal (%s)", tap_errname(e));

	for (int i = 0; i < NASYNC && !e; i++) {
		struct edudma_xfer x = {
			.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
			.length = 1 * MiB, .cookie = 100 + i,
			.src_handle = hc, .src = i * MiB,
			.dst_handle = hd, .dst = i * MiB,
		};
		e = et_xfer(fd1b, &x);
	}
	tap_ok(!e, "edudma1: %d async COPYs of 1 MiB queued on the second file (%s)",
	       NASYNC, tap_errname(e));
	w.fd = fd1;
	pthread_create(&tw, NULL, long_copy, &w);
	usleep(300000);
	printf("READY\n");
	fflush(stdout);

	/* the removal ends the waiting COPY (51 s of device time otherwise) */
	pthread_join(tw, NULL);
	tap_ok(w.err == ENODEV,
	       "the sync COPY of 8 MiB waiting on edudma1 ends with ENODEV after %lld ms (%s)",
	       w.ms, tap_errname(w.err));
	/* once a call has seen ENODEV, new calls must not succeed */
	e = et_reg_rw(fd1, C, 4096, &h);
	tap_ok(e == ENODEV,
	       "right after that ENODEV, REG_MR on the same file -> ENODEV too (%s)",
	       tap_errname(e));
	for (t = 0; t < 600000 && (et_exists("/dev/edudma1") || et_exists(pcidir)); t += 50)
		usleep(50000);
	tap_ok(!et_exists("/dev/edudma1") && !et_exists(pcidir),
	       "/dev/edudma1 and %s are gone (remove() returned)", pcidir);

	e = et_info(fd1, &info);
	tap_ok(e == ENODEV, "GET_INFO on the open file -> ENODEV (%s)", tap_errname(e));
	e = et_reg_rw(fd1, C, 4096, &h);
	tap_ok(e == ENODEV, "REG_MR -> ENODEV (%s)", tap_errname(e));
	e = et_copy(fd1, w.a, 0, w.b, 0, 100);
	tap_ok(e == ENODEV, "sync COPY -> ENODEV (%s)", tap_errname(e));
	{
		struct edudma_xfer x = {
			.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
			.length = 100, .src_handle = w.a, .dst_handle = w.b,
		};
		e = et_xfer(fd1, &x);
	}
	tap_ok(e == ENODEV, "async COPY -> ENODEV (%s)", tap_errname(e));
	e = et_factorial(fd1, 5, &h);
	tap_ok(e == ENODEV, "FACTORIAL -> ENODEV (%s)", tap_errname(e));

	/* every queued async transfer gets its completion */
	got = 0;
	for (t = 0; got < NASYNC && t < 20000; t += 100) {
		struct pollfd p = { .fd = fd1b, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		fcntl(fd1b, F_SETFL, O_NONBLOCK);
		r = read(fd1b, comp + got, (NASYNC - got) * sizeof(comp[0]));
		if (r > 0)
			got += r / sizeof(comp[0]);
		else if (r < 0 && errno != EAGAIN)
			break;
	}
	/*
	 * Completion order is not promised here: the queued transfers are
	 * cancelled at once, the running one ends after its DMA.
	 */
	failed = odd = 0;
	{
		int seen[NASYNC] = { 0 };

		for (int i = 0; i < got; i++) {
			int s = comp[i].status;
			uint64_t c = comp[i].cookie - 100;

			tap_diag("completion %d: cookie %llu, status %d, bytes %llu", i,
				 (unsigned long long)comp[i].cookie, s,
				 (unsigned long long)comp[i].bytes);
			if (c >= NASYNC || seen[c]++)
				odd++;
			else if (s == -ENODEV || s == -ECANCELED)
				failed++;
			else if (s != 0 || comp[i].bytes != 1 * MiB)
				odd++;
		}
	}
	tap_ok(got == NASYNC && !odd && failed > 0,
	       "each of the %d queued async COPYs completed once: %d ok, %d ENODEV/ECANCELED, %d unexpected (got %d)",
	       NASYNC, got - failed - odd, failed, odd, got);

	/* a reader waiting for completions must not sleep forever */
	fcntl(fd1b, F_SETFL, 0);
	{
		ssize_t r = 0;
		int err = 0, back = read_returns(fd1b, 3000, &r, &err);

		tap_ok(back && r < 0 && err == ENODEV,
		       "a blocking read() with no completions left on the removed device -> ENODEV (%s)",
		       !back ? "still sleeping after 3 s, killed" :
		       r < 0 ? tap_errname(err) : "returned >= 0");
	}
	{
		struct pollfd p = { .fd = fd1b, .events = POLLIN };
		int k = poll(&p, 1, 0);

		tap_diag("poll() on the removed device's file: %d, revents %#x", k,
			 p.revents);
	}
	printf("UNPLUGGED\n");
	fflush(stdout);

	e = et_ret(close(fd1));
	tap_ok(e == 0, "close() of the removed device's first file (%s)", tap_errname(e));
	e = et_ret(close(fd1b));
	tap_ok(e == 0, "close() of the second file (%s)", tap_errname(e));

	/* the new device */
	/*
	 * Guest time is virtual (icount): it races ahead while the guest
	 * idles, so waits for the host are long in guest time.
	 */
	path = "";
	for (t = 0; t < 3600000; t += 100) {
		path = et_other_device();
		if (*path)
			break;
		usleep(100000);
	}
	tap_ok(*path, "after device_add a new device node appears (%s, %lld ms)",
	       *path ? path : "none", t);
	fnew = *path ? open(path, O_RDWR | O_CLOEXEC) : -1;
	e = fnew < 0 ? errno : et_info(fnew, &info);
	tap_ok(!e && info.ident == 0x010000ed && !(info.caps & ~EDUDMA_CAP_IOMMU),
	       "the new device answers GET_INFO (minor %u, %s)", info.minor,
	       tap_errname(e));
	tap_ok(fnew >= 0 && et_copy_check(fnew, 20000, why, sizeof(why)),
	       "the new device copies right (%s)", why);
	if (fnew >= 0)
		close(fnew);

	stop0 = 1;
	pthread_join(t0, NULL);
	tap_ok(st0.copies >= 3 && !st0.bad && !st0.errors,
	       "edudma0 throughout: %d COPYs, %d wrong, %d failed%s%s", st0.copies,
	       st0.bad, st0.errors, st0.first[0] ? ": " : "", st0.first);
	close(fd0);
	tap_ok(et_pins_settle(pins0, 5000) == pins0,
	       "the pin counter is back at its start (%+lld)", et_pins() - pins0);
	tap_finish();
}
