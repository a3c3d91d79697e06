/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The project's one pseudo-random generator, for tests and tools: seeded,
 * repeatable, with the state kept by the caller (one per thread).  Not for
 * anything that needs secrecy.  Compiled once (common/edudma_rand.c) and
 * linked into every test and tool.
 */
#ifndef EDUDMA_RAND_H
#define EDUDMA_RAND_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64's finalizer: a stateless 64-bit mix of z. */
uint64_t ed_mix64(uint64_t z);

/* The next 64 bits of the splitmix64 sequence whose state is *state. */
uint64_t ed_rand(uint64_t *state);

/* A number in [lo, hi], both included (lo when hi <= lo). */
uint64_t ed_rand_range(uint64_t *state, uint64_t lo, uint64_t hi);

/* Fills buf with len bytes of the sequence. */
void ed_rand_fill(uint64_t *state, void *buf, size_t len);

#endif /* EDUDMA_RAND_H */
