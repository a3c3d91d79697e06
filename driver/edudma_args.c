// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: reading an ioctl's argument, the same way for every command
 * (Documentation/uapi.md, "Conventions").  Every handler calls this; it
 * calls nothing of the driver's.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "edudma.h"

/*
 * Copies the first @minsz bytes of a VFIO-style argument struct and checks
 * argsz.  Bytes the caller passes beyond what this driver knows must be
 * zero, so that a newer userspace never has a request silently cut short.
 */
int edudma_copy_args(void *karg, size_t minsz, void __user *uarg)
{
	u32 argsz;
	int ret;

	if (copy_from_user(&argsz, uarg, sizeof(argsz)))
		return -EFAULT;
	/* A page is far beyond any struct here; do not scan gigabytes. */
	if (argsz < minsz || argsz > PAGE_SIZE)
		return -EINVAL;
	if (copy_from_user(karg, uarg, minsz))
		return -EFAULT;
	if (argsz > minsz) {
		ret = check_zeroed_user(uarg + minsz, argsz - minsz);
		if (ret < 0)
			return ret;
		if (!ret)
			return -EINVAL;
	}
	return 0;
}

