// SPDX-License-Identifier: GPL-2.0
/*
 * edudma-copy: the main job of edudma, shown.  Copies a buffer through the
 * edu devices' DMA engines with libedudma, striped across the devices,
 * verifies every byte, and prints the throughput and the devices'
 * statistics.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <edudma.h>
#include "edudma_rand.h"

#define MAX_DEVS 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	uint64_t state = seed;

	ed_rand_fill(&state, p, n);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: edudma-copy [-s BYTES[k|m]] [-n DEVICES] [-S SEED]\n"
		"Copies a buffer of BYTES (default 1m) through the first DEVICES edu\n"
		"devices (default all) with edudma_copy_striped(), checks every byte,\n"
		"and prints the throughput and each device's statistics.\n"
		"Exit status: 0 when every byte arrived intact, 1 otherwise.\n");
}

/* BYTES[k|m]; 0 when it is not such a number. */
static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (end == s || *s == '-')
		return 0;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	return *end ? 0 : (size_t)v;
}

/* Opens up to want devices (0: all); how many, or 0 after a message. */
static int open_devices(struct edudma_dev **devs, unsigned int *minors,
			int want)
{
	int n = edudma_list_devices(minors, MAX_DEVS), i, ret;

	if (n <= 0) {
		fprintf(stderr, "edudma-copy: no edudma device (%s)\n",
			n ? strerror(-n) : "is the module loaded?");
		return 0;
	}
	if (n > MAX_DEVS)
		n = MAX_DEVS;
	if (want > 0 && want < n)
		n = want;
	for (i = 0; i < n; i++) {
		ret = edudma_open(minors[i], &devs[i]);
		if (ret) {
			fprintf(stderr, "edudma-copy: /dev/edudma%u: %s\n", minors[i], strerror(-ret));
			while (i--)
				edudma_close(devs[i]);
			return 0;
		}
	}
	return n;
}

/* What the devices allow: max_transfer bytes per DMA, 100 ms each. */
static void print_limit(struct edudma_dev *dev, int n)
{
	struct edudma_device_info info;
	double max;

	if (edudma_get_info(dev, &info))
		return;
	max = info.max_transfer;
	printf("  device limit: %u bytes per DMA, 100 ms of (virtual) time per DMA,\n"
	       "  a copy needs two DMAs per %u bytes: %.1f KiB/s per device, %.1f KiB/s for %d\n",
	       info.max_transfer, info.max_transfer, max / 0.2 / 1024,
	       n * max / 0.2 / 1024, n);
}

static void print_stats(struct edudma_dev *dev, unsigned int minor)
{
	struct edudma_stats st;

	if (!edudma_get_stats(dev, &st))
		printf("  /dev/edudma%u statistics: %llu DMAs to device, %llu from device, "
		       "%llu bytes each way, %llu transfers, %llu errors\n",
		       minor, (unsigned long long)st.dma_to_dev,
		       (unsigned long long)st.dma_from_dev,
		       (unsigned long long)st.bytes_to_dev,
		       (unsigned long long)st.xfers, (unsigned long long)st.errors);
}

int main(int argc, char **argv)
{
	struct edudma_stripe_result res[MAX_DEVS];
	struct edudma_dev *devs[MAX_DEVS];
	unsigned int minors[MAX_DEVS], seed = 1;
	size_t size = 1 << 20, bad = 0;
	unsigned char *src, *dst;
	int n, want = 0, i, opt, ret;
	double t0, dt;

	while ((opt = getopt(argc, argv, "s:n:S:h")) != -1) {
		switch (opt) {
		case 's': size = parse_size(optarg); break;
		case 'n':
			want = atoi(optarg);
			if (want <= 0) {
				fprintf(stderr, "edudma-copy: -n needs a number of devices, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'S': seed = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!size) {
		fprintf(stderr, "edudma-copy: -s needs a size of at least 1 byte: BYTES, BYTESk or BYTESm\n");
		return 2;
	}

	n = open_devices(devs, minors, want);
	if (n <= 0)
		return 1;

	src = malloc(size);
	dst = malloc(size);
	if (!src || !dst) {
		fprintf(stderr, "edudma-copy: out of memory\n");
		return 1;
	}
	fill(src, size, seed);
	memset(dst, 0, size);

	printf("edudma-copy: %zu bytes through %d device%s, striped\n", size, n,
	       n == 1 ? "" : "s");
	t0 = now();
	ret = edudma_copy_striped(devs, (unsigned int)n, dst, src, size, 0, res);
	dt = now() - t0;
	for (size_t k = 0; k < size; k++)
		bad += src[k] != dst[k];

	for (i = 0; i < n; i++)
		printf("  /dev/edudma%u: %llu bytes in %llu transfers, %s\n",
		       res[i].minor, (unsigned long long)res[i].bytes,
		       (unsigned long long)res[i].transfers,
		       res[i].status ? strerror(-res[i].status) : "ok");
	printf("  verified: %s (%zu of %zu bytes differ)\n", bad ? "MISMATCH" : "every byte",
	       bad, size);
	printf("  time: %.2f s of guest time, %.1f KiB/s\n", dt, size / dt / 1024);
	print_limit(devs[0], n);

	for (i = 0; i < n; i++) {
		print_stats(devs[i], minors[i]);
		edudma_close(devs[i]);
	}
	free(src);
	free(dst);
	if (ret)
		fprintf(stderr, "edudma-copy: %s\n", strerror(-ret));
	return ret || bad ? 1 : 0;
}
