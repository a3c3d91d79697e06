// SPDX-License-Identifier: GPL-2.0
/*
 * edudma-stress's operations: copy, to_dev, from_dev, oneshot and async
 * (main.c's comment says what each does), each verified byte for byte.
 */
#include "stress.h"

/* ---- operations ----------------------------------------------------------------- */

static uint64_t big_len(struct worker *w)
{
	return rnd_size(&w->rng, opt.size_min, opt.size_max);
}

static uint64_t dev_len(struct worker *w)
{
	uint64_t hi = opt.size_max < DEVBUF ? opt.size_max : DEVBUF;
	uint64_t lo = opt.size_min < hi ? opt.size_min : hi;

	return rnd_size(&w->rng, lo, hi);
}

static void two_arenas(struct worker *w, int *a, int *b)
{
	*a = (int)(rnd(&w->rng) % NARENA);
	*b = (int)((*a + 1 + rnd(&w->rng) % (NARENA - 1)) % NARENA);
}

/*
 * A source side in one arena, filled with the pattern name, and a
 * destination side in another, poisoned with guard; 0, or an error with
 * neither side held.
 */
static int two_sides(struct worker *w, struct tdev *td, struct side *s,
		     struct side *d, size_t len, uint64_t name, uint64_t guard)
{
	int a, b;

	two_arenas(w, &a, &b);
	if (side_get(w, td, s, a, pick_off(w, 0, w->asize, len), len,
		     EDUDMA_ACCESS_DEV_READ, 1))
		return -1;
	if (side_get(w, td, d, b, pick_off(w, 0, w->asize, len), len,
		     EDUDMA_ACCESS_DEV_WRITE, 1)) {
		side_put(w, td, s);
		return -1;
	}
	fill(s->p, len, name);
	poison(d->p, len, guard);
	return 0;
}

void op_copy(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	size_t len = big_len(w);
	uint64_t name = rnd(&w->rng), guard = rnd(&w->rng);
	struct side s = { 0 }, d = { 0 };
	int ret;

	if (two_sides(w, td, &s, &d, len, name, guard))
		return;
	buf_shared(td->sd, len);
	ret = edudma_copy(s.mr, s.off, d.mr, d.off, len);
	buf_unlock(td->sd);
	w->xfers++;
	if (ret) {
		fail(w, td, ret, "edudma_copy");
		goto out;
	}
	add_bytes(w, len);
	verify(w, td, "edudma_copy", d.p, len, name, guard);
out:
	side_put(w, td, &d);
	side_put(w, td, &s);
}

/* write_dev from arena a, read_dev into arena b: lock exclusive. */
void op_to_dev(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	size_t len = dev_len(w);
	uint32_t doff = (uint32_t)rnd_range(&w->rng, 0, DEVBUF - len);
	uint64_t name = rnd(&w->rng), guard = rnd(&w->rng);
	struct side s = { 0 }, d = { 0 };
	int ret;

	if (two_sides(w, td, &s, &d, len, name, guard))
		return;
	buf_exclusive(td->sd);
	ret = edudma_write_dev(s.mr, s.off, doff, len);
	w->xfers++;
	if (ret) {
		buf_unlock(td->sd);
		fail(w, td, ret, "edudma_write_dev");
		goto out;
	}
	buf_wrote(td->sd, doff, len, name);
	ret = edudma_read_dev(d.mr, d.off, doff, len);
	buf_unlock(td->sd);
	w->xfers++;
	if (ret) {
		fail(w, td, ret, "edudma_read_dev");
		goto out;
	}
	add_bytes(w, 2 * len);
	verify(w, td, "edudma_write_dev + edudma_read_dev", d.p, len, name,
	       guard);
out:
	side_put(w, td, &d);
	side_put(w, td, &s);
}

/*
 * read_dev of device-buffer bytes that hold known data, whoever wrote
 * them; unknown bytes are written first (from an arena).
 */
void op_from_dev(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	struct shared_dev *sd = td->sd;
	size_t len = dev_len(w), i;
	uint32_t doff = (uint32_t)rnd_range(&w->rng, 0, DEVBUF - len);
	uint64_t name = rnd(&w->rng), guard = rnd(&w->rng);
	struct side s = { 0 }, d = { 0 };
	unsigned char *want = NULL;
	size_t soff;
	int a, b, ret;

	two_arenas(w, &a, &b);
	/* drawn whether used or not: the ops stay the same for a seed */
	soff = pick_off(w, 0, w->asize, len);
	if (side_get(w, td, &d, b, pick_off(w, 0, w->asize, len), len,
		     EDUDMA_ACCESS_DEV_WRITE, 1))
		return;
	poison(d.p, len, guard);
	buf_exclusive(sd);
	for (i = 0; i < len && sd->known[doff + i]; i++)
		;
	if (i < len || !opt.verify) {
		/* not all known: write the range first */
		if (side_get(w, td, &s, a, soff, len, EDUDMA_ACCESS_DEV_READ, 0))
			goto unlock;
		fill(s.p, len, name);
		ret = edudma_write_dev(s.mr, s.off, doff, len);
		w->xfers++;
		if (ret) {
			fail(w, td, ret, "edudma_write_dev");
			goto unlock;
		}
		add_bytes(w, len);
		buf_wrote(sd, doff, len, name);
	}
	ret = edudma_read_dev(d.mr, d.off, doff, len);
	w->xfers++;
	if (ret) {
		fail(w, td, ret, "edudma_read_dev");
		goto unlock;
	}
	add_bytes(w, len);
	if (opt.verify) {
		want = malloc(len);
		if (want)
			memcpy(want, sd->shadow + doff, len);
	}
unlock:
	buf_unlock(sd);
	if (want) {
		long bad = -1;

		for (i = 0; i < len; i++) {
			if (d.p[i] != want[i]) {
				bad = (long)i;
				break;
			}
		}
		if (bad >= 0)
			mismatch(w, td, "edudma_read_dev of known device bytes",
				 len, bad, d.p[bad], want[bad]);
		else if (guards_ok(w, td, "edudma_read_dev", d.p, len, guard))
			w->verified += len;
		free(want);
	}
	side_put(w, td, &d);
	side_put(w, td, &s);
}

void op_oneshot(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	uint64_t name = rnd(&w->rng), guard = rnd(&w->rng);
	unsigned char *src, *dst;
	size_t len;
	int ret;

	if (one_in(&w->rng, 2)) {
		len = big_len(w);
		src = w->heap[0] + pick_off(w, 0, w->asize, len);
		dst = w->heap[1] + pick_off(w, 0, w->asize, len);
		fill(src, len, name);
		poison(dst, len, guard);
		buf_shared(td->sd, len);
		ret = edudma_copy_ptr(td->dev, dst, src, len);
		buf_unlock(td->sd);
		w->xfers++;
		if (ret) {
			fail(w, td, ret, "edudma_copy_ptr");
			return;
		}
		add_bytes(w, len);
		verify(w, td, "edudma_copy_ptr", dst, len, name, guard);
		return;
	}
	len = dev_len(w);
	{
		uint32_t doff = (uint32_t)rnd_range(&w->rng, 0, DEVBUF - len);

		src = w->heap[0] + pick_off(w, 0, w->asize, len);
		dst = w->heap[1] + pick_off(w, 0, w->asize, len);
		fill(src, len, name);
		poison(dst, len, guard);
		buf_exclusive(td->sd);
		ret = edudma_write_dev_ptr(td->dev, src, doff, len);
		w->xfers++;
		if (ret) {
			buf_unlock(td->sd);
			fail(w, td, ret, "edudma_write_dev_ptr");
			return;
		}
		buf_wrote(td->sd, doff, len, name);
		ret = edudma_read_dev_ptr(td->dev, dst, doff, len);
		buf_unlock(td->sd);
		w->xfers++;
		if (ret) {
			fail(w, td, ret, "edudma_read_dev_ptr");
			return;
		}
		add_bytes(w, 2 * len);
		verify(w, td, "edudma_write_dev_ptr + edudma_read_dev_ptr",
		       dst, len, name, guard);
	}
}

/* One submitted transfer of an async batch. */
struct sub {
	uint64_t cookie;
	uint64_t len;
	unsigned char *dst;		/* NULL: a write_dev, nothing to check */
	uint64_t name, guard;
	int done;
};

/* DMAs the device has run, for anyone: it is making progress. */
static uint64_t dev_progress(struct tdev *td)
{
	struct edudma_stats st;

	if (edudma_get_stats(td->dev, &st))
		return 0;
	return st.dma_to_dev + st.dma_from_dev + st.xfers;
}

/*
 * Reaps the completions of n submitted transfers; returns how many came.
 * Other threads' work may delay ours for long (files take turns), so the
 * wait ends only when the device ran no DMA at all for WAIT_MS: the
 * driver's own timeout ends a DMA that does not finish long before that.
 */
static unsigned int reap(struct worker *w, struct tdev *td, struct sub *sub,
			 unsigned int n)
{
	struct edudma_completion c[2 * MAX_BATCH];
	unsigned int got = 0, i, k;
	uint64_t seen = dev_progress(td), p;
	int use_poll = one_in(&w->rng, 3), ret;

	while (got < n) {
		if (use_poll) {
			struct pollfd pfd = {
				.fd = edudma_fd(td->dev), .events = POLLIN,
			};

			ret = poll(&pfd, 1, WAIT_MS);
			if (ret < 0) {
				fail(w, td, -errno, "poll() of edudma_fd()");
				return got;
			}
			if (ret > 0)
				ret = edudma_get_completions(td->dev, c,
							     2 * MAX_BATCH, 0);
		} else {
			ret = edudma_get_completions(td->dev, c, 2 * MAX_BATCH,
						     WAIT_MS);
		}
		if (ret < 0) {
			fail(w, td, ret, "edudma_get_completions");
			return got;
		}
		if (ret == 0) {
			p = dev_progress(td);
			if (p == seen) {
				fail(w, td, -ETIMEDOUT,
				     use_poll ? "poll() of edudma_fd(), the device idle" :
				     "edudma_get_completions, the device idle");
				return got;
			}
			seen = p;
			continue;
		}
		for (k = 0; k < (unsigned int)ret; k++) {
			for (i = 0; i < n; i++)
				if (sub[i].cookie == c[k].cookie)
					break;
			if (i == n || sub[i].done) {
				atomic_fetch_add(&g_errors, 1);
				say(w, td, "completion with cookie %#" PRIx64 " %s",
				    (uint64_t)c[k].cookie,
				    i == n ? "that was never submitted" :
				    "a second time");
				continue;
			}
			sub[i].done = 1;
			got++;
			if (c[k].status) {
				fail(w, td, c[k].status, "async transfer");
			} else if (c[k].bytes != sub[i].len) {
				atomic_fetch_add(&g_errors, 1);
				say(w, td, "completion of %" PRIu64 " bytes says %" PRIu64,
				    sub[i].len, (uint64_t)c[k].bytes);
			}
		}
	}
	return got;
}

/* Reaps a submitted batch, unlocks the device buffer, checks the data. */
static void finish_batch(struct worker *w, struct tdev *td, struct sub *sub,
			 unsigned int ns, int storage)
{
	unsigned int i;

	if (reap(w, td, sub, ns) < ns) {
		/*
		 * Transfers may still run: closing the file cancels the queued
		 * ones and waits for the running one, so that other threads'
		 * checks are not disturbed.  This thread stops.
		 */
		edudma_close(td->dev);
		td->dev = NULL;
		memset(td->mr, 0, sizeof(td->mr));
		w->dead = 1;
	}
	buf_unlock(td->sd);
	for (i = 0; i < ns; i++) {
		if (!sub[i].done)
			continue;
		add_bytes(w, sub[i].len);
		if (sub[i].dst)
			verify(w, td, storage ? "async write_dev + read_dev" :
			       "async copy", sub[i].dst, sub[i].len,
			       sub[i].name, sub[i].guard);
	}
}

void op_async(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	unsigned int n = (unsigned int)rnd_range(&w->rng, 1, MAX_BATCH);
	int storage = one_in(&w->rng, 3);
	struct sub sub[2 * MAX_BATCH];
	struct edudma_mr *ms, *md;
	size_t slot, len, so, dof;
	unsigned int i, ns = 0;
	uint32_t doff = 0;
	int a, b, ret;

	memset(sub, 0, sizeof(sub));
	two_arenas(w, &a, &b);
	ms = arena_mr(w, td, a);
	md = ms ? arena_mr(w, td, b) : NULL;
	if (!md)
		return;
	slot = w->asize / n;
	if (storage)
		buf_exclusive(td->sd);
	else
		buf_shared(td->sd, opt.size_max);
	for (i = 0; i < n; i++) {
		struct sub *x = &sub[ns];
		uint64_t name = rnd(&w->rng);

		len = storage ? dev_len(w) : big_len(w);
		if (len > slot - 2 * GUARD)
			len = slot - 2 * GUARD;
		so = pick_off(w, i * slot, slot, len);
		dof = pick_off(w, i * slot, slot, len);
		fill(w->arena[a] + so, len, name);
		if (storage) {
			doff = (uint32_t)rnd_range(&w->rng, 0, DEVBUF - len);
			x->cookie = ++w->cookie;
			x->len = len;
			ret = edudma_submit_write_dev(ms, so, doff, len, x->cookie);
			if (ret) {
				fail(w, td, ret, "edudma_submit_write_dev");
				break;
			}
			ns++;
			buf_wrote(td->sd, doff, len, name);
			x = &sub[ns];
		}
		x->cookie = ++w->cookie;
		x->len = len;
		x->dst = w->arena[b] + dof;
		x->name = name;
		x->guard = rnd(&w->rng);
		poison(x->dst, len, x->guard);
		if (storage)
			ret = edudma_submit_read_dev(md, dof, doff, len, x->cookie);
		else
			ret = edudma_submit_copy(ms, so, md, dof, len, x->cookie);
		if (ret) {
			fail(w, td, ret, storage ? "edudma_submit_read_dev" :
			     "edudma_submit_copy");
			break;
		}
		ns++;
	}
	w->xfers += ns;
	finish_batch(w, td, sub, ns, storage);
}
