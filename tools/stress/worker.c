// SPDX-License-Identifier: GPL-2.0
/*
 * edudma-stress, one thread's side: its generator, the patterns that make
 * every byte checkable, the checks, the device buffer's lock and shadow,
 * the arenas' registrations, the sides of a transfer, and the loop that
 * picks operations (ops.c).
 */
#include "stress.h"

/* ---- the seeded generator (common/edudma_rand.h) ---------------------------- */

#define rnd(s)			ed_rand(s)
#define rnd_range(s, lo, hi)	ed_rand_range(s, lo, hi)
#define mix64(z)		ed_mix64(z)

/* 1 with probability 1/n */
int one_in(uint64_t *s, unsigned int n)
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

uint64_t rnd_size(uint64_t *s, uint64_t lo, uint64_t hi)
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

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void say(struct worker *w, struct tdev *td, const char *fmt, ...)
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
int fail(struct worker *w, struct tdev *td, int ret, const char *what)
{
	atomic_fetch_add(&g_errors, 1);
	say(w, td, "%s: %s", what, strerror(-ret));
	if (ret == -ENODEV)
		w->dead = 1;
	if (atomic_load(&g_errors) >= ERROR_LIMIT)
		atomic_store(&stop, 1);
	return ret;
}

void add_bytes(struct worker *w, uint64_t n)
{
	w->bytes += n;
	atomic_fetch_add(&g_bytes, n);
}

void mismatch(struct worker *w, struct tdev *td, const char *what,
	      size_t len, long bad, unsigned char got, unsigned char want)
{
	atomic_fetch_add(&g_mismatches, 1);
	say(w, td, "%s of %zu bytes: byte %ld%s is 0x%02x, not 0x%02x", what,
	    len, bad, bad < 0 || (size_t)bad >= len ?
	    " (outside the destination)" : "", got, want);
}

/* The guards around dst[0, len) are untouched?  (1: yes) */
int guards_ok(struct worker *w, struct tdev *td, const char *what,
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
void verify(struct worker *w, struct tdev *td, const char *what,
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
void poison(unsigned char *dst, size_t len, uint64_t guard)
{
	if (!opt.verify)
		return;
	pat_fill(dst - GUARD, GUARD, guard);
	pat_fill(dst + len, GUARD, guard + 1000003);
	memset(dst, 0xa5, len);
}

void fill(unsigned char *src, size_t len, uint64_t name)
{
	if (opt.verify)
		pat_fill(src, len, name);
}

/* ---- the device buffer ------------------------------------------------------- */

void buf_shared(struct shared_dev *sd, uint64_t len)
{
	unsigned int n = len < DEVBUF ? (unsigned int)len : DEVBUF;
	unsigned int old;

	pthread_rwlock_rdlock(&sd->buf);
	/* read it under the lock: a writer may have just cleared it */
	old = atomic_load(&sd->bounced);
	while (old < n && !atomic_compare_exchange_weak(&sd->bounced, &old, n))
		;
}

void buf_exclusive(struct shared_dev *sd)
{
	unsigned int n;

	pthread_rwlock_wrlock(&sd->buf);
	n = atomic_exchange(&sd->bounced, 0);
	memset(sd->known, 0, n);
}

void buf_unlock(struct shared_dev *sd)
{
	pthread_rwlock_unlock(&sd->buf);
}

/* The device buffer [off, +len) now holds pattern name (lock exclusive). */
void buf_wrote(struct shared_dev *sd, uint32_t off, size_t len,
	       uint64_t name)
{
	pat_fill(sd->shadow + off, len, name);
	memset(sd->known + off, 1, len);
}

/* ---- registrations ---------------------------------------------------------- */

struct tdev *pick_dev(struct worker *w)
{
	return &w->dev[rnd(&w->rng) % opt.ndevs];
}

/* access, and on demand for --on-demand percent of the registrations. */
static unsigned int reg_flags(struct worker *w, unsigned int access)
{
	if (rnd(&w->rng) % 100 >= opt.on_demand)
		return access;
	w->odp_regs++;
	return access | EDUDMA_REG_ON_DEMAND;
}

/* The arena's registration on td, made now if missing. */
struct edudma_mr *arena_mr(struct worker *w, struct tdev *td, int a)
{
	int ret;

	if (td->mr[a])
		return td->mr[a];
	ret = edudma_reg_mr(td->dev, w->arena[a], w->asize,
			    reg_flags(w, EDUDMA_ACCESS_DEV_READ |
					 EDUDMA_ACCESS_DEV_WRITE),
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

/* An offset for len bytes in a span of size, with guards, often aligned. */
size_t pick_off(struct worker *w, size_t base, size_t size, size_t len)
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

int side_get(struct worker *w, struct tdev *td, struct side *s,
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
	ret = edudma_reg_mr(td->dev, s->p, len, reg_flags(w, access), &s->mr);
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

void side_put(struct worker *w, struct tdev *td, struct side *s)
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

void *worker_main(void *arg)
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

int setup_worker(struct worker *w, unsigned int idx)
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

void teardown_worker(struct worker *w)
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
