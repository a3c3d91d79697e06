/* SPDX-License-Identifier: GPL-2.0 */
/* bench/bench-cache.h: `edudma-bench cache` (bench-cache.c). */
#ifndef BENCH_CACHE_H
#define BENCH_CACHE_H

int cmd_cache(void);

#endif /* BENCH_CACHE_H */
