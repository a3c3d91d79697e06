// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the benchmark-only floor, EDUDMA_BENCH_PIN: pin and unpin the
 * way a registration does, and nothing else.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edudma.h"

int edudma_ioctl_bench_pin(void __user *uarg)
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
