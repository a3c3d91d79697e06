// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_args: the argument rules every ioctl shares, checked the same
 * way for all eight (the GENERIC rows): argsz too small, a non-zero tail
 * past the struct, argsz over a page, unknown flag bits, bad argument
 * pointers (NULL, unmapped, the kernel's, PROT_NONE), a zero tail in an
 * unmapped page, and a larger argsz with a zero tail that is accepted.  Then
 * the ioctls that write a result back, given a struct in read-only memory.
 * Each row expects the errno include/uapi/linux/edudma.h documents; the
 * fixture is badinput.h's.
 */
#include "badinput.h"

BI_PROGRAM

struct arg_row {
	const char *name;
	enum bi_ioc ioc;
	int (*call)(struct et_fx_badinput *self, const struct arg_row *row);
	int expect;
	uint32_t argsz;		/* g_huge: the argsz */
	uint32_t flag;		/* g_flags: the bit set in flags */
	enum bi_at at;		/* g_ptr: the argument pointer */
};

/* argsz 0 */
static int g_argsz_zero(struct et_fx_badinput *self, const struct arg_row *row)
{
	unsigned char *p = bi_arg(self, row->ioc);

	*(uint32_t *)p = 0;
	return bi_call_undo(self, row->ioc, p);
}

/* argsz = the struct's size - 1 */
static int g_argsz_short(struct et_fx_badinput *self,
			 const struct arg_row *row)
{
	unsigned char *p = bi_arg(self, row->ioc);

	*(uint32_t *)p = bi_iocs[row->ioc].minsz - 1;
	return bi_call_undo(self, row->ioc, p);
}

/* argsz = size + 8, the tail with a non-zero byte at its end */
static int g_tail_nonzero(struct et_fx_badinput *self,
			  const struct arg_row *row)
{
	unsigned char *p = bi_arg(self, row->ioc);
	size_t size = bi_iocs[row->ioc].size;

	*(uint32_t *)p = size + 8;
	p[size + 7] = 1;
	return bi_call_undo(self, row->ioc, p);
}

/* argsz = row->argsz (over a page), everything past size zero */
static int g_huge(struct et_fx_badinput *self, const struct arg_row *row)
{
	memset(self->big, 0, 2 * ET_PAGE);
	bi_fill(self, row->ioc, self->big);
	*(uint32_t *)self->big = row->argsz;
	return bi_call_undo(self, row->ioc, self->big);
}

/* a larger argsz with a zero tail is accepted (a positive control) */
static int g_tail_zero(struct et_fx_badinput *self, const struct arg_row *row)
{
	unsigned char *p = bi_arg(self, row->ioc);

	*(uint32_t *)p = bi_iocs[row->ioc].size + 64;
	if (row->ioc == IOC_DEREG) {	/* needs a handle it may consume */
		uint32_t h;
		int e = bi_reg(self->fd, self->buf, ET_PAGE, ET_RW, &h);

		ET_ASSERT_ERRNO(e, 0, "REG_MR of the handle to deregister");
		((struct edudma_dereg_mr *)p)->handle = h;
	}
	return bi_call_undo(self, row->ioc, p);
}

/* flags |= row->flag (a bit no ioctl knows) */
static int g_flags(struct et_fx_badinput *self, const struct arg_row *row)
{
	unsigned char *p = bi_arg(self, row->ioc);

	((uint32_t *)p)[1] |= row->flag;
	return bi_call_undo(self, row->ioc, p);
}

/* the argument pointer itself is bad */
static int g_ptr(struct et_fx_badinput *self, const struct arg_row *row)
{
	uintptr_t p = bi_addr(self, row->at, 0);

	return bi_call(self, row->ioc, (void *)p);
}

/* argsz = size + 8: the struct is mapped, its zero tail is not */
static int g_tail_unmapped(struct et_fx_badinput *self,
			   const struct arg_row *row)
{
	size_t size = bi_iocs[row->ioc].size;
	unsigned char *p = self->edge + ET_PAGE - size;

	memset(self->edge, 0, ET_PAGE);
	bi_fill(self, row->ioc, p);
	*(uint32_t *)p = size + 8;
	return bi_call_undo(self, row->ioc, p);
}

/* The struct lives in a read-only page: the copy back fails. */
static int g_out_ro(struct et_fx_badinput *self, const struct arg_row *row)
{
	ET_ASSERT(!mprotect(self->ro, ET_PAGE, PROT_READ | PROT_WRITE),
		  "mprotect: %s", strerror(errno));
	memset(self->ro, 0, ET_PAGE);
	bi_fill(self, row->ioc, self->ro);
	ET_ASSERT(!mprotect(self->ro, ET_PAGE, PROT_READ), "mprotect: %s",
		  strerror(errno));
	return bi_call_undo(self, row->ioc, self->ro);
}

#define GENERIC(I, NAME, FLAGBIT)					\
	{ .name = NAME ": argsz 0", .ioc = I,				\
	  .call = g_argsz_zero, .expect = EINVAL },			\
	{ .name = NAME ": argsz sizeof - 1", .ioc = I,			\
	  .call = g_argsz_short, .expect = EINVAL },			\
	{ .name = NAME ": argsz sizeof + 8, non-zero tail", .ioc = I,	\
	  .call = g_tail_nonzero, .expect = EINVAL },			\
	{ .name = NAME ": argsz page + 1, zero tail", .ioc = I,		\
	  .call = g_huge, .argsz = ET_PAGE + 1, .expect = EINVAL },	\
	{ .name = NAME ": argsz 0xffffffff", .ioc = I,			\
	  .call = g_huge, .argsz = 0xffffffffu, .expect = EINVAL },	\
	{ .name = NAME ": argsz sizeof + 64, zero tail (accepted)",	\
	  .ioc = I, .call = g_tail_zero, .expect = 0 },			\
	{ .name = NAME ": unknown flag bit 31", .ioc = I,		\
	  .call = g_flags, .flag = 0x80000000u, .expect = EINVAL },	\
	{ .name = NAME ": unknown flag " #FLAGBIT, .ioc = I,		\
	  .call = g_flags, .flag = FLAGBIT, .expect = EINVAL },		\
	{ .name = NAME ": argument pointer NULL", .ioc = I,		\
	  .call = g_ptr, .at = AT_NULL, .expect = EFAULT },		\
	{ .name = NAME ": argument pointer unmapped", .ioc = I,		\
	  .call = g_ptr, .at = AT_HOLE, .expect = EFAULT },		\
	{ .name = NAME ": argument pointer in the kernel's direct map",	\
	  .ioc = I, .call = g_ptr, .at = AT_KADDR, .expect = EFAULT },	\
	{ .name = NAME ": argument pointer to kernel text", .ioc = I,	\
	  .call = g_ptr, .at = AT_KTEXT, .expect = EFAULT },		\
	{ .name = NAME ": argument pointer PROT_NONE", .ioc = I,	\
	  .call = g_ptr, .at = AT_NONE, .expect = EFAULT },		\
	{ .name = NAME ": zero tail of argsz in an unmapped page",	\
	  .ioc = I, .call = g_tail_unmapped, .expect = EFAULT }

#define RO_OUT(I, NAME)							\
	{ .name = NAME ": struct in read-only memory, output not writable", \
	  .ioc = I, .call = g_out_ro, .expect = EFAULT }

static const struct arg_row arg_rows[] = {
	GENERIC(IOC_INFO, "GET_INFO", 1),
	GENERIC(IOC_REG, "REG_MR", 16),
	GENERIC(IOC_DEREG, "DEREG_MR", 1),
	GENERIC(IOC_XFER, "XFER", 8),
	GENERIC(IOC_EVFD, "SET_EVENTFD", 1),
	GENERIC(IOC_FACT, "FACTORIAL", 1),
	GENERIC(IOC_STATS, "GET_STATS", 1),
	GENERIC(IOC_BENCH, "BENCH_PIN", 4),
	GENERIC(IOC_PREFETCH, "PREFETCH", 2),
	GENERIC(IOC_EVENTS, "GET_EVENTS", 1),
	RO_OUT(IOC_INFO, "GET_INFO"),
	RO_OUT(IOC_REG, "REG_MR"),
	RO_OUT(IOC_FACT, "FACTORIAL"),
	RO_OUT(IOC_STATS, "GET_STATS"),
	RO_OUT(IOC_BENCH, "BENCH_PIN"),
	RO_OUT(IOC_PREFETCH, "PREFETCH"),
	RO_OUT(IOC_EVENTS, "GET_EVENTS"),
};

ET_TABLE_F(badinput, args, struct arg_row, arg_rows)
{
	BI_EXPECT(row->call(self, row), row->expect, row->name);
}

BI_AFTERWARDS
