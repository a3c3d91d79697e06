// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: per-device statistics, in sysfs (/sys/class/edudma/edudmaN/
 * stats/) and through EDUDMA_GET_STATS.  The counters are the fields of
 * struct edudma_stats (edudma.h, EDUDMA_STAT_IDX()); the table below names
 * one sysfs file for each.
 */
#include <linux/build_bug.h>
#include <linux/stringify.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "edudma.h"

struct edudma_stat_attr {
	struct device_attribute attr;	/* stats/<name> */
	unsigned int idx;		/* in edev->stats[] */
};

static ssize_t edudma_stat_show(struct device *dev,
				struct device_attribute *attr, char *buf);

#define EDUDMA_STAT(_name) {						\
	.attr = {							\
		.attr = { .name = __stringify(_name), .mode = 0444 },	\
		.show = edudma_stat_show,				\
	},								\
	.idx = EDUDMA_STAT_IDX(_name),					\
}

static struct edudma_stat_attr edudma_stat_table[] = {
	EDUDMA_STAT(regions),
	EDUDMA_STAT(pinned_pages),
	EDUDMA_STAT(reg_total),
	EDUDMA_STAT(bytes_to_dev),
	EDUDMA_STAT(bytes_from_dev),
	EDUDMA_STAT(dma_to_dev),
	EDUDMA_STAT(dma_from_dev),
	EDUDMA_STAT(xfers),
	EDUDMA_STAT(errors),
	EDUDMA_STAT(timeouts),
	EDUDMA_STAT(queue_depth),
	EDUDMA_STAT(factorials),
	EDUDMA_STAT(odp_faults),
	EDUDMA_STAT(odp_pages_faulted),
	EDUDMA_STAT(odp_invalidations),
	EDUDMA_STAT(odp_retries),
	EDUDMA_STAT(odp_pages_mapped),
	EDUDMA_STAT(stale),
	EDUDMA_STAT(watch_checks),
};

/* A file for every counter (the table's order is not checked). */
static_assert(ARRAY_SIZE(edudma_stat_table) == EDUDMA_NR_STATS);

static ssize_t edudma_stat_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct edudma_dev *edev = container_of(dev, struct edudma_dev, dev);
	struct edudma_stat_attr *sa = container_of(attr, struct edudma_stat_attr,
						   attr);

	return sysfs_emit(buf, "%lld\n", atomic64_read(&edev->stats[sa->idx]));
}

/* Filled by edudma_stats_init() from the table. */
static struct attribute *edudma_stats_attrs[ARRAY_SIZE(edudma_stat_table) + 1];

static const struct attribute_group edudma_stats_group = {
	.name = "stats",
	.attrs = edudma_stats_attrs,
};

const struct attribute_group *edudma_groups[] = {
	&edudma_stats_group,
	NULL
};

/* Module init, before any device exists. */
void edudma_stats_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edudma_stat_table); i++)
		edudma_stats_attrs[i] = &edudma_stat_table[i].attr.attr;
}

/*
 * API 2's struct ended at factorials: a caller's argsz may stop there, or
 * anywhere after it; the counters it covers are written.
 */
int edudma_ioctl_get_stats(struct edudma_dev *edev, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_stats, factorials);
	struct edudma_stats st;
	__u64 *field = &st.regions;
	size_t end;
	unsigned int i;
	int ret;

	if (get_user(st.argsz, (__u32 __user *)uarg))
		return -EFAULT;
	end = clamp_t(size_t, st.argsz, minsz, sizeof(st));
	ret = edudma_copy_args(&st, end, uarg);
	if (ret)
		return ret;
	if (st.flags)
		return -EINVAL;

	for (i = 0; i < EDUDMA_NR_STATS; i++)
		field[i] = atomic64_read(&edev->stats[i]);
	if (copy_to_user(uarg + EDUDMA_STAT_FIRST, field,
			 round_down(end - EDUDMA_STAT_FIRST, sizeof(*field))))
		return -EFAULT;
	return 0;
}
