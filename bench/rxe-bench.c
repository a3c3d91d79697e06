// SPDX-License-Identifier: GPL-2.0
/*
 * bench/rxe-bench: ibv_reg_mr + ibv_dereg_mr on the first RDMA device
 * (soft-RoCE, rdma_rxe, in the bench guest) for every backing and size of
 * bench-common.h.  Linked dynamically against Debian's libibverbs, which
 * bench/run delivers into the guest.
 */
#include <dirent.h>
#include <fcntl.h>
#include <infiniband/verbs.h>
#include <linux/edudma.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench-common.h"
#include "edudma_bench.h"	/* the floor, on debugfs: driver/edudma_bench.h */

struct rxe_ctx {
	struct ibv_pd *pd;
	void *addr;
	size_t len;
};

static int op_rxe(void *p)
{
	struct rxe_ctx *c = p;
	struct ibv_mr *mr;

	mr = ibv_reg_mr(c->pd, c->addr, c->len,
			IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ |
			IBV_ACCESS_REMOTE_WRITE);
	if (!mr)
		return errno ? -errno : -EIO;
	return ibv_dereg_mr(mr) ? -errno : 0;
}

/* The floor again, interleaved with rxe in this process ("floor-rxe"). */
static int floor_fd = -1;

static int op_floor(void *p)
{
	struct rxe_ctx *c = p;
	struct edudma_bench_pin bp = {
		.argsz = sizeof(bp),
		.flags = EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE,
		.addr = (uintptr_t)c->addr,
		.length = c->len,
	};

	return ioctl(floor_fd, EDUDMA_BENCH_PIN, &bp) ? -errno : 0;
}

static void open_floor(void)
{
	floor_fd = open(EDUDMA_BENCH_FILE, O_RDWR | O_CLOEXEC);
}

/* "rxe" and "floor-rxe", or with --tag T "rxe-T" and "floor-rxe-T". */
static char name[2][48] = { "rxe", "floor-rxe" };

/* rxe and the floor on len bytes of backing k. */
static void bench_size(struct ibv_pd *pd, int k, size_t len)
{
	struct rxe_ctx c = { .pd = pd, .len = len };
	struct bench_sys r[2] = {
		{ .fn = op_rxe, .ctx = &c },
		{ .fn = op_floor, .ctx = &c, .skip = floor_fd < 0 },
	};
	struct buf b;
	long thp;

	if (buf_alloc(&b, k, len)) {
		json_na(name[0], "register+deregister", backing_name[k], len,
			"allocation failed");
		return;
	}
	thp = anon_huge_kb();
	c.addr = b.addr;
	run_interleaved(r, 2, len, 0.1);
	for (int s = 0; s < 2; s++) {
		if (r[s].skip)
			continue;
		if (r[s].err) {
			printf("%s %s %zu: %s\n", name[s], backing_name[k], len,
			       strerror((int)-r[s].err));
			json_na(name[s], "register+deregister",
				backing_name[k], len, strerror((int)-r[s].err));
		} else {
			json_reg(name[s], k, len, (unsigned long)r[s].bestn,
				 r[s].best, -1, -1, thp);
		}
	}
	buf_free(&b);
}

int main(int argc, char **argv)
{
	struct ibv_device **list;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	int n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--tag")) {
		snprintf(name[0], sizeof(name[0]), "rxe-%s", argv[2]);
		snprintf(name[1], sizeof(name[1]), "floor-rxe-%s", argv[2]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: rxe-bench [--tag T]\n");
		return 2;
	}
	list = ibv_get_device_list(&n);
	if (!list || n < 1) {
		printf("rxe: n/a: no RDMA device (ibv_get_device_list: %d)\n", n);
		json_na(name[0], "register+deregister", "all", 0,
			"no RDMA device");
		return 1;
	}
	ctx = ibv_open_device(list[0]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	if (!pd) {
		printf("rxe: n/a: cannot open %s / alloc pd: %s\n",
		       ibv_get_device_name(list[0]), strerror(errno));
		json_na(name[0], "register+deregister", "all", 0,
			"ibv_open_device/ibv_alloc_pd failed");
		return 1;
	}
	printf("rxe: device %s\n", ibv_get_device_name(list[0]));
	open_floor();
	for (int k = 0; k < B_NR; k++)
		for (size_t i = 0; i < NR_SIZES; i++)
			bench_size(pd, k, bench_sizes[i]);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(list);
	return 0;
}
