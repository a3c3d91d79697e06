// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sdk-example: the complete example of Documentation/sdk.md.
 *
 * Copies a buffer through the first edudma device twice: once with one
 * synchronous call, once as pieces queued asynchronously and reaped from
 * an epoll loop.  Then round-trips a few bytes through the device buffer.
 *
 * Build: cc -o sdk-example sdk-example.c $(pkg-config --cflags --libs edudma)
 * Exit status: 0 when every copy was right, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <edudma.h>

#define LEN	(16 * 1024)	/* bytes to copy */
#define PIECES	4		/* asynchronous copies of LEN / PIECES */

static int fail(const char *what, int ret)
{
	fprintf(stderr, "sdk-example: %s: %s\n", what, strerror(-ret));
	return ret;
}

/* Queues PIECES copies, then waits for their completions with epoll. */
static int copy_async(struct edudma_dev *dev, struct edudma_mr *src,
		      struct edudma_mr *dst)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct edudma_completion c[PIECES];
	const uint64_t piece = LEN / PIECES;
	int ep, i, n, ret = 0, left = 0;
	unsigned int k;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, edudma_fd(dev), &ev) < 0) {
		perror("sdk-example: epoll");
		if (ep >= 0)
			close(ep);
		return -1;
	}
	for (k = 0; k < PIECES; k++) {
		/* The cookie names the piece in its completion. */
		ret = edudma_submit_copy(src, k * piece, dst, k * piece, piece, k);
		if (ret < 0) {
			fail("edudma_submit_copy", ret);
			break;
		}
		left++;
	}
	/* Every queued copy completes, even after a failed submit. */
	while (left > 0) {
		if (epoll_wait(ep, &ev, 1, -1) < 0) {
			perror("sdk-example: epoll_wait");
			ret = -1;
			break;
		}
		if (!(ev.events & EPOLLIN)) {	/* EPOLLHUP alone */
			fprintf(stderr, "sdk-example: the device was removed\n");
			ret = -1;
			break;
		}
		n = edudma_get_completions(dev, c, PIECES, 0);
		if (n < 0) {
			ret = fail("edudma_get_completions", n);
			break;
		}
		for (i = 0; i < n; i++, left--) {
			printf("  piece %llu: %llu bytes, %s\n",
			       (unsigned long long)c[i].cookie,
			       (unsigned long long)c[i].bytes,
			       c[i].status ? strerror(-c[i].status) : "done");
			if (c[i].status)
				ret = c[i].status;
		}
	}
	close(ep);
	return ret;
}

/* The first edudma device, opened; NULL after a message. */
static struct edudma_dev *open_first(void)
{
	struct edudma_device_info info;
	struct edudma_dev *dev;
	unsigned int minors[16];
	int ret, n;

	n = edudma_list_devices(minors, 16);
	if (n < 0) {
		fail("edudma_list_devices", n);
		return NULL;
	}
	if (n == 0) {
		fprintf(stderr, "sdk-example: no /dev/edudma* device (is the module loaded?)\n");
		return NULL;
	}
	ret = edudma_open(minors[0], &dev);
	if (ret < 0) {
		fail("edudma_open", ret);
		return NULL;
	}
	ret = edudma_get_info(dev, &info);
	if (ret < 0) {
		fail("edudma_get_info", ret);
		edudma_close(dev);
		return NULL;
	}
	printf("/dev/edudma%u: API %u, largest device transfer %u bytes\n",
	       info.minor, info.api_version, info.max_transfer);
	return dev;
}

/* The three ways to move src to dst; 0 when every copy was right. */
static int copies(struct edudma_dev *dev, const char *src, char *dst,
		  struct edudma_mr *src_mr, struct edudma_mr *dst_mr)
{
	int ret;

	/* 1. One synchronous copy: returns when the data has moved. */
	ret = edudma_copy(src_mr, 0, dst_mr, 0, LEN);
	if (ret < 0)
		return fail("edudma_copy", ret);
	printf("synchronous copy: %s\n", memcmp(src, dst, LEN) ? "WRONG" : "right");
	if (memcmp(src, dst, LEN))
		return -1;

	/* 2. The same copy in pieces, asynchronously. */
	memset(dst, 0, LEN);
	if (copy_async(dev, src_mr, dst_mr))
		return -1;
	printf("asynchronous copy: %s\n", memcmp(src, dst, LEN) ? "WRONG" : "right");
	if (memcmp(src, dst, LEN))
		return -1;

	/* 3. 100 bytes into the device buffer at offset 1000, and back. */
	memset(dst, 0, LEN);
	ret = edudma_write_dev(src_mr, 0, 1000, 100);
	if (!ret)
		ret = edudma_read_dev(dst_mr, 0, 1000, 100);
	if (ret < 0)
		return fail("edudma_write_dev/edudma_read_dev", ret);
	printf("device buffer round trip: %s\n", memcmp(src, dst, 100) ? "WRONG" : "right");
	return memcmp(src, dst, 100) ? -1 : 0;
}

int main(void)
{
	struct edudma_mr *src_mr = NULL, *dst_mr = NULL;
	struct edudma_dev *dev;
	char *src = NULL, *dst = NULL;
	int ret, status = 1;
	size_t i;

	dev = open_first();
	if (!dev)
		return 1;

	/* A pattern to copy, and a destination that does not hold it yet. */
	src = malloc(LEN);
	dst = malloc(LEN);
	if (!src || !dst) {
		fprintf(stderr, "sdk-example: out of memory\n");
		goto out;
	}
	for (i = 0; i < LEN; i++)
		src[i] = (char)(i * 7 + 1);
	memset(dst, 0, LEN);

	ret = edudma_reg_mr(dev, src, LEN, EDUDMA_ACCESS_DEV_READ, &src_mr);
	if (ret < 0) {
		fail("edudma_reg_mr(src)", ret);
		goto out;
	}
	ret = edudma_reg_mr(dev, dst, LEN, EDUDMA_ACCESS_DEV_WRITE, &dst_mr);
	if (ret < 0) {
		fail("edudma_reg_mr(dst)", ret);
		goto out;
	}
	printf("registered 2 x %d bytes: %u + %u DMA segments\n", LEN,
	       edudma_mr_segments(src_mr), edudma_mr_segments(dst_mr));
	if (!copies(dev, src, dst, src_mr, dst_mr))
		status = 0;
out:
	/* Deregister before the memory goes; edudma_close() would do it too. */
	if (dst_mr && (ret = edudma_dereg_mr(dst_mr)) < 0)
		fail("edudma_dereg_mr", ret);
	if (src_mr && (ret = edudma_dereg_mr(src_mr)) < 0)
		fail("edudma_dereg_mr", ret);
	edudma_close(dev);
	free(dst);
	free(src);
	return status;
}
