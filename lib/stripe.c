// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: copies striped across several devices, with an optional
 * cache of the registrations they make.
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
	int own_src, own_dst;
	char *src_addr, *dst_addr;
	uint64_t length, next;
	unsigned int outstanding;
	struct edudma_stripe_result res;
};

/* A cached registration covering [addr, addr + length) with access. */
static struct edudma_mr *edudma_cache_find(struct edudma_dev *dev, void *addr,
					   size_t length, unsigned int access)
{
	uintptr_t a = (uintptr_t)addr;
	struct edudma_mr *mr;

	for (mr = dev->mrs; mr; mr = mr->next) {
		uintptr_t m = (uintptr_t)mr->addr;

		if (mr->cached && (mr->access & access) == access &&
		    a >= m && a - m <= mr->length && length <= mr->length - (a - m))
			return mr;
	}
	return NULL;
}

static int edudma_stripe_reg(struct edudma_dev *dev, void *addr, size_t length,
			     unsigned int access, unsigned int flags,
			     struct edudma_mr **mr, int *own)
{
	int ret = 0;

	pthread_mutex_lock(&dev->lock);
	*mr = NULL;
	if (flags & EDUDMA_STRIPE_CACHE)
		*mr = edudma_cache_find(dev, addr, length, access);
	*own = 0;
	if (!*mr) {
		ret = edudma_mr_reg_locked(dev, addr, length, access,
					   !!(flags & EDUDMA_STRIPE_CACHE), mr);
		*own = !ret && !(flags & EDUDMA_STRIPE_CACHE);
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
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
	    !src || !length || (flags & ~EDUDMA_STRIPE_CACHE))
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
		off += share;
		if (!share)
			continue;
		err = 0;
		s->dev = edudma_aux(devs[i], &err);
		if (!s->dev) {
			edudma_stripe_fail(s, err);
			continue;
		}
		err = edudma_stripe_reg(s->dev, s->src_addr, share,
					EDUDMA_ACCESS_DEV_READ, flags,
					&s->src, &s->own_src);
		if (!err)
			err = edudma_stripe_reg(s->dev, s->dst_addr, share,
						EDUDMA_ACCESS_DEV_WRITE, flags,
						&s->dst, &s->own_dst);
		if (err)
			edudma_stripe_fail(s, err);
	}

	err = edudma_stripe_run(st, ndevs);

	for (i = 0; i < ndevs; i++) {
		struct edudma_stripe *s = &st[i];

		if (s->own_src)
			edudma_dereg_mr(s->src);
		if (s->own_dst)
			edudma_dereg_mr(s->dst);
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
	struct edudma_dev *aux;
	struct edudma_mr *mr, *next;

	if (!dev)
		return;
	pthread_mutex_lock(&dev->stripe_lock);
	aux = dev->aux;
	if (aux) {
		pthread_mutex_lock(&aux->lock);
		for (mr = aux->mrs; mr; mr = next) {
			next = mr->next;
			if (mr->cached)
				edudma_mr_dereg_locked(mr);
		}
		pthread_mutex_unlock(&aux->lock);
	}
	pthread_mutex_unlock(&dev->stripe_lock);
}
