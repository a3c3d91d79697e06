// SPDX-License-Identifier: GPL-2.0
/*
 * pin_rule: which pages a registration pins (Documentation/uapi.md,
 * EDUDMA_REG_MR): memory the program can write is pinned for writing even
 * for DEV_READ only, per part of the range, so a range that begins (or
 * goes on) with read-only memory still gets the program's own pages where
 * it is writable: never the shared zero page, never a private file page's
 * page cache.  The same rule holds for one-shot sides and BENCH_PIN.  And
 * what a pinned registration follows when the program moves its memory
 * (mremap) or replaces it (munmap and mmap).
 *
 * The device's view is checked through the device itself: TO_DEV from the
 * registration, FROM_DEV into a one-shot buffer.  Where no later write is
 * possible (one-shot, BENCH_PIN), the frame numbers in /proc/self/pagemap
 * say whether the writable pages were given pages of their own.
 */
#include "edudma_test.h"

#define PG	ET_PAGE
#define CHUNK	ET_MAX_XFER

static int fd;
static uint64_t zero_pfn;
static int file_fd = -1;

/*
 * Adjacent pages, one per letter of pattern:
 *   r  anonymous, PROT_READ (never writable)
 *   w  anonymous, read-write, never written
 *   f  a MAP_PRIVATE read-write page of a file holding 0x16, never written
 * Returns the first page, or NULL.
 */
static unsigned char *layout(const char *pattern)
{
	size_t n = strlen(pattern);
	unsigned char *base;

	base = mmap(NULL, n * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		void *at = base + i * PG, *p;

		switch (pattern[i]) {
		case 'r':
			p = mmap(at, PG, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 'w':
			p = mmap(at, PG, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		default:
			p = mmap(at, PG, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_FIXED, file_fd, 0);
			break;
		}
		if (p == MAP_FAILED) {
			munmap(base, n * PG);
			return NULL;
		}
	}
	return base;
}

/*
 * What the device reads at offset off of registration h: TO_DEV of CHUNK
 * bytes, then FROM_DEV into a one-shot buffer.  Returns the errno.
 */
static int device_view(uint32_t h, uint64_t off, unsigned char *out)
{
	int e = et_to_dev(fd, h, off, 0, CHUNK);

	return e ? e : et_from_dev_ptr(fd, out, 0, CHUNK);
}

/* Index of the first byte of buf that is not v, or -1. */
static long first_not(const unsigned char *buf, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != v)
			return (long)i;
	return -1;
}

/*
 * Registers pattern DEV_READ, then the program fills every writable page
 * with its own byte; the device must read those bytes.
 */
static void case_reg(const char *pattern, const char *what)
{
	size_t n = strlen(pattern);
	unsigned char *m = layout(pattern), out[CHUNK];
	struct edudma_reg_mr r;
	char why[160] = "";
	int e, good = 1;

	if (!m) {
		tap_ok(0, "REG_MR DEV_READ over %s: set-up failed: %s", what,
		       strerror(errno));
		return;
	}
	e = et_reg(fd, m, n * PG, EDUDMA_ACCESS_DEV_READ, &r);
	if (e) {
		tap_ok(0, "REG_MR DEV_READ over %s: %s", what, tap_errname(e));
		munmap(m, n * PG);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (pattern[i] != 'r')
			memset(m + i * PG, 0x40 + (int)i, PG);
	for (size_t i = 0; i < n && good; i++) {
		long bad;

		memset(out, 0xee, sizeof(out));
		e = device_view(r.handle, i * PG, out);
		if (e) {
			snprintf(why, sizeof(why), "page %zu: TO_DEV/FROM_DEV %s",
				 i, tap_errname(e));
			good = 0;
			break;
		}
		bad = first_not(out, CHUNK, pattern[i] == 'r' ? 0 : 0x40 + (int)i);
		if (bad >= 0) {
			snprintf(why, sizeof(why),
				 "page %zu (%c): the device read 0x%02x at byte %ld, memory holds 0x%02x",
				 i, pattern[i], out[bad], bad, m[i * PG + bad]);
			good = 0;
		}
	}
	tap_ok(good, "REG_MR DEV_READ over %s, written after registering: the device reads what the program wrote%s%s",
	       what, good ? "" : ": ", why);
	if (et_dereg(fd, r.handle))
		tap_diag("DEREG_MR failed");
	munmap(m, n * PG);
}

/* Pages of pattern that are 'w' and do not map the zero page. */
static int own_pages(const unsigned char *m, const char *pattern, int *wpages)
{
	int own = 0;

	*wpages = 0;
	for (size_t i = 0; pattern[i]; i++) {
		uint64_t pfn;

		if (pattern[i] != 'w')
			continue;
		(*wpages)++;
		pfn = et_pfn(m + i * PG);
		if (pfn && pfn != zero_pfn)
			own++;
	}
	return own;
}

#define RO_THEN_RW "rwwwwwwwwwwwwwwww"	/* one read-only page, 16 writable */

static void case_oneshot(void)
{
	size_t len = strlen(RO_THEN_RW) * PG;
	unsigned char *m = layout(RO_THEN_RW), *dst = et_map(len);
	struct edudma_reg_mr r;
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_SRC_PTR,
		.length = len,
	};
	int e, own, w;

	if (!m || !dst || et_reg(fd, dst, len, EDUDMA_ACCESS_DEV_WRITE, &r)) {
		tap_ok(0, "one-shot source: set-up failed");
		return;
	}
	x.src = (uintptr_t)m;
	x.dst_handle = r.handle;
	e = et_xfer(fd, &x);
	own = own_pages(m, RO_THEN_RW, &w);
	tap_ok(!e && own == w,
	       "one-shot COPY source over [read-only][16 writable pages never written]: %s, %d of %d writable pages pinned as pages of their own (not the zero page)",
	       tap_errname(e), own, w);
	et_dereg(fd, r.handle);
	munmap(m, len);
	munmap(dst, len);
}

static void case_bench(void)
{
	unsigned char *m = layout(RO_THEN_RW);
	size_t len = strlen(RO_THEN_RW) * PG;
	int e, own, w;

	if (!m) {
		tap_ok(0, "BENCH_PIN: set-up failed");
		return;
	}
	e = et_bench_pin(m, len, EDUDMA_ACCESS_DEV_READ);
	own = own_pages(m, RO_THEN_RW, &w);
	tap_ok(!e && own == w,
	       "BENCH_PIN DEV_READ over [read-only][16 writable pages never written]: %s, %d of %d writable pages pinned for writing",
	       tap_errname(e), own, w);
	munmap(m, len);
}

static void case_dev_write(void)
{
	unsigned char *m = layout("rw");
	long long base = et_pins();
	int e;

	if (!m) {
		tap_ok(0, "DEV_WRITE over [read-only][writable]: set-up failed");
		return;
	}
	e = et_reg(fd, m, 2 * PG, EDUDMA_ACCESS_DEV_WRITE, NULL);
	tap_ok(e == EFAULT && et_pins_settle(base, 1000) == base,
	       "REG_MR DEV_WRITE over [read-only][writable] -> EFAULT, nothing stays pinned (%s)",
	       tap_errname(e));
	munmap(m, 2 * PG);
}

/*
 * A pinned registration holds pages, not addresses: after mremap moves the
 * memory the device reaches it at its new address; memory mapped anew at
 * the old address is not the registration's.
 */
static void case_mremap(void)
{
	size_t len = 2 * PG;
	unsigned char *a = et_map(len), *b = et_map(len), *c;
	unsigned char pattern[CHUNK];
	struct edudma_reg_mr r;
	int e, moved_ok, fresh_ok;

	if (!a || !b) {
		tap_ok(0, "mremap: set-up failed");
		return;
	}
	memset(a, 0x11, len);
	e = et_reg(fd, a, len, ET_RW, &r);
	if (e) {
		tap_ok(0, "mremap: REG_MR %s", tap_errname(e));
		return;
	}
	/* move the registered pages over b's address */
	if (mremap(a, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, b) != b) {
		tap_ok(0, "mremap: %s", strerror(errno));
		return;
	}
	c = mmap(a, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memset(pattern, 0x5a, sizeof(pattern));
	e = et_to_dev_ptr(fd, pattern, 0, CHUNK);
	if (!e)
		e = et_from_dev(fd, r.handle, 100, 0, CHUNK);
	moved_ok = !e && first_not(b + 100, CHUNK, 0x5a) < 0 &&
		   first_not(b, 100, 0x11) < 0;
	fresh_ok = c == a && first_not(a, len, 0) < 0;
	tap_ok(moved_ok && fresh_ok,
	       "after mremap of a registered range, FROM_DEV into it shows at the new address (%s, %s), and memory mapped anew at the old address is untouched (%s)",
	       tap_errname(e), moved_ok ? "right" : "wrong",
	       fresh_ok ? "right" : "wrong");
	et_dereg(fd, r.handle);
	munmap(a, len);
	munmap(b, len);
}

int main(void)
{
	char path[] = "/tmp/pin_rule.XXXXXX";
	unsigned char fill[PG], *z;
	long long base;

	fd = et_open_or_skip();
	tap_plan(10);

	/* the zero page's frame: a private page that was only read */
	z = et_map(PG);
	if (z)
		(void)*(volatile unsigned char *)z;
	zero_pfn = z ? et_pfn(z) : 0;
	tap_diag("zero page frame %#" PRIx64, zero_pfn);

	file_fd = mkstemp(path);
	memset(fill, 0x16, sizeof(fill));
	if (file_fd < 0 || write(file_fd, fill, PG) != (ssize_t)PG)
		tap_diag("cannot make %s: %s", path, strerror(errno));
	unlink(path);

	base = et_pins();
	case_reg("rw", "[read-only][writable never written]");
	case_reg("rf", "[read-only][MAP_PRIVATE file page never written]");
	case_reg("wr", "[writable never written][read-only]");
	case_reg("wrw", "[writable][read-only][writable]");
	case_reg("rrwrf", "[read-only x2][writable][read-only][private file]");
	case_oneshot();
	case_bench();
	case_dev_write();
	case_mremap();
	tap_ok(et_pins_settle(base, 2000) == base,
	       "pin counters back where they started (%lld)", et_pins() - base);
	tap_finish();
}
