// SPDX-License-Identifier: GPL-2.0
/*
 * odp_life: on-demand registrations at the edges of a process's life and
 * of memory's: KSM merging identical pages, then a device write (it must
 * land in a page of its own, never in the page KSM shares), and a process
 * that exits, or is killed, with faulting transfers queued (everything
 * ends, nothing stays mapped or pinned).  Device removal under on-demand
 * transfers is in unbind.c.
 */
#include <signal.h>

#include "edudma_test.h"

#define KiB 1024UL
#define ODP (EDUDMA_REG_ON_DEMAND | ET_RW)
#define KSM "/sys/kernel/mm/ksm/"

ET_PRECONDITION(et_need_device)

/* ---- KSM ------------------------------------------------------------------ */

ET_FIXTURE(ksm) {
	long run, scan, sleep_ms;	/* KSM's settings before */
};

ET_SETUP(ksm)
{
	if (!et_exists(ET_KSM_RUN))
		ET_SKIP("no KSM in this kernel (CONFIG_KSM)");
	self->run = et_file_long(KSM "run");
	self->scan = et_file_long(KSM "pages_to_scan");
	self->sleep_ms = et_file_long(KSM "sleep_millisecs");
	et_file_put(KSM "pages_to_scan", "4000");
	et_file_put(KSM "sleep_millisecs", "1");
	ET_ASSERT(!et_file_put(KSM "run", "1"), "cannot start ksmd");
}

ET_TEARDOWN(ksm)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", self->scan);
	et_file_put(KSM "pages_to_scan", buf);
	snprintf(buf, sizeof(buf), "%ld", self->sleep_ms);
	et_file_put(KSM "sleep_millisecs", buf);
	/* 2: unmerge everything, then the old mode */
	et_file_put(KSM "run", "2");
	snprintf(buf, sizeof(buf), "%ld", self->run);
	et_file_put(KSM "run", buf);
}

/* Waits up to 20 s until pages 0 .. n-1 of buf share one frame. */
static int merged(unsigned char *buf, int n)
{
	for (int t = 0; t < 2000; t++) {
		uint64_t f = et_pfn(buf);
		int same = f != 0;

		for (int i = 1; i < n && same; i++)
			same = et_pfn(buf + i * ET_PAGE) == f;
		if (same)
			return 1;
		usleep(10000);
	}
	return 0;
}

#define KSM_PAGES 8
#define KSM_ROUNDS 6

ET_TEST_F(ksm, a_device_write_into_a_KSM_page_lands_in_a_page_of_its_own)
{
	unsigned char *buf = et_map(KSM_PAGES * ET_PAGE), stamp[100];
	int fd = et_open(0, 0), rounds = 0;
	struct edudma_reg_mr r;

	ET_ASSERT(buf && fd >= 0, "setup");
	memset(buf, 0x77, KSM_PAGES * ET_PAGE);
	ET_ASSERT(!madvise(buf, KSM_PAGES * ET_PAGE, MADV_MERGEABLE),
		  "MADV_MERGEABLE: %s", strerror(errno));
	ET_ASSERT_ERRNO(et_reg(fd, buf, KSM_PAGES * ET_PAGE, ODP, &r), 0,
			"REG_MR on demand");
	et_timeout(60 + 30 * KSM_ROUNDS);
	for (int k = 0; k < KSM_ROUNDS; k++) {
		memset(buf, 0x77, ET_PAGE);	/* page 0 like the others again */
		if (!merged(buf, KSM_PAGES))
			break;
		/* the device reads the shared page, then writes page 0 */
		ET_ASSERT_ERRNO(et_to_dev(fd, r.handle, ET_PAGE + 5, 0, 1000),
				0, "TO_DEV from a merged page");
		et_fill(stamp, sizeof(stamp));
		ET_ASSERT_ERRNO(et_to_dev_ptr(fd, stamp, 0, sizeof(stamp)), 0,
				"load");
		ET_ASSERT_ERRNO(et_from_dev(fd, r.handle, 10, 0, sizeof(stamp)),
				0, "FROM_DEV into merged page 0");
		ET_EXPECT(!memcmp(buf + 10, stamp, sizeof(stamp)),
			  "round %d: page 0 does not hold the device's bytes", k);
		for (size_t i = ET_PAGE; i < KSM_PAGES * ET_PAGE; i++)
			if (buf[i] != 0x77) {
				ET_EXPECT(0, "round %d: byte %zu of the other pages changed (%#x): the device wrote the shared page",
					  k, i, buf[i]);
				break;
			}
		ET_EXPECT(et_pfn(buf) != et_pfn(buf + ET_PAGE),
			  "round %d: page 0 still shares page 1's frame", k);
		rounds++;
	}
	et_note("KSM: %d of %d rounds merged and written", rounds, KSM_ROUNDS);
	ET_EXPECT(rounds == KSM_ROUNDS, "ksmd merged the pages in %d of %d rounds",
		  rounds, KSM_ROUNDS);
	close(fd);
}

/* ---- exit and kill with transfers queued ------------------------------------ */

/* A child queues 64 faulting COPYs on fresh memory and exits, or is killed. */
static void exit_with_queue(int kill_it)
{
	struct edudma_stats st;
	int p[2], status, fd;
	pid_t pid;
	char c;

	ET_ASSERT(!pipe(p), "pipe");
	pid = fork();
	ET_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		const size_t size = 512 * KiB;
		unsigned char *buf = et_map(size);
		struct edudma_reg_mr r;
		int cfd = et_open(0, 0);

		if (!buf || cfd < 0 || et_reg(cfd, buf, size, ODP, &r))
			_exit(2);
		for (int i = 0; i < 64; i++) {
			struct edudma_xfer x = {
				.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
				.src_handle = r.handle, .dst_handle = r.handle,
				.src = (uint64_t)i * 4 * KiB,
				.dst = size / 2 + (uint64_t)i * 4 * KiB,
				.length = 4 * KiB, .cookie = i,
			};

			if (et_xfer(cfd, &x))
				_exit(3);
		}
		if (write(p[1], "q", 1) != 1)
			_exit(4);
		if (kill_it)
			pause();
		_exit(0);
	}
	close(p[1]);
	ET_ASSERT(read(p[0], &c, 1) == 1, "the child did not queue its transfers");
	close(p[0]);
	if (kill_it)
		kill(pid, SIGKILL);
	ET_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	ET_EXPECT(kill_it ? WIFSIGNALED(status) :
			    WIFEXITED(status) && !WEXITSTATUS(status),
		  "the child %s", et_status_str(status));
	fd = et_open(0, 0);
	ET_ASSERT(fd >= 0, "open");
	ET_ASSERT_ERRNO(et_stats(fd, &st), 0, "GET_STATS");
	ET_EXPECT(st.queue_depth == 0 && st.regions == 0 &&
		  st.odp_pages_mapped == 0,
		  "after the child: queue_depth %llu, regions %llu, odp_pages_mapped %llu; want 0",
		  (unsigned long long)st.queue_depth,
		  (unsigned long long)st.regions,
		  (unsigned long long)st.odp_pages_mapped);
	close(fd);
	et_expect_copy_every_device("after the child");
}

ET_TEST(exit_with_faulting_transfers_queued)
{
	exit_with_queue(0);
}

ET_TEST(kill_9_with_faulting_transfers_queued)
{
	exit_with_queue(1);
}
