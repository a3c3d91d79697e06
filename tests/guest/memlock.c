// SPDX-License-Identifier: GPL-2.0
/*
 * memlock: what registration may pin.  RLIMIT_MEMLOCK for a process
 * without CAP_IPC_LOCK (ENOMEM past it, counted over all its regions and
 * files, given back on dereg), root's exemption, and the per-file
 * max_regions and max_pinned_mb budgets (ENOSPC), set at runtime.
 */
#include <grp.h>
#include <sys/resource.h>

#include "edudma_test.h"

#define PLAN 24
#define KiB 1024UL

static long long pin_base;

static int cap_eff_zero(void)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");
	int zero = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			zero = strtoull(line + 7, NULL, 16) == 0;
	if (f)
		fclose(f);
	return zero;
}

static int set_memlock(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl) == 0;
}

/* Child, reports 9 cases. */
static void unprivileged(void)
{
	size_t size = 256 * KiB;
	unsigned char *buf = et_map(size);
	uint32_t h1 = 0, h2 = 0, h[4] = { 0 };
	unsigned char *want = malloc(64 * KiB);
	int f1, f2, e, e2, e3, ok;
	char why[160];
	long bad;

	et_fill(buf, size);
	f1 = et_open(0, 0);
	f2 = et_open(0, 0);
	ok = f1 >= 0 && f2 >= 0 && set_memlock(64 * KiB) &&
	     setgroups(0, NULL) == 0 && setgid(65534) == 0 &&
	     setuid(65534) == 0 && cap_eff_zero();
	et_report(ok, "child is uid %d, RLIMIT_MEMLOCK 64 KiB, no capabilities",
		  (int)getuid());

	e = et_reg_rw(f1, buf, 16 * KiB, &h1);
	et_report(e == 0, "unprivileged: 16 KiB registers (%s)", tap_errname(e));
	e = et_reg_rw(f1, buf + 64 * KiB, 128 * KiB, &h2);
	et_report(e == ENOMEM, "unprivileged: 128 KiB more -> ENOMEM (%s)",
		  tap_errname(e));
	if (!e)
		et_dereg(f1, h2);

	e = h1 ? et_dereg(f1, h1) : EBADF;
	e2 = e ? e : et_reg_rw(f1, buf + 64 * KiB, 56 * KiB, &h2);
	et_report(e2 == 0, "after DEREG_MR of the 16 KiB, 56 KiB registers (%s)",
		  tap_errname(e2));
	e = et_reg_rw(f1, buf, 16 * KiB, &h1);
	et_report(e == ENOMEM, "16 KiB more (72 KiB in all) -> ENOMEM (%s)",
		  tap_errname(e));
	if (!e)
		et_dereg(f1, h1);
	if (!e2)
		et_dereg(f1, h2);

	e = 0;
	for (int i = 0; i < 3 && !e; i++)
		e = et_reg_rw(f1, buf + i * 16 * KiB, 16 * KiB, &h[i]);
	e2 = e ? -1 : et_reg_rw(f1, buf + 128 * KiB, 32 * KiB, &h[3]);
	et_report(!e && e2 == ENOMEM,
		  "3 regions of 16 KiB register (%s), a fourth of 32 KiB -> ENOMEM (%s)",
		  tap_errname(e), tap_errname(e2 < 0 ? 0 : e2));
	if (!e2)
		et_dereg(f1, h[3]);
	e3 = et_reg_rw(f2, buf + 128 * KiB, 32 * KiB, &h2);
	et_report(e3 == ENOMEM,
		  "the limit counts the regions of every file: 32 KiB on a second file -> ENOMEM (%s)",
		  tap_errname(e3));
	if (!e3)
		et_dereg(f2, h2);

	/* a transfer between two of those regions, verified */
	memcpy(want, buf, 64 * KiB);
	memcpy(want + 16 * KiB + 200, buf + 100, 3000);
	e2 = e ? e : et_copy(f1, h[0], 100, h[1], 200, 3000);
	bad = et_diff(buf, want, 64 * KiB);
	snprintf(why, sizeof(why), "%s, first bad byte %ld", tap_errname(e2), bad);
	et_report(!e2 && bad < 0, "unprivileged: a COPY works within the limit (%s)",
		  why);
	for (int i = 0; i < 3; i++)
		if (h[i])
			et_dereg(f1, h[i]);
	e = et_reg_rw(f2, buf, 60 * KiB, &h2);
	et_report(e == 0,
		  "after the failures and deregs 60 KiB registers: nothing leaked (%s)",
		  tap_errname(e));
	_exit(0);
}

/* Child, reports 2 cases. */
static void privileged(void)
{
	size_t size = 1 << 20;
	unsigned char *buf = et_map(size);
	int f = et_open(0, 0), e;
	uint32_t h;

	et_fill(buf, size);
	et_report(f >= 0 && set_memlock(64 * KiB) && !cap_eff_zero(),
		  "root child with CAP_IPC_LOCK, RLIMIT_MEMLOCK 64 KiB");
	e = et_reg_rw(f, buf, size, &h);
	et_report(e == 0, "CAP_IPC_LOCK is exempt: 1 MiB registers (%s)",
		  tap_errname(e));
	_exit(0);
}

static void run_child(void (*fn)(void), int ncases, const char *who)
{
	int p[2], status = 0;
	pid_t pid;

	if (pipe(p)) {
		et_collect(-1, ncases, who);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		et_report_fd = p[1];
		fn();
	}
	close(p[1]);
	et_collect(p[0], ncases, who);
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	       et_pins_settle(pin_base, 2000) == pin_base,
	       "%s %s; pin counter back at the baseline (%+lld)", who,
	       et_status_str(status), et_pins() - pin_base);
}

static void cases_max_regions(void)
{
	unsigned char *buf = et_map(64 * KiB);
	uint32_t h[5] = { 0 }, hg;
	long old = -1;
	int f, g, e, e5, eg;

	et_fill(buf, 64 * KiB);
	e = et_param_get("max_regions", &old);
	if (!e)
		e = et_param_set("max_regions", 4);
	tap_ok(!e, "max_regions was %ld, set to 4 (%s)", old, tap_errname(e));
	f = et_open(0, 0);
	g = et_open(0, 0);
	e = 0;
	for (int i = 0; i < 4 && !e; i++)
		e = et_reg_rw(f, buf + i * 8 * KiB, 8 * KiB, &h[i]);
	e5 = e ? -1 : et_reg_rw(f, buf + 40 * KiB, 8 * KiB, &h[4]);
	tap_ok(!e && e5 == ENOSPC, "4 regions register (%s), the fifth -> ENOSPC (%s)",
	       tap_errname(e), tap_errname(e5 < 0 ? 0 : e5));
	eg = et_reg_rw(g, buf, 8 * KiB, &hg);
	tap_ok(eg == 0, "the budget is per file: another file registers (%s)",
	       tap_errname(eg));
	e = et_dereg(f, h[0]);
	e5 = e ? e : et_reg_rw(f, buf + 40 * KiB, 8 * KiB, &h[4]);
	tap_ok(e5 == 0, "after one DEREG_MR the file registers again (%s)",
	       tap_errname(e5));
	close(f);
	close(g);
	e = old > 0 ? et_param_set("max_regions", old) : EINVAL;
	tap_ok(!e, "max_regions restored to %ld (%s)", old, tap_errname(e));
	munmap(buf, 64 * KiB);
}

static void cases_max_pinned(void)
{
	size_t size = 2 << 20;
	unsigned char *buf = et_map(size);
	uint32_t h1, h2, h3, hg;
	long old = -1;
	int f, g, e, e1, e2, e3;

	et_fill(buf, size);
	e = et_param_get("max_pinned_mb", &old);
	if (!e)
		e = et_param_set("max_pinned_mb", 1);
	tap_ok(!e, "max_pinned_mb was %ld, set to 1 (%s)", old, tap_errname(e));
	f = et_open(0, 0);
	g = et_open(0, 0);
	e1 = et_reg_rw(f, buf, 512 * KiB, &h1);
	e2 = e1 ? -1 : et_reg_rw(f, buf + 512 * KiB, 768 * KiB, &h2);
	tap_ok(!e1 && e2 == ENOSPC,
	       "512 KiB registers (%s), 768 KiB more -> ENOSPC (%s)",
	       tap_errname(e1), tap_errname(e2 < 0 ? 0 : e2));
	e3 = et_reg_rw(f, buf + 512 * KiB, 256 * KiB, &h3);
	tap_ok(e3 == 0, "256 KiB more (768 KiB in all) registers (%s)",
	       tap_errname(e3));
	e = et_reg_rw(g, buf + 1024 * KiB, 768 * KiB, &hg);
	tap_ok(e == 0, "the budget is per file: another file registers 768 KiB (%s)",
	       tap_errname(e));
	(void)h2;
	close(f);
	close(g);
	e = old > 0 ? et_param_set("max_pinned_mb", old) : EINVAL;
	tap_ok(!e, "max_pinned_mb restored to %ld (%s)", old, tap_errname(e));
	munmap(buf, size);
}

int main(void)
{
	if (et_ndevices() < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	if (getuid() != 0)
		tap_skip_all("needs root (to drop to uid 65534 and set parameters)");
	tap_plan(PLAN);
	et_seed_init();
	pin_base = et_pins();

	run_child(unprivileged, 9, "unprivileged child");	/* 10 */
	run_child(privileged, 2, "root child");			/* 3 */
	cases_max_regions();					/* 5 */
	cases_max_pinned();					/* 5 */
	tap_ok(et_pins_settle(pin_base, 2000) == pin_base,
	       "at the end the pin counter is at the baseline (%+lld)",
	       et_pins() - pin_base);
	tap_finish();
}
