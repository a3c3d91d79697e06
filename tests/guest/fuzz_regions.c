// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_regions: the fuzzer of fuzz.h on the calls that pin memory:
 * REG_MR and DEREG_MR (real, stale and garbage handles; lengths that run
 * into guard pages, read-only, unmapped and kernel memory) and the
 * benchmark floor's BENCH_PIN.  Every errno must be a documented one;
 * afterwards every device is idle, the pin counter is back and a COPY
 * verifies.  (Half of the mix's REG_MR and DEREG_MR calls are made here,
 * the other half under transfers in fuzz_xfer.)
 *
 * BENCH_PIN lengths skip 16 MiB .. 2 TiB: the driver allocates its page
 * array (8 bytes a page) with kvmalloc before it pins, so such a length
 * asks for up to 2 GiB of kernel memory and may wake the OOM killer; from
 * about 1 TiB on it is ENOMEM at once (badinput's 2 TiB case).
 */
#include "fuzz.h"

#define MS_PER_CALL	20	/* the time limit; measured: 0.04 ms a call */

static void f_bench(struct ctx *c, struct slot *s)
{
	struct edudma_bench_pin *a = fresh_arg(c);

	a->flags = r_flags(c, (uint32_t)rng_in(c, 1, 3));
	a->addr = r_addr(c);
	a->length = r_len(c, MEM_SIZE);
	/* 16 MiB .. 2 TiB: see the top of the file */
	if (a->length > (16 << 20) && a->length < (1ULL << 41) &&
	    a->addr + a->length >= a->addr)
		a->length = rng_in(c, 1, 16 << 20);
	(void)s;	/* BENCH_PIN lives on its debugfs file */
	fuzz_ioctl(c, et_bench_open(), OP_BENCH, EDUDMA_BENCH_PIN, sizeof(*a),
		   "flags %#x, addr %#llx, length %#llx", a->flags,
		   (unsigned long long)a->addr, (unsigned long long)a->length);
}

static const struct fuzz_family regions[] = {
	{
		.name = "reg_and_dereg_mr",
		.ops = {
			{ .op = OP_REG, .weight = 8, .fn = f_reg },
			{ .op = OP_DEREG, .weight = 6, .fn = f_dereg },
		},
	},
	{
		.name = "bench_pin",
		.ops = { { .op = OP_BENCH, .weight = 5, .fn = f_bench } },
	},
};

ET_TABLE_F(fuzz, regions, struct fuzz_family, regions)
{
	fuzz_family(self, row, MS_PER_CALL);
}
