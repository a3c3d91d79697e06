/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_args.h: the fuzzer's random arguments (fuzz.h), and the calls that
 * more than one family makes: REG_MR, DEREG_MR and a close and reopen of
 * a file under the other threads.
 */
#ifndef FUZZ_ARGS_H
#define FUZZ_ARGS_H

/* A user address: mostly inside mem, sometimes anything else. */
static inline uint64_t r_addr(struct ctx *c)
{
	switch (rnd(c) % 16) {
	case 0: return (uintptr_t)c->ro + rng_in(c, 0, 2 * ET_PAGE - 1);
	case 1: return (uintptr_t)c->none + rng_in(c, 0, ET_PAGE - 1);
	case 2: return UNMAPPED + rng_in(c, 0, 0xfff);
	case 3: return rnd(c) % 2 ? 0 : KADDR + rng_in(c, 0, 1 << 20);
	case 4: return rnd(c);
	case 5: return ~0ULL - rng_in(c, 0, 4096);
	default: return (uintptr_t)c->mem + rng_in(c, 0, MEM_SIZE - 1);
	}
}

/* A length: mostly small, sometimes zero, large or garbage. */
static inline uint64_t r_len(struct ctx *c, uint64_t room)
{
	switch (rnd(c) % 16) {
	case 0: return 0;
	case 1: return rnd(c);
	case 2: return 1ULL << rng_in(c, 12, 63);
	case 3: return rng_in(c, 1, MEM_SIZE);
	case 4: return 4095 + rng_in(c, 0, 2);
	default:
		room = room ? room : 1;
		return rng_in(c, 1, room < 4095 ? room : 4095);
	}
}

static inline uint32_t r_handle(struct ctx *c, struct slot *s)
{
	uint32_t h = 0;

	switch (rnd(c) % 10) {
	case 0: return 0;
	case 1: return (uint32_t)rng_in(c, 1, 80);
	case 2: return (uint32_t)rnd(c);
	case 3: return s->stale;
	default:
		pthread_mutex_lock(&s->hlock);
		if (s->nh)
			h = s->handles[rnd(c) % s->nh];
		pthread_mutex_unlock(&s->hlock);
		return h;
	}
}

static inline uint32_t r_flags(struct ctx *c, uint32_t valid)
{
	switch (rnd(c) % 12) {
	case 0: return (uint32_t)rnd(c);
	case 1: return 1U << rng_in(c, 0, 31);
	case 2: return 0;
	default: return valid;
	}
}

/*
 * Fills the argument struct's argsz (mostly right) and tail; returns the
 * pointer to pass (mostly c->arg, sometimes a bad one).
 */
static inline void *r_argp(struct ctx *c, size_t size, char *what,
			   size_t wlen)
{
	uint32_t *argsz = (uint32_t *)c->arg;

	*argsz = size;
	switch (rnd(c) % 20) {
	case 0: *argsz = 0; break;
	case 1: *argsz = size - rng_in(c, 1, size); break;
	case 2:
		*argsz = size + rng_in(c, 1, 64);
		if (chance(c, 50))
			c->arg[rng_in(c, size, *argsz - 1)] =
				(unsigned char)rng_in(c, 1, 255);
		break;
	case 3: *argsz = (uint32_t)rng_in(c, ET_PAGE + 1, 3 * ET_PAGE); break;
	case 4: *argsz = (uint32_t)rnd(c); break;
	default: break;
	}
	snprintf(what, wlen, "argsz %u", *argsz);
	switch (rnd(c) % 40) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)UNMAPPED;
	case 2: return (void *)(uintptr_t)KADDR;
	case 3: return c->ro;
	case 4: return c->none;
	default: return c->arg;
	}
}

/* The argument struct of the next call, cleared. */
static inline void *fresh_arg(struct ctx *c)
{
	memset(c->arg, 0, 2 * ET_PAGE);
	return c->arg;
}

/*
 * The end of an ioctl call whose struct in c->arg is filled: its argsz and
 * pointer (r_argp), the description "NAME(argsz N, FIELDS, arg P)" from
 * the fields printed by fmt, the ioctl on fd and the check of its errno,
 * which it returns (the pointer it passed is in c->argp).
 */
static inline __attribute__((format(printf, 6, 7)))
int fuzz_ioctl(struct ctx *c, int fd, enum fuzz_call op, unsigned long cmd,
	       size_t size, const char *fmt, ...)
{
	char w[64], fields[300];
	va_list ap;
	int e;

	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	c->argp = r_argp(c, size, w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc), "%s(%s, %s, arg %p)", op_name[op],
		 w, fields, c->argp);
	e = et_ret(ioctl(fd, cmd, c->argp));
	check(c, op, e);
	return e;
}

/* ---- the calls of more than one family -------------------------------------- */

static inline void f_reg(struct ctx *c, struct slot *s)
{
	struct edudma_reg_mr *a = fresh_arg(c);

	a->flags = r_flags(c, (uint32_t)rng_in(c, 1, 3));
	a->addr = r_addr(c);
	a->length = r_len(c, (uintptr_t)c->mem + MEM_SIZE > a->addr &&
			  a->addr >= (uintptr_t)c->mem ?
			  (uintptr_t)c->mem + MEM_SIZE - a->addr : 4096);
	/*
	 * A third on demand (no pins; faults when their transfers run), but
	 * only inside c->mem: an on-demand range reaches whatever the
	 * address space maps, guard pages do not stop it at REG_MR, and a
	 * device write must never land in the fuzzer's own memory.
	 */
	if (a->addr >= (uintptr_t)c->mem && a->length <= MEM_SIZE &&
	    a->addr + a->length <= (uintptr_t)c->mem + MEM_SIZE) {
		if (chance(c, 33))
			a->flags |= EDUDMA_REG_ON_DEMAND;
	} else {
		a->flags &= ~EDUDMA_REG_ON_DEMAND;
	}
	if (!fuzz_ioctl(c, s->fd, OP_REG, EDUDMA_REG_MR, sizeof(*a),
			"flags %#x, addr %#llx, length %#llx", a->flags,
			(unsigned long long)a->addr,
			(unsigned long long)a->length) && c->argp == c->arg) {
		uint32_t h = 0;

		slot_add(s, a->handle, a->length, a->flags);
		/* full: let one go */
		pthread_mutex_lock(&s->hlock);
		if (s->nh >= MAX_HANDLES)
			h = s->handles[0];
		pthread_mutex_unlock(&s->hlock);
		if (h && !et_dereg(s->fd, h))
			slot_del(s, h);
	}
}

static inline void f_dereg(struct ctx *c, struct slot *s)
{
	struct edudma_dereg_mr *a = fresh_arg(c);

	a->flags = r_flags(c, 0);
	a->handle = r_handle(c, s);
	a->reserved = chance(c, 5) ? (uint32_t)rnd(c) : 0;
	if (!fuzz_ioctl(c, s->fd, OP_DEREG, EDUDMA_DEREG_MR, sizeof(*a),
			"flags %#x, handle %u, reserved %#x", a->flags,
			a->handle, a->reserved))
		slot_del(s, a->handle);
}

/* Closes the file and opens it again, with the others' calls held off. */
static inline void f_reopen(struct ctx *c, struct slot *s)
{
	int e;

	pthread_rwlock_wrlock(&s->lock);
	close(s->fd);
	e = open_slot(s);
	pthread_rwlock_unlock(&s->lock);
	snprintf(c->desc, sizeof(c->desc), "close and open %s",
		 devname(s->dev));
	check(c, OP_REOPEN, e);
}

#endif /* FUZZ_ARGS_H */
