// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the device's other function, factorial, completed by interrupt.
 */
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/uaccess.h>

#include "edudma.h"
#include "edudma_regs.h"

int edudma_ioctl_factorial(struct edudma_dev *edev, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_factorial, result);
	struct edudma_factorial arg;
	unsigned long left;
	int ret;

	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;

	if (mutex_lock_interruptible(&edev->fact_lock))
		return -EINTR;
	/* A computation abandoned after a timeout may still be running. */
	if (ioread32(edev->bar + EDU_REG_STATUS) & EDU_STATUS_COMPUTING) {
		ret = -EBUSY;
		goto out;
	}
	reinit_completion(&edev->fact_done);
	iowrite32(EDU_STATUS_IRQ_FACT, edev->bar + EDU_REG_STATUS);
	iowrite32(arg.n, edev->bar + EDU_REG_FACTORIAL);

	left = msecs_to_jiffies(READ_ONCE(edudma_timeout_ms));
	left = wait_for_completion_timeout(&edev->fact_done, left);
	if (!left) {
		ret = -ETIMEDOUT;
		goto out;
	}
	arg.result = ioread32(edev->bar + EDU_REG_FACTORIAL);
	atomic64_inc(&edev->stats.factorials);
	if (put_user(arg.result, (u32 __user *)(uarg +
		     offsetof(struct edudma_factorial, result))))
		ret = -EFAULT;
out:
	mutex_unlock(&edev->fact_lock);
	return ret;
}

void edudma_factorial_irq(struct edudma_dev *edev)
{
	complete(&edev->fact_done);
}
