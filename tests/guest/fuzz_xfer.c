// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_xfer: the fuzzer of fuzz.h on transfers and what goes with them:
 * XFER (every op, sync and async, handles and user pointers, garbage and
 * plausible arguments) on regions that REG_MR and DEREG_MR make and take
 * away under it (a third of them on demand), PREFETCH, GET_EVENTS, the
 * completion records read() returns, poll(), SET_EVENTFD, and files
 * closed and reopened at random under the other threads.  Every errno and
 * every completion status must be a documented one; afterwards every device is idle, the pin counter is back and a COPY
 * verifies.
 */
#include "fuzz.h"

/* the time limit; measured: 2.4 (IOMMU) to 5.3 (INTx, 1 device) ms a call */
#define MS_PER_CALL	20

static uint64_t r_side(struct ctx *c, int ptr)
{
	if (ptr)
		return r_addr(c);
	switch (rnd(c) % 8) {
	case 0: return rnd(c);
	case 1: return rng_in(c, 0, MEM_SIZE + 10);
	default: return rng_in(c, 0, 4096);
	}
}

/* A source or destination of len bytes: a region of s, or else mem. */
static void plausible_side(struct ctx *c, struct slot *s, uint32_t access,
			   uint32_t ptr_flag, uint64_t len, __u32 *flags,
			   __u32 *handle, __u64 *where)
{
	uint64_t rlen = 0;
	uint32_t h = chance(c, 25) ? 0 : slot_pick(s, rnd(c), access, &rlen);

	if (!h || rlen < len) {
		*flags |= ptr_flag;
		*where = (uintptr_t)c->mem + rng_in(c, 0, MEM_SIZE - len);
	} else {
		*handle = h;
		*where = rng_in(c, 0, rlen - len);
	}
}

/*
 * Rewrites *a into a transfer that should be accepted (small: at most 512
 * bytes, so the DMAs stay few), then spoils one field now and then.
 */
static void plausible_xfer(struct ctx *c, struct slot *s,
			   struct edudma_xfer *a)
{
	uint64_t len;

	memset(a, 0, sizeof(*a));
	a->op = (uint32_t)rng_in(c, 1, 3);
	a->flags = chance(c, 50) ? EDUDMA_XFER_ASYNC : 0;
	len = rng_in(c, 1, 512);
	a->length = len;
	if (a->op != EDUDMA_OP_FROM_DEV)
		plausible_side(c, s, EDUDMA_ACCESS_DEV_READ,
			       EDUDMA_XFER_SRC_PTR, len, &a->flags,
			       &a->src_handle, &a->src);
	if (a->op != EDUDMA_OP_TO_DEV)
		plausible_side(c, s, EDUDMA_ACCESS_DEV_WRITE,
			       EDUDMA_XFER_DST_PTR, len, &a->flags,
			       &a->dst_handle, &a->dst);
	if (a->op != EDUDMA_OP_COPY)
		a->dev_offset = (uint32_t)rng_in(c, 0, 4095 - len);
	switch (rnd(c) % 12) {
	case 0: a->length += rng_in(c, 1, 8192); break;
	case 1: a->dev_offset += (uint32_t)rng_in(c, 1, 4096); break;
	case 2: a->src += rng_in(c, 1, 70000); break;
	case 3: a->dst += rng_in(c, 1, 70000); break;
	case 4: a->flags ^= 1U << rng_in(c, 0, 3); break;
	default: break;
	}
}

/* Mostly garbage transfers: op, flags, offsets, handles and sides. */
static void garbage_xfer(struct ctx *c, struct slot *s, struct edudma_xfer *a)
{
	uint32_t valid;

	a->op = chance(c, 90) ? (uint32_t)rng_in(c, 1, 3) : (uint32_t)rnd(c) % 8;
	valid = chance(c, 30) ? EDUDMA_XFER_ASYNC : 0;
	if (chance(c, 30))
		valid |= EDUDMA_XFER_SRC_PTR;
	if (chance(c, 30))
		valid |= EDUDMA_XFER_DST_PTR;
	a->flags = r_flags(c, valid);
	a->length = r_len(c, 4096);
	if (a->op == EDUDMA_OP_COPY && chance(c, 80))
		a->dev_offset = 0;
	else
		a->dev_offset = chance(c, 70) ? (uint32_t)rng_in(c, 0, 4095) :
						(uint32_t)rnd(c);
	if (a->op != EDUDMA_OP_FROM_DEV || chance(c, 5)) {
		a->src_handle = (a->flags & EDUDMA_XFER_SRC_PTR) &&
				chance(c, 90) ? 0 : r_handle(c, s);
		a->src = r_side(c, a->flags & EDUDMA_XFER_SRC_PTR);
	}
	if (a->op != EDUDMA_OP_TO_DEV || chance(c, 5)) {
		a->dst_handle = (a->flags & EDUDMA_XFER_DST_PTR) &&
				chance(c, 90) ? 0 : r_handle(c, s);
		a->dst = r_side(c, a->flags & EDUDMA_XFER_DST_PTR);
	}
}

static void f_xfer(struct ctx *c, struct slot *s)
{
	struct edudma_xfer *a = fresh_arg(c);

	garbage_xfer(c, s, a);
	if (chance(c, 15))
		plausible_xfer(c, s, a);
	a->cookie = ((uint64_t)c->id << 48) | (uint64_t)c->ops;
	fuzz_ioctl(c, s->fd, OP_XFER, EDUDMA_XFER, sizeof(*a),
		   "flags %#x, op %u, dev_offset %u, length %#llx, src_handle %u, src %#llx, dst_handle %u, dst %#llx",
		   a->flags, a->op, a->dev_offset,
		   (unsigned long long)a->length, a->src_handle,
		   (unsigned long long)a->src, a->dst_handle,
		   (unsigned long long)a->dst);
}

/* PREFETCH: mostly real handles (pinned ones are EINVAL), small ranges. */
static void f_prefetch(struct ctx *c, struct slot *s)
{
	struct edudma_prefetch *a = fresh_arg(c);

	a->flags = r_flags(c, chance(c, 50) ? EDUDMA_PREFETCH_WRITE : 0);
	a->handle = r_handle(c, s);
	a->reserved = chance(c, 5) ? (uint32_t)rnd(c) : 0;
	a->offset = chance(c, 80) ? rng_in(c, 0, MEM_SIZE) : rnd(c);
	a->length = r_len(c, MEM_SIZE);
	fuzz_ioctl(c, s->fd, OP_PREFETCH, EDUDMA_PREFETCH, sizeof(*a),
		   "flags %#x, handle %u, offset %#llx, length %#llx",
		   a->flags, a->handle, (unsigned long long)a->offset,
		   (unsigned long long)a->length);
}

static void f_evfd(struct ctx *c, struct slot *s)
{
	struct edudma_eventfd *a = fresh_arg(c);

	a->flags = r_flags(c, 0);
	a->reserved = chance(c, 5) ? (uint32_t)rnd(c) : 0;
	switch (rnd(c) % 6) {
	case 0: a->fd = -1; break;
	case 1: a->fd = c->pipefd[0]; break;
	case 2: a->fd = (int32_t)rnd(c); break;
	case 3: a->fd = s->fd; break;
	default: a->fd = c->efd; break;
	}
	fuzz_ioctl(c, s->fd, OP_EVFD, EDUDMA_SET_EVENTFD, sizeof(*a),
		   "flags %#x, fd %d, reserved %#x", a->flags, a->fd,
		   a->reserved);
}

static void f_read(struct ctx *c, struct slot *s)
{
	struct edudma_completion *r = (void *)c->arg;
	char got_s[32];
	size_t n;
	ssize_t got;
	void *p = c->arg;

	switch (rnd(c) % 8) {
	case 0: n = rng_in(c, 0, 23); break;
	case 1: n = rng_in(c, 24, 2 * ET_PAGE); break;
	default: n = sizeof(*r) * rng_in(c, 1, 16); break;
	}
	switch (rnd(c) % 16) {
	case 0: p = NULL; break;
	case 1: p = c->ro; n = n > 2 * ET_PAGE ? 2 * ET_PAGE : n; break;
	case 2: p = (void *)(uintptr_t)UNMAPPED; break;
	case 3: p = c->none; break;
	default: break;
	}
	snprintf(c->desc, sizeof(c->desc), "read(fd, %p, %zu)", p, n);
	got = read(s->fd, p, n);
	if (got < 0) {
		check(c, OP_READ, errno);
		return;
	}
	check(c, OP_READ, 0);
	if (p != c->arg || got % sizeof(*r) || (size_t)got > n) {
		snprintf(got_s, sizeof(got_s), "returned %zd", got);
		violation(c, "BAD READ", got_s);
		return;
	}
	for (ssize_t i = 0; i < got / (ssize_t)sizeof(*r); i++)
		check_record(c, &r[i]);
}

/* GET_EVENTS: room for up to a page of records, or a bad array. */
static void f_events(struct ctx *c, struct slot *s)
{
	struct edudma_get_events *a = fresh_arg(c);

	a->flags = r_flags(c, 0);
	a->count = (uint32_t)(chance(c, 90) ? rng_in(c, 0, 8) : rnd(c));
	a->events = chance(c, 70) ? (uintptr_t)c->arg + ET_PAGE : r_addr(c);
	if (a->events == (uintptr_t)c->arg + ET_PAGE &&
	    a->count > ET_PAGE / sizeof(struct edudma_event))
		a->count = ET_PAGE / sizeof(struct edudma_event);
	fuzz_ioctl(c, s->fd, OP_EVENTS, EDUDMA_GET_EVENTS, sizeof(*a),
		   "flags %#x, count %u, events %#llx", a->flags, a->count,
		   (unsigned long long)a->events);
}

static void f_poll(struct ctx *c, struct slot *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	int n = poll(&p, 1, 0);
	char rev[32];

	snprintf(c->desc, sizeof(c->desc), "poll(fd, POLLIN, 0)");
	check(c, OP_POLL, n < 0 ? errno : 0);
	if (n > 0 && (p.revents & ~(POLLIN | POLLRDNORM))) {
		snprintf(rev, sizeof(rev), "revents %#x", p.revents);
		violation(c, "BAD POLL", rev);
	}
}

static const struct fuzz_family xfer[] = {
	{
		.name = "xfers_on_live_regions",
		.ops = {
			{ .op = OP_REG, .weight = 8, .fn = f_reg },
			{ .op = OP_DEREG, .weight = 6, .fn = f_dereg },
			{ .op = OP_XFER, .weight = 32, .fn = f_xfer },
			{ .op = OP_EVFD, .weight = 4, .fn = f_evfd },
			{ .op = OP_READ, .weight = 15, .fn = f_read },
			{ .op = OP_POLL, .weight = 3, .fn = f_poll },
			{ .op = OP_REOPEN, .weight = 1, .fn = f_reopen },
			{ .op = OP_PREFETCH, .weight = 3, .fn = f_prefetch },
			{ .op = OP_EVENTS, .weight = 2, .fn = f_events },
		},
	},
};

ET_TABLE_F(fuzz, xfer, struct fuzz_family, xfer)
{
	fuzz_family(self, row, MS_PER_CALL);
}
