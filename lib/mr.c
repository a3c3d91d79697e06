// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: memory registrations.
 */
#include <stdlib.h>

#include "internal.h"

int edudma_mr_reg_locked(struct edudma_dev *dev, void *addr, size_t length,
			 unsigned int access, struct edudma_mr **mrp)
{
	struct edudma_reg_mr arg = {
		.argsz = sizeof(arg),
		.flags = access,
		.addr = (uintptr_t)addr,
		.length = length,
	};
	struct edudma_mr *mr;
	int ret;

	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	ret = edudma_do_ioctl(dev->fd, EDUDMA_REG_MR, &arg);
	if (ret) {
		free(mr);
		return ret;
	}
	mr->dev = dev;
	mr->handle = arg.handle;
	mr->access = access;
	mr->nsegs = arg.nr_segments;
	mr->addr = addr;
	mr->length = length;
	mr->next = dev->mrs;
	dev->mrs = mr;
	*mrp = mr;
	return 0;
}

int edudma_reg_mr(struct edudma_dev *dev, void *addr, size_t length,
		  unsigned int access, struct edudma_mr **mrp)
{
	int ret;

	if (!dev || !mrp)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	ret = edudma_mr_reg_locked(dev, addr, length, access, mrp);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int edudma_mr_dereg_locked(struct edudma_mr *mr)
{
	struct edudma_dereg_mr arg = { .argsz = sizeof(arg), .handle = mr->handle };
	struct edudma_dev *dev = mr->dev;
	struct edudma_mr **pp;
	int ret;

	ret = edudma_do_ioctl(dev->fd, EDUDMA_DEREG_MR, &arg);
	if (ret)
		return ret;
	/* The driver dropped its queued event, if any: so do we. */
	edudma_events_forget(dev, mr->handle);
	for (pp = &dev->mrs; *pp; pp = &(*pp)->next) {
		if (*pp == mr) {
			*pp = mr->next;
			break;
		}
	}
	free(mr);
	return 0;
}

int edudma_dereg_mr(struct edudma_mr *mr)
{
	struct edudma_dev *dev;
	int ret;

	if (!mr)
		return -EINVAL;
	dev = mr->dev;
	pthread_mutex_lock(&dev->lock);
	/* The cache's own: edudma_mr_put() gives them back. */
	ret = mr->entry ? -EINVAL : edudma_mr_dereg_locked(mr);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

uint32_t edudma_mr_handle(const struct edudma_mr *mr)
{
	return mr ? mr->handle : 0;
}

void *edudma_mr_addr(const struct edudma_mr *mr)
{
	return mr ? mr->addr : NULL;
}

size_t edudma_mr_length(const struct edudma_mr *mr)
{
	return mr ? mr->length : 0;
}

unsigned int edudma_mr_segments(const struct edudma_mr *mr)
{
	return mr ? mr->nsegs : 0;
}

int edudma_mr_on_demand(const struct edudma_mr *mr)
{
	return mr && (mr->access & EDUDMA_REG_ON_DEMAND) ? 1 : 0;
}

int edudma_prefetch(struct edudma_mr *mr, uint64_t offset, size_t length,
		    unsigned int flags, uint64_t *bytes)
{
	struct edudma_prefetch arg = {
		.argsz = sizeof(arg),
		.flags = flags,
		.offset = offset,
		.length = length,
	};
	int ret;

	if (!mr)
		return -EINVAL;
	arg.handle = mr->handle;
	ret = edudma_do_ioctl(mr->dev->fd, EDUDMA_PREFETCH, &arg);
	if (bytes)
		*bytes = arg.bytes;
	return ret;
}
