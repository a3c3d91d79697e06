// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: the events of stale registrations (EDUDMA_GET_EVENTS).
 *
 * Every event the library reads, for the caller or for the cache, is first
 * applied to the library's own state: the registration a STALE event names
 * is marked stale and, if the cache owns it, leaves the cache; a LOST
 * record marks every watched registration as possibly stale and flushes
 * the cache.  The events the cache reads (edudma_events_drain()) are also
 * kept, and edudma_get_events() hands them out before the driver's, so the
 * caller sees every event whoever read it first.  A kept event goes when
 * its registration is deregistered, as the driver drops its own queued
 * one; beyond EDUDMA_SAVED_MAX kept events, or when there is no memory for
 * one more, an event is not kept and the next edudma_get_events() hands
 * out a LOST record first, as the driver does past max_events.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define EDUDMA_SAVED_MAX	1024	/* the driver's max_regions default */
#define EDUDMA_DRAIN_BATCH	32	/* records per ioctl when draining */

static struct edudma_mr *edudma_mr_of(struct edudma_dev *dev, uint32_t handle)
{
	struct edudma_mr *mr;

	for (mr = dev->mrs; mr; mr = mr->next)
		if (mr->handle == handle)
			return mr;
	return NULL;	/* not made through the library (a raw ioctl) */
}

/* Marks the library's state as the event says; may free mrs. */
static void edudma_event_apply(struct edudma_dev *dev,
			       const struct edudma_event *ev)
{
	struct edudma_mr *mr;

	if (ev->type == EDUDMA_EVENT_STALE) {
		mr = edudma_mr_of(dev, ev->handle);
		if (mr) {
			mr->stale = EDUDMA_MR_STALE;
			edudma_cache_on_stale(mr);
		}
	} else if (ev->type == EDUDMA_EVENT_LOST) {
		/* Only watched (pinned, not NO_STALE) ones can be stale. */
		for (mr = dev->mrs; mr; mr = mr->next)
			if (!mr->stale && !(mr->access & (EDUDMA_REG_ON_DEMAND |
							  EDUDMA_REG_NO_STALE)))
				mr->stale = EDUDMA_MR_MAYBE_STALE;
		edudma_cache_on_lost(dev);
	}
}

/*
 * Keeps a record the cache read for edudma_get_events().  One that finds
 * no room is not kept, but the caller gets a LOST record first, as from
 * the driver when its queue is full.
 */
static void edudma_events_save(struct edudma_dev *dev,
			       const struct edudma_event *ev)
{
	struct edudma_saved_event *s = NULL;

	if (ev->type != EDUDMA_EVENT_LOST && dev->nsaved < EDUDMA_SAVED_MAX)
		s = malloc(sizeof(*s));
	if (!s) {
		dev->saved_lost = 1;
		return;
	}
	s->ev = *ev;
	s->next = NULL;
	if (dev->saved_tail)
		dev->saved_tail->next = s;
	else
		dev->saved = s;
	dev->saved_tail = s;
	dev->nsaved++;
}

void edudma_events_forget(struct edudma_dev *dev, uint32_t handle)
{
	struct edudma_saved_event **pp = &dev->saved, *s;

	dev->saved_tail = NULL;
	while ((s = *pp)) {
		if (s->ev.type == EDUDMA_EVENT_STALE && s->ev.handle == handle) {
			*pp = s->next;
			free(s);
			dev->nsaved--;
			continue;
		}
		dev->saved_tail = s;
		pp = &s->next;
	}
}

void edudma_events_release(struct edudma_dev *dev)
{
	struct edudma_saved_event *s, *next;

	for (s = dev->saved; s; s = next) {
		next = s->next;
		free(s);
	}
	dev->saved = dev->saved_tail = NULL;
	dev->nsaved = 0;
	dev->saved_lost = 0;
}

/* Moves the n oldest kept records (the LOST one first) to events. */
static void edudma_saved_take(struct edudma_dev *dev,
			      struct edudma_event *events, unsigned int n)
{
	struct edudma_saved_event *s;
	unsigned int i = 0;

	if (n && dev->saved_lost) {
		events[i++] = (struct edudma_event){ .type = EDUDMA_EVENT_LOST };
		dev->saved_lost = 0;
	}
	for (; i < n && (s = dev->saved); i++) {
		events[i] = s->ev;
		dev->saved = s->next;
		if (!dev->saved)
			dev->saved_tail = NULL;
		dev->nsaved--;
		free(s);
	}
}

/* One EDUDMA_GET_EVENTS for up to count records. */
static int edudma_events_ioctl(struct edudma_dev *dev,
			       struct edudma_event *events, unsigned int count,
			       struct edudma_get_events *arg)
{
	int ret;

	memset(arg, 0, sizeof(*arg));
	arg->argsz = sizeof(*arg);
	arg->count = count;
	arg->events = (uintptr_t)events;
	ret = edudma_do_ioctl(dev->fd, EDUDMA_GET_EVENTS, arg);
	if (!ret && arg->count > count)
		arg->count = count;	/* never trust more than the room */
	return ret;
}

int edudma_events_drain(struct edudma_dev *dev)
{
	struct edudma_event evs[EDUDMA_DRAIN_BATCH];
	struct edudma_get_events arg;
	unsigned int i;
	int ret;

	do {
		ret = edudma_events_ioctl(dev, evs, EDUDMA_DRAIN_BATCH, &arg);
		if (ret)
			return ret;
		/*
		 * All kept first: a deregistration that applying one causes
		 * (the cache's) drops that registration's, as the driver
		 * would have had it still been queued.
		 */
		for (i = 0; i < arg.count; i++)
			edudma_events_save(dev, &evs[i]);
		for (i = 0; i < arg.count; i++)
			edudma_event_apply(dev, &evs[i]);
	} while (arg.pending && arg.count);
	return 0;
}

int edudma_get_events(struct edudma_dev *dev, struct edudma_event *events,
		      unsigned int max, unsigned int *pending)
{
	struct edudma_get_events arg;
	unsigned int i, kept;
	int ret;

	if (!dev || (!events && max))
		return -EINVAL;
	if (max > INT_MAX)
		max = INT_MAX;
	pthread_mutex_lock(&dev->lock);
	/* The kept records are older: they take the first places. */
	kept = dev->nsaved + (dev->saved_lost ? 1 : 0);
	if (kept > max)
		kept = max;
	ret = edudma_events_ioctl(dev, max ? events + kept : NULL, max - kept,
				  &arg);
	if (!ret) {
		edudma_saved_take(dev, events, kept);
		for (i = 0; i < arg.count; i++)
			edudma_event_apply(dev, &events[kept + i]);
		if (pending)
			*pending = arg.pending + dev->nsaved +
				   (dev->saved_lost ? 1 : 0);
		ret = (int)(kept + arg.count);
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}
