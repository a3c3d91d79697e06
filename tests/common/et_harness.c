// SPDX-License-Identifier: GPL-2.0
/*
 * et_harness.c: the runner of the guest tests' cases (et_harness.h says
 * what a case is and what the runner checks after each).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "edudma_rand.h"
#include "edudma_test.h"

#define EXIT_SKIP	4
#define MAX_PARAMS	32
#define PARAM_LEN	64

jmp_buf *et_jump;
int et_in_teardown;
uint64_t et_rng;
uint64_t et_seed_value;

static struct et_case *cases, **cases_tail = &cases;
static const char *(*precondition)(void);

/* What the case in the child tells the runner: one shared page. */
struct shared {
	int failed;
	int skipped;
	unsigned int timeout;
	char why[240];
};
static struct shared *sh;

static struct et_case *cur;
static unsigned int cur_index;
static char cur_name[256];

void et_register(struct et_case *c)
{
	*cases_tail = c;
	cases_tail = &c->next;
}

void et_register_precondition(const char *(*fn)(void))
{
	precondition = fn;
}

unsigned int et_index(void)
{
	return cur_index;
}

const char *et_case_name(void)
{
	return cur_name;
}

static void vnote(const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	printf("# %s\n", line);
}

void et_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(fmt, ap);
	va_end(ap);
}

void et_timeout(unsigned int seconds)
{
	sh->timeout = seconds;
}

void et_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	et_note("%s:%d: %s", file, line, msg);
	sh->failed = 1;
}

void et_end_case(void)
{
	fflush(stdout);
	if (et_in_teardown || !et_jump)
		_exit(sh->failed ? 1 : 0);
	longjmp(*et_jump, 1);
}

void et_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sh->why, sizeof(sh->why), fmt, ap);
	va_end(ap);
	sh->skipped = 1;
	et_end_case();
}

/* "EINVAL", "ENOENT", ...: the name an errno has in the uAPI's docs. */
const char *et_errno_name(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ 0, "success" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" },
		{ ESPIPE, "ESPIPE" }, { ERANGE, "ERANGE" },
		{ EOVERFLOW, "EOVERFLOW" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ECANCELED, "ECANCELED" }, { EPROTO, "EPROTO" },
		{ ESTALE, "ESTALE" },
	};
	static __thread char buf[32];

	for (size_t i = 0; i < ET_ARRAY_SIZE(names); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

/* ---- the run's seed ------------------------------------------------------ */

static void seed_init(void)
{
	const char *s = getenv("EDUDMA_SEED");
	struct timespec ts;

	if (s && *s) {
		et_seed_value = strtoull(s, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		et_seed_value = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
				((uint64_t)getpid() << 40);
	}
	printf("# seed %" PRIu64 " (EDUDMA_SEED=%" PRIu64 " repeats this run)\n",
	       et_seed_value, et_seed_value);
}

/* The case's own generator state: the run's seed and the case's name. */
static void seed_case(void)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a of the name */

	for (const char *p = cur_name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	et_rng = ed_mix64(et_seed_value ^ h);
}

/* ---- what the runner checks after each case --------------------------------- */

struct param {
	char name[PARAM_LEN];
	char value[PARAM_LEN];
};

/* The writable parameters of edudma and their values. */
static int params_read(struct param *p)
{
	char path[512];
	struct dirent *d;
	struct stat st;
	DIR *dir = opendir(ET_PARAM_DIR);
	int n = 0;

	if (!dir)
		return 0;
	while (n < MAX_PARAMS && (d = readdir(dir))) {
		if (d->d_name[0] == '.' || strlen(d->d_name) >= PARAM_LEN)
			continue;
		snprintf(path, sizeof(path), "%s/%s", ET_PARAM_DIR, d->d_name);
		if (stat(path, &st) || !(st.st_mode & S_IWUSR))
			continue;
		strcpy(p[n].name, d->d_name);
		if (et_read_line(path, p[n].value, PARAM_LEN))
			continue;
		n++;
	}
	closedir(dir);
	return n;
}

static void param_write(const char *name, const char *value)
{
	char path[512];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", ET_PARAM_DIR, name) >=
	    (int)sizeof(path))
		return;
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", value);
		fclose(f);
	}
}

/* Puts back what the case changed; 1 when it changed anything. */
static int params_restore(const struct param *before, int n)
{
	struct param now[MAX_PARAMS];
	int m = params_read(now), changed = 0;

	for (int i = 0; i < n; i++)
		for (int j = 0; j < m; j++) {
			if (strcmp(before[i].name, now[j].name) ||
			    !strcmp(before[i].value, now[j].value))
				continue;
			printf("# the case left parameter %s at %s (was %s): put back\n",
			       now[j].name, now[j].value, before[i].value);
			param_write(now[j].name, before[i].value);
			changed = 1;
		}
	return changed;
}

static int kmsg = -1;

/* 1 when the kernel logged a line of the bad list since the last call. */
static int klog_bad_since(void)
{
	char rec[2048];
	int bad = 0;
	ssize_t r;

	if (kmsg < 0)
		return 0;
	while ((r = read(kmsg, rec, sizeof(rec) - 1)) != 0) {
		char *msg;

		if (r < 0) {
			if (errno == EPIPE)	/* overwritten records */
				continue;
			break;			/* EAGAIN: nothing more */
		}
		rec[r] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		if (et_klog_bad(msg) == 1) {
			printf("# kernel log: %s\n", msg);
			bad = 1;
		}
	}
	return bad;
}

/* ---- running one case ---------------------------------------------------------- */

static void child(void)
{
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	signal(SIGPIPE, SIG_DFL);
	seed_case();
	et_in_teardown = 0;
	{
		jmp_buf jb;

		et_jump = &jb;
		if (setjmp(jb) == 0)
			cur->fn(cur->rows ? (const char *)cur->rows +
					    cur_index * cur->rowsz : NULL);
	}
	fflush(stdout);
	_exit(sh->failed ? 1 : 0);
}

/*
 * Every time limit times the lab's slowdown: EDUDMA_SLOW (qemu/run sets
 * it; more than 1 on the debug kernel).
 */
static unsigned int slow = 1;

/* Waits for pid under the case's limit; 0 when it ended, -1 when killed. */
static int wait_case(pid_t pid, int *status)
{
	long long start = et_now_ms();
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		long long left = start + sh->timeout * slow * 1000LL - et_now_ms();
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		if (waitpid(pid, status, WNOHANG) == pid)
			break;
		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			if (pfd >= 0)
				close(pfd);
			return -1;
		}
		if (pfd < 0 || poll(&p, 1, left > 1000 ? 1000 : (int)left) < 0)
			usleep(10000);
	}
	if (pfd >= 0)
		close(pfd);
	return 0;
}

/* Kills and reaps whatever the case left behind. */
static void reap_leftovers(pid_t pgid)
{
	kill(-pgid, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	/* a killed grandchild may take a moment to become a zombie */
	for (int i = 0; i < 50 && kill(-pgid, 0) == 0; i++) {
		usleep(20000);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

enum result { PASS, FAIL, SKIP };

/* DMA-API debug's error count (the debug kernel; absent elsewhere) */
#define DMA_API_ERRORS "/sys/kernel/debug/dma-api/error_count"

static enum result run_one(unsigned int number)
{
	struct param params[MAX_PARAMS];
	int nparams = params_read(params);
	long long pins = et_pins(), after;
	long dma_errors = et_file_long(DMA_API_ERRORS), dma_now;
	enum result res = PASS;
	int status = 0, timed_out;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	sh->timeout = cur->timeout;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		res = FAIL;
		goto report;
	}
	if (pid == 0)
		child();
	setpgid(pid, pid);
	timed_out = wait_case(pid, &status);
	reap_leftovers(pid);

	if (timed_out) {
		printf("# %s: killed after its time limit of %u s\n", cur_name,
		       sh->timeout * slow);
		res = FAIL;
	} else if (WIFSIGNALED(status)) {
		printf("# %s: killed by signal %d (%s)\n", cur_name,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
		res = FAIL;
	} else if (WEXITSTATUS(status) || sh->failed) {
		if (!sh->failed)
			printf("# %s: exited with status %d\n", cur_name,
			       WEXITSTATUS(status));
		res = FAIL;
	} else if (sh->skipped) {
		res = SKIP;
	}
	after = et_pins_settle(pins, 2000);
	if (after != pins) {
		printf("# %s: %lld pages still pinned after the case (%lld before, %lld after)\n",
		       cur_name, after - pins, pins, after);
		res = FAIL;
	}
	if (klog_bad_since())
		res = FAIL;
	dma_now = et_file_long(DMA_API_ERRORS);
	if (dma_errors >= 0 && dma_now != dma_errors) {
		printf("# %s: DMA-API debug counted %ld errors (%s: %ld before, %ld after)\n",
		       cur_name, dma_now - dma_errors, DMA_API_ERRORS,
		       dma_errors, dma_now);
		res = FAIL;
	}
	if (params_restore(params, nparams))
		res = FAIL;
report:
	if (res == SKIP)
		printf("ok %u %s # SKIP %s\n", number, cur_name,
		       sh->why[0] ? sh->why : "no reason given");
	else
		printf("%sok %u %s\n", res == FAIL ? "not " : "", number,
		       cur_name);
	return res;
}

static void case_name(const struct et_case *c, unsigned int i)
{
	if (c->rows)
		snprintf(cur_name, sizeof(cur_name), "%s",
			 *(const char *const *)((const char *)c->rows +
						i * c->rowsz));
	else if (c->n > 1)
		snprintf(cur_name, sizeof(cur_name), "%s[%u]", c->name, i);
	else
		snprintf(cur_name, sizeof(cur_name), "%s", c->name);
}

static int selected(char **pat, int npat)
{
	if (!npat)
		return 1;
	for (int i = 0; i < npat; i++)
		if (!strcmp(pat[i], cur_name) || !fnmatch(pat[i], cur_name, 0))
			return 1;
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-l] [-t SECONDS] [CASE-PATTERN...]\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int planned = 0, n = 0, counts[3] = { 0 };
	int list = 0, opt;
	long timeout = 0;

	while ((opt = getopt(argc, argv, "lt:")) != -1) {
		if (opt == 'l')
			list = 1;
		else if (opt == 't' && (timeout = strtol(optarg, NULL, 0)) > 0)
			continue;
		else
			usage(argv[0]);
	}
	for (const struct et_case *c = cases; c; c = c->next)
		for (unsigned int i = 0; i < c->n; i++) {
			case_name(c, i);
			if (!selected(argv + optind, argc - optind))
				continue;
			if (list)
				printf("%s\n", cur_name);
			planned++;
		}
	if (list)
		return 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("EDUDMA_SLOW") && atoi(getenv("EDUDMA_SLOW")) > 1)
		slow = (unsigned int)atoi(getenv("EDUDMA_SLOW"));
	if (precondition) {
		const char *why = precondition();

		if (why) {
			printf("TAP version 13\n1..0 # SKIP %s\n", why);
			return EXIT_SKIP;
		}
	}
	printf("TAP version 13\n1..%u\n", planned);
	seed_init();
	if (et_klog_bad("") < 0)
		printf("# no list of bad kernel log lines (%s): the kernel log is not checked\n",
		       ET_KLOG_BAD);
	else if ((kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK)) >= 0)
		lseek(kmsg, 0, SEEK_END);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return 1;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);

	for (cur = cases; cur; cur = cur->next) {
		for (cur_index = 0; cur_index < cur->n; cur_index++) {
			case_name(cur, cur_index);
			if (!selected(argv + optind, argc - optind))
				continue;
			if (timeout)
				cur->timeout = timeout;
			counts[run_one(++n)]++;
		}
	}
	printf("# Totals: pass:%u fail:%u skip:%u\n", counts[PASS],
	       counts[FAIL], counts[SKIP]);
	if (counts[FAIL])
		return 1;
	return counts[PASS] ? 0 : EXIT_SKIP;
}
