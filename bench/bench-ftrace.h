/* SPDX-License-Identifier: GPL-2.0 */
/* bench/bench-ftrace.h: edudma-bench ftrace (bench-ftrace.c). */
#ifndef BENCH_FTRACE_H
#define BENCH_FTRACE_H

/* The calls bench/guest.sh's ftrace mode traces; 0, or 1 on a failure. */
int cmd_ftrace(void);

#endif /* BENCH_FTRACE_H */
