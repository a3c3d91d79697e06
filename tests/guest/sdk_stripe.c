// SPDX-License-Identifier: GPL-2.0
/*
 * sdk_stripe: edudma_copy_striped() on one device and on every device,
 * for sizes from 1 byte to 1 MiB at odd addresses, every byte verified
 * (and the bytes around the destination); results[] per device;
 * EDUDMA_STRIPE_CACHE (a later call reuses the registrations, which
 * edudma_forget_cached() and edudma_close() release); argument errors; a
 * failure on every device; and the caller's own asynchronous completions,
 * which a striped copy on the same device must leave for the caller.
 */
#include <pthread.h>

#include "sdk.h"

#define MAXDEV 8
#define SPAN (4UL << 20)		/* src and dst mappings, 2 MiB aligned */
#define SOFF 3				/* odd offsets of src and dst in them */
#define DOFF 4093
#define CACHE_LEN (64 * 1024)

ET_PRECONDITION(et_need_device)

ET_FIXTURE(stripe) {
	struct edudma_dev *devs[MAXDEV];	/* every device, opened */
	unsigned int minors[MAXDEV];
	int ndev;
	unsigned char *S, *D, *want;		/* SPAN each */
	struct edudma_dev *own[MAXDEV];		/* a case's other handles */
	unsigned char *buf;			/* a case's own mapping, */
	size_t buf_len;				/* buf_len bytes */
};

/* Anonymous memory in transparent huge pages where the guest has them. */
static unsigned char *map_span(void)
{
	unsigned char *p = et_map_aligned(SPAN, 2UL << 20);

	if (p) {
		madvise(p, SPAN, MADV_HUGEPAGE);
		et_fill(p, SPAN);
	}
	return p;
}

ET_SETUP(stripe)
{
	int r;

	memset(self, 0, sizeof(*self));
	r = edudma_list_devices(self->minors, MAXDEV);
	ET_ASSERT(r >= 1, "edudma_list_devices: %s", sdk_rs(r));
	self->ndev = r < MAXDEV ? r : MAXDEV;
	for (int i = 0; i < self->ndev; i++) {
		r = edudma_open(self->minors[i], &self->devs[i]);
		ET_ASSERT(!r, "edudma_open(%u): %s", self->minors[i],
			  sdk_rs(r));
	}
	self->S = map_span();
	self->D = map_span();
	self->want = malloc(SPAN);
	ET_ASSERT(self->S && self->D && self->want, "out of memory");
}

ET_TEARDOWN(stripe)
{
	for (int i = 0; i < MAXDEV; i++) {
		edudma_close(self->own[i]);
		edudma_close(self->devs[i]);
	}
	sdk_unmap(self->buf, self->buf_len);
	sdk_unmap(self->S, SPAN);
	sdk_unmap(self->D, SPAN);
	free(self->want);
}

/* New data in S[SOFF, +len), new guards everywhere in D; sets want. */
static void prepare(struct et_fx_stripe *self, size_t len)
{
	et_fill(self->S + SOFF, len);
	et_fill(self->D, DOFF + len + 8192 < SPAN ? DOFF + len + 8192 : SPAN);
	memcpy(self->want, self->D, SPAN);
	memcpy(self->want + DOFF, self->S + SOFF, len);
}

static int verify(struct et_fx_stripe *self, char *why, size_t n)
{
	long bad = et_diff(self->D, self->want, SPAN);

	if (bad >= 0)
		snprintf(why, n, "byte %ld of the destination mapping (copy at %d) is 0x%02x, not 0x%02x",
			 bad, DOFF, self->D[bad], self->want[bad]);
	else
		snprintf(why, n, "every byte right, the bytes around untouched");
	return bad < 0;
}

/* prepare(len), then S + SOFF -> D + DOFF over nd devices of devs. */
static int stripe_prepared(struct et_fx_stripe *self,
			   struct edudma_dev **devs, int nd, size_t len,
			   unsigned int flags, struct edudma_stripe_result *res)
{
	prepare(self, len);
	return edudma_copy_striped(devs, nd, self->D + DOFF, self->S + SOFF,
				   len, flags, res);
}

/* results[] of a call that copied len bytes over nd devices. */
static int results_ok(struct et_fx_stripe *self,
		      const struct edudma_stripe_result *res, int nd,
		      size_t len, char *why, size_t n)
{
	uint64_t sum = 0;

	for (int i = 0; i < nd; i++) {
		uint64_t share = len / nd + ((size_t)i < len % nd);

		if (res[i].minor != self->minors[i] || res[i].status ||
		    res[i].bytes != share || (share && !res[i].transfers) ||
		    (!share && res[i].transfers)) {
			snprintf(why, n, "device %d: minor %u, status %s, bytes %llu, transfers %llu (want minor %u, status 0, bytes %llu)",
				 i, res[i].minor, sdk_rs(res[i].status),
				 (unsigned long long)res[i].bytes,
				 (unsigned long long)res[i].transfers,
				 self->minors[i], (unsigned long long)share);
			return 0;
		}
		sum += res[i].bytes;
	}
	snprintf(why, n, "bytes sum to %llu, want %zu",
		 (unsigned long long)sum, len);
	return sum == len;
}

/* ---- sizes --------------------------------------------------------------- */

struct size_row {
	const char *name;
	size_t len;
	int every;		/* over every device, else over the first */
};

static const struct size_row sizes[] = {
	{ .name = "striped_copy_of_1_byte_over_1_device", .len = 1, },
	{ .name = "striped_copy_of_4095_bytes_over_1_device", .len = 4095, },
	{ .name = "striped_copy_of_4103_bytes_over_1_device",
	  .len = 4096 + 7, },
	{ .name = "striped_copy_of_100_KiB_over_1_device",
	  .len = 100 * 1024, },
	{ .name = "striped_copy_of_1_MiB_over_1_device", .len = 1 << 20, },
	{ .name = "striped_copy_of_1_byte_over_every_device", .len = 1,
	  .every = 1, },
	{ .name = "striped_copy_of_4095_bytes_over_every_device",
	  .len = 4095, .every = 1, },
	{ .name = "striped_copy_of_4103_bytes_over_every_device",
	  .len = 4096 + 7, .every = 1, },
	{ .name = "striped_copy_of_100_KiB_over_every_device",
	  .len = 100 * 1024, .every = 1, },
	{ .name = "striped_copy_of_1_MiB_over_every_device",
	  .len = 1 << 20, .every = 1, },
};

/*
 * One copy (up to a minute of device time: 1 MiB is 257 COPYs of two
 * DMAs on one device), two checks: the data and results[].
 */
ET_TABLE_F(stripe, size, struct size_row, sizes)
{
	struct edudma_stripe_result res[MAXDEV];
	int nd = row->every ? self->ndev : 1, r;
	char why[200];

	if (row->every && self->ndev < 2)
		ET_SKIP("needs two devices");
	et_timeout(60 + row->len / 4095 / nd / 2);
	memset(res, 0x5a, sizeof(res));
	r = stripe_prepared(self, self->devs, nd, row->len, 0, res);
	ET_EXPECT(!r && verify(self, why, sizeof(why)),
		  "%zu bytes over %d device%s, src +%d, dst +%d: %s, %s",
		  row->len, nd, nd > 1 ? "s" : "", SOFF, DOFF, sdk_rs(r),
		  r ? "-" : why);
	ET_EXPECT(results_ok(self, res, nd, row->len, why, sizeof(why)),
		  "results[]: %s", why);
}

ET_TEST_F(stripe, striped_copy_with_results_NULL)
{
	char why[200] = "-";
	int r = stripe_prepared(self, self->devs, self->ndev, 5000, 0, NULL);

	ET_EXPECT(!r && verify(self, why, sizeof(why)), "%s, %s", sdk_rs(r),
		  why);
}

/* ---- the cache ----------------------------------------------------------- */

struct sums {
	uint64_t regions, reg_total;
};

/* Sums of every device's regions and reg_total. */
static struct sums stats_sum(struct et_fx_stripe *self)
{
	struct sums s = { 0, 0 };
	struct edudma_stats st;

	for (int i = 0; i < self->ndev; i++) {
		if (edudma_get_stats(self->devs[i], &st))
			continue;
		s.regions += st.regions;
		s.reg_total += st.reg_total;
	}
	return s;
}

#define GREW(a, b, f) ((long long)((b).f - (a).f))

/* A verified 64 KiB striped copy over every device; asserts it. */
static void cache_call(struct et_fx_stripe *self, unsigned int flags)
{
	char why[200] = "-";
	int r = stripe_prepared(self, self->devs, self->ndev, CACHE_LEN, flags,
				NULL);

	ET_ASSERT(!r && verify(self, why, sizeof(why)),
		  "striped copy of 64 KiB (flags %#x): %s, %s", flags,
		  sdk_rs(r), why);
}

ET_TEST_F(stripe, with_NO_CACHE_the_registrations_go_away)
{
	struct sums s0 = stats_sum(self), s1;

	cache_call(self, EDUDMA_STRIPE_NO_CACHE);
	s1 = stats_sum(self);
	ET_EXPECT(s1.regions == s0.regions &&
		  s1.reg_total == s0.reg_total + 2 * self->ndev,
		  "regions %+lld, reg_total %+lld, want +0, +%d",
		  GREW(s0, s1, regions), GREW(s0, s1, reg_total),
		  2 * self->ndev);
}

ET_TEST_F(stripe, the_first_cached_call_registers_and_keeps_src_and_dst)
{
	struct sums s0 = stats_sum(self), s1;

	cache_call(self, EDUDMA_STRIPE_CACHE);
	s1 = stats_sum(self);
	ET_EXPECT(s1.regions == s0.regions + 2 * self->ndev &&
		  s1.reg_total == s0.reg_total + 2 * self->ndev,
		  "regions %+lld, reg_total %+lld, want +%d each",
		  GREW(s0, s1, regions), GREW(s0, s1, reg_total),
		  2 * self->ndev);
}

ET_TEST_F(stripe, the_second_cached_call_reuses_them_and_copies_new_data)
{
	struct sums s1, s2;

	cache_call(self, EDUDMA_STRIPE_CACHE);
	s1 = stats_sum(self);
	cache_call(self, EDUDMA_STRIPE_CACHE);
	s2 = stats_sum(self);
	ET_EXPECT(s2.regions == s1.regions && s2.reg_total == s1.reg_total,
		  "regions %+lld, reg_total %+lld, want +0 each",
		  GREW(s1, s2, regions), GREW(s1, s2, reg_total));
}

/*
 * A range inside the cached ones: device i's share lies inside device i's
 * registration only when the shares stay aligned, so a sub-range on one
 * device.
 */
ET_TEST_F(stripe, a_range_inside_a_cached_registration_reuses_it)
{
	struct sums s1, s2;
	char why[200] = "-";
	int r;

	cache_call(self, EDUDMA_STRIPE_CACHE);
	s1 = stats_sum(self);
	prepare(self, CACHE_LEN);
	memcpy(self->want, self->D, SPAN);
	memcpy(self->want + DOFF + 100, self->S + SOFF + 200, 3000);
	r = edudma_copy_striped(self->devs, 1, self->D + DOFF + 100,
				self->S + SOFF + 200, 3000,
				EDUDMA_STRIPE_CACHE, NULL);
	s2 = stats_sum(self);
	ET_EXPECT(!r && verify(self, why, sizeof(why)), "3000 bytes: %s, %s",
		  sdk_rs(r), why);
	ET_EXPECT(s2.reg_total == s1.reg_total, "reg_total %+lld, want +0",
		  GREW(s1, s2, reg_total));
}

/*
 * A source the process had not written yet when the cache registered it
 * (a fresh mapping, all zeros): the data written into it later is what a
 * later call must copy.
 */
ET_TEST_F(stripe, a_cached_fresh_source_written_later_copies_the_new_data)
{
	const size_t len = CACHE_LEN;
	char why[200] = "-";
	unsigned char *fresh;
	int r, k = -1;

	self->buf_len = len + ET_PAGE;
	self->buf = fresh = et_map(self->buf_len);
	ET_ASSERT(fresh, "out of memory");
	memcpy(self->want, self->D, SPAN);
	memset(self->want + DOFF, 0, len);
	r = edudma_copy_striped(self->devs, self->ndev, self->D + DOFF,
				fresh + 5, len, EDUDMA_STRIPE_CACHE, NULL);
	ET_EXPECT(!r && verify(self, why, sizeof(why)),
		  "first call, of the zeros: %s, %s", sdk_rs(r), why);
	et_fill(fresh, len + ET_PAGE);
	memcpy(self->want + DOFF, fresh + 5, len);
	if (!r)
		k = edudma_copy_striped(self->devs, self->ndev, self->D + DOFF,
					fresh + 5, len, EDUDMA_STRIPE_CACHE,
					NULL);
	ET_EXPECT(!k && verify(self, why, sizeof(why)),
		  "second call, after writing the source: %s, %s", sdk_rs(k),
		  why);
	for (int i = 0; i < self->ndev; i++)
		edudma_forget_cached(self->devs[i]);
}

ET_TEST_F(stripe, forget_cached_releases_them)
{
	struct sums s0 = stats_sum(self), s2;
	long long pins = et_pins(), now;

	cache_call(self, EDUDMA_STRIPE_CACHE);
	for (int i = 0; i < self->ndev; i++)
		edudma_forget_cached(self->devs[i]);
	s2 = stats_sum(self);
	now = et_pins_settle(pins, 3000);
	ET_EXPECT(s2.regions == s0.regions && now == pins,
		  "regions %+lld, pins %+lld, want +0 each",
		  GREW(s0, s2, regions), now - pins);
}

ET_TEST_F(stripe, forget_cached_with_nothing_cached_and_of_NULL_do_nothing)
{
	struct sums s0 = stats_sum(self), s1;
	char why[200] = "-";
	int r;

	edudma_forget_cached(self->devs[0]);
	edudma_forget_cached(NULL);
	s1 = stats_sum(self);
	ET_EXPECT(s1.regions == s0.regions && s1.reg_total == s0.reg_total,
		  "regions %+lld, reg_total %+lld", GREW(s0, s1, regions),
		  GREW(s0, s1, reg_total));
	r = stripe_prepared(self, self->devs, self->ndev, 5000, 0, NULL);
	ET_EXPECT(!r && verify(self, why, sizeof(why)),
		  "a striped copy after them: %s, %s", sdk_rs(r), why);
}

ET_TEST_F(stripe, close_releases_cached_registrations)
{
	struct sums s0 = stats_sum(self), s1, s2;
	long long pins = et_pins(), p1, now;
	char why[200] = "-";
	int r;

	for (int i = 0; i < self->ndev; i++) {
		r = edudma_open(self->minors[i], &self->own[i]);
		ET_ASSERT(!r, "edudma_open(%u): %s", self->minors[i],
			  sdk_rs(r));
	}
	r = stripe_prepared(self, self->own, self->ndev, CACHE_LEN,
			    EDUDMA_STRIPE_CACHE, NULL);
	s1 = stats_sum(self);
	p1 = et_pins();
	ET_EXPECT(!r && verify(self, why, sizeof(why)),
		  "striped copy on our own handles: %s, %s", sdk_rs(r), why);
	for (int i = 0; i < self->ndev; i++) {
		edudma_close(self->own[i]);
		self->own[i] = NULL;
	}
	s2 = stats_sum(self);
	now = et_pins_settle(pins, 3000);
	ET_EXPECT(s1.regions == s0.regions + 2 * self->ndev &&
		  s2.regions == s0.regions && now == pins,
		  "regions %+lld then %+lld (want +%d, +0), pins %+lld then %+lld",
		  GREW(s0, s1, regions), GREW(s0, s2, regions),
		  2 * self->ndev, p1 - pins, now - pins);
}

/* ---- errors -------------------------------------------------------------- */

enum devs_pick {
	DEVS_FIRST,		/* devs, 1 */
	DEVS_NONE,		/* devs, 0 */
	DEVS_NULL,		/* NULL, 1 */
	DEVS_WITH_NULL,		/* { devs[0], NULL }, 2 */
	DEVS_SAME_TWICE,	/* { devs[0], devs[0] }, 2 */
};

struct bad_stripe {
	const char *name;
	enum devs_pick devs;
	unsigned int flags;
	size_t len;
	int null_dst, null_src;
};

static const struct bad_stripe bad_stripes[] = {
	{ .name = "striped_copy_over_0_devices_is_EINVAL",
	  .devs = DEVS_NONE, .len = 100, },
	{ .name = "striped_copy_with_devs_NULL_is_EINVAL",
	  .devs = DEVS_NULL, .len = 100, },
	{ .name = "striped_copy_with_a_NULL_device_in_devs_is_EINVAL",
	  .devs = DEVS_WITH_NULL, .len = 100, },
	{ .name = "striped_copy_over_the_same_device_twice_is_EINVAL",
	  .devs = DEVS_SAME_TWICE, .len = 100, },
	{ .name = "striped_copy_with_an_unknown_flag_is_EINVAL",
	  .devs = DEVS_FIRST, .flags = 1U << 2, .len = 100, },
	{ .name = "striped_copy_of_length_0_is_EINVAL",
	  .devs = DEVS_FIRST, .len = 0, },
	{ .name = "striped_copy_to_NULL_is_EINVAL",
	  .devs = DEVS_FIRST, .len = 100, .null_dst = 1, },
	{ .name = "striped_copy_from_NULL_is_EINVAL",
	  .devs = DEVS_FIRST, .len = 100, .null_src = 1, },
};

ET_TABLE_F(stripe, bad_stripe, struct bad_stripe, bad_stripes)
{
	struct edudma_dev *two[2] = { self->devs[0], self->devs[0] };
	struct edudma_dev **devs = self->devs;
	unsigned int nd = 1;
	int r;

	if (row->devs == DEVS_NONE)
		nd = 0;
	else if (row->devs == DEVS_NULL)
		devs = NULL;
	else if (row->devs == DEVS_WITH_NULL)
		two[1] = NULL;
	if (row->devs == DEVS_WITH_NULL || row->devs == DEVS_SAME_TWICE) {
		devs = two;
		nd = 2;
	}
	r = edudma_copy_striped(devs, nd, row->null_dst ? NULL : self->D,
				row->null_src ? NULL : self->S, row->len,
				row->flags, NULL);
	ET_EXPECT(r == -EINVAL, "%s, expected -EINVAL", sdk_rs(r));
}

/* Every device fails: the destination is read-only. */
ET_TEST_F(stripe, striped_copy_into_read_only_memory_fails_on_every_device)
{
	struct edudma_stripe_result res[MAXDEV];
	unsigned char *ro = sdk_map_ro(3 * ET_PAGE);
	int r;

	memset(res, 0x5a, sizeof(res));
	r = edudma_copy_striped(self->devs, self->ndev, ro + 1, self->S,
				2 * ET_PAGE, 0, res);
	ET_EXPECT(r == -EFAULT, "%s, expected -EFAULT", sdk_rs(r));
	for (int i = 0; i < self->ndev; i++)
		ET_EXPECT(res[i].minor == self->minors[i] &&
			  res[i].status == -EFAULT && res[i].bytes == 0,
			  "results[%d]: minor %u, status %s, bytes %llu (want %u, -EFAULT, 0)",
			  i, res[i].minor, sdk_rs(res[i].status),
			  (unsigned long long)res[i].bytes, self->minors[i]);
	munmap(ro, 3 * ET_PAGE);
}

/* ---- the caller's own completions ---------------------------------------- */

/* buf (8 pages) registered read-write on every device, into mr[]. */
static void register_buf(struct et_fx_stripe *self, struct edudma_mr **mr)
{
	int r;

	self->buf_len = 8 * ET_PAGE;
	self->buf = et_map(self->buf_len);
	ET_ASSERT(self->buf, "out of memory");
	for (int i = 0; i < self->ndev; i++) {
		r = edudma_reg_mr(self->devs[i], self->buf, self->buf_len,
				  ET_RW, &mr[i]);
		ET_ASSERT(!r, "edudma_reg_mr on device %d: %s", i, sdk_rs(r));
	}
}

/* One transfer of our own on devs[0], then a striped copy of 20000 bytes. */
static void own_then_striped(struct et_fx_stripe *self, int *r, int *k)
{
	struct edudma_mr *mr[MAXDEV];

	register_buf(self, mr);
	*r = edudma_submit_write_dev(mr[0], 0, 0, 1000, 0xc0ffee);
	*k = stripe_prepared(self, self->devs, self->ndev, 20000, 0, NULL);
}

ET_TEST_F(stripe, a_striped_copy_while_our_own_transfer_is_queued)
{
	char why[200] = "-";
	int r, k;

	own_then_striped(self, &r, &k);
	ET_EXPECT(!r && !k && verify(self, why, sizeof(why)),
		  "submit %s, striped %s, %s", sdk_rs(r), sdk_rs(k), why);
}

ET_TEST_F(stripe, our_completion_is_still_there_for_us_afterwards)
{
	struct edudma_completion c[8];
	int r, k, n;

	own_then_striped(self, &r, &k);
	ET_ASSERT(!r, "submit: %s", sdk_rs(r));
	n = edudma_get_completions(self->devs[0], c, 8, 10000);
	ET_EXPECT(n == 1 && c[0].cookie == 0xc0ffee && !c[0].status,
		  "%s completions, cookie %#llx, status %s", sdk_rs(n),
		  n > 0 ? (unsigned long long)c[0].cookie : 0ULL,
		  n > 0 ? sdk_rs(c[0].status) : "-");
}

struct striper {
	struct et_fx_stripe *self;
	int runs, err;
	size_t len;
};

static void *striper_main(void *arg)
{
	struct striper *s = arg;
	struct et_fx_stripe *self = s->self;

	for (int i = 0; i < s->runs && !s->err; i++)
		s->err = edudma_copy_striped(self->devs, self->ndev,
					     self->D + DOFF, self->S + SOFF,
					     s->len, 0, NULL);
	return NULL;
}

/* Reaps device i's 4 transfers (cookies i << 8 | k); counts the wrong. */
static void reap_own(struct et_fx_stripe *self, int i, int *lost, int *extra)
{
	struct edudma_completion c[8];
	int seen[4] = { 0 }, got = 0, n;

	while (got < 4) {
		n = edudma_get_completions(self->devs[i], c, 8, 20000);
		if (n <= 0)
			break;
		for (int k = 0; k < n; k++) {
			unsigned int d = c[k].cookie >> 8;
			unsigned int j = c[k].cookie & 0xff;

			if (d != (unsigned int)i || j >= 4 || seen[j]++ ||
			    c[k].status)
				(*extra)++;
			else
				got++;
		}
	}
	*lost += 4 - got;
}

/*
 * At the same time: a thread stripes (3 copies of 40000 bytes, seconds of
 * device time) while we submit and reap; one experiment, two checks.
 */
ET_TEST_F(stripe, our_transfers_complete_on_our_handles_beside_a_striper)
{
	struct striper st = { .self = self, .runs = 3, .len = 40000 };
	struct edudma_mr *mr[MAXDEV];
	int lost = 0, extra = 0;
	char why[200] = "-";
	pthread_t th;

	register_buf(self, mr);
	prepare(self, st.len);
	ET_ASSERT(!pthread_create(&th, NULL, striper_main, &st),
		  "pthread_create");
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < self->ndev; i++)
			if (edudma_submit_write_dev(mr[i],
						    (uint64_t)k * ET_PAGE,
						    k * 100, 100,
						    (uint64_t)i << 8 | k))
				lost++;
	for (int i = 0; i < self->ndev; i++)
		reap_own(self, i, &lost, &extra);
	pthread_join(th, NULL);
	ET_EXPECT(!st.err && verify(self, why, sizeof(why)),
		  "3 striped copies of %zu bytes from another thread: %s, %s",
		  st.len, sdk_rs(st.err), why);
	ET_EXPECT(!lost && !extra,
		  "our %d transfers: %d missing, %d unexpected",
		  4 * self->ndev, lost, extra);
}
