// SPDX-License-Identifier: GPL-2.0
/*
 * factorial: EDUDMA_FACTORIAL for n = 0..12 (exact), 13 and 20 (modulo
 * 2^32), its argument rules and counter, and factorials computed at once
 * from two threads on one device and on two devices.
 */
#include <pthread.h>

#include "edudma_test.h"

#define PLAN 23
#define PER_THREAD 40

static uint32_t fact32(uint32_t n)
{
	uint32_t r = 1;

	for (uint32_t i = 2; i <= n; i++)
		r *= i;
	return r;
}

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

static void concurrent(int fa, int fb, const char *what)
{
	struct worker w[2] = {
		{ .fd = fa, .seed = et_rand() }, { .fd = fb, .seed = et_rand() },
	};
	pthread_t t[2];

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, work, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	tap_ok(w[0].done == PER_THREAD && w[1].done == PER_THREAD &&
	       !w[0].wrong && !w[1].wrong && !w[0].errors && !w[1].errors,
	       "%s: 2 threads x %d random factorials all right%s%s%s%s", what,
	       PER_THREAD, w[0].first[0] ? "; " : "", w[0].first,
	       w[1].first[0] ? "; " : "", w[1].first);
}

int main(void)
{
	struct edudma_factorial f;
	struct edudma_stats s0, s1;
	uint32_t got;
	int fd, fd1, e;

	if (et_ndevices() < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(PLAN);
	et_seed_init();
	fd = et_open(0, 0);
	et_stats(fd, &s0);
	for (uint32_t n = 0; n <= 12; n++) {
		got = 0;
		e = et_factorial(fd, n, &got);
		tap_ok(!e && got == fact32(n), "%u! = %u (%u, %s)", n, got,
		       fact32(n), tap_errname(e));
	}
	e = et_factorial(fd, 13, &got);
	tap_ok(!e && got == 1932053504u,
	       "13! mod 2^32 = %u (1932053504, %s)", got, tap_errname(e));
	e = et_factorial(fd, 20, &got);
	tap_ok(!e && got == 2192834560u,
	       "20! mod 2^32 = %u (2192834560, %s)", got, tap_errname(e));
	et_stats(fd, &s1);
	tap_ok(s1.factorials - s0.factorials == 15,
	       "stats: factorials +%llu (15)",
	       (unsigned long long)(s1.factorials - s0.factorials));

	memset(&f, 0, sizeof(f));
	f.argsz = sizeof(f);
	f.flags = 1;
	f.n = 3;
	e = et_ret(ioctl(fd, EDUDMA_FACTORIAL, &f));
	tap_ok(e == EINVAL, "a flag -> EINVAL (%s)", tap_errname(e));
	f.flags = 0;
	f.argsz = offsetof(struct edudma_factorial, result);
	e = et_ret(ioctl(fd, EDUDMA_FACTORIAL, &f));
	tap_ok(e == EINVAL, "argsz without room for the result -> EINVAL (%s)",
	       tap_errname(e));
	e = et_ret(ioctl(fd, EDUDMA_FACTORIAL, NULL));
	tap_ok(e == EFAULT, "a NULL argument -> EFAULT (%s)", tap_errname(e));
	f.argsz = sizeof(f);
	f.result = 12345;
	e = et_ret(ioctl(fd, EDUDMA_FACTORIAL, &f));
	tap_ok(!e && f.result == 6 && f.n == 3 && f.argsz == sizeof(f),
	       "the result field is output only: 3! = %u with result preset (%s)",
	       f.result, tap_errname(e));

	fd1 = et_open(0, 0);
	concurrent(fd, fd, "one file");
	concurrent(fd, fd1, "two files, one device");
	close(fd1);
	if (et_ndevices() < 2) {
		tap_skip("needs two devices", "two devices at once");
	} else {
		fd1 = et_open(1, 0);
		concurrent(fd, fd1, "two devices");
		close(fd1);
	}
	close(fd);
	tap_finish();
}
