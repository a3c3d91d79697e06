// SPDX-License-Identifier: GPL-2.0
/*
 * multidev: two edu devices side by side.  COPYs verified on both at once
 * from two threads, the two DMA engines really working in parallel, each
 * device with its own buffer, handles and counters.
 */
#include <pthread.h>

#include "edudma_test.h"

#define KiB 1024UL

static const char *need_two_devices(void)
{
	return et_ndevices() < 2 ? "needs two devices (qemu/run --devices 2)" :
				   NULL;
}

ET_PRECONDITION(need_two_devices)

/* ---- COPYs on both devices at once ------------------------------------- */

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
	return NULL;
}

struct dev_row {
	const char *name;
	int dev;		/* the device whose result is checked */
};

static const struct dev_row copy_rows[] = {
	{ .name = "edudma0_copies_while_edudma1_copies", .dev = 0, },
	{ .name = "edudma1_copies_while_edudma0_copies", .dev = 1, },
};

ET_TABLE(copies_on_both, struct dev_row, copy_rows)
{
	struct job jobs[2] = { { 0 } };
	pthread_t th[2];

	for (int i = 0; i < 2; i++) {
		jobs[i].fd = et_open(i, 0);
		ET_ASSERT(jobs[i].fd >= 0, "open %s: %s", et_dev_path(i),
			  strerror(errno));
	}
	for (int i = 0; i < 2; i++) {
		jobs[i].seed = et_rand();
		pthread_create(&th[i], NULL, copy_job, &jobs[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ET_EXPECT(jobs[row->dev].good == 5,
		  "%s: %d of 5 COPYs right while the other device copies too (%s)",
		  et_dev_path(row->dev), jobs[row->dev].good,
		  jobs[row->dev].why);
	close(jobs[0].fd);
	close(jobs[1].fd);
}

/* ---- a file and a registration of 4 pages on each device ----------------- */

ET_FIXTURE(both) {
	int fd[2];
	unsigned char *buf[2];
	uint32_t h[2];
	int err[2];		/* of the timed jobs */
};

ET_SETUP(both)
{
	for (int i = 0; i < 2; i++) {
		self->fd[i] = et_open(i, 0);
		ET_ASSERT(self->fd[i] >= 0, "open %s: %s", et_dev_path(i),
			  strerror(errno));
		self->buf[i] = et_map(4 * ET_PAGE);
		ET_ASSERT(self->buf[i], "out of memory");
		et_fill(self->buf[i], 4 * ET_PAGE);
		ET_ASSERT_ERRNO(et_reg_rw(self->fd[i], self->buf[i],
					  4 * ET_PAGE, &self->h[i]), 0,
				"REG_MR of 4 pages");
	}
}

ET_TEARDOWN(both)
{
	for (int i = 0; i < 2; i++) {
		et_dereg(self->fd[i], self->h[i]);
		close(self->fd[i]);
		munmap(self->buf[i], 4 * ET_PAGE);
	}
}

struct timed {
	struct et_fx_both *fx;
	int dev;
};

/* Ten COPYs of 4000 bytes, each side inside one page: 20 DMAs. */
static void *timed_job(void *arg)
{
	struct timed *t = arg;
	struct et_fx_both *fx = t->fx;
	int i = t->dev;

	for (int k = 0; k < 10 && !fx->err[i]; k++)
		fx->err[i] = et_copy(fx->fd[i], fx->h[i], 0, fx->h[i], ET_PAGE,
				     4000);
	return NULL;
}

ET_TEST_F(both, the_two_devices_DMAs_overlap)
{
	struct timed t[2] = { { self, 0 }, { self, 1 } };
	long long t0, alone, both;
	pthread_t th[2];

	t0 = et_now_ms();
	timed_job(&t[0]);
	alone = et_now_ms() - t0;
	ET_ASSERT_ERRNO(self->err[0], 0, "20 DMAs on edudma0 alone");
	t0 = et_now_ms();
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, timed_job, &t[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	both = et_now_ms() - t0;
	ET_EXPECT_ERRNO(self->err[0], 0, "20 DMAs on edudma0 beside edudma1");
	ET_EXPECT_ERRNO(self->err[1], 0, "20 DMAs on edudma1 beside edudma0");
	ET_EXPECT(both * 2 < alone * 3,
		  "20 DMAs take %lld ms alone, 2 x 20 on two devices %lld ms: expected less than 1.5 x",
		  alone, both);
}

static const struct dev_row buffer_rows[] = {
	{ .name = "edudma0_buffer_holds_its_own_data", .dev = 0, },
	{ .name = "edudma1_buffer_holds_its_own_data", .dev = 1, },
};

/* Both device buffers written, one read back: not the other's data. */
ET_TABLE_F(both, own_buffer, struct dev_row, buffer_rows)
{
	unsigned char *back = et_map(2 * ET_PAGE);
	int i = row->dev;
	long bad;

	ET_ASSERT(back, "out of memory");
	ET_ASSERT_ERRNO(et_to_dev(self->fd[0], self->h[0], 0, 0, 4095), 0,
			"TO_DEV of 4095 bytes on edudma0");
	ET_ASSERT_ERRNO(et_to_dev(self->fd[1], self->h[1], 0, 0, 4095), 0,
			"TO_DEV of 4095 bytes on edudma1");
	ET_ASSERT_ERRNO(et_from_dev_ptr(self->fd[i], back, 0, 4095), 0,
			"FROM_DEV of 4095 bytes");
	bad = et_diff(back, self->buf[i], 4095);
	ET_EXPECT(bad < 0,
		  "%s's buffer: byte %ld is 0x%02x, not 0x%02x (what was written to it)",
		  et_dev_path(i), bad, bad < 0 ? 0 : back[bad],
		  bad < 0 ? 0 : self->buf[i][bad]);
	munmap(back, 2 * ET_PAGE);
}

/* handles belong to the file (and device) that made them */
ET_TEST_F(both, DEREG_MR_of_an_edudma0_handle_on_edudma1_is_ENOENT)
{
	int f1 = et_open(1, 0);

	ET_ASSERT(f1 >= 0, "open %s: %s", et_dev_path(1), strerror(errno));
	ET_EXPECT_ERRNO(et_dereg(f1, self->h[0]), ENOENT,
			"DEREG_MR of an edudma0 handle on edudma1");
	close(f1);
}

ET_TEST_F(both, COPY_with_an_edudma0_handle_on_edudma1_is_ENOENT)
{
	int f1 = et_open(1, 0);

	ET_ASSERT(f1 >= 0, "open %s: %s", et_dev_path(1), strerror(errno));
	ET_EXPECT_ERRNO(et_copy(f1, self->h[0], 0, self->h[0], ET_PAGE, 10),
			ENOENT, "COPY with an edudma0 handle on edudma1");
	close(f1);
}

ET_TEST_F(both, a_transfer_on_edudma0_leaves_edudma1_counters_alone)
{
	struct edudma_stats s0, s1;

	ET_ASSERT_ERRNO(et_stats(self->fd[1], &s0), 0, "GET_STATS before");
	ET_EXPECT_ERRNO(et_to_dev(self->fd[0], self->h[0], 0, 0, 1000), 0,
			"TO_DEV of 1000 bytes on edudma0");
	ET_ASSERT_ERRNO(et_stats(self->fd[1], &s1), 0, "GET_STATS after");
	ET_EXPECT(s1.bytes_to_dev == s0.bytes_to_dev &&
		  s1.dma_to_dev == s0.dma_to_dev && s1.xfers == s0.xfers,
		  "edudma1's counters moved: bytes_to_dev %+lld, dma_to_dev %+lld, xfers %+lld",
		  (long long)(s1.bytes_to_dev - s0.bytes_to_dev),
		  (long long)(s1.dma_to_dev - s0.dma_to_dev),
		  (long long)(s1.xfers - s0.xfers));
}

ET_TEST_F(both, GET_INFO_minors_match_the_nodes_and_PCI_functions_differ)
{
	struct edudma_device_info info[2];
	char want[2][32];

	for (int i = 0; i < 2; i++) {
		ET_ASSERT_ERRNO(et_info(self->fd[i], &info[i]), 0, "GET_INFO");
		snprintf(want[i], sizeof(want[i]), "/dev/edudma%u",
			 info[i].minor);
		ET_EXPECT(!strcmp(want[i], et_dev_path(i)),
			  "GET_INFO on %s: minor %u", et_dev_path(i),
			  info[i].minor);
	}
	ET_EXPECT(info[0].minor != info[1].minor,
		  "both devices have minor %u", info[0].minor);
	ET_EXPECT(info[0].pci_bus != info[1].pci_bus ||
		  info[0].pci_devfn != info[1].pci_devfn,
		  "both devices are PCI function %02x:%02x.%x",
		  info[0].pci_bus, info[0].pci_devfn >> 3,
		  info[0].pci_devfn & 7);
}
