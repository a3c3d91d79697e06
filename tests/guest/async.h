/* SPDX-License-Identifier: GPL-2.0 */
/*
 * async.h: what the async tests (async.c, async_events.c) share: a file
 * with two registered 128 KiB regions, async submission and a look at the
 * completion queue.
 */
#ifndef ASYNC_H
#define ASYNC_H

#include "edudma_test.h"

#define RSIZE (128 * 1024)

/* One async transfer; 0 or the errno. */
static inline int submit(int f, uint32_t op, uint32_t flags, uint64_t cookie,
			 uint32_t sh, uint64_t so, uint32_t dh, uint64_t doff,
			 uint32_t dev_off, uint64_t len)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC | flags, .op = op, .cookie = cookie,
		.src_handle = sh, .src = so, .dst_handle = dh, .dst = doff,
		.dev_offset = dev_off, .length = len,
	};

	return et_xfer(f, &x);
}

/* An async COPY of len bytes from A + so to B + doff. */
#define COPY_AB(q, cookie, so, doff, len)				\
	submit((q)->fd, EDUDMA_OP_COPY, 0, (cookie), (q)->hA, (so),	\
	       (q)->hB, (doff), 0, (len))

/* Nothing to read right now? (O_NONBLOCK read gives EAGAIN) */
static inline int queue_empty(int f)
{
	struct edudma_completion c;
	int fl = fcntl(f, F_GETFL);
	ssize_t r;
	int e;

	fcntl(f, F_SETFL, fl | O_NONBLOCK);
	r = read(f, &c, sizeof(c));
	e = r < 0 ? errno : 0;
	fcntl(f, F_SETFL, fl);
	return r < 0 && e == EAGAIN;
}

/* A file on the first device, regions A and B registered read-write. */
ET_FIXTURE(q) {
	int fd;
	unsigned char *A, *B;
	uint32_t hA, hB;
};

static inline void q_open(struct et_fx_q *self)
{
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	self->A = et_map(RSIZE);
	self->B = et_map(RSIZE);
	ET_ASSERT(self->A && self->B, "out of memory");
	et_fill(self->A, RSIZE);
	et_fill(self->B, RSIZE);
	ET_ASSERT_ERRNO(et_reg_rw(self->fd, self->A, RSIZE, &self->hA), 0,
			"REG_MR of A, 128 KiB");
	ET_ASSERT_ERRNO(et_reg_rw(self->fd, self->B, RSIZE, &self->hB), 0,
			"REG_MR of B, 128 KiB");
}

/* Closing the file cancels what is still queued and releases A and B. */
static inline void q_close(struct et_fx_q *self)
{
	if (self->fd >= 0)
		close(self->fd);
	self->fd = -1;
	munmap(self->A, RSIZE);
	munmap(self->B, RSIZE);
}

ET_SETUP(q)
{
	q_open(self);
}

ET_TEARDOWN(q)
{
	q_close(self);
}

#endif /* ASYNC_H */
