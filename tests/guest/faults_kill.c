// SPDX-License-Identifier: GPL-2.0
/*
 * faults_kill: kill -9 at random moments.  100 children
 * (EDUDMA_FAULTS_KILLS) run a random mix of sync and async, registered
 * and one-shot transfers on every device and are SIGKILLed during set-up,
 * after a random sleep or after a random amount of computation; after
 * each kill the pin counter, the device's regions and queue are back, and
 * every tenth kill a data check runs.  Afterwards every device passes a
 * data check.  "# faults_kill: ..." lines give the counts.
 */
#include <signal.h>

#include "faults.h"

ET_PRECONDITION(et_need_device)

#define KILL_SIZE	(64 * KiB)

/* What a child tells the parent: one shared page. */
struct kshm {
	volatile int ready;		/* set-up done */
	volatile int in_xfer;		/* inside an EDUDMA_XFER ioctl */
	volatile long xfers;		/* transfers the child finished */
};

/* The child's memory: two registrations and a one-shot heap buffer. */
struct kmem {
	int f;
	unsigned char *A, *B, *H;
	uint32_t ha, hb;
};

/* A batch of 1 to 8 async COPYs; read back when wait, else left unread. */
static int kill_async_batch(const struct kmem *m, int wait)
{
	struct edudma_completion c[8];
	int n = (int)et_range(1, 8), e = 0, got = 0;

	for (int i = 0; i < n && !e; i++) {
		struct edudma_xfer x = {
			.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
			.length = et_range(1, 8 * KiB), .cookie = i,
		};

		if (et_range(0, 1)) {
			x.src_handle = m->ha;
			x.src = et_range(0, KILL_SIZE - x.length);
		} else {
			x.flags |= EDUDMA_XFER_SRC_PTR;
			x.src = (uintptr_t)m->H +
				et_range(0, KILL_SIZE - x.length);
		}
		x.dst_handle = m->hb;
		x.dst = et_range(0, KILL_SIZE - x.length);
		e = et_xfer(m->f, &x);
	}
	if (!e && wait)
		e = et_read_completions(m->f, c, n, &got);
	return e;
}

/* One random transfer of the child; 0 or the errno. */
static int kill_one_xfer(const struct kmem *m)
{
	uint64_t len = et_range(0, 1) ? et_range(1, ET_MAX_XFER) :
			 et_range(1, 12 * KiB);
	uint64_t so = et_range(0, KILL_SIZE - len);
	uint64_t dof = et_range(0, KILL_SIZE - len);
	uint32_t dl = (uint32_t)et_range(1, ET_MAX_XFER), h;
	int e;

	switch (et_range(0, 5)) {
	case 0:
		return et_copy(m->f, m->ha, so, m->hb, dof, len);
	case 1:
		return et_copy_ptr(m->f, m->H + so, m->B + dof, len);
	case 2:
		e = et_to_dev(m->f, m->ha, so, 0, dl);
		return e ? e : et_from_dev_ptr(m->f, m->H + dof, 0, dl);
	case 3:
		return kill_async_batch(m, 1);
	case 4:
		return kill_async_batch(m, 0);
	default:	/* a short register / COPY / deregister cycle */
		/* left registered: the kill must release it */
		et_reg(m->f, m->B + dof, len, EDUDMA_ACCESS_DEV_WRITE, NULL);
		e = et_reg_rw(m->f, m->A + so, len, &h);
		if (!e) {
			e = et_copy(m->f, h, 0, m->hb, dof, len);
			et_dereg(m->f, h);
		}
		return e;
	}
}

static void __attribute__((noreturn))
kill_child(struct kshm *sh, int dev, uint64_t seed)
{
	struct kmem m;

	et_rng = seed;
	m.f = et_open(dev, 0);
	m.A = et_map(KILL_SIZE);
	m.B = et_map(KILL_SIZE);
	m.H = malloc(KILL_SIZE);	/* one-shot memory: plain heap */
	if (m.f < 0 || !m.A || !m.B || !m.H)
		_exit(2);
	et_fill(m.A, KILL_SIZE);
	et_fill(m.H, KILL_SIZE);
	if (et_reg_rw(m.f, m.A, KILL_SIZE, &m.ha) ||
	    et_reg_rw(m.f, m.B, KILL_SIZE, &m.hb))
		_exit(2);
	sh->ready = 1;
	for (;;) {
		int e;

		sh->in_xfer = 1;
		e = kill_one_xfer(&m);
		sh->in_xfer = 0;
		if (!e)
			sh->xfers++;
	}
}

/* What the kills saw. */
struct kill_run {
	int ran, not_killed, pins_bad, data_bad;
	long killed, in_setup, in_xfer, child_xfers, pin_checks, data_checks;
	uint64_t bytes_verified;
	char first_pins[256], first_data[256];
};

/* Lets the child get going for a while, as the draw how says. */
static void kill_wait(const struct kshm *sh, int how)
{
	volatile uint64_t acc = 0;
	long spins;

	if (how >= 2) {		/* wait until it is transferring */
		for (int t = 0; t < 5000 && !sh->ready; t++)
			usleep(1000);
	}
	if (how >= 2 && how <= 5) {	/* a random sleep: 0 to 8 DMAs */
		usleep((useconds_t)et_range(0, 800) * 1000);
	} else if (how > 5) {		/* a random amount of real work */
		spins = (long)et_range(0, 3000000);
		for (long k = 0; k < spins; k++)
			acc += (uint64_t)k * 2654435761U;
	}
	(void)acc;
}

/* Kill i of kills: a child on device i % ndev, killed, checked. */
static void kill_once(struct kill_run *r, struct kshm *sh,
		      const struct fl_base *b, int i, int kills)
{
	int dev = i % b->ndev, how = (int)et_range(0, 9), status = 0;
	uint64_t seed = et_rand();
	size_t len;
	char why[160];
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	pid = fork();
	if (pid == 0)
		kill_child(sh, dev, seed);
	if (pid < 0) {
		r->not_killed++;
		return;
	}
	kill_wait(sh, how);
	if (!sh->ready)
		r->in_setup++;
	else if (sh->in_xfer)
		r->in_xfer++;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	r->ran++;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		r->killed++;
	else if (!r->not_killed++)	/* exit 2: the set-up failed */
		et_note("kill %d: the child %s", i, et_status_str(status));
	r->child_xfers += sh->xfers;
	r->pin_checks++;
	if (!fl_counters_back(b, why, sizeof(why)) && !r->pins_bad++)
		snprintf(r->first_pins, sizeof(r->first_pins),
			 "kill %d (device %d): %s", i, dev, why);
	if (i % 10 == 9 || i == kills - 1) {
		len = et_range(1, 12000);
		r->data_checks++;
		if (et_copy_check(b->fd[dev], len, why, sizeof(why)))
			r->bytes_verified += len;
		else if (!r->data_bad++)
			snprintf(r->first_data, sizeof(r->first_data),
				 "after kill %d: %s", i, why);
	}
}

ET_TEST(kill_9_at_random_moments_leaves_nothing_behind)
{
	const char *env = getenv("EDUDMA_FAULTS_KILLS");
	int kills = env && *env ? atoi(env) : 100;
	struct kshm *sh = mmap(NULL, ET_PAGE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct kill_run r = { 0 };
	long long t0 = et_now_ms();
	struct fl_base b;

	et_timeout(270);	/* 100 kills: 30 to 50 s of guest time */
	ET_ASSERT(sh != MAP_FAILED, "shared page: %s", strerror(errno));
	fl_base_take(&b, LAB_MAX_DEVICES);
	for (int i = 0; i < kills; i++)
		kill_once(&r, sh, &b, i, kills);
	ET_EXPECT(r.ran == kills && !r.not_killed,
		  "%d children on %d device(s): %d ran, %ld killed by SIGKILL, %d not (%ld in set-up, %ld inside a transfer ioctl)",
		  kills, b.ndev, r.ran, r.killed, r.not_killed, r.in_setup,
		  r.in_xfer);
	ET_EXPECT(r.child_xfers > 0,
		  "the children finished %ld transfers between the kills, expected some",
		  r.child_xfers);
	ET_EXPECT(!r.pins_bad,
		  "after %d of %d kills the pin counter, regions and queue were not back: %s",
		  r.pins_bad, r.ran, r.first_pins);
	ET_EXPECT(!r.data_bad,
		  "%d of %ld data checks after the kills failed: %s",
		  r.data_bad, r.data_checks, r.first_data);
	et_note("faults_kill: kills %ld (%ld in set-up, %ld inside a transfer), child transfers %ld",
		r.killed, r.in_setup, r.in_xfer, r.child_xfers);
	et_note("faults_kill: pin checks %ld, data checks %ld, bytes verified %llu",
		r.pin_checks, r.data_checks,
		(unsigned long long)r.bytes_verified);
	et_note("faults_kill: guest time %lld ms", et_now_ms() - t0);
	munmap(sh, ET_PAGE);
	fl_base_close(&b);
}

ET_TEST(afterwards_every_device_passes_a_data_check)
{
	struct fl_base b;
	char why[200];

	fl_base_take(&b, LAB_MAX_DEVICES);
	for (int i = 0; i < b.ndev; i++)
		ET_EXPECT(et_copy_check(b.fd[i], 9000, why, sizeof(why)),
			  "device %d: %s", i, why);
	fl_base_close(&b);
}
