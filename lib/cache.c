// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: the registration cache of a struct edudma_dev.
 *
 * edudma_mr_get() hands out a registration covering a range, registering
 * one (pinned and watched by the driver) only on a miss; edudma_mr_put()
 * gives it back.  Entries are kept, under dev->lock, in one list in least
 * recently used order: a lookup walks it (max_entries is small, 256 by
 * default, and a lookup costs far less than the ioctl before it), and an
 * eviction takes the unused entry nearest its tail.
 *
 * It hands out no stale entry: every get first drains the driver's events
 * (events.c), and a STALE event takes its entry out of the index, a LOST
 * record every entry.  An entry out of the index that is still in use is
 * deregistered at its last put.  The library's own stale flag of an mr is
 * set in events.c; here only the index is kept.
 */
#include <stdint.h>

#include "internal.h"

/*
 * The defaults leave room for the program's own registrations on the same
 * file: the driver's max_regions is 1024 per file and max_pinned_mb 2048.
 */
#define EDUDMA_CACHE_MAX_BYTES		((size_t)1 << 30)
#define EDUDMA_CACHE_MAX_ENTRIES	256U

void edudma_cache_init(struct edudma_dev *dev)
{
	dev->cache.max_bytes = EDUDMA_CACHE_MAX_BYTES;
	dev->cache.max_entries = EDUDMA_CACHE_MAX_ENTRIES;
}

/* Off: both limits 0, or a driver without events (nothing could be kept
 * safely); a get then registers and its put deregisters. */
static int edudma_cache_off(const struct edudma_cache *c)
{
	return c->no_events || (!c->max_bytes && !c->max_entries);
}

static int edudma_cache_over(const struct edudma_cache *c)
{
	return c->entries > c->max_entries || c->bytes > c->max_bytes;
}

/* Into the index, as the most recently used. */
static void edudma_cache_link(struct edudma_mr *mr)
{
	struct edudma_cache *c = &mr->dev->cache;

	mr->lru_prev = NULL;
	mr->lru_next = c->head;
	if (c->head)
		c->head->lru_prev = mr;
	else
		c->tail = mr;
	c->head = mr;
	mr->indexed = 1;
	c->entries++;
	c->bytes += mr->length;
}

/* Out of the index: no lookup finds it any more. */
static void edudma_cache_unlink(struct edudma_mr *mr)
{
	struct edudma_cache *c = &mr->dev->cache;

	if (!mr->indexed)
		return;
	if (mr->lru_prev)
		mr->lru_prev->lru_next = mr->lru_next;
	else
		c->head = mr->lru_next;
	if (mr->lru_next)
		mr->lru_next->lru_prev = mr->lru_prev;
	else
		c->tail = mr->lru_prev;
	mr->lru_prev = mr->lru_next = NULL;
	mr->indexed = 0;
	c->entries--;
	c->bytes -= mr->length;
}

/*
 * Deregisters an entry nobody holds.  One the driver refuses (-ENODEV
 * after a removal) stays on dev->mrs, out of the index, for
 * edudma_close().
 */
static void edudma_cache_release(struct edudma_mr *mr)
{
	edudma_cache_unlink(mr);
	edudma_mr_dereg_locked(mr);
}

/* The least recently used entry nobody holds, or NULL. */
static struct edudma_mr *edudma_cache_victim(const struct edudma_cache *c)
{
	struct edudma_mr *mr;

	for (mr = c->tail; mr; mr = mr->lru_prev)
		if (!mr->refs)
			return mr;
	return NULL;
}

/* Evicts unused entries while over a limit (all: every one); how many. */
static unsigned int edudma_cache_evict(struct edudma_dev *dev, int all)
{
	struct edudma_cache *c = &dev->cache;
	struct edudma_mr *mr;
	unsigned int n = 0;

	while ((all || edudma_cache_over(c)) && (mr = edudma_cache_victim(c))) {
		edudma_cache_release(mr);
		c->st.evictions++;
		n++;
	}
	return n;
}

/* Empties the index: unused entries go now, the others at their last put. */
static void edudma_cache_drop_all(struct edudma_dev *dev)
{
	struct edudma_mr *mr, *next;

	for (mr = dev->cache.head; mr; mr = next) {
		next = mr->lru_next;
		if (mr->refs)
			edudma_cache_unlink(mr);
		else
			edudma_cache_release(mr);
	}
}

void edudma_cache_on_stale(struct edudma_mr *mr)
{
	if (!mr->entry)
		return;
	if (mr->indexed) {
		edudma_cache_unlink(mr);
		mr->dev->cache.st.stale++;
	}
	if (!mr->refs)
		edudma_cache_release(mr);
}

void edudma_cache_on_lost(struct edudma_dev *dev)
{
	dev->cache.st.lost++;
	edudma_cache_drop_all(dev);
}

/* Reads the driver's events, so that no stale entry is indexed. */
static int edudma_cache_drain(struct edudma_dev *dev)
{
	int ret;

	if (dev->cache.no_events)
		return 0;
	ret = edudma_events_drain(dev);
	if (ret == -ENOTTY) {
		/* A driver before API 4: nothing tells us of munmap(). */
		dev->cache.no_events = 1;
		edudma_cache_drop_all(dev);
		return 0;
	}
	return ret;
}

/* An indexed entry covering [addr, +length) with access, taken; or NULL. */
static struct edudma_mr *edudma_cache_find(struct edudma_dev *dev,
					   void *addr, size_t length,
					   unsigned int access)
{
	uintptr_t a = (uintptr_t)addr;
	struct edudma_mr *mr;

	for (mr = dev->cache.head; mr; mr = mr->lru_next) {
		uintptr_t m = (uintptr_t)mr->addr;

		if (!mr->stale && (mr->access & access) == access &&
		    a >= m && a - m <= mr->length &&
		    length <= mr->length - (a - m))
			break;
	}
	if (!mr)
		return NULL;
	edudma_cache_unlink(mr);
	edudma_cache_link(mr);		/* the most recently used now */
	mr->refs++;
	dev->cache.st.hits++;
	return mr;
}

static int edudma_cache_miss(struct edudma_dev *dev, void *addr,
			     size_t length, unsigned int access,
			     struct edudma_mr **mrp)
{
	struct edudma_cache *c = &dev->cache;
	int ret;

	c->st.misses++;
	ret = edudma_mr_reg_locked(dev, addr, length, access, mrp);
	/* Out of a budget: what the cache keeps unused may be in the way. */
	if ((ret == -ENOSPC || ret == -ENOMEM) && edudma_cache_evict(dev, 1))
		ret = edudma_mr_reg_locked(dev, addr, length, access, mrp);
	if (ret)
		return ret;
	(*mrp)->entry = 1;
	(*mrp)->refs = 1;
	if (!edudma_cache_off(c)) {
		edudma_cache_link(*mrp);
		edudma_cache_evict(dev, 0);	/* it is in use: not itself */
	}
	return 0;
}

int edudma_mr_get(struct edudma_dev *dev, void *addr, size_t length,
		  unsigned int access, struct edudma_mr **mrp)
{
	int ret;

	if (!dev || !mrp || !length || !access ||
	    (access & ~EDUDMA_ACCESS_MASK) ||
	    (uintptr_t)addr + length < (uintptr_t)addr)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	ret = edudma_cache_drain(dev);
	if (!ret) {
		*mrp = NULL;
		if (!edudma_cache_off(&dev->cache))
			*mrp = edudma_cache_find(dev, addr, length, access);
		if (!*mrp)
			ret = edudma_cache_miss(dev, addr, length, access, mrp);
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

void edudma_mr_put(struct edudma_mr *mr)
{
	struct edudma_dev *dev;

	if (!mr)
		return;
	dev = mr->dev;
	pthread_mutex_lock(&dev->lock);
	if (mr->entry && mr->refs && !--mr->refs) {
		if (mr->indexed)
			edudma_cache_evict(dev, 0);
		else
			edudma_cache_release(mr);
	}
	pthread_mutex_unlock(&dev->lock);
}

int edudma_cache_set_limits(struct edudma_dev *dev, size_t max_bytes,
			    unsigned int max_entries)
{
	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	dev->cache.max_bytes = max_bytes;
	dev->cache.max_entries = max_entries;
	edudma_cache_evict(dev, 0);
	/* Off: entries in use leave the index too, and go at their put. */
	if (edudma_cache_off(&dev->cache))
		edudma_cache_drop_all(dev);
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

int edudma_cache_flush(struct edudma_dev *dev)
{
	if (!dev)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	edudma_cache_drop_all(dev);
	dev->cache.st.flushes++;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

int edudma_cache_stats(struct edudma_dev *dev, struct edudma_cache_stats *st)
{
	if (!dev || !st)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	*st = dev->cache.st;
	st->entries = dev->cache.entries;
	st->bytes = dev->cache.bytes;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}
