// SPDX-License-Identifier: GPL-2.0
/*
 * memlock: what registration may pin.  RLIMIT_MEMLOCK for a process
 * without CAP_IPC_LOCK (ENOMEM past it, counted over all its regions and
 * files, given back on dereg), root's exemption, and the per-file
 * max_regions and max_pinned_mb budgets (ENOSPC), set at runtime.
 */
#include <grp.h>
#include <sys/resource.h>

#include "edudma_test.h"

#define KiB 1024UL
#define CAP_IPC_LOCK_BIT 14	/* linux/capability.h: CAP_IPC_LOCK */

static const char *need_root_and_device(void)
{
	if (et_need_device())
		return et_need_device();
	if (getuid() != 0)
		return "needs root (to drop to uid 65534 and set parameters)";
	return NULL;
}

ET_PRECONDITION(need_root_and_device)

/* The effective capability set of this process (all ones: unreadable). */
static uint64_t cap_eff(void)
{
	return (uint64_t)et_proc_value("/proc/self/status", "CapEff:", 16);
}

static int set_memlock(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl) ? errno : 0;
}

static rlim_t memlock_limit(void)
{
	struct rlimit rl = { 0, 0 };

	getrlimit(RLIMIT_MEMLOCK, &rl);
	return rl.rlim_cur;
}

/* ---- an unprivileged process: RLIMIT_MEMLOCK -------------------------------- */

/*
 * The case's process drops to uid 65534 with RLIMIT_MEMLOCK 64 KiB and no
 * capabilities, after opening two files on the device.
 */
ET_FIXTURE(unpriv) {
	unsigned char *buf;	/* 256 KiB, filled */
	int f1, f2;
	uint32_t h[4];		/* on f1: 16, 16, 16 KiB and a 32 KiB try */
};

ET_SETUP(unpriv)
{
	self->buf = et_map(256 * KiB);
	ET_ASSERT(self->buf, "out of memory");
	et_fill(self->buf, 256 * KiB);
	self->f1 = et_open(0, 0);
	self->f2 = et_open(0, 0);
	ET_ASSERT(self->f1 >= 0 && self->f2 >= 0, "open: %s", strerror(errno));
	ET_ASSERT_ERRNO(set_memlock(64 * KiB), 0, "RLIMIT_MEMLOCK 64 KiB");
	ET_ASSERT_ERRNO(et_ret(setgroups(0, NULL)), 0, "setgroups()");
	ET_ASSERT_ERRNO(et_ret(setgid(65534)), 0, "setgid(65534)");
	ET_ASSERT_ERRNO(et_ret(setuid(65534)), 0, "setuid(65534)");
}

ET_TEARDOWN(unpriv)
{
	close(self->f1);
	close(self->f2);
	munmap(self->buf, 256 * KiB);
}

/* Registers n KiB at KiB offset at of buf on file f, read-write. */
static int reg_kib(struct et_fx_unpriv *self, int f, size_t at, size_t n,
		   uint32_t *h)
{
	return et_reg_rw(f, self->buf + at * KiB, n * KiB, h);
}

ET_TEST_F(unpriv, the_process_is_uid_65534_with_64_KiB_and_no_capabilities)
{
	ET_EXPECT(getuid() == 65534 && geteuid() == 65534,
		  "uid %d, euid %d, expected 65534", (int)getuid(),
		  (int)geteuid());
	ET_EXPECT(memlock_limit() == 64 * KiB,
		  "RLIMIT_MEMLOCK %llu bytes, expected 64 KiB",
		  (unsigned long long)memlock_limit());
	ET_EXPECT(cap_eff() == 0, "CapEff %#llx, expected 0",
		  (unsigned long long)cap_eff());
}

/* 16 KiB on f1 as h[0]: 0 or the errno */
static int reg_16_kib(struct et_fx_unpriv *self)
{
	return reg_kib(self, self->f1, 0, 16, &self->h[0]);
}

ET_TEST_F(unpriv, unprivileged_16_KiB_registers)
{
	ET_EXPECT_ERRNO(reg_16_kib(self), 0, "REG_MR of 16 KiB");
}

ET_TEST_F(unpriv, unprivileged_128_KiB_more_than_16_KiB_is_ENOMEM)
{
	ET_ASSERT_ERRNO(reg_16_kib(self), 0, "REG_MR of 16 KiB");
	ET_EXPECT_ERRNO(reg_kib(self, self->f1, 64, 128, &self->h[1]), ENOMEM,
			"REG_MR of 128 KiB more");
}

ET_TEST_F(unpriv, after_DEREG_MR_of_16_KiB_56_KiB_registers)
{
	ET_ASSERT_ERRNO(reg_16_kib(self), 0, "REG_MR of 16 KiB");
	ET_ASSERT_ERRNO(et_dereg(self->f1, self->h[0]), 0,
			"DEREG_MR of the 16 KiB");
	ET_EXPECT_ERRNO(reg_kib(self, self->f1, 64, 56, &self->h[1]), 0,
			"REG_MR of 56 KiB after it");
}

ET_TEST_F(unpriv, with_56_KiB_registered_16_KiB_more_is_ENOMEM)
{
	ET_ASSERT_ERRNO(reg_kib(self, self->f1, 64, 56, &self->h[1]), 0,
			"REG_MR of 56 KiB");
	ET_EXPECT_ERRNO(reg_16_kib(self), ENOMEM,
			"REG_MR of 16 KiB more (72 KiB in all)");
}

/* Three regions of 16 KiB on f1 (48 KiB of the 64). */
static void three_regions(struct et_fx_unpriv *self)
{
	for (int i = 0; i < 3; i++)
		ET_ASSERT_ERRNO(reg_kib(self, self->f1, i * 16, 16,
					&self->h[i]), 0,
				"REG_MR of a 16 KiB region");
}

ET_TEST_F(unpriv, three_regions_of_16_KiB_then_a_fourth_of_32_KiB_is_ENOMEM)
{
	three_regions(self);
	ET_EXPECT_ERRNO(reg_kib(self, self->f1, 128, 32, &self->h[3]), ENOMEM,
			"REG_MR of a fourth region of 32 KiB");
}

ET_TEST_F(unpriv, the_limit_counts_every_file_32_KiB_on_a_second_is_ENOMEM)
{
	uint32_t h;

	three_regions(self);
	ET_EXPECT_ERRNO(reg_kib(self, self->f2, 128, 32, &h), ENOMEM,
			"REG_MR of 32 KiB on the second file (48 KiB on the first)");
}

ET_TEST_F(unpriv, unprivileged_a_COPY_works_within_the_limit)
{
	unsigned char *want = malloc(64 * KiB);
	long bad;

	ET_ASSERT(want, "out of memory");
	three_regions(self);
	memcpy(want, self->buf, 64 * KiB);
	memcpy(want + 16 * KiB + 200, self->buf + 100, 3000);
	ET_ASSERT_ERRNO(et_copy(self->f1, self->h[0], 100, self->h[1], 200,
				3000), 0, "COPY of 3000 bytes");
	bad = et_diff(self->buf, want, 64 * KiB);
	ET_EXPECT(bad < 0, "byte %ld is 0x%02x, expected 0x%02x", bad,
		  bad < 0 ? 0 : self->buf[bad], bad < 0 ? 0 : want[bad]);
	free(want);
}

ET_TEST_F(unpriv, after_failures_and_deregs_60_KiB_registers_nothing_leaked)
{
	uint32_t h;

	ET_ASSERT_ERRNO(reg_16_kib(self), 0, "REG_MR of 16 KiB");
	ET_ASSERT_ERRNO(reg_kib(self, self->f1, 64, 128, &h), ENOMEM,
			"REG_MR of 128 KiB more");
	ET_ASSERT_ERRNO(et_dereg(self->f1, self->h[0]), 0, "DEREG_MR");
	three_regions(self);
	ET_ASSERT_ERRNO(reg_kib(self, self->f1, 128, 32, &h), ENOMEM,
			"REG_MR of a fourth region of 32 KiB");
	ET_ASSERT_ERRNO(reg_kib(self, self->f2, 128, 32, &h), ENOMEM,
			"REG_MR of 32 KiB on the second file");
	for (int i = 0; i < 3; i++)
		ET_ASSERT_ERRNO(et_dereg(self->f1, self->h[i]), 0, "DEREG_MR");
	ET_EXPECT_ERRNO(reg_kib(self, self->f2, 0, 60, &h), 0,
			"REG_MR of 60 KiB after the failures and deregs");
}

/* ---- root: CAP_IPC_LOCK ---------------------------------------------------- */

ET_FIXTURE(root) {
	unsigned char *buf;	/* 1 MiB, filled */
	int f;
};

ET_SETUP(root)
{
	self->buf = et_map(1 << 20);
	ET_ASSERT(self->buf, "out of memory");
	et_fill(self->buf, 1 << 20);
	self->f = et_open(0, 0);
	ET_ASSERT(self->f >= 0, "open: %s", strerror(errno));
	ET_ASSERT_ERRNO(set_memlock(64 * KiB), 0, "RLIMIT_MEMLOCK 64 KiB");
}

ET_TEARDOWN(root)
{
	close(self->f);
	munmap(self->buf, 1 << 20);
}

ET_TEST_F(root, root_has_CAP_IPC_LOCK_and_RLIMIT_MEMLOCK_64_KiB)
{
	ET_EXPECT(cap_eff() & (1ULL << CAP_IPC_LOCK_BIT),
		  "CapEff %#llx lacks CAP_IPC_LOCK",
		  (unsigned long long)cap_eff());
	ET_EXPECT(memlock_limit() == 64 * KiB,
		  "RLIMIT_MEMLOCK %llu bytes, expected 64 KiB",
		  (unsigned long long)memlock_limit());
}

ET_TEST_F(root, CAP_IPC_LOCK_is_exempt_1_MiB_registers)
{
	uint32_t h;

	ET_EXPECT_ERRNO(et_reg_rw(self->f, self->buf, 1 << 20, &h), 0,
			"REG_MR of 1 MiB with RLIMIT_MEMLOCK 64 KiB");
}

/* ---- the per-file budgets, module parameters ------------------------------- */

/* Two files and a parameter set for the case; teardown puts it back. */
struct budget {
	const char *param;
	long old;
	unsigned char *buf;
	size_t size;
	int f, g;
};

static void budget_setup(struct budget *b, const char *param, long val,
			 size_t size)
{
	b->param = param;
	b->old = -1;
	b->size = size;
	b->buf = et_map(size);
	ET_ASSERT(b->buf, "out of memory");
	et_fill(b->buf, size);
	b->f = et_open(0, 0);
	b->g = et_open(0, 0);
	ET_ASSERT(b->f >= 0 && b->g >= 0, "open: %s", strerror(errno));
	ET_ASSERT_ERRNO(et_param_get(param, &b->old), 0, param);
	ET_ASSERT_ERRNO(et_param_set(param, val), 0, param);
}

static void budget_teardown(struct budget *b)
{
	if (b->f >= 0)
		close(b->f);
	if (b->g >= 0)
		close(b->g);
	if (b->buf)
		munmap(b->buf, b->size);
	if (b->old > 0)
		ET_EXPECT_ERRNO(et_param_set(b->param, b->old), 0,
				"restoring the parameter");
}

static int budget_reg(struct budget *b, int f, size_t at, size_t len,
		      uint32_t *h)
{
	return et_reg_rw(f, b->buf + at, len, h);
}

ET_FIXTURE(regions) {
	struct budget b;
	uint32_t h[5];
};

ET_SETUP(regions)
{
	budget_setup(&self->b, "max_regions", 4, 64 * KiB);
}

ET_TEARDOWN(regions)
{
	budget_teardown(&self->b);
}

/* The file f holds 4 regions of 8 KiB. */
static void four_regions(struct et_fx_regions *self)
{
	for (int i = 0; i < 4; i++)
		ET_ASSERT_ERRNO(budget_reg(&self->b, self->b.f, i * 8 * KiB,
					   8 * KiB, &self->h[i]), 0,
				"REG_MR of one of 4 regions");
}

ET_TEST_F(regions, max_regions_is_set_to_4_at_runtime)
{
	long v = -1;

	ET_EXPECT_ERRNO(et_param_get("max_regions", &v), 0, "max_regions");
	ET_EXPECT(v == 4, "max_regions reads %ld after setting 4 (was %ld)", v,
		  self->b.old);
}

ET_TEST_F(regions, max_regions_4_the_fifth_region_is_ENOSPC)
{
	four_regions(self);
	ET_EXPECT_ERRNO(budget_reg(&self->b, self->b.f, 40 * KiB, 8 * KiB,
				   &self->h[4]), ENOSPC, "REG_MR of a fifth");
}

ET_TEST_F(regions, max_regions_is_per_file_another_file_registers)
{
	uint32_t h;

	four_regions(self);
	ET_EXPECT_ERRNO(budget_reg(&self->b, self->b.g, 0, 8 * KiB, &h), 0,
			"REG_MR on another file (4 regions on the first)");
}

ET_TEST_F(regions, max_regions_after_one_DEREG_MR_the_file_registers_again)
{
	four_regions(self);
	ET_ASSERT_ERRNO(budget_reg(&self->b, self->b.f, 40 * KiB, 8 * KiB,
				   &self->h[4]), ENOSPC, "REG_MR of a fifth");
	ET_ASSERT_ERRNO(et_dereg(self->b.f, self->h[0]), 0, "DEREG_MR");
	ET_EXPECT_ERRNO(budget_reg(&self->b, self->b.f, 40 * KiB, 8 * KiB,
				   &self->h[4]), 0, "REG_MR after one DEREG_MR");
}

ET_FIXTURE(pinned) {
	struct budget b;
	uint32_t h1, h2, h3;
};

ET_SETUP(pinned)
{
	budget_setup(&self->b, "max_pinned_mb", 1, 2 << 20);
}

ET_TEARDOWN(pinned)
{
	budget_teardown(&self->b);
}

ET_TEST_F(pinned, max_pinned_mb_is_set_to_1_at_runtime)
{
	long v = -1;

	ET_EXPECT_ERRNO(et_param_get("max_pinned_mb", &v), 0, "max_pinned_mb");
	ET_EXPECT(v == 1, "max_pinned_mb reads %ld after setting 1 (was %ld)",
		  v, self->b.old);
}

ET_TEST_F(pinned, max_pinned_mb_1_512_KiB_then_768_KiB_more_is_ENOSPC)
{
	ET_ASSERT_ERRNO(budget_reg(&self->b, self->b.f, 0, 512 * KiB,
				   &self->h1), 0, "REG_MR of 512 KiB");
	ET_EXPECT_ERRNO(budget_reg(&self->b, self->b.f, 512 * KiB, 768 * KiB,
				   &self->h2), ENOSPC, "REG_MR of 768 KiB more");
}

ET_TEST_F(pinned, max_pinned_mb_1_then_256_KiB_more_registers)
{
	ET_ASSERT_ERRNO(budget_reg(&self->b, self->b.f, 0, 512 * KiB,
				   &self->h1), 0, "REG_MR of 512 KiB");
	ET_ASSERT_ERRNO(budget_reg(&self->b, self->b.f, 512 * KiB, 768 * KiB,
				   &self->h2), ENOSPC, "REG_MR of 768 KiB more");
	ET_EXPECT_ERRNO(budget_reg(&self->b, self->b.f, 512 * KiB, 256 * KiB,
				   &self->h3), 0,
			"REG_MR of 256 KiB more (768 KiB in all)");
}

ET_TEST_F(pinned, max_pinned_mb_is_per_file_another_file_registers_768_KiB)
{
	uint32_t h;

	ET_ASSERT_ERRNO(budget_reg(&self->b, self->b.f, 0, 512 * KiB,
				   &self->h1), 0, "REG_MR of 512 KiB");
	ET_ASSERT_ERRNO(budget_reg(&self->b, self->b.f, 512 * KiB, 256 * KiB,
				   &self->h3), 0, "REG_MR of 256 KiB more");
	ET_EXPECT_ERRNO(budget_reg(&self->b, self->b.g, 1024 * KiB, 768 * KiB,
				   &h), 0,
			"REG_MR of 768 KiB on another file (768 KiB on the first)");
}
