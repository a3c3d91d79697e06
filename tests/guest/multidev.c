// SPDX-License-Identifier: GPL-2.0
/*
 * multidev: two edu devices side by side.  COPYs verified on both at once
 * from two threads, the two DMA engines really working in parallel, each
 * device with its own buffer, handles and counters.
 */
#include <pthread.h>

#include "edudma_test.h"

#define PLAN 9
#define KiB 1024UL

struct job {
	int fd;			/* a file of the device */
	uint64_t seed;
	int good;		/* COPYs verified */
	char why[200];
};

/* Five COPYs of up to 20 KiB between two registrations, verified. */
static void *copy_job(void *arg)
{
	struct job *j = arg;

	j->good = et_copy_rounds(j->fd, 5, 20 * KiB, j->seed, j->why,
				 sizeof(j->why));
	close(j->fd);
	return NULL;
}

struct timed {
	int fd;
	uint32_t h;
	int err;
};

/* Ten COPYs of 4000 bytes, each side inside one page: 20 DMAs. */
static void *timed_job(void *arg)
{
	struct timed *t = arg;

	for (int i = 0; i < 10 && !t->err; i++)
		t->err = et_copy(t->fd, t->h, 0, t->h, ET_PAGE, 4000);
	return NULL;
}

int main(void)
{
	struct job jobs[2];
	struct timed tm[2];
	pthread_t th[2];
	unsigned char *buf[2], *back;
	struct edudma_device_info info[2];
	struct edudma_stats s0, s1;
	int fd[2], e, e2;
	long long t0, alone, both;

	if (et_ndevices() < 2)
		tap_skip_all("needs two devices (qemu/run --devices 2)");
	tap_plan(PLAN);
	et_seed_init();

	for (int i = 0; i < 2; i++) {
		jobs[i].fd = et_open(i, 0);
		jobs[i].seed = et_rand();
		pthread_create(&th[i], NULL, copy_job, &jobs[i]);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		tap_ok(jobs[i].good == 5, "%s: 5 COPYs while the other device copies too (%s)",
		       et_dev_path(i), jobs[i].why);
	}

	for (int i = 0; i < 2; i++) {
		fd[i] = et_open(i, 0);
		buf[i] = et_map(4 * ET_PAGE);
		et_fill(buf[i], 4 * ET_PAGE);
		e = et_reg_rw(fd[i], buf[i], 4 * ET_PAGE, &tm[i].h);
		if (e)
			tap_diag("REG_MR on %s: %s", et_dev_path(i), strerror(e));
		tm[i].fd = fd[i];
		tm[i].err = 0;
	}
	t0 = et_now_ms();
	timed_job(&tm[0]);
	alone = et_now_ms() - t0;
	t0 = et_now_ms();
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, timed_job, &tm[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	both = et_now_ms() - t0;
	tap_ok(!tm[0].err && !tm[1].err && both * 2 < alone * 3,
	       "the devices' DMAs overlap: 20 DMAs take %lld ms alone, 2 x 20 on two devices %lld ms (%s, %s)",
	       alone, both, tap_errname(tm[0].err), tap_errname(tm[1].err));

	/* each device has its own buffer */
	back = et_map(2 * ET_PAGE);
	e = et_to_dev(fd[0], tm[0].h, 0, 0, 4095);
	e2 = e ? e : et_to_dev(fd[1], tm[1].h, 0, 0, 4095);
	for (int i = 0; i < 2; i++) {
		int e3 = e2 ? e2 : et_from_dev_ptr(fd[i], back, 0, 4095);

		tap_ok(!e3 && et_diff(back, buf[i], 4095) < 0,
		       "%s's buffer holds what was written to it, not the other device's data (%s)",
		       et_dev_path(i), tap_errname(e3));
	}

	/* handles belong to the file (and device) that made them */
	{
		int f1 = et_open(1, 0);

		e = et_dereg(f1, tm[0].h);
		tap_ok(e == ENOENT, "DEREG_MR of an edudma0 handle on edudma1 -> ENOENT (%s)",
		       tap_errname(e));
		e = et_copy(f1, tm[0].h, 0, tm[0].h, ET_PAGE, 10);
		tap_ok(e == ENOENT, "COPY with an edudma0 handle on edudma1 -> ENOENT (%s)",
		       tap_errname(e));
		close(f1);
	}

	et_stats(fd[1], &s0);
	e = et_to_dev(fd[0], tm[0].h, 0, 0, 1000);
	et_stats(fd[1], &s1);
	tap_ok(!e && s1.bytes_to_dev == s0.bytes_to_dev &&
	       s1.dma_to_dev == s0.dma_to_dev && s1.xfers == s0.xfers,
	       "a transfer on edudma0 leaves edudma1's counters alone");

	e = et_info(fd[0], &info[0]);
	e2 = et_info(fd[1], &info[1]);
	{
		char want0[32], want1[32];

		snprintf(want0, sizeof(want0), "/dev/edudma%u", info[0].minor);
		snprintf(want1, sizeof(want1), "/dev/edudma%u", info[1].minor);
		tap_ok(!e && !e2 && info[0].minor != info[1].minor &&
		       !strcmp(want0, et_dev_path(0)) &&
		       !strcmp(want1, et_dev_path(1)) &&
		       (info[0].pci_bus != info[1].pci_bus ||
			info[0].pci_devfn != info[1].pci_devfn),
		       "GET_INFO: minors %u and %u match the nodes, PCI functions differ",
		       info[0].minor, info[1].minor);
	}
	for (int i = 0; i < 2; i++) {
		et_dereg(fd[i], tm[i].h);
		close(fd[i]);
	}
	tap_finish();
}
