// SPDX-License-Identifier: GPL-2.0
/*
 * bench/bench-scale.c: edudma-bench scale [N], N registrations (default
 * 100000) on one open file, each its own 4 KiB page of one mapping,
 * watched (the default).  At 1, 100, 1000, 10000, ... and N regions:
 * what the registrations that got there cost each, and what a handle's
 * lookup costs among that many: EDUDMA_XFER of a byte past the end of a
 * random registration (the handle is looked up, then EINVAL), against the
 * same call with length 0 (EINVAL before any lookup).  Then every region
 * deregistered, timed.  One "@json" line per step, system "edudma-scale".
 * The driver's max_regions must allow N (bench/guest.sh raises it).
 */
#include <sys/ioctl.h>

#include <edudma.h>
#include <linux/edudma.h>

#include "bench-common.h"
#include "bench-scale.h"

#define PROBES 20000

/* The mean time of PROBES calls of one XFER shape on random handles. */
static double probe(int fd, const uint32_t *handles, uint32_t nregions,
		    uint64_t length, unsigned int *seed)
{
	struct edudma_xfer x = {
		.argsz = sizeof(x),
		.op = EDUDMA_OP_TO_DEV,
		.src = 4096,	/* the end of every region */
	};
	double t0 = now_s();

	for (int i = 0; i < PROBES; i++) {
		x.src_handle = handles[rand_r(seed) % nregions];
		x.length = length;
		if (ioctl(fd, EDUDMA_XFER, &x) == 0 || errno != EINVAL)
			return -1;
	}
	return (now_s() - t0) / PROBES;
}

/* One "step" line: regions registered, what the last ones cost, lookups. */
static int step(int fd, const uint32_t *handles, unsigned long regions,
		unsigned long added, double reg_s, unsigned int *seed)
{
	double look = probe(fd, handles, (uint32_t)regions, 1, seed);
	double none = probe(fd, handles, (uint32_t)regions, 0, seed);

	if (look < 0 || none < 0) {
		printf("scale: the probe XFER did not fail with EINVAL\n");
		return -1;
	}
	json_line("\"system\":\"edudma-scale\",\"operation\":\"step\","
		  "\"backing\":\"4k\",\"bytes\":4096,\"regions\":%lu,"
		  "\"registered\":%lu,\"reg_seconds\":%.9f,"
		  "\"xfer_lookup_seconds\":%.9f,\"xfer_no_lookup_seconds\":%.9f,"
		  "\"lookup_seconds\":%.9f",
		  regions, added, reg_s, look, none, look - none);
	return 0;
}

int cmd_scale(unsigned long n)
{
	struct edudma_reg_mr r = {
		.argsz = sizeof(r),
		.flags = EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE,
		.length = 4096,
	};
	struct edudma_dev *dev;
	unsigned long done = 0, next = 1;
	unsigned int minor, seed = 1;
	uint32_t *handles;
	int fd, ret = 1;
	double t0, t;
	char *p;

	if (edudma_list_devices(&minor, 1) < 1 || edudma_open(minor, &dev)) {
		fprintf(stderr, "edudma-bench scale: no edudma device\n");
		return 1;
	}
	fd = edudma_fd(dev);
	/* Handles are the driver's to choose (uapi.md): kept, not guessed. */
	handles = calloc(n, sizeof(*handles));
	if (!handles) {
		perror("edudma-bench scale");
		goto out;
	}
	p = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("edudma-bench scale: mmap");
		goto out;
	}
	madvise(p, n * 4096, MADV_NOHUGEPAGE);
	memset(p, 0x5a, n * 4096);
	while (done < n) {
		unsigned long from = done;

		t0 = now_s();
		for (; done < next && done < n; done++) {
			r.addr = (uintptr_t)(p + done * 4096);
			if (ioctl(fd, EDUDMA_REG_MR, &r)) {
				printf("scale: REG_MR %lu: %s\n", done + 1,
				       strerror(errno));
				json_na("edudma-scale", "register", "4k", 4096,
					strerror(errno));
				goto unreg;
			}
			handles[done] = r.handle;
		}
		t = (now_s() - t0) / (double)(done - from);
		if (step(fd, handles, done, done - from, t, &seed))
			goto unreg;
		next = next * 10 > n ? n : next * 10;
	}
	ret = 0;
unreg:
	t0 = now_s();
	for (unsigned long i = 0; i < done; i++) {
		struct edudma_dereg_mr d = {
			.argsz = sizeof(d), .handle = handles[i],
		};

		if (ioctl(fd, EDUDMA_DEREG_MR, &d)) {
			printf("scale: DEREG_MR %lu: %s\n", i + 1,
			       strerror(errno));
			ret = 1;
		}
	}
	if (done)
		json_line("\"system\":\"edudma-scale\",\"operation\":\"deregister\","
			  "\"backing\":\"4k\",\"bytes\":4096,\"regions\":%lu,"
			  "\"dereg_seconds\":%.9f",
			  done, (now_s() - t0) / (double)done);
	munmap(p, n * 4096);
out:
	free(handles);
	edudma_close(dev);
	return ret;
}
