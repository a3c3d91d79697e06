// SPDX-License-Identifier: GPL-2.0
/*
 * edudma-stress: a seeded, verifying stress engine for edudma, built only
 * on libedudma.
 *
 * Every thread opens its own file on each device it uses, keeps a few
 * buffers ("arenas") that it registers and deregisters at random, and runs
 * a weighted mix of operations on random lengths, offsets and alignments:
 *
 *   copy      edudma_copy() between two registrations (sometimes made for
 *             the call only, with the exact range and access it needs)
 *   to_dev    edudma_write_dev() then edudma_read_dev() of the same bytes
 *   from_dev  edudma_read_dev() of device-buffer bytes whose content is
 *             known (written before by any thread, through any file)
 *   oneshot   edudma_copy_ptr(), or edudma_write_dev_ptr() then
 *             edudma_read_dev_ptr(), on unregistered heap memory
 *   async     a batch of edudma_submit_copy(), or of submitted write/read
 *             pairs, reaped with edudma_get_completions() (sometimes after
 *             a poll() of edudma_fd()): every cookie once, status 0, bytes
 *
 * With verification (the default) every source is filled with a pattern
 * derived from the seed and every destination byte is checked, together
 * with guard bytes on both sides of it that must stay untouched.
 *
 * The device buffer (4095 usable bytes) is shared by every file of a
 * device, and a COPY uses [0, 4095) as its bounce area.  So that
 * verification stays exact while threads share devices, each device has a
 * reader-writer lock here: COPYs (any number at once) hold it shared,
 * operations that use the buffer as storage (write then read) hold it
 * exclusively.  A shadow of the buffer remembers which bytes hold known
 * data; a COPY forgets the bytes it bounces through.
 */
#include "stress.h"

const char *const kind_name[K_NR] = {
	"copy", "to_dev", "from_dev", "oneshot", "async",
};

/* ---- options -------------------------------------------------------------- */

struct options opt = {
	.threads = 2,
	.size_min = 1,
	.size_max = 64 * 1024,
	.weight = { 3, 1, 1, 1, 2 },
	.verify = 1,
};

struct shared_dev sdev[MAX_DEVS];
atomic_int stop;
atomic_uint finished;
atomic_int msgs;
atomic_uint_fast64_t g_ops, g_bytes, g_errors, g_mismatches;
double t_start;
static int seeded;			/* --seed given */

/* ---- set-up, progress, summary ------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"usage: edudma-stress [OPTIONS]\n"
"Stress edudma through libedudma: threads, each with its own file on every\n"
"device, register and deregister buffers and run random, verified transfers.\n"
"\n"
"  -d, --duration SECONDS  run this long (default 10 unless --ops is given;\n"
"                          in the lab guest this is virtual time: a DMA\n"
"                          takes 100 ms of it)\n"
"  -n, --ops N             run N operations in all, shared out between the\n"
"                          threads (with --duration, whichever ends first)\n"
"  -t, --threads N         worker threads (default 2)\n"
"  -D, --devices LIST|all  minors, comma-separated, or all (default all)\n"
"  -s, --sizes MIN-MAX     transfer sizes, uniform in log2 (default 1-64k);\n"
"      --sizes SIZE        or one size; k and m suffixes (KiB, MiB).  Device\n"
"                          buffer transfers are at most 4095 bytes\n"
"  -m, --mix KIND[=W],...  weights of copy, to_dev, from_dev, oneshot, async\n"
"                          (default copy=3,to_dev=1,from_dev=1,oneshot=1,\n"
"                          async=2; a kind without =W weighs 1, a kind not\n"
"                          named 0)\n"
"  -S, --seed N            seed (default: from the clock); printed, and the\n"
"                          same seed repeats each thread's operations (how\n"
"                          the threads interleave is up to the scheduler)\n"
"      --verify, --no-verify\n"
"                          check every byte against a seeded pattern, and\n"
"                          the guard bytes around it (default on)\n"
"  -o, --on-demand PERCENT make this share of the registrations on demand\n"
"                          (EDUDMA_REG_ON_DEMAND: nothing pinned, pages\n"
"                          faulted as transfers need them; default 0)\n"
"  -q, --quiet             only the summary (and errors)\n"
"  -h, --help              this text\n"
"\n"
"A COPY of L bytes takes about 2*ceil(L/4095) DMAs (more when its pages are\n"
"not contiguous).  A live progress line goes to stderr when it is a\n"
"terminal.  Exit status: 0 when every operation succeeded and every byte\n"
"was right, 1 on any error or mismatch, 2 on bad usage.\n");
}

static int parse_size(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K') {
		n <<= 10;
		end++;
	} else if (*end == 'm' || *end == 'M') {
		n <<= 20;
		end++;
	}
	if (*end || !n || n > MAX_SIZE)
		return -1;
	*v = n;
	return 0;
}

static int parse_sizes(const char *s)
{
	char buf[64], *dash;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (!dash)
		return parse_size(buf, &opt.size_min) ||
		       parse_size(buf, &opt.size_max) ? -1 : 0;
	*dash = 0;
	if (parse_size(buf, &opt.size_min) || parse_size(dash + 1, &opt.size_max))
		return -1;
	return opt.size_min <= opt.size_max ? 0 : -1;
}

static int parse_mix(const char *s)
{
	char buf[256], *tok, *save = NULL, *eq, *end;
	unsigned long v;
	int k;

	memset(opt.weight, 0, sizeof(opt.weight));
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		v = 1;
		eq = strpbrk(tok, "=:");
		if (eq) {
			*eq = 0;
			v = strtoul(eq + 1, &end, 10);
			if (*end || end == eq + 1 || v > 1000000)
				return -1;
		}
		for (k = 0; k < K_NR; k++)
			if (!strcmp(tok, kind_name[k]))
				break;
		if (k == K_NR)
			return -1;
		opt.weight[k] = (unsigned int)v;
	}
	return 0;
}

static int parse_devices(const char *s)
{
	char buf[512], *tok, *save = NULL, *end;
	unsigned long v;
	unsigned int i;
	int n;

	if (!strcmp(s, "all")) {
		n = edudma_list_devices(opt.minors, MAX_DEVS);
		if (n < 0) {
			fprintf(stderr, "edudma-stress: listing devices: %s\n",
				strerror(-n));
			return -1;
		}
		opt.ndevs = n > MAX_DEVS ? MAX_DEVS : (unsigned int)n;
		return 0;
	}
	opt.ndevs = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		v = strtoul(tok, &end, 10);
		if (*end || end == tok || v > 0xffff || opt.ndevs == MAX_DEVS)
			return -1;
		for (i = 0; i < opt.ndevs; i++)
			if (opt.minors[i] == v)
				return -1;
		opt.minors[opt.ndevs++] = (unsigned int)v;
	}
	return opt.ndevs ? 0 : -1;
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

static void progress(int last)
{
	double t = now() - t_start;

	fprintf(stderr, "\r\033[K%" PRIu64 " ops, %.1f MiB, %" PRIu64 " errors, %" PRIu64 " mismatches, %.1f s%s",
		(uint64_t)atomic_load(&g_ops),
		(double)atomic_load(&g_bytes) / (1 << 20),
		(uint64_t)atomic_load(&g_errors),
		(uint64_t)atomic_load(&g_mismatches), t, last ? "\n" : "");
}

/* DMAs the devices ran (all users), from their statistics. */
static int dma_count(uint64_t *dmas)
{
	struct edudma_stats st;
	struct edudma_dev *dev;
	unsigned int i;

	*dmas = 0;
	for (i = 0; i < opt.ndevs; i++) {
		if (edudma_open(opt.minors[i], &dev))
			return -1;
		if (edudma_get_stats(dev, &st)) {
			edudma_close(dev);
			return -1;
		}
		*dmas += st.dma_to_dev + st.dma_from_dev;
		edudma_close(dev);
	}
	return 0;
}

/* The options into opt; 0, or 2 after a usage message (1: --help). */
static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "ops", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "devices", required_argument, NULL, 'D' },
		{ "sizes", required_argument, NULL, 's' },
		{ "mix", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'S' },
		{ "verify", no_argument, NULL, 'V' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "on-demand", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *devices = "all";
	int c, bad = 0;
	char *end;

	while (!bad && (c = getopt_long(argc, argv, "d:n:t:D:s:m:S:o:qh",
					longopts, NULL)) != -1) {
		end = optarg;
		switch (c) {
		case 'd':
			opt.duration = strtod(optarg, &end);
			bad = !(opt.duration > 0);
			break;
		case 'n':
			opt.ops = strtoull(optarg, &end, 0);
			bad = !opt.ops;
			break;
		case 't':
			opt.threads = (unsigned int)strtoul(optarg, &end, 0);
			bad = !opt.threads || opt.threads > MAX_THREADS;
			break;
		case 'D':
			devices = optarg;
			end = NULL;
			break;
		case 's':
			bad = parse_sizes(optarg);
			end = NULL;
			break;
		case 'm':
			bad = parse_mix(optarg);
			end = NULL;
			break;
		case 'S':
			opt.seed = strtoull(optarg, &end, 0);
			seeded = 1;
			break;
		case 'V':
		case 'N':
			opt.verify = c == 'V';
			break;
		case 'o':
			opt.on_demand = (unsigned int)strtoul(optarg, &end, 0);
			bad = opt.on_demand > 100;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			bad = 1;
		}
		/* a number must be all of its argument */
		bad |= end && optarg && (*end || end == optarg);
	}
	for (unsigned int k = 0; k < K_NR; k++)
		opt.weight_sum += opt.weight[k];
	if (bad || optind != argc || !opt.weight_sum || parse_devices(devices)) {
		usage(stderr);
		return 2;
	}
	if (!opt.ops && !opt.duration)
		opt.duration = 10;
	return 0;
}
static void print_config(void)
{
	unsigned int i, k;

	printf("edudma-stress: seed %" PRIu64 ", %u threads, devices",
	       opt.seed, opt.threads);
	for (i = 0; i < opt.ndevs; i++)
		printf("%s%u", i ? "," : " ", opt.minors[i]);
	printf(", sizes %" PRIu64 "-%" PRIu64 ", mix", opt.size_min,
	       opt.size_max);
	for (k = 0; k < K_NR; k++)
		printf("%s%s=%u", k ? "," : " ", kind_name[k], opt.weight[k]);
	if (opt.ops)
		printf(", %" PRIu64 " ops", opt.ops);
	if (opt.duration)
		printf(", %g s", opt.duration);
	printf(", verify %s\n", opt.verify ? "on" : "off");
}

/* Each device's buffer lock; the storage ops must not starve behind COPYs. */
static void init_devices(void)
{
	for (unsigned int i = 0; i < opt.ndevs; i++) {
		pthread_rwlockattr_t attr;

		pthread_rwlockattr_init(&attr);
		pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		sdev[i].minor = opt.minors[i];
		pthread_rwlock_init(&sdev[i].buf, &attr);
		pthread_rwlockattr_destroy(&attr);
	}
}

/* The workers' set-up; NULL (after a message) when one fails. */
static struct worker *setup_workers(void)
{
	struct worker *w = calloc(opt.threads, sizeof(*w));

	if (!w) {
		fprintf(stderr, "edudma-stress: out of memory\n");
		return NULL;
	}
	for (unsigned int i = 0; i < opt.threads; i++) {
		int ret = setup_worker(&w[i], i);

		if (ret) {
			if (ret == -ENOMEM)
				fprintf(stderr, "edudma-stress: out of memory\n");
			for (unsigned int k = 0; k <= i; k++)
				teardown_worker(&w[k]);
			free(w);
			return NULL;
		}
	}
	return w;
}

/*
 * Starts the workers and waits for them; returns how many ran.  Only this
 * thread takes SIGINT and SIGTERM: a worker's synchronous transfer would
 * end with EINTR, an error, where a stop was meant.
 */
static unsigned int run_workers(struct worker *w)
{
	int live = !opt.quiet && isatty(2);
	unsigned int i, started = 0;
	struct sigaction sa;
	sigset_t mask;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	t_start = now();
	for (i = 0; i < opt.threads; i++, started++)
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i])) {
			fprintf(stderr, "edudma-stress: cannot start thread %u\n", i);
			atomic_store(&stop, 1);
			atomic_fetch_add(&g_errors, 1);
			break;
		}
	pthread_sigmask(SIG_UNBLOCK, &mask, NULL);
	/* progress about twice a second until every worker is done */
	while (live && atomic_load(&finished) < started) {
		struct timespec half = { 0, 500000000 };

		progress(0);
		nanosleep(&half, NULL);
	}
	if (live)
		progress(1);
	for (i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	return started;
}

/* What the workers did, summed. */
struct totals {
	uint64_t ops[K_NR], xfers, regs, odp_regs, deregs, bytes, verified;
	uint64_t errors, mismatches, dmas;
	int have_dmas;
	double secs;
};

/* Sums the workers' counts and tears them down. */
static void collect(struct worker *w, struct totals *t)
{
	for (unsigned int i = 0; i < opt.threads; i++) {
		for (unsigned int k = 0; k < K_NR; k++)
			t->ops[k] += w[i].ops[k];
		t->xfers += w[i].xfers;
		t->regs += w[i].regs;
		t->odp_regs += w[i].odp_regs;
		t->deregs += w[i].deregs;
		t->bytes += w[i].bytes;
		t->verified += w[i].verified;
		teardown_worker(&w[i]);
	}
	/* every error and mismatch is counted here, those of the set-up too */
	t->errors = atomic_load(&g_errors);
	t->mismatches = atomic_load(&g_mismatches);
}

static void print_summary(const struct totals *t)
{
	uint64_t ops = 0;
	unsigned int i, k;

	for (k = 0; k < K_NR; k++)
		ops += t->ops[k];
	printf("edudma-stress: summary\n");
	printf("  threads      %u\n", opt.threads);
	printf("  devices      %u (", opt.ndevs);
	for (i = 0; i < opt.ndevs; i++)
		printf("%s/dev/edudma%u", i ? " " : "", opt.minors[i]);
	printf(")\n");
	printf("  ops          %" PRIu64 ":", ops);
	for (k = 0; k < K_NR; k++)
		printf("%s %s %" PRIu64, k ? "," : "", kind_name[k], t->ops[k]);
	printf("\n");
	printf("  transfers    %" PRIu64 "\n", t->xfers);
	printf("  regs         %" PRIu64 " registered (%" PRIu64 " on demand), %" PRIu64 " deregistered\n",
	       t->regs, t->odp_regs, t->deregs);
	if (t->have_dmas)
		printf("  DMAs         %" PRIu64 " (device statistics)\n",
		       t->dmas);
	printf("  bytes        %" PRIu64 " moved, %" PRIu64 " verified\n",
	       t->bytes, t->verified);
	printf("  errors       %" PRIu64 "\n", t->errors);
	printf("  mismatches   %" PRIu64 "\n", t->mismatches);
	printf("  seconds      %.2f\n", t->secs);
	printf("  seed         %" PRIu64 "\n", opt.seed);
	printf("edudma-stress: %s\n",
	       t->errors || t->mismatches ? "FAILED" : "passed");
}

int main(int argc, char **argv)
{
	struct totals t = { .secs = 0 };
	uint64_t dma0 = 0, dma1 = 0;
	struct worker *w;
	struct timespec ts;
	int ret;

	ret = parse_args(argc, argv);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (!opt.ndevs) {
		fprintf(stderr, "edudma-stress: no edudma device\n");
		return 1;
	}
	if (!seeded) {
		clock_gettime(CLOCK_REALTIME, &ts);
		opt.seed = mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
				 ((uint64_t)getpid() << 48));
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!opt.quiet)
		print_config();
	init_devices();
	t.have_dmas = !dma_count(&dma0);
	w = setup_workers();
	if (!w)
		return 1;
	run_workers(w);
	t.secs = now() - t_start;
	if (t.have_dmas)
		t.have_dmas = !dma_count(&dma1);
	t.dmas = dma1 - dma0;
	collect(w, &t);
	free(w);
	print_summary(&t);
	return t.errors || t.mismatches ? 1 : 0;
}
