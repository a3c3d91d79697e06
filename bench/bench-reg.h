/* SPDX-License-Identifier: GPL-2.0 */
/* bench/bench-reg.h: the registration benchmark of edudma-bench (bench-reg.c). */
#ifndef BENCH_REG_H
#define BENCH_REG_H

/* "noiommu" in the supplementary profile boot, else NULL (edudma-bench.c) */
extern const char *bench_tag;

/* edudma-bench reg [--vfio-group N]: -1 for no VFIO group */
int cmd_reg(int vfio_group);

#endif /* BENCH_REG_H */
