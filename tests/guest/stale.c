// SPDX-License-Identifier: GPL-2.0
/*
 * stale: what makes a pinned registration stale (Documentation/uapi.md,
 * "Stale registrations") and what does not.  After munmap and a new mmap
 * at the address, mremap, MADV_DONTNEED (of one page) and a copy-on-write
 * break (where the kernel does not break it at the pin), transfers on the
 * registration fail with ESTALE and GET_EVENTS
 * hands out one STALE record naming it; after mprotect (read-only, and
 * PROT_NONE), a THP split and fork it stays live: no event, and the device
 * still sees the program's own bytes.  NO_STALE keeps the API 3 rule, and
 * an on-demand registration is never stale.  Each "live" case checks that
 * the driver did look (watch_checks moved), so that it cannot pass for
 * having seen no invalidation.
 */
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stale.h"

ET_PRECONDITION(et_need_device)

ET_FIXTURE(st) {
	int fd;
	unsigned char *buf;
	uint32_t h;
	int registered;
	long long pins;
	unsigned long long checks;
};

ET_SETUP(st)
{
	struct edudma_reg_mr r;

	self->pins = et_pins();
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	self->buf = et_map(ST_LEN);
	ET_ASSERT(self->buf, "out of memory");
	et_fill(self->buf, ST_LEN);
	ET_ASSERT_ERRNO(et_reg(self->fd, self->buf, ST_LEN, ET_RW, &r), 0,
			"REG_MR (watched)");
	self->h = r.handle;
	self->registered = 1;
	ET_ASSERT_ERRNO(st_device_sees(self->fd, self->h, self->buf), 0,
			"TO_DEV before anything happened");
	st_expect_no_event(self->fd, "after REG_MR");
	self->checks = ST_STAT(self->fd, watch_checks);
}

ET_TEARDOWN(st)
{
	long long now;

	if (self->registered)
		ET_EXPECT_ERRNO(et_dereg(self->fd, self->h), 0, "DEREG_MR");
	munmap(self->buf, ST_LEN);
	close(self->fd);
	now = et_pins_settle(self->pins, 2000);
	ET_EXPECT(now == self->pins, "pins %+lld after close", now - self->pins);
}

/* The registration is stale now: ESTALE, its one event, and DEREG works. */
static void expect_stale(struct et_fx_st *self, const char *what)
{
	unsigned long long stale0;

	/* found stale by now (by the driver's worker, or this transfer) */
	ET_EXPECT_ERRNO(et_to_dev(self->fd, self->h, 0, 0, 64), ESTALE, what);
	stale0 = ST_STAT(self->fd, stale);
	ET_EXPECT_ERRNO(et_from_dev(self->fd, self->h, 0, 0, 64), ESTALE,
			"and FROM_DEV into it");
	st_expect_one_stale(self->fd, self->h, self->buf, ST_LEN, what);
	ET_EXPECT_ERRNO(et_to_dev(self->fd, self->h, 0, 0, 64), ESTALE,
			"TO_DEV again, after the event was read");
	st_expect_no_event(self->fd, "after the second ESTALE");
	ET_EXPECT(ST_STAT(self->fd, stale) == stale0,
		  "the stale counter moved again (%llu -> %llu)", stale0,
		  ST_STAT(self->fd, stale));
}

/* The registration is live: the device sees the bytes, no event. */
static void expect_live(struct et_fx_st *self, const char *what)
{
	ET_EXPECT_ERRNO(st_device_sees(self->fd, self->h, self->buf), 0, what);
	st_expect_no_event(self->fd, what);
	ET_EXPECT(ST_STAT(self->fd, watch_checks) > self->checks,
		  "%s: watch_checks did not move (%llu): no invalidation was seen",
		  what, self->checks);
}

ET_TEST_F(st, munmap_and_a_new_mmap_at_the_address_make_it_stale)
{
	unsigned long long stale0 = ST_STAT(self->fd, stale);

	ET_ASSERT(!st_replace(self->buf, ST_LEN), "munmap + mmap anew: %s",
		  strerror(errno));
	memset(self->buf, 0x77, ST_LEN);
	expect_stale(self, "TO_DEV after munmap + mmap");
	ET_EXPECT(ST_STAT(self->fd, stale) == stale0 + 1,
		  "stale counter %llu -> %llu, expected +1", stale0,
		  ST_STAT(self->fd, stale));
}

ET_TEST_F(st, munmap_alone_makes_it_stale)
{
	ET_ASSERT(munmap(self->buf, ST_LEN) == 0, "munmap");
	expect_stale(self, "TO_DEV after munmap");
	self->buf = et_map(ST_LEN);	/* for the teardown's munmap */
}

ET_TEST_F(st, mremap_away_makes_it_stale)
{
	unsigned char *to = et_map(ST_LEN);

	ET_ASSERT(to, "out of memory");
	ET_ASSERT(mremap(self->buf, ST_LEN, ST_LEN,
			 MREMAP_MAYMOVE | MREMAP_FIXED, to) == to,
		  "mremap: %s", strerror(errno));
	ET_ASSERT(mmap(self->buf, ST_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		  self->buf, "mmap at the old address");
	expect_stale(self, "TO_DEV after mremap");
	munmap(to, ST_LEN);
}

ET_TEST_F(st, MADV_DONTNEED_of_one_page_in_the_middle_makes_it_stale)
{
	ET_ASSERT(madvise(self->buf + 7 * ET_PAGE, ET_PAGE, MADV_DONTNEED) == 0,
		  "madvise");
	expect_stale(self, "TO_DEV after MADV_DONTNEED of page 7");
}

ET_TEST_F(st, mprotect_read_only_and_back_leaves_it_live)
{
	ET_ASSERT(mprotect(self->buf, ST_LEN, PROT_READ) == 0, "mprotect");
	expect_live(self, "TO_DEV under PROT_READ");
	ET_ASSERT(mprotect(self->buf, ST_LEN, PROT_READ | PROT_WRITE) == 0,
		  "mprotect back");
	self->buf[5] ^= 0xff;	/* the program's write, seen by the device */
	expect_live(self, "TO_DEV after mprotect back and a write");
}

ET_TEST_F(st, mprotect_PROT_NONE_and_back_leaves_it_live)
{
	ET_ASSERT(mprotect(self->buf, ST_LEN, PROT_NONE) == 0, "mprotect");
	ET_EXPECT_ERRNO(et_to_dev(self->fd, self->h, 0, 0, 64), 0,
			"TO_DEV under PROT_NONE (the pages are still mapped)");
	st_expect_no_event(self->fd, "under PROT_NONE");
	ET_ASSERT(mprotect(self->buf, ST_LEN, PROT_READ | PROT_WRITE) == 0,
		  "mprotect back");
	expect_live(self, "TO_DEV after PROT_NONE and back");
}

ET_TEST_F(st, fork_leaves_the_parents_registration_live)
{
	unsigned char mine[64];
	pid_t pid;
	int status;

	pid = fork();
	ET_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		memset(self->buf, 0xc1, ST_LEN);	/* the child's copy */
		_exit(0);
	}
	ET_ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0, "child: %s", et_status_str(status));
	expect_live(self, "TO_DEV after fork and the child's writes");
	/* the device writes the parent's memory */
	memset(mine, 0x3c, sizeof(mine));
	ET_ASSERT_ERRNO(et_to_dev_ptr(self->fd, mine, 0, sizeof(mine)), 0,
			"one-shot TO_DEV");
	ET_EXPECT_ERRNO(et_from_dev(self->fd, self->h, 0, 0, sizeof(mine)), 0,
			"FROM_DEV into the registration");
	ET_EXPECT(!memcmp(self->buf, mine, sizeof(mine)),
		  "the parent's memory did not get the device's write");
}

ET_TEST_F(st, NO_STALE_keeps_the_old_pages_and_queues_nothing)
{
	unsigned char *m = et_map(ST_LEN), old[64];
	struct edudma_reg_mr r;

	ET_ASSERT(m, "out of memory");
	memset(m, 0x42, ST_LEN);
	memcpy(old, m, sizeof(old));
	ET_ASSERT_ERRNO(et_reg(self->fd, m, ST_LEN,
			       ET_RW | EDUDMA_REG_NO_STALE, &r), 0,
			"REG_MR NO_STALE");
	ET_ASSERT(!st_replace(m, ST_LEN), "munmap + mmap anew");
	ET_EXPECT_ERRNO(et_to_dev(self->fd, r.handle, 0, 0, sizeof(old)), 0,
			"TO_DEV from the NO_STALE registration");
	ET_EXPECT_ERRNO(et_from_dev_ptr(self->fd, m, 0, sizeof(old)), 0,
			"FROM_DEV into the new memory");
	ET_EXPECT(!memcmp(m, old, sizeof(old)),
		  "the device did not read the old pages");
	st_expect_no_event(self->fd, "NO_STALE after munmap + mmap");
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle), 0, "DEREG_MR");
	munmap(m, ST_LEN);
}

ET_TEST_F(st, an_on_demand_registration_is_never_stale)
{
	unsigned char *m = et_map(ST_LEN);
	struct edudma_reg_mr r;

	ET_ASSERT(m, "out of memory");
	ET_ASSERT_ERRNO(et_reg(self->fd, m, ST_LEN,
			       ET_RW | EDUDMA_REG_ON_DEMAND, &r), 0,
			"REG_MR ON_DEMAND");
	ET_ASSERT(!st_replace(m, ST_LEN), "munmap + mmap anew");
	et_fill(m, ST_LEN);
	ET_EXPECT_ERRNO(st_device_sees(self->fd, r.handle, m), 0,
			"TO_DEV from the on-demand registration reaches the new memory");
	st_expect_no_event(self->fd, "on demand after munmap + mmap");
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle), 0, "DEREG_MR");
	munmap(m, ST_LEN);
}

/*
 * A private file mapping, read-only: DEV_READ pins what it maps.  6.1
 * pins the page cache's page; made writable and written, the mapping gets
 * a page of its own (the copy-on-write break) and the registration's page
 * is not the program's any more: stale.  Newer kernels (6.2 on) break
 * copy-on-write at the long-term pin itself (gup_must_unshare()), so the
 * write reuses the pinned page and the registration stays live.  Which
 * one happened is read from the page tables (/proc/self/pagemap), and the
 * registration must agree with it.
 */
ET_TEST_F(st, a_copy_on_write_break_makes_it_stale_and_none_leaves_it)
{
	unsigned char page[ET_PAGE];
	struct edudma_reg_mr r;
	uint64_t pfn0, pfn1;
	unsigned char *m;
	int mfd;

	mfd = memfd_create("stale-cow", 0);
	ET_ASSERT(mfd >= 0, "memfd_create: %s", strerror(errno));
	memset(page, 0x5e, sizeof(page));
	ET_ASSERT(write(mfd, page, sizeof(page)) == (ssize_t)sizeof(page),
		  "write");
	m = mmap(NULL, ET_PAGE, PROT_READ, MAP_PRIVATE, mfd, 0);
	ET_ASSERT(m != MAP_FAILED, "mmap: %s", strerror(errno));
	ET_ASSERT_ERRNO(et_reg(self->fd, m, ET_PAGE, EDUDMA_ACCESS_DEV_READ,
			       &r), 0, "REG_MR DEV_READ of the read-only mapping");
	pfn0 = et_pfn(m);
	st_expect_no_event(self->fd, "before the write");
	ET_ASSERT(mprotect(m, ET_PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect");
	m[0] = 1;
	pfn1 = et_pfn(m);
	ET_ASSERT(pfn0 && pfn1, "no frame numbers in /proc/self/pagemap");
	if (pfn1 != pfn0) {
		ET_EXPECT_ERRNO(et_to_dev(self->fd, r.handle, 0, 0, 64), ESTALE,
				"TO_DEV after the copy-on-write break");
		st_expect_one_stale(self->fd, r.handle, m, ET_PAGE,
				    "copy-on-write");
	} else {
		et_note("the pin broke copy-on-write already: the write reused the pinned page");
		ET_EXPECT_ERRNO(st_device_sees(self->fd, r.handle, m), 0,
				"TO_DEV: the device sees the write");
		st_expect_no_event(self->fd, "no copy-on-write break");
	}
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle), 0, "DEREG_MR");
	munmap(m, ET_PAGE);
	close(mfd);
}

/* 2 MiB of THP, registered; one page made read-only splits the PMD. */
ET_TEST(a_THP_split_leaves_it_live)
{
	const size_t len = 2UL << 20;
	long long pins = et_pins();
	unsigned long long checks;
	struct edudma_reg_mr r;
	unsigned char *m;
	char old[64];
	long huge;
	int fd;

	if (et_thp_on(old, sizeof(old)))
		ET_SKIP("no transparent huge pages");
	fd = et_open(0, 0);
	m = et_map_aligned(len, len);
	ET_ASSERT(fd >= 0 && m, "open, map");
	madvise(m, len, MADV_HUGEPAGE);
	et_fill(m, len);
	huge = et_anon_huge_kb(m);
	if (huge < 2048) {
		et_thp_restore(old);
		ET_SKIP("no huge page came (AnonHugePages %ld kB)", huge);
	}
	ET_ASSERT_ERRNO(et_reg(fd, m, len, ET_RW, &r), 0, "REG_MR");
	checks = ST_STAT(fd, watch_checks);
	ET_ASSERT(mprotect(m + 9 * ET_PAGE, ET_PAGE, PROT_READ) == 0,
		  "mprotect of one page");
	ET_EXPECT(et_anon_huge_kb(m) < huge, "the huge page was not split");
	ET_EXPECT_ERRNO(st_device_sees(fd, r.handle, m), 0,
			"TO_DEV after the split");
	st_expect_no_event(fd, "after the split");
	ET_EXPECT(ST_STAT(fd, watch_checks) > checks,
		  "watch_checks did not move (%llu): no invalidation was seen",
		  checks);
	ET_EXPECT_ERRNO(et_dereg(fd, r.handle), 0, "DEREG_MR");
	close(fd);
	munmap(m, len);
	et_thp_restore(old);
	ET_EXPECT(et_pins_settle(pins, 2000) == pins, "pins not back");
}
