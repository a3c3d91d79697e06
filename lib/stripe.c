// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: copies striped across several devices, their registrations
 * from the cache of each device's second file (cache.c).
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define EDUDMA_STRIPE_PIECE	(1U << 20)	/* bytes per async COPY */
#define EDUDMA_STRIPE_MAX_DEVS	64

struct edudma_stripe {
	struct edudma_dev *dev;		/* the aux file */
	struct edudma_mr *src, *dst;
	int no_cache;			/* EDUDMA_STRIPE_NO_CACHE */
	char *src_addr, *dst_addr;
	uint64_t length, next;
	unsigned int outstanding;
	struct edudma_stripe_result res;
};

/* A share of src or dst on the aux file: from its cache, or for the call. */
static int edudma_stripe_reg(struct edudma_stripe *s, void *addr,
			     unsigned int access, struct edudma_mr **mr)
{
	if (s->no_cache)
		return edudma_reg_mr(s->dev, addr, s->length, access, mr);
	return edudma_mr_get(s->dev, addr, s->length, access, mr);
}

static void edudma_stripe_unreg(struct edudma_stripe *s, struct edudma_mr *mr)
{
	if (!mr)
		return;
	if (s->no_cache)
		edudma_dereg_mr(mr);
	else
		edudma_mr_put(mr);
}

static struct edudma_dev *edudma_aux(struct edudma_dev *dev, int *err)
{
	pthread_mutex_lock(&dev->lock);
	if (!dev->aux)
		*err = edudma_open(dev->minor, &dev->aux);
	pthread_mutex_unlock(&dev->lock);
	return dev->aux;
}

static void edudma_stripe_fail(struct edudma_stripe *s, int err)
{
	if (!s->res.status)
		s->res.status = err;
	s->next = s->length;		/* submit no more */
}

static void edudma_stripe_submit(struct edudma_stripe *s)
{
	while (s->next < s->length) {
		uint64_t piece = s->length - s->next;
		int ret;

		if (piece > EDUDMA_STRIPE_PIECE)
			piece = EDUDMA_STRIPE_PIECE;
		ret = edudma_submit_copy(s->src,
					 (uint64_t)(s->src_addr - (char *)s->src->addr) + s->next,
					 s->dst,
					 (uint64_t)(s->dst_addr - (char *)s->dst->addr) + s->next,
					 piece, s->next);
		if (ret == -EAGAIN && s->outstanding)
			return;		/* drain completions first */
		if (ret) {
			edudma_stripe_fail(s, ret);
			return;
		}
		s->outstanding++;
		s->next += piece;
	}
}

static void edudma_stripe_reap(struct edudma_stripe *s)
{
	struct edudma_completion c[64];
	int i, n;

	n = edudma_get_completions(s->dev, c, 64, 0);
	if (n < 0) {
		/* The device is gone: nothing more will complete. */
		edudma_stripe_fail(s, n);
		s->outstanding = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		s->outstanding--;
		s->res.bytes += c[i].bytes;
		s->res.transfers++;
		if (c[i].status)
			edudma_stripe_fail(s, c[i].status);
	}
}

static int edudma_stripe_run(struct edudma_stripe *st, unsigned int n)
{
	struct pollfd pfd[EDUDMA_STRIPE_MAX_DEVS];
	unsigned int i, busy;

	for (;;) {
		busy = 0;
		for (i = 0; i < n; i++) {
			edudma_stripe_submit(&st[i]);
			pfd[i].fd = st[i].dev ? st[i].dev->fd : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
			if (!st[i].outstanding)
				pfd[i].fd = -1;
			else
				busy++;
		}
		if (!busy)
			return 0;
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++)
			if (pfd[i].revents)
				edudma_stripe_reap(&st[i]);
	}
}

static int edudma_cmp_dev(const void *a, const void *b)
{
	const struct edudma_dev *x = *(struct edudma_dev *const *)a;
	const struct edudma_dev *y = *(struct edudma_dev *const *)b;

	/*
	 * By minor, then by address: two files of one device are both
	 * accepted, and a dev given twice ends up adjacent, where the
	 * duplicate check finds it (else its stripe_lock is taken twice).
	 */
	if (x->minor != y->minor)
		return x->minor < y->minor ? -1 : 1;
	return (uintptr_t)x < (uintptr_t)y ? -1 : (uintptr_t)x > (uintptr_t)y;
}

int edudma_copy_striped(struct edudma_dev **devs, unsigned int ndevs,
			void *dst, const void *src, size_t length,
			unsigned int flags,
			struct edudma_stripe_result *results)
{
	struct edudma_dev *order[EDUDMA_STRIPE_MAX_DEVS];
	struct edudma_stripe st[EDUDMA_STRIPE_MAX_DEVS];
	uint64_t share, off = 0;
	unsigned int i;
	int ret = 0, err;

	if (!devs || !ndevs || ndevs > EDUDMA_STRIPE_MAX_DEVS || !dst ||
	    !src || !length ||
	    (flags & ~(EDUDMA_STRIPE_CACHE | EDUDMA_STRIPE_NO_CACHE)))
		return -EINVAL;
	memcpy(order, devs, ndevs * sizeof(*devs));
	for (i = 0; i < ndevs; i++)
		if (!order[i])
			return -EINVAL;
	/* Lock in minor order, so that concurrent callers cannot deadlock. */
	qsort(order, ndevs, sizeof(order[0]), edudma_cmp_dev);
	for (i = 1; i < ndevs; i++)
		if (order[i] == order[i - 1])
			return -EINVAL;
	for (i = 0; i < ndevs; i++)
		pthread_mutex_lock(&order[i]->stripe_lock);

	memset(st, 0, sizeof(st));
	for (i = 0; i < ndevs; i++) {
		struct edudma_stripe *s = &st[i];

		share = length / ndevs + (i < length % ndevs);
		s->res.minor = devs[i]->minor;
		s->src_addr = (char *)src + off;
		s->dst_addr = (char *)dst + off;
		s->length = share;
		s->no_cache = !!(flags & EDUDMA_STRIPE_NO_CACHE);
		off += share;
		if (!share)
			continue;
		err = 0;
		s->dev = edudma_aux(devs[i], &err);
		if (!s->dev) {
			edudma_stripe_fail(s, err);
			continue;
		}
		err = edudma_stripe_reg(s, s->src_addr, EDUDMA_ACCESS_DEV_READ,
					&s->src);
		if (!err)
			err = edudma_stripe_reg(s, s->dst_addr,
						EDUDMA_ACCESS_DEV_WRITE, &s->dst);
		if (err)
			edudma_stripe_fail(s, err);
	}

	err = edudma_stripe_run(st, ndevs);

	for (i = 0; i < ndevs; i++) {
		struct edudma_stripe *s = &st[i];

		/* Every transfer has ended: none holds them any more. */
		edudma_stripe_unreg(s, s->src);
		edudma_stripe_unreg(s, s->dst);
		if (!ret)
			ret = s->res.status;
		if (results)
			results[i] = s->res;
	}
	for (i = ndevs; i-- > 0;)
		pthread_mutex_unlock(&order[i]->stripe_lock);
	return ret ? ret : err;
}

void edudma_forget_cached(struct edudma_dev *dev)
{
	if (!dev)
		return;
	pthread_mutex_lock(&dev->stripe_lock);
	if (dev->aux)
		edudma_cache_flush(dev->aux);
	pthread_mutex_unlock(&dev->stripe_lock);
}
