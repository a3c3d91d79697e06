// SPDX-License-Identifier: GPL-2.0
/*
 * faults_fork: fork() after registration.  The pinned pages stay the
 * parent's: the child's writes do not reach the device, the device's
 * writes do not reach the child, the parent's own writes after the fork
 * do, and the child's exit leaves the parent's registrations alone.
 *
 * Each case registers four regions of 16 KiB (R: DEV_READ, pattern A;
 * W: the device writes it; Q: what it writes; D: where the device's reads
 * land), forks, and the child writes pattern B into its copy of R.
 */
#include <signal.h>

#include "faults.h"

ET_PRECONDITION(et_need_device)

#define FK_SIZE	(16 * KiB)

/* What the child saw after the parent was done, one byte each. */
struct fk_report {
	unsigned char w_kept;	/* its W still holds P0 */
	unsigned char r_own;	/* its R holds B */
};

ET_FIXTURE(forked) {
	struct fl_base b;
	int f;
	unsigned char *R, *W, *Q, *D;
	uint32_t hr, hw, hq, hd;
	int registered;		/* the four handles are registered */
	uint64_t sa, sb, sp, sq;	/* A, B, P0 (W), Q */
	pid_t pid;
	int go, report;		/* to the child, from the child */
};

/*
 * The child: writes B into its R, says so, waits for the parent's go,
 * then reports what its W and R hold and exits 0.
 */
static void __attribute__((noreturn))
fk_child(struct et_fx_forked *self, int ready, int go, int report)
{
	struct fk_report rep;
	char c = 0;

	fl_pat_fill(self->R, FK_SIZE, self->sb);
	if (write(ready, "w", 1) != 1 || read(go, &c, 1) != 1)
		_exit(1);
	rep.w_kept = fl_pat_diff(self->W, FK_SIZE, self->sp) < 0;
	rep.r_own = fl_pat_diff(self->R, FK_SIZE, self->sb) < 0;
	if (write(report, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	_exit(0);
}

ET_SETUP(forked)
{
	struct edudma_reg_mr r;
	int c2p[2], p2c[2], rp[2];
	char c;

	self->pid = -1;
	signal(SIGPIPE, SIG_IGN);	/* a child that died: EPIPE, not a kill */
	fl_base_take(&self->b, 1);
	self->f = self->b.fd[0];
	self->R = et_map(FK_SIZE);
	self->W = et_map(FK_SIZE);
	self->Q = et_map(FK_SIZE);
	self->D = et_map(FK_SIZE);
	ET_ASSERT(self->R && self->W && self->Q && self->D, "out of memory");
	self->sa = et_rand();
	self->sb = et_rand();
	self->sp = et_rand();
	self->sq = et_rand();
	fl_pat_fill(self->R, FK_SIZE, self->sa);
	fl_pat_fill(self->W, FK_SIZE, self->sp);
	fl_pat_fill(self->Q, FK_SIZE, self->sq);
	memset(self->D, 0, FK_SIZE);
	ET_ASSERT_ERRNO(et_reg(self->f, self->R, FK_SIZE,
			       EDUDMA_ACCESS_DEV_READ, &r), 0,
			"REG_MR of R, DEV_READ");
	self->hr = r.handle;
	ET_ASSERT_ERRNO(et_reg_rw(self->f, self->W, FK_SIZE, &self->hw), 0,
			"REG_MR of W");
	ET_ASSERT_ERRNO(et_reg_rw(self->f, self->Q, FK_SIZE, &self->hq), 0,
			"REG_MR of Q");
	ET_ASSERT_ERRNO(et_reg_rw(self->f, self->D, FK_SIZE, &self->hd), 0,
			"REG_MR of D");
	self->registered = 1;
	ET_ASSERT(!pipe(c2p) && !pipe(p2c) && !pipe(rp), "pipe: %s",
		  strerror(errno));
	self->pid = fork();
	ET_ASSERT(self->pid >= 0, "fork: %s", strerror(errno));
	if (self->pid == 0) {
		close(c2p[0]);
		close(p2c[1]);
		close(rp[0]);
		fk_child(self, c2p[1], p2c[0], rp[1]);
	}
	close(c2p[1]);
	close(p2c[0]);
	close(rp[1]);
	self->go = p2c[1];
	self->report = rp[0];
	ET_ASSERT(read(c2p[0], &c, 1) == 1, "the child did not write B");
	close(c2p[0]);
}

/* Lets the child go; its report, and its exit status in *status. */
static int fk_release(struct et_fx_forked *self, struct fk_report *rep,
		      int *status)
{
	int got = 0;

	*status = 0;
	if (self->pid <= 0)
		return 0;
	if (write(self->go, "g", 1) == 1)
		got = read(self->report, rep, sizeof(*rep)) == sizeof(*rep);
	waitpid(self->pid, status, 0);
	self->pid = -1;
	close(self->go);
	close(self->report);
	return got;
}

/* The four DEREG_MRs; 0 or the first errno. */
static int fk_dereg(struct et_fx_forked *self)
{
	int e[4];

	if (!self->registered)
		return 0;
	self->registered = 0;
	e[0] = et_dereg(self->f, self->hr);
	e[1] = et_dereg(self->f, self->hw);
	e[2] = et_dereg(self->f, self->hq);
	e[3] = et_dereg(self->f, self->hd);
	for (int i = 0; i < 4; i++)
		if (e[i])
			return e[i];
	return 0;
}

ET_TEARDOWN(forked)
{
	struct fk_report rep;
	int status;

	fk_release(self, &rep, &status);
	fk_dereg(self);
	munmap(self->R, FK_SIZE);
	munmap(self->W, FK_SIZE);
	munmap(self->Q, FK_SIZE);
	munmap(self->D, FK_SIZE);
	fl_base_close(&self->b);
}

ET_TEST_F(forked, the_device_reads_the_parents_data_not_the_childs)
{
	fl_copy_expect_pat(self->f, self->hr, self->hd, self->D, FK_SIZE,
			   self->sa, "COPY R -> D, expecting the parent's A");
}

ET_TEST_F(forked, TO_DEV_from_the_DEV_READ_region_then_FROM_DEV_sees_A)
{
	long bad = -1;

	ET_ASSERT_ERRNO(et_to_dev(self->f, self->hr, 5000, 0, ET_MAX_XFER), 0,
			"TO_DEV from R + 5000");
	ET_ASSERT_ERRNO(et_from_dev(self->f, self->hd, 0, 0, ET_MAX_XFER), 0,
			"FROM_DEV into D");
	for (size_t i = 0; bad < 0 && i < ET_MAX_XFER; i++)
		if (self->D[i] != fl_pat(self->sa, 5000 + i))
			bad = (long)i;
	ET_EXPECT(bad < 0, "D differs from A at byte %ld", bad);
}

ET_TEST_F(forked, the_devices_write_into_the_parents_region_is_seen_by_it)
{
	fl_copy_expect_pat(self->f, self->hq, self->hw, self->W, FK_SIZE,
			   self->sq, "COPY Q -> W, expecting Q in the parent's W");
}

ET_TEST_F(forked, the_parents_own_write_after_the_fork_reaches_the_device)
{
	uint64_t sa2 = et_rand();

	fl_pat_fill(self->R, FK_SIZE, sa2);
	fl_copy_expect_pat(self->f, self->hr, self->hd, self->D, FK_SIZE, sa2,
			   "COPY R -> D, expecting what the parent wrote");
}

ET_TEST_F(forked, the_device_write_does_not_reach_the_childs_copy)
{
	struct fk_report rep;
	int status;

	ET_ASSERT_ERRNO(et_copy(self->f, self->hq, 0, self->hw, 0, FK_SIZE), 0,
			"COPY Q -> W (the device writes the parent's W)");
	ET_ASSERT(fk_release(self, &rep, &status),
		  "no report from the child, which %s", et_status_str(status));
	ET_EXPECT(rep.w_kept,
		  "the child's copy of W does not hold P0 after the device wrote the parent's");
}

ET_TEST_F(forked, the_childs_copy_of_the_DEV_READ_region_holds_what_it_wrote)
{
	struct fk_report rep;
	int status;

	/* the parent writes its R after the child wrote its copy */
	fl_pat_fill(self->R, FK_SIZE, et_rand());
	ET_ASSERT(fk_release(self, &rep, &status),
		  "no report from the child, which %s", et_status_str(status));
	ET_EXPECT(rep.r_own, "the child's copy of R does not hold its B");
}

ET_TEST_F(forked, the_childs_exit_leaves_the_parents_4_regions_registered)
{
	struct edudma_stats st;
	struct fk_report rep;
	int status;

	fk_release(self, &rep, &status);
	ET_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the child %s, expected exited 0", et_status_str(status));
	ET_ASSERT_ERRNO(et_stats(self->f, &st), 0, "GET_STATS");
	ET_EXPECT(st.regions == self->b.regions[0] + 4,
		  "%llu regions after the child's exit, expected %llu",
		  (unsigned long long)st.regions,
		  (unsigned long long)self->b.regions[0] + 4);
}

ET_TEST_F(forked, after_the_childs_exit_everything_deregisters)
{
	struct fk_report rep;
	char why[200];
	int status;

	fk_release(self, &rep, &status);
	ET_EXPECT_ERRNO(fk_dereg(self), 0, "DEREG_MR of the four regions");
	ET_EXPECT(fl_counters_back(&self->b, why, sizeof(why)),
		  "after the DEREG_MRs: %s", why);
}
