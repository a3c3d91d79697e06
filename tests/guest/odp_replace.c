// SPDX-License-Identifier: GPL-2.0
/*
 * odp_replace: events that put new memory under the addresses of an
 * on-demand registration, raced against device reads and writes
 * (odp_race.h): munmap and a new mmap at the same address, and
 * MADV_DONTNEED.  Page i always holds one byte value, pattern(i, gen),
 * and gen goes up by two each time the page is replaced (odd while it is
 * being replaced, under the page's lock).  So:
 *
 *  - a device read that started at generation g0 and ended at g1 sees
 *    only pattern(i, g) for an even g in [g0, g1], or zeros (a new page
 *    before it was filled) when the page was replaced meanwhile: an older
 *    generation or any other byte means the device read a page the
 *    program no longer had;
 *  - a device write with no replacement during it must be seen by the
 *    program: a write lost to an old page is the same bug the other way;
 *  - EFAULT only when the page was replaced during the transfer.
 */
#define ET_DEFAULT_TIMEOUT 300

#include "odp_race.h"

ET_PRECONDITION(et_need_device)

#define NPAGES 32

static unsigned char pattern(size_t i, unsigned int gen)
{
	return (unsigned char)(i * 37 + gen * 11 + 1);
}

/* Is every byte of got one that page i may show between g0 and g1? */
static long check_read(const unsigned char *got, size_t len, size_t i,
		       unsigned int g0, unsigned int g1)
{
	for (size_t k = 0; k < len; k++) {
		int ok = g1 > g0 && got[k] == 0;

		for (unsigned int g = g0; !ok && g <= g1; g += 2)
			ok = got[k] == pattern(i, g);
		if (!ok)
			return (long)k;
	}
	return -1;
}

static unsigned int gen_of(struct race *r, size_t p)
{
	unsigned int g;

	race_lock(r, p, 1);
	g = r->gen[p];
	race_unlock(r, p, 1);
	return g;
}

/* A device read of page p (into the check buffer), checked against its
 * generations. */
static void read_once(struct race *r, uint64_t *s)
{
	size_t p = ed_rand_range(s, 0, r->npages - 1);
	size_t a = ed_rand_range(s, 0, ET_PAGE - 1);
	size_t len = ed_rand_range(s, 1, ET_PAGE - a);
	struct edudma_xfer x = {	/* one unit: no other file between */
		.op = EDUDMA_OP_COPY, .src_handle = r->h,
		.src = p * ET_PAGE + a, .dst_handle = r->hcheck, .dst = 0,
		.length = len,
	};
	struct edudma_completion c;
	unsigned int g0 = gen_of(r, p), g1;
	long at;
	int e;

	__atomic_fetch_add(&r->started, 1, __ATOMIC_RELEASE);
	e = race_xfer(r, &x, &c);
	g1 = gen_of(r, p);
	__atomic_fetch_add(&r->xfers, 1, __ATOMIC_RELAXED);
	if (e || (c.status && (c.status != -EFAULT || g1 == g0))) {
		race_bad(r, "COPY from page %zu (gen %u to %u): %s, status %d",
			 p, g0, g1, et_errno_name(e), c.status);
		return;
	}
	if (c.status) {
		r->faults++;
		len = c.bytes;
	}
	at = check_read(r->check, len, p, g0, g1);
	if (at >= 0) {
		size_t same = 0;

		while (same < len && r->check[same] == r->check[at])
			same++;
		race_bad(r, "COPY of %zu bytes from page %zu +%zu (gen %u to %u, status %d, bytes %llu): byte %ld is %#x, not the page's (%zu bytes alike from 0; last stamp %#x)",
			 len, p, a, g0, g1, c.status,
			 (unsigned long long)c.bytes, at, r->check[at], same,
			 r->last_stamp);
	}
}

/* A device write into page p: seen by the program unless it was replaced. */
static void write_once(struct race *r, uint64_t *s)
{
	size_t p = ed_rand_range(s, 0, r->npages - 1);
	size_t a = ed_rand_range(s, 0, ET_PAGE - 1);
	size_t len = ed_rand_range(s, 1, ET_PAGE - a);
	unsigned char w = (unsigned char)ed_rand(s);
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .src_handle = r->hcheck, .src = 0,
		.dst_handle = r->h, .dst = p * ET_PAGE + a, .length = len,
	};
	struct edudma_completion c;
	unsigned int g0, g1;
	int e;

	memset(r->check, w, len);
	r->last_stamp = w;
	g0 = gen_of(r, p);
	__atomic_fetch_add(&r->started, 1, __ATOMIC_RELEASE);
	e = race_xfer(r, &x, &c);
	race_lock(r, p, 1);
	g1 = r->gen[p];
	__atomic_fetch_add(&r->xfers, 1, __ATOMIC_RELAXED);
	if (e || (c.status && (c.status != -EFAULT || g1 == g0))) {
		race_bad(r, "COPY into page %zu (gen %u to %u): %s, status %d",
			 p, g0, g1, et_errno_name(e), c.status);
	} else if (c.status) {
		r->faults++;
	} else if (g1 == g0) {
		long at = -1;

		for (size_t k = 0; k < len && at < 0; k++)
			if (r->buf[p * ET_PAGE + a + k] != w)
				at = (long)k;
		if (at >= 0)
			race_bad(r, "COPY into page %zu (gen %u): byte %ld lost (%#x, not %#x)",
				 p, g0, at, r->buf[p * ET_PAGE + a + at], w);
	}
	memset(r->buf + p * ET_PAGE + a, pattern(p, g1), len);
	race_unlock(r, p, 1);
}

static void *replace_thread(void *arg)
{
	struct race *r = arg;
	uint64_t s = r->seed ^ 0x7265;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		if (ed_rand(&s) & 1)
			read_once(r, &s);
		else
			write_once(r, &s);
	}
	return NULL;
}

ET_FIXTURE(replace) {
	struct race r;
};

ET_SETUP(replace)
{
	struct race *r = &self->r;
	struct edudma_reg_mr m;

	race_setup(r, NPAGES, ET_PAGE, NULL);
	for (size_t i = 0; i < NPAGES; i++)
		memset(r->buf + i * ET_PAGE, pattern(i, 0), ET_PAGE);
	r->check = et_map(ET_PAGE);
	ET_ASSERT(r->check, "out of memory");
	ET_ASSERT_ERRNO(et_reg(r->fd, r->check, ET_PAGE, ET_RW, &m), 0,
			"REG_MR of the check buffer (pinned)");
	r->hcheck = m.handle;
}

ET_TEARDOWN(replace)
{
	race_teardown(&self->r);
}

typedef int remake_fn(unsigned char *at, size_t len);

struct remake {
	remake_fn *fn;
};

/* Pages [p, p + n) replaced by what remake() does, under their locks. */
static void replace_pages(struct race *r, uint64_t *s, void *ctx)
{
	const struct remake *remake = ctx;
	size_t n = ed_rand_range(s, 1, 4);
	size_t p = ed_rand_range(s, 0, r->npages - n);

	race_lock(r, p, n);
	for (size_t k = p; k < p + n; k++)
		r->gen[k]++;
	if (remake->fn(r->buf + p * ET_PAGE, n * ET_PAGE))
		race_bad(r, "the event failed: %s", strerror(errno));
	for (size_t k = p; k < p + n; k++) {
		r->gen[k]++;
		memset(r->buf + k * ET_PAGE, pattern(k, r->gen[k]), ET_PAGE);
	}
	race_unlock(r, p, n);
}

static int remap(unsigned char *at, size_t len)
{
	if (munmap(at, len))
		return -1;
	return mmap(at, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	       (void *)at ? 0 : -1;
}

static int dontneed(unsigned char *at, size_t len)
{
	return madvise(at, len, MADV_DONTNEED);
}

static void replace_run(struct race *r, const char *what, remake_fn *fn)
{
	struct remake remake = { fn };
	struct edudma_stats st0, st1;

	ET_ASSERT_ERRNO(et_stats(r->fd, &st0), 0, "GET_STATS");
	race_start(r, replace_thread);
	race_loop(r, 1500, replace_pages, &remake);
	race_finish(r, what);
	ET_ASSERT_ERRNO(et_stats(r->fd, &st1), 0, "GET_STATS");
	et_note("%s: odp_invalidations +%llu, odp_faults +%llu, odp_retries +%llu",
		what,
		(unsigned long long)(st1.odp_invalidations - st0.odp_invalidations),
		(unsigned long long)(st1.odp_faults - st0.odp_faults),
		(unsigned long long)(st1.odp_retries - st0.odp_retries));
	ET_EXPECT(st1.odp_invalidations > st0.odp_invalidations,
		  "no invalidation reached the driver");
}

ET_TEST_F(replace, munmap_and_mmap_at_the_same_address)
{
	replace_run(&self->r, "munmap + mmap", remap);
}

ET_TEST_F(replace, madvise_DONTNEED)
{
	replace_run(&self->r, "MADV_DONTNEED", dontneed);
}
