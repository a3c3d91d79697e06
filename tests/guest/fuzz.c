// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: a seeded ioctl fuzzer.  Several threads (4) share several files (2
 * per device, every device) and call every ioctl, read() and poll() with
 * random arguments: mostly plausible (real memory, real handles, small
 * lengths) and often garbage (argsz, flags, ops, handles, offsets, lengths,
 * pointers to read-only, PROT_NONE, unmapped and kernel memory); some
 * transfers are asynchronous, and files are closed and reopened at random
 * under the others.
 *
 * Every errno must be one the header documents for that call; an
 * undocumented one is a failure and the call is printed.  Afterwards every
 * file is closed: no kernel warning, every device idle with no region, the
 * pin counter back at its baseline, and a COPY verifies on every device.
 *
 * The seed is printed; EDUDMA_SEED=N repeats each thread's sequence of
 * calls (the interleaving of the threads is the scheduler's).
 * EDUDMA_FUZZ_OPS=N sets the number of calls (default 6000, all threads
 * together); EDUDMA_FUZZ_THREADS=N the threads (default 4).
 *
 * Memory: every buffer a pointer may land in is fenced by PROT_NONE guard
 * pages, and "unmapped" is an address below mmap_min_addr, so a garbage
 * length can never reach (and let the device write) memory of the program
 * itself.  BENCH_PIN lengths skip 16 MiB .. 2 TiB: the driver allocates
 * its page array (8 bytes a page) with kvmalloc before it pins, so such a
 * length asks for up to 2 GiB of kernel memory and may wake the OOM killer;
 * from about 1 TiB on it is ENOMEM at once (badinput's 2 TiB case).
 */
#include <pthread.h>
#include <sys/eventfd.h>

#include "edudma_test.h"

#define DEF_OPS		6000
#define DEF_THREADS	4
#define MAX_THREADS	16
#define FILES_PER_DEV	2
#define MAX_SLOTS	(LAB_MAX_DEVICES * FILES_PER_DEV)
#define MAX_HANDLES	48
#define MEM_SIZE	(64 * 1024)
#define KADDR		0xffff888000000000ULL
#define UNMAPPED	0x1000ULL		/* below mmap_min_addr */
#define MAX_ERRNO	140

/* ---- what every call may return (include/uapi/linux/edudma.h) ------------- */

enum {
	OP_INFO, OP_REG, OP_DEREG, OP_XFER, OP_EVFD, OP_FACT, OP_STATS,
	OP_BENCH, OP_UNKNOWN, OP_READ, OP_POLL, OP_REOPEN, NOPS
};

static const char *const op_name[NOPS] = {
	"GET_INFO", "REG_MR", "DEREG_MR", "XFER", "SET_EVENTFD", "FACTORIAL",
	"GET_STATS", "BENCH_PIN", "unknown ioctl", "read", "poll", "reopen",
};

/* EFAULT and ENODEV hold for every ioctl (uapi.md, errno index) */
#define ALL EFAULT, ENODEV
static const int allowed[NOPS][16] = {
	[OP_INFO] = { ALL, EINVAL },
	[OP_REG] = { ALL, EINVAL, ENOMEM, ENOSPC, ERANGE },
	[OP_DEREG] = { ALL, EINVAL, ENOENT, EBUSY },
	[OP_XFER] = { ALL, EINVAL, ENOENT, EACCES, ENOMEM, ENOSPC, ERANGE,
		      EAGAIN, EINTR, ETIMEDOUT },
	[OP_EVFD] = { ALL, EINVAL, EBADF },
	[OP_FACT] = { ALL, EINVAL, ETIMEDOUT, EINTR },
	[OP_STATS] = { ALL, EINVAL },
	[OP_BENCH] = { ALL, EPERM, EINVAL, ENOMEM },
	[OP_UNKNOWN] = { ENOTTY, ENODEV },
	[OP_READ] = { EINVAL, EFAULT, EAGAIN, EINTR, ENODEV },
	[OP_POLL] = { 0 },
	[OP_REOPEN] = { 0 },
};

/* completion status: 0 or one of these, negated */
static const int allowed_status[] = { ETIMEDOUT, ENODEV, ECANCELED, 0 };

static int in_list(const int *list, int n, int e)
{
	for (int i = 0; i < n && list[i]; i++)
		if (list[i] == e)
			return 1;
	return 0;
}

static const char *devname(int i)
{
	const char *p = et_dev_path(i);

	return p ? p : "(gone)";
}

/* ---- counters -------------------------------------------------------------- */

static unsigned long counts[NOPS][MAX_ERRNO];	/* [op][errno], 0 = success */
static unsigned long records, bad_records, violations;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void count(int op, int e)
{
	__atomic_fetch_add(&counts[op][e < MAX_ERRNO ? e : MAX_ERRNO - 1], 1,
			   __ATOMIC_RELAXED);
}

/* ---- files ------------------------------------------------------------------- */

struct slot {
	pthread_rwlock_t lock;		/* write: close and reopen */
	pthread_mutex_t hlock;		/* the handle list */
	int fd, dev;
	uint32_t handles[MAX_HANDLES];
	uint64_t lens[MAX_HANDLES];	/* the region's length */
	uint32_t access[MAX_HANDLES];	/* its EDUDMA_ACCESS_* */
	int nh;
	uint32_t stale;			/* a handle deregistered lately */
};

static struct slot slots[MAX_SLOTS];
static int nslots, nthreads;
static long total_ops;
static long next_op;			/* shared countdown */

static void slot_add(struct slot *s, uint32_t h, uint64_t len, uint32_t acc)
{
	pthread_mutex_lock(&s->hlock);
	if (s->nh < MAX_HANDLES) {
		s->handles[s->nh] = h;
		s->lens[s->nh] = len;
		s->access[s->nh++] = acc;
	}
	pthread_mutex_unlock(&s->hlock);
}

/* A registered region of s with access acc; 0 when there is none. */
static uint32_t slot_pick(struct slot *s, uint64_t r, uint32_t acc,
			  uint64_t *len)
{
	uint32_t h = 0;

	pthread_mutex_lock(&s->hlock);
	for (int i = 0; i < s->nh; i++) {
		int k = (int)((r + i) % s->nh);

		if (s->access[k] & acc) {
			h = s->handles[k];
			*len = s->lens[k];
			break;
		}
	}
	pthread_mutex_unlock(&s->hlock);
	return h;
}

static void slot_del(struct slot *s, uint32_t h)
{
	pthread_mutex_lock(&s->hlock);
	for (int i = 0; i < s->nh; i++)
		if (s->handles[i] == h) {
			s->nh--;
			s->handles[i] = s->handles[s->nh];
			s->lens[i] = s->lens[s->nh];
			s->access[i] = s->access[s->nh];
			break;
		}
	s->stale = h;
	pthread_mutex_unlock(&s->hlock);
}

/* ---- per thread ------------------------------------------------------------------ */

struct ctx {
	int id;
	uint64_t rng;
	unsigned char *mem;		/* MEM_SIZE read-write */
	unsigned char *ro;		/* 2 pages read-only */
	unsigned char *none;		/* a PROT_NONE guard page */
	unsigned char *arg;		/* 2 pages for argument structs */
	int efd;			/* an eventfd */
	int pipefd[2];
	char desc[400];			/* the call being made */
	long ops;
};

static uint64_t rnd(struct ctx *c)
{
	return ed_rand(&c->rng);
}

static uint64_t rng_in(struct ctx *c, uint64_t lo, uint64_t hi)
{
	return lo + rnd(c) % (hi - lo + 1);
}

static int chance(struct ctx *c, int percent)
{
	return (int)(rnd(c) % 100) < percent;
}

/*
 * Guarded layout: G mem G ro G none(=G) arg G, where G is a PROT_NONE page.
 */
static int ctx_init(struct ctx *c, int id)
{
	size_t pages = 1 + MEM_SIZE / ET_PAGE + 1 + 2 + 1 + 2 + 1 + 1;
	unsigned char *base = mmap(NULL, pages * ET_PAGE, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		return -1;
	c->id = id;
	c->rng = ed_mix64(et_seed_value + (uint64_t)id);	/* one stream each */
	c->mem = base + ET_PAGE;
	c->ro = c->mem + MEM_SIZE + ET_PAGE;
	c->none = c->ro + 2 * ET_PAGE;
	c->arg = c->none + 2 * ET_PAGE;
	if (mprotect(c->mem, MEM_SIZE, PROT_READ | PROT_WRITE) ||
	    mprotect(c->ro, 2 * ET_PAGE, PROT_READ | PROT_WRITE) ||
	    mprotect(c->arg, 2 * ET_PAGE, PROT_READ | PROT_WRITE))
		return -1;
	memset(c->mem, 0x11 * (id + 1), MEM_SIZE);
	memset(c->ro, 0x22, 2 * ET_PAGE);
	mprotect(c->ro, 2 * ET_PAGE, PROT_READ);
	c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (pipe(c->pipefd))
		c->pipefd[0] = c->pipefd[1] = -1;
	return 0;
}

/* ---- random arguments ---------------------------------------------------------- */

/* A user address: mostly inside mem, sometimes anything else. */
static uint64_t r_addr(struct ctx *c)
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
static uint64_t r_len(struct ctx *c, uint64_t room)
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

static uint32_t r_handle(struct ctx *c, struct slot *s)
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

static uint32_t r_flags(struct ctx *c, uint32_t valid)
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
static void *r_argp(struct ctx *c, size_t size, char *what, size_t wlen)
{
	uint32_t *argsz = (uint32_t *)c->arg;

	*argsz = size;
	switch (rnd(c) % 20) {
	case 0: *argsz = 0; break;
	case 1: *argsz = size - rng_in(c, 1, size); break;
	case 2:
		*argsz = size + rng_in(c, 1, 64);
		if (chance(c, 50))
			c->arg[rng_in(c, size, *argsz - 1)] = (unsigned char)rng_in(c, 1, 255);
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

/* ---- the calls -------------------------------------------------------------------- */

static void check(struct ctx *c, int op, int e)
{
	count(op, e);
	if (e && !in_list(allowed[op], 16, e)) {
		__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&report_lock);
		if (violations <= 30)
			printf("# UNDOCUMENTED: thread %d op %ld: %s -> %s\n",
			       c->id, c->ops, c->desc, et_errno_name(e));
		pthread_mutex_unlock(&report_lock);
	}
}

static void check_record(struct ctx *c, const struct edudma_completion *r)
{
	__atomic_fetch_add(&records, 1, __ATOMIC_RELAXED);
	if (r->status && !in_list(allowed_status, 4, -r->status)) {
		__atomic_fetch_add(&bad_records, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&report_lock);
		printf("# UNDOCUMENTED completion status: thread %d: cookie %llu status %d bytes %llu\n",
		       c->id, (unsigned long long)r->cookie, r->status,
		       (unsigned long long)r->bytes);
		pthread_mutex_unlock(&report_lock);
	}
}

static int do_ioctl(struct slot *s, unsigned long cmd, void *p)
{
	return et_ret(ioctl(s->fd, cmd, p));
}

static void f_info(struct ctx *c, struct slot *s)
{
	struct edudma_device_info *a = (void *)c->arg;
	char w[64];
	void *p;

	memset(c->arg, 0, 2 * ET_PAGE);
	a->flags = r_flags(c, 0);
	p = r_argp(c, sizeof(*a), w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc), "GET_INFO(%s, flags %#x, arg %p)",
		 w, a->flags, p);
	check(c, OP_INFO, do_ioctl(s, EDUDMA_GET_INFO, p));
}

static void f_reg(struct ctx *c, struct slot *s)
{
	struct edudma_reg_mr *a = (void *)c->arg;
	char w[64];
	void *p;
	int e;

	memset(c->arg, 0, 2 * ET_PAGE);
	a->flags = r_flags(c, (uint32_t)rng_in(c, 1, 3));
	a->addr = r_addr(c);
	a->length = r_len(c, (uintptr_t)c->mem + MEM_SIZE > a->addr &&
			  a->addr >= (uintptr_t)c->mem ?
			  (uintptr_t)c->mem + MEM_SIZE - a->addr : 4096);
	p = r_argp(c, sizeof(*a), w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc),
		 "REG_MR(%s, flags %#x, addr %#llx, length %#llx, arg %p)", w,
		 a->flags, (unsigned long long)a->addr,
		 (unsigned long long)a->length, p);
	e = do_ioctl(s, EDUDMA_REG_MR, p);
	check(c, OP_REG, e);
	if (!e && p == c->arg) {
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

static void f_dereg(struct ctx *c, struct slot *s)
{
	struct edudma_dereg_mr *a = (void *)c->arg;
	char w[64];
	void *p;
	int e;

	memset(c->arg, 0, 2 * ET_PAGE);
	a->flags = r_flags(c, 0);
	a->handle = r_handle(c, s);
	a->reserved = chance(c, 5) ? (uint32_t)rnd(c) : 0;
	p = r_argp(c, sizeof(*a), w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc),
		 "DEREG_MR(%s, flags %#x, handle %u, reserved %#x, arg %p)", w,
		 a->flags, a->handle, a->reserved, p);
	e = do_ioctl(s, EDUDMA_DEREG_MR, p);
	check(c, OP_DEREG, e);
	if (!e)
		slot_del(s, a->handle);
}

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

/*
 * Rewrites *a into a transfer that should be accepted (small: at most 512
 * bytes, so the DMAs stay few), then spoils one field now and then.
 */
static void plausible_xfer(struct ctx *c, struct slot *s,
			   struct edudma_xfer *a)
{
	uint64_t slen = 0, dlen = 0, len;
	uint32_t sh, dh;

	memset(a, 0, sizeof(*a));
	a->op = (uint32_t)rng_in(c, 1, 3);
	a->flags = chance(c, 50) ? EDUDMA_XFER_ASYNC : 0;
	len = rng_in(c, 1, 512);
	a->length = len;
	if (a->op != EDUDMA_OP_FROM_DEV) {
		sh = chance(c, 25) ? 0 : slot_pick(s, rnd(c), EDUDMA_ACCESS_DEV_READ, &slen);
		if (!sh || slen < len) {
			a->flags |= EDUDMA_XFER_SRC_PTR;
			a->src = (uintptr_t)c->mem + rng_in(c, 0, MEM_SIZE - len);
		} else {
			a->src_handle = sh;
			a->src = rng_in(c, 0, slen - len);
		}
	}
	if (a->op != EDUDMA_OP_TO_DEV) {
		dh = chance(c, 25) ? 0 : slot_pick(s, rnd(c), EDUDMA_ACCESS_DEV_WRITE, &dlen);
		if (!dh || dlen < len) {
			a->flags |= EDUDMA_XFER_DST_PTR;
			a->dst = (uintptr_t)c->mem + rng_in(c, 0, MEM_SIZE - len);
		} else {
			a->dst_handle = dh;
			a->dst = rng_in(c, 0, dlen - len);
		}
	}
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

static void f_xfer(struct ctx *c, struct slot *s)
{
	struct edudma_xfer *a = (void *)c->arg;
	uint32_t valid;
	char w[64];
	void *p;

	memset(c->arg, 0, 2 * ET_PAGE);
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
		a->src_handle = (a->flags & EDUDMA_XFER_SRC_PTR) && chance(c, 90) ?
				0 : r_handle(c, s);
		a->src = r_side(c, a->flags & EDUDMA_XFER_SRC_PTR);
	}
	if (a->op != EDUDMA_OP_TO_DEV || chance(c, 5)) {
		a->dst_handle = (a->flags & EDUDMA_XFER_DST_PTR) && chance(c, 90) ?
				0 : r_handle(c, s);
		a->dst = r_side(c, a->flags & EDUDMA_XFER_DST_PTR);
	}
	if (chance(c, 15))
		plausible_xfer(c, s, a);
	a->cookie = ((uint64_t)c->id << 48) | (uint64_t)c->ops;
	p = r_argp(c, sizeof(*a), w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc),
		 "XFER(%s, flags %#x, op %u, dev_offset %u, length %#llx, src_handle %u, src %#llx, dst_handle %u, dst %#llx, arg %p)",
		 w, a->flags, a->op, a->dev_offset,
		 (unsigned long long)a->length, a->src_handle,
		 (unsigned long long)a->src, a->dst_handle,
		 (unsigned long long)a->dst, p);
	check(c, OP_XFER, do_ioctl(s, EDUDMA_XFER, p));
}

static void f_evfd(struct ctx *c, struct slot *s)
{
	struct edudma_eventfd *a = (void *)c->arg;
	char w[64];
	void *p;

	memset(c->arg, 0, 2 * ET_PAGE);
	a->flags = r_flags(c, 0);
	a->reserved = chance(c, 5) ? (uint32_t)rnd(c) : 0;
	switch (rnd(c) % 6) {
	case 0: a->fd = -1; break;
	case 1: a->fd = c->pipefd[0]; break;
	case 2: a->fd = (int32_t)rnd(c); break;
	case 3: a->fd = s->fd; break;
	default: a->fd = c->efd; break;
	}
	p = r_argp(c, sizeof(*a), w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc),
		 "SET_EVENTFD(%s, flags %#x, fd %d, reserved %#x, arg %p)", w,
		 a->flags, a->fd, a->reserved, p);
	check(c, OP_EVFD, do_ioctl(s, EDUDMA_SET_EVENTFD, p));
}

static void f_fact(struct ctx *c, struct slot *s)
{
	struct edudma_factorial *a = (void *)c->arg;
	char w[64];
	void *p;

	memset(c->arg, 0, 2 * ET_PAGE);
	a->flags = r_flags(c, 0);
	a->n = (uint32_t)rng_in(c, 0, chance(c, 90) ? 20 : 5000);
	a->result = (uint32_t)rnd(c);
	p = r_argp(c, sizeof(*a), w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc),
		 "FACTORIAL(%s, flags %#x, n %u, arg %p)", w, a->flags, a->n, p);
	check(c, OP_FACT, do_ioctl(s, EDUDMA_FACTORIAL, p));
}

static void f_stats(struct ctx *c, struct slot *s)
{
	struct edudma_stats *a = (void *)c->arg;
	char w[64];
	void *p;

	memset(c->arg, 0, 2 * ET_PAGE);
	a->flags = r_flags(c, 0);
	p = r_argp(c, sizeof(*a), w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc), "GET_STATS(%s, flags %#x, arg %p)",
		 w, a->flags, p);
	check(c, OP_STATS, do_ioctl(s, EDUDMA_GET_STATS, p));
}

static void f_bench(struct ctx *c, struct slot *s)
{
	struct edudma_bench_pin *a = (void *)c->arg;
	char w[64];
	void *p;

	memset(c->arg, 0, 2 * ET_PAGE);
	a->flags = r_flags(c, (uint32_t)rng_in(c, 1, 3));
	a->addr = r_addr(c);
	a->length = r_len(c, MEM_SIZE);
	/* 16 MiB .. 2 TiB: see the top of the file */
	if (a->length > (16 << 20) && a->length < (1ULL << 41) &&
	    a->addr + a->length >= a->addr)
		a->length = rng_in(c, 1, 16 << 20);
	p = r_argp(c, sizeof(*a), w, sizeof(w));
	snprintf(c->desc, sizeof(c->desc),
		 "BENCH_PIN(%s, flags %#x, addr %#llx, length %#llx, arg %p)", w,
		 a->flags, (unsigned long long)a->addr,
		 (unsigned long long)a->length, p);
	(void)s;	/* BENCH_PIN lives on its debugfs file */
	check(c, OP_BENCH, et_ret(ioctl(et_bench_open(), EDUDMA_BENCH_PIN, p)));
}

static void f_unknown(struct ctx *c, struct slot *s)
{
	unsigned long nr = chance(c, 50) ? rng_in(c, 0x47, 0xff) :
					   rng_in(c, 0, 0x3f);
	unsigned long cmd;

	memset(c->arg, 0, 2 * ET_PAGE);
	switch (rnd(c) % 4) {
	case 0: cmd = _IO(EDUDMA_TYPE, nr); break;
	case 1: cmd = _IOC(_IOC_READ | _IOC_WRITE, EDUDMA_TYPE, nr, rng_in(c, 0, 255)); break;
	case 2: cmd = _IOC(_IOC_WRITE, EDUDMA_TYPE, 0x40 + rng_in(c, 0, 7), rng_in(c, 1, 255)); break;
	default: cmd = _IOC(_IOC_READ, EDUDMA_TYPE, 0x40 + rng_in(c, 0, 7), rng_in(c, 1, 255)); break;
	}
	*(uint32_t *)c->arg = 4096;
	snprintf(c->desc, sizeof(c->desc), "ioctl(%#lx)", cmd);
	check(c, OP_UNKNOWN, do_ioctl(s, cmd, c->arg));
}

static void f_read(struct ctx *c, struct slot *s)
{
	struct edudma_completion *r = (void *)c->arg;
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
		__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
		printf("# BAD READ: thread %d: %s returned %zd\n", c->id,
		       c->desc, got);
		return;
	}
	for (ssize_t i = 0; i < got / (ssize_t)sizeof(*r); i++)
		check_record(c, &r[i]);
}

static void f_poll(struct ctx *c, struct slot *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	int n = poll(&p, 1, 0);

	snprintf(c->desc, sizeof(c->desc), "poll(fd, POLLIN, 0)");
	check(c, OP_POLL, n < 0 ? errno : 0);
	if (n > 0 && (p.revents & ~(POLLIN | POLLRDNORM))) {
		__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
		printf("# BAD POLL: thread %d: revents %#x\n", c->id, p.revents);
	}
}

static int open_slot(struct slot *s)
{
	s->fd = et_open(s->dev, O_NONBLOCK);
	s->nh = 0;
	s->stale = 0;
	return s->fd < 0 ? errno : 0;
}

static void f_reopen(struct ctx *c, struct slot *s)
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

/* weights, per 100 */
static const struct { int op, weight; void (*fn)(struct ctx *, struct slot *); } ops[] = {
	{ OP_INFO, 4, f_info }, { OP_REG, 16, f_reg }, { OP_DEREG, 12, f_dereg },
	{ OP_XFER, 32, f_xfer }, { OP_EVFD, 4, f_evfd }, { OP_FACT, 1, f_fact },
	{ OP_STATS, 4, f_stats }, { OP_BENCH, 5, f_bench },
	{ OP_UNKNOWN, 3, f_unknown }, { OP_READ, 15, f_read },
	{ OP_POLL, 3, f_poll }, { OP_REOPEN, 1, f_reopen },
};

static void *worker(void *arg)
{
	struct ctx *c = arg;

	while (__atomic_fetch_sub(&next_op, 1, __ATOMIC_RELAXED) > 0) {
		struct slot *s = &slots[rnd(c) % nslots];
		int w = (int)(rnd(c) % 100), i;

		for (i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])) - 1; i++) {
			if (w < ops[i].weight)
				break;
			w -= ops[i].weight;
		}
		c->ops++;
		if (ops[i].op == OP_REOPEN) {
			f_reopen(c, s);
			continue;
		}
		pthread_rwlock_rdlock(&s->lock);
		ops[i].fn(c, s);
		pthread_rwlock_unlock(&s->lock);
	}
	return NULL;
}

/* ---- the kernel log ------------------------------------------------------------- */

static int kmsg = -1;

static void klog_mark(void)
{
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
}

/* Counts bad lines (qemu/klog-bad) since klog_mark(); prints the first few. */
static int klog_bad(void)
{
	char rec[1024];
	const char *msg;
	ssize_t n;
	int bad = 0;

	if (kmsg < 0)
		return 0;
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		rec[strcspn(rec, "\n")] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		if (et_klog_bad(msg)) {	/* bad, or no list to tell */
			if (bad++ < 5)
				tap_diag("kernel: %s", msg);
		}
	}
	return bad;
}

/* ---- main ---------------------------------------------------------------------- */

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

int main(void)
{
	struct ctx ctxs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	struct edudma_stats st0[LAB_MAX_DEVICES], st;
	int ndev = et_ndevices(), i, e, kbad, ok;
	long long pin_base, t0, w0;
	struct timespec ts;
	char line[1024];

	if (ndev < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(6 + 2 * ndev);
	et_seed_init();
	/* the floor's debugfs file, once for every thread */
	if (et_bench_open() < 0)
		tap_diag("cannot open " EDUDMA_BENCH_FILE ": %s", strerror(errno));
	total_ops = env_long("EDUDMA_FUZZ_OPS", DEF_OPS);
	nthreads = (int)env_long("EDUDMA_FUZZ_THREADS", DEF_THREADS);
	if (nthreads < 1 || nthreads > MAX_THREADS)
		nthreads = DEF_THREADS;
	next_op = total_ops;
	nslots = ndev * FILES_PER_DEV;
	if (nslots > MAX_SLOTS)
		nslots = MAX_SLOTS;
	tap_diag("fuzz: %ld calls, %d threads, %d files on %d devices (EDUDMA_FUZZ_OPS, EDUDMA_FUZZ_THREADS)",
		 total_ops, nthreads, nslots, ndev);

	pin_base = et_pins();
	for (i = 0; i < ndev; i++) {
		int f = et_open(i, 0);

		memset(&st0[i], 0, sizeof(st0[i]));
		if (f >= 0) {
			et_stats(f, &st0[i]);
			close(f);
		}
	}
	for (i = 0; i < nslots; i++) {
		pthread_rwlock_init(&slots[i].lock, NULL);
		pthread_mutex_init(&slots[i].hlock, NULL);
		slots[i].dev = i / FILES_PER_DEV;
		if ((e = open_slot(&slots[i]))) {
			tap_diag("cannot open %s: %s", devname(slots[i].dev),
				 strerror(e));
			tap_finish();
		}
	}
	for (i = 0; i < nthreads; i++)
		if (ctx_init(&ctxs[i], i)) {
			tap_diag("out of memory");
			tap_finish();
		}

	klog_mark();
	clock_gettime(CLOCK_REALTIME, &ts);
	w0 = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
	t0 = et_now_ms();
	for (i = 0; i < nthreads; i++)
		pthread_create(&tids[i], NULL, worker, &ctxs[i]);
	for (i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	tap_diag("fuzz: %ld calls in %lld ms of guest time (%lld ms of its wall clock)",
		 total_ops, et_now_ms() - t0,
		 ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 - w0);
	for (i = 0; i < nslots; i++)
		close(slots[i].fd);

	/* per ioctl and per errno */
	for (int op = 0; op < NOPS; op++) {
		unsigned long tot = 0;
		int n = 0;

		for (e = 0; e < MAX_ERRNO; e++)
			tot += counts[op][e];
		n = snprintf(line, sizeof(line), "%s: %lu calls", op_name[op], tot);
		for (e = 0; e < MAX_ERRNO && n < (int)sizeof(line) - 40; e++)
			if (counts[op][e])
				n += snprintf(line + n, sizeof(line) - n, ", %s %lu",
					      et_errno_name(e), counts[op][e]);
		tap_diag("%s", line);
	}
	tap_diag("completion records read: %lu", records);

	tap_ok(1, "%ld calls on %d files by %d threads, no crash",
	       total_ops, nslots, nthreads);
	tap_ok(violations == 0, "every errno is one the header documents for the call (%lu undocumented)",
	       violations);
	tap_ok(bad_records == 0, "every completion status is 0, -ETIMEDOUT, -ENODEV or -ECANCELED (%lu of %lu not)",
	       bad_records, records);
	kbad = klog_bad();
	tap_ok(kbad == 0, "no BUG, WARNING, Oops or DMAR fault in the kernel log (%d lines)",
	       kbad);
	for (i = 0; i < ndev; i++) {
		int f = et_open(i, 0);

		e = f < 0 ? errno : et_stats(f, &st);
		ok = !e && st.regions == 0 && st.queue_depth == 0 &&
		     st.pinned_pages == 0;
		tap_ok(ok, "%s idle after every file closed: regions %llu, pinned_pages %llu, queue_depth %llu (%s)",
		       devname(i), (unsigned long long)st.regions,
		       (unsigned long long)st.pinned_pages,
		       (unsigned long long)st.queue_depth, et_errno_name(e));
		if (!e)
			tap_diag("%s: %llu transfers completed (%llu errors, %llu timeouts), %llu DMAs, %llu registrations during the fuzz",
				 devname(i),
				 (unsigned long long)(st.xfers - st0[i].xfers),
				 (unsigned long long)(st.errors - st0[i].errors),
				 (unsigned long long)(st.timeouts - st0[i].timeouts),
				 (unsigned long long)(st.dma_to_dev + st.dma_from_dev -
						      st0[i].dma_to_dev - st0[i].dma_from_dev),
				 (unsigned long long)(st.reg_total - st0[i].reg_total));
		if (f >= 0)
			close(f);
	}
	tap_ok(et_pins_settle(pin_base, 5000) == pin_base,
	       "pin counter back to the baseline (%+lld)",
	       et_pins() - pin_base);
	for (i = 0; i < ndev; i++) {
		char why[200];
		int f = et_open(i, 0);

		tap_ok(f >= 0 && et_copy_check(f, 10000, why, sizeof(why)),
		       "data check on %s afterwards: %s", devname(i),
		       f < 0 ? strerror(errno) : why);
		if (f >= 0)
			close(f);
	}
	tap_ok(klog_bad() == 0, "kernel log still clean after the checks");
	tap_finish();
}
