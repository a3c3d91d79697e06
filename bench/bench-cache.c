// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bench-cache.c: `edudma-bench cache`, the SDK's registration cache
 * (Documentation/performance.md, "The registration cache").
 *
 *  hit:     edudma_mr_get() + edudma_mr_put() of a cached registration
 *           (one EDUDMA_GET_EVENTS ioctl, the lookup, the reference)
 *           against edudma_reg_mr() + edudma_dereg_mr() of the same
 *           buffer, watched (the default) and with EDUDMA_REG_NO_STALE
 *           (the watch's own cost), 4K pages, several sizes;
 *  churn:   an MPI-like sender: each message gets a registration of its
 *           buffer, the buffers come from malloc() and go back with
 *           free() after the message, sizes cycling over 4 KiB to 1 MiB
 *           (glibc's defaults: the large ones are mmap()ed until its
 *           threshold adapts, then come from the heap); with the cache
 *           (get/put) and without (register/deregister per message); the
 *           same over a pool of buffers the program keeps (the common
 *           case of a cache); and last with glibc's mmap threshold fixed
 *           at 128 KiB, so that every large buffer is a new mapping at
 *           the address the last one had: the cache's entries go stale
 *           and it must register anew (what it costs to be right).
 *
 * No DMA: each costs 100 ms of the device's clock, the same with and
 * without a cache; the rows time what a message costs the CPU to get its
 * registration.  Times are the best of 5 runs of N operations each.
 */
#include <malloc.h>

#include <edudma.h>
#include <linux/edudma.h>

#include "bench-common.h"
#include "bench-cache.h"

#define RW (EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE)
#define RUNS 5

static const size_t hit_sizes[] = { 4UL << 10, 64UL << 10, 2UL << 20,
				    64UL << 20 };

enum hit_op { OP_HIT, OP_REG, OP_REG_NO_STALE, OP_NR };
static const char *const hit_name[OP_NR] = {
	"cache-hit", "register", "register-no-stale",
};

/* Seconds per operation, best of RUNS runs of n; < 0: the -errno. */
static double time_hit(struct edudma_dev *dev, void *addr, size_t len,
		       enum hit_op op, unsigned int n)
{
	struct edudma_mr *mr;
	double best = -1;
	int r = 0;

	if (op == OP_HIT && (r = edudma_mr_get(dev, addr, len, RW, &mr)))
		return r;	/* the first get is the miss */
	if (op == OP_HIT)
		edudma_mr_put(mr);
	for (int run = 0; run < RUNS; run++) {
		double t0 = now_s(), t;

		for (unsigned int i = 0; i < n && !r; i++) {
			if (op == OP_HIT) {
				r = edudma_mr_get(dev, addr, len, RW, &mr);
				if (!r)
					edudma_mr_put(mr);
				continue;
			}
			r = edudma_reg_mr(dev, addr, len, RW |
					  (op == OP_REG_NO_STALE ?
					   EDUDMA_REG_NO_STALE : 0), &mr);
			if (!r)
				r = edudma_dereg_mr(mr);
		}
		if (r)
			return r;
		t = (now_s() - t0) / n;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

static void bench_hits(struct edudma_dev *dev)
{
	for (size_t s = 0; s < sizeof(hit_sizes) / sizeof(hit_sizes[0]); s++) {
		size_t len = hit_sizes[s];
		unsigned int n = len >= (64UL << 20) ? 10 : 200;
		struct buf b;
		int r = buf_alloc(&b, B_4K, len);

		for (int op = 0; op < OP_NR && !r; op++) {
			double t = time_hit(dev, b.addr, len, (enum hit_op)op,
					    op == OP_HIT ? 2000 : n);

			if (t < 0) {
				r = (int)t;
				break;
			}
			json_line("\"system\":\"edudma-cache\",\"operation\":\"%s\","
				  "\"backing\":\"4k\",\"bytes\":%zu,\"ops\":%u,"
				  "\"seconds\":%.9f", hit_name[op], len,
				  op == OP_HIT ? 2000 : n, t);
		}
		if (r)
			json_line("\"system\":\"edudma-cache\",\"operation\":\"hit\","
				  "\"backing\":\"4k\",\"bytes\":%zu,\"seconds\":null,"
				  "\"na\":\"%s\"", len, strerror(-r));
		edudma_cache_flush(dev);
		buf_free(&b);
	}
}

/* ---- churn -------------------------------------------------------------- */

#define MESSAGES 2000
#define POOL 8

static const size_t msg_sizes[] = { 4UL << 10, 64UL << 10, 256UL << 10,
				    1UL << 20 };
#define NR_MSG_SIZES (sizeof(msg_sizes) / sizeof(msg_sizes[0]))

/* One message's registration: from the cache, or made for it. */
static int message(struct edudma_dev *dev, void *buf, size_t len, int cached)
{
	struct edudma_mr *mr;
	int r;

	((volatile char *)buf)[0] = 1;	/* the program writes its message */
	if (cached) {
		r = edudma_mr_get(dev, buf, len, RW, &mr);
		if (!r)
			edudma_mr_put(mr);
		return r;
	}
	r = edudma_reg_mr(dev, buf, len, RW, &mr);
	return r ? r : edudma_dereg_mr(mr);
}

/* Seconds per message of one run; pool: buffers kept, else malloc/free. */
static double churn_run(struct edudma_dev *dev, int cached, int pool)
{
	void *bufs[POOL] = { 0 };
	double t0;
	int r = 0;

	if (pool)
		for (int i = 0; i < POOL; i++)
			bufs[i] = malloc(msg_sizes[i % NR_MSG_SIZES]);
	t0 = now_s();
	for (unsigned int m = 0; m < MESSAGES && !r; m++) {
		size_t len = msg_sizes[m % NR_MSG_SIZES];
		void *buf = pool ? bufs[m % POOL] : malloc(len);

		if (!buf)
			return -ENOMEM;
		if (pool)
			len = msg_sizes[(m % POOL) % NR_MSG_SIZES];
		r = message(dev, buf, len, cached);
		if (!pool)
			free(buf);
	}
	t0 = now_s() - t0;
	for (int i = 0; i < POOL; i++)
		free(bufs[i]);
	edudma_cache_flush(dev);
	return r ? r : t0 / MESSAGES;
}

static void bench_churn(struct edudma_dev *dev)
{
	static const char *const name[3] = {
		"churn-malloc-free", "churn-pool", "churn-munmap",
	};

	for (int w = 0; w < 3; w++) {
		int pool = w == 1;

		if (w == 2)	/* for good: the process's last workload */
			mallopt(M_MMAP_THRESHOLD, 128 * 1024);
		for (int cached = 0; cached < 2; cached++) {
			struct edudma_cache_stats c0, c1;
			double best = -1, t;

			edudma_cache_stats(dev, &c0);
			for (int run = 0; run < RUNS; run++) {
				t = churn_run(dev, cached, pool);
				if (t < 0) {
					best = t;
					break;
				}
				if (best < 0 || t < best)
					best = t;
			}
			edudma_cache_stats(dev, &c1);
			if (best < 0) {
				json_line("\"system\":\"edudma-cache\",\"operation\":\"%s\","
					  "\"cached\":%d,\"seconds\":null,\"na\":\"%s\"",
					  name[w], cached, strerror((int)-best));
				continue;
			}
			json_line("\"system\":\"edudma-cache\",\"operation\":\"%s\","
				  "\"cached\":%d,\"ops\":%d,\"seconds\":%.9f,"
				  "\"hits\":%llu,\"misses\":%llu,\"stale\":%llu",
				  name[w], cached, MESSAGES, best,
				  (unsigned long long)(c1.hits - c0.hits),
				  (unsigned long long)(c1.misses - c0.misses),
				  (unsigned long long)(c1.stale - c0.stale));
		}
	}
}

int cmd_cache(void)
{
	struct edudma_dev *dev;
	unsigned int minor;
	int r;

	/* The first edudma device: in the bench boot edu 0 is vfio-pci's. */
	r = edudma_list_devices(&minor, 1);
	if (r < 1) {
		fprintf(stderr, "edudma-bench cache: no edudma device\n");
		json_na("edudma-cache", "all", "4k", 0, "no edudma device");
		return 1;
	}
	r = edudma_open(minor, &dev);
	if (r) {
		fprintf(stderr, "edudma-bench cache: edudma_open(%u): %s\n",
			minor, strerror(-r));
		json_na("edudma-cache", "all", "4k", 0, strerror(-r));
		return 1;
	}
	bench_hits(dev);
	bench_churn(dev);
	edudma_close(dev);
	return 0;
}
