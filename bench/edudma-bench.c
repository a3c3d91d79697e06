// SPDX-License-Identifier: GPL-2.0
/*
 * bench/edudma-bench: the guest side of `make bench` (static binary).
 *
 *   edudma-bench reg [--vfio-group N] [--tag T] [--size BYTES --backing B]
 *	register + deregister for every backing and size against the floor
 *	(EDUDMA_BENCH_PIN), edudma (EDUDMA_REG_MR/DEREG_MR) and, with a
 *	VFIO group, VFIO type1 MAP_DMA/UNMAP_DMA of the same buffer.
 *   edudma-bench xfer
 *	DMA throughput (striped COPY and pure TO_DEV streams) on 1, 2 and 4
 *	devices against the device's limit, and per-operation overhead.
 *   edudma-bench odp
 *	on-demand registrations against pinned ones: the fault path, first
 *	touch, steady state and paged out (bench-odp.c).
 *   edudma-bench cache
 *	the SDK's registration cache: a hit against a registration, and an
 *	MPI-like sender's churn with and without it (bench-cache.c).
 *   edudma-bench xfer4k
 *	a striped copy through 4K pages and through huge pages on one device
 *	(the profile boot, without IOMMU: DMAs split at page boundaries).
 *   edudma-bench scale [N]
 *	N registrations (default 100000) on one file: what each costs as
 *	they pile up, a handle's lookup among them, deregistration.
 *   edudma-bench ftrace [--tag T]
 *	the floor, REG_MR and DEREG_MR that bench/guest.sh's ftrace mode
 *	traces with function_graph, marked in the trace (bench-ftrace.c).
 *
 * Output: "@json {...}" lines (bench-common.h) plus human-readable notes.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <edudma.h>
#include <linux/edudma.h>

#include "bench-cache.h"
#include "bench-common.h"
#include "bench-ftrace.h"
#include "bench-odp.h"
#include "bench-reg.h"
#include "bench-scale.h"

const char *bench_tag;	/* "noiommu": the supplementary profile boot */

/* ---- throughput ------------------------------------------------------------ */

#define MAXDEV 4
/*
 * The largest DMA the devices take: GET_INFO's max_transfer (4095, or 4096
 * on QEMU 9.1 and later), read when the devices are opened.
 */
static unsigned long dma_chunk = 4095;

static struct edudma_dev *devs[MAXDEV];
static unsigned int ndevs;

static void json_xfer(const char *system, const char *op, const char *backing,
		      unsigned int nd, size_t bytes, unsigned long ops,
		      double secs, double limit_bps, long dmas)
{
	double bps = secs > 0 ? (double)bytes / secs : 0;

	json_line("\"system\":\"edudma%s%s\",\"operation\":\"%s\","
		  "\"backing\":\"%s\",\"devices\":%u,\"bytes\":%zu,\"ops\":%lu,"
		  "\"seconds\":%.9f,\"bytes_per_s\":%.1f,\"limit_bytes_per_s\":%.1f,"
		  "\"utilization\":%.4f,\"utilization_per_device\":%.4f,"
		  "\"dmas\":%ld,\"api\":\"%s\"",
		  bench_tag ? "-" : "", bench_tag ? bench_tag : "",
		  op, backing, nd, bytes, ops, secs, bps, limit_bps,
		  bps / limit_bps, bps / limit_bps, dmas, system);
}

/* DMAs the devices ran so far (both directions). */
static uint64_t dma_count(unsigned int nd)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < nd; i++) {
		struct edudma_stats st;

		if (!edudma_get_stats(devs[i], &st))
			n += st.dma_to_dev + st.dma_from_dev;
	}
	return n;
}

/*
 * Gives a 4K buffer physically scattered pages, as a long-running system
 * would: fresh pages faulted in from the last to the first come from the
 * allocator in descending order, so no two neighbours are contiguous.
 */
static int scatter_4k;

static void buf_scatter(struct buf *b)
{
	size_t n = b->len / 4096 + 1;

	munmap(b->map, b->maplen);
	b->maplen = n * 4096;
	b->map = mmap(NULL, b->maplen, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return;
	}
	madvise(b->map, b->maplen, MADV_NOHUGEPAGE);
	for (size_t i = n; i-- > 0;)
		((volatile char *)b->map)[i * 4096] = 1;
	b->addr = b->map;
}

static int striped(unsigned int nd, unsigned int chunks_per_dev,
		   enum backing k)
{
	size_t len = (size_t)nd * chunks_per_dev * dma_chunk;
	struct edudma_stripe_result res[MAXDEV];
	struct buf src, dst;
	double t0, cold, warm;
	uint64_t d0, dmas;
	int ret;

	if (buf_alloc(&src, k, len) || buf_alloc(&dst, k, len))
		return -ENOMEM;
	if (k == B_4K && scatter_4k) {
		buf_scatter(&src);
		buf_scatter(&dst);
	}
	/* A COPY chunk is a TO_DEV and a FROM_DEV DMA: 2 x 100 ms. */
	double limit = nd * dma_chunk / (2 * DMA_S);

	t0 = now_s();
	ret = edudma_copy_striped(devs, nd, dst.addr, src.addr, len,
				  EDUDMA_STRIPE_CACHE, res);
	cold = now_s() - t0;
	if (ret)
		goto out;
	memset(src.addr, 0xa5, len);
	d0 = dma_count(nd);
	t0 = now_s();
	ret = edudma_copy_striped(devs, nd, dst.addr, src.addr, len,
				  EDUDMA_STRIPE_CACHE, res);
	warm = now_s() - t0;
	dmas = dma_count(nd) - d0;
	if (ret)
		goto out;
	printf("  copy_striped %s on %u devices: %llu DMAs for %u chunks of %lu bytes"
	       " (%.2f per chunk; 2 = one TO_DEV + one FROM_DEV)\n",
	       backing_name[k], nd, (unsigned long long)dmas,
	       nd * chunks_per_dev, dma_chunk,
	       (double)dmas / (nd * chunks_per_dev));
	if (memcmp(src.addr, dst.addr, len))
		printf("striped copy on %u devices: data mismatch!\n", nd);
	unsigned long xf = 0;

	for (unsigned int i = 0; i < nd; i++)
		xf += res[i].transfers;
	json_xfer("edudma_copy_striped", "copy_striped_cold", backing_name[k], nd,
		  len, xf, cold, limit, -1L);
	json_xfer("edudma_copy_striped", "copy_striped_cached", backing_name[k], nd,
		  len, xf, warm, limit, (long)dmas);
out:
	for (unsigned int i = 0; i < nd; i++)
		edudma_forget_cached(devs[i]);
	buf_free(&src);
	buf_free(&dst);
	return ret;
}

/* K async TO_DEV of dma_chunk bytes queued on each of nd devices at once. */
static int to_dev_stream(unsigned int nd, unsigned int k)
{
	struct edudma_mr *mr[MAXDEV] = { 0 };
	struct edudma_completion comp[64];
	unsigned int left[MAXDEV];
	double t0, t, tdev[MAXDEV];
	struct buf b;
	int ret = 0;

	if (buf_alloc(&b, B_HUGETLB, dma_chunk))
		return -ENOMEM;
	for (unsigned int i = 0; i < nd; i++) {
		ret = edudma_reg_mr(devs[i], b.addr, dma_chunk,
				    EDUDMA_ACCESS_DEV_READ, &mr[i]);
		if (ret)
			goto out;
	}
	t0 = now_s();
	for (unsigned int j = 0; j < k; j++)
		for (unsigned int i = 0; i < nd; i++) {
			ret = edudma_submit_write_dev(mr[i], 0, 0, dma_chunk, j);
			if (ret)
				goto out;
		}
	for (unsigned int i = 0; i < nd; i++) {
		left[i] = k;
		while (left[i]) {
			int n = edudma_get_completions(devs[i], comp,
					left[i] < 64 ? left[i] : 64, -1);
			if (n < 0) {
				ret = n;
				goto out;
			}
			for (int c = 0; c < n; c++)
				if (comp[c].status) {
					ret = comp[c].status;
					goto out;
				}
			left[i] -= (unsigned int)n;
		}
		tdev[i] = now_s() - t0;
	}
	t = now_s() - t0;
	json_xfer("edudma_submit_write_dev", "to_dev_stream", "hugetlb", nd,
		  (size_t)nd * k * dma_chunk, (unsigned long)nd * k, t,
		  nd * dma_chunk / DMA_S, (long)nd * k);
	for (unsigned int i = 0; i < nd; i++)
		printf("  to_dev_stream %u devices: device %u done after %.3f s "
		       "(%u x 100 ms = %.1f s of DMA)\n", nd, i, tdev[i], k,
		       k * DMA_S);
out:
	for (unsigned int i = 0; i < nd; i++)
		if (mr[i])
			edudma_dereg_mr(mr[i]);
	buf_free(&b);
	return ret;
}

struct ovh_ctx {
	struct edudma_dev *dev;
	struct edudma_mr *mr;
	unsigned long n;
};

static int op_stats(void *p)
{
	struct ovh_ctx *c = p;
	struct edudma_stats st = { .argsz = sizeof(st) };

	return ioctl(edudma_fd(c->dev), EDUDMA_GET_STATS, &st) ? -errno : 0;
}

static int op_info(void *p)
{
	struct ovh_ctx *c = p;
	struct edudma_device_info in = { .argsz = sizeof(in) };

	return ioctl(edudma_fd(c->dev), EDUDMA_GET_INFO, &in) ? -errno : 0;
}

static int op_sync64(void *p)
{
	struct ovh_ctx *c = p;

	return edudma_write_dev(c->mr, 0, 0, 64);
}

static int op_async64(void *p)
{
	struct ovh_ctx *c = p;
	struct edudma_completion comp;
	int ret;

	ret = edudma_submit_write_dev(c->mr, 0, 0, 64, c->n++);
	if (ret)
		return ret;
	ret = edudma_get_completions(c->dev, &comp, 1, -1);
	if (ret < 0)
		return ret;
	return ret == 1 ? comp.status : -EIO;
}

static void overhead(void)
{
	static const struct {
		const char *op;
		op_fn fn;
		unsigned long min_ops;
		double min_s;
		int dmas;
	} ops[] = {
		{ "noop_ioctl_get_stats", op_stats, 2000, 0.3, 0 },
		{ "noop_ioctl_get_info", op_info, 2000, 0.3, 0 },
		{ "sync_to_dev_64B", op_sync64, 21, 0, 1 },
		{ "async_submit_completion_64B", op_async64, 21, 0, 1 },
	};
	struct ovh_ctx c = { .dev = devs[0] };
	struct buf b;
	double noop = 0;

	if (buf_alloc(&b, B_HUGETLB, 4096) ||
	    edudma_reg_mr(devs[0], b.addr, 4096, EDUDMA_ACCESS_DEV_READ, &c.mr)) {
		printf("overhead: cannot set up\n");
		return;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		double secs = 0, per, t[32] = { 0 };
		long n;

		if (!ops[i].dmas) {
			n = run_best(ops[i].fn, &c, ops[i].min_ops,
				     ops[i].min_s, ops[i].min_ops, &secs);
			per = n > 0 ? secs / (double)n : 0;
		} else {
			/* Each op timed alone; the median resists host noise. */
			int ret = ops[i].fn(&c);	/* warm-up */

			n = (long)ops[i].min_ops;
			for (long j = 0; j < n && !ret; j++) {
				double t0 = now_s();

				ret = ops[i].fn(&c);
				t[j] = now_s() - t0;
				secs += t[j];
			}
			if (ret)
				n = ret;
			qsort(t, (size_t)ops[i].min_ops, sizeof(t[0]), cmp_seconds);
			per = t[ops[i].min_ops / 2];
		}
		if (n <= 0) {
			json_na("edudma", ops[i].op, "hugetlb", 64,
				strerror((int)-n));
			continue;
		}
		if (i == 0)
			noop = per;
		/* Host time beyond the device's own 100 ms per DMA. */
		json_line("\"system\":\"edudma\",\"operation\":\"%s\","
			  "\"backing\":\"hugetlb\",\"bytes\":%d,\"ops\":%ld,"
			  "\"seconds\":%.9f,\"seconds_per_op\":%.9f,"
			  "\"per_op_statistic\":\"%s\","
			  "\"device_seconds_per_op\":%.3f,"
			  "\"overhead_seconds_per_op\":%.9f,"
			  "\"vs_noop_ioctl\":%.2f",
			  ops[i].op, ops[i].dmas ? 64 : 0, n, secs, per,
			  ops[i].dmas ? "median" : "mean of best round",
			  ops[i].dmas * DMA_S, per - ops[i].dmas * DMA_S,
			  noop > 0 ? (per - ops[i].dmas * DMA_S) / noop : 1.0);
	}
	edudma_dereg_mr(c.mr);
	buf_free(&b);
}

/* dma_chunk from the device's max_transfer. */
static void chunk_of(struct edudma_dev *dev)
{
	struct edudma_device_info info;

	if (!edudma_get_info(dev, &info) && info.max_transfer)
		dma_chunk = info.max_transfer;
}

/* The profile boot: a striped copy through 4K pages on one device. */
static int cmd_xfer4k(void)
{
	unsigned int minor;
	int ret;

	if (edudma_list_devices(&minor, 1) < 1 || edudma_open(minor, &devs[0]))
		return 1;
	ndevs = 1;
	chunk_of(devs[0]);
	bench_tag = "noiommu";
	scatter_4k = 1;
	ret = striped(1, 10, B_4K);
	if (ret)
		printf("striped 4k: %s\n", strerror(-ret));
	ret = striped(1, 10, B_HUGETLB);
	if (ret)
		printf("striped hugetlb: %s\n", strerror(-ret));
	edudma_close(devs[0]);
	return 0;
}

static int cmd_xfer(void)
{
	unsigned int minors[MAXDEV];
	int n = edudma_list_devices(minors, MAXDEV);

	if (n < 1) {
		fprintf(stderr, "edudma-bench: no edudma device\n");
		return 1;
	}
	ndevs = n > MAXDEV ? MAXDEV : (unsigned int)n;
	for (unsigned int i = 0; i < ndevs; i++)
		if (edudma_open(minors[i], &devs[i])) {
			fprintf(stderr, "edudma-bench: open edudma%u failed\n",
				minors[i]);
			return 1;
		}
	chunk_of(devs[0]);
	printf("xfer: %u edudma devices, DMAs of up to %lu bytes\n", ndevs, dma_chunk);
	overhead();
	/*
	 * Without icount the device's clock is the host's: when the shared
	 * host deschedules QEMU, the device idles between a completion and
	 * the next command.  Two rounds; bench/report keeps the better.
	 */
	for (int round = 0; round < 2; round++)
		for (unsigned int nd = 1; nd <= ndevs; nd *= 2) {
			int ret = to_dev_stream(nd, 20);

			if (ret)
				printf("to_dev_stream %u: %s\n", nd,
				       strerror(-ret));
			ret = striped(nd, 10, B_HUGETLB);
			if (ret)
				printf("striped %u: %s\n", nd, strerror(-ret));
		}
	for (unsigned int i = 0; i < ndevs; i++)
		edudma_close(devs[i]);
	return 0;
}

/* edudma-bench reg [--vfio-group N] [--tag T] [--size BYTES --backing B] */
static int reg_main(int argc, char **argv)
{
	int group = -1, backing = B_4K;
	size_t size = 0;

	for (int i = 2; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v && !strcmp(argv[i], "--vfio-group")) {
			group = atoi(v);
		} else if (v && !strcmp(argv[i], "--tag")) {
			bench_tag = v;
		} else if (v && !strcmp(argv[i], "--size")) {
			size = strtoull(v, NULL, 0);
		} else if (v && !strcmp(argv[i], "--backing")) {
			for (backing = 0; backing < B_NR; backing++)
				if (!strcmp(v, backing_name[backing]))
					break;
			if (backing == B_NR) {
				fprintf(stderr, "edudma-bench reg: no backing %s\n", v);
				return 2;
			}
		} else {
			fprintf(stderr, "edudma-bench reg: unknown option %s\n",
				argv[i]);
			return 2;
		}
	}
	return cmd_reg(group, backing, size);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "reg"))
		return reg_main(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "xfer"))
		return cmd_xfer();
	if (argc >= 2 && !strcmp(argv[1], "odp"))
		return cmd_odp();
	if (argc >= 2 && !strcmp(argv[1], "cache"))
		return cmd_cache();
	if (argc >= 2 && !strcmp(argv[1], "xfer4k"))
		return cmd_xfer4k();
	if (argc >= 2 && !strcmp(argv[1], "scale"))
		return cmd_scale(argc >= 3 ? strtoul(argv[2], NULL, 0) : 100000);
	if (argc >= 2 && !strcmp(argv[1], "ftrace")) {
		if (argc == 4 && !strcmp(argv[2], "--tag"))
			bench_tag = argv[3];
		return cmd_ftrace();
	}
	fprintf(stderr, "usage: edudma-bench reg [--vfio-group N] [--tag T] [--size BYTES --backing 4k|thp|hugetlb] | xfer | odp | cache | xfer4k | scale [N] | ftrace [--tag T]\n");
	return 2;
}
