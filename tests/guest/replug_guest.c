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
 * and no mismatch, and the pin counter must be back at its start.
 */
#include <pthread.h>
#include <signal.h>

#include "edudma_test.h"

#define KiB 1024UL
#define MiB (1024 * KiB)
#define NASYNC 4
#define BUSY (1 * MiB)

struct busy {
	int fd;
	uint32_t a, b;
	int copies, err;
};

/* sync COPYs until one fails: the removal must end them with ENODEV */
static void *busy_loop(void *arg)
{
	struct busy *b = arg;

	do {
		b->err = et_copy(b->fd, b->a, 0, b->b, 0, BUSY);
		if (!b->err)
			b->copies++;
	} while (!b->err);
	return NULL;
}

static pid_t start_stress(int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execlp("edudma-stress", "edudma-stress", "--devices", "0",
		       "--threads", "2", "--duration", "100000", "--sizes", "1-16k",
		       "--quiet", (char *)NULL);
		printf("exec edudma-stress: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

/* One cycle: two cases. */
static void cycle(int i)
{
	struct edudma_completion comp[NASYNC];
	struct edudma_device_info info = { 0 };
	struct busy b = { .fd = -1 };
	char path[LAB_PATH], pcidir[128] = "", why[200] = "";
	unsigned char *A = NULL, *B = NULL, *C = NULL, *D = NULL;
	int fd2 = -1, e = 0, got = 0, odd = 0, ok;
	uint32_t hc = 0, hd = 0;
	pthread_t t;
	long long t0;

	/* the device plugged in last: wait for its node */
	for (t0 = 0; t0 < 600000 && !*et_other_device(); t0 += 50)
		usleep(50000);
	snprintf(path, sizeof(path), "%s", et_other_device());
	b.fd = *path ? open(path, O_RDWR | O_CLOEXEC) : -1;
	fd2 = *path ? open(path, O_RDWR | O_CLOEXEC) : -1;
	e = b.fd < 0 || fd2 < 0 ? ENODEV : et_info(b.fd, &info);
	if (!e)
		snprintf(pcidir, sizeof(pcidir), "/sys/bus/pci/devices/%04x:%02x:%02x.%x",
			 info.pci_domain, info.pci_bus, info.pci_devfn >> 3,
			 info.pci_devfn & 7);
	ok = !e && et_copy_check(b.fd, 20000, why, sizeof(why));
	tap_ok(ok, "cycle %d: %s (minor %u) is there and copies right (%s)", i,
	       *path ? path : "no device", info.minor, e ? tap_errname(e) : why);

	A = et_map(BUSY);
	B = et_map(BUSY);
	C = et_map(BUSY);
	D = et_map(BUSY);
	if (!A || !B || !C || !D)
		e = ENOMEM;
	if (!e) {
		et_fill(A, BUSY);
		et_fill(C, BUSY);
		e = et_reg_rw(b.fd, A, BUSY, &b.a);
	}
	if (!e)
		e = et_reg_rw(b.fd, B, BUSY, &b.b);
	if (!e)
		e = et_reg_rw(fd2, C, BUSY, &hc);
	if (!e)
		e = et_reg_rw(fd2, D, BUSY, &hd);
	for (int k = 0; k < NASYNC && !e; k++) {
		struct edudma_xfer x = {
			.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
			.length = BUSY / NASYNC, .cookie = 100 + k,
			.src_handle = hc, .src = k * (BUSY / NASYNC),
			.dst_handle = hd, .dst = k * (BUSY / NASYNC),
		};
		e = et_xfer(fd2, &x);
	}
	if (!e)
		pthread_create(&t, NULL, busy_loop, &b);
	usleep(100000);
	printf("READY %d\n", i);
	fflush(stdout);

	if (!e) {
		pthread_join(t, NULL);
	} else {
		tap_diag("cycle %d: could not make the device busy: %s", i, strerror(e));
		b.err = ENODEV;	/* judged below by e */
		while (et_exists(path))
			usleep(50000);
	}
	for (t0 = 0; t0 < 600000 && (et_exists(path) || (*pcidir && et_exists(pcidir)));
	     t0 += 50)
		usleep(50000);
	/* every queued async COPY completes once (ok, ENODEV or ECANCELED) */
	for (t0 = 0; !e && got < NASYNC && t0 < 20000; t0 += 100) {
		struct pollfd p = { .fd = fd2, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		fcntl(fd2, F_SETFL, O_NONBLOCK);
		r = read(fd2, comp + got, (NASYNC - got) * sizeof(comp[0]));
		if (r > 0)
			got += r / sizeof(comp[0]);
		else if (r < 0 && errno != EAGAIN)
			break;
	}
	{
		int seen[NASYNC] = { 0 };

		for (int k = 0; k < got; k++) {
			uint64_t c = comp[k].cookie - 100;
			int s = comp[k].status;

			if (c >= NASYNC || seen[c]++ ||
			    (s && s != -ENODEV && s != -ECANCELED) ||
			    (!s && comp[k].bytes != BUSY / NASYNC))
				odd++;
		}
	}
	tap_ok(!e && b.err == ENODEV && got == NASYNC && !odd &&
	       !et_exists(path) && !(*pcidir && et_exists(pcidir)),
	       "cycle %d: removal under load: the sync COPY loop ended with ENODEV after %d COPYs (%s), %d/%d async completions (%d odd), %s gone",
	       i, b.copies, tap_errname(b.err), got, NASYNC, odd, path);
	if (b.fd >= 0)
		close(b.fd);
	if (fd2 >= 0)
		close(fd2);
	if (A)
		munmap(A, BUSY);
	if (B)
		munmap(B, BUSY);
	if (C)
		munmap(C, BUSY);
	if (D)
		munmap(D, BUSY);
	printf("GONE %d\n", i);
	fflush(stdout);
}

int main(void)
{
	const char *env = getenv("EDUDMA_REPLUG"), *cs = getenv("EDUDMA_REPLUG_CYCLES");
	int cycles = cs && *cs ? atoi(cs) : 10, rfd = -1, status = 0, ok;
	char line[512];
	int mism = -1, errs = -1;
	long long pins0;
	pid_t stress;
	FILE *f;

	if (!env || strcmp(env, "1")) {
		printf("TAP version 13\n1..0 # SKIP run by tests/host/t-faults-hotplug.sh\n");
		return TAP_EXIT_SKIP;
	}
	if (!et_exists("/dev/edudma0") || !*et_other_device())
		tap_skip_all("needs /dev/edudma0 and a second device");
	tap_plan(2 * cycles + 3);
	et_seed_init();
	pins0 = et_pins();
	stress = start_stress(&rfd);
	tap_ok(stress > 0, "edudma-stress runs on /dev/edudma0 (2 threads, verifying)");

	for (int i = 1; i <= cycles; i++)
		cycle(i);
	/* the last re-plugged device is checked by the next cycle; do it here */
	{
		char why[200] = "";
		int fd = -1;

		for (long long t = 0; t < 600000 && !*et_other_device(); t += 50)
			usleep(50000);
		if (*et_other_device())
			fd = open(et_other_device(), O_RDWR | O_CLOEXEC);
		ok = fd >= 0 && et_copy_check(fd, 20000, why, sizeof(why));
		tap_ok(ok, "after the last cycle %s is there and copies right (%s)",
		       et_other_device(), why);
		if (fd >= 0)
			close(fd);
	}

	if (stress > 0)
		kill(stress, SIGTERM);
	f = rfd >= 0 ? fdopen(rfd, "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		tap_diag("%s", line);
		sscanf(line, " errors %d", &errs);
		sscanf(line, " mismatches %d", &mism);
	}
	if (f)
		fclose(f);
	if (stress > 0)
		waitpid(stress, &status, 0);
	tap_ok(stress > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	       errs == 0 && mism == 0 &&
	       et_pins_settle(pins0, 5000) == pins0,
	       "edudma-stress on edudma0 throughout: %s, %d errors, %d mismatches; pin counter %+lld",
	       et_status_str(status), errs, mism, et_pins() - pins0);
	tap_finish();
}
