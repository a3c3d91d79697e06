// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the device's other function, factorial, completed by interrupt.
 */
#include <linux/io.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "edudma.h"
#include "edudma_regs.h"

/*
 * The factorial is computed by a QEMU host thread, not on a virtual timer.
 * Under icount with sleep=off an idle guest's clock jumps straight to its
 * next timer, so a timeout in virtual time can expire before the host has
 * even scheduled that thread.  Wait in short steps instead and count them:
 * each step lets the host run, and the cap (timeout_ms / 4 steps, at least
 * EDUDMA_FACT_MIN_STEPS) still ends the wait on a device that is dead.
 */
#define EDUDMA_FACT_STEP_MS	4
#define EDUDMA_FACT_MIN_STEPS	25000

static bool edudma_fact_busy(struct edudma_dev *edev)
{
	u32 status = ioread32(edev->bar + EDU_REG_STATUS);

	return status != U32_MAX && (status & EDU_STATUS_COMPUTING);
}

/* Waits for the interrupt, or for the device to say it is done. */
static int edudma_fact_wait(struct edudma_dev *edev, bool want_irq)
{
	unsigned long steps = max_t(unsigned long, EDUDMA_FACT_MIN_STEPS,
				    READ_ONCE(edudma_timeout_ms) /
				    EDUDMA_FACT_STEP_MS);
	unsigned long step = msecs_to_jiffies(EDUDMA_FACT_STEP_MS);
	long ret;

	while (steps--) {
		if (want_irq) {
			ret = wait_for_completion_killable_timeout(&edev->fact_done,
								   step);
			if (ret < 0)
				return -EINTR;
		} else if (msleep_interruptible(EDUDMA_FACT_STEP_MS) &&
			   fatal_signal_pending(current)) {
			return -EINTR;
		}
		/*
		 * The status register decides, not the interrupt: a wait that
		 * ended on the status may leave its interrupt to arrive during
		 * the next computation, whose completion it would then fake.
		 */
		if (!edudma_fact_busy(edev))
			return 0;
	}
	return -ETIMEDOUT;
}

int edudma_ioctl_factorial(struct edudma_dev *edev, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_factorial, result);
	struct edudma_factorial arg;
	int ret;

	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;

	if (mutex_lock_killable(&edev->fact_lock))
		return -EINTR;
	/* A computation whose caller was killed may still be running. */
	if (edudma_fact_busy(edev)) {
		ret = edudma_fact_wait(edev, false);
		if (ret)
			goto out;
	}
	reinit_completion(&edev->fact_done);
	iowrite32(EDU_STATUS_IRQ_FACT, edev->bar + EDU_REG_STATUS);
	iowrite32(arg.n, edev->bar + EDU_REG_FACTORIAL);

	ret = edudma_fact_wait(edev, true);
	if (ret)
		goto out;
	arg.result = ioread32(edev->bar + EDU_REG_FACTORIAL);
	edudma_stat_add(edev, factorials, 1);
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
