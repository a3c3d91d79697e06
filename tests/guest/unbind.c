// SPDX-License-Identifier: GPL-2.0
/*
 * unbind: removal through sysfs (/sys/bus/pci/drivers/edudma/unbind, then
 * bind) while every kind of file operation is in flight on the device:
 *  - a process doing synchronous COPYs back to back,
 *  - a process with 8 async COPYs queued, an eventfd, reading records,
 *  - a process blocked in read() with nothing queued,
 *  - a process doing synchronous COPYs between on-demand registrations,
 *    each of them faulting (the memory dropped with MADV_DONTNEED first),
 *  - four pairs of processes, each pair on one file, one submitting async
 *    one-shot transfers without pause, the other reading their records
 *    (each read() frees the one-shot pins it took): in batches without
 *    pause, or one at a time with short pauses.
 * Each must end with ENODEV where uapi.md says so ("Surprise removal"),
 * every pin must come back once they exit, and the device bound again
 * must work.  Ten cycles, one case each, on the last device (a case
 * name, e.g. 'unbind_under_load_then_bind_again[3]', runs one cycle).
 * Concurrency bugs show best with --smp 2 and --iommu; the runner has a
 * suite for each.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/eventfd.h>

#include "edudma_test.h"

#define DRV	"/sys/bus/pci/drivers/edudma"
#define KiB	1024UL
#define CYCLES	10

/*
 * In a child of the case: fails the case with the reason (the runner's
 * shared page sees it from any process of the case), exit 1.
 */
#define child_fail(...)							\
	do {								\
		et_fail(__FILE__, __LINE__, __VA_ARGS__);		\
		fflush(stdout);						\
		_exit(1);						\
	} while (0)

static int open_dev(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		child_fail("open %s: %s", path, strerror(errno));
	return fd;
}

/* Reads records until read() fails; returns that errno. */
static int drain(int fd, int *records)
{
	struct edudma_completion c[8];
	ssize_t r;

	for (;;) {
		r = read(fd, c, sizeof(c));
		if (r < 0)
			return errno;
		*records += r / sizeof(c[0]);
	}
}

static void sync_copier(const char *path)
{
	const size_t size = 256 * KiB;
	unsigned char *a = et_map(size), *b = et_map(size);
	int fd = open_dev(path), e, n = 0;
	uint32_t ha, hb;

	memset(a, 0x21, size);
	if (et_reg_rw(fd, a, size, &ha) || et_reg_rw(fd, b, size, &hb))
		child_fail("sync copier: REG_MR: %s", strerror(errno));
	do {
		e = et_copy(fd, ha, 0, hb, 0, 64 * KiB);
		n++;
	} while (!e);
	if (e != ENODEV)
		child_fail("sync copier: COPY %d ended with %s, not ENODEV", n,
			   et_errno_name(e));
	e = et_dereg(fd, ha);
	if (e != ENODEV)
		child_fail("sync copier: DEREG_MR after removal: %s, not ENODEV",
			   et_errno_name(e));
	_exit(0);
}

static void async_queue(const char *path)
{
	const size_t size = 256 * KiB;
	unsigned char *a = et_map(size), *b = et_map(size);
	int fd = open_dev(path), efd = eventfd(0, 0), e, records = 0;
	uint32_t ha, hb;

	memset(a, 0x22, size);
	if (efd < 0 || et_set_eventfd(fd, efd) || et_reg_rw(fd, a, size, &ha) ||
	    et_reg_rw(fd, b, size, &hb))
		child_fail("async queue: set-up: %s", strerror(errno));
	for (int i = 0; i < 8; i++) {
		struct edudma_xfer x = {
			.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_ASYNC,
			.length = 32 * KiB, .src_handle = ha, .dst_handle = hb,
			.src = i * 32 * KiB, .dst = i * 32 * KiB, .cookie = i,
		};

		e = et_xfer(fd, &x);
		if (e == ENODEV)
			break;		/* removed already */
		if (e)
			child_fail("async queue: XFER %d: %s", i, et_errno_name(e));
	}
	e = drain(fd, &records);
	if (e != ENODEV)
		child_fail("async queue: read() ended with %s after %d records, not ENODEV",
			   et_errno_name(e), records);
	_exit(0);
}

/*
 * Synchronous COPYs between on-demand registrations of memory never
 * touched, with MADV_DONTNEED in between so that every COPY faults and
 * maps again, until the removal ends one with ENODEV.
 */
static void odp_copier(const char *path)
{
	const size_t size = 256 * KiB;
	unsigned char *a = et_map(size), *b = et_map(size);
	int fd = open_dev(path), e, n = 0;
	struct edudma_reg_mr ra, rb;

	if (et_reg(fd, a, size, ET_RW | EDUDMA_REG_ON_DEMAND, &ra) ||
	    et_reg(fd, b, size, ET_RW | EDUDMA_REG_ON_DEMAND, &rb))
		child_fail("on-demand copier: REG_MR: %s", strerror(errno));
	do {
		madvise(a, size, MADV_DONTNEED);
		madvise(b, size, MADV_DONTNEED);
		memset(a, 0x23, 32 * KiB);
		e = et_copy(fd, ra.handle, 0, rb.handle, 0, 32 * KiB);
		n++;
	} while (!e);
	if (e != ENODEV)
		child_fail("on-demand copier: COPY %d ended with %s, not ENODEV",
			   n, et_errno_name(e));
	_exit(0);
}

static void blocked_reader(const char *path)
{
	struct edudma_completion c;
	int fd = open_dev(path);
	ssize_t r = read(fd, &c, sizeof(c));

	if (r >= 0 || errno != ENODEV)
		child_fail("blocked reader: read() returned %zd (%s), not ENODEV",
			   r, r < 0 ? et_errno_name(errno) : "a record");
	_exit(0);
}

/*
 * A pair of processes on one file: one submits async one-shot transfers
 * without pause (waiting a moment on EAGAIN, max_inflight), the other
 * reads their records without pause, and each read() frees the one-shot
 * pins of the records it took, racing with the removal.
 */
#define NPAIRS	4
#define NPROCS	(4 + NPAIRS)
static const unsigned int pause_us[NPAIRS] = { 0, 100, 300, 1000 };

/*
 * COPY destinations, 4 pages each: so many that no more than 2 queued
 * COPYs (max_inflight 4096, every other transfer a COPY) map one at once.
 * DMA-API debug warns once a cacheline has 8 writable mappings at the
 * same time (Documentation/reliability.md, "The debug kernel").
 */
#define DST_AREAS	1024

static void oneshot_pair(const char *path, int which)
{
	const size_t size = 128 * KiB;	/* 32 pages: room for every source below */
	const size_t bsize = (DST_AREAS * 4 + 1) * ET_PAGE;
	unsigned char *a = et_map(size), *b = et_map(bsize);
	int fd = open_dev(path), e = 0, status;
	pid_t reader;

	memset(a, 0x30 + which, size);
	memset(b, 0, bsize);
	reader = fork();
	if (reader == 0) {
		struct edudma_completion c;
		int records = 0;

		/*
		 * The first pair reads in big batches without pause, the
		 * others one record at a time with pauses of their own, so
		 * that some reads go on while remove() runs.
		 */
		if (!pause_us[which]) {
			e = drain(fd, &records);
		} else {
			while (read(fd, &c, sizeof(c)) == sizeof(c)) {
				records++;
				usleep(pause_us[which]);
			}
			e = errno;
		}
		if (e != ENODEV)
			child_fail("one-shot reader %d: read() ended with %s after %d records, not ENODEV",
				   which, et_errno_name(e), records);
		_exit(0);
	}
	for (unsigned int i = 0; e != ENODEV; i++) {
		struct edudma_xfer x = {
			.flags = EDUDMA_XFER_ASYNC | EDUDMA_XFER_SRC_PTR,
			.cookie = i,
		};

		if (i & 1) {
			x.op = EDUDMA_OP_COPY;
			x.flags |= EDUDMA_XFER_DST_PTR;
			x.length = 3 * ET_PAGE + 100;
			x.src = (uintptr_t)a + (i % 8) * 4 * ET_PAGE + 17;
			x.dst = (uintptr_t)b + (i / 2 % DST_AREAS) * 4 * ET_PAGE + 5;
		} else {
			x.op = EDUDMA_OP_TO_DEV;
			x.length = 2000;
			x.src = (uintptr_t)a + (i % 16) * ET_PAGE + 3000;
		}
		e = et_xfer(fd, &x);
		if (e == EAGAIN)
			usleep(1000);
		else if (e && e != ENODEV)
			child_fail("one-shot submitter %d: XFER: %s", which,
				   et_errno_name(e));
	}
	if (waitpid(reader, &status, 0) != reader || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		child_fail("one-shot reader %d %s", which, et_status_str(status));
	_exit(0);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		e = errno;
	close(fd);
	return e;
}

/* Waits up to 60 s for the children; kills the rest.  Returns failures. */
static int reap_children(pid_t *pids, int n, char *why, size_t whylen)
{
	long long deadline = et_now_ms() + 60000;
	int left = n, failed = 0, status;

	while (left > 0 && et_now_ms() < deadline) {
		pid_t p = waitpid(-1, &status, WNOHANG);

		if (p <= 0) {
			usleep(5000);
			continue;
		}
		for (int i = 0; i < n; i++)
			if (pids[i] == p) {
				pids[i] = 0;
				left--;
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					failed++;
					if (!why[0])
						snprintf(why, whylen, "a child %s",
							 et_status_str(status));
				}
			}
	}
	for (int i = 0; i < n; i++)
		if (pids[i]) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &status, 0);
			failed++;
			if (!why[0])
				snprintf(why, whylen, "a child hung for 60 s");
		}
	return failed;
}

static const char *need_unbindable_device(void)
{
	char path[LAB_PATH + 16], bdf[64];

	return et_last_device(path, sizeof(path), bdf, sizeof(bdf));
}

ET_PRECONDITION(need_unbindable_device)

ET_FIXTURE(unbind) {
	char dev[LAB_PATH + 16];
	char bdf[64];
	long saved_inflight;
	long long base;		/* pins before the cycle */
};

ET_SETUP(unbind)
{
	const char *why = et_last_device(self->dev, sizeof(self->dev),
					   self->bdf, sizeof(self->bdf));

	ET_ASSERT(!why, "%s", why);
	et_timeout(120);	/* 60 s for the processes, then bind again */
	et_note("unbinding %s (%s)", self->dev, self->bdf);
	self->saved_inflight = 4096;
	et_param_get("max_inflight", &self->saved_inflight);
	/* the submitters queue this many each, so removal finds many records */
	ET_ASSERT_ERRNO(et_param_set("max_inflight", 256), 0,
			"max_inflight=256");
	self->base = et_pins();
}

ET_TEARDOWN(unbind)
{
	/* a cycle that stopped half-way leaves the device bound all the same */
	if (!et_dev_of_bdf(self->bdf)[0]) {
		write_file(DRV "/bind", self->bdf);
		for (int i = 0; i < 200 && !et_dev_of_bdf(self->bdf)[0]; i++)
			usleep(10000);
	}
	et_param_set("max_inflight", self->saved_inflight);
}

/* Forks every kind of user of dev (NPROCS processes, pairs counted once). */
static void start_users(const char *dev, pid_t *pids)
{
	for (int i = 0; i < NPROCS; i++) {
		pids[i] = fork();
		/* the ones started already end with the case's processes */
		ET_ASSERT(pids[i] >= 0, "fork: %s", strerror(errno));
		if (pids[i] != 0)
			continue;
		switch (i) {
		case 0: sync_copier(dev); break;
		case 1: async_queue(dev); break;
		case 2: blocked_reader(dev); break;
		case 3: odp_copier(dev); break;
		default: oneshot_pair(dev, i - 4); break;
		}
		_exit(0);	/* not reached: each of them exits */
	}
}

/*
 * One cycle: unbind under load (every process sees ENODEV and ends
 * cleanly), every pin back once they ended, bind again and copy: one
 * removal observed three ways.
 */
ET_TEST_N_F(unbind, unbind_under_load_then_bind_again, CYCLES)
{
	char why[256] = "", res[200] = "no device node";
	pid_t pids[NPROCS];
	long long t0, left;
	int failed, e, fd;

	start_users(self->dev, pids);
	usleep(400 * 1000);	/* everything is in flight */
	t0 = et_now_ms();
	e = write_file(DRV "/unbind", self->bdf);
	failed = reap_children(pids, NPROCS, why, sizeof(why));
	ET_EXPECT(!e && !failed,
		  "unbind %s under load (%s, %lld ms): %d of %d processes failed to see ENODEV and end cleanly%s%s",
		  self->dev, et_errno_name(e), et_now_ms() - t0, failed,
		  3 + 2 * NPAIRS, why[0] ? ": " : "", why);

	left = et_pins_settle(self->base, 5000) - self->base;
	ET_EXPECT(left == 0,
		  "%lld pins left once the processes ended, expected none",
		  left);

	e = write_file(DRV "/bind", self->bdf);
	for (int i = 0; i < 200 && !et_dev_of_bdf(self->bdf)[0]; i++)
		usleep(10000);
	snprintf(self->dev, sizeof(self->dev), "%s", et_dev_of_bdf(self->bdf));
	fd = self->dev[0] ? open(self->dev, O_RDWR | O_CLOEXEC) : -1;
	ET_EXPECT(!e && fd >= 0 && et_copy_check(fd, 5000, res, sizeof(res)),
		  "bind %s again (%s) as %s: %s", self->bdf, et_errno_name(e),
		  self->dev[0] ? self->dev : "?", res);
	if (fd >= 0)
		close(fd);
}
