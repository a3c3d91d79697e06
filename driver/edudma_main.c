// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: module entry points and the PCI driver (probe and remove).
 */
#include <linux/dma-mapping.h>
#include <linux/dmi.h>
#include <linux/error-injection.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <uapi/linux/edudma.h>

#include "edudma.h"
#include "edudma_compat.h"
#include "edudma_regs.h"
#include "edudma_trace.h"

static unsigned int dma_bits = EDU_DEFAULT_DMA_BITS;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "DMA address bits the device can reach (default 28, the edu device's own mask; raise it only together with QEMU's -device edu,dma_mask=...)");

unsigned int edudma_timeout_ms = 1000;
module_param_named(timeout_ms, edudma_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "A DMA or factorial not finished after this many ms fails with ETIMEDOUT (default 1000; each DMA takes 100 ms on the device)");

unsigned int edudma_max_regions = 1024;
module_param_named(max_regions, edudma_max_regions, uint, 0644);
MODULE_PARM_DESC(max_regions, "Registrations per open file (default 1024); more fail with ENOSPC");

unsigned int edudma_max_pinned_mb = 2048;
module_param_named(max_pinned_mb, edudma_max_pinned_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb, "MiB registered per open file, and per one-shot side (default 2048); more fail with ENOSPC");

unsigned int edudma_max_inflight = 4096;
module_param_named(max_inflight, edudma_max_inflight, uint, 0644);
MODULE_PARM_DESC(max_inflight, "Asynchronous transfers per open file whose completions are not read yet (default 4096); more fail with EAGAIN");

unsigned int edudma_max_events = 1024;
module_param_named(max_events, edudma_max_events, uint, 0644);
MODULE_PARM_DESC(max_events, "Stale-registration events queued per open file (default 1024, max_regions' default); beyond it one lost-events record stands for the rest");

#define EDUDMA_LIVENESS_PATTERN	0x5eed1e55U

static noinline int edudma_check_hw(struct edudma_dev *edev)
{
	edev->ident = ioread32(edev->bar + EDU_REG_IDENT);
	iowrite32(EDUDMA_LIVENESS_PATTERN, edev->bar + EDU_REG_LIVENESS);
	edev->liveness = ioread32(edev->bar + EDU_REG_LIVENESS);

	if (edev->ident != EDU_IDENT_VALUE)
		pci_warn(edev->pdev, "unexpected ident 0x%08x\n", edev->ident);
	if (edev->liveness != (u32)~EDUDMA_LIVENESS_PATTERN) {
		pci_err(edev->pdev, "liveness check failed: wrote 0x%08x, read 0x%08x\n",
			EDUDMA_LIVENESS_PATTERN, edev->liveness);
		return -EIO;
	}
	return 0;
}

ALLOW_ERROR_INJECTION(edudma_check_hw, ERRNO);

/*
 * How far into its buffer one DMA may reach: 4095 bytes, or the whole 4096
 * on QEMU 9.1 and later.  The device cannot tell its version, and a DMA to
 * try would abort an older QEMU.  QEMU's firmware reports the machine type
 * as the SMBIOS product version ("pc-i440fx-7.2", "pc-q35-10.0"), and a
 * machine type of 9.1 or later exists only in QEMU 9.1 and later: the
 * whole buffer is used only then (an older machine type on a newer QEMU
 * keeps 4095, which is always safe).
 */
static u32 edudma_dma_end(void)
{
	const char *vendor = dmi_get_system_info(DMI_SYS_VENDOR);
	const char *version = dmi_get_system_info(DMI_PRODUCT_VERSION);
	unsigned int major, minor;
	const char *num;

	if (!vendor || strcmp(vendor, "QEMU") || !version ||
	    strncmp(version, "pc-", 3))
		return EDU_DMA_END_PRE_9_1;
	num = strrchr(version, '-');
	if (!num || sscanf(num + 1, "%u.%u", &major, &minor) != 2)
		return EDU_DMA_END_PRE_9_1;
	if (major > 9 || (major == 9 && minor >= 1))
		return EDU_DMA_WINDOW_SIZE;
	return EDU_DMA_END_PRE_9_1;
}

static int edudma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edudma_dev *edev;
	int ret;

	if (dma_bits < 24 || dma_bits > 64) {
		pci_err(pdev, "dma_bits=%u out of range 24..64\n", dma_bits);
		return -EINVAL;
	}

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret) {
		pci_err(pdev, "cannot use a %u-bit DMA mask\n", dma_bits);
		return ret;
	}

	/* The device has no segment limit; DMAs are cut to the buffer anyway. */
	edudma_dma_set_max_seg_size(&pdev->dev, UINT_MAX);

	ret = pcim_iomap_regions(pdev, BIT(EDU_BAR), EDUDMA_NAME);
	if (ret)
		return ret;

	edev = kzalloc(sizeof(*edev), GFP_KERNEL);
	if (!edev)
		return -ENOMEM;
	edev->pdev = pdev;
	edev->bar = pcim_iomap_table(pdev)[EDU_BAR];
	edev->bar_len = pci_resource_len(pdev, EDU_BAR);
	edev->dma_mask = DMA_BIT_MASK(dma_bits);
	edev->dma_end = edudma_dma_end();
	init_rwsem(&edev->state_lock);
	edudma_engine_init(edev);
	mutex_init(&edev->fact_lock);
	init_completion(&edev->fact_done);
	mutex_init(&edev->files_lock);
	INIT_LIST_HEAD(&edev->files);
	mutex_init(&edev->mr_lock);
	INIT_LIST_HEAD(&edev->mrs);

	ret = edudma_check_hw(edev);
	if (ret)
		goto err_free;

	ret = edudma_irq_setup(edev);
	if (ret)
		goto err_free;

	edev->state = EDUDMA_LIVE;
	pci_set_drvdata(pdev, edev);

	/*
	 * Last: from here on userspace can reach the device.  A failure
	 * leaves edev to its struct device: the IRQ goes first (the handler
	 * uses edev), then the last reference frees edev.
	 */
	ret = edudma_cdev_add(edev);
	if (ret) {
		edudma_irq_teardown(edev);
		pci_set_drvdata(pdev, NULL);
		put_device(&edev->dev);
		return ret;
	}

	pci_info(pdev, "edudma%u: ident 0x%08x, %s, %u-bit DMA%s\n",
		 edev->minor, edev->ident,
		 edev->irq_mode == EDUDMA_IRQ_MSI ? "MSI" : "INTx", dma_bits,
		 device_iommu_mapped(&pdev->dev) ? " through an IOMMU" : "");
	return 0;

err_free:
	kfree(edev);
	return ret;
}

/*
 * Also the surprise-removal path (QMP device_del): files may be open and
 * DMA running.  Pins stay until the files close; mappings and the
 * hardware go now.
 */
static void edudma_remove(struct pci_dev *pdev)
{
	struct edudma_dev *edev = pci_get_drvdata(pdev);
	u64 t0 = trace_edudma_remove_end_enabled() ? ktime_get_ns() : 0;

	trace_edudma_remove_begin(edev);
	/* First the char device, so no new file can be opened. */
	edudma_cdev_del(edev);

	/* Fail queued transfers, wake waiters, let the running DMA end. */
	edudma_engine_kill(edev);

	/* Wait for every ioctl using the hardware and fence them off. */
	down_write(&edev->state_lock);
	edudma_engine_set_gone(edev);
	edudma_mrs_unmap_all(edev);
	up_write(&edev->state_lock);

	edudma_irq_teardown(edev);
	pci_set_drvdata(pdev, NULL);
	trace_edudma_remove_end(edev, t0);
	put_device(&edev->dev);		/* open files may hold more */
}

static const struct pci_device_id edudma_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edudma_ids);

static struct pci_driver edudma_pci_driver = {
	.name		= EDUDMA_NAME,
	.id_table	= edudma_ids,
	.probe		= edudma_probe,
	.remove		= edudma_remove,
};

static int __init edudma_init(void)
{
	int ret;

	edudma_stats_init();
	ret = edudma_cdev_init();
	if (ret)
		return ret;
	ret = pci_register_driver(&edudma_pci_driver);
	if (ret) {
		edudma_cdev_exit();
		return ret;
	}
	edudma_bench_init();
	return 0;
}

static void __exit edudma_exit(void)
{
	edudma_bench_exit();
	pci_unregister_driver(&edudma_pci_driver);
	edudma_cdev_exit();
}

module_init(edudma_init);
module_exit(edudma_exit);

MODULE_DESCRIPTION("DMA with long-term pinned user memory for QEMU's edu device");
MODULE_AUTHOR("edudma developers");
MODULE_LICENSE("GPL");
