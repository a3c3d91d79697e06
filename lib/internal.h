/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libedudma: what the library's files share.
 *
 * Locks: dev->lock guards everything of one struct edudma_dev (its mrs,
 * its cache, its saved events, aux); stripe_lock makes one striped copy at
 * a time use the aux file.  Order: stripe_lock (by minor, then address),
 * then a dev->lock; nothing takes a stripe_lock while it holds a
 * dev->lock, and no dev->lock is held while another one is taken.
 */
#ifndef LIBEDUDMA_INTERNAL_H
#define LIBEDUDMA_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <sys/ioctl.h>

#include "edudma.h"

/* struct edudma_mr's stale */
#define EDUDMA_MR_STALE		1	/* a STALE event named it */
#define EDUDMA_MR_MAYBE_STALE	2	/* a LOST record: it may be */

struct edudma_mr {
	struct edudma_dev *dev;
	uint32_t handle;
	unsigned int access;
	unsigned int nsegs;
	void *addr;
	size_t length;
	int stale;			/* 0 or EDUDMA_MR_*STALE */
	struct edudma_mr *next;		/* dev->mrs */
	/* Made by edudma_mr_get(): the cache owns it (cache.c). */
	int entry;
	int indexed;			/* in the cache's LRU list */
	unsigned int refs;		/* edudma_mr_get()s not yet put */
	struct edudma_mr *lru_prev, *lru_next;
};

/* An event the cache read, kept for edudma_get_events() (events.c). */
struct edudma_saved_event {
	struct edudma_event ev;
	struct edudma_saved_event *next;
};

/* The registration cache of one file (cache.c). */
struct edudma_cache {
	size_t max_bytes;
	unsigned int max_entries;
	int no_events;			/* the driver has no GET_EVENTS */
	struct edudma_mr *head, *tail;	/* indexed entries, most recent first */
	unsigned int entries;		/* indexed entries and their bytes */
	size_t bytes;
	struct edudma_cache_stats st;	/* counters; entries, bytes unused */
};

struct edudma_dev {
	int fd;
	unsigned int minor;
	pthread_mutex_t lock;		/* all of the below but stripe_lock */
	struct edudma_mr *mrs;		/* every registration made through us */
	struct edudma_cache cache;
	/* Events the cache read, oldest first, for edudma_get_events(). */
	struct edudma_saved_event *saved, *saved_tail;
	unsigned int nsaved;
	int saved_lost;			/* a LOST record to hand out first */
	/*
	 * edudma_copy_striped() works on a second file of the device, so
	 * that it never reads the completions of the caller's own transfers;
	 * stripe_lock makes one striped copy at a time use it.
	 */
	pthread_mutex_t stripe_lock;
	struct edudma_dev *aux;
};

/* The one place that turns ioctl() < 0 into -errno. */
static inline int edudma_do_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* mr.c; with dev->lock held */
int edudma_mr_reg_locked(struct edudma_dev *dev, void *addr, size_t length,
			 unsigned int access, struct edudma_mr **mrp);
int edudma_mr_dereg_locked(struct edudma_mr *mr);

/* events.c; with dev->lock held */
int edudma_events_drain(struct edudma_dev *dev);
void edudma_events_forget(struct edudma_dev *dev, uint32_t handle);
/* At close: frees the saved events. */
void edudma_events_release(struct edudma_dev *dev);

/* cache.c; with dev->lock held but edudma_cache_init() */
void edudma_cache_init(struct edudma_dev *dev);
void edudma_cache_on_stale(struct edudma_mr *mr);
void edudma_cache_on_lost(struct edudma_dev *dev);

#endif /* LIBEDUDMA_INTERNAL_H */
