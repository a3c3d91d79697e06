/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libedudma: the userspace SDK of the edudma driver.
 *
 * Conventions (every man page repeats them):
 *  - Functions that can fail return 0 (or a count) on success and a
 *    negative errno on failure, as liburing does; errno is not used.
 *  - Objects: struct edudma_dev is an open device (/dev/edudmaN);
 *    struct edudma_mr is a registration made on one device.
 *  - Threads: a struct edudma_dev may be used by several threads at once
 *    (every call is one ioctl, or takes the device's own lock); a
 *    struct edudma_mr may be used by several threads for transfers, but
 *    edudma_dereg_mr() and edudma_mr_put() must not race with other calls
 *    on the same mr, and edudma_close() must not race with any call on the
 *    device.
 */
#ifndef LIBEDUDMA_H
#define LIBEDUDMA_H

#include <stddef.h>
#include <stdint.h>

#include <linux/edudma.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBEDUDMA_VERSION_MAJOR	1
#define LIBEDUDMA_VERSION_MINOR	2

struct edudma_dev;
struct edudma_mr;

/* ---- devices ------------------------------------------------------------ */

/* Fills minors[] (up to max) with N of every /dev/edudmaN, ascending;
 * returns how many exist (may exceed max) or -errno. */
int edudma_list_devices(unsigned int *minors, unsigned int max);

/* Opens /dev/edudma<minor>. */
int edudma_open(unsigned int minor, struct edudma_dev **dev);
/* Opens a device node by path. */
int edudma_open_path(const char *path, struct edudma_dev **dev);
/* Releases every registration the library made and closes the device. */
void edudma_close(struct edudma_dev *dev);

/* The file descriptor, for poll/epoll (readable: completions wait). */
int edudma_fd(const struct edudma_dev *dev);

int edudma_get_info(struct edudma_dev *dev, struct edudma_device_info *info);
int edudma_get_stats(struct edudma_dev *dev, struct edudma_stats *stats);

/* ---- memory registration ------------------------------------------------ */

/* access: EDUDMA_ACCESS_DEV_READ and/or EDUDMA_ACCESS_DEV_WRITE, and
 * EDUDMA_REG_ON_DEMAND for a registration that pins nothing, or
 * EDUDMA_REG_NO_STALE for a pinned one the driver does not watch. */
int edudma_reg_mr(struct edudma_dev *dev, void *addr, size_t length,
		  unsigned int access, struct edudma_mr **mr);
/* -EBUSY while transfers on it are queued or running; mr stays valid.
 * -EINVAL for a registration of the cache (edudma_mr_get()). */
int edudma_dereg_mr(struct edudma_mr *mr);

uint32_t edudma_mr_handle(const struct edudma_mr *mr);
void *edudma_mr_addr(const struct edudma_mr *mr);
size_t edudma_mr_length(const struct edudma_mr *mr);
unsigned int edudma_mr_segments(const struct edudma_mr *mr);
/* 1 when mr was registered with EDUDMA_REG_ON_DEMAND, else 0. */
int edudma_mr_on_demand(const struct edudma_mr *mr);
/* Faults [offset, +length) of an on-demand mr in ahead; flags 0 or
 * EDUDMA_PREFETCH_WRITE.  *bytes (if not NULL): how much is mapped. */
int edudma_prefetch(struct edudma_mr *mr, uint64_t offset, size_t length,
		    unsigned int flags, uint64_t *bytes);

/* ---- stale registrations and the registration cache --------------------- */

/* Hands out up to max (may be 0) events of stale registrations, never
 * waiting, and applies them to the library (and its cache); returns how
 * many or -errno.  *pending (if not NULL): how many are still queued. */
int edudma_get_events(struct edudma_dev *dev, struct edudma_event *events,
		      unsigned int max, unsigned int *pending);

/* A referenced registration from dev's cache covering [addr, +length) with
 * at least access (EDUDMA_ACCESS_DEV_READ and/or _WRITE), registered on a
 * miss; never a stale one.  Give it back with edudma_mr_put(). */
int edudma_mr_get(struct edudma_dev *dev, void *addr, size_t length,
		  unsigned int access, struct edudma_mr **mr);
/* Drops the reference; the entry stays cached until evicted. */
void edudma_mr_put(struct edudma_mr *mr);
/* Bounds dev's cache (default 1 GiB, 256 entries; evicts at once); 0 for
 * both disables it. */
int edudma_cache_set_limits(struct edudma_dev *dev, size_t max_bytes,
			    unsigned int max_entries);
/* Deregisters every unused entry; the others go at their last put. */
int edudma_cache_flush(struct edudma_dev *dev);

/* What the cache of a device did, and holds now. */
struct edudma_cache_stats {
	uint64_t hits;		/* gets served by an entry */
	uint64_t misses;	/* gets that registered */
	uint64_t evictions;	/* unused entries deregistered for the limits */
	uint64_t stale;		/* entries dropped for a STALE event */
	uint64_t lost;		/* LOST records seen (each flushed the cache) */
	uint64_t flushes;	/* edudma_cache_flush(), edudma_forget_cached() */
	uint64_t entries;	/* entries in the cache now (in use or not) */
	uint64_t bytes;		/* and the bytes they cover */
};

int edudma_cache_stats(struct edudma_dev *dev, struct edudma_cache_stats *st);

/* ---- synchronous transfers ---------------------------------------------- */

/* Registered memory [offset, +length) -> device buffer [dev_offset, +length). */
int edudma_write_dev(struct edudma_mr *mr, uint64_t offset,
		     uint32_t dev_offset, size_t length);
/* Device buffer [dev_offset, +length) -> registered memory [offset, +length). */
int edudma_read_dev(struct edudma_mr *mr, uint64_t offset,
		    uint32_t dev_offset, size_t length);
/* Registered src -> registered dst (same device), any length. */
int edudma_copy(struct edudma_mr *src, uint64_t src_offset,
		struct edudma_mr *dst, uint64_t dst_offset, size_t length);

/* One-shot: plain pointers, pinned only for the call. */
int edudma_write_dev_ptr(struct edudma_dev *dev, const void *src,
			 uint32_t dev_offset, size_t length);
int edudma_read_dev_ptr(struct edudma_dev *dev, void *dst,
			uint32_t dev_offset, size_t length);
int edudma_copy_ptr(struct edudma_dev *dev, void *dst, const void *src,
		    size_t length);

/* ---- asynchronous transfers --------------------------------------------- */

/* Queue a transfer; its completion carries cookie. -EAGAIN when the
 * driver's max_inflight completions are waiting to be read. */
int edudma_submit_write_dev(struct edudma_mr *mr, uint64_t offset,
			    uint32_t dev_offset, size_t length,
			    uint64_t cookie);
int edudma_submit_read_dev(struct edudma_mr *mr, uint64_t offset,
			   uint32_t dev_offset, size_t length,
			   uint64_t cookie);
int edudma_submit_copy(struct edudma_mr *src, uint64_t src_offset,
		       struct edudma_mr *dst, uint64_t dst_offset,
		       size_t length, uint64_t cookie);

/* Reads up to max completion records; waits up to timeout_ms for the first
 * (0: do not wait, -1: wait for ever).  Returns how many (0 on timeout). */
int edudma_get_completions(struct edudma_dev *dev,
			   struct edudma_completion *comps, unsigned int max,
			   int timeout_ms);

/* Signal eventfd efd for every completion; -1 detaches. */
int edudma_set_eventfd(struct edudma_dev *dev, int efd);

/* ---- the device's factorial --------------------------------------------- */

int edudma_factorial(struct edudma_dev *dev, uint32_t n, uint32_t *result);

/* ---- higher level ------------------------------------------------------- */

/* What edudma_copy_striped() did on one device. */
struct edudma_stripe_result {
	unsigned int minor;	/* the device */
	int status;		/* 0 or the first -errno on that device */
	uint64_t bytes;		/* bytes copied by that device */
	uint64_t transfers;	/* transfers it ran */
};

/*
 * Copies length bytes from src to dst through all ndevs devices in
 * parallel: each device gets an equal share, cut into async COPYs.  src
 * and dst come from the registration cache of a second file of each
 * device (edudma_mr_get()), so a later call on the same buffers does not
 * pin again; with EDUDMA_STRIPE_NO_CACHE they are registered for the call
 * and deregistered after it.  results[] (ndevs entries, may be NULL) tells
 * what each device did.  Returns 0 when every byte was copied, else the
 * first -errno (-ESTALE: memory unmapped during the call); every device's
 * failure is in results[].
 */
#define EDUDMA_STRIPE_CACHE	(1U << 0)	/* no effect: the default */
#define EDUDMA_STRIPE_NO_CACHE	(1U << 1)	/* register for the call only */

int edudma_copy_striped(struct edudma_dev **devs, unsigned int ndevs,
			void *dst, const void *src, size_t length,
			unsigned int flags,
			struct edudma_stripe_result *results);

/* Flushes the cache edudma_copy_striped() uses on dev's second file. */
void edudma_forget_cached(struct edudma_dev *dev);

#ifdef __cplusplus
}
#endif

#endif /* LIBEDUDMA_H */
