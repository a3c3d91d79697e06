// SPDX-License-Identifier: GPL-2.0
/*
 * splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", 2014): the project's one generator (edudma_rand.h).
 */
#include "edudma_rand.h"

#define ED_GOLDEN 0x9e3779b97f4a7c15ULL

uint64_t ed_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t ed_rand(uint64_t *state)
{
	return ed_mix64(*state += ED_GOLDEN);
}

uint64_t ed_rand_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	if (hi - lo == UINT64_MAX)
		return ed_rand(state);
	return lo + ed_rand(state) % (hi - lo + 1);
}

void ed_rand_fill(uint64_t *state, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		if (!(i & 7))
			v = ed_rand(state);
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}
