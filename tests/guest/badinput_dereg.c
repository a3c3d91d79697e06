// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_dereg: DEREG_MR's own rules.  Reserved bits, handles that are
 * not this file's (0, stale, never given, another file's, another device's
 * file's), a double deregistration, and a region that a queued
 * asynchronous COPY still uses.  Each row expects the errno
 * include/uapi/linux/edudma.h documents; the fixture is badinput.h's.
 */
#include "badinput.h"

BI_PROGRAM

struct dereg_row {
	const char *name;
	int (*call)(struct et_fx_badinput *self, const struct dereg_row *row);
	uint32_t reserved;	/* d_reserved */
	enum bi_handle handle;	/* d_handle: deregistered ... */
	int on_fda;		/* ... on fda, not fd */
	int expect;
};

static int d_reserved(struct et_fx_badinput *self,
		      const struct dereg_row *row)
{
	return bi_call_reserved(self, IOC_DEREG, row->reserved);
}

static int d_handle(struct et_fx_badinput *self, const struct dereg_row *row)
{
	return et_dereg(row->on_fda ? self->fda : self->fd,
			bi_handle(self, row->handle));
}

/* register, deregister, deregister again */
static int d_double(struct et_fx_badinput *self, const struct dereg_row *row)
{
	uint32_t h;
	int e;

	(void)row;
	e = bi_reg(self->fd, self->buf, ET_PAGE, ET_RW, &h);
	ET_ASSERT_ERRNO(e, 0, "the REG_MR");
	ET_ASSERT_ERRNO(et_dereg(self->fd, h), 0, "the first DEREG_MR");
	return et_dereg(self->fd, h);
}

/* a handle of a file on device 1 used on fda (device 0) */
static int d_other_device(struct et_fx_badinput *self,
			  const struct dereg_row *row)
{
	uint32_t h;
	int f = et_open(1, 0), e;

	(void)row;
	if (f < 0)
		ET_SKIP("needs two devices");
	/* f has handles 1 and 2; fda (device 0) knows only 1 */
	bi_reg(f, self->buf, ET_PAGE, ET_RW, &h);
	bi_reg(f, self->buf, ET_PAGE, ET_RW, &h);
	e = et_dereg(self->fda, h);
	close(f);
	return e;
}

/* an asynchronous COPY in flight: its regions cannot go */
static int d_busy(struct et_fx_badinput *self, const struct dereg_row *row)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .flags = EDUDMA_XFER_ASYNC,
		.length = 8000, .cookie = 99, .src = 0, .dst = 8192,
	};
	struct pollfd p = { .fd = self->fdn, .events = POLLIN };
	struct edudma_completion rec = { 0 };
	uint32_t h;
	int e, e1;
	ssize_t r;

	(void)row;
	bi_reg(self->fdn, self->buf, RLEN, ET_RW, &h);
	x.src_handle = x.dst_handle = h;
	e1 = et_xfer(self->fdn, &x);
	e = et_dereg(self->fdn, h);
	ET_EXPECT_ERRNO(e1, 0, "the ASYNC COPY");
	if (!e1) {
		poll(&p, 1, 30000);
		r = read(self->fdn, &rec, sizeof(rec));
		ET_EXPECT(r == sizeof(rec) && rec.status == 0,
			  "the COPY's completion: read %zd, status %d", r,
			  rec.status);
	}
	et_dereg(self->fdn, h);	/* whatever happened, it can go now */
	return e;
}

static const struct dereg_row dereg_rows[] = {
	{ .name = "DEREG_MR: reserved 1", .call = d_reserved,
	  .reserved = 1, .expect = EINVAL },
	{ .name = "DEREG_MR: reserved 0x80000000", .call = d_reserved,
	  .reserved = 0x80000000u, .expect = EINVAL },
	{ .name = "DEREG_MR: handle 0", .call = d_handle,
	  .handle = HANDLE_0, .expect = ENOENT },
	{ .name = "DEREG_MR: stale handle (deregistered)", .call = d_handle,
	  .handle = HANDLE_STALE, .expect = ENOENT },
	{ .name = "DEREG_MR: handle 0xffffffff", .call = d_handle,
	  .handle = HANDLE_MAX, .expect = ENOENT },
	{ .name = "DEREG_MR: handle never given (0x7fffffff)",
	  .call = d_handle, .handle = HANDLE_NEVER, .expect = ENOENT },
	{ .name = "DEREG_MR: another file's handle (not valid on this file)",
	  .call = d_handle, .handle = HANDLE_FOREIGN, .on_fda = 1,
	  .expect = ENOENT },
	{ .name = "DEREG_MR: another device's file's handle",
	  .call = d_other_device, .expect = ENOENT },
	{ .name = "DEREG_MR: double deregistration", .call = d_double,
	  .expect = ENOENT },
	{ .name = "DEREG_MR: region of a queued asynchronous COPY",
	  .call = d_busy, .expect = EBUSY },
};

ET_TABLE_F(badinput, dereg, struct dereg_row, dereg_rows)
{
	BI_EXPECT(row->call(self, row), row->expect, row->name);
}

BI_AFTERWARDS
