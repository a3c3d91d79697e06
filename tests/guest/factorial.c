// SPDX-License-Identifier: GPL-2.0
/*
 * factorial: EDUDMA_FACTORIAL for n = 0..12 (exact), 13 and 20 (modulo
 * 2^32), its argument rules and counter, and factorials computed at once
 * from two threads on one device and on two devices.
 */
#include <pthread.h>

#include "edudma_test.h"

#define PER_THREAD 40

ET_PRECONDITION(et_need_device)

static uint32_t fact32(uint32_t n)
{
	uint32_t r = 1;

	for (uint32_t i = 2; i <= n; i++)
		r *= i;
	return r;
}

/* ---- one file on edudma0 ------------------------------------------------- */

ET_FIXTURE(dev) {
	int fd;
};

ET_SETUP(dev)
{
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open %s: %s", et_dev_path(0),
		  strerror(errno));
}

ET_TEARDOWN(dev)
{
	close(self->fd);
}

/* n! for n = et_index(), 0..12: exact in 32 bits */
ET_TEST_N_F(dev, factorial_of_0_to_12_is_exact, 13)
{
	uint32_t n = et_index(), got = 0;

	ET_EXPECT_ERRNO(et_factorial(self->fd, n, &got), 0, "FACTORIAL");
	ET_EXPECT(got == fact32(n), "%u! = %u, expected %u", n, got,
		  fact32(n));
}

struct wrap_row {
	const char *name;
	uint32_t n;
	uint32_t want;		/* n! mod 2^32 */
};

static const struct wrap_row wrap_rows[] = {
	{ .name = "factorial_of_13_wraps_modulo_2_32", .n = 13,
	  .want = 1932053504u, },
	{ .name = "factorial_of_20_wraps_modulo_2_32", .n = 20,
	  .want = 2192834560u, },
};

ET_TABLE_F(dev, factorial_wraps, struct wrap_row, wrap_rows)
{
	uint32_t got = 0;

	ET_EXPECT_ERRNO(et_factorial(self->fd, row->n, &got), 0, "FACTORIAL");
	ET_EXPECT(got == row->want, "%u! mod 2^32 = %u, expected %u", row->n,
		  got, row->want);
}

/* the 15 factorials above, counted in the device's statistics */
ET_TEST_F(dev, stats_count_every_factorial)
{
	static const uint32_t ns[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				       12, 13, 20 };
	struct edudma_stats s0, s1;
	uint32_t got;

	ET_ASSERT_ERRNO(et_stats(self->fd, &s0), 0, "GET_STATS before");
	for (size_t i = 0; i < ET_ARRAY_SIZE(ns); i++)
		ET_EXPECT_ERRNO(et_factorial(self->fd, ns[i], &got), 0,
				"FACTORIAL");
	ET_ASSERT_ERRNO(et_stats(self->fd, &s1), 0, "GET_STATS after");
	ET_EXPECT(s1.factorials - s0.factorials == ET_ARRAY_SIZE(ns),
		  "stats: factorials +%llu, expected +%zu",
		  (unsigned long long)(s1.factorials - s0.factorials),
		  ET_ARRAY_SIZE(ns));
}

/* ---- the argument rules ------------------------------------------------- */

struct arg_row {
	const char *name;
	uint32_t flags;
	uint32_t argsz;		/* 0: sizeof(struct edudma_factorial) */
	int null_arg;		/* pass NULL instead of the struct */
	int want;		/* errno */
};

static const struct arg_row arg_rows[] = {
	{ .name = "a_flag_is_EINVAL", .flags = 1, .want = EINVAL, },
	{ .name = "argsz_without_room_for_the_result_is_EINVAL",
	  .argsz = offsetof(struct edudma_factorial, result),
	  .want = EINVAL, },
	{ .name = "a_NULL_argument_is_EFAULT", .null_arg = 1,
	  .want = EFAULT, },
};

ET_TABLE_F(dev, factorial_arguments, struct arg_row, arg_rows)
{
	struct edudma_factorial f = {
		.argsz = row->argsz ? row->argsz : sizeof(f),
		.flags = row->flags, .n = 3,
	};

	ET_EXPECT_ERRNO(et_ret(ioctl(self->fd, EDUDMA_FACTORIAL,
				     row->null_arg ? NULL : &f)),
			row->want, "FACTORIAL");
}

ET_TEST_F(dev, the_result_field_is_output_only)
{
	struct edudma_factorial f = {
		.argsz = sizeof(f), .n = 3, .result = 12345,
	};

	ET_EXPECT_ERRNO(et_ret(ioctl(self->fd, EDUDMA_FACTORIAL, &f)), 0,
			"FACTORIAL of 3 with result preset to 12345");
	ET_EXPECT(f.result == 6 && f.n == 3 && f.argsz == sizeof(f),
		  "3! = %u (expected 6), n %u (3), argsz %u (%zu)", f.result,
		  f.n, f.argsz, sizeof(f));
}

/* ---- two threads at once ------------------------------------------------- */

struct worker {
	int fd;
	uint64_t seed;
	int done, wrong, errors;
	char first[128];
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t s = w->seed;

	for (int i = 0; i < PER_THREAD; i++) {
		uint32_t n, got;
		int e;

		n = (uint32_t)ed_rand_range(&s, 0, 20);
		e = et_factorial(w->fd, n, &got);
		if (e) {
			if (!w->errors++ && !w->wrong)
				snprintf(w->first, sizeof(w->first), "%u!: %s",
					 n, strerror(e));
		} else if (got != fact32(n)) {
			if (!w->wrong++ && !w->errors)
				snprintf(w->first, sizeof(w->first),
					 "%u! = %u, not %u", n, got, fact32(n));
		}
		w->done++;
	}
	return NULL;
}

enum second_file { SAME_FILE, OTHER_FILE, OTHER_DEVICE };

struct conc_row {
	const char *name;
	enum second_file second;	/* what the second thread uses */
};

static const struct conc_row conc_rows[] = {
	{ .name = "two_threads_on_one_file", .second = SAME_FILE, },
	{ .name = "two_threads_on_two_files_of_one_device",
	  .second = OTHER_FILE, },
	{ .name = "two_threads_on_two_devices", .second = OTHER_DEVICE, },
};

ET_TABLE_F(dev, concurrent_factorials, struct conc_row, conc_rows)
{
	struct worker w[2] = {
		{ .fd = self->fd, .seed = et_rand() },
		{ .fd = self->fd, .seed = et_rand() },
	};
	pthread_t t[2];

	if (row->second == OTHER_DEVICE && et_ndevices() < 2)
		ET_SKIP("needs two devices");
	if (row->second != SAME_FILE) {
		w[1].fd = et_open(row->second == OTHER_DEVICE ? 1 : 0, 0);
		ET_ASSERT(w[1].fd >= 0, "open: %s", strerror(errno));
	}
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, work, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2; i++)
		ET_EXPECT(w[i].done == PER_THREAD && !w[i].wrong &&
			  !w[i].errors,
			  "thread %d: %d of %d random factorials, %d wrong, %d failed%s%s",
			  i + 1, w[i].done, PER_THREAD, w[i].wrong,
			  w[i].errors, w[i].first[0] ? ": " : "", w[i].first);
	if (row->second != SAME_FILE)
		close(w[1].fd);
}
