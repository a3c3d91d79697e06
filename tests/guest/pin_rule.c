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

ET_PRECONDITION(et_need_device)

/*
 * The device, the zero page's frame and a one-page file holding 0x16 for
 * the private file pages of a layout.
 */
ET_FIXTURE(pin) {
	int fd;
	uint64_t zero_pfn;
	int file_fd;
	unsigned char *m;	/* the case's layout, */
	size_t len;		/* of len bytes */
};

ET_SETUP(pin)
{
	char path[] = "/tmp/pin_rule.XXXXXX";
	unsigned char fill[PG], *z;

	self->m = NULL;
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	/* the zero page's frame: a private page that was only read */
	z = et_map(PG);
	ET_ASSERT(z, "out of memory");
	(void)*(volatile unsigned char *)z;
	self->zero_pfn = et_pfn(z);
	munmap(z, PG);
	self->file_fd = mkstemp(path);
	ET_ASSERT(self->file_fd >= 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	memset(fill, 0x16, sizeof(fill));
	ET_ASSERT(write(self->file_fd, fill, PG) == (ssize_t)PG,
		  "cannot write %s: %s", path, strerror(errno));
}

ET_TEARDOWN(pin)
{
	if (self->m)
		munmap(self->m, self->len);
	close(self->file_fd);
	close(self->fd);
}

static void *map_page(struct et_fx_pin *self, void *at, char kind)
{
	int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;

	switch (kind) {
	case 'r':
		return mmap(at, PG, PROT_READ, anon | MAP_FIXED, -1, 0);
	case 'w':
		return mmap(at, PG, rw, anon | MAP_FIXED, -1, 0);
	default:
		return mmap(at, PG, rw, MAP_PRIVATE | MAP_FIXED,
			    self->file_fd, 0);
	}
}

/*
 * Adjacent pages into self->m, one per letter of pattern:
 *   r  anonymous, PROT_READ (never writable)
 *   w  anonymous, read-write, never written
 *   f  a MAP_PRIVATE read-write page of a file holding 0x16, never written
 */
static void layout(struct et_fx_pin *self, const char *pattern)
{
	size_t n = strlen(pattern);
	unsigned char *base;

	base = mmap(NULL, n * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ET_ASSERT(base != MAP_FAILED, "mmap: %s", strerror(errno));
	self->m = base;
	self->len = n * PG;
	for (size_t i = 0; i < n; i++)
		ET_ASSERT(map_page(self, base + i * PG, pattern[i]) != MAP_FAILED,
			  "mmap of page %zu (%c): %s", i, pattern[i],
			  strerror(errno));
}

/* Index of the first byte of buf that is not v, or -1. */
static long first_not(const unsigned char *buf, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != v)
			return (long)i;
	return -1;
}

/* ---- REG_MR DEV_READ over a layout --------------------------------------- */

struct reg_row {
	const char *name;
	const char *pattern;
	const char *what;
};

static const struct reg_row reg_rows[] = {
	{ .name = "REG_MR_DEV_READ_over_read_only_then_writable",
	  .pattern = "rw", .what = "[read-only][writable never written]", },
	{ .name = "REG_MR_DEV_READ_over_read_only_then_private_file_page",
	  .pattern = "rf",
	  .what = "[read-only][MAP_PRIVATE file page never written]", },
	{ .name = "REG_MR_DEV_READ_over_writable_then_read_only",
	  .pattern = "wr", .what = "[writable never written][read-only]", },
	{ .name = "REG_MR_DEV_READ_over_writable_read_only_writable",
	  .pattern = "wrw", .what = "[writable][read-only][writable]", },
	{ .name = "REG_MR_DEV_READ_over_two_read_only_writable_read_only_file",
	  .pattern = "rrwrf",
	  .what = "[read-only x2][writable][read-only][private file]", },
};

/*
 * What the device reads at page i of registration h (TO_DEV of CHUNK
 * bytes, then FROM_DEV into a one-shot buffer) is the byte the program
 * wrote there, or 0 for a read-only page.
 */
static void expect_device_view(struct et_fx_pin *self, const char *pattern,
			       uint32_t h, size_t i)
{
	unsigned char out[CHUNK], v = pattern[i] == 'r' ? 0 : 0x40 + (int)i;
	long bad;

	memset(out, 0xee, sizeof(out));
	ET_ASSERT_ERRNO(et_to_dev(self->fd, h, i * PG, 0, CHUNK), 0,
			"TO_DEV from the registration");
	ET_ASSERT_ERRNO(et_from_dev_ptr(self->fd, out, 0, CHUNK), 0,
			"FROM_DEV into a one-shot buffer");
	bad = first_not(out, CHUNK, v);
	ET_EXPECT(bad < 0,
		  "page %zu (%c): the device read 0x%02x at byte %ld, the program wrote 0x%02x (memory holds 0x%02x)",
		  i, pattern[i], bad < 0 ? 0 : out[bad], bad, v,
		  bad < 0 ? 0 : self->m[i * PG + bad]);
}

/*
 * Registers the layout DEV_READ, then the program fills every writable
 * page with its own byte; the device must read those bytes.
 */
ET_TABLE_F(pin, reg_dev_read, struct reg_row, reg_rows)
{
	size_t n = strlen(row->pattern);
	struct edudma_reg_mr r;

	et_note("%s", row->what);
	layout(self, row->pattern);
	ET_ASSERT_ERRNO(et_reg(self->fd, self->m, n * PG,
			       EDUDMA_ACCESS_DEV_READ, &r), 0,
			"REG_MR DEV_READ");
	for (size_t i = 0; i < n; i++)
		if (row->pattern[i] != 'r')
			memset(self->m + i * PG, 0x40 + (int)i, PG);
	for (size_t i = 0; i < n; i++)
		expect_device_view(self, row->pattern, r.handle, i);
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle), 0, "DEREG_MR");
}

/* ---- one-shot sides and BENCH_PIN ----------------------------------------- */

#define RO_THEN_RW "rwwwwwwwwwwwwwwww"	/* one read-only page, 16 writable */

/* The 'w' pages of pattern that are mapped and not the zero page. */
static void expect_own_pages(struct et_fx_pin *self, const char *pattern)
{
	int own = 0, w = 0;

	for (size_t i = 0; pattern[i]; i++) {
		uint64_t pfn;

		if (pattern[i] != 'w')
			continue;
		w++;
		pfn = et_pfn(self->m + i * PG);
		if (pfn && pfn != self->zero_pfn)
			own++;
	}
	ET_EXPECT(own == w,
		  "%d of %d writable pages pinned as pages of their own (zero page frame %#" PRIx64 ")",
		  own, w, self->zero_pfn);
}

ET_TEST_F(pin, one_shot_COPY_source_over_read_only_then_16_writable_pages)
{
	size_t len = strlen(RO_THEN_RW) * PG;
	unsigned char *dst = et_map(len);
	struct edudma_reg_mr r;
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_SRC_PTR,
		.length = len,
	};

	ET_ASSERT(dst, "out of memory");
	layout(self, RO_THEN_RW);
	ET_ASSERT_ERRNO(et_reg(self->fd, dst, len, EDUDMA_ACCESS_DEV_WRITE, &r),
			0, "REG_MR DEV_WRITE of the destination");
	x.src = (uintptr_t)self->m;
	x.dst_handle = r.handle;
	ET_EXPECT_ERRNO(et_xfer(self->fd, &x), 0,
			"one-shot COPY from [read-only][16 writable pages never written]");
	expect_own_pages(self, RO_THEN_RW);
	et_dereg(self->fd, r.handle);
	munmap(dst, len);
}

ET_TEST_F(pin, BENCH_PIN_DEV_READ_over_read_only_then_16_writable_pages)
{
	layout(self, RO_THEN_RW);
	ET_EXPECT_ERRNO(et_bench_pin(self->m, self->len,
				     EDUDMA_ACCESS_DEV_READ), 0,
			"BENCH_PIN DEV_READ over [read-only][16 writable pages never written]");
	expect_own_pages(self, RO_THEN_RW);
}

ET_TEST_F(pin, REG_MR_DEV_WRITE_over_read_only_then_writable_is_EFAULT)
{
	long long base = et_pins(), now;

	layout(self, "rw");
	ET_EXPECT_ERRNO(et_reg(self->fd, self->m, 2 * PG,
			       EDUDMA_ACCESS_DEV_WRITE, NULL), EFAULT,
			"REG_MR DEV_WRITE over [read-only][writable]");
	now = et_pins_settle(base, 1000);
	ET_EXPECT(now == base, "%+lld pages stay pinned after it, expected 0",
		  now - base);
}

/* ---- mremap ------------------------------------------------------------- */

/*
 * A pinned registration holds pages, not addresses: after mremap moves the
 * memory the device reaches it at its new address; memory mapped anew at
 * the old address is not the registration's.  That is what one registered
 * with NO_STALE does; a watched one goes stale (tests/guest/stale.c).
 */
ET_TEST_F(pin, after_mremap_a_NO_STALE_registration_follows_its_pages)
{
	size_t len = 2 * PG;
	unsigned char *a = et_map(len), *b = et_map(len), *c;
	unsigned char pattern[CHUNK];
	struct edudma_reg_mr r;
	long bad;

	ET_ASSERT(a && b, "out of memory");
	memset(a, 0x11, len);
	ET_ASSERT_ERRNO(et_reg(self->fd, a, len, ET_RW | EDUDMA_REG_NO_STALE,
			       &r), 0, "REG_MR, NO_STALE");
	/* move the registered pages over b's address */
	ET_ASSERT(mremap(a, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, b) == b,
		  "mremap: %s", strerror(errno));
	c = mmap(a, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ET_ASSERT(c == a, "mmap anew at the old address: %s", strerror(errno));
	memset(pattern, 0x5a, sizeof(pattern));
	ET_ASSERT_ERRNO(et_to_dev_ptr(self->fd, pattern, 0, CHUNK), 0,
			"one-shot TO_DEV");
	ET_EXPECT_ERRNO(et_from_dev(self->fd, r.handle, 100, 0, CHUNK), 0,
			"FROM_DEV into the moved registration");
	bad = first_not(b + 100, CHUNK, 0x5a);
	ET_EXPECT(bad < 0, "new address: byte %ld is 0x%02x, expected 0x5a",
		  100 + bad, bad < 0 ? 0 : b[100 + bad]);
	bad = first_not(b, 100, 0x11);
	ET_EXPECT(bad < 0, "new address: byte %ld is 0x%02x, expected 0x11",
		  bad, bad < 0 ? 0 : b[bad]);
	bad = first_not(a, len, 0);
	ET_EXPECT(bad < 0,
		  "memory mapped anew at the old address: byte %ld is 0x%02x, expected 0",
		  bad, bad < 0 ? 0 : a[bad]);
	et_dereg(self->fd, r.handle);
	munmap(a, len);
	munmap(b, len);
}
