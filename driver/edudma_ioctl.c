// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: ioctl dispatch.  One function per command; every command
 * validates its argument the same way (see Documentation/uapi.md).
 */
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "edudma.h"
#include "edudma_regs.h"

static int edudma_ioctl_get_info(struct edudma_dev *edev, void __user *uarg)
{
	struct edudma_device_info info;
	const size_t minsz = offsetofend(struct edudma_device_info, reserved);
	u32 argsz;
	int ret;

	ret = edudma_copy_args(&info, minsz, uarg);
	if (ret)
		return ret;
	if (info.flags)
		return -EINVAL;
	argsz = info.argsz;

	memset(&info, 0, sizeof(info));
	info.argsz = argsz;	/* left as the caller set it */
	info.api_version = EDUDMA_API_VERSION;
	info.ident = edev->ident;
	info.liveness = edev->liveness;
	if (device_iommu_mapped(&edev->pdev->dev))
		info.caps |= EDUDMA_CAP_IOMMU;
	info.irq_mode = edev->irq_mode;
	info.pci_domain = pci_domain_nr(edev->pdev->bus);
	info.pci_bus = edev->pdev->bus->number;
	info.pci_devfn = edev->pdev->devfn;
	info.bar_size = edev->bar_len;
	info.dma_window = EDU_DMA_WINDOW;
	info.dma_window_size = EDU_DMA_WINDOW_SIZE;
	info.max_transfer = edev->dma_end;
	info.dma_mask = edev->dma_mask;
	info.minor = edev->minor;

	if (copy_to_user(uarg, &info, minsz))
		return -EFAULT;
	return 0;
}

/*
 * Every command runs with edev->state_lock held for reading, so remove()
 * waits for it (after waking any wait inside) before it takes the hardware
 * and the DMA mappings away.
 */
long edudma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edudma_file *efile = file->private_data;
	struct edudma_dev *edev = efile->edev;
	void __user *uarg = (void __user *)arg;
	long ret;

	down_read(&edev->state_lock);
	if (edudma_removed(edev)) {
		ret = -ENODEV;
		goto out;
	}

	switch (cmd) {
	case EDUDMA_GET_INFO:
		ret = edudma_ioctl_get_info(edev, uarg);
		break;
	case EDUDMA_REG_MR:
		ret = edudma_ioctl_reg_mr(efile, uarg);
		break;
	case EDUDMA_DEREG_MR:
		ret = edudma_ioctl_dereg_mr(efile, uarg);
		break;
	case EDUDMA_XFER:
		ret = edudma_ioctl_xfer(efile, uarg);
		break;
	case EDUDMA_SET_EVENTFD:
		ret = edudma_ioctl_set_eventfd(efile, uarg);
		break;
	case EDUDMA_FACTORIAL:
		ret = edudma_ioctl_factorial(edev, uarg);
		break;
	case EDUDMA_GET_STATS:
		ret = edudma_ioctl_get_stats(edev, uarg);
		break;
	case EDUDMA_PREFETCH:
		ret = edudma_ioctl_prefetch(efile, uarg);
		break;
	case EDUDMA_GET_EVENTS:
		ret = edudma_ioctl_get_events(efile, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
out:
	up_read(&edev->state_lock);
	return ret;
}
