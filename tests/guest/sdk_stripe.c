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

#include <edudma.h>

#include "edudma_test.h"

#define PLAN 43
#define MAXDEV 8
#define SPAN (4UL << 20)		/* src and dst mappings, 2 MiB aligned */
#define SOFF 3				/* odd offsets of src and dst in them */
#define DOFF 4093

static struct edudma_dev *devs[MAXDEV];
static unsigned int minors[MAXDEV];
static int ndev;
static unsigned char *S, *D, *want;

static const char *rs(int r)
{
	static char buf[4][40];
	static int k;
	char *b = buf[k++ & 3];

	if (r >= 0)
		snprintf(b, sizeof(buf[0]), "%d", r);
	else if (r == -EINVAL)
		snprintf(b, sizeof(buf[0]), "-EINVAL");
	else if (r == -EFAULT)
		snprintf(b, sizeof(buf[0]), "-EFAULT");
	else
		snprintf(b, sizeof(buf[0]), "-%d (%s)", -r, strerror(-r));
	return b;
}

#define EXPECT(want_r, call, fmt, ...) do {				\
	int r_ = (call);						\
	tap_ok(r_ == (want_r), fmt " -> %s (%s)", ##__VA_ARGS__,	\
	       rs(want_r), rs(r_));					\
} while (0)

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

/* New data in S[SOFF, +len), new guards everywhere in D; sets want. */
static void prepare(size_t len)
{
	et_fill(S + SOFF, len);
	et_fill(D, DOFF + len + 8192 < SPAN ? DOFF + len + 8192 : SPAN);
	memcpy(want, D, SPAN);
	memcpy(want + DOFF, S + SOFF, len);
}

static int verify(char *why, size_t n)
{
	long bad = et_diff(D, want, SPAN);

	if (bad >= 0)
		snprintf(why, n, "byte %ld of the destination mapping (copy at %d) is 0x%02x, not 0x%02x",
			 bad, DOFF, D[bad], want[bad]);
	else
		snprintf(why, n, "every byte right, the bytes around untouched");
	return bad < 0;
}

/* results[] of a call that copied len bytes over nd devices. */
static int results_ok(const struct edudma_stripe_result *res, int nd,
		      size_t len, char *why, size_t n)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < nd; i++) {
		uint64_t share = len / nd + ((size_t)i < len % nd);

		if (res[i].minor != minors[i] || res[i].status ||
		    res[i].bytes != share || (share && !res[i].transfers) ||
		    (!share && res[i].transfers)) {
			snprintf(why, n, "device %d: minor %u, status %s, bytes %llu, transfers %llu (want minor %u, status 0, bytes %llu)",
				 i, res[i].minor, rs(res[i].status),
				 (unsigned long long)res[i].bytes,
				 (unsigned long long)res[i].transfers, minors[i],
				 (unsigned long long)share);
			return 0;
		}
		sum += res[i].bytes;
	}
	snprintf(why, n, "bytes sum to %llu, status 0 on each",
		 (unsigned long long)sum);
	return sum == len;
}

static void cases_sizes(void)
{
	static const size_t sizes[] = { 1, 4095, 4096 + 7, 100 * 1024, 1 << 20 };
	struct edudma_stripe_result res[MAXDEV];
	char why[200];
	int nds[2] = { 1, ndev }, k, r;
	size_t i;

	for (k = 0; k < 2; k++) {
		int nd = nds[k];

		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			if (k == 1 && ndev < 2) {
				tap_skip("needs two devices", "striped copy of %zu bytes over every device",
					 sizes[i]);
				tap_skip("needs two devices", "results[] of it");
				continue;
			}
			prepare(sizes[i]);
			memset(res, 0x5a, sizeof(res));
			r = edudma_copy_striped(devs, nd, D + DOFF, S + SOFF,
						sizes[i], 0, res);
			tap_ok(!r && verify(why, sizeof(why)),
			       "striped copy of %zu bytes over %d device%s, src +%d, dst +%d (%s, %s)",
			       sizes[i], nd, nd > 1 ? "s" : "", SOFF, DOFF,
			       rs(r), why);
			tap_ok(results_ok(res, nd, sizes[i], why, sizeof(why)),
			       "results[] of it: %s", why);
		}
	}

	prepare(5000);
	r = edudma_copy_striped(devs, ndev, D + DOFF, S + SOFF, 5000, 0, NULL);
	tap_ok(!r && verify(why, sizeof(why)),
	       "striped copy with results NULL (%s, %s)", rs(r), why);
}

/* Sums of every device's regions and reg_total, through a fresh handle. */
static void stats_sum(uint64_t *regions, uint64_t *reg_total)
{
	struct edudma_stats st;
	int i;

	*regions = *reg_total = 0;
	for (i = 0; i < ndev; i++) {
		if (edudma_get_stats(devs[i], &st))
			continue;
		*regions += st.regions;
		*reg_total += st.reg_total;
	}
}

static void cases_cache(void)
{
	uint64_t rg0, rt0, rg1, rt1, rg2, rt2;
	struct edudma_dev *own[MAXDEV];
	long long pins = et_pins(), p1;
	size_t len = 64 * 1024;
	char why[200];
	int r, k, i, ok;

	stats_sum(&rg0, &rt0);
	prepare(len);
	r = edudma_copy_striped(devs, ndev, D + DOFF, S + SOFF, len, 0, NULL);
	stats_sum(&rg1, &rt1);
	ok = !r && verify(why, sizeof(why));
	tap_ok(ok && rg1 == rg0 && rt1 == rt0 + 2 * ndev,
	       "without EDUDMA_STRIPE_CACHE the registrations go away (%s, %s, regions %+lld, reg_total %+lld, want +0, +%d)",
	       rs(r), why, (long long)(rg1 - rg0), (long long)(rt1 - rt0),
	       2 * ndev);

	prepare(len);
	r = edudma_copy_striped(devs, ndev, D + DOFF, S + SOFF, len,
				EDUDMA_STRIPE_CACHE, NULL);
	stats_sum(&rg1, &rt1);
	ok = !r && verify(why, sizeof(why));
	tap_ok(ok && rg1 == rg0 + 2 * ndev && rt1 == rt0 + 4 * ndev,
	       "EDUDMA_STRIPE_CACHE, first call: registers src and dst on each device and keeps them (%s, %s, regions %+lld, want +%d)",
	       rs(r), why, (long long)(rg1 - rg0), 2 * ndev);

	prepare(len);
	r = edudma_copy_striped(devs, ndev, D + DOFF, S + SOFF, len,
				EDUDMA_STRIPE_CACHE, NULL);
	stats_sum(&rg2, &rt2);
	ok = !r && verify(why, sizeof(why));
	tap_ok(ok && rg2 == rg1 && rt2 == rt1,
	       "EDUDMA_STRIPE_CACHE, second call: reuses them, new data copied (%s, %s, reg_total %+lld, regions %+lld)",
	       rs(r), why, (long long)(rt2 - rt1), (long long)(rg2 - rg1));

	/*
	 * A range inside the cached ones: device i's share lies inside
	 * device i's registration only when the shares stay aligned, so ask
	 * for a sub-range on one device.
	 */
	prepare(len);
	memcpy(want, D, SPAN);
	memcpy(want + DOFF + 100, S + SOFF + 200, 3000);
	r = edudma_copy_striped(devs, 1, D + DOFF + 100, S + SOFF + 200, 3000,
				EDUDMA_STRIPE_CACHE, NULL);
	stats_sum(&rg2, &rt2);
	ok = !r && verify(why, sizeof(why));
	tap_ok(ok && rt2 == rt1,
	       "EDUDMA_STRIPE_CACHE: a range inside a cached registration reuses it (%s, %s, reg_total %+lld)",
	       rs(r), why, (long long)(rt2 - rt1));

	/*
	 * A source the process had not written yet when the cache registered
	 * it (a fresh mapping, all zeros): the data written into it later is
	 * what a later call must copy.
	 */
	{
		unsigned char *fresh = et_map(len + ET_PAGE);

		memcpy(want, D, SPAN);
		memset(want + DOFF, 0, len);
		r = edudma_copy_striped(devs, ndev, D + DOFF, fresh + 5, len,
					EDUDMA_STRIPE_CACHE, NULL);
		ok = !r && verify(why, sizeof(why));
		et_fill(fresh, len + ET_PAGE);
		memcpy(want + DOFF, fresh + 5, len);
		k = r ? r : edudma_copy_striped(devs, ndev, D + DOFF, fresh + 5,
						len, EDUDMA_STRIPE_CACHE, NULL);
		ok = ok && !k && verify(why, sizeof(why));
		tap_ok(ok, "EDUDMA_STRIPE_CACHE of a fresh (all zeros) source, then data written into it: the second call copies the new data (%s, %s, %s)",
		       rs(r), rs(k), why);
		for (i = 0; i < ndev; i++)
			edudma_forget_cached(devs[i]);
		munmap(fresh, len + ET_PAGE);
	}

	for (i = 0; i < ndev; i++)
		edudma_forget_cached(devs[i]);
	stats_sum(&rg2, &rt2);
	tap_ok(rg2 == rg0 && et_pins_settle(pins, 3000) == pins,
	       "edudma_forget_cached releases them (regions %+lld, pins %+lld)",
	       (long long)(rg2 - rg0), et_pins() - pins);
	edudma_forget_cached(devs[0]);
	edudma_forget_cached(NULL);
	tap_ok(1, "edudma_forget_cached with nothing cached, and of NULL, do nothing");

	/* edudma_close() releases the cache too */
	for (i = 0; i < ndev; i++)
		if (edudma_open(minors[i], &own[i]))
			own[i] = NULL;
	prepare(len);
	r = edudma_copy_striped(own, ndev, D + DOFF, S + SOFF, len,
				EDUDMA_STRIPE_CACHE, NULL);
	stats_sum(&rg1, &rt1);
	p1 = et_pins();
	ok = !r && verify(why, sizeof(why));
	for (i = 0; i < ndev; i++)
		edudma_close(own[i]);
	stats_sum(&rg2, &rt2);
	tap_ok(ok && rg1 == rg0 + 2 * ndev && rg2 == rg0 &&
	       et_pins_settle(pins, 3000) == pins,
	       "edudma_close releases cached registrations (%s, %s, regions %+lld then %+lld, pins %+lld then %+lld)",
	       rs(r), why, (long long)(rg1 - rg0), (long long)(rg2 - rg0),
	       p1 - pins, et_pins() - pins);
}

static void cases_errors(void)
{
	struct edudma_dev *two[2] = { devs[0], devs[0] };
	struct edudma_dev *withnull[2] = { devs[0], NULL };
	struct edudma_stripe_result res[MAXDEV];
	unsigned char *ro;
	char why[200] = "";
	int r, i, ok;

	EXPECT(-EINVAL, edudma_copy_striped(devs, 0, D, S, 100, 0, NULL), "ndevs 0");
	EXPECT(-EINVAL, edudma_copy_striped(NULL, 1, D, S, 100, 0, NULL), "devs NULL");
	EXPECT(-EINVAL, edudma_copy_striped(withnull, 2, D, S, 100, 0, NULL),
	       "a NULL device in devs[]");
	EXPECT(-EINVAL, edudma_copy_striped(two, 2, D, S, 100, 0, NULL),
	       "the same device twice");
	EXPECT(-EINVAL, edudma_copy_striped(devs, 1, D, S, 100, 1U << 1, NULL),
	       "an unknown flag");
	EXPECT(-EINVAL, edudma_copy_striped(devs, 1, D, S, 0, 0, NULL), "length 0");
	EXPECT(-EINVAL, edudma_copy_striped(devs, 1, NULL, S, 100, 0, NULL), "dst NULL");
	EXPECT(-EINVAL, edudma_copy_striped(devs, 1, D, NULL, 100, 0, NULL), "src NULL");

	/* every device fails: the destination is read-only */
	ro = et_map(3 * ET_PAGE);
	et_fill(ro, 3 * ET_PAGE);
	mprotect(ro, 3 * ET_PAGE, PROT_READ);
	memset(res, 0x5a, sizeof(res));
	r = edudma_copy_striped(devs, ndev, ro + 1, S, 2 * ET_PAGE, 0, res);
	ok = r == -EFAULT;
	for (i = 0; ok && i < ndev; i++) {
		ok = res[i].minor == minors[i] && res[i].status == -EFAULT &&
		     res[i].bytes == 0;
		if (!ok)
			snprintf(why, sizeof(why), "device %d: status %s, bytes %llu",
				 i, rs(res[i].status),
				 (unsigned long long)res[i].bytes);
	}
	tap_ok(ok, "into read-only memory -> -EFAULT, and -EFAULT with 0 bytes in each results[] (%s%s%s)",
	       rs(r), *why ? ", " : "", why);
	munmap(ro, 3 * ET_PAGE);
}

/* ---- the caller's own completions ------------------------------------------------ */

struct striper {
	int runs, err;
	size_t len;
};

static void *striper_main(void *arg)
{
	struct striper *s = arg;
	int i;

	for (i = 0; i < s->runs && !s->err; i++)
		s->err = edudma_copy_striped(devs, ndev, D + DOFF, S + SOFF,
					     s->len, 0, NULL);
	return NULL;
}

static void cases_own_completions(void)
{
	struct edudma_completion c[8];
	struct edudma_mr *mr[MAXDEV];
	unsigned char *buf = et_map(8 * ET_PAGE);
	struct striper st = { .runs = 3, .len = 40000 };
	int r, n, i, k, seen[MAXDEV][4], lost = 0, extra = 0;
	char why[200];
	pthread_t th;

	memset(mr, 0, sizeof(mr));
	for (i = 0; i < ndev; i++)
		if (edudma_reg_mr(devs[i], buf, 8 * ET_PAGE, ET_RW, &mr[i]))
			mr[i] = NULL;

	/* one transfer of our own, then a striped copy, then our completion */
	r = edudma_submit_write_dev(mr[0], 0, 0, 1000, 0xc0ffee);
	prepare(20000);
	k = edudma_copy_striped(devs, ndev, D + DOFF, S + SOFF, 20000, 0, NULL);
	tap_ok(!r && !k && verify(why, sizeof(why)),
	       "a striped copy while our own transfer is queued on the device (submit %s, striped %s, %s)",
	       rs(r), rs(k), why);
	n = edudma_get_completions(devs[0], c, 8, 10000);
	tap_ok(n == 1 && c[0].cookie == 0xc0ffee && !c[0].status,
	       "our completion is still there for us afterwards (%s, cookie %#llx)",
	       rs(n), n > 0 ? (unsigned long long)c[0].cookie : 0ULL);

	/* at the same time: a thread stripes while we submit and reap */
	memset(seen, 0, sizeof(seen));
	prepare(st.len);
	pthread_create(&th, NULL, striper_main, &st);
	for (k = 0; k < 4; k++)
		for (i = 0; i < ndev; i++)
			if (edudma_submit_write_dev(mr[i], (uint64_t)k * ET_PAGE,
						    k * 100, 100,
						    (uint64_t)i << 8 | k))
				lost++;
	for (i = 0; i < ndev; i++) {
		int got = 0;

		while (got < 4) {
			n = edudma_get_completions(devs[i], c, 8, 20000);
			if (n <= 0)
				break;
			for (k = 0; k < n; k++) {
				unsigned int d = c[k].cookie >> 8, j = c[k].cookie & 0xff;

				if (d != (unsigned int)i || j >= 4 || seen[i][j]++ ||
				    c[k].status)
					extra++;
				else
					got++;
			}
		}
		lost += 4 - got;
	}
	pthread_join(th, NULL);
	tap_ok(!st.err && verify(why, sizeof(why)),
	       "3 striped copies of %zu bytes from another thread meanwhile (%s, %s)",
	       st.len, rs(st.err), why);
	tap_ok(!lost && !extra,
	       "every one of our %d transfers completed on our own handles, once (%d missing, %d unexpected)",
	       4 * ndev, lost, extra);
	for (i = 0; i < ndev; i++)
		if (mr[i])
			edudma_dereg_mr(mr[i]);
	munmap(buf, 8 * ET_PAGE);
}

int main(void)
{
	long long base_pins;
	int i, r;

	ndev = et_ndevices();
	if (ndev < 1)
		tap_skip_all("no edudma device");
	if (ndev > MAXDEV)
		ndev = MAXDEV;
	tap_plan(PLAN);
	et_seed_init();
	base_pins = et_pins();

	r = edudma_list_devices(minors, MAXDEV);
	for (i = 0; r >= 0 && i < ndev; i++)
		if (edudma_open(minors[i], &devs[i]))
			r = -1;
	if (r < 0) {
		tap_diag("cannot open the devices");
		tap_finish();
	}
	S = map_span();
	D = map_span();
	want = malloc(SPAN);
	if (!S || !D || !want) {
		tap_diag("out of memory");
		tap_finish();
	}

	cases_sizes();
	cases_cache();
	cases_errors();
	cases_own_completions();

	for (i = 0; i < ndev; i++)
		edudma_close(devs[i]);
	tap_ok(et_pins_settle(base_pins, 5000) == base_pins,
	       "after closing every handle the pin counters are back to the start (%+lld)",
	       et_pins() - base_pins);
	tap_finish();
}
