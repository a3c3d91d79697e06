// SPDX-License-Identifier: GPL-2.0
/*
 * xfer: synchronous EDUDMA_XFER on every path, with data verified byte for
 * byte (and the bytes around each destination checked untouched): TO_DEV
 * then FROM_DEV round trips, COPY between regions and inside a 4 MiB one,
 * one-shot (SRC_PTR / DST_PTR) sides, the access checks, argument errors,
 * the device buffer shared by two files, and the statistics.
 */
#include "edudma_test.h"

#define PLAN 65
#define RSIZE (128 * 1024)
#define MSIZE (4 << 20)

static int fd, fd2;
static unsigned char *A, *B, *R, *W, *M, *want;
static uint32_t hA, hB, hR, hW, hM;
static unsigned int minor;

/* Expected content of dst after dst[doff, +len) = src[soff, +len). */
static void expect(const unsigned char *dst, size_t dsize, size_t doff,
		   const unsigned char *src, size_t len)
{
	memcpy(want, dst, dsize);
	memmove(want + doff, src, len);
}

static int verify(const unsigned char *dst, size_t dsize, char *why, size_t n)
{
	long bad = et_diff(dst, want, dsize);

	if (bad >= 0)
		snprintf(why, n, "byte %ld is 0x%02x, not 0x%02x", bad,
			 dst[bad], want[bad]);
	else
		snprintf(why, n, "verified");
	return bad < 0;
}

/* TO_DEV A[so, +len) at dev_off, FROM_DEV into B[doff, +len). */
static void round_trip(const char *what, size_t so, uint32_t dev_off,
		       size_t doff, size_t len)
{
	char why[128] = "";
	int e1, e2 = -1, ok = 0;

	et_fill(B, RSIZE);
	expect(B, RSIZE, doff, A + so, len);
	e1 = et_to_dev(fd, hA, so, dev_off, len);
	if (!e1)
		e2 = et_from_dev(fd, hB, doff, dev_off, len);
	if (!e1 && !e2)
		ok = verify(B, RSIZE, why, sizeof(why));
	tap_ok(ok, "round trip %s: %zu bytes, A+%zu -> dev+%u -> B+%zu (TO_DEV %s, FROM_DEV %s, %s)",
	       what, len, so, dev_off, doff, tap_errname(e1),
	       e2 < 0 ? "not run" : tap_errname(e2), why);
}

static void copy_ab(const char *what, size_t so, size_t doff, size_t len)
{
	char why[128] = "";
	int e, ok = 0;

	et_fill(B, RSIZE);
	expect(B, RSIZE, doff, A + so, len);
	e = et_copy(fd, hA, so, hB, doff, len);
	if (!e)
		ok = verify(B, RSIZE, why, sizeof(why));
	tap_ok(ok, "COPY %s: %zu bytes, A+%zu -> B+%zu (%s, %s)", what, len,
	       so, doff, tap_errname(e), why);
}

static void cases_round_trip(void)
{
	round_trip("1 byte", 0, 0, 0, 1);
	round_trip("1 byte at the buffer's last usable byte", 4097, 4094, 8191, 1);
	round_trip("4095 bytes at offset 0", 0, 0, 0, 4095);
	round_trip("page-crossing", 4000, 7, 8100, 300);
	for (int i = 0; i < 4; i++) {
		size_t len = et_range(1, 4095);
		uint32_t dev = et_range(0, 4095 - len);

		round_trip("random", et_range(0, RSIZE - len), dev,
			   et_range(0, RSIZE - len), len);
	}
}

static void cases_copy(void)
{
	copy_ab("1 byte", 0, 0, 1);
	copy_ab("4095 bytes", 0, 0, 4095);
	copy_ab("4096 bytes", 0, 0, 4096);
	copy_ab("4097 bytes", 0, 0, 4097);
	copy_ab("page-crossing, odd offsets", 4090, 8190, 20);
	copy_ab("two chunks exactly", 1, 3, 8190);
	copy_ab("two chunks plus one byte", 4095, 4097, 8191);
	for (int i = 0; i < 3; i++) {
		size_t len = et_range(1, 64 * 1024);

		copy_ab("random", et_range(0, RSIZE - len),
			et_range(0, RSIZE - len), len);
	}
}

static void cases_big_region(void)
{
	for (int i = 0; i < 3; i++) {
		size_t len = et_range(5 * 1024, 20 * 1024), so, doff;
		char why[128] = "";
		int e, ok = 0;

		do {
			so = et_range(0, MSIZE - len);
			doff = et_range(0, MSIZE - len);
		} while (so < doff + len && doff < so + len);
		expect(M, MSIZE, doff, M + so, len);
		e = et_copy(fd, hM, so, hM, doff, len);
		if (!e)
			ok = verify(M, MSIZE, why, sizeof(why));
		tap_ok(ok, "COPY inside the 4 MiB region: %zu bytes, +%zu -> +%zu (%s, %s)",
		       len, so, doff, tap_errname(e), why);
	}
}

static void cases_one_shot(void)
{
	unsigned char *heap = malloc(3 * 8192), *ro, *hole;
	unsigned char *hs = heap + 13, *hd = heap + 8192 + 4090;
	long long pins = et_pins();
	char why[128] = "";
	int e, e2, ok;

	/* TO_DEV from a pointer, FROM_DEV into a region */
	et_fill(heap, 3 * 8192);
	et_fill(B, RSIZE);
	expect(B, RSIZE, 333, hs, 3000);
	e = et_to_dev_ptr(fd, hs, 50, 3000);
	e2 = e ? -1 : et_from_dev(fd, hB, 333, 50, 3000);
	ok = !e && !e2 && verify(B, RSIZE, why, sizeof(why));
	tap_ok(ok, "one-shot TO_DEV (SRC_PTR) of 3000 bytes (%s, %s)",
	       tap_errname(e), why);

	/* TO_DEV from a region, FROM_DEV into a pointer */
	expect(heap, 3 * 8192, hd - heap, A + 77, 4095);
	e = et_to_dev(fd, hA, 77, 0, 4095);
	e2 = e ? -1 : et_from_dev_ptr(fd, hd, 0, 4095);
	ok = !e && !e2 && verify(heap, 3 * 8192, why, sizeof(why));
	tap_ok(ok, "one-shot FROM_DEV (DST_PTR) of 4095 bytes (%s, %s)",
	       tap_errname(e2), why);

	/* COPY pointer -> pointer, pointer -> region, region -> pointer */
	et_fill(heap, 3 * 8192);
	expect(heap, 3 * 8192, hd - heap, hs, 5000);
	e = et_copy_ptr(fd, hs, hd, 5000);
	ok = !e && verify(heap, 3 * 8192, why, sizeof(why));
	tap_ok(ok, "one-shot COPY (SRC_PTR|DST_PTR) of 5000 bytes (%s, %s)",
	       tap_errname(e), why);

	et_fill(B, RSIZE);
	expect(B, RSIZE, 4321, hs, 9000);
	{
		struct edudma_xfer x = {
			.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_SRC_PTR,
			.length = 9000, .src = (uintptr_t)hs,
			.dst_handle = hB, .dst = 4321,
		};
		e = et_xfer(fd, &x);
	}
	ok = !e && verify(B, RSIZE, why, sizeof(why));
	tap_ok(ok, "COPY SRC_PTR -> region, 9000 bytes (%s, %s)",
	       tap_errname(e), why);

	expect(heap, 3 * 8192, hd - heap, A + 1, 6000);
	{
		struct edudma_xfer x = {
			.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_DST_PTR,
			.length = 6000, .src_handle = hA, .src = 1,
			.dst = (uintptr_t)hd,
		};
		e = et_xfer(fd, &x);
	}
	ok = !e && verify(heap, 3 * 8192, why, sizeof(why));
	tap_ok(ok, "COPY region -> DST_PTR, 6000 bytes (%s, %s)",
	       tap_errname(e), why);

	/* one-shot sides fail as REG_MR would */
	ro = et_map(8192);
	et_fill(ro, 8192);
	mprotect(ro, 8192, PROT_READ);
	e = et_from_dev_ptr(fd, ro + 10, 0, 100);
	tap_ok(e == EFAULT, "one-shot FROM_DEV into read-only memory -> EFAULT (%s)",
	       tap_errname(e));
	e = et_to_dev_ptr(fd, ro + 10, 0, 100);
	tap_ok(e == 0, "one-shot TO_DEV from read-only memory works (%s)",
	       tap_errname(e));
	hole = et_map(8192);
	munmap(hole, 8192);
	e = et_to_dev_ptr(fd, hole, 0, 100);
	tap_ok(e == EFAULT, "one-shot TO_DEV from unmapped memory -> EFAULT (%s)",
	       tap_errname(e));
	mprotect(ro, 8192, PROT_NONE);
	e = et_copy_ptr(fd, ro, hd, 100);
	tap_ok(e == EFAULT, "one-shot COPY from PROT_NONE memory -> EFAULT (%s)",
	       tap_errname(e));
	munmap(ro, 8192);
	tap_ok(et_pins_settle(pins, 2000) == pins,
	       "one-shot pins are all released (pin counter %+lld)",
	       et_pins() - pins);
	free(heap);
}

static void cases_access(void)
{
	char why[128] = "";
	int e, ok;

	e = et_copy(fd, hW, 0, hB, 0, 100);
	tap_ok(e == EACCES, "COPY from a DEV_WRITE-only region -> EACCES (%s)",
	       tap_errname(e));
	e = et_copy(fd, hA, 0, hR, 0, 100);
	tap_ok(e == EACCES, "COPY into a DEV_READ-only region -> EACCES (%s)",
	       tap_errname(e));
	e = et_to_dev(fd, hW, 0, 0, 100);
	tap_ok(e == EACCES, "TO_DEV from a DEV_WRITE-only region -> EACCES (%s)",
	       tap_errname(e));
	e = et_from_dev(fd, hR, 0, 0, 100);
	tap_ok(e == EACCES, "FROM_DEV into a DEV_READ-only region -> EACCES (%s)",
	       tap_errname(e));
	expect(W, 16384, 5000, R + 3000, 7000);
	e = et_copy(fd, hR, 3000, hW, 5000, 7000);
	ok = !e && verify(W, 16384, why, sizeof(why));
	tap_ok(ok, "COPY DEV_READ-only -> DEV_WRITE-only region, 7000 bytes (%s, %s)",
	       tap_errname(e), why);
}

static int xfer_raw(uint32_t argsz, uint32_t flags, uint32_t op,
		    uint32_t dev_off, uint64_t len, uint32_t sh, uint64_t so,
		    uint32_t dh, uint64_t doff)
{
	struct edudma_xfer x = {
		.argsz = argsz, .flags = flags, .op = op, .dev_offset = dev_off,
		.length = len, .src_handle = sh, .src = so, .dst_handle = dh,
		.dst = doff,
	};

	return et_xfer(fd, &x);
}

#define EXPECT(err, what, call) do {					\
	int e_ = (call);						\
	tap_ok(e_ == (err), "%s -> %s (%s)", what, #err, tap_errname(e_)); \
} while (0)

static void cases_errors(void)
{
	const uint32_t sz = sizeof(struct edudma_xfer);
	const uint32_t TO = EDUDMA_OP_TO_DEV, FROM = EDUDMA_OP_FROM_DEV,
		COPY = EDUDMA_OP_COPY;
	uint32_t h2;
	char *other = et_map(8192);

	EXPECT(EINVAL, "TO_DEV of 4096 bytes",
	       xfer_raw(sz, 0, TO, 0, 4096, hA, 0, 0, 0));
	EXPECT(EINVAL, "TO_DEV of 4095 bytes at dev_offset 1",
	       xfer_raw(sz, 0, TO, 1, 4095, hA, 0, 0, 0));
	EXPECT(EINVAL, "FROM_DEV of 1 byte at dev_offset 4095",
	       xfer_raw(sz, 0, FROM, 4095, 1, 0, 0, hB, 0));
	EXPECT(EINVAL, "FROM_DEV at dev_offset 0xffffffff (overflow)",
	       xfer_raw(sz, 0, FROM, 0xffffffffu, 2, 0, 0, hB, 0));
	EXPECT(EINVAL, "TO_DEV of length 0",
	       xfer_raw(sz, 0, TO, 0, 0, hA, 0, 0, 0));
	EXPECT(EINVAL, "COPY of length 0",
	       xfer_raw(sz, 0, COPY, 0, 0, hA, 0, hB, 0));
	EXPECT(EINVAL, "COPY reading 1 byte past the source region",
	       xfer_raw(sz, 0, COPY, 0, 11, hA, RSIZE - 10, hB, 0));
	EXPECT(EINVAL, "COPY writing at the destination region's end",
	       xfer_raw(sz, 0, COPY, 0, 1, hA, 0, hB, RSIZE));
	EXPECT(EINVAL, "COPY with src offset + length overflowing",
	       xfer_raw(sz, 0, COPY, 0, 10, hA, ~0ULL - 5, hB, 0));
	EXPECT(EINVAL, "COPY of 2^62 bytes",
	       xfer_raw(sz, 0, COPY, 0, 1ULL << 62, hA, 0, hB, 0));
	EXPECT(EINVAL, "FROM_DEV past the destination region",
	       xfer_raw(sz, 0, FROM, 0, 100, 0, 0, hB, RSIZE - 99));
	EXPECT(EINVAL, "op 0", xfer_raw(sz, 0, 0, 0, 100, hA, 0, hB, 0));
	EXPECT(EINVAL, "op 4", xfer_raw(sz, 0, 4, 0, 100, hA, 0, hB, 0));
	EXPECT(EINVAL, "unknown flag bit 3",
	       xfer_raw(sz, 1U << 3, COPY, 0, 100, hA, 0, hB, 0));
	EXPECT(EINVAL, "argsz smaller than the struct",
	       xfer_raw(offsetof(struct edudma_xfer, dst), 0, COPY, 0, 100,
			hA, 0, hB, 0));
	EXPECT(EINVAL, "one-shot TO_DEV whose address + length overflows",
	       xfer_raw(sz, EDUDMA_XFER_SRC_PTR, TO, 0, 100, 0, ~0ULL - 10, 0, 0));
	EXPECT(ENOENT, "COPY from an unknown handle",
	       xfer_raw(sz, 0, COPY, 0, 100, 0x7ffffff0, 0, hB, 0));
	EXPECT(ENOENT, "COPY into an unknown handle",
	       xfer_raw(sz, 0, COPY, 0, 100, hA, 0, 0x7ffffff0, 0));
	/*
	 * Handles may be numbered per file: register on the second file until
	 * it hands out a number that is not also one of this file's handles.
	 */
	et_fill(other, 8192);
	{
		uint32_t hs[16];
		int n = 0;

		h2 = 0;
		while (n < 16 && !et_reg_rw(fd2, other, 8192, &hs[n])) {
			h2 = hs[n++];
			if (h2 != hA && h2 != hB && h2 != hM && h2 != hR &&
			    h2 != hW)
				break;
		}
		tap_diag("handle %u of the second file (this file has %u %u %u %u %u)",
			 h2, hA, hB, hM, hR, hW);
		EXPECT(ENOENT, "TO_DEV from a handle of another open file",
		       xfer_raw(sz, 0, TO, 0, 100, h2, 0, 0, 0));
		while (n > 0)
			et_dereg(fd2, hs[--n]);
	}
	munmap(other, 8192);
}

static void cases_shared_buffer(void)
{
	unsigned char *B2 = et_map(8192);
	uint32_t hB2;
	char why[128] = "";
	int e, e2, ok;

	et_fill(B2, 8192);
	if (et_reg_rw(fd2, B2, 8192, &hB2)) {
		for (int i = 0; i < 3; i++)
			tap_ok(0, "device buffer shared: REG_MR on the second file failed");
		return;
	}
	/* what one file writes to the device, another reads back */
	expect(B2, 8192, 0, A + 5, 4095);
	e = et_to_dev(fd, hA, 5, 0, 4095);
	e2 = e ? -1 : et_from_dev(fd2, hB2, 0, 0, 4095);
	ok = !e && !e2 && verify(B2, 8192, why, sizeof(why));
	tap_ok(ok, "device buffer shared: file 1 TO_DEV, file 2 FROM_DEV sees it (%s)",
	       why);

	/* a COPY of 300 bytes replaces [0, 300) only */
	memcpy(want, A + 5, 4095);
	memcpy(want, A + 9000, 300);
	memcpy(want + 4095, B2 + 4095, 8192 - 4095);
	e = et_copy(fd, hA, 9000, hB, 0, 300);
	e2 = e ? -1 : et_from_dev(fd2, hB2, 0, 0, 4095);
	ok = !e && !e2 && verify(B2, 8192, why, sizeof(why));
	tap_ok(ok, "after a 300-byte COPY the buffer holds its bytes at [0, 300), the rest as before (%s)",
	       why);

	/* a COPY of 5000 bytes: chunk 1 = [0, 4095), chunk 2 = [0, 905) */
	memcpy(want, A + 20000 + 4095, 905);
	memcpy(want + 905, A + 20000 + 905, 4095 - 905);
	memcpy(want + 4095, B2 + 4095, 8192 - 4095);
	e = et_copy(fd, hA, 20000, hB, 0, 5000);
	e2 = e ? -1 : et_from_dev(fd2, hB2, 0, 0, 4095);
	ok = !e && !e2 && verify(B2, 8192, why, sizeof(why));
	tap_ok(ok, "after a 5000-byte COPY the buffer holds the last chunk at [0, 905) and chunk 1 after (%s)",
	       why);
	et_dereg(fd2, hB2);
	munmap(B2, 8192);
}

static const char *const stat_names[] = {
	"regions", "pinned_pages", "reg_total", "bytes_to_dev",
	"bytes_from_dev", "dma_to_dev", "dma_from_dev", "xfers", "errors",
	"timeouts", "queue_depth", "factorials",
};

static void cases_stats(void)
{
	struct edudma_stats s0, s1;
	__u64 *v;
	int e, bad = 0;
	char what[160] = "";

	et_stats(fd, &s0);
	e = et_to_dev(fd, hA, 0, 10, 1000);
	et_stats(fd, &s1);
	tap_ok(!e && s1.bytes_to_dev - s0.bytes_to_dev == 1000 &&
	       s1.dma_to_dev - s0.dma_to_dev == 1 && s1.xfers - s0.xfers == 1 &&
	       s1.bytes_from_dev == s0.bytes_from_dev &&
	       s1.dma_from_dev == s0.dma_from_dev && s1.errors == s0.errors,
	       "stats after TO_DEV of 1000 bytes: bytes_to_dev +%llu, dma_to_dev +%llu, xfers +%llu, from_dev +%llu/+%llu",
	       (unsigned long long)(s1.bytes_to_dev - s0.bytes_to_dev),
	       (unsigned long long)(s1.dma_to_dev - s0.dma_to_dev),
	       (unsigned long long)(s1.xfers - s0.xfers),
	       (unsigned long long)(s1.bytes_from_dev - s0.bytes_from_dev),
	       (unsigned long long)(s1.dma_from_dev - s0.dma_from_dev));
	s0 = s1;
	e = et_from_dev(fd, hB, 0, 10, 777);
	et_stats(fd, &s1);
	tap_ok(!e && s1.bytes_from_dev - s0.bytes_from_dev == 777 &&
	       s1.dma_from_dev - s0.dma_from_dev == 1 &&
	       s1.xfers - s0.xfers == 1 && s1.dma_to_dev == s0.dma_to_dev,
	       "stats after FROM_DEV of 777 bytes: bytes_from_dev +%llu, dma_from_dev +%llu, xfers +%llu",
	       (unsigned long long)(s1.bytes_from_dev - s0.bytes_from_dev),
	       (unsigned long long)(s1.dma_from_dev - s0.dma_from_dev),
	       (unsigned long long)(s1.xfers - s0.xfers));
	/* one chunk, source and destination each inside one page: 1 + 1 DMA */
	s0 = s1;
	e = et_copy(fd, hA, 0, hB, 0, 3000);
	et_stats(fd, &s1);
	tap_ok(!e && s1.bytes_to_dev - s0.bytes_to_dev == 3000 &&
	       s1.bytes_from_dev - s0.bytes_from_dev == 3000 &&
	       s1.dma_to_dev - s0.dma_to_dev == 1 &&
	       s1.dma_from_dev - s0.dma_from_dev == 1 &&
	       s1.xfers - s0.xfers == 1 && s1.errors == s0.errors,
	       "stats after COPY of 3000 bytes inside a page: bytes +%llu/+%llu, DMAs +%llu/+%llu (1/1), xfers +%llu",
	       (unsigned long long)(s1.bytes_to_dev - s0.bytes_to_dev),
	       (unsigned long long)(s1.bytes_from_dev - s0.bytes_from_dev),
	       (unsigned long long)(s1.dma_to_dev - s0.dma_to_dev),
	       (unsigned long long)(s1.dma_from_dev - s0.dma_from_dev),
	       (unsigned long long)(s1.xfers - s0.xfers));
	/*
	 * Three chunks over three pages on each side: at least one DMA per
	 * chunk, at most one more per page boundary (pages that are not
	 * contiguous for the device need a DMA each).
	 */
	s0 = s1;
	e = et_copy(fd, hA, 0, hB, 0, 9000);
	et_stats(fd, &s1);
	tap_ok(!e && s1.bytes_to_dev - s0.bytes_to_dev == 9000 &&
	       s1.bytes_from_dev - s0.bytes_from_dev == 9000 &&
	       s1.dma_to_dev - s0.dma_to_dev >= 3 &&
	       s1.dma_to_dev - s0.dma_to_dev <= 5 &&
	       s1.dma_from_dev - s0.dma_from_dev >= 3 &&
	       s1.dma_from_dev - s0.dma_from_dev <= 5 &&
	       s1.xfers - s0.xfers == 1 && s1.errors == s0.errors,
	       "stats after COPY of 9000 bytes: bytes +%llu/+%llu, DMAs +%llu/+%llu (3..5 each), xfers +%llu",
	       (unsigned long long)(s1.bytes_to_dev - s0.bytes_to_dev),
	       (unsigned long long)(s1.bytes_from_dev - s0.bytes_from_dev),
	       (unsigned long long)(s1.dma_to_dev - s0.dma_to_dev),
	       (unsigned long long)(s1.dma_from_dev - s0.dma_from_dev),
	       (unsigned long long)(s1.xfers - s0.xfers));
	tap_ok(s1.queue_depth == 0 && s1.regions >= 5,
	       "stats when idle: queue_depth %llu (0), regions %llu (>= 5)",
	       (unsigned long long)s1.queue_depth,
	       (unsigned long long)s1.regions);

	et_stats(fd, &s1);
	v = &s1.regions;
	for (int i = 0; i < 12; i++) {
		uint64_t sv = ~0ULL;

		e = et_sysfs_stat(minor, stat_names[i], &sv);
		if (e || sv != v[i]) {
			if (!bad++)
				snprintf(what, sizeof(what), "; %s: sysfs %llu (%s), ioctl %llu",
					 stat_names[i], (unsigned long long)sv,
					 tap_errname(e), (unsigned long long)v[i]);
		}
	}
	tap_ok(!bad, "sysfs stats/* has the 12 counters and they equal GET_STATS%s",
	       what);
}

int main(void)
{
	struct edudma_device_info info;
	int e = 0;

	if (et_ndevices() < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(PLAN);
	et_seed_init();
	fd = et_open(0, 0);
	fd2 = et_open(0, 0);
	A = et_map(RSIZE);
	B = et_map(RSIZE);
	R = et_map(16384);
	W = et_map(16384);
	M = et_map(MSIZE);
	want = malloc(MSIZE);
	et_fill(A, RSIZE);
	et_fill(B, RSIZE);
	et_fill(R, 16384);
	et_fill(W, 16384);
	et_fill(M, MSIZE);
	et_info(fd, &info);
	minor = info.minor;
	if (fd < 0 || fd2 < 0 ||
	    (e = et_reg_rw(fd, A, RSIZE, &hA)) || (e = et_reg_rw(fd, B, RSIZE, &hB)) ||
	    (e = et_reg_rw(fd, M, MSIZE, &hM))) {
		tap_diag("set-up failed: %s", strerror(e ? e : errno));
		tap_finish();
	}
	{
		struct edudma_reg_mr r;

		e = et_reg(fd, R, 16384, EDUDMA_ACCESS_DEV_READ, &r);
		hR = r.handle;
		if (!e)
			e = et_reg(fd, W, 16384, EDUDMA_ACCESS_DEV_WRITE, &r);
		hW = r.handle;
		if (e) {
			tap_diag("set-up failed: %s", strerror(e));
			tap_finish();
		}
	}

	cases_round_trip();	/* 8 */
	cases_copy();		/* 10 */
	cases_big_region();	/* 3 */
	cases_one_shot();	/* 10 */
	cases_access();		/* 5 */
	cases_errors();		/* 19 */
	cases_shared_buffer();	/* 3 */
	cases_stats();		/* 6 */

	e = et_dereg(fd, hA) | et_dereg(fd, hB) | et_dereg(fd, hM) |
	    et_dereg(fd, hR) | et_dereg(fd, hW);
	tap_ok(!e, "the five regions deregister");
	close(fd);
	close(fd2);
	tap_finish();
}
