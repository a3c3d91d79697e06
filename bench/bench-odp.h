/* SPDX-License-Identifier: GPL-2.0 */
/* bench/bench-odp.h: `edudma-bench odp` (bench-odp.c). */
#ifndef BENCH_ODP_H
#define BENCH_ODP_H

int cmd_odp(void);

#endif /* BENCH_ODP_H */
