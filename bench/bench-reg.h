/* SPDX-License-Identifier: GPL-2.0 */
/* bench/bench-reg.h: the registration benchmark of edudma-bench (bench-reg.c). */
#ifndef BENCH_REG_H
#define BENCH_REG_H

/* "noiommu" in the supplementary profile boot, else NULL (edudma-bench.c) */
extern const char *bench_tag;

/*
 * edudma-bench reg [--vfio-group N] [--size BYTES --backing B]: -1 for no
 * VFIO group; only_size 0 for every size and backing, else that one.
 */
int cmd_reg(int vfio_group, int only_backing, size_t only_size);

#endif /* BENCH_REG_H */
