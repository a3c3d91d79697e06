// SPDX-License-Identifier: GPL-2.0
/*
 * faults_pressure: memory pressure while regions are pinned.  A hog
 * (oom_score_adj 1000) takes all but 48 MiB (EDUDMA_FAULTS_LEAVE_MB) of
 * MemAvailable while regions are pinned and DMA runs; compaction is asked
 * for; every pinned page still holds its data, seen by the CPU and by the
 * device (the device reads and writes every page).  One case: the hog
 * takes a minute or two of guest time.  "# faults_pressure: ..." lines
 * give the counts.
 */
#include <signal.h>

#include "faults.h"

ET_PRECONDITION(et_need_device)

#define PR_REGIONS	4
#define PR_SIZE		(64 * KiB)	/* 4 x 16 pages; a sweep is 64 DMAs */
#define PR_DURING	4		/* sweeps while the hog grows, at most */

static int write_proc(const char *path, const char *v)
{
	int f = open(path, O_WRONLY);
	int ok;

	if (f < 0)
		return 0;
	ok = write(f, v, strlen(v)) == (ssize_t)strlen(v);
	close(f);
	return ok;
}

/* MemAvailable of /proc/meminfo in KiB, or -1. */
static long mem_available_kib(void)
{
	return (long)et_proc_value("/proc/meminfo", "MemAvailable:", 10);
}

/*
 * Writes the MiB touched so far as text lines; when done, holds the memory
 * until rfd reaches EOF (the parent closes it), then exits 0.
 */
static void __attribute__((noreturn))
hog_child(int wfd, int rfd, long leave_mib)
{
	long avail = mem_available_kib() / 1024, want = avail - leave_mib, got;
	char line[64];
	char *m;

	write_proc("/proc/self/oom_score_adj", "1000");
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

ET_FIXTURE(pressure) {
	struct fl_base b;
	int f;
	unsigned char *R[PR_REGIONS], *S;
	uint64_t rseed[PR_REGIONS];	/* the pattern each region holds */
	uint32_t hr[PR_REGIONS], hs;
	int nreg;			/* regions of R registered */
	long dma_checks;
	uint64_t bytes_verified;
	/* the hog */
	pid_t pid;
	int from_hog, to_hog, status, dead;
	long want, got, avail;
	char lbuf[256];
	size_t lfill;
};

/*
 * The device reads every page of region r (COPY into scratch, checked by
 * the CPU) and writes every page (COPY of a new pattern from scratch back,
 * checked by the CPU).  A page that moved after pinning would be read or
 * written at its old address: the CPU would see the difference.
 */
static int device_sweep(struct et_fx_pressure *self, int r, char *why,
			size_t whylen)
{
	uint64_t nseed = et_rand();
	long bad = -1;
	int e;

	memset(self->S, 0, PR_SIZE);
	e = et_copy(self->f, self->hr[r], 0, self->hs, 0, PR_SIZE);
	if (e || (bad = fl_pat_diff(self->S, PR_SIZE, self->rseed[r])) >= 0) {
		snprintf(why, whylen,
			 "device read of pinned region %d: %s, byte %ld", r,
			 et_errno_name(e), bad);
		return 0;
	}
	fl_pat_fill(self->S, PR_SIZE, nseed);
	e = et_copy(self->f, self->hs, 0, self->hr[r], 0, PR_SIZE);
	if (e || (bad = fl_pat_diff(self->R[r], PR_SIZE, nseed)) >= 0) {
		snprintf(why, whylen,
			 "device write of pinned region %d: %s, byte %ld", r,
			 et_errno_name(e), bad);
		return 0;
	}
	self->rseed[r] = nseed;
	self->dma_checks += 2;
	self->bytes_verified += 2 * PR_SIZE;
	return 1;
}

ET_SETUP(pressure)
{
	char why[200];
	int e;

	self->from_hog = self->to_hog = -1;
	self->pid = -1;
	self->want = self->avail = -1;
	fl_base_take(&self->b, 1);
	self->f = self->b.fd[0];
	ET_EXPECT(write_proc("/proc/self/oom_score_adj", "-1000"),
		  "this process could not set its oom_score_adj to -1000");
	self->S = et_map(PR_SIZE);
	ET_ASSERT(self->S, "out of memory");
	ET_ASSERT_ERRNO(et_reg_rw(self->f, self->S, PR_SIZE, &self->hs), 0,
			"REG_MR of the scratch region");
	for (self->nreg = 0; self->nreg < PR_REGIONS; self->nreg++) {
		int i = self->nreg;

		self->R[i] = et_map(PR_SIZE);
		ET_ASSERT(self->R[i], "out of memory");
		self->rseed[i] = et_rand();
		fl_pat_fill(self->R[i], PR_SIZE, self->rseed[i]);
		e = et_reg_rw(self->f, self->R[i], PR_SIZE, &self->hr[i]);
		ET_ASSERT(!e, "REG_MR of region %d of %lu KiB: %s", i,
			  PR_SIZE / KiB, et_errno_name(e));
	}
	et_note("%d regions of %lu KiB registered and filled, pins %+lld",
		PR_REGIONS, PR_SIZE / KiB, et_pins() - self->b.pins);
	/* half of them get their data from the device before the pressure */
	for (int i = 0; i < PR_REGIONS; i += 2)
		ET_EXPECT(device_sweep(self, i, why, sizeof(why)),
			  "before the pressure: %s", why);
}

ET_TEARDOWN(pressure)
{
	char why[200];
	int e;

	if (self->to_hog >= 0)
		close(self->to_hog);
	if (self->from_hog >= 0)
		close(self->from_hog);
	if (self->pid > 0 && !self->dead) {	/* the case ended early */
		kill(self->pid, SIGKILL);
		waitpid(self->pid, &self->status, 0);
	}
	e = et_dereg(self->f, self->hs);
	for (int i = 0; i < self->nreg; i++) {
		int e2 = et_dereg(self->f, self->hr[i]);

		e = e ? e : e2;
		munmap(self->R[i], PR_SIZE);
	}
	munmap(self->S, PR_SIZE);
	ET_EXPECT_ERRNO(e, 0, "DEREG_MR of the regions");
	ET_EXPECT(fl_counters_back(&self->b, why, sizeof(why)),
		  "after the regions were deregistered: %s", why);
	fl_base_close(&self->b);
}

/* Starts the hog, which leaves leave MiB of MemAvailable. */
static void hog_start(struct et_fx_pressure *self, long leave)
{
	int p[2], q[2];

	ET_ASSERT(!pipe(p) && !pipe(q), "pipe: %s", strerror(errno));
	self->pid = fork();
	ET_ASSERT(self->pid >= 0, "fork: %s", strerror(errno));
	if (self->pid == 0) {
		close(p[0]);
		close(q[1]);
		hog_child(p[1], q[0], leave);
	}
	close(p[1]);
	close(q[0]);
	self->from_hog = p[0];
	self->to_hog = q[1];
	fcntl(p[0], F_SETFL, O_NONBLOCK);
}

/* Reads what the hog said; 1 when it said it is done. */
static int hog_read(struct et_fx_pressure *self)
{
	ssize_t r = read(self->from_hog, self->lbuf + self->lfill,
			 sizeof(self->lbuf) - self->lfill - 1);
	char *nl, *l = self->lbuf;
	int done = 0;

	if (r <= 0)
		return 0;
	self->lfill += r;
	l[self->lfill] = 0;
	while ((nl = strchr(l, '\n'))) {
		*nl = 0;
		if (sscanf(l, "want %ld avail %ld", &self->want,
			   &self->avail) == 2)
			;
		else if (sscanf(l, "got %ld", &self->got) == 1)
			;
		else if (sscanf(l, "done %ld", &self->got) == 1)
			done = 1;
		self->lfill -= nl + 1 - l;
		memmove(l, nl + 1, self->lfill + 1);
	}
	return done;
}

/* Sweeps while the hog grows; the number of sweeps, *bad of them wrong. */
static int sweeps_while_growing(struct et_fx_pressure *self, int *bad,
				char *why, size_t whylen)
{
	char line[200];
	int during = 0;

	*bad = 0;
	for (int round = 0; !self->dead; round++) {
		int done = hog_read(self);

		if (waitpid(self->pid, &self->status, WNOHANG) == self->pid)
			self->dead = 1;
		if (done)
			break;
		if (round < PR_DURING) {
			during++;
			if (!device_sweep(self, round % PR_REGIONS, line,
					  sizeof(line)) && !(*bad)++)
				snprintf(why, whylen, "%s", line);
		} else {
			usleep(20000);
		}
	}
	return during;
}

ET_TEST_F(pressure, pinned_pages_keep_their_data_under_memory_pressure)
{
	const char *env = getenv("EDUDMA_FAULTS_LEAVE_MB");
	long leave = env && *env ? strtol(env, NULL, 0) : 48;
	char why[200] = "", dwhy[200] = "";
	long long t0 = et_now_ms();
	int during, during_bad, mem_bad = 0, sweep_bad = 0, oom;

	et_timeout(270);	/* the hog: 50 to 110 s of guest time */
	hog_start(self, leave);
	during = sweeps_while_growing(self, &during_bad, dwhy, sizeof(dwhy));
	close(self->from_hog);
	self->from_hog = -1;
	/* with the hog still holding its memory: compaction, cache drop */
	write_proc("/proc/sys/vm/compact_memory", "1\n");
	write_proc("/proc/sys/vm/drop_caches", "3\n");
	for (int i = 0; i < PR_REGIONS; i++)
		if (fl_pat_diff(self->R[i], PR_SIZE, self->rseed[i]) >= 0)
			mem_bad++;
	for (int i = 0; i < PR_REGIONS && !sweep_bad; i++)
		if (!device_sweep(self, i, why, sizeof(why)))
			sweep_bad = 1;
	/* let the hog go */
	close(self->to_hog);
	self->to_hog = -1;
	if (!self->dead)
		waitpid(self->pid, &self->status, 0);
	self->dead = 1;
	oom = WIFSIGNALED(self->status) && WTERMSIG(self->status) == SIGKILL;
	ET_EXPECT(self->got > 0 &&
		  (oom || (self->got >= self->want && WIFEXITED(self->status) &&
			   WEXITSTATUS(self->status) == 0)),
		  "the hog touched %ld of %ld MiB (MemAvailable was %ld MiB, leave %ld) and %s; expected all of it and exited 0, or killed by the OOM killer",
		  self->got, self->want, self->avail, leave,
		  et_status_str(self->status));
	ET_EXPECT(!during_bad && during > 0,
		  "%d device read+write sweeps of pinned regions while it grew, %d wrong: %s",
		  during, during_bad, dwhy);
	ET_EXPECT(!mem_bad,
		  "after compaction and a cache drop %d of %d pinned regions do not hold their data for the CPU",
		  mem_bad, PR_REGIONS);
	ET_EXPECT(!sweep_bad, "after compaction and a cache drop: %s", why);
	et_note("faults_pressure: hog MiB %ld, oom kills %d", self->got, oom);
	et_note("faults_pressure: verified DMA checks %ld, bytes verified %llu",
		self->dma_checks, (unsigned long long)self->bytes_verified);
	et_note("faults_pressure: guest time %lld ms", et_now_ms() - t0);
}
