/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest tests, which are written on the harness of
 * et_harness.h: opening devices, the ioctls as "return 0 or the errno"
 * calls, the case's seeded PRNG for sizes, offsets and data patterns, the
 * pin counters of /proc/vmstat, module parameters and the device
 * statistics.
 *
 * Convention: every et_*() call that wraps an ioctl returns 0 on success
 * and the positive errno on failure, so that a case reads
 *	ET_EXPECT_ERRNO(et_dereg(fd, h), ENOENT, "DEREG_MR of a stale handle");
 */
#ifndef EDUDMA_TEST_H
#define EDUDMA_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <regex.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/edudma.h>

#include "edudma_bench.h"

#include "edudma_rand.h"
#include "et_harness.h"
#include "lab.h"

#define ET_PAGE		4096UL
/*
 * Bytes of the device buffer every QEMU lets a DMA use (4095); QEMU 9.1
 * and later let it use all 4096: et_max_transfer() is the device's own.
 */
#define ET_MAX_XFER	4095U
#define ET_PARAM_DIR	"/sys/module/edudma/parameters"

/* ---- the case's seeded generator (common/edudma_rand.h) ------------------ */

/* Seeded by the runner for each case from the run's seed and its name. */
extern uint64_t et_seed_value;
extern uint64_t et_rng;

uint64_t et_rand(void);

/* A number in [lo, hi], both included. */
uint64_t et_range(uint64_t lo, uint64_t hi);

/* Fills buf with bytes of the generator. */
void et_fill(void *buf, size_t len);

/* Offset of the first byte that differs, or -1 when equal. */
long et_diff(const void *got, const void *want, size_t len);

/* ---- memory ------------------------------------------------------------- */

/* Anonymous private memory of len bytes aligned to align (a power of 2). */
void *et_map_aligned(size_t len, size_t align);

void *et_map(size_t len);

/* Pages that [addr, addr + len) touches. */
uint64_t et_pages_spanned(uintptr_t addr, uint64_t len);

/* ---- devices -------------------------------------------------------------- */

/* Path of the idx-th /dev/edudma* (in version order), or NULL. */
const char *et_dev_path(int idx);

int et_ndevices(void);

/* GET_INFO's max_transfer of /dev/edudma0 (ET_MAX_XFER when unreadable). */
uint32_t et_max_transfer(void);

/* Opens the idx-th device O_RDWR | extra; -1 with errno on failure. */
int et_open(int idx, int extra);

/* For ET_PRECONDITION(): without /dev/edudma0 the whole program skips. */
const char *et_need_device(void);

int et_ret(int r);

int et_info(int fd, struct edudma_device_info *info);

/* Registers; the handle and counts land in *out (which may be NULL). */
int et_reg(int fd, const void *addr, uint64_t len, uint32_t flags,
	   struct edudma_reg_mr *out);

#define ET_RW (EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE)

/* Registers read-write; the handle lands in *h.  Returns 0 or the errno. */
int et_reg_rw(int fd, const void *addr, uint64_t len,
	      uint32_t *h);

int et_dereg(int fd, uint32_t handle);

int et_xfer(int fd, struct edudma_xfer *x);

int et_copy(int fd, uint32_t sh, uint64_t soff, uint32_t dh,
	    uint64_t doff, uint64_t len);

int et_to_dev(int fd, uint32_t h, uint64_t off, uint32_t dev_off,
	      uint64_t len);

int et_from_dev(int fd, uint32_t h, uint64_t off,
		uint32_t dev_off, uint64_t len);

/* One-shot variants: plain user pointers, nothing registered. */
int et_to_dev_ptr(int fd, const void *src, uint32_t dev_off,
		  uint64_t len);

int et_from_dev_ptr(int fd, void *dst, uint32_t dev_off,
		    uint64_t len);

int et_copy_ptr(int fd, const void *src, void *dst, uint64_t len);

int et_stats(int fd, struct edudma_stats *st);

int et_factorial(int fd, uint32_t n, uint32_t *result);

int et_set_eventfd(int fd, int efd);

/*
 * Waits until cnt completions were read from fd (blocking reads of up to 16
 * records); stores them in out.  Returns 0, or the errno of a failed read;
 * *got is how many arrived.
 */
int et_read_completions(int fd, struct edudma_completion *out,
			int cnt, int *got);

#include "et_kernel.h"	/* pin counters, pagemap, the floor, kernel log, parameters */
#include "et_mem.h"	/* THP, hugetlbfs pages, smaps */

/* ---- a self-contained data check ------------------------------------------ */

/*
 * Registers two fresh buffers on fd, COPYs len bytes between random offsets
 * and verifies them (and the bytes around the destination).  Returns 1 when
 * everything was right; otherwise 0 with the reason in why.
 */
int et_copy_check(int fd, size_t len, char *why, size_t whylen);

int et_exists(const char *path);

/* A /dev/edudmaN other than /dev/edudma0, or "" (a re-plugged device). */
const char *et_other_device(void);

/*
 * Registers two 64 KiB buffers on fd and runs rounds COPYs of 1 to maxlen
 * bytes between offsets drawn from seed, verifying the whole destination
 * after each.  Safe in threads (its own generator, not et_rand()).
 * Returns how many COPYs were right; why names the first failure, or says
 * "verified".  The registrations are released before it returns.
 */
int et_copy_rounds(int fd, int rounds, size_t maxlen,
		   uint64_t seed, char *why, size_t whylen);

/*
 * A COPY check (et_copy_check() of 10000 bytes) on a file of its own on
 * every device, each an ET_EXPECT whose message names the device and
 * when ("after the rows").
 */
void et_expect_copy_every_device(const char *when);

/* "exited 0", "killed by signal 9", ... */
const char *et_status_str(int status);

#endif /* EDUDMA_TEST_H */
