// SPDX-License-Identifier: GPL-2.0
/*
 * reg_args: what EDUDMA_REG_MR and EDUDMA_DEREG_MR refuse.  Access checks
 * against the mapping (read-only, PROT_NONE, unmapped, a range that ends
 * in a hole, whose pages pinned before the hole go back), argument errors
 * (length, overflow, flags, argsz and its tail), and DEREG_MR's errors,
 * after which the handle still works.
 */
#include "reg.h"

ET_PRECONDITION(et_need_device)

/* ---- access against the mapping ------------------------------------------ */

#define LEN_ACCESS 16384UL

/* A file and 16 KiB of filled memory (the argument cases use a page). */
ET_FIXTURE(mem) {
	int fd;
	char *buf;
	int unmapped;
};

ET_SETUP(mem)
{
	self->fd = reg_open();
	self->buf = reg_buffer(LEN_ACCESS);
	self->unmapped = 0;
}

ET_TEARDOWN(mem)
{
	close(self->fd);
	if (!self->unmapped)
		munmap(self->buf, LEN_ACCESS);
}

/* What becomes of the 16 KiB before REG_MR. */
enum backing { READ_ONLY, NO_ACCESS, UNMAPPED };

struct access_row {
	const char *name;
	enum backing backing;
	uint32_t flags;		/* of REG_MR */
	int want;		/* its errno */
};

static const struct access_row accesses[] = {
	{ .name = "read_only_mapping_DEV_READ_registers",
	  .backing = READ_ONLY, .flags = EDUDMA_ACCESS_DEV_READ, .want = 0 },
	{ .name = "read_only_mapping_DEV_WRITE_EFAULT",
	  .backing = READ_ONLY, .flags = EDUDMA_ACCESS_DEV_WRITE,
	  .want = EFAULT },
	{ .name = "read_only_mapping_DEV_READ_DEV_WRITE_EFAULT",
	  .backing = READ_ONLY, .flags = ET_RW, .want = EFAULT },
	{ .name = "PROT_NONE_mapping_DEV_READ_EFAULT",
	  .backing = NO_ACCESS, .flags = EDUDMA_ACCESS_DEV_READ,
	  .want = EFAULT },
	{ .name = "unmapped_range_EFAULT",
	  .backing = UNMAPPED, .flags = EDUDMA_ACCESS_DEV_READ,
	  .want = EFAULT },
};

ET_TABLE_F(mem, access, struct access_row, accesses)
{
	struct edudma_reg_mr r;
	int e;

	switch (row->backing) {
	case READ_ONLY:
		ET_ASSERT(!mprotect(self->buf, LEN_ACCESS, PROT_READ),
			  "mprotect PROT_READ: %s", strerror(errno));
		break;
	case NO_ACCESS:
		ET_ASSERT(!mprotect(self->buf, LEN_ACCESS, PROT_NONE),
			  "mprotect PROT_NONE: %s", strerror(errno));
		break;
	case UNMAPPED:
		munmap(self->buf, LEN_ACCESS);
		self->unmapped = 1;
		break;
	}
	e = et_reg(self->fd, self->buf, LEN_ACCESS, row->flags, &r);
	ET_EXPECT_ERRNO(e, row->want, "REG_MR");
	if (!e)
		et_dereg(self->fd, r.handle);
}

/* Mapped, mapped, hole: REG_MR of a range from the first page into the hole. */
ET_FIXTURE(hole) {
	int fd;
	char *buf;
	long long pins;		/* before REG_MR */
	struct edudma_reg_mr r;
	int err;		/* of REG_MR */
};

ET_SETUP(hole)
{
	self->fd = reg_open();
	self->buf = et_map(3 * ET_PAGE);
	ET_ASSERT(self->buf, "mmap of 3 pages: out of memory");
	et_fill(self->buf, 2 * ET_PAGE);
	munmap(self->buf + 2 * ET_PAGE, ET_PAGE);
	self->pins = et_pins();
	self->err = et_reg(self->fd, self->buf + 100, 3 * ET_PAGE - 200, ET_RW,
			   &self->r);
}

ET_TEARDOWN(hole)
{
	if (!self->err)
		et_dereg(self->fd, self->r.handle);
	close(self->fd);
	munmap(self->buf, 2 * ET_PAGE);
}

ET_TEST_F(hole, range_that_ends_in_a_hole_EFAULT)
{
	ET_EXPECT_ERRNO(self->err, EFAULT,
			"REG_MR of a range ending in a hole");
}

ET_TEST_F(hole, pages_pinned_before_the_hole_are_unpinned)
{
	long long v = et_pins_settle(self->pins, 2000);

	ET_EXPECT(v == self->pins,
		  "pin counter %+lld after the failed REG_MR (%s), expected 0",
		  v - self->pins, et_errno_name(self->err));
}

/* ---- argument errors ----------------------------------------------------- */

struct reg_arg_row {
	const char *name;
	uint64_t addr;		/* 0: the fixture's memory */
	uint64_t len;
	uint32_t flags;
};

static const struct reg_arg_row reg_args[] = {
	{ .name = "length_0_EINVAL", .len = 0, .flags = ET_RW },
	{ .name = "addr_plus_length_overflows_EINVAL", .addr = ~0ULL - 100,
	  .len = 4096, .flags = ET_RW },
	{ .name = "no_access_flag_EINVAL", .len = ET_PAGE, .flags = 0 },
	{ .name = "unknown_flag_bit_4_EINVAL", .len = ET_PAGE,
	  .flags = ET_RW | 16 },	/* bits 2, 3: ON_DEMAND, NO_STALE */
	{ .name = "unknown_flag_bit_31_EINVAL", .len = ET_PAGE,
	  .flags = ET_RW | 0x80000000u },
};

ET_TABLE_F(mem, reg_arg, struct reg_arg_row, reg_args)
{
	void *addr = row->addr ? (void *)(uintptr_t)row->addr : self->buf;
	struct edudma_reg_mr r;
	int e;

	e = et_reg(self->fd, addr, row->len, row->flags, &r);
	ET_EXPECT_ERRNO(e, EINVAL, "REG_MR");
	if (!e)
		et_dereg(self->fd, r.handle);
}

/* REG_MR's struct with 8 bytes after it. */
struct reg_mr_tail {
	struct edudma_reg_mr r;
	uint64_t tail;
};

struct argsz_row {
	const char *name;
	uint32_t argsz;
	uint64_t tail;
	int want;
};

static const struct argsz_row argszs[] = {
	{ .name = "argsz_smaller_than_the_struct_EINVAL",
	  .argsz = offsetof(struct edudma_reg_mr, nr_pages), .want = EINVAL },
	{ .name = "larger_argsz_with_a_zero_tail_registers",
	  .argsz = sizeof(struct reg_mr_tail), .tail = 0, .want = 0 },
	{ .name = "larger_argsz_with_a_non_zero_tail_EINVAL",
	  .argsz = sizeof(struct reg_mr_tail), .tail = 1, .want = EINVAL },
};

ET_TABLE_F(mem, reg_argsz, struct argsz_row, argszs)
{
	struct reg_mr_tail big = {
		.r = { .argsz = row->argsz, .flags = ET_RW,
		       .addr = (uintptr_t)self->buf, .length = ET_PAGE },
		.tail = row->tail,
	};
	int e = et_ret(ioctl(self->fd, EDUDMA_REG_MR, &big));

	ET_EXPECT_ERRNO(e, row->want, "REG_MR");
	if (e)
		return;
	if (!row->want)
		ET_EXPECT(big.r.nr_pages == 1, "nr_pages %llu, expected 1",
			  (unsigned long long)big.r.nr_pages);
	et_dereg(self->fd, big.r.handle);
}

ET_TEST_F(mem, DEREG_MR_of_a_handle_never_given_ENOENT)
{
	ET_EXPECT_ERRNO(et_dereg(self->fd, 0x7fffffff), ENOENT,
			"DEREG_MR of handle 0x7fffffff");
}

/* ---- DEREG_MR's errors --------------------------------------------------- */

/* A page of it registered read-write. */
ET_FIXTURE(dereg) {
	struct et_fx_mem m;
	uint32_t handle;
};

ET_SETUP(dereg)
{
	et_setup_mem(&self->m);
	ET_ASSERT_ERRNO(et_reg_rw(self->m.fd, self->m.buf, ET_PAGE,
				  &self->handle), 0, "REG_MR of a page");
}

ET_TEARDOWN(dereg)
{
	et_teardown_mem(&self->m);
}

struct dereg_row {
	const char *name;
	uint32_t argsz, flags, reserved;
};

static const struct dereg_row deregs[] = {
	{ .name = "DEREG_MR_with_a_flag_EINVAL",
	  .argsz = sizeof(struct edudma_dereg_mr), .flags = 1 },
	{ .name = "DEREG_MR_with_reserved_not_0_EINVAL",
	  .argsz = sizeof(struct edudma_dereg_mr), .reserved = 1 },
	{ .name = "DEREG_MR_with_argsz_too_small_EINVAL",
	  .argsz = offsetof(struct edudma_dereg_mr, handle) },
};

static int dereg_with(const struct et_fx_dereg *self,
		      const struct dereg_row *row)
{
	struct edudma_dereg_mr d = {
		.argsz = row->argsz, .flags = row->flags,
		.handle = self->handle, .reserved = row->reserved,
	};

	return et_ret(ioctl(self->m.fd, EDUDMA_DEREG_MR, &d));
}

ET_TABLE_F(dereg, dereg_arg, struct dereg_row, deregs)
{
	ET_EXPECT_ERRNO(dereg_with(self, row), EINVAL, "DEREG_MR");
}

ET_TEST_F(dereg, the_handle_survives_the_rejected_DEREG_MRs)
{
	for (size_t i = 0; i < ET_ARRAY_SIZE(deregs); i++)
		dereg_with(self, &deregs[i]);
	ET_EXPECT_ERRNO(et_dereg(self->m.fd, self->handle), 0,
			"DEREG_MR after the rejected ones");
}
