/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edudma: the benchmark floor's interface, not part of the user API (the
 * way the kernel's mm/gup_test.h is not).  A root-only debugfs file,
 * EDUDMA_BENCH_FILE, takes one ioctl, EDUDMA_BENCH_PIN: it pins
 * [addr, addr + length) exactly as EDUDMA_REG_MR does (same batches, same
 * FOLL_LONGTERM and FOLL_WRITE rule) and unpins it at once, with no
 * accounting, no scatterlist and no DMA mapping: the floor a registration
 * is measured against.  make bench and the tests include this header.
 *
 * in: argsz, flags (EDUDMA_ACCESS_*, at least one), addr, length
 * out: nr_pages
 * errors: EPERM (not CAP_SYS_ADMIN), EINVAL, EFAULT, ENOMEM,
 *         ENOSPC (more pages than the max_pinned_mb parameter allows),
 *         ENOTTY (another ioctl)
 */
#ifndef EDUDMA_BENCH_H
#define EDUDMA_BENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define EDUDMA_BENCH_FILE	"/sys/kernel/debug/edudma/bench_pin"

struct edudma_bench_pin {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 addr;
	__aligned_u64 length;
	__aligned_u64 nr_pages;	/* out */
};

#define EDUDMA_BENCH_PIN	_IO(0xB9, 0x7f)

#endif /* EDUDMA_BENCH_H */
