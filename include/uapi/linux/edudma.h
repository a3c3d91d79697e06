/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edudma: user API of the edudma driver for QEMU's "edu" PCI device.
 *
 * This header is the one contract between the kernel driver, libedudma and
 * the tests; all three compile this very file.
 *
 * Conventions (the VFIO way, see Documentation/uapi.md):
 *  - every ioctl is _IO(EDUDMA_TYPE, EDUDMA_BASE + n) (0xB9, 0x40 + n) and
 *    takes a pointer to a struct that starts with __u32 argsz and __u32
 *    flags;
 *  - userspace sets argsz to sizeof(struct); the driver reads the fields up
 *    to its own idea of the struct's end (minsz) and fails with EINVAL when
 *    argsz < minsz, when flags has a bit it does not know, or when a
 *    reserved input field is not zero (GET_INFO's reserved is an output);
 *  - a field an ioctl does not use for the request at hand must be 0
 *    (EINVAL otherwise), so that it can be given a meaning later;
 *  - a range [addr, addr + length) must end below 2^64: one that ends
 *    exactly at 2^64 counts as an overflow (EINVAL);
 *  - arguments are checked before anything is pinned or queued (the order
 *    is in Documentation/uapi.md); a call that fails holds no pin;
 *  - an unknown ioctl number fails with ENOTTY;
 *  - user pointers travel as __u64; no field has a size that depends on the
 *    ABI (no long, no pointer, no bool, no enum).
 */
#ifndef _UAPI_LINUX_EDUDMA_H
#define _UAPI_LINUX_EDUDMA_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * 2: ioctl type 0xB9, EDUDMA_CAP_LIVE and EDUDMA_IRQ_NONE gone, and the
 * benchmark floor (BENCH_PIN) moved out of the uAPI to debugfs.
 * 3: on-demand registrations (EDUDMA_REG_ON_DEMAND, EDUDMA_PREFETCH, the
 * odp_* counters of EDUDMA_GET_STATS).
 * 4: stale pinned registrations (ESTALE, EDUDMA_REG_NO_STALE,
 * EDUDMA_GET_EVENTS, EPOLLPRI, the stale and watch_checks counters).
 */
#define EDUDMA_API_VERSION	4

/*
 * 0xB9: free in the kernel's Documentation/userspace-api/ioctl/
 * ioctl-number.rst (6.1 and later lists: 0xB8 is mshv and mrvl_cn10k_dpi,
 * 0xBA liveupdate); 'E', used before, is linux/input.h's (EVIOC*).
 * Numbers 0x40-0x4f.
 */
#define EDUDMA_TYPE		0xB9
#define EDUDMA_BASE		0x40

/* ------------------------------------------------------------------------
 * EDUDMA_GET_INFO - _IO(EDUDMA_TYPE, EDUDMA_BASE + 0), struct edudma_device_info
 *
 * Describes the device behind this file.
 *
 * in:  argsz, flags (must be 0)
 * out: everything else, reserved included (written 0 whatever it held)
 * errors: EFAULT (bad pointer), EINVAL (argsz, flags), ENODEV (removed)
 */
struct edudma_device_info {
	__u32 argsz;
	__u32 flags;
	__u32 api_version;	/* EDUDMA_API_VERSION of the driver */
	__u32 caps;
	/* bit 0 is never set: it said "liveness check passed" in API 1 */
#define EDUDMA_CAP_IOMMU	(1U << 1)	/* DMA goes through an IOMMU */
	__u32 ident;		/* identification register (0x010000ed) */
	__u32 liveness;		/* ~value read back from the liveness check */
	__u32 irq_mode;
#define EDUDMA_IRQ_MSI		1
#define EDUDMA_IRQ_INTX		2
	__u32 pci_domain;
	__u32 pci_bus;		/* bus number */
	__u32 pci_devfn;	/* PCI_SLOT() << 3 | PCI_FUNC() */
	__aligned_u64 bar_size;		/* BAR0 length in bytes */
	__aligned_u64 dma_window;	/* device address of the DMA buffer */
	__u32 dma_window_size;		/* bytes of the device's DMA buffer */
	__u32 max_transfer;		/* largest single DMA the driver issues */
	__aligned_u64 dma_mask;		/* DMA mask the driver set */
	__u32 minor;			/* N of /dev/edudmaN */
	__u32 reserved;			/* out: 0 */
};

#define EDUDMA_GET_INFO		_IO(EDUDMA_TYPE, EDUDMA_BASE + 0)

/* ------------------------------------------------------------------------
 * EDUDMA_REG_MR - _IO(EDUDMA_TYPE, EDUDMA_BASE + 1), struct edudma_reg_mr
 *
 * Registers user memory (RDMA's reg_mr, VFIO's MAP_DMA).
 *
 * Pins [addr, addr + length) long-term, charges it to RLIMIT_MEMLOCK,
 * builds a scatterlist and maps it for the device.  Any alignment; the
 * handle is valid only on the file that made it.  Writable memory is
 * pinned for writing even for DEV_READ alone, mapping by mapping; only the
 * parts that cannot be written are pinned read-only.  The registration
 * holds the pages, not the addresses: after mremap or munmap it still
 * holds them, and memory mapped anew at the address is not the
 * registration's.
 *
 * With EDUDMA_REG_ON_DEMAND the registration pins nothing and charges
 * nothing: it follows the address space (Documentation/uapi.md, "On-demand
 * registrations").  Each transfer faults and maps the pages it needs with
 * the access it needs, and an invalidation (munmap, migration, swap-out,
 * copy-on-write ...) unmaps them until the next transfer faults them again.
 * The range need not be mapped, or even fit in memory; memory mapped anew
 * at the address is the registration's.  Such a registration reports
 * nr_pages 0 and nr_segments 0.
 *
 * in:  argsz, flags (EDUDMA_ACCESS_*, at least one, and
 *      EDUDMA_REG_ON_DEMAND or EDUDMA_REG_NO_STALE), addr, length
 * out: handle, nr_pages (pages pinned), nr_segments (DMA segments)
 * errors: EINVAL (argsz, flags, both ON_DEMAND and NO_STALE, length 0,
 *                 addr + length overflows or is exactly 2^64),
 *         EFAULT (not mapped, or not accessible as asked: read-only memory
 *                 with EDUDMA_ACCESS_DEV_WRITE, PROT_NONE; on demand: the
 *                 range reaches past the user address space),
 *         ENOMEM (over RLIMIT_MEMLOCK without CAP_IPC_LOCK, or no memory),
 *         ENOSPC (the file's max_regions or max_pinned_mb budget is used;
 *                 max_pinned_mb counts the pages a range touches),
 *         ERANGE (a page lies above the DMA mask and no IOMMU remaps it),
 *         EIO (the DMA API refused the mapping for another reason than
 *              memory; logged),
 *         ENODEV (device removed)
 */
struct edudma_reg_mr {
	__u32 argsz;
	__u32 flags;
#define EDUDMA_ACCESS_DEV_READ	(1U << 0)	/* the device reads the memory */
#define EDUDMA_ACCESS_DEV_WRITE	(1U << 1)	/* the device writes the memory */
#define EDUDMA_ACCESS_MASK	(EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE)
#define EDUDMA_REG_ON_DEMAND	(1U << 2)	/* pin nothing: on-demand paging */
#define EDUDMA_REG_NO_STALE	(1U << 3)	/* pinned, never stale, no event */
#define EDUDMA_REG_MASK		(EDUDMA_ACCESS_MASK | EDUDMA_REG_ON_DEMAND | \
				 EDUDMA_REG_NO_STALE)
	__aligned_u64 addr;	/* user virtual address */
	__aligned_u64 length;	/* bytes, > 0 */
	__u32 handle;		/* out */
	__u32 nr_segments;	/* out */
	__aligned_u64 nr_pages;	/* out */
};

#define EDUDMA_REG_MR		_IO(EDUDMA_TYPE, EDUDMA_BASE + 1)

/* ------------------------------------------------------------------------
 * EDUDMA_DEREG_MR - _IO(EDUDMA_TYPE, EDUDMA_BASE + 2), struct edudma_dereg_mr
 *
 * Unmaps, unpins (dirtying pages the device could write) and returns the
 * memlock charge.
 *
 * in:  argsz, flags (0), handle
 * errors: EFAULT (bad pointer), EINVAL (argsz, flags, reserved),
 *         ENOENT (no such handle on this file),
 *         EBUSY (transfers on the region are queued or running; once they
 *         have finished the region may go, their records still unread),
 *         ENODEV (removed)
 */
struct edudma_dereg_mr {
	__u32 argsz;
	__u32 flags;
	__u32 handle;
	__u32 reserved;		/* 0 */
};

#define EDUDMA_DEREG_MR		_IO(EDUDMA_TYPE, EDUDMA_BASE + 2)

/* ------------------------------------------------------------------------
 * EDUDMA_XFER - _IO(EDUDMA_TYPE, EDUDMA_BASE + 3), struct edudma_xfer
 *
 * Moves data through the device.
 *
 * op EDUDMA_OP_TO_DEV:   memory (src) -> device buffer [dev_offset, +length)
 * op EDUDMA_OP_FROM_DEV: device buffer [dev_offset, +length) -> memory (dst)
 * op EDUDMA_OP_COPY:     memory (src) -> memory (dst), any length, through
 *                        the device buffer (which it overwrites: see
 *                        Documentation/uapi.md, "the device buffer")
 *
 * A memory side is a registration (src_handle/dst_handle, and src/dst an
 * offset into it) or, with EDUDMA_XFER_SRC_PTR / EDUDMA_XFER_DST_PTR, a
 * plain user address in src/dst pinned only for this transfer (one-shot;
 * its handle must then be 0).  TO_DEV and FROM_DEV need dev_offset +
 * length <= max_transfer (4095, or 4096 on QEMU 9.1 and later).  Fields
 * the op does not use must be 0: the dst fields and DST_PTR for TO_DEV,
 * the src fields and SRC_PTR for FROM_DEV, dev_offset for COPY.  cookie is
 * not used by a synchronous transfer.
 *
 * Synchronous (default): returns when the data has moved, or with the
 * error.  With EDUDMA_XFER_ASYNC: returns at once; a struct
 * edudma_completion carrying cookie is later read() from the file.
 *
 * Checked in this order: the struct (EINVAL), then for the source and then
 * the destination its handle (ENOENT), access (EACCES) and range (EINVAL),
 * then whether it is stale (ESTALE), then the limits (a one-shot side
 * over max_pinned_mb: ENOSPC; async:
 * EAGAIN), and only then are one-shot sides pinned and mapped (EFAULT,
 * ENOMEM, ERANGE, EIO).  Every error is the ioctl's own, async or not: a completion
 * record reports only what happens after queuing.
 *
 * errors: EINVAL (argsz, flags, op, a field the op does not use not 0,
 *         length 0, range outside the region or the device buffer,
 *         overflow), ENOENT (unknown handle), EACCES (region lacks the
 *         access the op needs: DEV_READ for a source, DEV_WRITE for a
 *         destination), ESTALE (a pinned registration is stale: its
 *         range no longer maps its pages), ENOSPC/EFAULT/ENOMEM/ERANGE/EIO (as EDUDMA_REG_MR,
 *         one-shot sides; and for an on-demand side, once the transfer
 *         runs: EFAULT where its memory is not mapped or lacks the access,
 *         ERANGE where a page is above the DMA mask without an IOMMU,
 *         ENOMEM, EIO), EAGAIN (async: max_inflight completions not yet
 *         read), EINTR (sync wait interrupted by a signal, or by a stop
 *         and SIGCONT; the device is stopped before return), ETIMEDOUT (the
 *         device did not finish within the timeout_ms parameter), ENODEV
 *         (device removed), ECANCELED (in completions only: cancelled)
 */
struct edudma_xfer {
	__u32 argsz;
	__u32 flags;
#define EDUDMA_XFER_ASYNC	(1U << 0)
#define EDUDMA_XFER_SRC_PTR	(1U << 1)
#define EDUDMA_XFER_DST_PTR	(1U << 2)
#define EDUDMA_XFER_MASK	(EDUDMA_XFER_ASYNC | EDUDMA_XFER_SRC_PTR | \
				 EDUDMA_XFER_DST_PTR)
	__u32 op;
#define EDUDMA_OP_TO_DEV	1
#define EDUDMA_OP_FROM_DEV	2
#define EDUDMA_OP_COPY		3
	__u32 dev_offset;	/* TO_DEV, FROM_DEV: offset in device buffer */
	__aligned_u64 length;
	__aligned_u64 cookie;	/* ASYNC: returned in the completion */
	__u32 src_handle;
	__u32 dst_handle;
	__aligned_u64 src;	/* offset in src_handle, or address (SRC_PTR) */
	__aligned_u64 dst;	/* offset in dst_handle, or address (DST_PTR) */
};

#define EDUDMA_XFER		_IO(EDUDMA_TYPE, EDUDMA_BASE + 3)

/*
 * What read() on the file returns: one record per finished asynchronous
 * transfer, as many as wait and fit in the buffer (EINVAL if not even one
 * fits).  read() blocks until one is there, unless O_NONBLOCK (then
 * EAGAIN); poll()/epoll report EPOLLIN while records wait.  status is 0,
 * -ETIMEDOUT, -ENODEV, -ECANCELED or -EIO, and for a transfer with an
 * on-demand side also -EFAULT, -ERANGE or -ENOMEM.  poll()/epoll also
 * report EPOLLPRI while EDUDMA_GET_EVENTS has events to hand out; read()
 * never returns those.  bytes counts from the
 * start of the transfer: on -EFAULT or -ERANGE of an on-demand side it is
 * where the bad page begins, and nothing past it was moved.
 */
struct edudma_completion {
	__aligned_u64 cookie;
	__s32 status;		/* 0 or -errno */
	__u32 reserved;
	__aligned_u64 bytes;	/* bytes moved before the end or the error */
};

/* ------------------------------------------------------------------------
 * EDUDMA_SET_EVENTFD - _IO(EDUDMA_TYPE, EDUDMA_BASE + 4), struct edudma_eventfd
 *
 * Signals an eventfd (+1) for every completion posted and every event
 * queued for EDUDMA_GET_EVENTS (the lost-events record included).
 * in: argsz, flags (0), fd (an eventfd, or -1 to detach)
 * errors: EFAULT (bad pointer), EINVAL (argsz, flags, reserved),
 *         EBADF (not an eventfd), ENODEV (removed)
 */
struct edudma_eventfd {
	__u32 argsz;
	__u32 flags;
	__s32 fd;
	__u32 reserved;
};

#define EDUDMA_SET_EVENTFD	_IO(EDUDMA_TYPE, EDUDMA_BASE + 4)

/* ------------------------------------------------------------------------
 * EDUDMA_FACTORIAL - _IO(EDUDMA_TYPE, EDUDMA_BASE + 5), struct edudma_factorial
 *
 * The device computes n! (modulo 2^32), completed by
 * interrupt.  A caught signal does not interrupt it (it ends within
 * timeout_ms); a fatal one ends the process.
 * in: argsz, flags (0), n;  out: result
 * errors: EFAULT, EINVAL, ETIMEDOUT, ENODEV
 */
struct edudma_factorial {
	__u32 argsz;
	__u32 flags;
	__u32 n;
	__u32 result;
};

#define EDUDMA_FACTORIAL	_IO(EDUDMA_TYPE, EDUDMA_BASE + 5)

/* ------------------------------------------------------------------------
 * EDUDMA_GET_STATS - _IO(EDUDMA_TYPE, EDUDMA_BASE + 6), struct edudma_stats
 *
 * The device's counters (also in sysfs, under
 * /sys/class/edudma/edudmaN/stats/).
 * in: argsz, flags (0);  out: the rest
 * errors: EFAULT (bad pointer), EINVAL (argsz, flags), ENODEV (removed)
 */
struct edudma_stats {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 regions;		/* registrations now */
	__aligned_u64 pinned_pages;	/* pages pinned now (regions, one-shot) */
	__aligned_u64 reg_total;	/* registrations ever made */
	__aligned_u64 bytes_to_dev;	/* DMA bytes memory -> device */
	__aligned_u64 bytes_from_dev;	/* DMA bytes device -> memory */
	__aligned_u64 dma_to_dev;	/* DMA operations memory -> device */
	__aligned_u64 dma_from_dev;	/* DMA operations device -> memory */
	__aligned_u64 xfers;		/* transfers ended (any status) */
	__aligned_u64 errors;		/* of those, not with 0 (cancelled too) */
	__aligned_u64 timeouts;		/* of those, timeouts */
	__aligned_u64 queue_depth;	/* transfers queued or running now */
	__aligned_u64 factorials;
	/* On-demand registrations; written when argsz reaches them. */
	__aligned_u64 odp_faults;	/* fault rounds (hmm_range_fault()) */
	__aligned_u64 odp_pages_faulted; /* pages those rounds mapped */
	__aligned_u64 odp_invalidations; /* invalidations that unmapped pages */
	__aligned_u64 odp_retries;	/* rounds repeated: an invalidation raced */
	__aligned_u64 odp_pages_mapped;	/* on-demand pages mapped now */
	/* Stale registrations (API 4); written when argsz reaches them. */
	__aligned_u64 stale;		/* registrations found stale */
	__aligned_u64 watch_checks;	/* ranges checked after invalidations */
};

#define EDUDMA_GET_STATS	_IO(EDUDMA_TYPE, EDUDMA_BASE + 6)

/* ------------------------------------------------------------------------
 * EDUDMA_PREFETCH - _IO(EDUDMA_TYPE, EDUDMA_BASE + 7), struct edudma_prefetch
 *
 * Faults and maps [offset, offset + length) of an on-demand registration
 * now, as a transfer would (the idea of ibv_advise_mr()'s PREFETCH), so
 * that transfers over it start without a fault.  Advice only: any later
 * invalidation unmaps the pages again.  Runs in the caller; a fatal
 * signal stops it.
 *
 * in:  argsz, flags (EDUDMA_PREFETCH_WRITE: for device writes, which needs
 *      DEV_WRITE access; without it, for device reads), handle, offset,
 *      length
 * out: bytes (from offset, faulted and mapped; on an error, up to where
 *      the bad page begins)
 * errors: EFAULT (bad pointer; a page not mapped or without the access),
 *         EINVAL (argsz, flags, reserved, length 0, range outside the
 *         region, a pinned registration), ENOENT (no such handle),
 *         EACCES (EDUDMA_PREFETCH_WRITE without DEV_WRITE access),
 *         ERANGE (a page above the DMA mask without an IOMMU), ENOMEM,
 *         EIO (the DMA API refused a mapping; logged), EINTR (fatal
 *         signal), ENODEV (removed)
 */
struct edudma_prefetch {
	__u32 argsz;
	__u32 flags;
#define EDUDMA_PREFETCH_WRITE	(1U << 0)
	__u32 handle;
	__u32 reserved;		/* 0 */
	__aligned_u64 offset;	/* in the region */
	__aligned_u64 length;
	__aligned_u64 bytes;	/* out */
};

#define EDUDMA_PREFETCH		_IO(EDUDMA_TYPE, EDUDMA_BASE + 7)

/* ------------------------------------------------------------------------
 * EDUDMA_GET_EVENTS - _IO(EDUDMA_TYPE, EDUDMA_BASE + 8), struct edudma_get_events
 *
 * Hands out the file's queued events, oldest first, up to count of them,
 * into the array at events; never waits.  First it checks every
 * registration of the file that an invalidation touched since its last
 * check, so an event whose cause (the munmap ...) returned before this
 * call is among them.  Each stale registration is queued once, and an
 * event leaves the queue only once copied out; DEREG_MR (and close) of a
 * registration drops its event if it is still queued.  The queue holds
 * at most the max_events module parameter's events: a registration found
 * stale when it is full is still stale (ESTALE) but not queued, and the
 * next call hands out one EDUDMA_EVENT_LOST record first, which means
 * "any registration may be stale".  count 0 only reports pending.
 *
 * in:  argsz, flags (0), count, events (pointer to count struct
 *      edudma_event)
 * out: count (records written), pending (records still queued)
 * errors: EFAULT (bad pointer), EINVAL (argsz, flags), ENOMEM, EINTR
 *         (fatal signal during the check), ENODEV (removed)
 */
struct edudma_event {
	__u32 type;
#define EDUDMA_EVENT_STALE	1	/* handle's registration is stale */
#define EDUDMA_EVENT_LOST	2	/* events were dropped: flush all */
	__u32 handle;		/* STALE: the registration; LOST: 0 */
	__aligned_u64 addr;	/* STALE: its addr and length; LOST: 0 */
	__aligned_u64 length;
};

struct edudma_get_events {
	__u32 argsz;
	__u32 flags;
	__u32 count;		/* in: room in events; out: written */
	__u32 pending;		/* out: records still queued */
	__aligned_u64 events;	/* user pointer to struct edudma_event[] */
};

#define EDUDMA_GET_EVENTS	_IO(EDUDMA_TYPE, EDUDMA_BASE + 8)

#endif /* _UAPI_LINUX_EDUDMA_H */
