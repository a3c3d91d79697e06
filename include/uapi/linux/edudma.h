/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edudma: user API of the edudma driver for QEMU's "edu" PCI device.
 *
 * This header is the one contract between the kernel driver, libedudma and
 * the tests; all three compile this very file.
 *
 * Conventions (the VFIO way, see Documentation/uapi.md):
 *  - every ioctl is _IO(EDUDMA_TYPE, EDUDMA_BASE + n) and takes a pointer to
 *    a struct that starts with __u32 argsz and __u32 flags;
 *  - userspace sets argsz to sizeof(struct); the driver reads the fields up
 *    to its own idea of the struct's end (minsz) and fails with EINVAL when
 *    argsz < minsz, when flags has a bit it does not know, or when a
 *    reserved field is not zero;
 *  - an unknown ioctl number fails with ENOTTY;
 *  - user pointers travel as __u64; no field has a size that depends on the
 *    ABI (no long, no pointer, no bool, no enum).
 */
#ifndef _UAPI_LINUX_EDUDMA_H
#define _UAPI_LINUX_EDUDMA_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define EDUDMA_API_VERSION	1

#define EDUDMA_TYPE		'E'
#define EDUDMA_BASE		0x40

/* ------------------------------------------------------------------------
 * EDUDMA_GET_INFO: describe the device behind this file.
 *
 * in:  argsz, flags (must be 0)
 * out: everything else
 * errors: EFAULT (bad pointer), EINVAL (argsz, flags), ENODEV (removed)
 */
struct edudma_device_info {
	__u32 argsz;
	__u32 flags;
	__u32 api_version;	/* EDUDMA_API_VERSION of the driver */
	__u32 caps;		/* EDUDMA_CAP_* */
	__u32 ident;		/* identification register (0x010000ed) */
	__u32 liveness;		/* ~value read back from the liveness check */
	__u32 irq_mode;		/* EDUDMA_IRQ_* */
	__u32 pci_domain;
	__u32 pci_bus;		/* bus number */
	__u32 pci_devfn;	/* PCI_SLOT() << 3 | PCI_FUNC() */
	__aligned_u64 bar_size;		/* BAR0 length in bytes */
	__aligned_u64 dma_window;	/* device address of the DMA buffer */
	__u32 dma_window_size;		/* bytes of the device's DMA buffer */
	__u32 max_transfer;		/* largest single DMA the driver issues */
	__aligned_u64 dma_mask;		/* DMA mask the driver set */
	__u32 minor;			/* N of /dev/edudmaN */
	__u32 reserved;
};

/* caps */
#define EDUDMA_CAP_LIVE		(1U << 0)	/* liveness check passed */
#define EDUDMA_CAP_IOMMU	(1U << 1)	/* DMA goes through an IOMMU */

/* irq_mode */
#define EDUDMA_IRQ_NONE		0
#define EDUDMA_IRQ_MSI		1
#define EDUDMA_IRQ_INTX		2

#define EDUDMA_GET_INFO		_IO(EDUDMA_TYPE, EDUDMA_BASE + 0)

#endif /* _UAPI_LINUX_EDUDMA_H */
