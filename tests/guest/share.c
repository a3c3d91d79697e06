// SPDX-License-Identifier: GPL-2.0
/*
 * share: several files on one device.  COPYs from two files at once stay
 * correct (the engine gives each COPY chunk the buffer for its TO_DEV and
 * FROM_DEV together), and a small transfer on one file is not stuck behind
 * a long COPY of another (round robin at chunk boundaries).
 */
#include <pthread.h>

#include "edudma_test.h"

#define PLAN 5
#define KiB 1024UL

struct job {
	int fd;
	uint64_t seed;
	int good;		/* COPYs verified */
	char why[200];
};

/* Six COPYs of up to 12 KiB between two registrations, verified. */
static void *copy_job(void *arg)
{
	struct job *j = arg;

	j->good = et_copy_rounds(j->fd, 6, 12 * KiB, j->seed, j->why,
				 sizeof(j->why));
	return NULL;
}

int main(void)
{
	struct job jobs[2] = { { 0 } };
	struct edudma_completion c;
	struct pollfd p;
	pthread_t th[2];
	unsigned char *big, *small;
	uint32_t hbig, hsmall;
	int f1, f2, e, e2, pending;
	long long t0, dt;

	if (et_ndevices() < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(PLAN);
	et_seed_init();

	for (int i = 0; i < 2; i++) {
		jobs[i].fd = et_open(0, 0);
		jobs[i].seed = et_rand();
		pthread_create(&th[i], NULL, copy_job, &jobs[i]);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		tap_ok(jobs[i].good == 6,
		       "file %d: 6 COPYs while another file copies on the same device (%s)",
		       i + 1, jobs[i].why);
		close(jobs[i].fd);
	}

	/* a 64 KiB COPY (16 chunks, 3.2 s or more of device time) on file 1 */
	f1 = et_open(0, 0);
	f2 = et_open(0, 0);
	big = et_map(128 * KiB);
	small = et_map(ET_PAGE);
	et_fill(big, 128 * KiB);
	et_fill(small, ET_PAGE);
	e = et_reg_rw(f1, big, 128 * KiB, &hbig);
	e2 = et_reg_rw(f2, small, ET_PAGE, &hsmall);
	if (!e && !e2) {
		struct edudma_xfer x = {
			.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
			.length = 64 * KiB, .cookie = 1, .src_handle = hbig,
			.src = 0, .dst_handle = hbig, .dst = 64 * KiB,
		};

		e = et_xfer(f1, &x);
	}
	usleep(150000);		/* let it get going */
	t0 = et_now_ms();
	if (!e && !e2)
		e2 = et_to_dev(f2, hsmall, 0, 0, 100);
	dt = et_now_ms() - t0;
	p.fd = f1;
	p.events = POLLIN;
	pending = poll(&p, 1, 0) == 0;
	tap_ok(!e && !e2 && dt < 1000,
	       "a 100-byte TO_DEV on file 2 finishes in %lld ms while file 1 runs a 64 KiB COPY (%s, %s)",
	       dt, tap_errname(e), tap_errname(e2));
	tap_ok(pending, "... before that COPY has completed (round robin, not FIFO across files)");
	e = read(f1, &c, sizeof(c)) == sizeof(c) ? 0 : errno;
	tap_ok(!e && c.cookie == 1 && c.status == 0 &&
	       et_diff(big + 64 * KiB, big, 64 * KiB) < 0,
	       "the 64 KiB COPY completes right (%s, status %d)", tap_errname(e),
	       c.status);
	close(f1);
	close(f2);
	tap_finish();
}
