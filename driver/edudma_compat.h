/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma: the differences between the kernels the driver is built for
 * (Debian 12's 6.1, bookworm-backports' 6.12 and its PREEMPT_RT flavour),
 * all of them, and only here: no .c file tests a kernel version.  The .c
 * files are written against the newest kernel's API; each helper below
 * gives an older kernel the same names and semantics, keyed on
 * LINUX_VERSION_CODE, with the version the difference came in.
 *
 * Differences that need no code:
 * - no_llseek is gone in 6.12; it has been "#define no_llseek NULL" since
 *   6.0, and a NULL .llseek with nonseekable_open() fails lseek() with
 *   ESPIPE on every kernel, so the file operations leave .llseek out.
 */
#ifndef EDUDMA_COMPAT_H
#define EDUDMA_COMPAT_H

#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/errno.h>
#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/version.h>

/*
 * Whether the kernel built for is at least KERNEL_VERSION(a, b, c).  The
 * version is LINUX_VERSION_CODE, spelt from its parts in linux/version.h
 * (the same value): checkpatch, which tests/lint runs on this file, warns
 * at every mention of LINUX_VERSION_CODE, a rule for in-tree code.
 */
#define EDUDMA_KERNEL_CODE	KERNEL_VERSION(LINUX_VERSION_MAJOR,	\
					       LINUX_VERSION_PATCHLEVEL,	\
					       LINUX_VERSION_SUBLEVEL)
#define EDUDMA_KERNEL_SINCE(a, b, c)	(KERNEL_VERSION(a, b, c) <= EDUDMA_KERNEL_CODE)

#if EDUDMA_KERNEL_SINCE(6, 12, 0)
#include <linux/iommu-dma.h>
#endif

/*
 * 6.4: class_create() lost its struct module * argument (the class
 * belongs to the caller's module anyway).
 */
static inline struct class *edudma_class_create(const char *name)
{
#if EDUDMA_KERNEL_SINCE(6, 4, 0)
	return class_create(name);
#else
	return class_create(THIS_MODULE, name);
#endif
}

/*
 * 6.8: PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX (the old name stayed as an
 * alias until 6.10).  Same bit.
 */
#if !EDUDMA_KERNEL_SINCE(6, 8, 0)
#define PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

/*
 * 6.8: eventfd_signal() lost its count argument (it always adds 1) and
 * returns nothing.
 */
static inline void edudma_eventfd_signal(struct eventfd_ctx *ctx)
{
#if EDUDMA_KERNEL_SINCE(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * 6.12: dma_set_max_seg_size() returns void and warns when the device has
 * no dma_parms (before, it returned -EIO).  A PCI device always has them,
 * so the old error is a warning here too.
 */
static inline void edudma_dma_set_max_seg_size(struct device *dev,
					       unsigned int size)
{
#if EDUDMA_KERNEL_SINCE(6, 12, 0)
	dma_set_max_seg_size(dev, size);
#else
	WARN_ON_ONCE(dma_set_max_seg_size(dev, size));
#endif
}

/*
 * Whether the DMA API maps for dev by dma-direct (physical addresses, under
 * the mask or bounced), rather than through an IOMMU or other dma_map_ops.
 * 6.12 calls dma-iommu directly: an IOMMU-translated device has no
 * dma_ops any more, only dev->dma_iommu (use_dma_iommu()).  Before 6.12,
 * dma-iommu was one of the dma_map_ops.
 */
static inline bool edudma_dma_is_direct(struct device *dev)
{
#if EDUDMA_KERNEL_SINCE(6, 12, 0)
	if (use_dma_iommu(dev))
		return false;
#endif
	return !get_dma_ops(dev);
}

/*
 * pin_user_pages_fast() with the errors of 6.1 on every kernel, the ones
 * the user API documents (Documentation/uapi.md): REG_MR, BENCH_PIN and
 * one-shot XFER sides all pin here.  mm/gup.c of 6.12 returns three that
 * 6.1's does not:
 * - EOVERFLOW when start + nr_pages pages wraps past the top of the
 *   address space (gup_fast_fallback(); e.g. a range in the last page,
 *   0xfffffffffffff000).  6.1 returned 0 pages pinned there, which the
 *   caller turns into EFAULT: the memory is not mapped.
 * - EREMOTEIO for PCI peer-to-peer memory, which userspace can map since
 *   6.2 (try_grab_folio(), only with CONFIG_PCI_P2PDMA, which Debian's
 *   6.12 lacks): EFAULT, memory that cannot be pinned as asked.
 * - EAGAIN when the mmap lock cannot be taken for a fatal signal
 *   (__get_user_pages_locked(); 6.1's slow path took it unkillably and
 *   stopped with EINTR at the next page): EINTR, which no process sees.
 * 6.1 returns none of these, so the mapping needs no version test.
 */
static inline int edudma_pin_user_pages_fast(unsigned long start,
					     int nr_pages,
					     unsigned int gup_flags,
					     struct page **pages)
{
	int ret = pin_user_pages_fast(start, nr_pages, gup_flags, pages);

	switch (ret) {
	case -EOVERFLOW:
	case -EREMOTEIO:
		return -EFAULT;
	case -EAGAIN:
		return -EINTR;
	default:
		return ret;
	}
}

/*
 * 6.5: get_user_pages_remote() lost its vmas argument (no caller may keep
 * a VMA pointer past the mmap lock any more).
 */
static inline long edudma_get_user_pages_remote(struct mm_struct *mm,
						unsigned long start,
						unsigned long nr_pages,
						unsigned int gup_flags,
						struct page **pages)
{
#if EDUDMA_KERNEL_SINCE(6, 5, 0)
	return get_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL);
#else
	return get_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL, NULL);
#endif
}

#endif /* EDUDMA_COMPAT_H */
