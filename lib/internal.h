/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libedudma: what the library's files share.
 */
#ifndef LIBEDUDMA_INTERNAL_H
#define LIBEDUDMA_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <sys/ioctl.h>

#include "edudma.h"

struct edudma_mr {
	struct edudma_dev *dev;
	uint32_t handle;
	unsigned int access;
	unsigned int nsegs;
	void *addr;
	size_t length;
	int cached;			/* made by edudma_copy_striped() */
	struct edudma_mr *next;		/* dev->mrs */
};

struct edudma_dev {
	int fd;
	unsigned int minor;
	pthread_mutex_t lock;		/* mrs, aux */
	struct edudma_mr *mrs;		/* every registration made through us */
	/*
	 * edudma_copy_striped() works on a second file of the device, so
	 * that it never reads the completions of the caller's own transfers;
	 * stripe_lock makes one striped copy at a time use it.
	 */
	pthread_mutex_t stripe_lock;
	struct edudma_dev *aux;
};

/* The one place that turns ioctl() < 0 into -errno. */
static inline int edudma_do_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* mr.c */
int edudma_mr_reg_locked(struct edudma_dev *dev, void *addr, size_t length,
			 unsigned int access, int cached,
			 struct edudma_mr **mrp);
int edudma_mr_dereg_locked(struct edudma_mr *mr);

#endif /* LIBEDUDMA_INTERNAL_H */
