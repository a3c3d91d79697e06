/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma-stress: what its three files share (main.c: options, set-up and
 * the summary; worker.c: a thread's buffers, registrations, patterns and
 * checks; ops.c: the operations).
 */
#ifndef EDUDMA_STRESS_H
#define EDUDMA_STRESS_H

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <edudma.h>
#include "edudma_rand.h"

#define MAX_DEVS	64
#define MAX_THREADS	256
#define NARENA		4		/* buffers per thread */
#define GUARD		64		/* checked bytes around destinations */
#define PAGE		4096UL
#define DEVBUF		4095U		/* usable bytes of the device buffer */
#define MAX_BATCH	4		/* transfers per async op */
#define MAX_SIZE	(256UL << 20)
#define MAX_MSGS	50		/* error lines printed before silence */
#define ERROR_LIMIT	1000		/* stop after this many errors */
#define WAIT_MS		10000		/* a device with no DMA for this long is stuck */

enum kind { K_COPY, K_TO_DEV, K_FROM_DEV, K_ONESHOT, K_ASYNC, K_NR };

extern const char *const kind_name[K_NR];

/* The options (main.c). */
struct options {
	double duration;		/* seconds, 0: none */
	uint64_t ops;			/* 0: none */
	unsigned int threads;
	unsigned int minors[MAX_DEVS];
	unsigned int ndevs;
	uint64_t size_min, size_max;
	unsigned int weight[K_NR];
	unsigned int weight_sum;
	uint64_t seed;
	int verify;
	int quiet;
	unsigned int on_demand;		/* percent of registrations */
};
extern struct options opt;

#define rnd(s)			ed_rand(s)
#define rnd_range(s, lo, hi)	ed_rand_range(s, lo, hi)
#define mix64(z)		ed_mix64(z)

/* ---- shared state ----------------------------------------------------------- */

/* What this process knows about one device's buffer. */
struct shared_dev {
	unsigned int minor;
	pthread_rwlock_t buf;		/* shared: COPY; exclusive: storage */
	atomic_uint bounced;		/* COPYs bounced through [0, bounced) */
	unsigned char shadow[DEVBUF];	/* under buf, exclusive */
	unsigned char known[DEVBUF];	/* shadow[i] is the content */
};
extern struct shared_dev sdev[MAX_DEVS];

extern atomic_int stop;
extern atomic_uint finished;		/* workers done */
extern atomic_int msgs;
extern atomic_uint_fast64_t g_ops, g_bytes, g_errors, g_mismatches;
extern double t_start;

/* ---- per thread ------------------------------------------------------------- */

struct tdev {
	struct edudma_dev *dev;
	struct shared_dev *sd;
	struct edudma_mr *mr[NARENA];	/* the arena's registration, or NULL */
};

struct worker {
	unsigned int idx;
	pthread_t tid;
	uint64_t rng;
	uint64_t quota;			/* ops to run; 0: until the time ends */
	uint64_t opno;			/* number of the current op */
	enum kind cur;
	struct tdev dev[MAX_DEVS];
	unsigned char *arena[NARENA];
	unsigned char *heap[2];		/* malloc()ed, for one-shot transfers */
	size_t asize;
	uint64_t cookie;
	uint64_t ops[K_NR];
	uint64_t xfers, regs, odp_regs, deregs, bytes, verified;
	int dead;			/* a device is gone or stuck: stop */
};

/*
 * A side of a transfer: [off, +len) of arena a, through the arena's
 * registration or one made for this op only (exact range, exact access).
 */
struct side {
	int a;
	unsigned char *p;		/* first byte */
	struct edudma_mr *mr;
	uint64_t off;			/* offset in mr */
	int temp;
};

/* worker.c: the generator, patterns and checks */
int one_in(uint64_t *s, unsigned int n);
uint64_t rnd_size(uint64_t *s, uint64_t lo, uint64_t hi);
double now(void);
void say(struct worker *w, struct tdev *td, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int fail(struct worker *w, struct tdev *td, int ret, const char *what);
void add_bytes(struct worker *w, uint64_t n);
void mismatch(struct worker *w, struct tdev *td, const char *what,
	      size_t len, long bad, unsigned char got, unsigned char want);
int guards_ok(struct worker *w, struct tdev *td, const char *what,
	      const unsigned char *dst, size_t len, uint64_t guard);
void verify(struct worker *w, struct tdev *td, const char *what,
	    const unsigned char *dst, size_t len, uint64_t name,
	    uint64_t guard);
void poison(unsigned char *dst, size_t len, uint64_t guard);
void fill(unsigned char *src, size_t len, uint64_t name);

/* worker.c: the device buffer's lock and shadow */
void buf_shared(struct shared_dev *sd, uint64_t len);
void buf_exclusive(struct shared_dev *sd);
void buf_unlock(struct shared_dev *sd);
void buf_wrote(struct shared_dev *sd, uint32_t off, size_t len,
	       uint64_t name);

/* worker.c: registrations and the sides of a transfer */
struct tdev *pick_dev(struct worker *w);
struct edudma_mr *arena_mr(struct worker *w, struct tdev *td, int a);
size_t pick_off(struct worker *w, size_t base, size_t size, size_t len);
int side_get(struct worker *w, struct tdev *td, struct side *s,
	     int a, size_t off, size_t len, unsigned int access,
	     int may_temp);
void side_put(struct worker *w, struct tdev *td, struct side *s);

/* worker.c: a thread's life */
int setup_worker(struct worker *w, unsigned int idx);
void *worker_main(void *arg);
void teardown_worker(struct worker *w);

/* ops.c */
void op_copy(struct worker *w);
void op_to_dev(struct worker *w);
void op_from_dev(struct worker *w);
void op_oneshot(struct worker *w);
void op_async(struct worker *w);

#endif /* EDUDMA_STRESS_H */
