// SPDX-License-Identifier: GPL-2.0
/*
 * sdk_cache: the hazard of a registration cache, shown with data, and the
 * SDK's cache that cannot go stale (Documentation/sdk.md).  A program
 * loop clears a buffer, gets a registration of it from a cache, has the
 * device write its buffer's pattern into it (one FROM_DEV: a DMA costs
 * 100 ms of the guest's time, so a round has one) and compares.  Between
 * rounds the buffer is renewed the
 * way programs renew memory: free() and malloc() (glibc above its mmap
 * threshold hands the same address back), munmap() and a new mmap() at
 * the same address, mremap() away and a new mapping at the old address,
 * MADV_DONTNEED, and fork() (which must change nothing).
 *
 * Three caches run each loop: a naive one (registrations kept by address
 * and length) of NO_STALE registrations, the API 3 behaviour, which must
 * lose data once the address comes back (the hazard is real); the same
 * naive cache of watched registrations, whose stale transfers fail with
 * ESTALE instead (the kernel's backstop: nothing moves); and the SDK's
 * cache (edudma_mr_get/put), which must never lose data nor hand out a
 * stale registration.  (Threads sharing one cache, and a full event
 * queue: sdk_cache_threads.c.)
 */
#define ET_DEFAULT_TIMEOUT 300

#include <malloc.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sdk_cache.h"

ET_PRECONDITION(et_need_device)

#define NAIVE_ROUNDS	30	/* enough to show the hazard */
#define SDK_ROUNDS	120

/* ---- the renewals ------------------------------------------------------- */

typedef void *(*renew_fn)(void *old);

static void *renew_malloc(void *old)
{
	free(old);
	return malloc(BUF_LEN);
}

static void *renew_mremap(void *old)
{
	void *to = map_at(NULL), *p;

	if (!to)
		return NULL;
	p = mremap(old, BUF_LEN, BUF_LEN, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (p == MAP_FAILED)
		return NULL;
	munmap(p, BUF_LEN);
	return map_at(old);
}

static void *renew_dontneed(void *old)
{
	madvise(old, BUF_LEN, MADV_DONTNEED);
	return old;
}

static void *renew_fork(void *old)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		memset(old, 0xcc, BUF_LEN);	/* the child's copy */
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return old;
}

static void *first_buf(renew_fn renew)
{
	return renew == renew_malloc ? malloc(BUF_LEN) : map_at(NULL);
}

static void last_buf(renew_fn renew, void *buf)
{
	if (renew == renew_malloc)
		free(buf);
	else
		munmap(buf, BUF_LEN);
}

/* ---- the caches ----------------------------------------------------------- */

enum cache_kind { NAIVE_NO_STALE, NAIVE_WATCHED, SDK_CACHE };

#define NAIVE_MAX 64

struct naive {
	void *addr[NAIVE_MAX];
	struct edudma_mr *mr[NAIVE_MAX];
	int n;
};

static struct edudma_mr *naive_get(struct naive *c, struct edudma_dev *dev,
				   void *addr, unsigned int flags)
{
	struct edudma_mr *mr = NULL;

	for (int i = 0; i < c->n; i++)
		if (c->addr[i] == addr)
			return c->mr[i];
	if (c->n == NAIVE_MAX || edudma_reg_mr(dev, addr, BUF_LEN, flags, &mr))
		return NULL;
	c->addr[c->n] = addr;
	c->mr[c->n++] = mr;
	return mr;
}

static void naive_drop(struct naive *c)
{
	for (int i = 0; i < c->n; i++)
		edudma_dereg_mr(c->mr[i]);
	c->n = 0;
}

static struct outcome run_loop(struct edudma_dev *dev, renew_fn renew,
			       enum cache_kind kind)
{
	unsigned int rounds = kind == SDK_CACHE ? SDK_ROUNDS : NAIVE_ROUNDS;
	struct naive naive = { .n = 0 };
	struct outcome o = { 0 };
	unsigned char *buf = first_buf(renew), *next;
	struct edudma_mr *mr;

	ET_ASSERT(buf, "out of memory");
	for (unsigned int round = 0; round < rounds; round++) {
		if (kind == SDK_CACHE) {
			if (edudma_mr_get(dev, buf, BUF_LEN, ET_RW, &mr))
				mr = NULL;
		} else {
			mr = naive_get(&naive, dev, buf, ET_RW |
				       (kind == NAIVE_NO_STALE ?
					EDUDMA_REG_NO_STALE : 0));
		}
		one_round(mr, buf, &o);
		if (kind == SDK_CACHE && mr)
			edudma_mr_put(mr);
		next = renew(buf);
		ET_ASSERT(next, "renewal failed: %s", strerror(errno));
		o.reused += next == buf;
		buf = next;
	}
	last_buf(renew, buf);
	naive_drop(&naive);
	edudma_cache_flush(dev);
	return o;
}

struct scenario {
	const char *name;
	renew_fn renew;
	int replaces;	/* the renewal gives the program other pages */
};

static const struct scenario scenarios[] = {
	{ "free_and_malloc", renew_malloc, 1 },
	{ "munmap_and_mmap_at_the_same_address", renew_munmap, 1 },
	{ "mremap_away_and_a_new_mapping", renew_mremap, 1 },
	{ "MADV_DONTNEED", renew_dontneed, 1 },
	{ "fork", renew_fork, 0 },
};

ET_TABLE(naive_and_SDK_caches, struct scenario, scenarios)
{
	struct edudma_dev *dev;
	struct outcome o[3];
	long long pins = et_pins();

	mallopt(M_MMAP_THRESHOLD, 128 * 1024);	/* no dynamic threshold */
	ET_ASSERT(!edudma_open(0, &dev), "edudma_open");
	preload(dev);
	for (int k = 0; k < 3; k++)
		o[k] = run_loop(dev, row->renew, (enum cache_kind)k);
	et_note("%s: address reused %d/%d; naive NO_STALE lost %d of %d; naive watched lost %d, ESTALE %d; SDK cache lost %d, ESTALE %d of %d",
		row->name, o[0].reused, NAIVE_ROUNDS, o[0].lost, NAIVE_ROUNDS,
		o[1].lost, o[1].estale, o[2].lost, o[2].estale, SDK_ROUNDS);
	for (int k = 0; k < 3; k++)
		ET_EXPECT(!o[k].other, "cache %d: %d rounds failed otherwise", k,
			  o[k].other);
	if (row->replaces) {
		ET_ASSERT(o[0].reused > NAIVE_ROUNDS / 2,
			  "the address came back %d times of %d", o[0].reused,
			  NAIVE_ROUNDS);
		ET_EXPECT(o[0].lost > NAIVE_ROUNDS / 2,
			  "the naive NO_STALE cache lost %d rounds: the hazard did not show",
			  o[0].lost);
		ET_EXPECT(o[1].estale > NAIVE_ROUNDS / 2 && !o[1].lost,
			  "naive watched: ESTALE %d, lost %d", o[1].estale,
			  o[1].lost);
	} else {
		ET_EXPECT(!o[0].lost && !o[1].lost && !o[1].estale,
			  "fork changed a naive cache's registration");
	}
	ET_EXPECT(!o[2].lost && !o[2].estale,
		  "the SDK cache lost %d rounds and handed out %d stale registrations",
		  o[2].lost, o[2].estale);
	edudma_close(dev);
	ET_EXPECT(et_pins_settle(pins, 2000) == pins, "pins not back");
}

