// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_control: the fuzzer of fuzz.h on the calls that move no memory:
 * GET_INFO, GET_STATS, FACTORIAL (n up to 5000) and ioctl numbers the
 * driver does not have (of its type, with every direction and size), each
 * with garbage argsz, flags and pointers.  Every errno must be a
 * documented one; afterwards every device is idle, the pin counter is back
 * and a COPY verifies.
 */
#include "fuzz.h"

#define MS_PER_CALL	20	/* the time limit; measured: up to 3 ms a call */

/* A call whose struct has nothing to fill but flags (at flags_off). */
static void flags_only(struct ctx *c, struct slot *s, enum fuzz_call op,
		       unsigned long cmd, size_t size, size_t flags_off)
{
	uint32_t flags = r_flags(c, 0);

	memcpy((char *)fresh_arg(c) + flags_off, &flags, sizeof(flags));
	fuzz_ioctl(c, s->fd, op, cmd, size, "flags %#x", flags);
}

static void f_info(struct ctx *c, struct slot *s)
{
	flags_only(c, s, OP_INFO, EDUDMA_GET_INFO,
		   sizeof(struct edudma_device_info),
		   offsetof(struct edudma_device_info, flags));
}

static void f_fact(struct ctx *c, struct slot *s)
{
	struct edudma_factorial *a = fresh_arg(c);

	a->flags = r_flags(c, 0);
	a->n = (uint32_t)rng_in(c, 0, chance(c, 90) ? 20 : 5000);
	a->result = (uint32_t)rnd(c);
	fuzz_ioctl(c, s->fd, OP_FACT, EDUDMA_FACTORIAL, sizeof(*a),
		   "flags %#x, n %u", a->flags, a->n);
}

static void f_stats(struct ctx *c, struct slot *s)
{
	flags_only(c, s, OP_STATS, EDUDMA_GET_STATS,
		   sizeof(struct edudma_stats),
		   offsetof(struct edudma_stats, flags));
}

static void f_unknown(struct ctx *c, struct slot *s)
{
	unsigned long nr = chance(c, 50) ? rng_in(c, 0x49, 0xff) :
					   rng_in(c, 0, 0x3f);
	unsigned long cmd;

	fresh_arg(c);
	switch (rnd(c) % 4) {
	case 0:
		cmd = _IO(EDUDMA_TYPE, nr);
		break;
	case 1:
		cmd = _IOC(_IOC_READ | _IOC_WRITE, EDUDMA_TYPE, nr,
			   rng_in(c, 0, 255));
		break;
	case 2:
		cmd = _IOC(_IOC_WRITE, EDUDMA_TYPE, 0x40 + rng_in(c, 0, 7),
			   rng_in(c, 1, 255));
		break;
	default:
		cmd = _IOC(_IOC_READ, EDUDMA_TYPE, 0x40 + rng_in(c, 0, 7),
			   rng_in(c, 1, 255));
		break;
	}
	*(uint32_t *)c->arg = 4096;
	snprintf(c->desc, sizeof(c->desc), "ioctl(%#lx)", cmd);
	check(c, OP_UNKNOWN, et_ret(ioctl(s->fd, cmd, c->arg)));
}

static const struct fuzz_family control[] = {
	{
		.name = "get_info",
		.ops = { { .op = OP_INFO, .weight = 4, .fn = f_info } },
	},
	{
		.name = "get_stats",
		.ops = { { .op = OP_STATS, .weight = 4, .fn = f_stats } },
	},
	{
		.name = "factorial",
		.ops = { { .op = OP_FACT, .weight = 1, .fn = f_fact } },
	},
	{
		.name = "unknown_ioctls",
		.ops = { { .op = OP_UNKNOWN, .weight = 3, .fn = f_unknown } },
	},
};

ET_TABLE_F(fuzz, control, struct fuzz_family, control)
{
	fuzz_family(self, row, MS_PER_CALL);
}
