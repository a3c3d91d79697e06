// SPDX-License-Identifier: GPL-2.0
/*
 * odp: on-demand registrations (EDUDMA_REG_ON_DEMAND) as uapi.md promises
 * them: nothing pinned or charged, ranges that need not be mapped or fit
 * in memory, DMA that follows the address space (memory mapped anew at an
 * address is the registration's), EFAULT with the completion's bytes at
 * the bad page, device writes that reach the program's own pages (never
 * the zero page, never a child's after fork), huge pages mapped whole,
 * EDUDMA_PREFETCH, and the odp_* counters.  Every transfer is verified
 * byte for byte.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "edudma_test.h"

#define KiB 1024UL
#define MiB (1024 * KiB)
#define ODP (EDUDMA_REG_ON_DEMAND | ET_RW)

ET_PRECONDITION(et_need_device)

/* Registers [addr, addr + len) on demand with flags; the handle in *h. */
static int reg_odp(int fd, const void *addr, uint64_t len, uint32_t flags,
		   uint32_t *h)
{
	struct edudma_reg_mr r;
	int e = et_reg(fd, addr, len, flags, &r);

	if (!e)
		*h = r.handle;
	return e;
}

static int prefetch(int fd, uint32_t h, uint64_t off, uint64_t len,
		    uint32_t flags, uint64_t *bytes)
{
	struct edudma_prefetch p = {
		.argsz = sizeof(p), .flags = flags, .handle = h,
		.offset = off, .length = len,
	};
	int e = ioctl(fd, EDUDMA_PREFETCH, &p) ? errno : 0;

	if (bytes)
		*bytes = p.bytes;
	return e;
}

/* One async transfer and its completion. */
static int xfer_wait(int fd, struct edudma_xfer *x,
		     struct edudma_completion *c)
{
	int e, got;

	x->flags |= EDUDMA_XFER_ASYNC;
	x->cookie = 77;
	e = et_xfer(fd, x);
	if (e)
		return e;
	e = et_read_completions(fd, c, 1, &got);
	return e ? e : got == 1 ? 0 : EIO;
}

static uint64_t stat_of(int fd, size_t field_off)
{
	struct edudma_stats st;

	if (et_stats(fd, &st))
		return UINT64_MAX;
	return *(uint64_t *)((char *)&st + field_off);
}

#define STAT(fd, name) stat_of(fd, offsetof(struct edudma_stats, name))

/* A fixture: a device file and 64 KiB of anonymous memory never touched. */
ET_FIXTURE(fresh) {
	int fd;
	unsigned char *buf;
	uint32_t h;
};

ET_SETUP(fresh)
{
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	self->buf = et_map(64 * KiB);
	ET_ASSERT(self->buf, "out of memory");
	ET_ASSERT_ERRNO(reg_odp(self->fd, self->buf, 64 * KiB, ODP, &self->h),
			0, "REG_MR on demand, 64 KiB never touched");
}

ET_TEARDOWN(fresh)
{
	close(self->fd);
	munmap(self->buf, 64 * KiB);
}

ET_TEST(registration_pins_nothing_and_charges_nothing)
{
	struct rlimit old, zero = { 0, 0 };
	long long pins = et_pins_acquired();
	struct edudma_reg_mr r;
	unsigned char *buf = et_map(1 * MiB);
	int fd = et_open(0, 0);
	int e;

	ET_ASSERT(fd >= 0 && buf, "setup");
	memset(buf, 0x5a, 1 * MiB);
	getrlimit(RLIMIT_MEMLOCK, &old);
	/* a soft limit of 0: any charge would be refused (no CAP_IPC_LOCK) */
	zero.rlim_max = old.rlim_max;
	setrlimit(RLIMIT_MEMLOCK, &zero);
	e = et_reg(fd, buf, 1 * MiB, ODP, &r);
	setrlimit(RLIMIT_MEMLOCK, &old);
	ET_ASSERT_ERRNO(e, 0, "REG_MR on demand of 1 MiB with RLIMIT_MEMLOCK 0");
	ET_EXPECT(r.nr_pages == 0 && r.nr_segments == 0,
		  "nr_pages %llu, nr_segments %u: want 0 and 0",
		  (unsigned long long)r.nr_pages, r.nr_segments);
	ET_EXPECT_ERRNO(et_to_dev(fd, r.handle, 100, 0, 3000), 0,
			"TO_DEV of 3000 bytes from it");
	ET_EXPECT(et_pins_acquired() == pins,
		  "nr_foll_pin_acquired moved by %lld",
		  et_pins_acquired() - pins);
	ET_EXPECT(et_proc_value("/proc/self/status", "VmPin:", 10) == 0,
		  "VmPin is %lld kB",
		  et_proc_value("/proc/self/status", "VmPin:", 10));
	ET_EXPECT(STAT(fd, pinned_pages) == 0, "pinned_pages %llu",
		  (unsigned long long)STAT(fd, pinned_pages));
	close(fd);
	munmap(buf, 1 * MiB);
}

ET_TEST(a_range_larger_than_memory_and_not_mapped_registers)
{
	const uint64_t len = 64ULL << 30;	/* 64 GiB, in a small guest */
	int fd = et_open(0, 0);
	unsigned char *va;
	uint32_t h;

	ET_ASSERT(fd >= 0, "open");
	va = mmap(NULL, len, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ET_ASSERT(va != MAP_FAILED, "reserve 64 GiB: %s", strerror(errno));
	ET_ASSERT_ERRNO(reg_odp(fd, va, len, ODP, &h), 0,
			"REG_MR on demand of 64 GiB of PROT_NONE");
	ET_EXPECT_ERRNO(et_from_dev(fd, h, 40ULL << 30, 0, 100), EFAULT,
			"FROM_DEV into PROT_NONE at 40 GiB");
	/* a page made accessible at 40 GiB is reached */
	ET_ASSERT(!mprotect(va + (40ULL << 30), ET_PAGE, PROT_READ | PROT_WRITE),
		  "mprotect: %s", strerror(errno));
	memset(va + (40ULL << 30), 0x11, ET_PAGE);
	ET_ASSERT_ERRNO(et_to_dev_ptr(fd, "0123456789", 0, 10), 0, "load");
	ET_EXPECT_ERRNO(et_from_dev(fd, h, (40ULL << 30) + 8, 0, 10), 0,
			"FROM_DEV of 10 bytes at 40 GiB + 8");
	ET_EXPECT(!memcmp(va + (40ULL << 30) + 8, "0123456789", 10),
		  "the bytes at 40 GiB + 8 are not the device's");
	ET_EXPECT(va[(40ULL << 30) + 7] == 0x11 && va[(40ULL << 30) + 18] == 0x11,
		  "bytes around the destination changed");
	ET_EXPECT_ERRNO(et_dereg(fd, h), 0, "DEREG_MR");
	close(fd);
	munmap(va, len);
}

ET_TEST(past_the_user_address_space_is_EFAULT)
{
	int fd = et_open(0, 0);
	struct edudma_reg_mr r;

	ET_ASSERT(fd >= 0, "open");
	ET_EXPECT_ERRNO(et_reg(fd, (void *)(0x7fffffffe000ULL), 64 * KiB, ODP,
			       &r), EFAULT,
			"REG_MR on demand across the end of user space");
	close(fd);
}

ET_TEST_F(fresh, device_writes_reach_never_touched_memory)
{
	unsigned char src[3000];

	et_fill(src, sizeof(src));
	ET_ASSERT_ERRNO(et_to_dev_ptr(self->fd, src, 0, sizeof(src)), 0,
			"load the device buffer");
	ET_ASSERT_ERRNO(et_from_dev(self->fd, self->h, 5000, 0, sizeof(src)),
			0, "FROM_DEV into the untouched registration");
	ET_EXPECT(et_diff(self->buf + 5000, src, sizeof(src)) < 0,
		  "the program does not see the device's bytes (at %ld)",
		  et_diff(self->buf + 5000, src, sizeof(src)));
}

ET_TEST_F(fresh, device_reads_of_untouched_memory_see_zeros_then_the_programs_bytes)
{
	unsigned char got[2000], want[2000];

	ET_ASSERT_ERRNO(et_to_dev(self->fd, self->h, 0, 0, sizeof(got)), 0,
			"TO_DEV from untouched memory (the zero page)");
	ET_ASSERT_ERRNO(et_from_dev_ptr(self->fd, got, 0, sizeof(got)), 0,
			"read back");
	memset(want, 0, sizeof(want));
	ET_EXPECT(!memcmp(got, want, sizeof(got)), "not zeros");
	et_fill(self->buf, sizeof(want));	/* copy-on-write of the zero page */
	memcpy(want, self->buf, sizeof(want));
	ET_ASSERT_ERRNO(et_to_dev(self->fd, self->h, 0, 0, sizeof(got)), 0,
			"TO_DEV after the program wrote");
	ET_ASSERT_ERRNO(et_from_dev_ptr(self->fd, got, 0, sizeof(got)), 0,
			"read back");
	ET_EXPECT(et_diff(got, want, sizeof(got)) < 0,
		  "the device read stale bytes (the zero page) at %ld",
		  et_diff(got, want, sizeof(got)));
}

ET_TEST_F(fresh, copy_within_the_registration_is_right)
{
	et_fill(self->buf, 32 * KiB);
	ET_ASSERT_ERRNO(et_copy(self->fd, self->h, 0, self->h, 32 * KiB,
				32 * KiB), 0, "COPY of 32 KiB");
	ET_EXPECT(et_diff(self->buf + 32 * KiB, self->buf, 32 * KiB) < 0,
		  "destination differs at %ld",
		  et_diff(self->buf + 32 * KiB, self->buf, 32 * KiB));
}

ET_TEST_F(fresh, copy_between_pinned_and_on_demand_both_ways)
{
	unsigned char *pin = et_map(64 * KiB);
	uint32_t hp;

	ET_ASSERT(pin, "out of memory");
	et_fill(pin, 64 * KiB);
	ET_ASSERT_ERRNO(et_reg_rw(self->fd, pin, 64 * KiB, &hp), 0,
			"REG_MR pinned");
	ET_ASSERT_ERRNO(et_copy(self->fd, hp, 1, self->h, 3, 20000), 0,
			"COPY pinned -> on demand");
	ET_EXPECT(et_diff(self->buf + 3, pin + 1, 20000) < 0,
		  "on-demand destination differs at %ld",
		  et_diff(self->buf + 3, pin + 1, 20000));
	et_fill(self->buf + 30000, 20000);
	ET_ASSERT_ERRNO(et_copy(self->fd, self->h, 30000, hp, 40000, 20000), 0,
			"COPY on demand -> pinned");
	ET_EXPECT(et_diff(pin + 40000, self->buf + 30000, 20000) < 0,
		  "pinned destination differs at %ld",
		  et_diff(pin + 40000, self->buf + 30000, 20000));
	ET_EXPECT_ERRNO(et_dereg(self->fd, hp), 0, "DEREG_MR pinned");
	munmap(pin, 64 * KiB);
}

/* munmap, then new memory at the same address: the device reaches it. */
ET_TEST_F(fresh, memory_mapped_anew_at_the_address_is_the_registrations)
{
	unsigned char got[1000], want[1000];
	void *again;

	et_fill(self->buf, 4 * ET_PAGE);
	ET_ASSERT_ERRNO(et_to_dev(self->fd, self->h, 0, 0, sizeof(got)), 0,
			"TO_DEV before");
	ET_ASSERT(!munmap(self->buf, 4 * ET_PAGE), "munmap");
	again = mmap(self->buf, 4 * ET_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ET_ASSERT(again == self->buf, "mmap at the same address: %s",
		  strerror(errno));
	et_fill(self->buf, 4 * ET_PAGE);
	memcpy(want, self->buf + 100, sizeof(want));
	ET_ASSERT_ERRNO(et_to_dev(self->fd, self->h, 100, 0, sizeof(got)), 0,
			"TO_DEV after munmap and mmap");
	ET_ASSERT_ERRNO(et_from_dev_ptr(self->fd, got, 0, sizeof(got)), 0,
			"read back");
	ET_EXPECT(et_diff(got, want, sizeof(got)) < 0,
		  "the device read the old memory (differs at %ld)",
		  et_diff(got, want, sizeof(got)));
	ET_EXPECT(STAT(self->fd, odp_invalidations) > 0,
		  "munmap of mapped pages counted no invalidation");
}

/* An unmapped page in the middle: EFAULT where it begins, nothing past. */
ET_TEST_F(fresh, a_hole_ends_a_copy_with_EFAULT_at_the_holes_first_byte)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .src_handle = self->h, .src = 100,
		.dst_handle = self->h, .dst = 8 * ET_PAGE, .length = 5 * ET_PAGE,
	};
	struct edudma_completion c;
	uint64_t hole = 3 * ET_PAGE;	/* source page 3 is gone */
	unsigned char keep[2 * ET_PAGE + 100];

	et_fill(self->buf, 16 * ET_PAGE);
	memcpy(keep, self->buf + 8 * ET_PAGE + hole - 100, sizeof(keep));
	ET_ASSERT(!munmap(self->buf + hole, ET_PAGE), "munmap");
	ET_ASSERT_ERRNO(xfer_wait(self->fd, &x, &c), 0, "async COPY");
	ET_EXPECT(c.status == -EFAULT, "status %d (%s), want -EFAULT",
		  c.status, strerror(-c.status));
	ET_EXPECT(c.bytes == hole - 100, "bytes %llu, want %llu",
		  (unsigned long long)c.bytes,
		  (unsigned long long)(hole - 100));
	ET_EXPECT(et_diff(self->buf + 8 * ET_PAGE, self->buf + 100,
			  hole - 100) < 0, "the bytes before the hole differ");
	ET_EXPECT(et_diff(self->buf + 8 * ET_PAGE + hole - 100, keep,
			  sizeof(keep)) < 0,
		  "the destination past bytes was written (at %ld)",
		  et_diff(self->buf + 8 * ET_PAGE + hole - 100, keep,
			  sizeof(keep)));
	x.flags = 0;
	ET_EXPECT_ERRNO(et_xfer(self->fd, &x), EFAULT, "the same COPY, sync");
}

ET_TEST_F(fresh, nothing_past_a_bad_destination_page_is_written)
{
	unsigned char keep[ET_PAGE];
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .src_handle = self->h, .src = 0,
		.dst_handle = self->h, .dst = 8 * ET_PAGE + 10,
		.length = 4 * ET_PAGE,
	};
	struct edudma_completion c;

	et_fill(self->buf, 16 * ET_PAGE);
	memcpy(keep, self->buf + 11 * ET_PAGE, ET_PAGE);
	/* destination page 10 read-only: the device may not write it */
	ET_ASSERT(!mprotect(self->buf + 10 * ET_PAGE, ET_PAGE, PROT_READ),
		  "mprotect");
	ET_ASSERT_ERRNO(xfer_wait(self->fd, &x, &c), 0, "async COPY");
	ET_EXPECT(c.status == -EFAULT, "status %d, want -EFAULT", c.status);
	ET_EXPECT(c.bytes == 2 * ET_PAGE - 10, "bytes %llu, want %lu",
		  (unsigned long long)c.bytes, 2 * ET_PAGE - 10);
	ET_EXPECT(et_diff(self->buf + 8 * ET_PAGE + 10, self->buf,
			  2 * ET_PAGE - 10) < 0, "bytes before it differ");
	ET_EXPECT(et_diff(self->buf + 11 * ET_PAGE, keep, ET_PAGE) < 0,
		  "the page after the read-only one was written");
}

ET_TEST_F(fresh, a_device_write_into_read_only_memory_is_EFAULT)
{
	ET_ASSERT(!mprotect(self->buf, 64 * KiB, PROT_READ), "mprotect");
	ET_EXPECT_ERRNO(et_from_dev(self->fd, self->h, 0, 0, 100), EFAULT,
			"FROM_DEV into PROT_READ");
	ET_EXPECT_ERRNO(et_to_dev(self->fd, self->h, 0, 0, 100), 0,
			"TO_DEV from PROT_READ");
}

ET_TEST_F(fresh, prefetch_maps_ahead_and_says_how_much)
{
	uint64_t before = STAT(self->fd, odp_pages_mapped), bytes = 0;
	uint64_t faults;

	ET_ASSERT_ERRNO(prefetch(self->fd, self->h, 0, 64 * KiB,
				 EDUDMA_PREFETCH_WRITE, &bytes), 0,
			"PREFETCH_WRITE of 64 KiB");
	ET_EXPECT(bytes == 64 * KiB, "bytes %llu", (unsigned long long)bytes);
	ET_EXPECT(STAT(self->fd, odp_pages_mapped) >= before + 16,
		  "odp_pages_mapped %llu, was %llu",
		  (unsigned long long)STAT(self->fd, odp_pages_mapped),
		  (unsigned long long)before);
	faults = STAT(self->fd, odp_faults);
	ET_EXPECT_ERRNO(et_from_dev(self->fd, self->h, 0, 0, 4000), 0,
			"FROM_DEV after it");
	ET_EXPECT(STAT(self->fd, odp_faults) == faults,
		  "the transfer faulted although prefetched");
}

ET_TEST_F(fresh, prefetch_of_a_hole_is_EFAULT_with_the_bytes_before_it)
{
	uint64_t bytes = 0;

	ET_ASSERT(!munmap(self->buf + 5 * ET_PAGE, ET_PAGE), "munmap");
	ET_EXPECT_ERRNO(prefetch(self->fd, self->h, 100, 64 * KiB - 100, 0,
				 &bytes), EFAULT, "PREFETCH over the hole");
	ET_EXPECT(bytes == 5 * ET_PAGE - 100, "bytes %llu, want %lu",
		  (unsigned long long)bytes, 5 * ET_PAGE - 100);
}

ET_TEST_F(fresh, prefetch_refuses_what_uapi_md_names)
{
	struct edudma_prefetch p = {
		.argsz = sizeof(p), .handle = self->h, .length = ET_PAGE,
	};
	unsigned char *pin = et_map(ET_PAGE);
	uint32_t hp, hr;

	ET_ASSERT(pin, "out of memory");
	ET_ASSERT_ERRNO(et_reg_rw(self->fd, pin, ET_PAGE, &hp), 0, "pinned");
	ET_EXPECT_ERRNO(prefetch(self->fd, hp, 0, ET_PAGE, 0, NULL), EINVAL,
			"PREFETCH of a pinned registration");
	ET_EXPECT_ERRNO(prefetch(self->fd, self->h + 100, 0, ET_PAGE, 0, NULL),
			ENOENT, "PREFETCH of an unknown handle");
	ET_EXPECT_ERRNO(prefetch(self->fd, self->h, 0, 0, 0, NULL), EINVAL,
			"PREFETCH of 0 bytes");
	ET_EXPECT_ERRNO(prefetch(self->fd, self->h, 60 * KiB, 8 * KiB, 0,
				 NULL), EINVAL, "PREFETCH past the end");
	ET_EXPECT_ERRNO(prefetch(self->fd, self->h, 0, ET_PAGE, 2, NULL),
			EINVAL, "PREFETCH with an unknown flag");
	p.reserved = 1;
	ET_EXPECT_ERRNO(ioctl(self->fd, EDUDMA_PREFETCH, &p) ? errno : 0,
			EINVAL, "PREFETCH with reserved set");
	ET_ASSERT_ERRNO(reg_odp(self->fd, self->buf, ET_PAGE,
				EDUDMA_REG_ON_DEMAND | EDUDMA_ACCESS_DEV_READ,
				&hr), 0, "on demand, DEV_READ only");
	ET_EXPECT_ERRNO(prefetch(self->fd, hr, 0, ET_PAGE,
				 EDUDMA_PREFETCH_WRITE, NULL), EACCES,
			"PREFETCH_WRITE without DEV_WRITE");
	ET_EXPECT_ERRNO(prefetch(self->fd, hr, 0, ET_PAGE, 0, NULL), 0,
			"PREFETCH for reads of it");
	munmap(pin, ET_PAGE);
}

ET_TEST(a_transparent_huge_page_maps_whole)
{
	unsigned char *buf = et_map_aligned(2 * MiB, 2 * MiB);
	int fd = et_open(0, 0);
	uint64_t before;
	char old[32];
	uint32_t h;
	long kb;

	ET_ASSERT(fd >= 0 && buf, "setup");
	if (et_thp_on(old, sizeof(old)))
		ET_SKIP("transparent hugepages are off and cannot be turned on");
	madvise(buf, 2 * MiB, MADV_HUGEPAGE);
	memset(buf, 0x3c, 2 * MiB);
	kb = et_anon_huge_kb(buf);
	et_thp_restore(old);
	if (kb < 2048)
		ET_SKIP("the kernel gave no huge page (AnonHugePages %ld kB)", kb);
	ET_ASSERT_ERRNO(reg_odp(fd, buf, 2 * MiB, ODP, &h), 0, "REG_MR");
	before = STAT(fd, odp_pages_mapped);
	ET_ASSERT_ERRNO(et_to_dev(fd, h, 1 * MiB, 0, 100), 0,
			"TO_DEV of 100 bytes from its middle");
	ET_EXPECT(STAT(fd, odp_pages_mapped) - before == 512,
		  "%llu pages mapped for it, want 512 (one huge page)",
		  (unsigned long long)(STAT(fd, odp_pages_mapped) - before));
	et_fill(buf, 2 * MiB);
	ET_EXPECT_ERRNO(et_copy(fd, h, 0, h, 1 * MiB, 1 * MiB), 0,
			"COPY of 1 MiB inside it");
	ET_EXPECT(et_diff(buf + 1 * MiB, buf, 1 * MiB) < 0, "differs at %ld",
		  et_diff(buf + 1 * MiB, buf, 1 * MiB));
	close(fd);
	munmap(buf, 2 * MiB);
}

/* After fork the parent's pages are copy-on-write: the device writes the
 * parent's, and the child keeps its own. */
ET_TEST_F(fresh, after_fork_device_writes_go_to_the_parent_never_the_child)
{
	unsigned char dev[3000];
	int p[2], status;
	char verdict = '?';
	pid_t pid;

	memset(self->buf, 0xaa, 64 * KiB);
	ET_ASSERT_ERRNO(et_from_dev(self->fd, self->h, 0, 0, 100), 0,
			"a device write before fork (pages mapped writable)");
	memset(self->buf, 0xaa, 64 * KiB);
	ET_ASSERT(!pipe(p), "pipe");
	pid = fork();
	ET_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		char go;

		close(p[1]);
		if (read(p[0], &go, 1) != 1)
			_exit(2);
		for (size_t i = 0; i < 64 * KiB; i++)
			if (self->buf[i] != 0xaa)
				_exit(1);
		_exit(0);
	}
	close(p[0]);
	et_fill(dev, sizeof(dev));
	ET_ASSERT_ERRNO(et_to_dev_ptr(self->fd, dev, 0, sizeof(dev)), 0, "load");
	ET_EXPECT_ERRNO(et_from_dev(self->fd, self->h, 200, 0, sizeof(dev)), 0,
			"FROM_DEV in the parent after fork");
	ET_EXPECT(et_diff(self->buf + 200, dev, sizeof(dev)) < 0,
		  "the parent does not see the device's bytes");
	if (write(p[1], "g", 1) != 1)
		verdict = 'w';
	close(p[1]);
	waitpid(pid, &status, 0);
	ET_EXPECT(verdict == '?' && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0,
		  "the child's memory changed (%s)", et_status_str(status));
}

ET_TEST_F(fresh, deregistration_unmaps_everything)
{
	uint64_t before = STAT(self->fd, odp_pages_mapped);

	ET_ASSERT_ERRNO(prefetch(self->fd, self->h, 0, 64 * KiB,
				 EDUDMA_PREFETCH_WRITE, NULL), 0, "PREFETCH");
	ET_EXPECT(STAT(self->fd, odp_pages_mapped) == before + 16,
		  "odp_pages_mapped %llu after PREFETCH of 16 pages, was %llu",
		  (unsigned long long)STAT(self->fd, odp_pages_mapped),
		  (unsigned long long)before);
	ET_EXPECT_ERRNO(et_dereg(self->fd, self->h), 0, "DEREG_MR");
	ET_EXPECT(STAT(self->fd, odp_pages_mapped) == before,
		  "odp_pages_mapped %llu after DEREG_MR, was %llu",
		  (unsigned long long)STAT(self->fd, odp_pages_mapped),
		  (unsigned long long)before);
}
