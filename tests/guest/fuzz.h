/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h: the seeded ioctl fuzzer of the fuzz_*.c programs.  A case fuzzes
 * one family of calls: several threads (4) share several files (2 per
 * device, every device) and make the family's calls with random arguments:
 * mostly plausible (real memory, real handles, small lengths) and often
 * garbage (argsz, flags, ops, handles, offsets, lengths, pointers to
 * read-only, PROT_NONE, unmapped and kernel memory).
 *
 * Every errno must be one the header documents for that call; an
 * undocumented one is a failure and the call is printed.  Afterwards every
 * file is closed: every device idle with no region, the pin counter back at
 * its baseline, and a COPY verifies on every device (the runner checks the
 * kernel log after the case).
 *
 * The calls of the whole mix (EDUDMA_FUZZ_OPS=N, default 6000, all threads
 * together) are divided among the families by their weights (per 100
 * calls of the mix, as before the split); EDUDMA_FUZZ_THREADS=N sets the
 * threads (default 4).  EDUDMA_SEED=N with the case's name repeats each
 * thread's sequence of calls (the interleaving is the scheduler's).
 *
 * Memory: every buffer a pointer may land in is fenced by PROT_NONE guard
 * pages, and "unmapped" is an address below mmap_min_addr, so a garbage
 * length can never reach (and let the device write) memory of the program
 * itself.
 */
#ifndef FUZZ_H
#define FUZZ_H

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
#define MAX_FAMILY_OPS	9
#define MAX_REPORTS	30		/* undocumented calls printed */

ET_PRECONDITION(et_need_device)

/* ---- what every call may return (include/uapi/linux/edudma.h) ------------- */

enum fuzz_call {
	OP_INFO, OP_REG, OP_DEREG, OP_XFER, OP_EVFD, OP_FACT, OP_STATS,
	OP_BENCH, OP_UNKNOWN, OP_READ, OP_POLL, OP_REOPEN, OP_PREFETCH,
	OP_EVENTS, NOPS
};

static const char *const op_name[NOPS] = {
	"GET_INFO", "REG_MR", "DEREG_MR", "XFER", "SET_EVENTFD", "FACTORIAL",
	"GET_STATS", "BENCH_PIN", "unknown ioctl", "read", "poll", "reopen",
	"PREFETCH", "GET_EVENTS",
};

/* EFAULT and ENODEV hold for every ioctl (uapi.md, errno index) */
#define ALL EFAULT, ENODEV
static const int allowed[NOPS][16] = {
	[OP_INFO] = { ALL, EINVAL },
	[OP_REG] = { ALL, EINVAL, ENOMEM, ENOSPC, ERANGE, EIO },
	[OP_DEREG] = { ALL, EINVAL, ENOENT, EBUSY },
	[OP_XFER] = { ALL, EINVAL, ENOENT, EACCES, ESTALE, ENOMEM, ENOSPC,
		      ERANGE, EIO, EAGAIN, EINTR, ETIMEDOUT },
	[OP_EVFD] = { ALL, EINVAL, EBADF },
	[OP_FACT] = { ALL, EINVAL, ETIMEDOUT, EINTR },
	[OP_STATS] = { ALL, EINVAL },
	[OP_BENCH] = { ALL, EPERM, EINVAL, ENOMEM },
	[OP_UNKNOWN] = { ENOTTY, ENODEV },
	[OP_READ] = { EINVAL, EFAULT, EAGAIN, EINTR, ENODEV },
	[OP_POLL] = { 0 },
	[OP_REOPEN] = { 0 },
	[OP_PREFETCH] = { ALL, EINVAL, ENOENT, EACCES, ERANGE, ENOMEM, EIO,
			  EINTR },
	[OP_EVENTS] = { ALL, EINVAL, ENOMEM, EINTR },
};

/*
 * completion status: 0 or one of these, negated (EFAULT, ERANGE, ENOMEM:
 * an on-demand side faulted when the transfer ran)
 */
static const int allowed_status[] = { ETIMEDOUT, ENODEV, ECANCELED, EFAULT,
				      ERANGE, ENOMEM, 0 };

static inline int in_list(const int *list, int n, int e)
{
	for (int i = 0; i < n && list[i]; i++)
		if (list[i] == e)
			return 1;
	return 0;
}

static inline const char *devname(int i)
{
	const char *p = et_dev_path(i);

	return p ? p : "(gone)";
}

/* ---- the state of a case -------------------------------------------------- */

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

/* One thread's memory, generator and call. */
struct ctx {
	struct et_fx_fuzz *fz;
	int id;
	uint64_t rng;
	unsigned char *base;		/* the whole guarded mapping */
	size_t size;
	unsigned char *mem;		/* MEM_SIZE read-write */
	unsigned char *ro;		/* 2 pages read-only */
	unsigned char *none;		/* a PROT_NONE guard page */
	unsigned char *arg;		/* 2 pages for argument structs */
	int efd;			/* an eventfd */
	int pipefd[2];
	char desc[400];			/* the call being made */
	void *argp;			/* the pointer it passed */
	long ops;
};

/* A call of a family and its weight in 100 calls of the whole mix. */
struct fuzz_op {
	enum fuzz_call op;
	int weight;
	void (*fn)(struct ctx *c, struct slot *s);
};

/* A case's row: the family's calls (a weight of 0 ends the list). */
struct fuzz_family {
	const char *name;
	struct fuzz_op ops[MAX_FAMILY_OPS];
};

ET_FIXTURE(fuzz) {
	struct slot slots[MAX_SLOTS];
	struct ctx ctxs[MAX_THREADS];
	int ndev, nslots, nthreads;
	long total_ops;			/* EDUDMA_FUZZ_OPS: the whole mix */
	long calls;			/* this family's share */
	long next_op;			/* shared countdown */
	const struct fuzz_family *family;
	int nops, wsum;
	unsigned long counts[NOPS][MAX_ERRNO];	/* [op][errno], 0 = success */
	unsigned long records, bad_records, violations;
	pthread_mutex_t report_lock;
	long long pin_base;
	struct edudma_stats st0[LAB_MAX_DEVICES];
};

/* ---- files ---------------------------------------------------------------- */

static inline void slot_add(struct slot *s, uint32_t h, uint64_t len,
			    uint32_t acc)
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
static inline uint32_t slot_pick(struct slot *s, uint64_t r, uint32_t acc,
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

static inline void slot_del(struct slot *s, uint32_t h)
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

static inline int open_slot(struct slot *s)
{
	s->fd = et_open(s->dev, O_NONBLOCK);
	s->nh = 0;
	s->stale = 0;
	return s->fd < 0 ? errno : 0;
}

/* ---- per thread ----------------------------------------------------------- */

static inline uint64_t rnd(struct ctx *c)
{
	return ed_rand(&c->rng);
}

static inline uint64_t rng_in(struct ctx *c, uint64_t lo, uint64_t hi)
{
	return lo + rnd(c) % (hi - lo + 1);
}

static inline int chance(struct ctx *c, int percent)
{
	return (int)(rnd(c) % 100) < percent;
}

/*
 * Guarded layout: G mem G ro G none(=G) arg G, where G is a PROT_NONE page.
 * The thread's generator is seeded from the case's.
 */
static inline int ctx_init(struct ctx *c, struct et_fx_fuzz *fz, int id)
{
	size_t pages = 1 + MEM_SIZE / ET_PAGE + 1 + 2 + 1 + 2 + 1 + 1;

	c->efd = c->pipefd[0] = c->pipefd[1] = -1;
	c->size = pages * ET_PAGE;
	c->base = mmap(NULL, c->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (c->base == MAP_FAILED) {
		c->base = NULL;
		return -1;
	}
	c->fz = fz;
	c->id = id;
	c->rng = ed_mix64(et_rand() + (uint64_t)id);	/* one stream each */
	c->mem = c->base + ET_PAGE;
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

static inline void ctx_free(struct ctx *c)
{
	if (c->base)
		munmap(c->base, c->size);
	if (c->efd >= 0)
		close(c->efd);
	if (c->pipefd[0] >= 0) {
		close(c->pipefd[0]);
		close(c->pipefd[1]);
	}
}

/* ---- the checks of each call ---------------------------------------------- */

static inline void count(struct et_fx_fuzz *fz, int op, int e)
{
	__atomic_fetch_add(&fz->counts[op][e < MAX_ERRNO ? e : MAX_ERRNO - 1],
			   1, __ATOMIC_RELAXED);
}

/* A call the checks reject: counted, and the first few printed. */
static inline void violation(struct ctx *c, const char *what,
			     const char *result)
{
	struct et_fx_fuzz *fz = c->fz;
	unsigned long n = __atomic_add_fetch(&fz->violations, 1,
					     __ATOMIC_RELAXED);

	pthread_mutex_lock(&fz->report_lock);
	if (n <= MAX_REPORTS)
		et_note("%s: thread %d op %ld: %s -> %s", what, c->id, c->ops,
			c->desc, result);
	pthread_mutex_unlock(&fz->report_lock);
}

static inline void check(struct ctx *c, int op, int e)
{
	count(c->fz, op, e);
	if (e && !in_list(allowed[op], 16, e))
		violation(c, "UNDOCUMENTED", et_errno_name(e));
}

static inline void check_record(struct ctx *c,
				const struct edudma_completion *r)
{
	struct et_fx_fuzz *fz = c->fz;

	__atomic_fetch_add(&fz->records, 1, __ATOMIC_RELAXED);
	if (r->status && !in_list(allowed_status,
				  sizeof(allowed_status) / sizeof(int),
				  -r->status)) {
		__atomic_fetch_add(&fz->bad_records, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&fz->report_lock);
		et_note("UNDOCUMENTED completion status: thread %d: cookie %llu status %d bytes %llu",
			c->id, (unsigned long long)r->cookie, r->status,
			(unsigned long long)r->bytes);
		pthread_mutex_unlock(&fz->report_lock);
	}
}

#include "fuzz_args.h"

/* ---- the fixture ------------------------------------------------------------ */

static inline long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

ET_SETUP(fuzz)
{
	int e;

	self->pin_base = et_pins();
	pthread_mutex_init(&self->report_lock, NULL);
	self->ndev = et_ndevices();
	self->total_ops = env_long("EDUDMA_FUZZ_OPS", DEF_OPS);
	self->nthreads = (int)env_long("EDUDMA_FUZZ_THREADS", DEF_THREADS);
	if (self->nthreads < 1 || self->nthreads > MAX_THREADS)
		self->nthreads = DEF_THREADS;
	self->nslots = self->ndev * FILES_PER_DEV;
	if (self->nslots > MAX_SLOTS)
		self->nslots = MAX_SLOTS;
	for (int i = 0; i < self->ndev && i < LAB_MAX_DEVICES; i++) {
		int f = et_open(i, 0);

		if (f >= 0) {
			et_stats(f, &self->st0[i]);
			close(f);
		}
	}
	for (int i = 0; i < MAX_SLOTS; i++)
		self->slots[i].fd = -1;
	for (int i = 0; i < self->nslots; i++) {
		struct slot *s = &self->slots[i];

		pthread_rwlock_init(&s->lock, NULL);
		pthread_mutex_init(&s->hlock, NULL);
		s->dev = i / FILES_PER_DEV;
		e = open_slot(s);
		ET_ASSERT(!e, "cannot open %s: %s", devname(s->dev),
			  strerror(e));
	}
	for (int i = 0; i < self->nthreads; i++)
		ET_ASSERT(!ctx_init(&self->ctxs[i], self, i),
			  "thread %d's memory: %s", i, strerror(errno));
}

ET_TEARDOWN(fuzz)
{
	for (int i = 0; i < self->nslots; i++)
		if (self->slots[i].fd >= 0)
			close(self->slots[i].fd);
	for (int i = 0; i < self->nthreads; i++)
		ctx_free(&self->ctxs[i]);
}

/* ---- the run ---------------------------------------------------------------- */

static inline const struct fuzz_op *fuzz_pick(struct et_fx_fuzz *fz, int w)
{
	int i;

	for (i = 0; i < fz->nops - 1; i++) {
		if (w < fz->family->ops[i].weight)
			break;
		w -= fz->family->ops[i].weight;
	}
	return &fz->family->ops[i];
}

static inline void *fuzz_worker(void *arg)
{
	struct ctx *c = arg;
	struct et_fx_fuzz *fz = c->fz;

	while (__atomic_fetch_sub(&fz->next_op, 1, __ATOMIC_RELAXED) > 0) {
		struct slot *s = &fz->slots[rnd(c) % fz->nslots];
		const struct fuzz_op *o = fuzz_pick(fz, (int)(rnd(c) % fz->wsum));

		c->ops++;
		if (o->op == OP_REOPEN) {	/* takes the write lock */
			o->fn(c, s);
			continue;
		}
		pthread_rwlock_rdlock(&s->lock);
		o->fn(c, s);
		pthread_rwlock_unlock(&s->lock);
	}
	return NULL;
}

static inline long long wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The family's share of the calls, by the threads; then every file closed. */
static inline void fuzz_threads(struct et_fx_fuzz *fz)
{
	pthread_t tids[MAX_THREADS];
	long long t0, w0;
	int i, started;

	w0 = wall_ms();
	t0 = et_now_ms();
	for (started = 0; started < fz->nthreads; started++)
		if (pthread_create(&tids[started], NULL, fuzz_worker,
				   &fz->ctxs[started]))
			break;
	ET_EXPECT(started == fz->nthreads, "started %d of %d threads",
		  started, fz->nthreads);
	if (!started)	/* no thread: no call made */
		fz->next_op = 0;
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	/* a count line of tests/run's report: "PROGRAM: CASE: N calls in" */
	et_note("%s: %s: %ld calls in %lld ms of guest time (%lld ms of its wall clock)",
		program_invocation_short_name, et_case_name(), fz->calls,
		et_now_ms() - t0, wall_ms() - w0);
	for (i = 0; i < fz->nslots; i++) {
		close(fz->slots[i].fd);
		fz->slots[i].fd = -1;
	}
}

/* Per call and per errno. */
static inline void fuzz_summary(const struct et_fx_fuzz *fz)
{
	char line[1024];

	for (int k = 0; k < fz->nops; k++) {
		int op = fz->family->ops[k].op, n;
		unsigned long tot = 0;

		for (int e = 0; e < MAX_ERRNO; e++)
			tot += fz->counts[op][e];
		n = snprintf(line, sizeof(line), "%s: %lu calls", op_name[op],
			     tot);
		for (int e = 0; e < MAX_ERRNO && n < (int)sizeof(line) - 40; e++)
			if (fz->counts[op][e])
				n += snprintf(line + n, sizeof(line) - n,
					      ", %s %lu", et_errno_name(e),
					      fz->counts[op][e]);
		et_note("%s", line);
	}
}

static inline void note_activity(const struct et_fx_fuzz *fz, int i,
				 const struct edudma_stats *st)
{
	const struct edudma_stats *b = &fz->st0[i];

	et_note("%s: %llu transfers completed (%llu errors, %llu timeouts), %llu DMAs, %llu registrations during the fuzz",
		devname(i), (unsigned long long)(st->xfers - b->xfers),
		(unsigned long long)(st->errors - b->errors),
		(unsigned long long)(st->timeouts - b->timeouts),
		(unsigned long long)(st->dma_to_dev + st->dma_from_dev -
				     b->dma_to_dev - b->dma_from_dev),
		(unsigned long long)(st->reg_total - b->reg_total));
}

/* Device i with every file closed: idle, no region, nothing pinned. */
static inline void check_idle(const struct et_fx_fuzz *fz, int i)
{
	struct edudma_stats st = { 0 };
	int f = et_open(i, 0);
	int e = f < 0 ? errno : et_stats(f, &st);

	ET_EXPECT(!e && st.regions == 0 && st.queue_depth == 0 &&
		  st.pinned_pages == 0,
		  "%s idle after every file closed: regions %llu, pinned_pages %llu, queue_depth %llu (GET_STATS: %s)",
		  devname(i), (unsigned long long)st.regions,
		  (unsigned long long)st.pinned_pages,
		  (unsigned long long)st.queue_depth, et_errno_name(e));
	if (!e && i < LAB_MAX_DEVICES)
		note_activity(fz, i, &st);
	if (f >= 0)
		close(f);
}

static inline int family_has(const struct et_fx_fuzz *fz, enum fuzz_call op)
{
	for (int k = 0; k < fz->nops; k++)
		if (fz->family->ops[k].op == op)
			return 1;
	return 0;
}

/* The checks after the run. */
static inline void fuzz_check(struct et_fx_fuzz *fz)
{
	long long pins;

	ET_EXPECT(fz->violations == 0,
		  "every errno is one the header documents for the call: %lu undocumented (the first %d are above)",
		  fz->violations, MAX_REPORTS);
	if (family_has(fz, OP_READ))
		ET_EXPECT(fz->bad_records == 0,
			  "every completion status is 0, -ETIMEDOUT, -ENODEV, -ECANCELED, or for an on-demand side -EFAULT, -ERANGE or -ENOMEM: %lu of %lu not",
			  fz->bad_records, fz->records);
	for (int i = 0; i < fz->ndev; i++)
		check_idle(fz, i);
	pins = et_pins_settle(fz->pin_base, 5000);
	ET_EXPECT(pins == fz->pin_base,
		  "pin counter back to the baseline after every file closed: %+lld",
		  pins - fz->pin_base);
	et_expect_copy_every_device("afterwards");
}

/*
 * The case of a family: its share of the calls of the whole mix, then the
 * checks.  The time limit: ms_per_call for each call (a quarter of it or
 * less was measured) and 30 s for the checks.
 */
static inline void fuzz_family(struct et_fx_fuzz *fz,
			       const struct fuzz_family *family,
			       unsigned int ms_per_call)
{
	fz->family = family;
	for (fz->nops = 0; fz->nops < MAX_FAMILY_OPS &&
	     family->ops[fz->nops].weight; fz->nops++)
		fz->wsum += family->ops[fz->nops].weight;
	ET_ASSERT(fz->nops && fz->wsum, "%s: a family with no call",
		  family->name);
	fz->calls = fz->total_ops * fz->wsum / 100;
	fz->next_op = fz->calls;
	et_timeout(30 + (unsigned int)(fz->calls * ms_per_call / 1000));
	if (family_has(fz, OP_BENCH) && et_bench_open() < 0)
		et_note("cannot open " EDUDMA_BENCH_FILE ": %s",
			strerror(errno));
	et_note("calls: %ld (%d of every 100 of EDUDMA_FUZZ_OPS=%ld), %d threads, %d files on %d devices (EDUDMA_FUZZ_THREADS)",
		fz->calls, fz->wsum, fz->total_ops, fz->nthreads, fz->nslots,
		fz->ndev);
	fuzz_threads(fz);
	fuzz_summary(fz);
	if (family_has(fz, OP_READ))
		et_note("completion records read: %lu", fz->records);
	fuzz_check(fz);
}

#endif /* FUZZ_H */
