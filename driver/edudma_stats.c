// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: per-device statistics, in sysfs (/sys/class/edudma/edudmaN/
 * stats/) and through EDUDMA_GET_STATS.
 */
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "edudma.h"

#define EDUDMA_STAT_ATTR(name)						\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct edudma_dev *edev = container_of(dev, struct edudma_dev, dev); \
									\
	return sysfs_emit(buf, "%lld\n",				\
			  atomic64_read(&edev->stats.name));		\
}									\
static DEVICE_ATTR_RO(name)

EDUDMA_STAT_ATTR(regions);
EDUDMA_STAT_ATTR(pinned_pages);
EDUDMA_STAT_ATTR(reg_total);
EDUDMA_STAT_ATTR(bytes_to_dev);
EDUDMA_STAT_ATTR(bytes_from_dev);
EDUDMA_STAT_ATTR(dma_to_dev);
EDUDMA_STAT_ATTR(dma_from_dev);
EDUDMA_STAT_ATTR(xfers);
EDUDMA_STAT_ATTR(errors);
EDUDMA_STAT_ATTR(timeouts);
EDUDMA_STAT_ATTR(queue_depth);
EDUDMA_STAT_ATTR(factorials);

static struct attribute *edudma_stats_attrs[] = {
	&dev_attr_regions.attr,
	&dev_attr_pinned_pages.attr,
	&dev_attr_reg_total.attr,
	&dev_attr_bytes_to_dev.attr,
	&dev_attr_bytes_from_dev.attr,
	&dev_attr_dma_to_dev.attr,
	&dev_attr_dma_from_dev.attr,
	&dev_attr_xfers.attr,
	&dev_attr_errors.attr,
	&dev_attr_timeouts.attr,
	&dev_attr_queue_depth.attr,
	&dev_attr_factorials.attr,
	NULL
};

static const struct attribute_group edudma_stats_group = {
	.name = "stats",
	.attrs = edudma_stats_attrs,
};

const struct attribute_group *edudma_groups[] = {
	&edudma_stats_group,
	NULL
};

int edudma_ioctl_get_stats(struct edudma_dev *edev, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_stats, factorials);
	struct edudma_stat_counters *c = &edev->stats;
	struct edudma_stats st;
	int ret;

	ret = edudma_copy_args(&st, minsz, uarg);
	if (ret)
		return ret;
	if (st.flags)
		return -EINVAL;

	st.regions = atomic64_read(&c->regions);
	st.pinned_pages = atomic64_read(&c->pinned_pages);
	st.reg_total = atomic64_read(&c->reg_total);
	st.bytes_to_dev = atomic64_read(&c->bytes_to_dev);
	st.bytes_from_dev = atomic64_read(&c->bytes_from_dev);
	st.dma_to_dev = atomic64_read(&c->dma_to_dev);
	st.dma_from_dev = atomic64_read(&c->dma_from_dev);
	st.xfers = atomic64_read(&c->xfers);
	st.errors = atomic64_read(&c->errors);
	st.timeouts = atomic64_read(&c->timeouts);
	st.queue_depth = atomic64_read(&c->queue_depth);
	st.factorials = atomic64_read(&c->factorials);

	if (copy_to_user(uarg + offsetof(struct edudma_stats, regions),
			 &st.regions,
			 minsz - offsetof(struct edudma_stats, regions)))
		return -EFAULT;
	return 0;
}
