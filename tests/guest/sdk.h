/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sdk.h: what the tests of libedudma (sdk_*.c) share: the names of the
 * library's returns, a check of one call's return, the verification of a
 * destination buffer, the device statistics, and the fixture most cases
 * run on (the first device opened, two 64 KiB buffers, optionally
 * registered read-write on it).
 */
#ifndef SDK_TEST_H
#define SDK_TEST_H

#include <edudma.h>

#include "edudma_test.h"

#define SDK_RSIZE (64 * 1024)

/* "0", "-EINVAL", ... for a libedudma return value. */
static inline const char *sdk_rs(int r)
{
	static __thread char buf[4][40];
	static __thread unsigned int k;
	char *b = buf[k++ & 3];

	if (r >= 0)
		snprintf(b, sizeof(buf[0]), "%d", r);
	else
		snprintf(b, sizeof(buf[0]), "-%s", et_errno_name(-r));
	return b;
}

/* One call's return: "what: -ENOENT, expected -EINVAL". */
#define SDK_EXPECT_RET(want_r, call, ...)				\
	do {								\
		int sdk_w_ = (want_r), sdk_r_ = (call);			\
		char sdk_what_[200];					\
		snprintf(sdk_what_, sizeof(sdk_what_), __VA_ARGS__);	\
		ET_EXPECT(sdk_r_ == sdk_w_, "%s: %s, expected %s",	\
			  sdk_what_, sdk_rs(sdk_r_), sdk_rs(sdk_w_));	\
	} while (0)

/* 1 when dst equals want over len bytes; else 0, the first bad byte in why. */
static inline int sdk_verify(const unsigned char *dst,
			     const unsigned char *want, size_t len, char *why,
			     size_t n)
{
	long bad = et_diff(dst, want, len);

	if (bad >= 0)
		snprintf(why, n, "byte %ld is 0x%02x, not 0x%02x", bad,
			 dst[bad], want[bad]);
	else
		snprintf(why, n, "every byte right");
	return bad < 0;
}

/* The statistics now (zeros when they cannot be read: the checks fail). */
static inline struct edudma_stats sdk_stats(struct edudma_dev *d)
{
	struct edudma_stats s;

	if (edudma_get_stats(d, &s))
		memset(&s, 0, sizeof(s));
	return s;
}

#define SDK_DELTA(a, b, f) ((long long)((b).f - (a).f))

/* munmap() of what may be NULL. */
static inline void sdk_unmap(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

/* ---- the fixture --------------------------------------------------------- */

ET_FIXTURE(sdk) {
	struct edudma_dev *dev;		/* /dev/edudma<minors[0]> */
	unsigned int minors[LAB_MAX_DEVICES];
	int ndev;
	unsigned char *A, *B;		/* SDK_RSIZE each, random bytes */
	unsigned char *want;		/* SDK_RSIZE: an expected buffer */
	struct edudma_mr *mA, *mB;	/* A and B read-write, when asked */
	struct edudma_dev *dev2;	/* a case's second handle, or NULL */
	unsigned char *map;		/* a case's own mapping, */
	size_t map_len;			/* its length */
	int efd;			/* a case's descriptor, or -1 */
	const char *param;		/* a parameter the case changed, */
	long param_was;			/* and its value before */
};

/* Opens the first device, maps A and B; registers them when reg is set. */
static inline void sdk_setup(struct et_fx_sdk *self, int reg)
{
	int r;

	memset(self, 0, sizeof(*self));
	self->efd = -1;
	self->ndev = edudma_list_devices(self->minors, LAB_MAX_DEVICES);
	ET_ASSERT(self->ndev >= 1, "edudma_list_devices: %s",
		  sdk_rs(self->ndev));
	if (self->ndev > LAB_MAX_DEVICES)
		self->ndev = LAB_MAX_DEVICES;
	r = edudma_open(self->minors[0], &self->dev);
	ET_ASSERT(!r && self->dev, "edudma_open(%u): %s", self->minors[0],
		  sdk_rs(r));
	self->A = et_map(SDK_RSIZE);
	self->B = et_map(SDK_RSIZE);
	self->want = malloc(SDK_RSIZE);
	ET_ASSERT(self->A && self->B && self->want, "out of memory");
	et_fill(self->A, SDK_RSIZE);
	et_fill(self->B, SDK_RSIZE);
	if (!reg)
		return;
	r = edudma_reg_mr(self->dev, self->A, SDK_RSIZE, ET_RW, &self->mA);
	ET_ASSERT(!r, "edudma_reg_mr of A: %s", sdk_rs(r));
	r = edudma_reg_mr(self->dev, self->B, SDK_RSIZE, ET_RW, &self->mB);
	ET_ASSERT(!r, "edudma_reg_mr of B: %s", sdk_rs(r));
}

/*
 * Puts back the parameter; edudma_close() releases the registrations and
 * transfers the case left.
 */
static inline void sdk_teardown(struct et_fx_sdk *self)
{
	if (self->param)
		et_param_set(self->param, self->param_was);
	if (self->efd >= 0)
		close(self->efd);
	edudma_close(self->dev2);
	edudma_close(self->dev);
	sdk_unmap(self->map, self->map_len);
	sdk_unmap(self->A, SDK_RSIZE);
	sdk_unmap(self->B, SDK_RSIZE);
	free(self->want);
}

/* want = dst, then want[doff, +len) = src: the expected destination. */
static inline void sdk_expect(unsigned char *want, const unsigned char *dst,
			      size_t dsize, size_t doff,
			      const unsigned char *src, size_t len)
{
	memcpy(want, dst, dsize);
	memmove(want + doff, src, len);
}

/* A read-only mapping of len random bytes (munmap it). */
static inline unsigned char *sdk_map_ro(size_t len)
{
	unsigned char *p = et_map(len);

	ET_ASSERT(p, "out of memory");
	et_fill(p, len);
	ET_ASSERT(!mprotect(p, len, PROT_READ), "mprotect: %s",
		  strerror(errno));
	return p;
}

#endif /* SDK_TEST_H */
