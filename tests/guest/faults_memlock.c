// SPDX-License-Identifier: GPL-2.0
/*
 * faults_memlock: RLIMIT_MEMLOCK exhaustion as uid 65534.  A case opens
 * the device as root, sets RLIMIT_MEMLOCK to 64 KiB and becomes uid
 * 65534; page-sized registrations then succeed until ENOMEM, one
 * DEREG_MR makes room for exactly one more, DMA between the regions at
 * the limit is right, and a process that exits with its regions
 * registered gives them all back.
 */
#include <grp.h>
#include <sys/resource.h>

#include "faults.h"

ET_PRECONDITION(et_need_device)

#define ML_LIMIT	(64 * KiB)
#define ML_SIZE		(1 * MiB)
#define ML_MAX		256		/* registrations tried at most */

/* A file opened as root, then the limit and uid 65534; regions to ENOMEM. */
struct ml_state {
	int f;
	unsigned char *buf;
	int dropped;		/* the limit is set and the uid is 65534 */
	uint32_t h[ML_MAX];
	int k;			/* regions registered before the failure */
	int e;			/* the registration that failed: its errno */
};

/* Opens, drops, registers one page after another until one fails. */
static void ml_fill(struct ml_state *s)
{
	struct rlimit rl = { ML_LIMIT, ML_LIMIT };

	s->f = et_open(0, 0);
	s->buf = et_map(ML_SIZE);
	s->dropped = s->f >= 0 && s->buf &&
		     setrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
		     setgroups(0, NULL) == 0 && setgid(65534) == 0 &&
		     setuid(65534) == 0 && getuid() == 65534;
	s->k = 0;
	s->e = 0;
	if (s->f < 0 || !s->buf || !s->dropped)
		return;
	et_fill(s->buf, ML_SIZE);
	while (s->k < ML_MAX &&
	       !(s->e = et_reg_rw(s->f, s->buf + s->k * ET_PAGE, ET_PAGE,
				  &s->h[s->k])))
		s->k++;
}

static const char *ml_need_root(void)
{
	return getuid() == 0 ? NULL : "needs root to drop to uid 65534";
}

ET_FIXTURE(memlock) {
	struct ml_state s;
};

ET_SETUP(memlock)
{
	const char *why = ml_need_root();

	if (why)
		ET_SKIP("%s", why);
	ml_fill(&self->s);
}

ET_TEARDOWN(memlock)
{
	if (self->s.f >= 0)
		close(self->s.f);
	if (self->s.buf)
		munmap(self->s.buf, ML_SIZE);
}

/* The cases after the first need what the first checks. */
#define ML_ASSERT_DROPPED(s)						\
	ET_ASSERT((s)->dropped,						\
		  "set-up: the open, RLIMIT_MEMLOCK or uid 65534 failed (uid %d)", \
		  (int)getuid())

ET_TEST_F(memlock, a_file_opened_as_root_goes_on_under_uid_65534_and_64_KiB)
{
	struct rlimit rl = { 0, 0 };

	ET_EXPECT(self->s.f >= 0, "open of /dev/edudma0 as root failed");
	ET_EXPECT(self->s.buf, "out of memory");
	ET_EXPECT(self->s.dropped, "RLIMIT_MEMLOCK 64 KiB and uid 65534: uid is %d",
		  (int)getuid());
	ET_EXPECT(getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
		  rl.rlim_cur == ML_LIMIT,
		  "RLIMIT_MEMLOCK is %llu, expected %lu",
		  (unsigned long long)rl.rlim_cur, ML_LIMIT);
}

ET_TEST_F(memlock, one_page_regions_register_up_to_the_limit_then_ENOMEM)
{
	ML_ASSERT_DROPPED(&self->s);
	ET_EXPECT(self->s.k == (int)(ML_LIMIT / ET_PAGE),
		  "%d one-page regions registered, expected %lu", self->s.k,
		  ML_LIMIT / ET_PAGE);
	ET_EXPECT_ERRNO(self->s.e, ENOMEM, "the registration past the limit");
	et_note("faults_memlock: regions before ENOMEM %d", self->s.k);
}

ET_TEST_F(memlock, one_DEREG_MR_makes_room_for_exactly_one_more_page)
{
	struct ml_state *s = &self->s;
	uint32_t hx, hy;

	ML_ASSERT_DROPPED(s);
	ET_ASSERT(s->k > 0, "no region registered (%s)", et_errno_name(s->e));
	ET_ASSERT_ERRNO(et_dereg(s->f, s->h[s->k - 1]), 0,
			"DEREG_MR of the last region");
	ET_ASSERT_ERRNO(et_reg_rw(s->f, s->buf + 200 * ET_PAGE, ET_PAGE, &hx),
			0, "then one page");
	ET_EXPECT_ERRNO(et_reg_rw(s->f, s->buf + 201 * ET_PAGE, ET_PAGE, &hy),
			ENOMEM, "then a second page");
}

ET_TEST_F(memlock, at_the_limit_a_COPY_between_two_of_the_regions_is_right)
{
	struct ml_state *s = &self->s;
	long bad;

	ML_ASSERT_DROPPED(s);
	ET_ASSERT(s->k > 1 && s->e == ENOMEM,
		  "not at the limit: %d regions, then %s", s->k,
		  et_errno_name(s->e));
	ET_ASSERT_ERRNO(et_copy(s->f, s->h[0], 100, s->h[1], 200, 3000), 0,
			"COPY of 3000 bytes from region 1 to region 2");
	bad = et_diff(s->buf + ET_PAGE + 200, s->buf + 100, 3000);
	ET_EXPECT(bad < 0, "the destination differs at byte %ld", bad);
}

ET_TEST(a_process_that_exits_with_its_regions_registered_gives_them_back)
{
	const char *skip = ml_need_root();
	struct fl_base b;
	char why[200];
	int status = 0;
	pid_t pid;

	if (skip)
		ET_SKIP("%s", skip);
	fl_base_take(&b, 1);
	pid = fork();
	ET_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		struct ml_state s;

		ml_fill(&s);
		/* exits with every region registered: the close returns them */
		_exit(s.dropped && s.e == ENOMEM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ET_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the process that filled its limit %s, expected exited 0",
		  et_status_str(status));
	ET_EXPECT(fl_counters_back(&b, why, sizeof(why)),
		  "after it exited: %s", why);
	fl_base_close(&b);
}
