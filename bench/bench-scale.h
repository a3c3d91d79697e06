/* SPDX-License-Identifier: GPL-2.0 */
/* bench/bench-scale.h: edudma-bench scale (bench-scale.c). */
#ifndef BENCH_SCALE_H
#define BENCH_SCALE_H

/* n registrations on one file: their cost, lookups, deregistration. */
int cmd_scale(unsigned long n);

#endif /* BENCH_SCALE_H */
