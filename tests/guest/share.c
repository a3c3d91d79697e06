// SPDX-License-Identifier: GPL-2.0
/*
 * share: several files on one device.  COPYs from two files at once stay
 * correct (the engine gives each COPY chunk the buffer for its TO_DEV and
 * FROM_DEV together), and a small transfer on one file is not stuck behind
 * a long COPY of another (round robin at chunk boundaries).
 */
#include <pthread.h>

#include "edudma_test.h"

#define KiB 1024UL

ET_PRECONDITION(et_need_device)

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

/* The file of thread i: 6 COPYs while the other file copies too. */
static void copy_beside_another(unsigned int i)
{
	struct job jobs[2] = { { 0 } };
	pthread_t th[2];

	for (int k = 0; k < 2; k++) {
		jobs[k].fd = et_open(0, 0);
		ET_ASSERT(jobs[k].fd >= 0, "open: %s", strerror(errno));
		jobs[k].seed = et_rand();
		pthread_create(&th[k], NULL, copy_job, &jobs[k]);
	}
	for (int k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	ET_EXPECT(jobs[i].good == 6, "file %u: %d of 6 COPYs right (%s)",
		  i + 1, jobs[i].good, jobs[i].why);
	close(jobs[0].fd);
	close(jobs[1].fd);
}

ET_TEST(file_1_copies_while_file_2_copies_on_the_same_device)
{
	copy_beside_another(0);
}

ET_TEST(file_2_copies_while_file_1_copies_on_the_same_device)
{
	copy_beside_another(1);
}

/*
 * A 64 KiB COPY (16 chunks, 3.2 s or more of device time) runs on file 1;
 * a 100-byte TO_DEV on file 2 meanwhile.
 */
ET_FIXTURE(long_copy) {
	int f1, f2;
	unsigned char *big, *small;
	uint32_t hbig, hsmall;
	long long small_ms;	/* the TO_DEV's time */
	int small_err;
	int copy_pending;	/* the COPY had not completed after it */
};

ET_SETUP(long_copy)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
		.length = 64 * KiB, .cookie = 1, .src = 0, .dst = 64 * KiB,
	};
	struct pollfd p;
	long long t0;

	self->f1 = et_open(0, 0);
	self->f2 = et_open(0, 0);
	ET_ASSERT(self->f1 >= 0 && self->f2 >= 0, "open: %s", strerror(errno));
	self->big = et_map(128 * KiB);
	self->small = et_map(ET_PAGE);
	ET_ASSERT(self->big && self->small, "out of memory");
	et_fill(self->big, 128 * KiB);
	et_fill(self->small, ET_PAGE);
	ET_ASSERT_ERRNO(et_reg_rw(self->f1, self->big, 128 * KiB, &self->hbig),
			0, "REG_MR 128 KiB on file 1");
	ET_ASSERT_ERRNO(et_reg_rw(self->f2, self->small, ET_PAGE,
				  &self->hsmall), 0, "REG_MR 4 KiB on file 2");
	x.src_handle = self->hbig;
	x.dst_handle = self->hbig;
	ET_ASSERT_ERRNO(et_xfer(self->f1, &x), 0, "async COPY of 64 KiB");
	usleep(150000);		/* let it get going */
	t0 = et_now_ms();
	self->small_err = et_to_dev(self->f2, self->hsmall, 0, 0, 100);
	self->small_ms = et_now_ms() - t0;
	p.fd = self->f1;
	p.events = POLLIN;
	self->copy_pending = poll(&p, 1, 0) == 0;
}

ET_TEARDOWN(long_copy)
{
	close(self->f1);
	close(self->f2);
}

ET_TEST_F(long_copy, a_small_TO_DEV_on_file_2_finishes_within_1_s)
{
	ET_EXPECT_ERRNO(self->small_err, 0, "100-byte TO_DEV on file 2");
	ET_EXPECT(self->small_ms < 1000, "it took %lld ms", self->small_ms);
}

ET_TEST_F(long_copy, before_file_1s_COPY_completed)
{
	ET_EXPECT(self->copy_pending,
		  "the COPY had completed: FIFO across files, not round robin");
}

ET_TEST_F(long_copy, the_long_COPY_completes_right)
{
	struct edudma_completion c;
	int e;

	e = read(self->f1, &c, sizeof(c)) == sizeof(c) ? 0 : errno;
	ET_ASSERT_ERRNO(e, 0, "read of the COPY's completion");
	ET_EXPECT(c.cookie == 1 && c.status == 0, "cookie %llu, status %d",
		  (unsigned long long)c.cookie, c.status);
	ET_EXPECT(et_diff(self->big + 64 * KiB, self->big, 64 * KiB) < 0,
		  "the destination differs from the source");
}
