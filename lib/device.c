// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libedudma: finding, opening and asking devices.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "internal.h"

static int edudma_minor_of(const char *name, unsigned int *minor)
{
	char *end;
	unsigned long n;

	if (strncmp(name, "edudma", 6) || !name[6])
		return 0;
	n = strtoul(name + 6, &end, 10);
	if (*end || n > 0xffff)
		return 0;
	*minor = n;
	return 1;
}

static int edudma_cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

int edudma_list_devices(unsigned int *minors, unsigned int max)
{
	unsigned int all[256], n = 0, m;
	struct dirent *e;
	DIR *d;

	if (!minors && max)
		return -EINVAL;
	d = opendir("/dev");
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (edudma_minor_of(e->d_name, &m) && n < 256)
			all[n++] = m;
	closedir(d);
	qsort(all, n, sizeof(all[0]), edudma_cmp_uint);
	for (m = 0; m < n && m < max; m++)
		minors[m] = all[m];
	return (int)n;
}

int edudma_open_path(const char *path, struct edudma_dev **devp)
{
	struct edudma_device_info info = { .argsz = sizeof(info) };
	struct edudma_dev *dev;
	int fd, ret;

	if (!path || !devp)
		return -EINVAL;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* Not an edudma device: say so rather than fail later. */
	ret = edudma_do_ioctl(fd, EDUDMA_GET_INFO, &info);
	if (ret) {
		close(fd);
		return ret == -ENOTTY ? -ENODEV : ret;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		close(fd);
		return -ENOMEM;
	}
	dev->fd = fd;
	dev->minor = info.minor;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->stripe_lock, NULL);
	edudma_cache_init(dev);
	*devp = dev;
	return 0;
}

int edudma_open(unsigned int minor, struct edudma_dev **devp)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/edudma%u", minor);
	return edudma_open_path(path, devp);
}

void edudma_close(struct edudma_dev *dev)
{
	struct edudma_mr *mr, *next;

	if (!dev)
		return;
	edudma_close(dev->aux);
	/*
	 * Closing the file releases every registration in the kernel, the
	 * cache's entries (on dev->mrs too) included.
	 */
	close(dev->fd);
	for (mr = dev->mrs; mr; mr = next) {
		next = mr->next;
		free(mr);
	}
	edudma_events_release(dev);
	pthread_mutex_destroy(&dev->stripe_lock);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

int edudma_fd(const struct edudma_dev *dev)
{
	return dev ? dev->fd : -EINVAL;
}

int edudma_get_info(struct edudma_dev *dev, struct edudma_device_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return edudma_do_ioctl(dev->fd, EDUDMA_GET_INFO, info);
}

int edudma_get_stats(struct edudma_dev *dev, struct edudma_stats *stats)
{
	if (!dev || !stats)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	stats->argsz = sizeof(*stats);
	return edudma_do_ioctl(dev->fd, EDUDMA_GET_STATS, stats);
}

int edudma_set_eventfd(struct edudma_dev *dev, int efd)
{
	struct edudma_eventfd arg = { .argsz = sizeof(arg), .fd = efd };

	if (!dev)
		return -EINVAL;
	return edudma_do_ioctl(dev->fd, EDUDMA_SET_EVENTFD, &arg);
}

int edudma_factorial(struct edudma_dev *dev, uint32_t n, uint32_t *result)
{
	struct edudma_factorial arg = { .argsz = sizeof(arg), .n = n };
	int ret;

	if (!dev || !result)
		return -EINVAL;
	ret = edudma_do_ioctl(dev->fd, EDUDMA_FACTORIAL, &arg);
	if (!ret)
		*result = arg.result;
	return ret;
}
