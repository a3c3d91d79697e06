/* SPDX-License-Identifier: GPL-2.0 */
/*
 * odp_race.h: events of the address space raced against DMA in flight on
 * an on-demand registration, for odp_keep.c (events that keep the bytes:
 * swap-out, migration, compaction, mprotect, mremap, THP split and
 * collapse, fork) and odp_replace.c (events that put new memory under the
 * addresses: munmap and mmap, MADV_DONTNEED).
 *
 * One thread runs transfers over the registration without a break and
 * verifies every byte; the case's thread makes the event again and again
 * (EDUDMA_ODP_EVENTS times, default per case).  A page the event makes
 * unreachable for the CPU (mprotect, mremap, munmap) is locked while it
 * is; the transfers themselves never take a lock, so they race with it.
 * With --iommu a DMA through a mapping the driver dropped would be a DMAR
 * fault in the kernel log, which fails the case too.
 */
#ifndef ODP_RACE_H
#define ODP_RACE_H

#include <pthread.h>
#include <sys/mman.h>

#include "edudma_test.h"

#define RACE_MAX_PAGES	1024

struct race {
	int fd;
	unsigned char *buf;
	size_t npages;
	uint32_t h;			/* on demand, DEV_READ | DEV_WRITE */
	pthread_mutex_t lock[RACE_MAX_PAGES];	/* CPU access to page i */
	int allow_efault;		/* the event can unmap or protect */

	/* odp_replace: page i holds pattern(i, gen[i]); odd: being replaced */
	unsigned int gen[RACE_MAX_PAGES];
	unsigned char *check;		/* pinned, for reading the device back */
	unsigned char last_stamp;	/* of the last device write */
	uint32_t hcheck;

	pthread_t th;
	int stop;			/* __atomic */
	uint64_t seed;

	/* what the transfer thread saw (started, xfers, bad: __atomic) */
	long started, xfers, faults, bad;
	char why[240];
	long events, raced;		/* raced: with a transfer in flight */
	long long t0;			/* et_now_ms() at race_start() */
};

/* A count from the environment, or def. */
static inline long race_env(const char *name, long def)
{
	const char *e = getenv(name);

	return e && atol(e) > 0 ? atol(e) : def;
}

/* One event; s is the case's generator. */
typedef void race_event_fn(struct race *r, uint64_t *s, void *ctx);

/*
 * Makes the event again and again while a transfer is in flight (from its
 * ioctl to its completion), with random pauses of up to 8 ms of the
 * guest's virtual time between events: a DMA takes 100 ms of it, so the
 * events land before a transfer's fault, during it, during a DMA and
 * between two DMAs.  Under icount a pause costs no wall time (the clock
 * jumps to the next deadline).  Until min_events events (EDUDMA_ODP_EVENTS
 * overrides) raced with a transfer: in flight before and after the event.
 */
static inline void race_loop(struct race *r, long min_events,
			     race_event_fn *fn, void *ctx)
{
	long want = race_env("EDUDMA_ODP_EVENTS", min_events);
	uint64_t s = r->seed ^ 0x6576;

	while (r->raced < want && !__atomic_load_n(&r->bad, __ATOMIC_RELAXED)) {
		long st = __atomic_load_n(&r->started, __ATOMIC_ACQUIRE);
		long dn = __atomic_load_n(&r->xfers, __ATOMIC_ACQUIRE);

		if (st == dn) {		/* none in flight */
			usleep(50);
			continue;
		}
		fn(r, &s, ctx);
		r->events++;
		r->raced += __atomic_load_n(&r->xfers, __ATOMIC_ACQUIRE) == dn;
		usleep(ed_rand_range(&s, 0, 8000));
	}
}

static inline void race_lock(struct race *r, size_t first, size_t n)
{
	for (size_t i = first; i < first + n && i < r->npages; i++)
		pthread_mutex_lock(&r->lock[i]);
}

static inline void race_unlock(struct race *r, size_t first, size_t n)
{
	for (size_t i = first; i < first + n && i < r->npages; i++)
		pthread_mutex_unlock(&r->lock[i]);
}

/* Locks pages p, p + 1, q, q + 1 (two pairs apart), lowest first. */
static inline void race_lock_pairs(struct race *r, size_t p, size_t q)
{
	race_lock(r, p < q ? p : q, 2);
	race_lock(r, p < q ? q : p, 2);
}

static inline void race_unlock_pairs(struct race *r, size_t p, size_t q)
{
	race_unlock(r, p, 2);
	race_unlock(r, q, 2);
}

/* The first wrong thing the transfer thread saw, kept. */
static inline void race_bad(struct race *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void race_bad(struct race *r, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

/* One transfer, async so that its completion says where it stopped. */
static inline int race_xfer(struct race *r, struct edudma_xfer *x,
			    struct edudma_completion *c)
{
	int got, e;

	x->flags |= EDUDMA_XFER_ASYNC;
	x->cookie = (uint64_t)r->xfers;
	e = et_xfer(r->fd, x);
	if (e)
		return e;
	e = et_read_completions(r->fd, c, 1, &got);
	return e ? e : got == 1 ? 0 : EIO;
}

/*
 * Maps npages of memory (aligned to align), registers them on demand and
 * makes the locks.  buf may be given (THP, hugetlbfs); then it is used.
 */
static inline void race_setup(struct race *r, size_t npages, size_t align,
			      unsigned char *buf)
{
	struct edudma_reg_mr m;

	memset(r, 0, sizeof(*r));
	ET_ASSERT(npages <= RACE_MAX_PAGES, "too many pages");
	r->npages = npages;
	r->seed = et_rand();
	r->fd = et_open(0, 0);
	ET_ASSERT(r->fd >= 0, "open: %s", strerror(errno));
	r->buf = buf ? buf : et_map_aligned(npages * ET_PAGE, align);
	ET_ASSERT(r->buf, "out of memory");
	for (size_t i = 0; i < npages; i++)
		pthread_mutex_init(&r->lock[i], NULL);
	ed_rand_fill(&r->seed, r->buf, npages * ET_PAGE);
	ET_ASSERT_ERRNO(et_reg(r->fd, r->buf, npages * ET_PAGE,
			       ET_RW | EDUDMA_REG_ON_DEMAND, &m), 0,
			"REG_MR on demand");
	r->h = m.handle;
}

static inline void race_start(struct race *r, void *(*fn)(void *))
{
	r->t0 = et_now_ms();
	__atomic_store_n(&r->stop, 0, __ATOMIC_RELAXED);
	ET_ASSERT(!pthread_create(&r->th, NULL, fn, r), "pthread_create");
}

/* Stops the transfer thread, then: no wrong byte, transfers ran. */
static inline void race_finish(struct race *r, const char *event)
{
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
	pthread_join(r->th, NULL);
	et_note("%s: %ld events, %ld of them with a transfer in flight; %ld transfers (%ld EFAULT) in %lld ms",
		event, r->events, r->raced, r->xfers, r->faults,
		et_now_ms() - r->t0);
	ET_EXPECT(!r->bad, "%ld of %ld transfers wrong; the first: %s",
		  r->bad, r->xfers, r->why);
	ET_EXPECT(r->raced > 0, "no event raced with a transfer");
}

static inline void race_teardown(struct race *r)
{
	close(r->fd);
}

/* ---- events that keep the bytes (odp_keep.c) ------------------------------ */

/*
 * COPYs up to two pages to two other pages of the registration, then
 * checks the destination against what the source held: the event under
 * way may move, swap, protect or merge pages, never change their bytes.
 * EFAULT (when the event can unmap or protect) must still leave the bytes
 * before the completion's count right.
 */
static inline void *race_keep_thread(void *arg)
{
	struct race *r = arg;
	uint64_t s = r->seed ^ 0x6b65;
	unsigned char want[2 * 4096];

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		size_t p = ed_rand_range(&s, 0, r->npages - 2), q;
		size_t a = ed_rand_range(&s, 0, ET_PAGE - 1);
		size_t b = ed_rand_range(&s, 0, ET_PAGE - 1);
		size_t len = ed_rand_range(&s, 1, 2 * ET_PAGE - (a > b ? a : b));
		struct edudma_xfer x = { .op = EDUDMA_OP_COPY };
		struct edudma_completion c;
		int e;

		do
			q = ed_rand_range(&s, 0, r->npages - 2);
		while (q + 1 >= p && q <= p + 1);
		race_lock_pairs(r, p, q);
		ed_rand_fill(&s, r->buf + p * ET_PAGE + a, len);
		memcpy(want, r->buf + p * ET_PAGE + a, len);
		race_unlock_pairs(r, p, q);

		x.src_handle = r->h;
		x.src = p * ET_PAGE + a;
		x.dst_handle = r->h;
		x.dst = q * ET_PAGE + b;
		x.length = len;
		__atomic_fetch_add(&r->started, 1, __ATOMIC_RELEASE);
		e = race_xfer(r, &x, &c);
		__atomic_fetch_add(&r->xfers, 1, __ATOMIC_RELAXED);

		race_lock_pairs(r, p, q);
		if (e) {
			race_bad(r, "COPY: %s", et_errno_name(e));
		} else if (c.status && !(c.status == -EFAULT && r->allow_efault)) {
			race_bad(r, "COPY of %zu bytes: status %d", len,
				 c.status);
		} else {
			size_t good = c.status ? c.bytes : len;
			long at = et_diff(r->buf + q * ET_PAGE + b, want, good);

			r->faults += !!c.status;
			if (good > len)
				race_bad(r, "bytes %zu of a %zu-byte COPY", good,
					 len);
			else if (at >= 0)
				race_bad(r, "COPY of %zu bytes page %zu+%zu -> %zu+%zu: byte %ld of %zu wrong",
					 len, p, a, q, b, at, good);
		}
		race_unlock_pairs(r, p, q);
	}
	return NULL;
}

#endif /* ODP_RACE_H */
