// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bench-odp.c: `edudma-bench odp`, on-demand registrations against
 * pinned ones (Documentation/performance.md, "On-demand paging").
 *
 * Registration time against size is bench-reg.c's edudma-odp row.  Here:
 *
 *  fault:   the driver's fault path alone, without a DMA: EDUDMA_PREFETCH
 *           of a fresh on-demand registration of pages the CPU has
 *           touched (hmm_range_fault() + dma_map_page() per page or huge
 *           page), then again over the mapped range (the readiness check),
 *           beside REG_MR + DEREG_MR of a pinned registration of the same
 *           buffer, which does its mapping up front;
 *  first:   one DMA's transfer on a registration just made (on demand:
 *           the unit faults in the worker first) against the same on a
 *           pinned registration made as fresh;
 *  steady:  one DMA's transfer, both directions, on registrations already
 *           mapped: the on-demand unit's cost beyond a pinned one;
 *  paged:   memory pressure: the buffer is pushed to zram swap with
 *           MADV_PAGEOUT before each transfer; the on-demand transfer
 *           faults it back in, the pinned buffer cannot be reclaimed.
 *
 * A DMA takes 100 ms of the device's clock, so the transfer rows time
 * each transfer alone, the systems interleaved, and keep the median; the
 * overhead is the median minus the device's 100 ms, and "extra" the
 * on-demand overhead minus the pinned one, measured in the same rounds.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include <edudma.h>
#include <linux/edudma.h>

#include "bench-common.h"
#include "bench-odp.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define ODP_SAMPLES 21		/* transfers per system and row */
#define ODP_DMA 4095		/* one DMA, inside one 4K page */
#define RW (EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE)

static const size_t fault_sizes[] = { 64UL << 10, 2UL << 20, 64UL << 20 };

static long vmstat(const char *name)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char key[64];
	long v, ret = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &v) == 2)
		if (!strcmp(key, name)) {
			ret = v;
			break;
		}
	fclose(f);
	return ret;
}

static uint64_t faulted(struct edudma_dev *dev)
{
	struct edudma_stats st;

	return edudma_get_stats(dev, &st) ? 0 : st.odp_pages_faulted;
}

/* ---- fault: PREFETCH without a DMA ---------------------------------------- */

struct fault_row {
	double reg, first, mapped;	/* best seconds of each */
	uint64_t pages;			/* pages the first prefetch mapped */
};

static int fault_round(struct edudma_dev *dev, struct buf *b,
		       struct fault_row *r)
{
	struct edudma_mr *mr;
	uint64_t f0, bytes;
	double t0, t1, t2;
	int ret;

	t0 = now_s();
	ret = edudma_reg_mr(dev, b->addr, b->len, RW, &mr);
	if (ret)
		return ret;
	ret = edudma_dereg_mr(mr);
	t1 = now_s() - t0;
	if (ret)
		return ret;
	if (!r->reg || t1 < r->reg)
		r->reg = t1;

	ret = edudma_reg_mr(dev, b->addr, b->len, RW | EDUDMA_REG_ON_DEMAND,
			    &mr);
	if (ret)
		return ret;
	f0 = faulted(dev);
	t0 = now_s();
	ret = edudma_prefetch(mr, 0, b->len, EDUDMA_PREFETCH_WRITE, &bytes);
	t1 = now_s();
	if (!ret)
		ret = edudma_prefetch(mr, 0, b->len, EDUDMA_PREFETCH_WRITE,
				      &bytes);
	t2 = now_s();
	r->pages = faulted(dev) - f0;
	edudma_dereg_mr(mr);
	if (ret)
		return ret;
	if (!r->first || t1 - t0 < r->first)
		r->first = t1 - t0;
	if (!r->mapped || t2 - t1 < r->mapped)
		r->mapped = t2 - t1;
	return 0;
}

static void fault_rows(struct edudma_dev *dev)
{
	for (int k = 0; k < B_NR; k++)
		for (size_t i = 0; i < sizeof(fault_sizes) / sizeof(*fault_sizes);
		     i++) {
			size_t len = fault_sizes[i];
			struct fault_row r = { 0 };
			struct buf b;
			int ret = buf_alloc(&b, (enum backing)k, len);

			for (int round = 0; !ret && round < ROUNDS; round++)
				ret = fault_round(dev, &b, &r);
			buf_free(&b);
			if (ret) {
				json_na("edudma-odp", "prefetch",
					backing_name[k], len, strerror(-ret));
				continue;
			}
			json_line("\"system\":\"edudma-odp\",\"operation\":\"prefetch\","
				  "\"backing\":\"%s\",\"bytes\":%zu,\"ops\":%d,"
				  "\"seconds\":%.9f,\"first_seconds\":%.9f,"
				  "\"mapped_seconds\":%.9f,\"pinned_reg_seconds\":%.9f,"
				  "\"pages_faulted\":%llu",
				  backing_name[k], len, ROUNDS, r.first, r.first,
				  r.mapped, r.reg, (unsigned long long)r.pages);
		}
}

/* ---- transfers timed one by one ------------------------------------------- */

/*
 * One system of a transfer row, with a buffer of its own (a pinned
 * registration of the same pages would keep MADV_PAGEOUT from taking
 * them from the on-demand one): the registration (fresh, or kept) and
 * the page-out happen before the clock starts, only the transfer of
 * ODP_DMA bytes is timed.
 */
struct xsys {
	unsigned int access;		/* REG_MR's */
	int fresh;			/* a new registration per transfer */
	int pageout;			/* MADV_PAGEOUT before each transfer */
	struct buf b;
	struct edudma_mr *mr;		/* the kept one (!fresh) */
	double t[ODP_SAMPLES];
};

struct xrow {
	const char *op;			/* "first", "steady", "paged" */
	const char *backing;
	int from_dev;			/* device -> memory */
	struct edudma_dev *dev;
};

static int xfer_one(struct xrow *row, struct xsys *s, double *secs)
{
	struct edudma_mr *mr = s->mr;
	double t0;
	int ret = 0;

	if (s->fresh) {
		ret = edudma_reg_mr(row->dev, s->b.addr, s->b.len, s->access,
				    &mr);
		if (ret)
			return ret;
	}
	if (s->pageout && madvise(s->b.addr, s->b.len, MADV_PAGEOUT))
		ret = -errno;
	t0 = now_s();
	if (!ret)
		ret = row->from_dev ? edudma_read_dev(mr, 0, 0, ODP_DMA) :
				      edudma_write_dev(mr, 0, 0, ODP_DMA);
	*secs = now_s() - t0;
	if (s->fresh)
		edudma_dereg_mr(mr);
	return ret;
}

static double median(double *t)
{
	double c[ODP_SAMPLES];

	memcpy(c, t, sizeof(c));
	qsort(c, ODP_SAMPLES, sizeof(c[0]), cmp_seconds);
	return c[ODP_SAMPLES / 2];
}

/* Both systems, interleaved; sys[0] is pinned, sys[1] on demand. */
static int xfer_row(struct xrow *row, struct xsys *sys)
{
	long in0 = vmstat("pswpin"), out0 = vmstat("pswpout");
	uint64_t f0 = faulted(row->dev);
	double med[2];
	int ret = 0;

	for (int s = 0; s < 2 && !ret; s++) {
		double warm;

		if (!sys[s].fresh)
			ret = edudma_reg_mr(row->dev, sys[s].b.addr,
					    sys[s].b.len, sys[s].access,
					    &sys[s].mr);
		if (!ret)	/* warm-up; maps a kept on-demand mr */
			ret = xfer_one(row, &sys[s], &warm);
	}
	for (int i = 0; i < ODP_SAMPLES && !ret; i++)
		for (int s = 0; s < 2 && !ret; s++)
			ret = xfer_one(row, &sys[s], &sys[s].t[i]);
	for (int s = 0; s < 2; s++)
		if (sys[s].mr)
			edudma_dereg_mr(sys[s].mr);
	if (ret) {
		json_na("edudma-odp", row->op, row->backing, ODP_DMA,
			strerror(-ret));
		return ret;
	}
	for (int s = 0; s < 2; s++)
		med[s] = median(sys[s].t);
	json_line("\"system\":\"edudma-odp\",\"operation\":\"%s_%s\","
		  "\"backing\":\"%s\",\"bytes\":%d,\"ops\":%d,"
		  "\"seconds\":%.9f,\"per_op_statistic\":\"median\","
		  "\"pinned_seconds\":%.9f,\"device_seconds_per_op\":%.3f,"
		  "\"overhead_seconds\":%.9f,\"pinned_overhead_seconds\":%.9f,"
		  "\"extra_seconds\":%.9f,\"pages_faulted\":%llu,"
		  "\"pswpin\":%ld,\"pswpout\":%ld",
		  row->op, row->from_dev ? "from_dev" : "to_dev", row->backing,
		  ODP_DMA, ODP_SAMPLES, med[1], med[0], DMA_S,
		  med[1] - DMA_S, med[0] - DMA_S, med[1] - med[0],
		  (unsigned long long)(faulted(row->dev) - f0),
		  vmstat("pswpin") - in0, vmstat("pswpout") - out0);
	return 0;
}

static void xfer_rows(struct edudma_dev *dev, const char *op, int fresh,
		      int pageout, enum backing k)
{
	for (int from_dev = 0; from_dev < 2; from_dev++) {
		struct xrow row = { .op = op, .backing = backing_name[k],
				    .from_dev = from_dev, .dev = dev };
		struct xsys sys[2] = {
			{ .access = RW, .fresh = fresh, .pageout = pageout },
			{ .access = RW | EDUDMA_REG_ON_DEMAND, .fresh = fresh,
			  .pageout = pageout },
		};
		size_t len = k == B_4K ? 4096 : HPAGE;
		int ret = buf_alloc(&sys[0].b, k, len);

		if (!ret)
			ret = buf_alloc(&sys[1].b, k, len);
		if (ret)
			json_na("edudma-odp", op, backing_name[k], ODP_DMA,
				strerror(-ret));
		else
			xfer_row(&row, sys);
		buf_free(&sys[0].b);
		buf_free(&sys[1].b);
	}
}

/* Swap is on (bench/guest.sh turns zram swap on for the paged rows). */
static int have_swap(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;	/* a header line, then one per swap area */
}

int cmd_odp(void)
{
	struct edudma_dev *dev;
	unsigned int minor;

	if (edudma_list_devices(&minor, 1) < 1 || edudma_open(minor, &dev)) {
		fprintf(stderr, "edudma-bench odp: no edudma device\n");
		return 1;
	}
	printf("odp: edudma%u; fault path without DMA, then transfers of one DMA\n",
	       minor);
	fault_rows(dev);
	for (int k = 0; k < B_NR; k++) {
		xfer_rows(dev, "first", 1, 0, (enum backing)k);
		xfer_rows(dev, "steady", 0, 0, (enum backing)k);
	}
	if (!have_swap()) {
		json_na("edudma-odp", "paged", "4k", ODP_DMA, "no swap in this guest");
	} else {
		xfer_rows(dev, "paged", 0, 1, B_4K);
		xfer_rows(dev, "paged", 0, 1, B_THP);
	}
	edudma_close(dev);
	return 0;
}
