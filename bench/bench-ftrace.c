// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bench-ftrace.c: edudma-bench ftrace, the registrations and floors
 * that bench/guest.sh's ftrace mode traces with function_graph
 * (bench/run --ftrace, Documentation/performance.md "Where the time goes").
 *
 * For every backing and size: a few untimed warm-up rounds, then 15
 * rounds (FROUNDS), first all untraced with no tracer in the kernel,
 * then all again with function_graph switched in, each round the floor
 * (EDUDMA_BENCH_PIN: the same pages pinned and unpinned, nothing else),
 * then EDUDMA_REG_MR, then EDUDMA_DEREG_MR of the same buffer.  Before
 * each call a trace_marker line "@op OP BACKING BYTES" tells the trace's
 * reader whose calls follow.  The program switches the tracer in itself
 * (current_tracer, after the untraced pass; tracing_on around each
 * traced round), so the untraced rounds measure the calls without the
 * tracer, and the traced ones what the tracer added: one "@json" line
 * per operation, system "ftrace-calls", with both medians.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <edudma.h>
#include <linux/edudma.h>

#include "bench-common.h"
#include "bench-ftrace.h"
#include "bench-reg.h"
#include "edudma_bench.h"

#define TRACING "/sys/kernel/tracing/"
#define FROUNDS 15
#define WARMUP 3

static const size_t ftrace_sizes[] = { 4UL << 10, 2UL << 20, 64UL << 20 };
#define NR_FSIZES (sizeof(ftrace_sizes) / sizeof(ftrace_sizes[0]))

enum fop { F_FLOOR, F_REG, F_DEREG, F_NR };
static const char *const fop_name[F_NR] = { "floor", "reg", "dereg" };

struct fctx {
	int edfd, benchfd, marker, on, tracer;
	void *addr;
	size_t len;
	uint32_t handle;
};

static int write_str(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -errno;
}

/* One call of op, timed; the marker first if traced. */
static int fop_call(struct fctx *c, enum fop op, enum backing k, bool traced,
		    double *secs)
{
	struct edudma_bench_pin bp = {
		.argsz = sizeof(bp),
		.flags = EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE,
		.addr = (uintptr_t)c->addr,
		.length = c->len,
	};
	struct edudma_reg_mr r = {
		.argsz = sizeof(r),
		.flags = EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE,
		.addr = (uintptr_t)c->addr,
		.length = c->len,
	};
	struct edudma_dereg_mr d = { .argsz = sizeof(d), .handle = c->handle };
	char mark[96];
	double t0;
	int ret;

	if (traced) {
		snprintf(mark, sizeof(mark), "@op %s %s %zu\n", fop_name[op],
			 backing_name[k], c->len);
		if (write_str(c->marker, mark))
			return -errno;
	}
	t0 = now_s();
	switch (op) {
	case F_FLOOR:
		ret = ioctl(c->benchfd, EDUDMA_BENCH_PIN, &bp);
		break;
	case F_REG:
		ret = ioctl(c->edfd, EDUDMA_REG_MR, &r);
		c->handle = r.handle;
		break;
	default:
		ret = ioctl(c->edfd, EDUDMA_DEREG_MR, &d);
		break;
	}
	*secs = now_s() - t0;
	return ret ? -errno : 0;
}

/* FROUNDS rounds of floor, REG, DEREG; medians per op into med[]. */
static int fop_rounds(struct fctx *c, enum backing k, bool traced,
		      double med[F_NR])
{
	double t[F_NR][FROUNDS];
	int ret;

	if (write_str(c->on, traced ? "1" : "0"))
		return -errno;
	for (int i = 0; i < FROUNDS; i++)
		for (int op = 0; op < F_NR; op++) {
			ret = fop_call(c, op, k, traced, &t[op][i]);
			if (ret) {
				write_str(c->on, "0");
				return ret;
			}
		}
	if (write_str(c->on, "0"))
		return -errno;
	for (int op = 0; op < F_NR; op++) {
		qsort(t[op], FROUNDS, sizeof(double), cmp_seconds);
		med[op] = t[op][FROUNDS / 2];
	}
	return 0;
}

/* One backing and size: warm-up, then the rounds, medians into med[]. */
static int fop_size(struct fctx *c, enum backing k, size_t len, bool traced,
		    double med[F_NR])
{
	double dummy;
	struct buf b;
	int ret;

	ret = buf_alloc(&b, k, len);
	if (ret)
		return ret;
	c->addr = b.addr;
	c->len = len;
	for (int i = 0; i < WARMUP && !ret; i++)
		for (int op = 0; op < F_NR && !ret; op++)
			ret = fop_call(c, op, k, false, &dummy);
	if (!ret)
		ret = fop_rounds(c, k, traced, med);
	buf_free(&b);
	return ret;
}

/*
 * Every backing and size, untraced or traced; an error is reported and
 * its entry's medians set negative.
 */
static int fop_pass(struct fctx *c, bool traced,
		    double med[B_NR][NR_FSIZES][F_NR])
{
	int ret = 0;

	for (int k = 0; k < B_NR; k++)
		for (size_t i = 0; i < NR_FSIZES; i++) {
			int err = fop_size(c, k, ftrace_sizes[i], traced,
					   med[k][i]);

			if (err) {
				printf("ftrace %s %zu (%s): %s\n",
				       backing_name[k], ftrace_sizes[i],
				       traced ? "traced" : "untraced",
				       strerror(-err));
				med[k][i][0] = -1;
				ret = 1;
			}
		}
	return ret;
}

static void fop_report(double plain[B_NR][NR_FSIZES][F_NR],
		       double traced[B_NR][NR_FSIZES][F_NR])
{
	for (int k = 0; k < B_NR; k++)
		for (size_t i = 0; i < NR_FSIZES; i++) {
			if (plain[k][i][0] < 0 || traced[k][i][0] < 0) {
				json_na("ftrace-calls", "all", backing_name[k],
					ftrace_sizes[i], "failed (see the log)");
				continue;
			}
			for (int op = 0; op < F_NR; op++)
				json_line("\"system\":\"ftrace-calls\","
					  "\"boot\":\"%s\",\"operation\":\"%s\","
					  "\"backing\":\"%s\",\"bytes\":%zu,"
					  "\"ops\":%d,\"seconds\":%.9f,"
					  "\"traced_seconds\":%.9f",
					  bench_tag ? bench_tag : "iommu",
					  fop_name[op], backing_name[k],
					  ftrace_sizes[i], FROUNDS,
					  plain[k][i][op], traced[k][i][op]);
		}
}

int cmd_ftrace(void)
{
	struct edudma_dev *dev;
	static double plain[B_NR][NR_FSIZES][F_NR], traced[B_NR][NR_FSIZES][F_NR];
	struct fctx c = { 0 };
	unsigned int minor;
	int ret = 0;

	if (edudma_list_devices(&minor, 1) < 1 || edudma_open(minor, &dev)) {
		fprintf(stderr, "edudma-bench ftrace: no edudma device\n");
		return 1;
	}
	c.edfd = edudma_fd(dev);
	c.benchfd = open(EDUDMA_BENCH_FILE, O_RDWR | O_CLOEXEC);
	c.marker = open(TRACING "trace_marker", O_WRONLY | O_CLOEXEC);
	c.on = open(TRACING "tracing_on", O_WRONLY | O_CLOEXEC);
	c.tracer = open(TRACING "current_tracer", O_WRONLY | O_CLOEXEC);
	if (c.benchfd < 0 || c.marker < 0 || c.on < 0 || c.tracer < 0) {
		fprintf(stderr, "edudma-bench ftrace: %s or %s: %s\n",
			EDUDMA_BENCH_FILE, TRACING "{trace_marker,tracing_on,current_tracer}",
			strerror(errno));
		ret = 1;
		goto out;
	}
	/*
	 * Untraced first, with no tracer at all (a function_graph tracer
	 * that is only switched off still runs its hook in every traced
	 * function), then the tracer, which the caller set up, switched in.
	 */
	ret = fop_pass(&c, false, plain);
	if (write_str(c.tracer, "function_graph")) {
		fprintf(stderr, "edudma-bench ftrace: function_graph: %s\n",
			strerror(errno));
		ret = 1;
		goto out;
	}
	ret |= fop_pass(&c, true, traced);
	fop_report(plain, traced);
out:
	if (c.benchfd >= 0)
		close(c.benchfd);
	if (c.marker >= 0)
		close(c.marker);
	if (c.on >= 0)
		close(c.on);
	if (c.tracer >= 0)
		close(c.tracer);
	edudma_close(dev);
	return ret;
}
