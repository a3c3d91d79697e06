// SPDX-License-Identifier: GPL-2.0
/*
 * reg_huge: EDUDMA_REG_MR of 4 MiB backed by transparent huge pages and
 * by hugetlbfs pages: the page count, few segments (at most one per
 * 64 KiB), and a COPY across the 2 MiB boundary of hugetlbfs pages.  The
 * fixtures turn THP on ("madvise") and reserve huge pages when needed,
 * and put the system's settings back.
 */
#include "reg.h"

#define MiB (1024 * 1024UL)
#define LEN_HUGE (4 * MiB)
#define HALF (2 * MiB)

ET_PRECONDITION(et_need_device)

/* 4 MiB of huge pages registered read-write on a file of its own. */
struct huge {
	int fd;
	unsigned char *buf;
	struct edudma_reg_mr r;
	int err;		/* of REG_MR */
};

static void huge_register(struct huge *h)
{
	h->err = et_reg(h->fd, h->buf, LEN_HUGE, ET_RW, &h->r);
}

static void huge_release(struct huge *h)
{
	if (!h->err)
		et_dereg(h->fd, h->r.handle);
	close(h->fd);
	munmap(h->buf, LEN_HUGE);
}

/* REG_MR succeeded, with a page count of 4 MiB in 4 KiB pages. */
static void expect_1024_pages(const struct huge *h, const char *what)
{
	ET_ASSERT_ERRNO(h->err, 0, what);
	ET_EXPECT(h->r.nr_pages == 1024, "nr_pages %llu, expected 1024",
		  (unsigned long long)h->r.nr_pages);
}

/* ... with at most one segment per 64 KiB. */
static void expect_few_segments(const struct huge *h, const char *what)
{
	ET_ASSERT_ERRNO(h->err, 0, what);
	ET_EXPECT(h->r.nr_segments >= 1 && h->r.nr_segments <= 64,
		  "%u segments, expected 1 to 64 (one per 64 KiB at most)",
		  h->r.nr_segments);
}

/* 4 MiB advised MADV_HUGEPAGE, registered read-write. */
ET_FIXTURE(thp) {
	char old[32];		/* the THP mode before the case */
	struct huge h;
	long kb;		/* AnonHugePages of h.buf */
};

ET_SETUP(thp)
{
	self->h.fd = reg_open();
	self->h.buf = et_map_aligned(LEN_HUGE, HALF);
	ET_ASSERT(self->h.buf, "mmap of 4 MiB: out of memory");
	if (et_thp_on(self->old, sizeof(self->old)))
		ET_SKIP("transparent hugepages are off and cannot be turned on");
	madvise(self->h.buf, LEN_HUGE, MADV_HUGEPAGE);
	et_fill(self->h.buf, LEN_HUGE);
	self->kb = et_anon_huge_kb(self->h.buf);
	et_note("THP: AnonHugePages %ld kB of 4096", self->kb);
	huge_register(&self->h);
}

ET_TEARDOWN(thp)
{
	huge_release(&self->h);
	et_thp_restore(self->old);
}

ET_TEST_F(thp, THP_4_MiB_registers_with_nr_pages_1024)
{
	expect_1024_pages(&self->h, "REG_MR of 4 MiB of THP");
}

ET_TEST_F(thp, THP_few_segments_for_4_MiB_of_huge_pages)
{
	if (self->kb < 4096)
		ET_SKIP("the kernel gave no huge pages (AnonHugePages %ld kB)",
			self->kb);
	expect_few_segments(&self->h, "REG_MR of 4 MiB of THP");
}

/* ---- hugetlbfs ----------------------------------------------------------- */

/* 4 MiB of MAP_HUGETLB memory (8 huge pages reserved), registered. */
ET_FIXTURE(hugetlb) {
	long old, now;		/* nr_hugepages before, during the case */
	struct huge h;
};

ET_SETUP(hugetlb)
{
	void *p = MAP_FAILED;

	self->h.fd = reg_open();
	self->old = et_nr_hugepages();
	if (self->old >= 0 && self->old < 8)
		et_set_nr_hugepages(8);
	self->now = et_nr_hugepages();
	if (self->now >= 2)
		p = mmap(NULL, LEN_HUGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED) {
		if (self->old >= 0 && self->now != self->old)
			et_set_nr_hugepages(self->old);
		ET_SKIP("no hugetlbfs pages (nr_hugepages %ld)", self->now);
	}
	self->h.buf = p;
	et_fill(self->h.buf, LEN_HUGE);
	huge_register(&self->h);
}

ET_TEARDOWN(hugetlb)
{
	huge_release(&self->h);
	if (self->old >= 0 && self->now != self->old)
		et_set_nr_hugepages(self->old);
}

ET_TEST_F(hugetlb, hugetlbfs_4_MiB_registers_with_nr_pages_1024)
{
	expect_1024_pages(&self->h, "REG_MR of 4 MiB of hugetlbfs");
}

ET_TEST_F(hugetlb, hugetlbfs_few_segments)
{
	expect_few_segments(&self->h, "REG_MR of 4 MiB of hugetlbfs");
}

/* 6000 bytes from just below the first huge page's end to far away. */
ET_TEST_F(hugetlb, hugetlbfs_COPY_across_the_2_MiB_boundary)
{
	unsigned char *want = malloc(LEN_HUGE);
	uint32_t h = self->h.r.handle;
	long bad;

	ET_ASSERT(want, "out of memory");
	ET_ASSERT_ERRNO(self->h.err, 0, "REG_MR of 4 MiB of hugetlbfs");
	memcpy(want, self->h.buf, LEN_HUGE);
	memcpy(want + 3 * HALF / 2 + 5, self->h.buf + HALF - 3000, 6000);
	ET_ASSERT_ERRNO(et_copy(self->h.fd, h, HALF - 3000, h,
				3 * HALF / 2 + 5, 6000), 0,
			"COPY of 6000 bytes across the 2 MiB boundary");
	bad = et_diff(self->h.buf, want, LEN_HUGE);
	ET_EXPECT(bad < 0, "byte %ld is 0x%02x, expected 0x%02x", bad,
		  bad < 0 ? 0 : self->h.buf[bad], bad < 0 ? 0 : want[bad]);
	free(want);
}
