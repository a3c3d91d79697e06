// SPDX-License-Identifier: GPL-2.0
/*
 * replug_guest: the guest half of tests/host/t-faults-hotplug.sh: the
 * second device is hot-unplugged and plugged back CYCLES times (default
 * 10, EDUDMA_REPLUG_CYCLES) while edudma-stress runs on /dev/edudma0 with
 * verification all along.
 *
 * Runs only with EDUDMA_REPLUG=1 (the host script sets it); otherwise it
 * skips (exit 4), since the runner runs every program of the test folder.
 *
 * Each cycle, on the device that is not edudma0:
 *   guest: checks it moves data right (a COPY, verified), makes it busy
 *          (sync COPYs in a loop on one file, async COPYs queued on a
 *          second), prints "READY i"
 *   host:  device_del edu1, waits for DEVICE_DELETED
 *   guest: the sync loop ends with ENODEV, every async COPY completes once,
 *          the node and the PCI function go away; closes the files;
 *          prints "GONE i"
 *   host:  device_add edu1
 * At the end edudma-stress is stopped (SIGTERM): it must report no error
 * and no mismatch (the runner then checks the pin counters).
 *
 * edudma-stress keeps pages pinned from the first cycle to the last, so
 * the cycles cannot be cases of their own (the runner checks the pins
 * after each): the whole run is one case, two ET_EXPECTs a cycle.
 */
#include <pthread.h>
#include <signal.h>

#include "hotplug.h"
#include "stress_child.h"

#define KiB 1024UL
#define MiB (1024 * KiB)
#define NASYNC 4
#define BUSY (1 * MiB)
#define WAIT_MS 600000		/* for a node to come or go */

static const char *need_replug_script(void)
{
	if (!hp_env_set("EDUDMA_REPLUG"))
		return "run by tests/host/t-faults-hotplug.sh";
	if (!et_exists("/dev/edudma0") || !*et_other_device())
		return "needs /dev/edudma0 and a second device";
	return NULL;
}

ET_PRECONDITION(need_replug_script)

/* ---- one cycle ----------------------------------------------------------- */

struct cycle {
	int i;
	char path[LAB_PATH], pcidir[128];
	int fd, fd2;		/* sync loop on fd, async COPYs on fd2 */
	unsigned char *buf[4];	/* A, B on fd; C, D on fd2 */
	uint32_t h[4];
	int copies, err;	/* of the sync loop */
};

/* sync COPYs until one fails: the removal must end them with ENODEV */
static void *busy_loop(void *arg)
{
	struct cycle *c = arg;

	do {
		c->err = et_copy(c->fd, c->h[0], 0, c->h[1], 0, BUSY);
		if (!c->err)
			c->copies++;
	} while (!c->err);
	return NULL;
}

/* The device plugged in last: there, and it copies right. */
static void cycle_check_device(struct cycle *c)
{
	struct edudma_device_info info = { 0 };
	char why[200] = "";
	int e;

	snprintf(c->path, sizeof(c->path), "%s",
		 hp_wait_other_device(WAIT_MS, NULL));
	c->fd = *c->path ? open(c->path, O_RDWR | O_CLOEXEC) : -1;
	c->fd2 = *c->path ? open(c->path, O_RDWR | O_CLOEXEC) : -1;
	e = c->fd < 0 || c->fd2 < 0 ? ENODEV : et_info(c->fd, &info);
	if (!e)
		hp_pcidir(&info, c->pcidir, sizeof(c->pcidir));
	ET_EXPECT(!e && et_copy_check(c->fd, 20000, why, sizeof(why)),
		  "cycle %d: %s (minor %u) missing or copies wrong: %s", c->i,
		  *c->path ? c->path : "no device", info.minor,
		  e ? et_errno_name(e) : why);
}

/* Registrations on both files, async COPYs queued; 0 or the errno. */
static int cycle_make_busy(struct cycle *c)
{
	int e = 0;

	if (c->fd < 0 || c->fd2 < 0)
		return ENODEV;
	for (int k = 0; k < 4; k++) {
		c->buf[k] = et_map(BUSY);
		if (!c->buf[k])
			return ENOMEM;
	}
	et_fill(c->buf[0], BUSY);
	et_fill(c->buf[2], BUSY);
	for (int k = 0; k < 4 && !e; k++)
		e = et_reg_rw(k < 2 ? c->fd : c->fd2, c->buf[k], BUSY,
			      &c->h[k]);
	if (!e)
		e = hp_queue_copies(c->fd2, c->h[2], c->h[3], NASYNC,
				    BUSY / NASYNC);
	return e;
}

/* READY: the host removes the device under load. */
static void cycle_removal(struct cycle *c)
{
	struct edudma_completion comp[NASYNC];
	int e = cycle_make_busy(c), got = 0, odd = 0, ended, gone;
	pthread_t t;

	if (!e)
		pthread_create(&t, NULL, busy_loop, c);
	usleep(100000);
	printf("READY %d\n", c->i);
	fflush(stdout);
	if (!e) {
		pthread_join(t, NULL);
	} else {
		et_note("cycle %d: could not make the device busy: %s", c->i,
			strerror(e));
		while (et_exists(c->path))
			usleep(50000);
	}
	gone = hp_wait_gone(c->path, c->pcidir, WAIT_MS);
	/* every queued async COPY completes once (ok, ENODEV or ECANCELED) */
	if (!e) {
		got = hp_collect(c->fd2, comp, NASYNC, 20000);
		odd = hp_judge(comp, got, NASYNC, BUSY / NASYNC, &ended, 0);
	}
	ET_EXPECT(!e && c->err == ENODEV && got == NASYNC && !odd && gone,
		  "cycle %d: removal under load: busy: %s; the sync COPY loop ended with %s (ENODEV) after %d COPYs, %d/%d async completions (%d odd), %s %s",
		  c->i, et_errno_name(e), et_errno_name(c->err), c->copies,
		  got, NASYNC, odd, c->path, gone ? "gone" : "still there");
}

static void cycle(int i)
{
	struct cycle c = { .i = i, .fd = -1, .fd2 = -1 };

	cycle_check_device(&c);
	cycle_removal(&c);
	if (c.fd >= 0)
		close(c.fd);
	if (c.fd2 >= 0)
		close(c.fd2);
	for (int k = 0; k < 4; k++)
		if (c.buf[k])
			munmap(c.buf[k], BUSY);
	printf("GONE %d\n", i);
	fflush(stdout);
}

/* ---- edudma-stress all along --------------------------------------------- */

ET_FIXTURE(replug) {
	long long pins0;
	int cycles;
	pid_t stress;
	FILE *out;		/* edudma-stress's output */
};

ET_SETUP(replug)
{
	const char *cs = getenv("EDUDMA_REPLUG_CYCLES");

	self->cycles = cs && *cs ? atoi(cs) : 10;
	et_timeout(120 + 120 * (self->cycles > 0 ? self->cycles : 0));
	self->pins0 = et_pins();
	self->stress = et_stress_start(&self->out, "--devices", "0",
				       "--threads", "2", "--duration", "100000",
				       "--sizes", "1-16k", "--quiet",
				       (char *)NULL);
	ET_ASSERT(self->stress > 0, "edudma-stress on /dev/edudma0: %s",
		  strerror(errno));
}

ET_TEARDOWN(replug)
{
	int mism = -1, errs = -1, status = 0;
	char line[512];

	kill(self->stress, SIGTERM);
	while (fgets(line, sizeof(line), self->out)) {
		line[strcspn(line, "\n")] = 0;
		et_note("%s", line);
		sscanf(line, " errors %d", &errs);
		sscanf(line, " mismatches %d", &mism);
	}
	fclose(self->out);
	waitpid(self->stress, &status, 0);
	ET_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		  errs == 0 && mism == 0,
		  "edudma-stress on edudma0 throughout: %s (exited 0), %d errors, %d mismatches",
		  et_status_str(status), errs, mism);
	/* the unpinning may lag; the runner then checks the counters */
	et_pins_settle(self->pins0, 5000);
}

ET_TEST_F(replug, unplug_and_replug_under_load_beside_edudma_stress)
{
	char why[200] = "";
	const char *path;
	int fd;

	for (int i = 1; i <= self->cycles; i++)
		cycle(i);
	/* the last re-plugged device is checked by no cycle: do it here */
	path = hp_wait_other_device(WAIT_MS, NULL);
	fd = *path ? open(path, O_RDWR | O_CLOEXEC) : -1;
	ET_EXPECT(fd >= 0 && et_copy_check(fd, 20000, why, sizeof(why)),
		  "after the last cycle %s missing or copies wrong: %s",
		  *path ? path : "no device", fd < 0 ? strerror(errno) : why);
	if (fd >= 0)
		close(fd);
}
