// SPDX-License-Identifier: GPL-2.0
/*
 * harness-sample: a program on the guest tests' harness (et_harness.h)
 * whose cases end every way a case can, for tests/host/t-harness.sh: the
 * names say what each must produce.
 */
#define ET_DEFAULT_TIMEOUT 2
#include "edudma_test.h"

ET_TEST(passes)
{
	ET_EXPECT(1 + 1 == 2, "arithmetic");
}

ET_TEST(expect_fails_and_goes_on)
{
	ET_EXPECT(1 + 1 == 3, "one plus one is %d", 1 + 1);
	et_note("after the failed expectation");
}

ET_TEST(assert_fails_and_stops)
{
	ET_ASSERT_ERRNO(ENOENT, EINVAL, "DEREG_MR");
	et_note("NOT REACHED");
}

ET_TEST(crashes)
{
	raise(SIGSEGV);
}

ET_TEST(hangs)
{
	for (;;)
		pause();
}

ET_TEST(takes_3_s_with_a_4_s_limit)
{
	et_timeout(4);
	sleep(3);
}

ET_TEST(exits_3)
{
	exit(3);
}

ET_TEST(skips)
{
	ET_SKIP("nothing to test here");
}

ET_TEST(leaves_a_child_running)
{
	if (fork() == 0)
		for (;;)
			pause();
}

ET_TEST_N(repeated, 3)
{
	et_note("index %u, first number %" PRIu64, et_index(), et_rand());
}

struct row {
	const char *name;
	int value;
};

static const struct row rows[] = {
	{ .name = "row one passes", .value = 1 },
	{ .name = "row two fails", .value = 2 },
};

ET_TABLE(rows_of_a_table, struct row, rows)
{
	ET_EXPECT(row->value == 1, "value %d", row->value);
}

ET_FIXTURE(fx) {
	int state;
};

ET_SETUP(fx)
{
	self->state = 1;
	et_note("setup");
}

ET_TEARDOWN(fx)
{
	et_note("teardown, state %d", self->state);
}

ET_TEST_F(fx, fixture_assert_runs_teardown)
{
	self->state = 2;
	ET_ASSERT(0, "failed in the case");
}

ET_TEST_F(fx, fixture_passes)
{
	ET_EXPECT(self->state == 1, "setup ran first");
}
