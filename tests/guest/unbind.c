// SPDX-License-Identifier: GPL-2.0
/*
 * unbind: removal through sysfs (/sys/bus/pci/drivers/edudma/unbind, then
 * bind) while every kind of file operation is in flight on the device:
 *  - a process doing synchronous COPYs back to back,
 *  - a process with 8 async COPYs queued, an eventfd, reading records,
 *  - a process blocked in read() with nothing queued,
 *  - four pairs of processes, each pair on one file, one submitting async
 *    one-shot transfers without pause, the other reading their records
 *    (each read() frees the one-shot pins it took): in batches without
 *    pause, or one at a time with short pauses.
 * Each must end with ENODEV where uapi.md says so ("Surprise removal"),
 * every pin must come back once they exit, and the device bound again
 * must work.  EDUDMA_UNBIND_CYCLES (default 10) cycles, on the last
 * device.  Concurrency bugs show best with --smp 2 and --iommu; the
 * runner has a suite for each.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/eventfd.h>

#include "edudma_test.h"

#define DRV	"/sys/bus/pci/drivers/edudma"
#define KiB	1024UL

static char bdf[64];
static int report_pipe = -1;

/* In a child: the reason it failed, one line to the parent, exit 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
child_fail(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(report_pipe, line, n) < 0) {
		/* the parent sees the exit status */
	}
	_exit(1);
}

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
#define NPROCS	(3 + NPAIRS)
static const unsigned int pause_us[NPAIRS] = { 0, 100, 300, 1000 };

static void oneshot_pair(const char *path, int which)
{
	const size_t size = 128 * KiB;	/* 32 pages: room for every offset below */
	unsigned char *a = et_map(size), *b = et_map(size);
	int fd = open_dev(path), e = 0, status;
	pid_t reader;

	memset(a, 0x30 + which, size);
	memset(b, 0, size);
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
			x.dst = (uintptr_t)b + (i % 8) * 4 * ET_PAGE + 5;
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

/* The /dev node of the device bound at bdf, or "" (none yet). */
static const char *dev_of_bdf(void)
{
	static char path[LAB_PATH + 16];
	char dir[128];
	struct dirent *d;
	DIR *dp;

	path[0] = 0;
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/edudma", bdf);
	dp = opendir(dir);
	if (!dp)
		return path;
	while ((d = readdir(dp)))
		if (!strncmp(d->d_name, "edudma", 6)) {
			snprintf(path, sizeof(path), "/dev/%s", d->d_name);
			break;
		}
	closedir(dp);
	if (path[0] && !et_exists(path))
		path[0] = 0;
	return path;
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

int main(void)
{
	const char *cycles_env = getenv("EDUDMA_UNBIND_CYCLES");
	int cycles = cycles_env ? atoi(cycles_env) : 10;
	char link[256], target[256] = "", reasons[2048];
	long saved_inflight = 4096;
	const char *path;
	int p[2], n;
	long long base;

	if (cycles < 1 || cycles > 1000)
		cycles = 10;
	n = et_ndevices();
	if (n < 1)
		tap_skip_all("no edudma device");
	path = et_dev_path(n - 1);
	snprintf(link, sizeof(link), "/sys/class/edudma/%s/device", path + 5);
	if (readlink(link, target, sizeof(target) - 1) < 0)
		tap_skip_all("no PCI device link in sysfs");
	snprintf(bdf, sizeof(bdf), "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);

	tap_plan(3 * cycles + 1);
	tap_diag("unbinding %s (%s) %d times", path, bdf, cycles);
	base = et_pins();
	/* the submitters queue this many each, so removal finds many records */
	et_param_get("max_inflight", &saved_inflight);
	et_param_set("max_inflight", 256);

	for (int c = 1; c <= cycles; c++) {
		char why[256] = "", dev[LAB_PATH + 16];
		pid_t pids[NPROCS];
		long long t0;
		ssize_t r;
		int failed, e;

		snprintf(dev, sizeof(dev), "%s", dev_of_bdf());
		if (pipe(p)) {
			tap_ok(0, "cycle %d: pipe: %s", c, strerror(errno));
			break;
		}
		for (int i = 0; i < NPROCS; i++) {
			pids[i] = fork();
			if (pids[i] == 0) {
				close(p[0]);
				report_pipe = p[1];
				switch (i) {
				case 0: sync_copier(dev); break;
				case 1: async_queue(dev); break;
				case 2: blocked_reader(dev); break;
				default: oneshot_pair(dev, i - 3); break;
				}
			}
		}
		close(p[1]);
		usleep(400 * 1000);	/* everything is in flight */

		t0 = et_now_ms();
		e = write_file(DRV "/unbind", bdf);
		failed = reap_children(pids, NPROCS, why, sizeof(why));
		r = read(p[0], reasons, sizeof(reasons) - 1);
		reasons[r > 0 ? r : 0] = 0;
		reasons[strcspn(reasons, "\n")] = 0;
		close(p[0]);
		tap_ok(!e && !failed,
		       "cycle %d: unbind %s under load (%s, %lld ms): %d processes saw ENODEV and ended cleanly%s%s%s%s",
		       c, dev, et_errno_name(e), et_now_ms() - t0, 3 + 2 * NPAIRS,
		       failed ? ": " : "", why, reasons[0] ? ": " : "", reasons);

		tap_ok(et_pins_settle(base, 5000) == base,
		       "cycle %d: every pin came back once the processes ended (%lld left)",
		       c, et_pins() - base);

		e = write_file(DRV "/bind", bdf);
		for (int i = 0; i < 200 && !dev_of_bdf()[0]; i++)
			usleep(10000);
		snprintf(dev, sizeof(dev), "%s", dev_of_bdf());
		{
			char res[200] = "no device node";
			int fd = dev[0] ? open(dev, O_RDWR | O_CLOEXEC) : -1;
			int ok = fd >= 0 && et_copy_check(fd, 5000, res, sizeof(res));

			if (fd >= 0)
				close(fd);
			tap_ok(!e && ok, "cycle %d: bound again as %s (%s): %s", c,
			       dev[0] ? dev : "?", et_errno_name(e), res);
		}
	}
	et_param_set("max_inflight", saved_inflight);
	tap_ok(et_pins_settle(base, 5000) == base, "pin counters balance at the end");
	tap_finish();
}
