/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfer.h: what the synchronous EDUDMA_XFER tests (xfer.c, xfer_ptr.c,
 * xfer_args.c) share: the fixture "regions" (two files on /dev/edudma0,
 * five filled regions on the first: A and B of 128 KiB read-write, R of
 * 16 KiB DEV_READ-only, W of 16 KiB DEV_WRITE-only, M of 4 MiB
 * read-write; its teardown checks that all five deregister), the expected
 * content of a destination and its check.
 */
#ifndef XFER_H
#define XFER_H

#include "edudma_test.h"

#define RSIZE	(128 * 1024UL)		/* A and B */
#define RWSIZE	16384UL			/* R and W */
#define MSIZE	(4UL << 20)		/* M */

ET_FIXTURE(regions) {
	int fd, fd2;
	unsigned char *A, *B, *R, *W, *M;
	unsigned char *want;		/* MSIZE bytes: a destination due */
	uint32_t hA, hB, hR, hW, hM;
	unsigned int minor;		/* of the device */
};

/* len bytes of fresh memory filled by the case's generator, or the end. */
static inline unsigned char *xf_buffer(size_t len)
{
	unsigned char *p = et_map(len);

	ET_ASSERT(p, "mmap of %zu bytes: out of memory", len);
	et_fill(p, len);
	return p;
}

static inline uint32_t xf_reg(int fd, void *buf, size_t len, uint32_t flags,
			      const char *what)
{
	struct edudma_reg_mr r;

	ET_ASSERT_ERRNO(et_reg(fd, buf, len, flags, &r), 0, what);
	return r.handle;
}

ET_SETUP(regions)
{
	struct edudma_device_info info;

	self->fd = et_open(0, 0);
	self->fd2 = et_open(0, 0);
	ET_ASSERT(self->fd >= 0 && self->fd2 >= 0, "open: %s",
		  strerror(errno));
	self->A = xf_buffer(RSIZE);
	self->B = xf_buffer(RSIZE);
	self->R = xf_buffer(RWSIZE);
	self->W = xf_buffer(RWSIZE);
	self->M = xf_buffer(MSIZE);
	self->want = malloc(MSIZE);
	ET_ASSERT(self->want, "out of memory");
	ET_ASSERT_ERRNO(et_info(self->fd, &info), 0, "GET_INFO");
	self->minor = info.minor;
	self->hA = xf_reg(self->fd, self->A, RSIZE, ET_RW, "REG_MR of A");
	self->hB = xf_reg(self->fd, self->B, RSIZE, ET_RW, "REG_MR of B");
	self->hM = xf_reg(self->fd, self->M, MSIZE, ET_RW, "REG_MR of M");
	self->hR = xf_reg(self->fd, self->R, RWSIZE, EDUDMA_ACCESS_DEV_READ,
			  "REG_MR of R");
	self->hW = xf_reg(self->fd, self->W, RWSIZE, EDUDMA_ACCESS_DEV_WRITE,
			  "REG_MR of W");
}

ET_TEARDOWN(regions)
{
	const struct { uint32_t h; const char *what; } regs[] = {
		{ self->hA, "DEREG_MR of A" }, { self->hB, "DEREG_MR of B" },
		{ self->hM, "DEREG_MR of M" }, { self->hR, "DEREG_MR of R" },
		{ self->hW, "DEREG_MR of W" },
	};

	for (size_t i = 0; i < ET_ARRAY_SIZE(regs); i++)
		ET_EXPECT_ERRNO(et_dereg(self->fd, regs[i].h), 0,
				regs[i].what);
	close(self->fd);
	close(self->fd2);
	munmap(self->A, RSIZE);
	munmap(self->B, RSIZE);
	munmap(self->R, RWSIZE);
	munmap(self->W, RWSIZE);
	munmap(self->M, MSIZE);
	free(self->want);
}

/* The regions by name, for tables; NO_REGION is handle 0. */
enum region { NO_REGION, REG_A, REG_B, REG_R, REG_W, REG_M, UNKNOWN };

#define UNKNOWN_HANDLE 0x7ffffff0U

static inline uint32_t xf_handle(const struct et_fx_regions *self,
				 enum region r)
{
	switch (r) {
	case REG_A: return self->hA;
	case REG_B: return self->hB;
	case REG_R: return self->hR;
	case REG_W: return self->hW;
	case REG_M: return self->hM;
	case UNKNOWN: return UNKNOWN_HANDLE;
	case NO_REGION: break;
	}
	return 0;
}

/* self->want = dst[0, dsize) after dst[doff, +len) = src[0, len). */
static inline void xf_expect(struct et_fx_regions *self,
			     const unsigned char *dst, size_t dsize,
			     size_t doff, const unsigned char *src, size_t len)
{
	memcpy(self->want, dst, dsize);
	memmove(self->want + doff, src, len);
}

/* dst[0, dsize) is self->want; what names the transfer. */
#define XF_VERIFY(self, dst, dsize, what)				\
	do {								\
		long bad_ = et_diff((dst), (self)->want, (dsize));	\
		ET_EXPECT(bad_ < 0, "%s: byte %ld is 0x%02x, expected 0x%02x", \
			  (what), bad_, bad_ < 0 ? 0 : (dst)[bad_],	\
			  bad_ < 0 ? 0 : (self)->want[bad_]);		\
	} while (0)

#endif /* XFER_H */
