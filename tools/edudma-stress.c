// SPDX-License-Identifier: GPL-2.0
/*
 * edudma-stress: a seeded, verifying stress engine for edudma, built only
 * on libedudma.
 *
 * Every thread opens its own file on each device it uses, keeps a few
 * buffers ("arenas") that it registers and deregisters at random, and runs
 * a weighted mix of operations on random lengths, offsets and alignments:
 *
 *   copy      edudma_copy() between two registrations (sometimes made for
 *             the call only, with the exact range and access it needs)
 *   to_dev    edudma_write_dev() then edudma_read_dev() of the same bytes
 *   from_dev  edudma_read_dev() of device-buffer bytes whose content is
 *             known (written before by any thread, through any file)
 *   oneshot   edudma_copy_ptr(), or edudma_write_dev_ptr() then
 *             edudma_read_dev_ptr(), on unregistered heap memory
 *   async     a batch of edudma_submit_copy(), or of submitted write/read
 *             pairs, reaped with edudma_get_completions() (sometimes after
 *             a poll() of edudma_fd()): every cookie once, status 0, bytes
 *
 * With verification (the default) every source is filled with a pattern
 * derived from the seed and every destination byte is checked, together
 * with guard bytes on both sides of it that must stay untouched.
 *
 * The device buffer (4095 usable bytes) is shared by every file of a
 * device, and a COPY uses [0, 4095) as its bounce area.  So that
 * verification stays exact while threads share devices, each device has a
 * reader-writer lock here: COPYs (any number at once) hold it shared,
 * operations that use the buffer as storage (write then read) hold it
 * exclusively.  A shadow of the buffer remembers which bytes hold known
 * data; a COPY forgets the bytes it bounces through.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <edudma.h>
#include "edudma_rand.h"

#define MAX_DEVS	64
#define MAX_THREADS	256
#define NARENA		4		/* buffers per thread */
#define GUARD		64		/* checked bytes around destinations */
#define PAGE		4096UL
#define DEVBUF		4095U		/* usable bytes of the device buffer */
#define MAX_BATCH	4		/* transfers per async op */
#define MAX_SIZE	(256UL << 20)
#define MAX_MSGS	50		/* error lines printed before silence */
#define ERROR_LIMIT	1000		/* stop after this many errors */
#define WAIT_MS		10000		/* a device with no DMA for this long is stuck */

enum kind { K_COPY, K_TO_DEV, K_FROM_DEV, K_ONESHOT, K_ASYNC, K_NR };

static const char *const kind_name[K_NR] = {
	"copy", "to_dev", "from_dev", "oneshot", "async",
};

/* ---- options -------------------------------------------------------------- */

static struct {
	double duration;		/* seconds, 0: none */
	uint64_t ops;			/* 0: none */
	unsigned int threads;
	unsigned int minors[MAX_DEVS];
	unsigned int ndevs;
	uint64_t size_min, size_max;
	unsigned int weight[K_NR];
	unsigned int weight_sum;
	uint64_t seed;
	int verify;
	int quiet;
} opt = {
	.threads = 2,
	.size_min = 1,
	.size_max = 64 * 1024,
	.weight = { 3, 1, 1, 1, 2 },
	.verify = 1,
};

/* ---- the seeded generator (common/edudma_rand.h) ---------------------------- */

#define rnd(s)			ed_rand(s)
#define rnd_range(s, lo, hi)	ed_rand_range(s, lo, hi)
#define mix64(z)		ed_mix64(z)

/* 1 with probability 1/n */
static int one_in(uint64_t *s, unsigned int n)
{
	return rnd(s) % n == 0;
}

/*
 * Sizes are uniform in log2 between min and max: log2 is taken piecewise
 * linear inside each octave (x = 2^k (1 + f) has "log" k + f), which keeps
 * the program free of libm and is exact at powers of two.
 */
static double plog2(uint64_t x)
{
	int k = 63 - __builtin_clzll(x);

	return k + (double)(x - (1ULL << k)) / (double)(1ULL << k);
}

static uint64_t pexp2(double t)
{
	int k = (int)t;
	double f = t - k;

	return (1ULL << k) + (uint64_t)(f * (double)(1ULL << k));
}

static uint64_t rnd_size(uint64_t *s, uint64_t lo, uint64_t hi)
{
	double a, b, u;
	uint64_t v;

	if (hi <= lo)
		return lo;
	a = plog2(lo);
	b = plog2(hi + 1);
	u = (double)(rnd(s) >> 11) / 9007199254740992.0;	/* [0, 1) */
	v = pexp2(a + (b - a) * u);
	return v < lo ? lo : v > hi ? hi : v;
}

/* A byte pattern named by a 64-bit value. */
static void pat_fill(unsigned char *p, size_t len, uint64_t name)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = mix64(name + (i >> 3));
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

/* Offset of the first byte that differs from pattern name, or -1. */
static long pat_check(const unsigned char *p, size_t len, uint64_t name,
		      unsigned char *want)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = mix64(name + (i >> 3));
		if (p[i] != (unsigned char)v) {
			*want = (unsigned char)v;
			return (long)i;
		}
		v >>= 8;
	}
	return -1;
}

/* ---- shared state ----------------------------------------------------------- */

/* What this process knows about one device's buffer. */
struct shared_dev {
	unsigned int minor;
	pthread_rwlock_t buf;		/* shared: COPY; exclusive: storage */
	atomic_uint bounced;		/* COPYs bounced through [0, bounced) */
	unsigned char shadow[DEVBUF];	/* under buf, exclusive */
	unsigned char known[DEVBUF];	/* shadow[i] is the content */
};

static struct shared_dev sdev[MAX_DEVS];

static atomic_int stop;
static atomic_uint finished;		/* workers done */
static atomic_int msgs;
static atomic_uint_fast64_t g_ops, g_bytes, g_errors, g_mismatches;
static double t_start;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- per thread ------------------------------------------------------------- */

struct tdev {
	struct edudma_dev *dev;
	struct shared_dev *sd;
	struct edudma_mr *mr[NARENA];	/* the arena's registration, or NULL */
};

struct worker {
	unsigned int idx;
	pthread_t tid;
	uint64_t rng;
	uint64_t quota;			/* ops to run; 0: until the time ends */
	uint64_t opno;			/* number of the current op */
	enum kind cur;
	struct tdev dev[MAX_DEVS];
	unsigned char *arena[NARENA];
	unsigned char *heap[2];		/* malloc()ed, for one-shot transfers */
	size_t asize;
	uint64_t cookie;
	uint64_t ops[K_NR];
	uint64_t xfers, regs, deregs, bytes, verified;
	int dead;			/* a device is gone or stuck: stop */
};

static void say(struct worker *w, struct tdev *td, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct worker *w, struct tdev *td, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (atomic_fetch_add(&msgs, 1) >= MAX_MSGS)
		return;
	n = snprintf(line, sizeof(line),
		     "edudma-stress: thread %u op %" PRIu64 " (%s)",
		     w->idx, w->opno, kind_name[w->cur]);
	if (td)
		n += snprintf(line + n, sizeof(line) - n, " /dev/edudma%u",
			      td->sd->minor);
	n += snprintf(line + n, sizeof(line) - n, ": ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", isatty(2) && !opt.quiet ? "\r\033[K" : "",
		line);
}

/* An SDK call failed: count it and say so.  Returns ret. */
static int fail(struct worker *w, struct tdev *td, int ret, const char *what)
{
	atomic_fetch_add(&g_errors, 1);
	say(w, td, "%s: %s", what, strerror(-ret));
	if (ret == -ENODEV)
		w->dead = 1;
	if (atomic_load(&g_errors) >= ERROR_LIMIT)
		atomic_store(&stop, 1);
	return ret;
}

static void add_bytes(struct worker *w, uint64_t n)
{
	w->bytes += n;
	atomic_fetch_add(&g_bytes, n);
}

static void mismatch(struct worker *w, struct tdev *td, const char *what,
		     size_t len, long bad, unsigned char got, unsigned char want)
{
	atomic_fetch_add(&g_mismatches, 1);
	say(w, td, "%s of %zu bytes: byte %ld%s is 0x%02x, not 0x%02x", what,
	    len, bad, bad < 0 || (size_t)bad >= len ?
	    " (outside the destination)" : "", got, want);
}

/* The guards around dst[0, len) are untouched?  (1: yes) */
static int guards_ok(struct worker *w, struct tdev *td, const char *what,
		     const unsigned char *dst, size_t len, uint64_t guard)
{
	unsigned char want;
	long bad;

	bad = pat_check(dst - GUARD, GUARD, guard, &want);
	if (bad >= 0) {
		mismatch(w, td, what, len, bad - GUARD, dst[bad - GUARD], want);
		return 0;
	}
	bad = pat_check(dst + len, GUARD, guard + 1000003, &want);
	if (bad >= 0) {
		mismatch(w, td, what, len, (long)len + bad, dst[len + bad],
			 want);
		return 0;
	}
	return 1;
}

/* Checks dst[0, len) against pattern name, and the guards around it. */
static void verify(struct worker *w, struct tdev *td, const char *what,
		   const unsigned char *dst, size_t len, uint64_t name,
		   uint64_t guard)
{
	unsigned char want;
	long bad;

	if (!opt.verify)
		return;
	bad = pat_check(dst, len, name, &want);
	if (bad >= 0) {
		mismatch(w, td, what, len, bad, dst[bad], want);
		return;
	}
	if (guards_ok(w, td, what, dst, len, guard))
		w->verified += len;
}

/* Fills a destination's guards (and the destination itself) with poison. */
static void poison(unsigned char *dst, size_t len, uint64_t guard)
{
	if (!opt.verify)
		return;
	pat_fill(dst - GUARD, GUARD, guard);
	pat_fill(dst + len, GUARD, guard + 1000003);
	memset(dst, 0xa5, len);
}

static void fill(unsigned char *src, size_t len, uint64_t name)
{
	if (opt.verify)
		pat_fill(src, len, name);
}

/* ---- the device buffer ------------------------------------------------------- */

static void buf_shared(struct shared_dev *sd, uint64_t len)
{
	unsigned int n = len < DEVBUF ? (unsigned int)len : DEVBUF;
	unsigned int old;

	pthread_rwlock_rdlock(&sd->buf);
	/* read it under the lock: a writer may have just cleared it */
	old = atomic_load(&sd->bounced);
	while (old < n && !atomic_compare_exchange_weak(&sd->bounced, &old, n))
		;
}

static void buf_exclusive(struct shared_dev *sd)
{
	unsigned int n;

	pthread_rwlock_wrlock(&sd->buf);
	n = atomic_exchange(&sd->bounced, 0);
	memset(sd->known, 0, n);
}

static void buf_unlock(struct shared_dev *sd)
{
	pthread_rwlock_unlock(&sd->buf);
}

/* The device buffer [off, +len) now holds pattern name (lock exclusive). */
static void buf_wrote(struct shared_dev *sd, uint32_t off, size_t len,
		      uint64_t name)
{
	pat_fill(sd->shadow + off, len, name);
	memset(sd->known + off, 1, len);
}

/* ---- registrations ---------------------------------------------------------- */

static struct tdev *pick_dev(struct worker *w)
{
	return &w->dev[rnd(&w->rng) % opt.ndevs];
}

/* The arena's registration on td, made now if missing. */
static struct edudma_mr *arena_mr(struct worker *w, struct tdev *td, int a)
{
	int ret;

	if (td->mr[a])
		return td->mr[a];
	ret = edudma_reg_mr(td->dev, w->arena[a], w->asize,
			    EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE,
			    &td->mr[a]);
	if (ret) {
		td->mr[a] = NULL;
		fail(w, td, ret, "edudma_reg_mr of an arena");
		return NULL;
	}
	w->regs++;
	return td->mr[a];
}

static void arena_dereg(struct worker *w, struct tdev *td, int a)
{
	int ret;

	if (!td->mr[a])
		return;
	ret = edudma_dereg_mr(td->mr[a]);
	if (ret) {
		fail(w, td, ret, "edudma_dereg_mr of an idle arena");
		return;
	}
	td->mr[a] = NULL;
	w->deregs++;
}

/* Registers or deregisters one arena on one device, at random. */
static void churn(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	int a = (int)(rnd(&w->rng) % NARENA);

	if (td->mr[a])
		arena_dereg(w, td, a);
	else
		arena_mr(w, td, a);
}

/*
 * A side of a transfer: [off, +len) of arena a, through the arena's
 * registration or one made for this op only (exact range, exact access).
 */
struct side {
	int a;
	unsigned char *p;		/* first byte */
	struct edudma_mr *mr;
	uint64_t off;			/* offset in mr */
	int temp;
};

/* An offset for len bytes in a span of size, with guards, often aligned. */
static size_t pick_off(struct worker *w, size_t base, size_t size, size_t len)
{
	size_t lo = base + GUARD, hi = base + size - len - GUARD, o;

	o = rnd_range(&w->rng, lo, hi);
	switch (rnd(&w->rng) % 8) {
	case 0:		/* page aligned */
		o = (o + PAGE - 1) & ~(PAGE - 1);
		break;
	case 1:		/* last byte of a page */
		o = ((o + PAGE - 1) & ~(PAGE - 1)) - 1;
		break;
	}
	return o < lo || o > hi ? lo : o;
}

static int side_get(struct worker *w, struct tdev *td, struct side *s,
		    int a, size_t off, size_t len, unsigned int access,
		    int may_temp)
{
	int ret;

	s->a = a;
	s->p = w->arena[a] + off;
	s->temp = may_temp && one_in(&w->rng, 4);
	if (!s->temp) {
		s->mr = arena_mr(w, td, a);
		s->off = off;
		return s->mr ? 0 : -1;
	}
	ret = edudma_reg_mr(td->dev, s->p, len, access, &s->mr);
	if (ret) {
		s->mr = NULL;
		s->temp = 0;
		fail(w, td, ret, "edudma_reg_mr of an exact range");
		return -1;
	}
	w->regs++;
	s->off = 0;
	return 0;
}

static void side_put(struct worker *w, struct tdev *td, struct side *s)
{
	int ret;

	if (!s->temp || !s->mr)
		return;
	ret = edudma_dereg_mr(s->mr);
	if (ret)
		fail(w, td, ret, "edudma_dereg_mr of an exact range");
	else
		w->deregs++;
	s->mr = NULL;
}

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

static void op_copy(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	size_t len = big_len(w);
	uint64_t name = rnd(&w->rng), guard = rnd(&w->rng);
	struct side s = { 0 }, d = { 0 };
	int a, b, ret;

	two_arenas(w, &a, &b);
	if (side_get(w, td, &s, a, pick_off(w, 0, w->asize, len), len,
		     EDUDMA_ACCESS_DEV_READ, 1))
		return;
	if (side_get(w, td, &d, b, pick_off(w, 0, w->asize, len), len,
		     EDUDMA_ACCESS_DEV_WRITE, 1))
		goto out;
	fill(s.p, len, name);
	poison(d.p, len, guard);
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
static void op_to_dev(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	size_t len = dev_len(w);
	uint32_t doff = (uint32_t)rnd_range(&w->rng, 0, DEVBUF - len);
	uint64_t name = rnd(&w->rng), guard = rnd(&w->rng);
	struct side s = { 0 }, d = { 0 };
	int a, b, ret;

	two_arenas(w, &a, &b);
	if (side_get(w, td, &s, a, pick_off(w, 0, w->asize, len), len,
		     EDUDMA_ACCESS_DEV_READ, 1))
		return;
	if (side_get(w, td, &d, b, pick_off(w, 0, w->asize, len), len,
		     EDUDMA_ACCESS_DEV_WRITE, 1))
		goto out;
	fill(s.p, len, name);
	poison(d.p, len, guard);
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
static void op_from_dev(struct worker *w)
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

static void op_oneshot(struct worker *w)
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

static void op_async(struct worker *w)
{
	struct tdev *td = pick_dev(w);
	unsigned int n = (unsigned int)rnd_range(&w->rng, 1, MAX_BATCH);
	int storage = one_in(&w->rng, 3);
	struct sub sub[2 * MAX_BATCH];
	struct edudma_mr *ms, *md;
	size_t slot, len, so, dof;
	unsigned int i, ns = 0, got;
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
	got = reap(w, td, sub, ns);
	if (got < ns) {
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

static enum kind pick_kind(struct worker *w)
{
	unsigned int r = (unsigned int)(rnd(&w->rng) % opt.weight_sum), k;

	for (k = 0; k < K_NR - 1; k++) {
		if (r < opt.weight[k])
			break;
		r -= opt.weight[k];
	}
	return (enum kind)k;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	double end = opt.duration ? t_start + opt.duration : 0;
	unsigned int i;
	int a;

	while (!atomic_load(&stop) && !w->dead) {
		if (w->quota && w->opno >= w->quota)
			break;
		if (end && now() >= end)
			break;
		if (one_in(&w->rng, 6))
			churn(w);
		w->cur = pick_kind(w);
		switch (w->cur) {
		case K_COPY:		op_copy(w); break;
		case K_TO_DEV:		op_to_dev(w); break;
		case K_FROM_DEV:	op_from_dev(w); break;
		case K_ONESHOT:		op_oneshot(w); break;
		case K_ASYNC:		op_async(w); break;
		default:		break;
		}
		w->ops[w->cur]++;
		w->opno++;
		atomic_fetch_add(&g_ops, 1);
	}
	/* Deregister what is left, half of the time; close releases the rest. */
	for (i = 0; i < opt.ndevs && !w->dead; i++)
		for (a = 0; a < NARENA; a++)
			if (one_in(&w->rng, 2))
				arena_dereg(w, &w->dev[i], a);
	atomic_fetch_add(&finished, 1);
	return NULL;
}

/* ---- set-up, progress, summary ------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"usage: edudma-stress [OPTIONS]\n"
"Stress edudma through libedudma: threads, each with its own file on every\n"
"device, register and deregister buffers and run random, verified transfers.\n"
"\n"
"  -d, --duration SECONDS  run this long (default 10 unless --ops is given;\n"
"                          in the lab guest this is virtual time: a DMA\n"
"                          takes 100 ms of it)\n"
"  -n, --ops N             run N operations in all, shared out between the\n"
"                          threads (with --duration, whichever ends first)\n"
"  -t, --threads N         worker threads (default 2)\n"
"  -D, --devices LIST|all  minors, comma-separated, or all (default all)\n"
"  -s, --sizes MIN-MAX     transfer sizes, uniform in log2 (default 1-64k);\n"
"      --sizes SIZE        or one size; k and m suffixes (KiB, MiB).  Device\n"
"                          buffer transfers are at most 4095 bytes\n"
"  -m, --mix KIND[=W],...  weights of copy, to_dev, from_dev, oneshot, async\n"
"                          (default copy=3,to_dev=1,from_dev=1,oneshot=1,\n"
"                          async=2; a kind without =W weighs 1, a kind not\n"
"                          named 0)\n"
"  -S, --seed N            seed (default: from the clock); printed, and the\n"
"                          same seed repeats each thread's operations (how\n"
"                          the threads interleave is up to the scheduler)\n"
"      --verify, --no-verify\n"
"                          check every byte against a seeded pattern, and\n"
"                          the guard bytes around it (default on)\n"
"  -q, --quiet             only the summary (and errors)\n"
"  -h, --help              this text\n"
"\n"
"A COPY of L bytes takes about 2*ceil(L/4095) DMAs (more when its pages are\n"
"not contiguous).  A live progress line goes to stderr when it is a\n"
"terminal.  Exit status: 0 when every operation succeeded and every byte\n"
"was right, 1 on any error or mismatch, 2 on bad usage.\n");
}

static int parse_size(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K') {
		n <<= 10;
		end++;
	} else if (*end == 'm' || *end == 'M') {
		n <<= 20;
		end++;
	}
	if (*end || !n || n > MAX_SIZE)
		return -1;
	*v = n;
	return 0;
}

static int parse_sizes(const char *s)
{
	char buf[64], *dash;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (!dash)
		return parse_size(buf, &opt.size_min) ||
		       parse_size(buf, &opt.size_max) ? -1 : 0;
	*dash = 0;
	if (parse_size(buf, &opt.size_min) || parse_size(dash + 1, &opt.size_max))
		return -1;
	return opt.size_min <= opt.size_max ? 0 : -1;
}

static int parse_mix(const char *s)
{
	char buf[256], *tok, *save = NULL, *eq, *end;
	unsigned long v;
	int k;

	memset(opt.weight, 0, sizeof(opt.weight));
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		v = 1;
		eq = strpbrk(tok, "=:");
		if (eq) {
			*eq = 0;
			v = strtoul(eq + 1, &end, 10);
			if (*end || end == eq + 1 || v > 1000000)
				return -1;
		}
		for (k = 0; k < K_NR; k++)
			if (!strcmp(tok, kind_name[k]))
				break;
		if (k == K_NR)
			return -1;
		opt.weight[k] = (unsigned int)v;
	}
	return 0;
}

static int parse_devices(const char *s)
{
	char buf[512], *tok, *save = NULL, *end;
	unsigned long v;
	unsigned int i;
	int n;

	if (!strcmp(s, "all")) {
		n = edudma_list_devices(opt.minors, MAX_DEVS);
		if (n < 0) {
			fprintf(stderr, "edudma-stress: listing devices: %s\n",
				strerror(-n));
			return -1;
		}
		opt.ndevs = n > MAX_DEVS ? MAX_DEVS : (unsigned int)n;
		return 0;
	}
	opt.ndevs = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		v = strtoul(tok, &end, 10);
		if (*end || end == tok || v > 0xffff || opt.ndevs == MAX_DEVS)
			return -1;
		for (i = 0; i < opt.ndevs; i++)
			if (opt.minors[i] == v)
				return -1;
		opt.minors[opt.ndevs++] = (unsigned int)v;
	}
	return opt.ndevs ? 0 : -1;
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

static void progress(int last)
{
	double t = now() - t_start;

	fprintf(stderr, "\r\033[K%" PRIu64 " ops, %.1f MiB, %" PRIu64 " errors, %" PRIu64 " mismatches, %.1f s%s",
		(uint64_t)atomic_load(&g_ops),
		(double)atomic_load(&g_bytes) / (1 << 20),
		(uint64_t)atomic_load(&g_errors),
		(uint64_t)atomic_load(&g_mismatches), t, last ? "\n" : "");
}

/* DMAs the devices ran (all users), from their statistics. */
static int dma_count(uint64_t *dmas)
{
	struct edudma_stats st;
	struct edudma_dev *dev;
	unsigned int i;

	*dmas = 0;
	for (i = 0; i < opt.ndevs; i++) {
		if (edudma_open(opt.minors[i], &dev))
			return -1;
		if (edudma_get_stats(dev, &st)) {
			edudma_close(dev);
			return -1;
		}
		*dmas += st.dma_to_dev + st.dma_from_dev;
		edudma_close(dev);
	}
	return 0;
}

static int setup_worker(struct worker *w, unsigned int idx)
{
	unsigned int i;
	int a, ret;

	w->idx = idx;
	w->rng = mix64(opt.seed ^ (0x5bd1e995ULL * (idx + 1)));
	w->cookie = (uint64_t)idx << 48;
	w->quota = opt.ops ? opt.ops / opt.threads + (idx < opt.ops % opt.threads) : 0;
	/* Room for the largest transfer, its guards and any alignment. */
	w->asize = (opt.size_max + 2 * GUARD + 2 * PAGE + PAGE - 1) & ~(PAGE - 1);
	for (a = 0; a < NARENA; a++) {
		w->arena[a] = mmap(NULL, w->asize, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w->arena[a] == MAP_FAILED) {
			w->arena[a] = NULL;
			return -ENOMEM;
		}
	}
	for (a = 0; a < 2; a++) {
		/* odd alignment on purpose: malloc()ed memory, any offset */
		w->heap[a] = malloc(w->asize + 64);
		if (!w->heap[a])
			return -ENOMEM;
	}
	for (i = 0; i < opt.ndevs; i++) {
		w->dev[i].sd = &sdev[i];
		ret = edudma_open(opt.minors[i], &w->dev[i].dev);
		if (ret) {
			fprintf(stderr, "edudma-stress: /dev/edudma%u: %s\n",
				opt.minors[i], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void teardown_worker(struct worker *w)
{
	unsigned int i;
	int a;

	for (i = 0; i < opt.ndevs; i++)
		edudma_close(w->dev[i].dev);	/* releases what is left */
	for (a = 0; a < NARENA; a++)
		if (w->arena[a])
			munmap(w->arena[a], w->asize);
	free(w->heap[0]);
	free(w->heap[1]);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "ops", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "devices", required_argument, NULL, 'D' },
		{ "sizes", required_argument, NULL, 's' },
		{ "mix", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'S' },
		{ "verify", no_argument, NULL, 'V' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *devices = "all";
	uint64_t total[K_NR] = { 0 }, xfers = 0, regs = 0, deregs = 0;
	uint64_t bytes = 0, verified = 0, errors = 0, mismatches = 0;
	uint64_t dma0 = 0, dma1 = 0;
	struct worker *w;
	struct sigaction sa;
	sigset_t mask;
	struct timespec ts;
	int c, live, seeded = 0, have_dma;
	unsigned int i, k, started = 0;
	char *end;
	double secs;

	while ((c = getopt_long(argc, argv, "d:n:t:D:s:m:S:qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			opt.duration = strtod(optarg, &end);
			if (*end || end == optarg || !(opt.duration > 0))
				goto bad;
			break;
		case 'n':
			opt.ops = strtoull(optarg, &end, 0);
			if (*end || end == optarg || !opt.ops)
				goto bad;
			break;
		case 't':
			opt.threads = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || end == optarg || !opt.threads ||
			    opt.threads > MAX_THREADS)
				goto bad;
			break;
		case 'D':
			devices = optarg;
			break;
		case 's':
			if (parse_sizes(optarg))
				goto bad;
			break;
		case 'm':
			if (parse_mix(optarg))
				goto bad;
			break;
		case 'S':
			opt.seed = strtoull(optarg, &end, 0);
			if (*end || end == optarg)
				goto bad;
			seeded = 1;
			break;
		case 'V':
			opt.verify = 1;
			break;
		case 'N':
			opt.verify = 0;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	for (k = 0; k < K_NR; k++)
		opt.weight_sum += opt.weight[k];
	if (!opt.weight_sum)
		goto bad;
	if (!opt.ops && !opt.duration)
		opt.duration = 10;
	if (parse_devices(devices))
		goto bad;
	if (!opt.ndevs) {
		fprintf(stderr, "edudma-stress: no edudma device\n");
		return 1;
	}
	if (!seeded) {
		clock_gettime(CLOCK_REALTIME, &ts);
		opt.seed = mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
				 ((uint64_t)getpid() << 48));
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!opt.quiet) {
		printf("edudma-stress: seed %" PRIu64 ", %u threads, devices",
		       opt.seed, opt.threads);
		for (i = 0; i < opt.ndevs; i++)
			printf("%s%u", i ? "," : " ", opt.minors[i]);
		printf(", sizes %" PRIu64 "-%" PRIu64 ", mix", opt.size_min,
		       opt.size_max);
		for (k = 0; k < K_NR; k++)
			printf("%s%s=%u", k ? "," : " ", kind_name[k],
			       opt.weight[k]);
		if (opt.ops)
			printf(", %" PRIu64 " ops", opt.ops);
		if (opt.duration)
			printf(", %g s", opt.duration);
		printf(", verify %s\n", opt.verify ? "on" : "off");
	}

	for (i = 0; i < opt.ndevs; i++) {
		pthread_rwlockattr_t attr;

		pthread_rwlockattr_init(&attr);
		/* the storage ops must not starve behind a stream of COPYs */
		pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		sdev[i].minor = opt.minors[i];
		pthread_rwlock_init(&sdev[i].buf, &attr);
		pthread_rwlockattr_destroy(&attr);
	}
	have_dma = !dma_count(&dma0);

	w = calloc(opt.threads, sizeof(*w));
	if (!w) {
		fprintf(stderr, "edudma-stress: out of memory\n");
		return 1;
	}
	for (i = 0; i < opt.threads; i++) {
		int ret = setup_worker(&w[i], i);

		if (ret) {
			if (ret == -ENOMEM)
				fprintf(stderr, "edudma-stress: out of memory\n");
			for (k = 0; k <= i; k++)
				teardown_worker(&w[k]);
			free(w);
			return 1;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	live = !opt.quiet && isatty(2);
	/*
	 * Only this thread takes SIGINT and SIGTERM: a worker's synchronous
	 * transfer would end with EINTR, an error, where a stop was meant.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	t_start = now();
	for (i = 0; i < opt.threads; i++) {
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i])) {
			fprintf(stderr, "edudma-stress: cannot start thread %u\n", i);
			atomic_store(&stop, 1);
			atomic_fetch_add(&g_errors, 1);
			break;
		}
		started++;
	}
	pthread_sigmask(SIG_UNBLOCK, &mask, NULL);
	if (live) {
		/* progress about twice a second until every worker is done */
		while (atomic_load(&finished) < started) {
			struct timespec half = { 0, 500000000 };

			progress(0);
			nanosleep(&half, NULL);
		}
		progress(1);
	}
	for (i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	secs = now() - t_start;
	if (have_dma)
		have_dma = !dma_count(&dma1);

	for (i = 0; i < opt.threads; i++) {
		for (k = 0; k < K_NR; k++)
			total[k] += w[i].ops[k];
		xfers += w[i].xfers;
		regs += w[i].regs;
		deregs += w[i].deregs;
		bytes += w[i].bytes;
		verified += w[i].verified;
		teardown_worker(&w[i]);
	}
	/* every error and mismatch is counted here, those of the set-up too */
	errors = atomic_load(&g_errors);
	mismatches = atomic_load(&g_mismatches);

	printf("edudma-stress: summary\n");
	printf("  threads      %u\n", opt.threads);
	printf("  devices      %u (", opt.ndevs);
	for (i = 0; i < opt.ndevs; i++)
		printf("%s/dev/edudma%u", i ? " " : "", opt.minors[i]);
	printf(")\n");
	printf("  ops          %" PRIu64 ":", total[0] + total[1] + total[2] +
	       total[3] + total[4]);
	for (k = 0; k < K_NR; k++)
		printf("%s %s %" PRIu64, k ? "," : "", kind_name[k], total[k]);
	printf("\n");
	printf("  transfers    %" PRIu64 "\n", xfers);
	printf("  regs         %" PRIu64 " registered, %" PRIu64 " deregistered\n",
	       regs, deregs);
	if (have_dma)
		printf("  DMAs         %" PRIu64 " (device statistics)\n", dma1 - dma0);
	printf("  bytes        %" PRIu64 " moved, %" PRIu64 " verified\n", bytes,
	       verified);
	printf("  errors       %" PRIu64 "\n", errors);
	printf("  mismatches   %" PRIu64 "\n", mismatches);
	printf("  seconds      %.2f\n", secs);
	printf("  seed         %" PRIu64 "\n", opt.seed);
	printf("edudma-stress: %s\n", errors || mismatches ? "FAILED" : "passed");
	free(w);
	return errors || mismatches ? 1 : 0;

bad:
	usage(stderr);
	return 2;
}
