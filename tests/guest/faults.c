// SPDX-License-Identifier: GPL-2.0
/*
 * faults: injected faults around registered and in-flight memory.
 *
 *  (a) kill -9 at random moments: 100 children (EDUDMA_FAULTS_KILLS)
 *      run a random mix of sync and async, registered and one-shot
 *      transfers on every device and are SIGKILLed during set-up, after
 *      a random sleep or after a random amount of computation; after each
 *      kill the pin counter, the device's regions and queue are back, and
 *      every tenth kill a data check runs;
 *  (b) RLIMIT_MEMLOCK exhaustion as uid 65534: page-sized registrations
 *      until ENOMEM, then one dereg makes room for exactly one more;
 *  (c) memory pressure: a hog (oom_score_adj 1000) takes all but 48 MiB of
 *      MemAvailable while regions are pinned and DMA runs; compaction is
 *      asked for; every pinned page still holds its data, seen by the CPU
 *      and by the device (the device reads and writes every page);
 *  (d) fork() after registration: the child's writes do not reach the
 *      device, the device's writes do not reach the child;
 *  (e) munmap() of a registered range: the registration keeps the old
 *      pages (pinned, DMA into them works), the new mapping at the same
 *      address is untouched, DEREG_MR releases the pins;
 *  (f) exec with the file open, with and without O_CLOEXEC: the pins
 *      are held across exec (without) or dropped at exec (with), and
 *      come back when the new program exits.
 *
 * It never unloads the module: the lab does that and checks it.  At the
 * end "# faults: ..." lines give the counts (tests/soak adds them up).
 */
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>

#include "edudma_test.h"

#define PLAN 39
#define KiB 1024UL
#define MiB (1024 * KiB)

static int fds[LAB_MAX_DEVICES];	/* the parent's files, for the checks */
static int ndev;
static long long pin_base;
static uint64_t regions_base[LAB_MAX_DEVICES];

static struct {
	long kills, kills_in_xfer, kills_in_setup, child_xfers;
	long pin_checks, data_checks;
	long memlock_regs;
	long hog_mib, hog_oom;
	long dma_checks;		/* verified DMAs by this process */
	uint64_t bytes_verified;
} cnt;

/* ---- helpers --------------------------------------------------------------- */

/* Pattern byte i of seed s: cheap, regenerable, never all one value. */
static inline unsigned char pat(uint64_t s, size_t i)
{
	return (unsigned char)(ed_mix64(s + (i >> 3)) >> ((i & 7) * 8));
}

static void pat_fill(unsigned char *p, size_t len, uint64_t s)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pat(s, i);
}

/* First offset where p differs from pattern s, or -1. */
static long pat_diff(const unsigned char *p, size_t len, uint64_t s)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != pat(s, i))
			return (long)i;
	return -1;
}

/* pins, regions and queue of every device back at the baseline */
static int counters_back(char *why, size_t whylen)
{
	long long pins = et_pins_settle(pin_base, 5000);
	struct edudma_stats st = { 0 };
	int i, t;

	cnt.pin_checks++;
	for (i = 0; i < ndev; i++) {
		for (t = 0; t < 500; t++) {
			if (et_stats(fds[i], &st) ||
			    (!st.queue_depth && st.regions == regions_base[i]))
				break;
			usleep(10000);
		}
		if (st.queue_depth || st.regions != regions_base[i]) {
			snprintf(why, whylen, "device %d: regions %llu (want %llu), queue_depth %llu",
				 i, (unsigned long long)st.regions,
				 (unsigned long long)regions_base[i],
				 (unsigned long long)st.queue_depth);
			return 0;
		}
	}
	snprintf(why, whylen, "pin counter %+lld", pins - pin_base);
	return pins == pin_base;
}

static int data_check(int dev, size_t len, char *why, size_t whylen)
{
	int ok = et_copy_check(fds[dev], len, why, whylen);

	cnt.data_checks++;
	if (ok)
		cnt.bytes_verified += len;
	return ok;
}

static int write_oom_adj(const char *v)
{
	int f = open("/proc/self/oom_score_adj", O_WRONLY);
	int ok;

	if (f < 0)
		return 0;
	ok = write(f, v, strlen(v)) == (ssize_t)strlen(v);
	close(f);
	return ok;
}

static void write_proc(const char *path, const char *v)
{
	int f = open(path, O_WRONLY);

	if (f < 0)
		return;
	if (write(f, v, strlen(v)) < 0) {
		/* best effort */
	}
	close(f);
}

/* ---- (a) kill -9 at random moments ---------------------------------------- */

struct kshm {
	volatile int ready;		/* set-up done */
	volatile int in_xfer;		/* inside an EDUDMA_XFER ioctl */
	volatile long xfers;		/* transfers the child finished */
};

static void kill_child(struct kshm *sh, int dev, uint64_t seed)
{
	size_t size = 64 * KiB;
	unsigned char *A, *B, *H;
	uint32_t ha, hb;
	int f;

	et_rng = seed;
	f = et_open(dev, 0);
	A = et_map(size);
	B = et_map(size);
	H = malloc(size);		/* one-shot memory: plain heap */
	if (f < 0 || !A || !B || !H)
		_exit(2);
	et_fill(A, size);
	et_fill(H, size);
	if (et_reg_rw(f, A, size, &ha) || et_reg_rw(f, B, size, &hb))
		_exit(2);
	sh->ready = 1;
	for (;;) {
		uint64_t len = et_range(0, 1) ? et_range(1, ET_MAX_XFER) :
				 et_range(1, 12 * KiB);
		uint64_t so = et_range(0, size - len), dof = et_range(0, size - len);
		uint32_t dl = (uint32_t)et_range(1, ET_MAX_XFER);
		struct edudma_xfer x = { 0 };
		struct edudma_completion c[8];
		int op = (int)et_range(0, 5), n, e = 0;

		sh->in_xfer = 1;
		switch (op) {
		case 0:
			e = et_copy(f, ha, so, hb, dof, len);
			break;
		case 1:
			e = et_copy_ptr(f, H + so, B + dof, len);
			break;
		case 2:
			e = et_to_dev(f, ha, so, 0, dl);
			if (!e)
				e = et_from_dev_ptr(f, H + dof, 0, dl);
			break;
		case 3:
		case 4:		/* a batch of async COPYs, sometimes left unread */
			n = (int)et_range(1, 8);
			for (int i = 0; i < n && !e; i++) {
				memset(&x, 0, sizeof(x));
				x.flags = EDUDMA_XFER_ASYNC;
				x.op = EDUDMA_OP_COPY;
				x.length = et_range(1, 8 * KiB);
				x.cookie = i;
				if (et_range(0, 1)) {
					x.src_handle = ha;
					x.src = et_range(0, size - x.length);
				} else {
					x.flags |= EDUDMA_XFER_SRC_PTR;
					x.src = (uintptr_t)H + et_range(0, size - x.length);
				}
				x.dst_handle = hb;
				x.dst = et_range(0, size - x.length);
				e = et_xfer(f, &x);
			}
			if (!e && op == 3) {
				int got = 0;

				e = et_read_completions(f, c, n, &got);
			}
			break;
		default:	/* a short register / COPY / deregister cycle */
			{
				uint32_t h;

				/* left registered: the kill must release it */
				et_reg(f, B + dof, len, EDUDMA_ACCESS_DEV_WRITE, NULL);
				e = et_reg_rw(f, A + so, len, &h);
				if (!e) {
					e = et_copy(f, h, 0, hb, dof, len);
					et_dereg(f, h);
				}
			}
			break;
		}
		sh->in_xfer = 0;
		if (!e)
			sh->xfers++;
	}
}

static void cases_kill(int kills)
{
	struct kshm *sh = mmap(NULL, ET_PAGE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int not_killed = 0, pins_bad = 0, data_bad = 0, ran = 0;
	char first_pins[256] = "", first_data[256] = "", why[160];
	long spins;

	if (sh == MAP_FAILED) {
		for (int i = 0; i < 4; i++)
			tap_ok(0, "kill -9: shared page: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < kills; i++) {
		int dev = i % ndev, how = (int)et_range(0, 9), status = 0;
		uint64_t seed = et_rand();
		long delay = 0;
		pid_t pid;

		memset(sh, 0, sizeof(*sh));
		pid = fork();
		if (pid == 0)
			kill_child(sh, dev, seed);
		if (pid < 0) {
			not_killed++;
			continue;
		}
		if (how >= 2) {		/* wait until it is transferring */
			for (int t = 0; t < 5000 && !sh->ready; t++)
				usleep(1000);
		}
		if (how >= 2 && how <= 5) {	/* a random sleep: 0 to 8 DMAs */
			delay = (long)et_range(0, 800);
			usleep(delay * 1000);
		} else if (how > 5) {		/* a random amount of real work */
			volatile uint64_t acc = 0;

			spins = (long)et_range(0, 3000000);
			for (long k = 0; k < spins; k++)
				acc += (uint64_t)k * 2654435761U;
			(void)acc;
		}
		if (!sh->ready)
			cnt.kills_in_setup++;
		else if (sh->in_xfer)
			cnt.kills_in_xfer++;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ran++;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
			cnt.kills++;
		} else {
			/* exit 2: the set-up failed, which is an error too */
			if (!not_killed++)
				tap_diag("kill %d: the child %s", i, et_status_str(status));
		}
		cnt.child_xfers += sh->xfers;
		if (!counters_back(why, sizeof(why))) {
			if (!pins_bad++)
				snprintf(first_pins, sizeof(first_pins), "kill %d (device %d): %s",
					 i, dev, why);
		}
		if (i % 10 == 9 || i == kills - 1) {
			if (!data_check(dev, et_range(1, 12000), why, sizeof(why)) &&
			    !data_bad++)
				snprintf(first_data, sizeof(first_data), "after kill %d: %s", i,
					 why);
		}
	}
	munmap(sh, ET_PAGE);
	tap_ok(ran == kills && !not_killed,
	       "kill -9: %d children on %d device(s), %ld killed by SIGKILL (%ld in set-up, %ld inside a transfer ioctl)",
	       kills, ndev, cnt.kills, cnt.kills_in_setup, cnt.kills_in_xfer);
	tap_ok(cnt.child_xfers > 0,
	       "kill -9: the children finished %ld transfers between the kills",
	       cnt.child_xfers);
	tap_ok(!pins_bad,
	       "kill -9: after each kill the pin counter, regions and queue were back (%d of %d not%s%s)",
	       pins_bad, ran, pins_bad ? ": " : "", first_pins);
	tap_ok(!data_bad, "kill -9: the device passed every data check after the kills (%d failed%s%s)",
	       data_bad, data_bad ? ": " : "", first_data);
}

/* ---- (b) RLIMIT_MEMLOCK exhaustion as non-root ---------------------------- */

static void memlock_child(void)
{
	const size_t limit = 64 * KiB, size = 1 * MiB;
	unsigned char *buf = et_map(size);
	struct rlimit rl = { limit, limit };
	uint32_t h[256] = { 0 }, hx;
	int f = et_open(0, 0), k = 0, e = 0, e2, e3, ok;

	ok = f >= 0 && buf && setrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
	     setgroups(0, NULL) == 0 && setgid(65534) == 0 &&
	     setuid(65534) == 0 && getuid() == 65534;

	et_report(ok, "memlock: child opened the device, then RLIMIT_MEMLOCK 64 KiB and uid %d",
		  (int)getuid());
	if (f < 0 || !buf)
		_exit(1);
	et_fill(buf, size);
	while (k < 256 && !(e = et_reg_rw(f, buf + k * ET_PAGE, ET_PAGE, &h[k])))
		k++;
	cnt.memlock_regs = k;
	et_report(e == ENOMEM && k == (int)(limit / ET_PAGE),
		  "memlock: %d one-page regions register, the next -> ENOMEM (%s; want %lu)",
		  k, tap_errname(e), limit / ET_PAGE);
	e = k ? et_dereg(f, h[k - 1]) : ENOENT;
	e2 = e ? e : et_reg_rw(f, buf + 200 * ET_PAGE, ET_PAGE, &hx);
	e3 = e2 ? -1 : et_reg_rw(f, buf + 201 * ET_PAGE, ET_PAGE, &h[k - 1]);
	et_report(!e && !e2 && e3 == ENOMEM,
		  "memlock: after one DEREG_MR (%s) one page registers again (%s), a second -> ENOMEM (%s)",
		  tap_errname(e), tap_errname(e2), e3 < 0 ? "not tried" : tap_errname(e3));
	e = k > 1 ? et_copy(f, h[0], 100, hx, 200, 3000) : EIO;
	et_report(!e && !memcmp(buf + 200 * ET_PAGE + 200, buf + 100, 3000),
		  "memlock: at the limit a COPY between two of the regions is right (%s)",
		  tap_errname(e));
	/* exits with every region registered: the close returns them */
	_exit(k);
}

static void cases_memlock(void)
{
	int p[2], status = 0;
	char why[200];
	pid_t pid;

	if (getuid() != 0) {
		for (int i = 0; i < 5; i++)
			tap_skip("needs root to drop to uid 65534", "memlock case %d", i + 1);
		return;
	}
	if (pipe(p)) {
		et_collect(-1, 4, "memlock child");
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		et_report_fd = p[1];
		memlock_child();
	}
	close(p[1]);
	et_collect(p[0], 4, "memlock child");
	waitpid(pid, &status, 0);
	if (WIFEXITED(status))
		cnt.memlock_regs = WEXITSTATUS(status);
	tap_ok(WIFEXITED(status) && counters_back(why, sizeof(why)),
	       "memlock: the child exited with its regions registered (%s); %s",
	       et_status_str(status), why);
}

/* ---- (c) memory pressure while regions are pinned ---------------------------- */

#define PR_REGIONS	4
#define PR_SIZE		(64 * KiB)	/* 4 x 16 pages; a sweep is 64 DMAs */
#define PR_DURING	4		/* sweeps while the hog grows, at most */

static long mem_available_kib(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "MemAvailable:", 13))
			v = strtol(line + 13, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/*
 * Writes the MiB touched so far as text lines; when done, holds the memory
 * until rfd reaches EOF (the parent closes it), then exits 0.
 */
static void hog_child(int wfd, int rfd, long leave_mib)
{
	long avail = mem_available_kib() / 1024, want = avail - leave_mib, got = 0;
	char line[64];
	char *m;

	write_oom_adj("1000");
	if (want < 16)
		want = 16;
	m = mmap(NULL, want * MiB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		_exit(3);
	snprintf(line, sizeof(line), "want %ld avail %ld\n", want, avail);
	if (write(wfd, line, strlen(line)) < 0)
		_exit(3);
	for (got = 0; got < want; got++) {
		for (size_t o = 0; o < MiB; o += ET_PAGE)
			m[got * MiB + o] = (char)(got + o);
		if (got % 8 == 7) {
			snprintf(line, sizeof(line), "got %ld\n", got + 1);
			if (write(wfd, line, strlen(line)) < 0)
				_exit(3);
		}
	}
	snprintf(line, sizeof(line), "done %ld\n", got);
	if (write(wfd, line, strlen(line)) < 0)
		_exit(3);
	while (read(rfd, line, 1) > 0)
		;
	_exit(0);
}

/*
 * The device reads every page of region r (COPY into scratch, checked by
 * the CPU) and writes every page (COPY of a new pattern from scratch back,
 * checked by the CPU).  A page that moved after pinning would be read or
 * written at its old address: the CPU would see the difference.
 */
static int device_sweep(int f, uint32_t hr, unsigned char *R, uint64_t *rseed,
			uint32_t hs, unsigned char *S, char *why, size_t whylen)
{
	uint64_t nseed = et_rand();
	long bad;
	int e;

	memset(S, 0, PR_SIZE);
	e = et_copy(f, hr, 0, hs, 0, PR_SIZE);
	if (e || (bad = pat_diff(S, PR_SIZE, *rseed)) >= 0) {
		snprintf(why, whylen, "device read of the pinned region: %s, byte %ld",
			 tap_errname(e), e ? -1L : bad);
		return 0;
	}
	pat_fill(S, PR_SIZE, nseed);
	e = et_copy(f, hs, 0, hr, 0, PR_SIZE);
	if (e || (bad = pat_diff(R, PR_SIZE, nseed)) >= 0) {
		snprintf(why, whylen, "device write of the pinned region: %s, byte %ld",
			 tap_errname(e), e ? -1L : bad);
		return 0;
	}
	*rseed = nseed;
	cnt.dma_checks += 2;
	cnt.bytes_verified += 2 * PR_SIZE;
	return 1;
}

static void cases_pressure(void)
{
	unsigned char *R[PR_REGIONS], *S = et_map(PR_SIZE);
	uint64_t rseed[PR_REGIONS];
	uint32_t hr[PR_REGIONS], hs = 0;
	int f = fds[0], e = 0, p[2], q[2], status = 0, dead = 0, during = 0,
	    during_bad = 0, mem_bad;
	long want = -1, got = 0, avail = -1, leave = 48;
	char why[200] = "", dwhy[200] = "", line[64], lbuf[256];
	size_t lfill = 0;
	long long pins_reg;
	const char *env = getenv("EDUDMA_FAULTS_LEAVE_MB");
	pid_t pid;

	if (env && *env)
		leave = strtol(env, NULL, 0);
	tap_ok(write_oom_adj("-1000"), "pressure: this process has oom_score_adj -1000");
	e = S ? et_reg_rw(f, S, PR_SIZE, &hs) : ENOMEM;
	for (int i = 0; i < PR_REGIONS && !e; i++) {
		R[i] = et_map(PR_SIZE);
		if (!R[i]) {
			e = ENOMEM;
			break;
		}
		rseed[i] = et_rand();
		pat_fill(R[i], PR_SIZE, rseed[i]);
		e = et_reg_rw(f, R[i], PR_SIZE, &hr[i]);
	}
	pins_reg = et_pins() - pin_base;
	tap_ok(!e, "pressure: %d regions of %lu KiB registered and filled, pins %+lld (%s)",
	       PR_REGIONS, PR_SIZE / KiB, pins_reg, tap_errname(e));
	if (e) {
		for (int i = 0; i < 4; i++)
			tap_ok(0, "pressure: not run");
		return;
	}
	/* half of them get their data from the device before the pressure */
	for (int i = 0; i < PR_REGIONS && !e; i += 2)
		if (!device_sweep(f, hr[i], R[i], &rseed[i], hs, S, why, sizeof(why)))
			e = EIO;

	if (pipe(p) || pipe(q)) {
		for (int i = 0; i < 4; i++)
			tap_ok(0, "pressure: pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(q[1]);
		hog_child(p[1], q[0], leave);
	}
	close(p[1]);
	close(q[0]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	/* DMA on the pinned regions while the hog grows */
	for (int round = 0; !dead; round++) {
		ssize_t r = read(p[0], lbuf + lfill, sizeof(lbuf) - lfill - 1);
		char *nl;
		int done = 0;

		if (r > 0) {
			lfill += r;
			lbuf[lfill] = 0;
			while ((nl = strchr(lbuf, '\n'))) {
				*nl = 0;
				if (sscanf(lbuf, "want %ld avail %ld", &want, &avail) == 2)
					;
				else if (sscanf(lbuf, "got %ld", &got) == 1)
					;
				else if (sscanf(lbuf, "done %ld", &got) == 1)
					done = 1;
				lfill -= nl + 1 - lbuf;
				memmove(lbuf, nl + 1, lfill + 1);
			}
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			dead = 1;
		if (done)
			break;
		if (round < PR_DURING) {
			int i = round % PR_REGIONS;

			during++;
			if (!device_sweep(f, hr[i], R[i], &rseed[i], hs, S, line,
					  sizeof(line)) && !during_bad++)
				snprintf(dwhy, sizeof(dwhy), "%s", line);
		} else {
			usleep(20000);
		}
	}
	close(p[0]);
	cnt.hog_mib = got;
	/* with the hog still holding its memory: compaction, cache drop */
	write_proc("/proc/sys/vm/compact_memory", "1\n");
	write_proc("/proc/sys/vm/drop_caches", "3\n");
	mem_bad = 0;
	for (int i = 0; i < PR_REGIONS; i++)
		if (pat_diff(R[i], PR_SIZE, rseed[i]) >= 0)
			mem_bad++;
	e = 0;
	for (int i = 0; i < PR_REGIONS && !e; i++)
		if (!device_sweep(f, hr[i], R[i], &rseed[i], hs, S, why, sizeof(why)))
			e = EIO;
	/* let the hog go */
	close(q[1]);
	if (!dead)
		waitpid(pid, &status, 0);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		cnt.hog_oom = 1;
	tap_ok(got > 0 && (cnt.hog_oom || (got >= want && WIFEXITED(status) &&
					    WEXITSTATUS(status) == 0)),
	       "pressure: the hog touched %ld of %ld MiB (MemAvailable was %ld MiB, leave %ld) and %s",
	       got, want, avail, leave,
	       cnt.hog_oom ? "was killed by the OOM killer" : et_status_str(status));
	tap_ok(!during_bad && during > 0,
	       "pressure: %d device read+write sweeps of pinned regions while it grew, %d wrong%s%s",
	       during, during_bad, during_bad ? ": " : "", dwhy);
	tap_ok(!mem_bad && !e,
	       "pressure: then, after compaction and a cache drop, every pinned page holds its data for the CPU (%d regions wrong) and for the device (%s)",
	       mem_bad, e ? why : "every page read and written");
	e = et_dereg(f, hs);
	for (int i = 0; i < PR_REGIONS; i++) {
		int e2 = et_dereg(f, hr[i]);

		e = e ? e : e2;
		munmap(R[i], PR_SIZE);
	}
	munmap(S, PR_SIZE);
	tap_ok(!e && counters_back(why, sizeof(why)),
	       "pressure: the regions deregister (%s); %s", tap_errname(e), why);
}

/* ---- (d) fork() after registration ------------------------------------------ */

#define FK_SIZE	(16 * KiB)

static void cases_fork(void)
{
	unsigned char *R = et_map(FK_SIZE), *W = et_map(FK_SIZE), *Q = et_map(FK_SIZE);
	unsigned char *D = et_map(FK_SIZE);
	uint64_t sa = et_rand(), sb = et_rand(), sa2 = et_rand(), sp = et_rand(),
		 sq = et_rand();
	uint32_t hr, hw, hq, hd;
	int f = fds[0], c2p[2], p2c[2], rp[2], e, status = 0;
	char c = 0, why[200];
	long bad;
	pid_t pid;

	pat_fill(R, FK_SIZE, sa);	/* pattern A, device-read */
	pat_fill(W, FK_SIZE, sp);	/* P0, the device will write Q */
	pat_fill(Q, FK_SIZE, sq);
	memset(D, 0, FK_SIZE);
	{
		struct edudma_reg_mr r;

		e = et_reg(f, R, FK_SIZE, EDUDMA_ACCESS_DEV_READ, &r);
		hr = r.handle;
	}
	if (!e)
		e = et_reg_rw(f, W, FK_SIZE, &hw);
	if (!e)
		e = et_reg_rw(f, Q, FK_SIZE, &hq);
	if (!e)
		e = et_reg_rw(f, D, FK_SIZE, &hd);
	if (e || pipe(c2p) || pipe(p2c) || pipe(rp)) {
		for (int i = 0; i < 8; i++)
			tap_ok(0, "fork: set-up: %s", tap_errname(e ? e : errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(c2p[0]);
		close(p2c[1]);
		close(rp[0]);
		et_report_fd = rp[1];
		pat_fill(R, FK_SIZE, sb);	/* the child's copy: pattern B */
		if (write(c2p[1], "w", 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(1);
		/* the parent has DMAed into W (its pages) by now */
		et_report(pat_diff(W, FK_SIZE, sp) < 0,
			  "fork: the child's copy of the DEV_WRITE region still holds P0 after the device wrote the parent's");
		et_report(pat_diff(R, FK_SIZE, sb) < 0,
			  "fork: the child's copy of the DEV_READ region holds what the child wrote (B)");
		_exit(0);
	}
	close(c2p[1]);
	close(p2c[0]);
	close(rp[1]);
	e = read(c2p[0], &c, 1) == 1 ? 0 : EIO;	/* the child wrote B */
	if (!e)
		e = et_copy(f, hr, 0, hd, 0, FK_SIZE);
	bad = e ? -2 : pat_diff(D, FK_SIZE, sa);
	tap_ok(!e && bad < 0,
	       "fork: after the child wrote B into its copy, the device reads the parent's A (COPY %s, first byte not A: %ld)",
	       tap_errname(e), bad);
	e = et_to_dev(f, hr, 5000, 0, ET_MAX_XFER);
	memset(D, 0, ET_MAX_XFER);
	if (!e)
		e = et_from_dev(f, hd, 0, 0, ET_MAX_XFER);
	bad = 0;
	for (size_t i = 0; !e && i < ET_MAX_XFER; i++)
		if (D[i] != pat(sa, 5000 + i))
			bad = 1;
	tap_ok(!e && !bad, "fork: TO_DEV from the DEV_READ region then FROM_DEV sees A (%s%s)",
	       tap_errname(e), bad ? ", wrong bytes" : "");
	/* the device writes the parent's DEV_WRITE region */
	e = et_copy(f, hq, 0, hw, 0, FK_SIZE);
	bad = e ? -2 : pat_diff(W, FK_SIZE, sq);
	tap_ok(!e && bad < 0,
	       "fork: the device's write into the parent's DEV_WRITE region is seen by the parent (%s, byte %ld)",
	       tap_errname(e), bad);
	/* the parent writes its DEV_READ region after the fork */
	pat_fill(R, FK_SIZE, sa2);
	e = et_copy(f, hr, 0, hd, 0, FK_SIZE);
	bad = e ? -2 : pat_diff(D, FK_SIZE, sa2);
	tap_ok(!e && bad < 0,
	       "fork: the parent's own write after the fork reaches the device (%s, byte %ld)",
	       tap_errname(e), bad);
	cnt.dma_checks += 4;
	cnt.bytes_verified += 3 * FK_SIZE + ET_MAX_XFER;
	if (write(p2c[1], "g", 1) != 1)
		tap_diag("fork: could not wake the child");
	et_collect(rp[0], 2, "fork child");
	waitpid(pid, &status, 0);
	close(c2p[0]);
	close(p2c[1]);
	{
		struct edudma_stats st;

		et_stats(f, &st);
		e = 0;
		/* the child's exit must not release the parent's pins */
		if ((long long)st.regions != (long long)regions_base[0] + 4)
			e = EIO;
	}
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !e,
	       "fork: the child %s; the parent's 4 regions are still registered",
	       et_status_str(status));
	e = et_dereg(f, hr) | et_dereg(f, hw) | et_dereg(f, hq) | et_dereg(f, hd);
	tap_ok(!e && counters_back(why, sizeof(why)),
	       "fork: everything deregisters; %s", why);
	munmap(R, FK_SIZE);
	munmap(W, FK_SIZE);
	munmap(Q, FK_SIZE);
	munmap(D, FK_SIZE);
}

/* ---- (e) munmap of a registered range ---------------------------------------- */

static void cases_munmap(void)
{
	const size_t size = 16 * KiB;
	const long long np = size / ET_PAGE;
	unsigned char *P = et_map(size), *Z = et_map(size), *S = et_map(size), *N;
	uint64_t sx = et_rand(), sy = et_rand(), sz = et_rand();
	int f = fds[0], e, e2;
	uint32_t hp, hz, hs;
	long long pins0, pins1;
	char why[200];
	long bad;

	pat_fill(P, size, sx);
	pat_fill(Z, size, sz);
	e = et_reg_rw(f, P, size, &hp);
	if (!e)
		e = et_reg_rw(f, Z, size, &hz);
	if (!e)
		e = et_reg_rw(f, S, size, &hs);
	pins0 = et_pins() - pin_base;
	e2 = et_ret(munmap(P, size));
	pins1 = et_pins() - pin_base;
	tap_ok(!e && !e2 && pins1 == pins0 && pins0 >= 3 * np,
	       "munmap: a registered %zu KiB range is unmapped (%s); its %lld pages stay pinned (pins %+lld before, %+lld after)",
	       size / KiB, tap_errname(e ? e : e2), np, pins0, pins1);
	N = mmap(P, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (N != P) {
		tap_diag("munmap: the address did not come back (%p): %s", (void *)N,
			 strerror(errno));
		N = NULL;
	} else {
		pat_fill(N, size, sy);
	}
	/* the device reads the old pages: they still hold X */
	e = et_copy(f, hp, 0, hs, 0, size);
	bad = e ? -2 : pat_diff(S, size, sx);
	tap_ok(!e && bad < 0,
	       "munmap: the device reads the registration's old pages: X (%s, byte %ld)",
	       tap_errname(e), bad);
	/* the device writes them */
	e = et_copy(f, hz, 0, hp, 0, size);
	memset(S, 0, size);
	if (!e)
		e = et_copy(f, hp, 0, hs, 0, size);
	bad = e ? -2 : pat_diff(S, size, sz);
	tap_ok(!e && bad < 0,
	       "munmap: DMA into the unmapped registration works and reads back (%s, byte %ld)",
	       tap_errname(e), bad);
	bad = N ? pat_diff(N, size, sy) : -2;
	tap_ok(N && bad < 0,
	       "munmap: the new mapping at the same address is untouched by that DMA (byte %ld)",
	       bad);
	e = et_dereg(f, hp);
	pins1 = et_pins() - pin_base;
	tap_ok(!e && pins1 == pins0 - np,
	       "munmap: DEREG_MR of the unmapped range (%s) releases its %lld pins (%+lld -> %+lld)",
	       tap_errname(e), np, pins0, pins1);
	e = et_dereg(f, hz);
	e2 = et_dereg(f, hs);
	if (N)
		munmap(N, size);
	munmap(Z, size);
	munmap(S, size);
	cnt.dma_checks += 4;
	cnt.bytes_verified += 2 * size;
	tap_ok(!e && !e2 && counters_back(why, sizeof(why)),
	       "munmap: the rest deregisters; %s", why);
}

/* ---- (f) exec with the file open ------------------------------------------------- */

static void exec_case(int cloexec, const char *prog, const char *arg)
{
	const size_t size = 256 * KiB;
	int p[2], status = 0, n, held_ok;
	long long held;
	char c, why[200];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		tap_ok(0, "exec: pipe: %s", strerror(errno));
		tap_ok(0, "exec: not run");
		return;
	}
	pid = fork();
	if (pid == 0) {
		const char *path = et_dev_path(0);
		unsigned char *A = et_map(size);
		int f = path ? open(path, O_RDWR | (cloexec ? O_CLOEXEC : 0)) : -1;
		uint32_t ha, hb;

		close(p[0]);
		if (f < 0 || !A)
			_exit(2);
		et_fill(A, size);
		if (et_reg_rw(f, A, size / 2, &ha) ||
		    et_reg_rw(f, A + size / 2, size / 2, &hb))
			_exit(2);
		for (int i = 0; i < 4; i++) {
			struct edudma_xfer x = {
				.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
				.length = 8 * KiB, .cookie = i,
				.src_handle = ha, .src = i * 8 * KiB,
				.dst_handle = hb, .dst = i * 8 * KiB,
			};
			if (et_xfer(f, &x))
				_exit(2);
		}
		execl(prog, prog, arg, (char *)NULL);
		execlp(prog + 5, prog + 5, arg, (char *)NULL);	/* without /bin/ */
		_exit(127);
	}
	close(p[1]);
	n = (int)read(p[0], &c, 1);	/* EOF at the exec (or the exit) */
	close(p[0]);
	held = et_pins() - pin_base;
	/* without O_CLOEXEC the new program holds the file and its 64 pins */
	held_ok = cloexec ? 1 : held == 64;
	waitpid(pid, &status, 0);
	tap_ok(n == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && held_ok,
	       "exec%s: the child registered 2 x 128 KiB, queued 4 async COPYs and exec'd %s %s: %s%s (pins %+lld while it ran)",
	       cloexec ? " (O_CLOEXEC)" : "", prog, arg ? arg : "",
	       et_status_str(status), held_ok ? "" : ", pins not held", held);
	tap_ok(counters_back(why, sizeof(why)),
	       "exec%s: after the program exited everything came back: %s",
	       cloexec ? " (O_CLOEXEC)" : "", why);
}

/* guest time of one part (virtual under icount: edudma-testrun's limit) */
static void part_time(const char *what, long long *t)
{
	long long now = et_now_ms();

	tap_diag("%s: %lld ms of guest time", what, now - *t);
	*t = now;
}

/* ---- main ---------------------------------------------------------------------- */

int main(void)
{
	const char *env = getenv("EDUDMA_FAULTS_KILLS");
	int kills = env && *env ? atoi(env) : 100;
	struct edudma_stats st;
	long long t0 = et_now_ms(), t1 = t0;
	char why[200];

	ndev = et_ndevices();
	if (ndev < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(PLAN);
	et_seed_init();
	for (int i = 0; i < ndev; i++) {
		fds[i] = et_open(i, 0);
		if (fds[i] < 0 || et_stats(fds[i], &st)) {
			tap_diag("cannot open device %d: %s", i, strerror(errno));
			tap_finish();
		}
		regions_base[i] = st.regions;
	}
	pin_base = et_pins();

	cases_kill(kills);			/* 4 */
	part_time("kill -9", &t1);
	cases_memlock();			/* 5 */
	part_time("memlock", &t1);
	cases_pressure();			/* 6 */
	part_time("pressure", &t1);
	cases_fork();				/* 8 */
	cases_munmap();				/* 6 */
	part_time("fork and munmap", &t1);
	exec_case(0, "/bin/true", NULL);	/* 2 */
	exec_case(1, "/bin/true", NULL);	/* 2 */
	exec_case(0, "/bin/sleep", "1");	/* 2 */
	exec_case(1, "/bin/sleep", "1");	/* 2 */
	part_time("exec", &t1);
	{
		int ok = 1;

		for (int i = 0; i < ndev; i++)
			ok &= data_check(i, 9000, why, sizeof(why));
		tap_ok(ok, "every device passes a final data check (%s)", why);
	}
	for (int i = 0; i < ndev; i++)
		close(fds[i]);
	tap_ok(et_pins_settle(pin_base, 2000) == pin_base,
	       "at the end the pin counter is at the baseline (%+lld)",
	       et_pins() - pin_base);
	printf("# faults: kills %ld (%ld in set-up, %ld inside a transfer), child transfers %ld\n",
	       cnt.kills, cnt.kills_in_setup, cnt.kills_in_xfer, cnt.child_xfers);
	printf("# faults: memlock regions before ENOMEM %ld, hog MiB %ld, oom kills %ld\n",
	       cnt.memlock_regs, cnt.hog_mib, cnt.hog_oom);
	printf("# faults: pin checks %ld, data checks %ld, verified DMA checks %ld, bytes verified %llu\n",
	       cnt.pin_checks, cnt.data_checks, cnt.dma_checks,
	       (unsigned long long)cnt.bytes_verified);
	printf("# faults: guest time %lld ms\n", et_now_ms() - t0);
	tap_finish();
}
