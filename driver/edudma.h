/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma: internal declarations shared by the driver's files.
 */
#ifndef EDUDMA_H
#define EDUDMA_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/types.h>

#define EDUDMA_NAME		"edudma"
#define EDUDMA_MAX_DEVICES	256

/*
 * One edu device.  The structure is reference counted through its embedded
 * struct device: probe holds one reference, every open file another, so it
 * outlives a surprise removal until the last file is closed.  After remove()
 * ->pdev and ->bar are gone; every user checks ->alive under ->state_lock.
 */
struct edudma_dev {
	struct device dev;		/* /dev/edudmaN, the refcount */
	struct cdev cdev;
	struct pci_dev *pdev;
	void __iomem *bar;
	u64 bar_len;
	u64 dma_mask;
	unsigned int minor;
	int irq;
	u32 irq_mode;			/* EDUDMA_IRQ_* */
	u32 ident;
	u32 liveness;			/* read back from the liveness check */
	bool live;			/* ... and it was the inverse */

	struct rw_semaphore state_lock;	/* read: using the hardware */
	bool alive;			/* false once remove() started */
};

/* Per open file. */
struct edudma_file {
	struct edudma_dev *edev;
};

/* edudma_cdev.c */
int edudma_cdev_init(void);
void edudma_cdev_exit(void);
int edudma_cdev_add(struct edudma_dev *edev);
void edudma_cdev_del(struct edudma_dev *edev);

/* edudma_ioctl.c */
long edudma_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* edudma_irq.c */
int edudma_irq_setup(struct edudma_dev *edev);
void edudma_irq_teardown(struct edudma_dev *edev);

#endif /* EDUDMA_H */
