// SPDX-License-Identifier: GPL-2.0
/*
 * stockmask: the guest half of tests/host/t-stockmask.sh.  The edu device
 * keeps its stock 28-bit DMA mask (qemu/run --stock-mask) and the driver
 * its default dma_bits=28, in a guest of 2 GiB: most memory lies above
 * what the device can address.
 *
 * Fills about 1.6 GiB, registers it in 64 MiB pieces and reads every
 * page's frame number from /proc/self/pagemap.  Without an IOMMU a piece
 * must register exactly when all its pages lie below 256 MiB and fail with
 * ERANGE otherwise (never a silent wrong address); with an IOMMU every
 * piece registers.  Whatever registers must move data right.  Single pages
 * and one-shot transfers are checked the same way.
 *
 * Runs only with EDUDMA_STOCKMASK=1 (the host script sets it).
 */
#include "edudma_test.h"

#define PLAN 11
#define MiB (1024UL * 1024)
#define PIECE (64 * MiB)
#define LOW_PFN_END (1UL << (28 - 12))	/* first frame above the mask */
#define MAX_PIECES 32

static int fd, iommu;
static long long pin_base;
static unsigned char *piece[MAX_PIECES];
static int npieces, pagemap = -1;

static long mem_available_mib(void)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb / 1024;
}

/* Frame number of the page at addr, or -1 (not present, no permission). */
static long pfn_of(const void *addr)
{
	uint64_t e;

	if (pread(pagemap, &e, sizeof(e),
		  (uintptr_t)addr / ET_PAGE * sizeof(e)) != sizeof(e))
		return -1;
	if (!(e >> 63) || !(e & ((1ULL << 55) - 1)))
		return -1;
	return (long)(e & ((1ULL << 55) - 1));
}

/* Pages of [p, p + len) above the mask; -1 if a frame is unknown. */
static long high_pages(const unsigned char *p, size_t len)
{
	size_t n = len / ET_PAGE;
	uint64_t *e = malloc(n * sizeof(*e));
	long high = 0;

	if (!e || pread(pagemap, e, n * sizeof(*e),
			(uintptr_t)p / ET_PAGE * sizeof(*e)) != (ssize_t)(n * sizeof(*e))) {
		free(e);
		return -1;
	}
	for (size_t i = 0; i < n && high >= 0; i++) {
		uint64_t pfn = e[i] & ((1ULL << 55) - 1);

		if (!(e[i] >> 63) || !pfn)
			high = -1;
		else
			high += pfn >= LOW_PFN_END;
	}
	free(e);
	return high;
}

/* COPY len random bytes inside region h at base p, verified with guards. */
static int copy_inside(uint32_t h, unsigned char *p, size_t size, size_t len,
		       char *why, size_t n)
{
	size_t so, dof, g0, g1;
	unsigned char *want;
	long bad;
	int e;

	if (2 * len + 3 * 64 > size) {
		snprintf(why, n, "%zu bytes do not fit twice in %zu", len, size);
		return 0;
	}
	do {	/* source and destination apart, with 64-byte guards */
		so = et_range(64, size - len - 64);
		dof = et_range(64, size - len - 64);
	} while (so < dof + len + 64 && dof < so + len + 64);
	et_fill(p + so, len);
	g0 = dof - 64;
	g1 = dof + len + 64;
	want = malloc(g1 - g0);
	memcpy(want, p + g0, g1 - g0);
	memcpy(want + 64, p + so, len);
	e = et_copy(fd, h, so, h, dof, len);
	bad = e ? -1 : et_diff(p + g0, want, g1 - g0);
	free(want);
	if (e || bad >= 0) {
		snprintf(why, n, "COPY %zu bytes +%zu -> +%zu: %s, bad byte %ld",
			 len, so, dof, tap_errname(e), bad);
		return 0;
	}
	return 1;
}

int main(void)
{
	const char *env = getenv("EDUDMA_STOCKMASK");
	struct edudma_device_info info;
	long avail, total;
	long long t0;
	int e, ok_n = 0, erange = 0, other = 0, mismatch = 0, unknown = 0;
	int copies = 0, bad_copies = 0, pin_bad = 0;
	long high_total = 0;
	unsigned char *low[4], *high[4];
	int nlow = 0, nhigh = 0;
	char why[200] = "", first_bad[200] = "";

	if (!env || strcmp(env, "1")) {
		printf("TAP version 13\n1..0 # SKIP run by tests/host/t-stockmask.sh\n");
		return TAP_EXIT_SKIP;
	}
	if (et_ndevices() < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	avail = mem_available_mib();
	if (avail < 1700)
		tap_skip_all("needs a guest of 2 GiB (qemu/run --mem 2048)");
	tap_plan(PLAN);
	et_seed_init();
	fd = et_open(0, 0);
	pagemap = open("/proc/self/pagemap", O_RDONLY);
	e = et_info(fd, &info);
	iommu = !!(info.caps & EDUDMA_CAP_IOMMU);
	tap_ok(!e && info.dma_mask == 0x0fffffff,
	       "stock mask: the driver set dma_mask %#llx (0xfffffff, 28 bits)",
	       (unsigned long long)info.dma_mask);
	tap_ok(iommu == lab_iommu_expected(), "IOMMU %s, as the kernel command line asks",
	       iommu ? "in use" : "not in use");
	pin_base = et_pins();

	/* about 1.6 GiB of 2, so most of it lies above 256 MiB */
	total = avail - 320;
	if (total > 1792)
		total = 1792;
	npieces = total * MiB / PIECE;
	if (npieces > MAX_PIECES)
		npieces = MAX_PIECES;
	t0 = et_now_ms();
	for (int i = 0; i < npieces; i++) {
		piece[i] = et_map(PIECE);
		if (!piece[i]) {
			npieces = i;
			break;
		}
		madvise(piece[i], PIECE, MADV_NOHUGEPAGE);
		memset(piece[i], 0x11 * (i + 1), PIECE);
	}
	tap_diag("%d pieces of 64 MiB filled in %lld ms (MemAvailable was %ld MiB), IOMMU %s",
		 npieces, et_now_ms() - t0, avail, iommu ? "on" : "off");

	t0 = et_now_ms();
	for (int i = 0; i < npieces; i++) {
		struct edudma_reg_mr r;
		long hp;

		e = et_reg(fd, piece[i], PIECE, ET_RW, &r);
		hp = high_pages(piece[i], PIECE);	/* pinned now, if e == 0 */
		if (hp < 0) {
			unknown++;
		} else {
			high_total += hp;
			if (!iommu && (e == 0) != (hp == 0))
				mismatch++;
		}
		if (e == 0)
			ok_n++;
		else if (e == ERANGE)
			erange++;
		else
			other++;
		if ((e && e != ERANGE) || (!iommu && hp >= 0 && (e == 0) != (hp == 0)))
			if (!first_bad[0])
				snprintf(first_bad, sizeof(first_bad),
					 "piece %d: %s with %ld pages above 256 MiB",
					 i, tap_errname(e), hp);
		if (!e) {
			for (int k = 0; k < 2; k++) {
				copies++;
				if (!copy_inside(r.handle, piece[i], PIECE,
						 et_range(3000, 8000), why, sizeof(why)))
					bad_copies++;
			}
			et_dereg(fd, r.handle);
		}
		if (et_pins_settle(pin_base, 2000) != pin_base)
			pin_bad++;
	}
	tap_diag("%d registered, %d ERANGE, %d other errors; %ld pages above 256 MiB in all (%lld ms)",
		 ok_n, erange, other, high_total, et_now_ms() - t0);
	tap_ok(!other && !unknown,
	       "every 64 MiB REG_MR succeeded or failed with ERANGE (%d other errors, %d pieces with unknown frames)%s%s",
	       other, unknown, first_bad[0] ? ": " : "", first_bad);
	if (iommu)
		tap_ok(ok_n == npieces && npieces > 0,
		       "all %d pieces registered (%d)", npieces, ok_n);
	else
		tap_ok(!mismatch && !unknown && erange > 0,
		       "ERANGE exactly for the %d pieces with a page above 256 MiB (%d mismatches)",
		       erange, mismatch);
	tap_ok(!bad_copies && (copies > 0 || !iommu),
	       "every registered piece moved data right (%d COPYs, %d wrong)%s%s",
	       copies, bad_copies, bad_copies ? ": " : "", bad_copies ? why : "");
	tap_ok(!pin_bad, "the pin counter came back after every piece (%d times not)",
	       pin_bad);

	/* single pages on either side of 256 MiB */
	for (int i = 0; i < npieces && (nlow < 4 || nhigh < 4); i++)
		for (size_t off = 0; off < PIECE; off += 997 * ET_PAGE) {
			long pfn = pfn_of(piece[i] + off);

			if (pfn < 0)
				continue;
			if ((unsigned long)pfn < LOW_PFN_END && nlow < 4)
				low[nlow++] = piece[i] + off;
			else if ((unsigned long)pfn >= LOW_PFN_END && nhigh < 4)
				high[nhigh++] = piece[i] + off;
		}
	tap_diag("%d pages below and %d above 256 MiB picked", nlow, nhigh);
	if (!nlow) {
		tap_skip("none of the memory lies below 256 MiB",
			 "single pages below 256 MiB register and copy right");
	} else {
		int good = 0;

		for (int i = 0; i < nlow; i++) {
			struct edudma_reg_mr r;

			e = et_reg(fd, low[i], ET_PAGE, ET_RW, &r);
			if (!e) {
				good += copy_inside(r.handle, low[i], ET_PAGE, 1000,
						    why, sizeof(why));
				et_dereg(fd, r.handle);
			}
		}
		tap_ok(good == nlow,
		       "single pages below 256 MiB register and copy right (%d of %d)",
		       good, nlow);
	}
	if (!nhigh) {
		tap_skip("none of the memory lies above 256 MiB",
			 "single pages above 256 MiB");
		tap_skip("none of the memory lies above 256 MiB",
			 "one-shot transfers on pages above 256 MiB");
	} else {
		int right = 0, e1 = 0, e2 = 0;

		for (int i = 0; i < nhigh; i++) {
			struct edudma_reg_mr r;

			e = et_reg(fd, high[i], ET_PAGE, ET_RW, &r);
			if (!e) {
				if (iommu && copy_inside(r.handle, high[i], ET_PAGE,
							 1000, why, sizeof(why)))
					right++;
				et_dereg(fd, r.handle);
			}
			if (iommu ? e == 0 : e == ERANGE)
				right += !iommu;
		}
		tap_ok(right == nhigh,
		       "single pages above 256 MiB: %s (%d of %d)",
		       iommu ? "register and copy right" : "REG_MR -> ERANGE",
		       right, nhigh);
		et_fill(high[0], 2000);
		e1 = et_to_dev_ptr(fd, high[0], 0, 2000);
		if (iommu) {
			e2 = e1 ? e1 : et_from_dev_ptr(fd, high[nhigh - 1] + 2048, 0, 2000);
			tap_ok(!e1 && !e2 &&
			       et_diff(high[nhigh - 1] + 2048, high[0], 2000) < 0,
			       "one-shot TO_DEV and FROM_DEV on pages above 256 MiB move data right (%s, %s)",
			       tap_errname(e1), tap_errname(e2));
		} else {
			e2 = et_from_dev_ptr(fd, high[0], 0, 100);
			tap_ok(e1 == ERANGE && e2 == ERANGE,
			       "one-shot TO_DEV / FROM_DEV on a page above 256 MiB -> ERANGE (%s, %s)",
			       tap_errname(e1), tap_errname(e2));
		}
	}
	{
		struct edudma_stats st;

		et_stats(fd, &st);
		tap_ok(et_pins_settle(pin_base, 2000) == pin_base && st.regions == 0 &&
		       st.pinned_pages == 0,
		       "at the end: pin counter %+lld, regions %llu, pinned_pages %llu",
		       et_pins() - pin_base, (unsigned long long)st.regions,
		       (unsigned long long)st.pinned_pages);
	}
	if (iommu) {
		tap_ok(et_copy_check(fd, 5000, why, sizeof(why)),
		       "the device still copies right (%s)", why);
	} else if (nlow) {
		struct edudma_reg_mr r;
		int good = 0;

		e = et_reg(fd, low[0], ET_PAGE, ET_RW, &r);
		if (!e) {
			good = copy_inside(r.handle, low[0], ET_PAGE, 1500, why,
					   sizeof(why));
			et_dereg(fd, r.handle);
		}
		tap_ok(good, "after all the ERANGEs the device still copies right (%s)",
		       e ? tap_errname(e) : good ? "verified" : why);
	} else {
		tap_skip("no page below 256 MiB to copy with",
			 "after all the ERANGEs the device still copies right");
	}
	tap_finish();
}
