/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/bench-common.h: buffers with a chosen backing, timing and the
 * JSON-lines output shared by edudma-bench and rxe-bench.
 *
 * Every measurement is one line on stdout starting with "@json " followed
 * by one JSON object; bench/run collects them into build/bench/results.jsonl.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif

#define HPAGE (2UL << 20)
#define DMA_S 0.1		/* each DMA: 100 ms of the device's clock */

enum backing { B_4K, B_THP, B_HUGETLB, B_NR };
static const char *const backing_name[B_NR] = { "4k", "thp", "hugetlb" };

static const size_t bench_sizes[] = {
	4UL << 10, 64UL << 10, 2UL << 20, 64UL << 20, 512UL << 20,
};
#define NR_SIZES (sizeof(bench_sizes) / sizeof(bench_sizes[0]))

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct buf {
	void *map;	/* what to munmap */
	size_t maplen;
	void *addr;	/* what to register */
	size_t len;
};

/*
 * A buffer of len bytes, faulted in, backed as asked.  THP and hugetlbfs
 * buffers start on a 2 MiB boundary and are at least 2 MiB long, so a small
 * buffer lies inside one huge page.  Returns 0 or -errno.
 */
static inline int buf_alloc(struct buf *b, enum backing k, size_t len)
{
	size_t maplen = len < HPAGE ? HPAGE : (len + HPAGE - 1) & ~(HPAGE - 1);
	char *p;

	memset(b, 0, sizeof(*b));
	switch (k) {
	case B_4K:
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		madvise(p, len, MADV_NOHUGEPAGE);
		b->map = p;
		b->maplen = len;
		b->addr = p;
		break;
	case B_THP:
		p = mmap(NULL, maplen + HPAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		b->map = p;
		b->maplen = maplen + HPAGE;
		b->addr = (void *)(((uintptr_t)p + HPAGE - 1) & ~(HPAGE - 1));
		if (madvise(b->addr, maplen, MADV_HUGEPAGE))
			return -errno;
		break;
	case B_HUGETLB:
		p = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		b->map = p;
		b->maplen = maplen;
		b->addr = p;
		break;
	default:
		return -EINVAL;
	}
	b->len = len;
	/* Fault everything in: registration cost, not page-fault cost. */
	memset(b->addr, 0x5a, k == B_4K ? len : maplen);
	return 0;
}

static inline void buf_free(struct buf *b)
{
	if (b->map)
		munmap(b->map, b->maplen);
	memset(b, 0, sizeof(*b));
}

/* kB of AnonHugePages in this process (THP actually obtained). */
static inline long anon_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* One JSON object: pairs of (key, printf-format, value) built by the caller. */
static inline void json_line(const char *fmt, ...)
{
	va_list ap;

	fputs("@json {", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputs("}\n", stdout);
	fflush(stdout);
}

static inline void json_reg(const char *system, enum backing k, size_t bytes,
			    unsigned long ops, double secs, long segments,
			    long pages, long thp_kb)
{
	json_line("\"system\":\"%s\",\"operation\":\"register+deregister\","
		  "\"backing\":\"%s\",\"bytes\":%zu,\"ops\":%lu,\"seconds\":%.9f,"
		  "\"segments\":%ld,\"pages\":%ld,\"anon_huge_kb\":%ld",
		  system, backing_name[k], bytes, ops, secs, segments, pages,
		  thp_kb);
}

static inline void json_na(const char *system, const char *operation,
			   const char *backing, size_t bytes, const char *why)
{
	json_line("\"system\":\"%s\",\"operation\":\"%s\",\"backing\":\"%s\","
		  "\"bytes\":%zu,\"ops\":0,\"seconds\":null,\"na\":\"%s\"",
		  system, operation, backing, bytes, why);
}

/*
 * Runs fn until at least min_ops operations and min_s seconds have
 * passed (after one warm-up call), at most max_ops.  Returns the operations
 * done and stores the time, or -errno of the first failure.
 */
typedef int (*op_fn)(void *ctx);

static inline long run_timed(op_fn fn, void *ctx, unsigned long min_ops,
			     double min_s, unsigned long max_ops, double *secs)
{
	unsigned long n = 0;
	double t0, t;
	int ret;

	ret = fn(ctx);		/* warm-up: first-touch effects */
	if (ret)
		return ret;
	t0 = now_s();
	do {
		ret = fn(ctx);
		if (ret)
			return ret;
		n++;
		t = now_s() - t0;
	} while ((n < min_ops || t < min_s) && n < max_ops);
	*secs = t;
	return (long)n;
}

/*
 * The host is shared and TCG without icount runs in real time, so one
 * round can be slowed by the host: run ROUNDS rounds and keep the fastest
 * (time per operation).  Returns the best round's operations or -errno.
 */
#define ROUNDS 5

static inline long run_best(op_fn fn, void *ctx, unsigned long min_ops,
			    double min_s, unsigned long max_ops, double *secs)
{
	double best = 0, s = 0;
	long bestn = 0, n;

	for (int r = 0; r < ROUNDS; r++) {
		n = run_timed(fn, ctx, min_ops, min_s, max_ops, &s);
		if (n < 0)
			return n;
		if (!bestn || s / (double)n < best / (double)bestn) {
			best = s;
			bestn = n;
		}
	}
	*secs = best;
	return bestn;
}

/* Fewer repetitions for the large, slow sizes. */
static inline unsigned long min_ops_for(size_t len)
{
	return len >= (64UL << 20) ? 2 : 5;
}

/* qsort() order of seconds. */
static inline int cmp_seconds(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One system of an interleaved measurement (run_interleaved()). */
struct bench_sys {
	op_fn fn;
	void *ctx;
	int skip;		/* not measured */
	double best;		/* seconds of the best round */
	long bestn;		/* its operations */
	long err;		/* -errno of a failed round */
};

/*
 * ROUNDS rounds of len-byte operations that interleave the systems, so that
 * a slow spell of the shared host hits all of them alike; the best round of
 * each (time per operation) is kept.
 */
static inline void run_interleaved(struct bench_sys *sys, int nsys,
				   size_t len, double min_s)
{
	for (int round = 0; round < ROUNDS; round++)
		for (int s = 0; s < nsys; s++) {
			double secs = 0;
			long n;

			if (sys[s].err || sys[s].skip)
				continue;
			n = run_timed(sys[s].fn, sys[s].ctx, min_ops_for(len),
				      min_s, 100000, &secs);
			if (n < 0) {
				sys[s].err = n;
				continue;
			}
			if (!sys[s].bestn ||
			    secs / (double)n < sys[s].best / (double)sys[s].bestn) {
				sys[s].best = secs;
				sys[s].bestn = n;
			}
		}
}

#endif /* BENCH_COMMON_H */
