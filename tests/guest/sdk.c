// SPDX-License-Identifier: GPL-2.0
/*
 * sdk: every libedudma function, on its success path and on its error
 * paths, with the exact return its header documents: listing and opening
 * devices, info and statistics (which must move by what a transfer did),
 * registrations and their accessors, synchronous and one-shot transfers
 * with every byte verified (and the bytes around each destination),
 * EXDEV between devices, asynchronous submissions and completions,
 * poll() on edudma_fd(), eventfd, the factorial, EBUSY and EAGAIN, and
 * edudma_close() returning every pin.
 */
#include <sys/eventfd.h>

#include <edudma.h>

#include "edudma_test.h"

#define PLAN 107
#define RSIZE (64 * 1024)

static struct edudma_dev *dev;
static unsigned int minors[LAB_MAX_DEVICES];
static int ndev;
static unsigned char *A, *B, *want;
static struct edudma_mr *mA, *mB;

/* "0", "-EINVAL", ... for a libedudma return value. */
static const char *rs(int r)
{
	static char buf[4][32];
	static int k;
	static const struct { int e; const char *n; } names[] = {
		{ EINVAL, "EINVAL" }, { ENOENT, "ENOENT" }, { ENODEV, "ENODEV" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EXDEV, "EXDEV" },
		{ EAGAIN, "EAGAIN" }, { EACCES, "EACCES" }, { EBADF, "EBADF" },
		{ ENOMEM, "ENOMEM" }, { ENOTTY, "ENOTTY" }, { EIO, "EIO" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { ERANGE, "ERANGE" },
		{ ENOSPC, "ENOSPC" },
	};
	char *b = buf[k++ & 3];
	size_t i;

	if (r >= 0) {
		snprintf(b, sizeof(buf[0]), "%d", r);
		return b;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == -r) {
			snprintf(b, sizeof(buf[0]), "-%s", names[i].n);
			return b;
		}
	snprintf(b, sizeof(buf[0]), "-%d (%s)", -r, strerror(-r));
	return b;
}

#define EXPECT(want_r, call, fmt, ...) do {				\
	int r_ = (call);						\
	tap_ok(r_ == (want_r), fmt " -> %s (%s)", ##__VA_ARGS__,	\
	       rs(want_r), rs(r_));					\
} while (0)

/* want = dst, then want[doff, +len) = src: the expected destination. */
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
		snprintf(why, n, "every byte right");
	return bad < 0;
}

static struct edudma_stats stats_now(struct edudma_dev *d)
{
	struct edudma_stats s;

	if (edudma_get_stats(d, &s))
		memset(&s, 0, sizeof(s));
	return s;
}

#define DELTA(a, b, f) ((long long)((b).f - (a).f))

/* ---- devices ---------------------------------------------------------------- */

static void cases_devices(void)
{
	unsigned int m[LAB_MAX_DEVICES + 1];
	struct edudma_dev *d = NULL;
	char path[64], tmp[] = "/tmp/sdk-regular-XXXXXX";
	int r, ok, i, tfd;

	r = edudma_list_devices(NULL, 0);
	tap_ok(r == ndev, "edudma_list_devices(NULL, 0) counts the devices: %s (the lab has %d)",
	       rs(r), ndev);

	r = edudma_list_devices(minors, LAB_MAX_DEVICES);
	ok = r == ndev;
	for (i = 0; ok && i < r; i++) {
		snprintf(path, sizeof(path), "/dev/edudma%u", minors[i]);
		ok = !access(path, F_OK) && (!i || minors[i] > minors[i - 1]);
	}
	tap_ok(ok, "edudma_list_devices fills the minors, ascending, each a /dev/edudmaN (%s, first %u)",
	       rs(r), minors[0]);

	memset(m, 0xff, sizeof(m));
	r = edudma_list_devices(m, 1);
	tap_ok(r == ndev && m[0] == minors[0] && m[1] == 0xffffffffU,
	       "edudma_list_devices with max 1 returns every device (%s) but writes one minor",
	       rs(r));

	EXPECT(-EINVAL, edudma_list_devices(NULL, 1),
	       "edudma_list_devices(NULL, 1)");

	r = edudma_open(minors[0], &dev);
	tap_ok(!r && dev, "edudma_open(%u) -> 0 (%s)", minors[0], rs(r));
	if (r) {
		tap_diag("cannot go on without the device");
		tap_finish();
	}

	EXPECT(-ENOENT, edudma_open(minors[ndev - 1] + 1000, &d),
	       "edudma_open of a minor with no node");
	EXPECT(-ENOENT, edudma_open_path("/dev/edudma-no-such", &d),
	       "edudma_open_path of a nonexistent path");
	EXPECT(-ENODEV, edudma_open_path("/dev/null", &d),
	       "edudma_open_path(\"/dev/null\")");
	tfd = mkstemp(tmp);
	if (tfd >= 0)
		close(tfd);
	EXPECT(-ENODEV, edudma_open_path(tmp, &d),
	       "edudma_open_path of a regular file");
	unlink(tmp);
	EXPECT(-EINVAL, edudma_open_path(NULL, &d), "edudma_open_path(NULL, &dev)");
	snprintf(path, sizeof(path), "/dev/edudma%u", minors[0]);
	EXPECT(-EINVAL, edudma_open_path(path, NULL), "edudma_open_path(path, NULL)");
	EXPECT(-EINVAL, edudma_open(minors[0], NULL), "edudma_open(minor, NULL)");
	tap_ok(d == NULL, "failed opens leave *dev alone");

	r = edudma_fd(dev);
	tap_ok(r >= 0 && (fcntl(r, F_GETFL) & O_NONBLOCK) &&
	       (fcntl(r, F_GETFD) & FD_CLOEXEC),
	       "edudma_fd is an open descriptor, O_NONBLOCK and close-on-exec (%s)",
	       rs(r));
	EXPECT(-EINVAL, edudma_fd(NULL), "edudma_fd(NULL)");
}

static void cases_info(void)
{
	struct edudma_device_info info;
	struct edudma_stats st;
	int r;

	memset(&info, 0x5a, sizeof(info));
	r = edudma_get_info(dev, &info);
	tap_ok(!r && info.argsz == sizeof(info) && info.ident == 0x010000ed &&
	       info.api_version == EDUDMA_API_VERSION &&
	       info.minor == minors[0] && info.max_transfer == ET_MAX_XFER &&
	       info.dma_window_size == 4096 && !(info.caps & ~EDUDMA_CAP_IOMMU) &&
	       !!(info.caps & EDUDMA_CAP_IOMMU) == lab_iommu_expected() &&
	       info.reserved == 0,
	       "edudma_get_info: %s, ident %#x, API %u, minor %u, max_transfer %u, caps %#x",
	       rs(r), info.ident, info.api_version, info.minor,
	       info.max_transfer, info.caps);
	EXPECT(-EINVAL, edudma_get_info(NULL, &info), "edudma_get_info(NULL, &info)");
	EXPECT(-EINVAL, edudma_get_info(dev, NULL), "edudma_get_info(dev, NULL)");

	memset(&st, 0x5a, sizeof(st));
	r = edudma_get_stats(dev, &st);
	tap_ok(!r && st.argsz == sizeof(st) && st.queue_depth == 0,
	       "edudma_get_stats: %s, queue %llu", rs(r),
	       (unsigned long long)st.queue_depth);
	EXPECT(-EINVAL, edudma_get_stats(NULL, &st), "edudma_get_stats(NULL, &st)");
	EXPECT(-EINVAL, edudma_get_stats(dev, NULL), "edudma_get_stats(dev, NULL)");
}

/* ---- registrations ------------------------------------------------------------- */

static void cases_reg(void)
{
	struct edudma_stats s0, s1;
	struct edudma_mr *m = NULL, *m2 = NULL;
	unsigned char *ro, *hole;
	long long pins;
	int r;

	s0 = stats_now(dev);
	r = edudma_reg_mr(dev, A, RSIZE, ET_RW, &mA);
	tap_ok(!r && mA, "edudma_reg_mr of 64 KiB, DEV_READ|DEV_WRITE -> 0 (%s)",
	       rs(r));
	tap_ok(edudma_mr_addr(mA) == A && edudma_mr_length(mA) == RSIZE &&
	       edudma_mr_handle(mA) != 0 && edudma_mr_segments(mA) >= 1 &&
	       edudma_mr_segments(mA) <= RSIZE / ET_PAGE,
	       "accessors: addr, length %zu, handle %u, %u segments",
	       edudma_mr_length(mA), edudma_mr_handle(mA),
	       edudma_mr_segments(mA));
	s1 = stats_now(dev);
	tap_ok(DELTA(s0, s1, regions) == 1 && DELTA(s0, s1, reg_total) == 1 &&
	       DELTA(s0, s1, pinned_pages) == RSIZE / ET_PAGE,
	       "statistics: regions %+lld, reg_total %+lld, pinned_pages %+lld (want +1, +1, +%lu)",
	       DELTA(s0, s1, regions), DELTA(s0, s1, reg_total),
	       DELTA(s0, s1, pinned_pages), RSIZE / ET_PAGE);
	r = edudma_reg_mr(dev, B, RSIZE, ET_RW, &mB);
	if (r)
		tap_diag("edudma_reg_mr of B: %s", rs(r));
	tap_ok(!edudma_mr_handle(NULL) && !edudma_mr_addr(NULL) &&
	       !edudma_mr_length(NULL) && !edudma_mr_segments(NULL),
	       "accessors of NULL return 0 / NULL");

	pins = et_pins();
	s0 = stats_now(dev);
	EXPECT(-EINVAL, edudma_reg_mr(dev, A, 0, ET_RW, &m), "edudma_reg_mr of length 0");
	EXPECT(-EINVAL, edudma_reg_mr(dev, A, 4096, 0, &m), "edudma_reg_mr with access 0");
	EXPECT(-EINVAL, edudma_reg_mr(dev, A, 4096, 1U << 2, &m),
	       "edudma_reg_mr with an unknown access bit");
	EXPECT(-EINVAL, edudma_reg_mr(NULL, A, 4096, ET_RW, &m), "edudma_reg_mr(NULL dev)");
	EXPECT(-EINVAL, edudma_reg_mr(dev, A, 4096, ET_RW, NULL), "edudma_reg_mr(mr NULL)");
	EXPECT(-EINVAL, edudma_reg_mr(dev, (void *)(uintptr_t)-4096, 8192,
				      ET_RW, &m),
	       "edudma_reg_mr whose end overflows");

	ro = et_map(8192);
	et_fill(ro, 8192);
	mprotect(ro, 8192, PROT_READ);
	EXPECT(-EFAULT, edudma_reg_mr(dev, ro, 8192, EDUDMA_ACCESS_DEV_WRITE, &m),
	       "edudma_reg_mr of a read-only mapping with DEV_WRITE");
	hole = et_map(8192);
	munmap(hole, 8192);
	EXPECT(-EFAULT, edudma_reg_mr(dev, hole, 8192, EDUDMA_ACCESS_DEV_READ, &m),
	       "edudma_reg_mr of unmapped memory");
	tap_ok(m == NULL, "failed registrations leave *mr alone");
	s1 = stats_now(dev);
	tap_ok(DELTA(s0, s1, regions) == 0 && DELTA(s0, s1, reg_total) == 0 &&
	       et_pins_settle(pins, 2000) == pins,
	       "failed registrations pin nothing (regions %+lld, reg_total %+lld, pins %+lld)",
	       DELTA(s0, s1, regions), DELTA(s0, s1, reg_total),
	       et_pins() - pins);

	r = edudma_reg_mr(dev, ro, 8192, EDUDMA_ACCESS_DEV_READ, &m2);
	tap_ok(!r, "edudma_reg_mr of a read-only mapping with DEV_READ -> 0 (%s)",
	       rs(r));
	if (!r) {
		/* the device reads it: the buffer's bytes come back */
		unsigned char back[100];
		int r2;

		r = edudma_write_dev(m2, 4090, 0, 100);
		r2 = r ? r : edudma_read_dev_ptr(dev, back, 0, 100);
		tap_ok(!r && !r2 && !memcmp(back, ro + 4090, 100),
		       "... and the device reads it (write_dev %s, read back %s)",
		       rs(r), rs(r2));
		r = edudma_dereg_mr(m2);
		if (r)
			tap_diag("edudma_dereg_mr of the read-only region: %s", rs(r));
	} else {
		tap_ok(0, "... and the device reads it (not registered)");
	}
	munmap(ro, 8192);
	EXPECT(-EINVAL, edudma_dereg_mr(NULL), "edudma_dereg_mr(NULL)");
}

/*
 * The usual order: allocate, register, then write the data.  A DEV_READ
 * registration must pin the pages the process will write, not the shared
 * zero page that an untouched (or only read) private page maps.
 */
static void cases_reg_before_write(void)
{
	static const char *const how[3] = {
		"never touched", "only read",
		"never touched, followed by a read-only page in the same registration",
	};
	unsigned char back[200];
	int i, r, r2;

	for (i = 0; i < 3; i++) {
		unsigned char *p = et_map(4 * ET_PAGE);
		size_t len = 3 * ET_PAGE;
		struct edudma_mr *m = NULL;
		volatile unsigned char sink;

		if (i == 1)
			for (size_t o = 0; o < len; o += ET_PAGE)
				sink = p[o];
		(void)sink;
		if (i == 2) {
			mprotect(p + len, ET_PAGE, PROT_READ);
			len += ET_PAGE;
		}
		r = edudma_reg_mr(dev, p, len, EDUDMA_ACCESS_DEV_READ, &m);
		et_fill(p, 3 * ET_PAGE);
		r2 = -1;
		memset(back, 0, sizeof(back));
		if (!r) {
			r = edudma_write_dev(m, ET_PAGE + 7, 11, sizeof(back));
			if (!r)
				r2 = edudma_read_dev_ptr(dev, back, 11, sizeof(back));
		}
		tap_ok(!r && !r2 && !memcmp(back, p + ET_PAGE + 7, sizeof(back)),
		       "DEV_READ registration of memory %s, written after registering: the device reads the new bytes (%s, %s, first byte 0x%02x, want 0x%02x)",
		       how[i], rs(r), rs(r2), back[0], p[ET_PAGE + 7]);
		if (m)
			edudma_dereg_mr(m);
		munmap(p, 4 * ET_PAGE);
	}
}

/* ---- synchronous transfers ------------------------------------------------------- */

static void cases_sync(void)
{
	struct edudma_stats s0, s1;
	struct edudma_mr *mR = NULL, *mW = NULL;
	char why[128] = "";
	int r, r2 = -1, ok;

	/* write_dev then read_dev, each inside one page: one DMA each */
	et_fill(A, RSIZE);
	et_fill(B, RSIZE);
	expect(B, RSIZE, 200, A + 100, 1000);
	s0 = stats_now(dev);
	r = edudma_write_dev(mA, 100, 10, 1000);
	if (!r)
		r2 = edudma_read_dev(mB, 200, 10, 1000);
	s1 = stats_now(dev);
	ok = !r && !r2 && verify(B, RSIZE, why, sizeof(why));
	tap_ok(ok, "edudma_write_dev + edudma_read_dev of 1000 bytes at device offset 10 (%s, %s, %s)",
	       rs(r), rs(r2), why);
	tap_ok(DELTA(s0, s1, bytes_to_dev) == 1000 &&
	       DELTA(s0, s1, bytes_from_dev) == 1000 &&
	       DELTA(s0, s1, dma_to_dev) == 1 && DELTA(s0, s1, dma_from_dev) == 1 &&
	       DELTA(s0, s1, xfers) == 2 && DELTA(s0, s1, errors) == 0,
	       "statistics after it: bytes %+lld/%+lld, DMAs %+lld/%+lld, xfers %+lld, errors %+lld (want +1000/+1000, +1/+1, +2, +0)",
	       DELTA(s0, s1, bytes_to_dev), DELTA(s0, s1, bytes_from_dev),
	       DELTA(s0, s1, dma_to_dev), DELTA(s0, s1, dma_from_dev),
	       DELTA(s0, s1, xfers), DELTA(s0, s1, errors));

	/* the last usable byte, and all 4095 */
	et_fill(B, RSIZE);
	expect(B, RSIZE, 3, A + 4094, 4095);
	r = edudma_write_dev(mA, 4094, 0, 4095);
	r2 = r ? -1 : edudma_read_dev(mB, 3, 0, 4095);
	ok = !r && !r2 && verify(B, RSIZE, why, sizeof(why));
	tap_ok(ok, "round trip of the whole usable buffer, 4095 bytes, page-crossing (%s, %s, %s)",
	       rs(r), rs(r2), why);

	et_fill(B, RSIZE);
	expect(B, RSIZE, 4093, A + 5, 10000);
	s0 = stats_now(dev);
	r = edudma_copy(mA, 5, mB, 4093, 10000);
	s1 = stats_now(dev);
	ok = !r && verify(B, RSIZE, why, sizeof(why));
	tap_ok(ok, "edudma_copy of 10000 bytes, odd offsets (%s, %s)", rs(r), why);
	tap_ok(DELTA(s0, s1, bytes_to_dev) == 10000 &&
	       DELTA(s0, s1, bytes_from_dev) == 10000 &&
	       DELTA(s0, s1, dma_to_dev) >= 3 && DELTA(s0, s1, dma_from_dev) >= 3 &&
	       DELTA(s0, s1, xfers) == 1 && DELTA(s0, s1, errors) == 0,
	       "statistics after it: bytes %+lld/%+lld, DMAs %+lld/%+lld, xfers %+lld (want +10000/+10000, >= 3/3, +1)",
	       DELTA(s0, s1, bytes_to_dev), DELTA(s0, s1, bytes_from_dev),
	       DELTA(s0, s1, dma_to_dev), DELTA(s0, s1, dma_from_dev),
	       DELTA(s0, s1, xfers));

	expect(A, RSIZE, 40000, A + 1, 20000);
	r = edudma_copy(mA, 1, mA, 40000, 20000);
	ok = !r && verify(A, RSIZE, why, sizeof(why));
	tap_ok(ok, "edudma_copy inside one registration, 20000 bytes (%s, %s)",
	       rs(r), why);

	EXPECT(-EINVAL, edudma_write_dev(NULL, 0, 0, 1), "edudma_write_dev(NULL mr)");
	EXPECT(-EINVAL, edudma_read_dev(NULL, 0, 0, 1), "edudma_read_dev(NULL mr)");
	EXPECT(-EINVAL, edudma_copy(NULL, 0, mB, 0, 1), "edudma_copy(NULL src)");
	EXPECT(-EINVAL, edudma_copy(mA, 0, NULL, 0, 1), "edudma_copy(NULL dst)");
	EXPECT(-EINVAL, edudma_write_dev(mA, 0, 0, 0), "edudma_write_dev of length 0");
	EXPECT(-EINVAL, edudma_copy(mA, 0, mB, 0, 0), "edudma_copy of length 0");
	EXPECT(-EINVAL, edudma_write_dev(mA, 0, 4000, 96),
	       "edudma_write_dev past the usable device buffer (4000 + 96)");
	EXPECT(-EINVAL, edudma_read_dev(mB, 0, 0, 4096),
	       "edudma_read_dev of 4096 bytes");
	EXPECT(-EINVAL, edudma_read_dev(mB, RSIZE - 10, 0, 20),
	       "edudma_read_dev past the end of the registration");
	EXPECT(-EINVAL, edudma_copy(mA, RSIZE - 100, mB, 0, 101),
	       "edudma_copy from past the end of the source");

	r = edudma_reg_mr(dev, A, 8192, EDUDMA_ACCESS_DEV_READ, &mR);
	r2 = edudma_reg_mr(dev, B, 8192, EDUDMA_ACCESS_DEV_WRITE, &mW);
	if (r || r2)
		tap_diag("read-only / write-only registrations: %s, %s", rs(r), rs(r2));
	EXPECT(-EACCES, edudma_read_dev(mR, 0, 0, 10),
	       "edudma_read_dev into a DEV_READ-only registration");
	EXPECT(-EACCES, edudma_write_dev(mW, 0, 0, 10),
	       "edudma_write_dev from a DEV_WRITE-only registration");
	EXPECT(-EACCES, edudma_copy(mW, 0, mR, 0, 10),
	       "edudma_copy with the accesses swapped");
	edudma_dereg_mr(mR);
	edudma_dereg_mr(mW);
}

static void cases_one_shot(void)
{
	unsigned char *heap = malloc(4 * 8192), *ro;
	unsigned char *hs = heap + 3, *hd = heap + 8192 + 4093;
	long long pins = et_pins();
	char why[128] = "";
	int r, r2 = -1, ok;

	et_fill(heap, 4 * 8192);
	expect(heap, 4 * 8192, hd - heap, hs, 3000);
	r = edudma_write_dev_ptr(dev, hs, 77, 3000);
	if (!r)
		r2 = edudma_read_dev_ptr(dev, hd, 77, 3000);
	ok = !r && !r2 && verify(heap, 4 * 8192, why, sizeof(why));
	tap_ok(ok, "edudma_write_dev_ptr + edudma_read_dev_ptr of 3000 bytes, odd addresses (%s, %s, %s)",
	       rs(r), rs(r2), why);

	et_fill(heap, 4 * 8192);
	expect(heap, 4 * 8192, hd - heap, hs, 9000);
	r = edudma_copy_ptr(dev, hd, hs, 9000);
	ok = !r && verify(heap, 4 * 8192, why, sizeof(why));
	tap_ok(ok, "edudma_copy_ptr of 9000 bytes, odd addresses (%s, %s)",
	       rs(r), why);

	EXPECT(-EINVAL, edudma_write_dev_ptr(NULL, hs, 0, 1), "edudma_write_dev_ptr(NULL dev)");
	EXPECT(-EINVAL, edudma_read_dev_ptr(NULL, hd, 0, 1), "edudma_read_dev_ptr(NULL dev)");
	EXPECT(-EINVAL, edudma_copy_ptr(NULL, hd, hs, 1), "edudma_copy_ptr(NULL dev)");
	EXPECT(-EINVAL, edudma_read_dev_ptr(dev, hd, 0, 0), "edudma_read_dev_ptr of length 0");

	ro = et_map(8192);
	et_fill(ro, 8192);
	mprotect(ro, 8192, PROT_READ);
	EXPECT(-EFAULT, edudma_read_dev_ptr(dev, ro + 5, 0, 100),
	       "edudma_read_dev_ptr into read-only memory");
	EXPECT(-EFAULT, edudma_copy_ptr(dev, ro + 5, hs, 100),
	       "edudma_copy_ptr into read-only memory");
	munmap(ro, 8192);
	tap_ok(et_pins_settle(pins, 2000) == pins,
	       "one-shot pins are all released (pin counter %+lld)",
	       et_pins() - pins);
	free(heap);
}

static void cases_exdev(void)
{
	struct edudma_dev *d2 = NULL;
	struct edudma_mr *m2 = NULL;
	int r;

	if (ndev < 2) {
		tap_skip("needs two devices", "edudma_copy between two devices");
		tap_skip("needs two devices", "edudma_submit_copy between two devices");
		return;
	}
	r = edudma_open(minors[1], &d2);
	if (!r)
		r = edudma_reg_mr(d2, B, RSIZE, ET_RW, &m2);
	if (r)
		tap_diag("second device: %s", rs(r));
	EXPECT(-EXDEV, edudma_copy(mA, 0, m2, 0, 100),
	       "edudma_copy from /dev/edudma%u's registration to /dev/edudma%u's",
	       minors[0], minors[1]);
	EXPECT(-EXDEV, edudma_submit_copy(m2, 0, mA, 0, 100, 1),
	       "edudma_submit_copy from /dev/edudma%u's registration to /dev/edudma%u's",
	       minors[1], minors[0]);
	edudma_close(d2);
}

/* ---- asynchronous transfers ----------------------------------------------------- */

/*
 * Reads completions until n arrived or wait_ms passed without one; checks
 * each cookie once (cookies base + 0 .. n - 1), status 0, bytes len[i].
 */
static int reap(struct edudma_dev *d, uint64_t base, int n, const uint64_t *len,
		char *why, size_t wn)
{
	struct edudma_completion c[16];
	int seen[16] = { 0 }, got = 0, r, k, ok = 1;

	snprintf(why, wn, "all %d once, status 0, bytes right", n);
	while (got < n) {
		r = edudma_get_completions(d, c, 16, 10000);
		if (r <= 0) {
			snprintf(why, wn, "edudma_get_completions -> %s after %d of %d",
				 rs(r), got, n);
			return 0;
		}
		for (k = 0; k < r; k++) {
			uint64_t i = c[k].cookie - base;

			if (i >= (uint64_t)n || seen[i]) {
				snprintf(why, wn, "cookie %#llx %s",
					 (unsigned long long)c[k].cookie,
					 i >= (uint64_t)n ? "unknown" : "twice");
				ok = 0;
				continue;
			}
			seen[i] = 1;
			got++;
			if (c[k].status || c[k].bytes != len[i]) {
				snprintf(why, wn, "cookie %llu: status %s, bytes %llu (want %llu)",
					 (unsigned long long)i, rs(c[k].status),
					 (unsigned long long)c[k].bytes,
					 (unsigned long long)len[i]);
				ok = 0;
			}
		}
	}
	return ok;
}

static void cases_async(void)
{
	struct edudma_completion c[4];
	uint64_t base = 0x5d0000 + (et_rand() & 0xffff) * 0x100, len[6];
	unsigned char *wantA;
	char why[160] = "";
	long long t0, waited;
	int r, ok, i, sub_ok = 1;

	EXPECT(0, edudma_get_completions(dev, c, 4, 0),
	       "edudma_get_completions with nothing pending, timeout 0");
	EXPECT(-EINVAL, edudma_get_completions(NULL, c, 4, 0), "edudma_get_completions(NULL dev)");
	EXPECT(-EINVAL, edudma_get_completions(dev, NULL, 4, 0), "edudma_get_completions(NULL comps)");
	EXPECT(-EINVAL, edudma_get_completions(dev, c, 0, 0), "edudma_get_completions(max 0)");
	EXPECT(-EINVAL, edudma_get_completions(dev, c, 4, -2), "edudma_get_completions(timeout -2)");
	t0 = et_now_ms();
	r = edudma_get_completions(dev, c, 4, 300);
	waited = et_now_ms() - t0;
	tap_ok(r == 0 && waited >= 290,
	       "edudma_get_completions with nothing pending, timeout 300 ms -> 0 after the timeout (%s after %lld ms)",
	       rs(r), waited);

	/*
	 * Six submissions, each cookie base + i: two COPYs B -> A, a
	 * write_dev/read_dev pair (one file's transfers run in order), a
	 * one-page COPY inside A, and a write_dev.
	 */
	et_fill(A, RSIZE);
	et_fill(B, RSIZE);
	wantA = malloc(RSIZE);
	memcpy(wantA, A, RSIZE);
	memcpy(wantA + 100, B + 7, 9000);
	memcpy(wantA + 20000, B + 30000, 5000);
	memcpy(wantA + 40000, B + 50001, 2000);	/* via the device buffer */
	len[0] = 9000;
	len[1] = 5000;
	len[2] = 2000;
	len[3] = 2000;
	len[4] = 4000;
	len[5] = 1;
	r = edudma_submit_copy(mB, 7, mA, 100, 9000, base + 0);
	sub_ok &= !r;
	r = edudma_submit_copy(mB, 30000, mA, 20000, 5000, base + 1);
	sub_ok &= !r;
	r = edudma_submit_write_dev(mB, 50001, 33, 2000, base + 2);
	sub_ok &= !r;
	r = edudma_submit_read_dev(mA, 40000, 33, 2000, base + 3);
	sub_ok &= !r;
	/* A[60000, +4000) <- A[56000, +4000): the copy of the copy */
	memcpy(wantA + 60000, wantA + 56000, 4000);
	r = edudma_submit_copy(mA, 56000, mA, 60000, 4000, base + 4);
	sub_ok &= !r;
	r = edudma_submit_write_dev(mA, 0, 4000, 1, base + 5);
	sub_ok &= !r;
	tap_ok(sub_ok, "six submissions (copy, copy, write_dev, read_dev, copy, write_dev) -> 0 (last %s)",
	       rs(r));
	ok = sub_ok && reap(dev, base, 6, len, why, sizeof(why));
	tap_ok(ok, "edudma_get_completions with a timeout returns each cookie once (%s)",
	       why);
	memcpy(want, wantA, RSIZE);
	ok = verify(A, RSIZE, why, sizeof(why));
	tap_ok(ok, "the data of the asynchronous transfers (%s)", why);
	free(wantA);
	EXPECT(0, edudma_get_completions(dev, c, 4, 0),
	       "edudma_get_completions after every completion was read");

	EXPECT(-EINVAL, edudma_submit_write_dev(NULL, 0, 0, 1, 1), "edudma_submit_write_dev(NULL mr)");
	EXPECT(-EINVAL, edudma_submit_read_dev(NULL, 0, 0, 1, 1), "edudma_submit_read_dev(NULL mr)");
	EXPECT(-EINVAL, edudma_submit_copy(mA, 0, NULL, 0, 1, 1), "edudma_submit_copy(NULL dst)");
	EXPECT(-EINVAL, edudma_submit_copy(mA, 0, mB, 0, 0, 1), "edudma_submit_copy of length 0");

	/* a timeout > 0 waits for the completion that is on its way */
	r = edudma_submit_write_dev(mA, 0, 0, 100, base + 9);
	t0 = et_now_ms();
	i = edudma_get_completions(dev, c, 4, 5000);
	waited = et_now_ms() - t0;
	tap_ok(!r && i == 1 && c[0].cookie == base + 9 && !c[0].status &&
	       waited >= 50 && waited < 5000,
	       "edudma_get_completions(timeout 5000) waits for one transfer (submit %s, got %s after %lld ms)",
	       rs(r), rs(i), waited);
}

static void cases_busy(void)
{
	struct edudma_completion c[2];
	uint32_t h = edudma_mr_handle(mA);
	long inflight = 4096;
	int r, r2, r3, n, k;

	/* 16 KiB: at least 8 DMAs, 800 ms of device time */
	r = edudma_submit_copy(mA, 0, mB, 0, 16384, 77);
	r2 = edudma_dereg_mr(mA);
	tap_ok(!r && r2 == -EBUSY && edudma_mr_handle(mA) == h &&
	       edudma_mr_length(mA) == RSIZE,
	       "edudma_dereg_mr with a transfer in flight -> -EBUSY and the mr stays valid (submit %s, dereg %s)",
	       rs(r), rs(r2));
	n = edudma_get_completions(dev, c, 2, 10000);
	tap_ok(n == 1 && c[0].cookie == 77 && !c[0].status,
	       "its completion arrives (%s, status %s)", rs(n),
	       n == 1 ? rs(c[0].status) : "-");

	if (et_param_get("max_inflight", &inflight) ||
	    et_param_set("max_inflight", 2)) {
		tap_skip("cannot set max_inflight", "EAGAIN at max_inflight");
		return;
	}
	r = edudma_submit_write_dev(mA, 0, 0, 10, 1);
	r2 = edudma_submit_write_dev(mA, 0, 0, 10, 2);
	r3 = edudma_submit_write_dev(mA, 0, 0, 10, 3);
	et_param_set("max_inflight", inflight);
	tap_ok(!r && !r2 && r3 == -EAGAIN,
	       "max_inflight 2: the third submission -> -EAGAIN (%s, %s, %s)",
	       rs(r), rs(r2), rs(r3));
	for (n = 0; n < 2 - !!r - !!r2; n += k) {
		k = edudma_get_completions(dev, c, 2, 10000);
		if (k <= 0)
			break;
	}
}

static void cases_poll_eventfd(void)
{
	struct pollfd pfd = { .fd = edudma_fd(dev), .events = POLLIN };
	struct edudma_completion c[4];
	uint64_t val = 0, len[2] = { 100, 200 };
	char why[128];
	int efd, pfds[2], r, n;

	r = poll(&pfd, 1, 0);
	tap_ok(r == 0, "poll(edudma_fd) with nothing pending -> 0 (%d)", r);
	r = edudma_submit_write_dev(mA, 0, 0, 100, 500);
	n = poll(&pfd, 1, 10000);
	tap_ok(!r && n == 1 && (pfd.revents & POLLIN),
	       "poll(edudma_fd) reports POLLIN once a submitted transfer finished (submit %s, poll %d, revents %#x)",
	       rs(r), n, pfd.revents);
	n = edudma_get_completions(dev, c, 4, 0);
	tap_ok(n == 1 && c[0].cookie == 500,
	       "... and edudma_get_completions(timeout 0) reads it (%s, cookie %llu)",
	       rs(n), n > 0 ? (unsigned long long)c[0].cookie : 0ULL);

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	EXPECT(0, edudma_set_eventfd(dev, efd), "edudma_set_eventfd(eventfd)");
	r = edudma_submit_write_dev(mA, 0, 0, 100, 600);
	if (!r)
		r = edudma_submit_read_dev(mB, 0, 0, 200, 601);
	n = r ? 0 : reap(dev, 600, 2, len, why, sizeof(why));
	if (read(efd, &val, sizeof(val)) != sizeof(val))
		val = 0;
	tap_ok(n && val == 2,
	       "the eventfd counts every completion: 2 transfers -> %llu (%s)",
	       (unsigned long long)val, r ? rs(r) : why);
	EXPECT(0, edudma_set_eventfd(dev, -1), "edudma_set_eventfd(-1) detaches");
	r = edudma_submit_write_dev(mA, 0, 0, 100, 700);
	n = r ? 0 : edudma_get_completions(dev, c, 4, 10000);
	errno = 0;
	val = 0;
	tap_ok(n == 1 && read(efd, &val, sizeof(val)) < 0 && errno == EAGAIN,
	       "... after which a completion leaves the eventfd alone (%s, counter %llu)",
	       rs(n), (unsigned long long)val);
	close(efd);
	if (pipe(pfds)) {
		pfds[0] = pfds[1] = -1;
	}
	EXPECT(-EBADF, edudma_set_eventfd(dev, pfds[0]),
	       "edudma_set_eventfd of a pipe");
	close(pfds[0]);
	close(pfds[1]);
	EXPECT(-EINVAL, edudma_set_eventfd(NULL, -1), "edudma_set_eventfd(NULL dev)");
}

static void cases_factorial(void)
{
	struct edudma_stats s0, s1;
	uint32_t res = 0, res2 = 0;
	int r, r2;

	s0 = stats_now(dev);
	r = edudma_factorial(dev, 5, &res);
	r2 = edudma_factorial(dev, 12, &res2);
	s1 = stats_now(dev);
	tap_ok(!r && res == 120, "edudma_factorial(5) = %u (%s)", res, rs(r));
	tap_ok(!r2 && res2 == 479001600U, "edudma_factorial(12) = %u (%s)",
	       res2, rs(r2));
	tap_ok(DELTA(s0, s1, factorials) == 2,
	       "statistics: factorials %+lld (want +2)", DELTA(s0, s1, factorials));
	EXPECT(-EINVAL, edudma_factorial(dev, 5, NULL), "edudma_factorial(result NULL)");
	EXPECT(-EINVAL, edudma_factorial(NULL, 5, &res), "edudma_factorial(NULL dev)");
}

/* ---- close -------------------------------------------------------------------- */

static void cases_close(long long base_pins)
{
	struct edudma_stats s0, s1;
	struct edudma_dev *d2 = NULL;
	struct edudma_mr *m[3];
	unsigned char *big = et_map(1 << 20);
	long long pins;
	int r, i;

	s0 = stats_now(dev);
	pins = et_pins();
	r = edudma_open(minors[0], &d2);
	for (i = 0; i < 3 && !r; i++)
		r = edudma_reg_mr(d2, i == 2 ? big : (i ? B : A),
				  i == 2 ? 1 << 20 : RSIZE, ET_RW, &m[i]);
	/* one transfer reaped-not, one maybe still running, then close */
	if (!r)
		r = edudma_submit_copy(m[0], 0, m[2], 0, 8000, 1);
	if (!r)
		r = edudma_submit_copy(m[2], 0, m[1], 0, 60000, 2);
	tap_ok(!r && et_pins() - pins >= 16 + 16 + 256,
	       "a second handle holds 3 registrations (1.1 MiB) and 2 transfers (%s, pins %+lld)",
	       rs(r), et_pins() - pins);
	edudma_close(d2);
	s1 = stats_now(dev);
	tap_ok(et_pins_settle(pins, 5000) == pins &&
	       DELTA(s0, s1, regions) == 0 && s1.queue_depth == 0,
	       "edudma_close releases every registration and transfer (pins %+lld, regions %+lld, queue %llu)",
	       et_pins() - pins, DELTA(s0, s1, regions),
	       (unsigned long long)s1.queue_depth);
	munmap(big, 1 << 20);

	edudma_close(NULL);
	tap_ok(1, "edudma_close(NULL) does nothing");

	edudma_close(dev);
	dev = NULL;
	tap_ok(et_pins_settle(base_pins, 5000) == base_pins,
	       "after the last edudma_close the pin counters are back to the start (%+lld)",
	       et_pins() - base_pins);
}

int main(void)
{
	long long base_pins;

	ndev = et_ndevices();
	if (ndev < 1)
		tap_skip_all("no edudma device");
	tap_plan(PLAN);
	et_seed_init();
	base_pins = et_pins();

	A = et_map(RSIZE);
	B = et_map(RSIZE);
	want = malloc(4 * 8192 > RSIZE ? 4 * 8192 : RSIZE);
	et_fill(A, RSIZE);
	et_fill(B, RSIZE);

	cases_devices();
	cases_info();
	cases_reg();
	cases_reg_before_write();
	cases_sync();
	cases_one_shot();
	cases_exdev();
	cases_async();
	cases_busy();
	cases_poll_eventfd();
	cases_factorial();
	cases_close(base_pins);
	tap_finish();
}
