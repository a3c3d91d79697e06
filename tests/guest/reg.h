/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reg.h: what the REG_MR / DEREG_MR tests (reg.c, reg_args.c, reg_huge.c)
 * share: a file on /dev/edudma0 with a filled buffer, set up in a case or
 * a fixture's setup, which end the case when they cannot.
 */
#ifndef REG_H
#define REG_H

#include "edudma_test.h"

/* A file on /dev/edudma0, or the case ends. */
static inline int reg_open(void)
{
	int fd = et_open(0, 0);

	ET_ASSERT(fd >= 0, "open /dev/edudma0: %s", strerror(errno));
	return fd;
}

/* len bytes of anonymous memory aligned to align, filled, or the case ends. */
static inline void *reg_buffer_aligned(size_t len, size_t align)
{
	void *p = et_map_aligned(len, align);

	ET_ASSERT(p, "mmap of %zu bytes: out of memory", len);
	et_fill(p, len);
	return p;
}

static inline void *reg_buffer(size_t len)
{
	return reg_buffer_aligned(len, ET_PAGE);
}

/* GET_STATS on fd, or the case ends. */
static inline void reg_stats(int fd, struct edudma_stats *st)
{
	ET_ASSERT_ERRNO(et_stats(fd, st), 0, "GET_STATS");
}

#endif /* REG_H */
