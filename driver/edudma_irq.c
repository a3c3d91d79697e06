// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: interrupt vector set-up (MSI preferred, INTx fallback) and the
 * interrupt handler.
 */
#include <linux/error-injection.h>
#include <linux/interrupt.h>
#include <linux/module.h>

#include "edudma.h"
#include "edudma_compat.h"
#include "edudma_regs.h"

static bool use_msi = true;
module_param(use_msi, bool, 0444);
MODULE_PARM_DESC(use_msi, "Use MSI when the device offers it (default: true); false forces INTx");

static irqreturn_t edudma_irq_handler(int irq, void *data)
{
	struct edudma_dev *edev = data;
	u32 status;

	status = ioread32(edev->bar + EDU_REG_IRQ_STATUS);
	if (!status || status == U32_MAX)
		return IRQ_NONE;	/* a shared INTx line, or gone */
	iowrite32(status, edev->bar + EDU_REG_IRQ_ACK);

	if (status & EDU_IRQ_DMA)
		edudma_engine_dma_irq(edev);
	if (status & EDU_IRQ_FACT)
		edudma_factorial_irq(edev);
	return IRQ_HANDLED;
}

/*
 * Allocates one vector (released by pcim with the device) and installs the
 * handler, which edudma_irq_teardown() removes before edev can go away.
 */
int edudma_irq_setup(struct edudma_dev *edev)
{
	struct pci_dev *pdev = edev->pdev;
	unsigned int types = PCI_IRQ_INTX;
	int ret;

	if (use_msi)
		types |= PCI_IRQ_MSI;
	ret = pci_alloc_irq_vectors(pdev, 1, 1, types);
	if (ret < 0)
		return ret;

	edev->irq = pci_irq_vector(pdev, 0);
	edev->irq_mode = pdev->msi_enabled ? EDUDMA_IRQ_MSI : EDUDMA_IRQ_INTX;

	return request_irq(edev->irq, edudma_irq_handler,
			   edev->irq_mode == EDUDMA_IRQ_INTX ? IRQF_SHARED : 0,
			   EDUDMA_NAME, edev);
}

ALLOW_ERROR_INJECTION(edudma_irq_setup, ERRNO);

void edudma_irq_teardown(struct edudma_dev *edev)
{
	free_irq(edev->irq, edev);
}
