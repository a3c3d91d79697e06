// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: transfers, synchronous and asynchronous, and completions.
 */
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static int edudma_xfer(struct edudma_dev *dev, struct edudma_xfer *x)
{
	x->argsz = sizeof(*x);
	return edudma_do_ioctl(dev->fd, EDUDMA_XFER, x);
}

static int edudma_to_dev(struct edudma_mr *mr, uint64_t offset,
			 uint32_t dev_offset, size_t length,
			 unsigned int flags, uint64_t cookie)
{
	struct edudma_xfer x = {
		.flags = flags, .op = EDUDMA_OP_TO_DEV,
		.dev_offset = dev_offset, .length = length, .cookie = cookie,
		.src_handle = mr ? mr->handle : 0, .src = offset,
	};

	return mr ? edudma_xfer(mr->dev, &x) : -EINVAL;
}

static int edudma_from_dev(struct edudma_mr *mr, uint64_t offset,
			   uint32_t dev_offset, size_t length,
			   unsigned int flags, uint64_t cookie)
{
	struct edudma_xfer x = {
		.flags = flags, .op = EDUDMA_OP_FROM_DEV,
		.dev_offset = dev_offset, .length = length, .cookie = cookie,
		.dst_handle = mr ? mr->handle : 0, .dst = offset,
	};

	return mr ? edudma_xfer(mr->dev, &x) : -EINVAL;
}

static int edudma_copy_mr(struct edudma_mr *src, uint64_t src_offset,
			  struct edudma_mr *dst, uint64_t dst_offset,
			  size_t length, unsigned int flags, uint64_t cookie)
{
	struct edudma_xfer x = {
		.flags = flags, .op = EDUDMA_OP_COPY,
		.length = length, .cookie = cookie,
	};

	if (!src || !dst)
		return -EINVAL;
	if (src->dev != dst->dev)
		return -EXDEV;
	x.src_handle = src->handle;
	x.src = src_offset;
	x.dst_handle = dst->handle;
	x.dst = dst_offset;
	return edudma_xfer(src->dev, &x);
}

int edudma_write_dev(struct edudma_mr *mr, uint64_t offset,
		     uint32_t dev_offset, size_t length)
{
	return edudma_to_dev(mr, offset, dev_offset, length, 0, 0);
}

int edudma_read_dev(struct edudma_mr *mr, uint64_t offset,
		    uint32_t dev_offset, size_t length)
{
	return edudma_from_dev(mr, offset, dev_offset, length, 0, 0);
}

int edudma_copy(struct edudma_mr *src, uint64_t src_offset,
		struct edudma_mr *dst, uint64_t dst_offset, size_t length)
{
	return edudma_copy_mr(src, src_offset, dst, dst_offset, length, 0, 0);
}

int edudma_submit_write_dev(struct edudma_mr *mr, uint64_t offset,
			    uint32_t dev_offset, size_t length,
			    uint64_t cookie)
{
	return edudma_to_dev(mr, offset, dev_offset, length,
			     EDUDMA_XFER_ASYNC, cookie);
}

int edudma_submit_read_dev(struct edudma_mr *mr, uint64_t offset,
			   uint32_t dev_offset, size_t length,
			   uint64_t cookie)
{
	return edudma_from_dev(mr, offset, dev_offset, length,
			       EDUDMA_XFER_ASYNC, cookie);
}

int edudma_submit_copy(struct edudma_mr *src, uint64_t src_offset,
		       struct edudma_mr *dst, uint64_t dst_offset,
		       size_t length, uint64_t cookie)
{
	return edudma_copy_mr(src, src_offset, dst, dst_offset, length,
			      EDUDMA_XFER_ASYNC, cookie);
}

int edudma_write_dev_ptr(struct edudma_dev *dev, const void *src,
			 uint32_t dev_offset, size_t length)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_SRC_PTR, .op = EDUDMA_OP_TO_DEV,
		.dev_offset = dev_offset, .length = length,
		.src = (uintptr_t)src,
	};

	return dev ? edudma_xfer(dev, &x) : -EINVAL;
}

int edudma_read_dev_ptr(struct edudma_dev *dev, void *dst,
			uint32_t dev_offset, size_t length)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_DST_PTR, .op = EDUDMA_OP_FROM_DEV,
		.dev_offset = dev_offset, .length = length,
		.dst = (uintptr_t)dst,
	};

	return dev ? edudma_xfer(dev, &x) : -EINVAL;
}

int edudma_copy_ptr(struct edudma_dev *dev, void *dst, const void *src,
		    size_t length)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_SRC_PTR | EDUDMA_XFER_DST_PTR,
		.op = EDUDMA_OP_COPY, .length = length,
		.src = (uintptr_t)src, .dst = (uintptr_t)dst,
	};

	return dev ? edudma_xfer(dev, &x) : -EINVAL;
}

static int64_t edudma_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int edudma_get_completions(struct edudma_dev *dev,
			   struct edudma_completion *comps, unsigned int max,
			   int timeout_ms)
{
	int64_t deadline = edudma_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd;
	ssize_t n;
	int wait;

	if (!dev || !comps || !max || timeout_ms < -1)
		return -EINVAL;
	pfd.fd = dev->fd;
	pfd.events = POLLIN;
	for (;;) {
		/* The file is non-blocking: several threads may read. */
		n = read(dev->fd, comps, (size_t)max * sizeof(*comps));
		if (n > 0)
			return (int)(n / (ssize_t)sizeof(*comps));
		if (n == 0 || errno != EAGAIN)
			return n == 0 ? -EIO : -errno;
		if (!timeout_ms)
			return 0;
		wait = -1;
		if (timeout_ms > 0) {
			int64_t left = deadline - edudma_now_ms();

			if (left <= 0)
				return 0;
			wait = (int)left;
		}
		if (poll(&pfd, 1, wait) < 0)
			return -errno;
		if (pfd.revents & (POLLHUP | POLLERR) && !(pfd.revents & POLLIN))
			return -ENODEV;
	}
}
