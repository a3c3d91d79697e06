// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the benchmark-only floor, EDUDMA_BENCH_PIN on the debugfs file
 * /sys/kernel/debug/edudma/bench_pin (edudma_bench.h): pin and unpin the
 * way a registration does, and nothing else.
 */
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edudma.h"
#include "edudma_bench.h"

static struct dentry *edudma_debugfs;

static int edudma_bench_pin(void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_bench_pin, nr_pages);
	struct edudma_bench_pin arg;
	unsigned long npages;
	struct page **pages;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	ret = edudma_span(arg.flags, arg.addr, arg.length, &npages);
	if (ret)
		return ret;
	/* The budget of a registration bounds the page array too. */
	if (npages > edudma_pin_budget())
		return -ENOSPC;
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	ret = edudma_pin_pages(arg.addr, npages, arg.flags, pages);
	if (!ret)
		unpin_user_pages(pages, npages);
	kvfree(pages);
	if (ret)
		return ret;

	arg.nr_pages = npages;
	if (put_user(arg.nr_pages, (__u64 __user *)(uarg +
		     offsetof(struct edudma_bench_pin, nr_pages))))
		return -EFAULT;
	return 0;
}

static long edudma_bench_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	if (cmd != EDUDMA_BENCH_PIN)
		return -ENOTTY;
	return edudma_bench_pin((void __user *)arg);
}

static const struct file_operations edudma_bench_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= edudma_bench_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* Module init: /sys/kernel/debug/edudma/bench_pin, for root only. */
void edudma_bench_init(void)
{
	edudma_debugfs = debugfs_create_dir(EDUDMA_NAME, NULL);
	debugfs_create_file("bench_pin", 0600, edudma_debugfs, NULL,
			    &edudma_bench_fops);
}

void edudma_bench_exit(void)
{
	debugfs_remove_recursive(edudma_debugfs);
}
