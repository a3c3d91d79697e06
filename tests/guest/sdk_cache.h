/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the registration cache tests share (sdk_cache.c: the hazard and
 * the caches, per way of renewing memory; sdk_cache_threads.c: threads on
 * one cache, a full event queue): the buffers, the device's pattern, one
 * round's check.
 */
#ifndef SDK_CACHE_H
#define SDK_CACHE_H

#include <sys/mman.h>

#include "sdk.h"

#define BUF_LEN		(256 * 1024)	/* above the mmap threshold set */
#define CHECK_LEN	ET_MAX_XFER

static inline void *map_at(void *at)
{
	void *p = mmap(at, BUF_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED : 0), -1,
		       0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void *renew_munmap(void *old)
{
	munmap(old, BUF_LEN);
	return map_at(old);
}

struct outcome {
	int lost;	/* rounds whose bytes the device did not see */
	int estale;	/* rounds whose transfer failed with ESTALE */
	int other;	/* other failures */
	int reused;	/* renewals that gave the same address back */
};

/* What the device's buffer holds (preload()), and each round expects. */
static unsigned char pattern[CHECK_LEN] ET_UNUSED_;

static inline void preload(struct edudma_dev *dev)
{
	et_fill(pattern, sizeof(pattern));
	ET_ASSERT(!edudma_write_dev_ptr(dev, pattern, 0, CHECK_LEN),
		  "TO_DEV of the pattern");
}

/* One round: the buffer cleared, the device writes it through mr. */
static inline void one_round(struct edudma_mr *mr, unsigned char *buf,
			     struct outcome *o)
{
	int r;

	memset(buf, 0, CHECK_LEN);
	if (!mr) {
		o->other++;
		return;
	}
	r = edudma_read_dev(mr, 0, 0, CHECK_LEN);
	if (r == -ESTALE)
		o->estale++;
	else if (r)
		o->other++;
	else if (memcmp(buf, pattern, CHECK_LEN))
		o->lost++;
}

#endif /* SDK_CACHE_H */
