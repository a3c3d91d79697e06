// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bench-reg.c: edudma-bench reg, registration + deregistration for
 * every backing and size against the floor (EDUDMA_BENCH_PIN on debugfs),
 * edudma (EDUDMA_REG_MR/DEREG_MR) and VFIO type1 MAP_DMA/UNMAP_DMA.
 */
#include <fcntl.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <edudma.h>
#include <linux/edudma.h>

#include "bench-common.h"
#include "bench-reg.h"
#include "edudma_bench.h"	/* the floor, on debugfs: driver/edudma_bench.h */

/* ---- registration --------------------------------------------------------- */


struct reg_ctx {
	int fd;			/* edudma device, or VFIO container */
	void *addr;
	size_t len;
	long segments;
	long pages;
};

/* The floor's debugfs file, opened once. */
static int floor_file(void)
{
	static int bfd = -1;

	if (bfd < 0)
		bfd = open(EDUDMA_BENCH_FILE, O_RDWR | O_CLOEXEC);
	return bfd;
}

static int op_floor(void *p)
{
	struct reg_ctx *c = p;
	struct edudma_bench_pin bp = {
		.argsz = sizeof(bp),
		.flags = EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE,
		.addr = (uintptr_t)c->addr,
		.length = c->len,
	};

	if (ioctl(floor_file(), EDUDMA_BENCH_PIN, &bp))
		return -errno;
	c->pages = (long)bp.nr_pages;
	return 0;
}

/* REG_MR + DEREG_MR with flags: pinned, or on demand (nothing pinned). */
static int edudma_reg_dereg(struct reg_ctx *c, uint32_t flags)
{
	struct edudma_reg_mr r = {
		.argsz = sizeof(r),
		.flags = flags,
		.addr = (uintptr_t)c->addr,
		.length = c->len,
	};
	struct edudma_dereg_mr d = { .argsz = sizeof(d) };

	if (ioctl(c->fd, EDUDMA_REG_MR, &r))
		return -errno;
	c->segments = r.nr_segments;
	c->pages = (long)r.nr_pages;
	d.handle = r.handle;
	if (ioctl(c->fd, EDUDMA_DEREG_MR, &d))
		return -errno;
	return 0;
}

static int op_edudma(void *p)
{
	return edudma_reg_dereg(p, EDUDMA_ACCESS_DEV_READ |
				   EDUDMA_ACCESS_DEV_WRITE);
}

static int op_edudma_odp(void *p)
{
	return edudma_reg_dereg(p, EDUDMA_ACCESS_DEV_READ |
				   EDUDMA_ACCESS_DEV_WRITE |
				   EDUDMA_REG_ON_DEMAND);
}

#define VFIO_IOVA 0x10000000ULL	/* 256 MiB: clear of the MSI window */

static int op_vfio(void *p)
{
	struct reg_ctx *c = p;
	size_t len = (c->len + 4095) & ~4095UL;
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)c->addr,
		.iova = VFIO_IOVA,
		.size = len,
	};
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = VFIO_IOVA,
		.size = len,
	};

	if (ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &m))
		return -errno;
	if (ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &u))
		return -errno;
	return 0;
}

/* A type1 container holding group N, or -errno with why[] filled. */
static int vfio_container(int group_nr, char *why, size_t whylen)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int container, group;

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0) {
		snprintf(why, whylen, "open /dev/vfio/vfio: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		snprintf(why, whylen, "no VFIO type1v2 IOMMU");
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_nr);
	group = open(path, O_RDWR);
	if (group < 0) {
		snprintf(why, whylen, "open %s: %s", path, strerror(errno));
		return -errno;
	}
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(why, whylen, "VFIO group %d not viable", group_nr);
		return -EBUSY;
	}
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		snprintf(why, whylen, "VFIO set container/IOMMU: %s",
			 strerror(errno));
		return -errno;
	}
	return container;
}

static const struct {
	const char *name;
	op_fn fn;
} sys[] = {
	{ "floor", op_floor },
	{ "edudma", op_edudma },
	{ "vfio", op_vfio },
	{ "edudma-odp", op_edudma_odp },	/* on demand: pins nothing */
};
#define NSYS ((int)(sizeof(sys) / sizeof(sys[0])))
#define SYS_VFIO 2

static void report(const struct bench_sys *r, const struct reg_ctx *c,
		   int k, size_t len, long thp, int vfio, const char *vfio_why)
{
	for (int s = 0; s < NSYS; s++) {
		char name[32];

		if (s == SYS_VFIO && bench_tag)
			continue;
		if (s == SYS_VFIO && vfio < 0) {
			json_na("vfio", "register+deregister",
				backing_name[k], len, vfio_why);
			continue;
		}
		if (r[s].err) {
			printf("%s %s %zu: %s\n", sys[s].name, backing_name[k],
			       len, strerror((int)-r[s].err));
			json_na(sys[s].name, "register+deregister",
				backing_name[k], len,
				strerror((int)-r[s].err));
			continue;
		}
		snprintf(name, sizeof(name), "%s%s%s", sys[s].name,
			 bench_tag ? "-" : "", bench_tag ? bench_tag : "");
		json_reg(name, k, len, (unsigned long)r[s].bestn, r[s].best,
			 c[s].segments, c[s].pages, thp);
	}
}

/* Every system on len bytes of backing k. */
static void bench_size(int k, size_t len, int edfd, int vfio,
		       const char *vfio_why)
{
	struct bench_sys r[NSYS];
	struct reg_ctx c[NSYS];
	struct buf b;
	long thp;
	int ret;

	ret = buf_alloc(&b, k, len);
	if (ret) {
		printf("%s %zu: cannot allocate: %s\n", backing_name[k], len,
		       strerror(-ret));
		json_na("floor", "register+deregister", backing_name[k], len,
			"allocation failed");
		return;
	}
	thp = anon_huge_kb();
	for (int s = 0; s < NSYS; s++) {
		c[s] = (struct reg_ctx){
			.fd = s == SYS_VFIO ? vfio : edfd,
			.addr = b.addr, .len = len,
			.segments = -1, .pages = -1,
		};
		r[s] = (struct bench_sys){
			.fn = sys[s].fn, .ctx = &c[s],
			.skip = s == SYS_VFIO && (bench_tag || vfio < 0),
		};
	}
	run_interleaved(r, NSYS, len, 0.06);
	report(r, c, k, len, thp, vfio, vfio_why);
	buf_free(&b);
}

int cmd_reg(int vfio_group, int only_backing, size_t only_size)
{
	struct edudma_dev *dev;
	unsigned int minor;
	char vfio_why[160] = "no --vfio-group given";
	int vfio = -1;

	if (edudma_list_devices(&minor, 1) < 1 || edudma_open(minor, &dev)) {
		fprintf(stderr, "edudma-bench: no edudma device\n");
		return 1;
	}
	if (vfio_group >= 0)
		vfio = vfio_container(vfio_group, vfio_why, sizeof(vfio_why));
	if (vfio < 0)
		printf("vfio: n/a: %s\n", vfio_why);
	if (only_size)
		bench_size(only_backing, only_size, edudma_fd(dev), vfio,
			   vfio_why);
	for (int k = 0; k < B_NR && !only_size; k++)
		for (size_t i = 0; i < NR_SIZES; i++)
			bench_size(k, bench_sizes[i], edudma_fd(dev), vfio,
				   vfio_why);
	edudma_close(dev);
	return 0;
}
