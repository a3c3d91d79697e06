/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest tests: opening devices, the ioctls as
 * "return 0 or the errno" calls, a seeded PRNG for sizes, offsets and data
 * patterns, the pin counters of /proc/vmstat, module parameters, the
 * device statistics, and reporting cases from a forked child.
 *
 * Convention: every et_*() call that wraps an ioctl returns 0 on success
 * and the positive errno on failure, so that a case reads
 *	e = et_dereg(fd, h);
 *	tap_ok(e == ENOENT, "... -> ENOENT (%s)", tap_errname(e));
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
#include "tap.h"
#include "lab.h"

#define ET_PAGE		4096UL
#define ET_MAX_XFER	4095U		/* usable bytes of the device buffer */
#define ET_PARAM_DIR	"/sys/module/edudma/parameters"

/* ---- the seeded generator of this test (common/edudma_rand.h) ---------- */

static uint64_t et_seed_value;
static uint64_t et_rng;

static inline uint64_t et_rand(void)
{
	return ed_rand(&et_rng);
}

/* A number in [lo, hi], both included. */
static inline uint64_t et_range(uint64_t lo, uint64_t hi)
{
	return ed_rand_range(&et_rng, lo, hi);
}

/*
 * Seeds the PRNG from $EDUDMA_SEED, or from the clock, and prints the seed
 * as a TAP diagnostic (call it after tap_plan()).
 */
static inline void et_seed_init(void)
{
	const char *s = getenv("EDUDMA_SEED");
	struct timespec ts;

	if (s && *s) {
		et_seed_value = strtoull(s, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		et_seed_value = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
				((uint64_t)getpid() << 40);
	}
	et_rng = et_seed_value;
	tap_diag("seed %" PRIu64 " (EDUDMA_SEED=%" PRIu64 " repeats this run)",
		 et_seed_value, et_seed_value);
}

/* Fills buf with bytes of the generator. */
static inline void et_fill(void *buf, size_t len)
{
	ed_rand_fill(&et_rng, buf, len);
}

/* Offset of the first byte that differs, or -1 when equal. */
static inline long et_diff(const void *got, const void *want, size_t len)
{
	const unsigned char *g = got, *w = want;
	size_t i;

	if (!memcmp(got, want, len))
		return -1;
	for (i = 0; i < len; i++)
		if (g[i] != w[i])
			return (long)i;
	return -1;
}

/* ---- memory ------------------------------------------------------------- */

/* Anonymous private memory of len bytes aligned to align (a power of 2). */
static inline void *et_map_aligned(size_t len, size_t align)
{
	size_t span = len + align;
	char *p, *q;

	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	q = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (q > p)
		munmap(p, q - p);
	if (q + len < p + span)
		munmap(q + len, p + span - (q + len));
	return q;
}

static inline void *et_map(size_t len)
{
	return et_map_aligned(len, ET_PAGE);
}

/* Pages that [addr, addr + len) touches. */
static inline uint64_t et_pages_spanned(uintptr_t addr, uint64_t len)
{
	return (addr + len - 1) / ET_PAGE - addr / ET_PAGE + 1;
}

/* ---- devices -------------------------------------------------------------- */

/* Path of the idx-th /dev/edudma* (in version order), or NULL. */
static inline const char *et_dev_path(int idx)
{
	static char paths[LAB_MAX_DEVICES][LAB_PATH];
	int n = lab_devices(paths);

	return idx < n ? paths[idx] : NULL;
}

static inline int et_ndevices(void)
{
	char paths[LAB_MAX_DEVICES][LAB_PATH];

	return lab_devices(paths);
}

/* Opens the idx-th device O_RDWR | extra; -1 with errno on failure. */
static inline int et_open(int idx, int extra)
{
	const char *p = et_dev_path(idx);

	if (!p) {
		errno = ENODEV;
		return -1;
	}
	return open(p, O_RDWR | O_CLOEXEC | extra);
}

/*
 * /dev/edudma0 opened O_RDWR; with no device the whole test is skipped.
 * Call it before tap_plan(): a skip prints its own plan.
 */
static inline int et_open_or_skip(void)
{
	int fd = et_open(0, 0);

	if (fd < 0)
		tap_skip_all("no /dev/edudma0");
	return fd;
}

static inline int et_ret(int r)
{
	return r < 0 ? errno : 0;
}

static inline int et_info(int fd, struct edudma_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return et_ret(ioctl(fd, EDUDMA_GET_INFO, info));
}

/* Registers; the handle and counts land in *out (which may be NULL). */
static inline int et_reg(int fd, const void *addr, uint64_t len, uint32_t flags,
			 struct edudma_reg_mr *out)
{
	struct edudma_reg_mr r = {
		.argsz = sizeof(r), .flags = flags,
		.addr = (uintptr_t)addr, .length = len,
	};
	int e = et_ret(ioctl(fd, EDUDMA_REG_MR, &r));

	if (out)
		*out = r;
	return e;
}

#define ET_RW (EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE)

/* Registers read-write; the handle lands in *h.  Returns 0 or the errno. */
static inline int et_reg_rw(int fd, const void *addr, uint64_t len,
			    uint32_t *h)
{
	struct edudma_reg_mr r;
	int e = et_reg(fd, addr, len, ET_RW, &r);

	*h = e ? 0 : r.handle;
	return e;
}

static inline int et_dereg(int fd, uint32_t handle)
{
	struct edudma_dereg_mr d = { .argsz = sizeof(d), .handle = handle };

	return et_ret(ioctl(fd, EDUDMA_DEREG_MR, &d));
}

static inline int et_xfer(int fd, struct edudma_xfer *x)
{
	if (!x->argsz)
		x->argsz = sizeof(*x);
	return et_ret(ioctl(fd, EDUDMA_XFER, x));
}

static inline int et_copy(int fd, uint32_t sh, uint64_t soff, uint32_t dh,
			  uint64_t doff, uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .length = len,
		.src_handle = sh, .src = soff, .dst_handle = dh, .dst = doff,
	};

	return et_xfer(fd, &x);
}

static inline int et_to_dev(int fd, uint32_t h, uint64_t off, uint32_t dev_off,
			    uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV, .length = len, .dev_offset = dev_off,
		.src_handle = h, .src = off,
	};

	return et_xfer(fd, &x);
}

static inline int et_from_dev(int fd, uint32_t h, uint64_t off,
			      uint32_t dev_off, uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_FROM_DEV, .length = len, .dev_offset = dev_off,
		.dst_handle = h, .dst = off,
	};

	return et_xfer(fd, &x);
}

/* One-shot variants: plain user pointers, nothing registered. */
static inline int et_to_dev_ptr(int fd, const void *src, uint32_t dev_off,
				uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_SRC_PTR,
		.length = len, .dev_offset = dev_off, .src = (uintptr_t)src,
	};

	return et_xfer(fd, &x);
}

static inline int et_from_dev_ptr(int fd, void *dst, uint32_t dev_off,
				  uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_FROM_DEV, .flags = EDUDMA_XFER_DST_PTR,
		.length = len, .dev_offset = dev_off, .dst = (uintptr_t)dst,
	};

	return et_xfer(fd, &x);
}

static inline int et_copy_ptr(int fd, const void *src, void *dst, uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY,
		.flags = EDUDMA_XFER_SRC_PTR | EDUDMA_XFER_DST_PTR,
		.length = len, .src = (uintptr_t)src, .dst = (uintptr_t)dst,
	};

	return et_xfer(fd, &x);
}

static inline int et_stats(int fd, struct edudma_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->argsz = sizeof(*st);
	return et_ret(ioctl(fd, EDUDMA_GET_STATS, st));
}

static inline int et_factorial(int fd, uint32_t n, uint32_t *result)
{
	struct edudma_factorial f = { .argsz = sizeof(f), .n = n };
	int e = et_ret(ioctl(fd, EDUDMA_FACTORIAL, &f));

	*result = f.result;
	return e;
}

static inline int et_set_eventfd(int fd, int efd)
{
	struct edudma_eventfd ev = { .argsz = sizeof(ev), .fd = efd };

	return et_ret(ioctl(fd, EDUDMA_SET_EVENTFD, &ev));
}

/*
 * Waits until cnt completions were read from fd (blocking reads of up to 16
 * records); stores them in out.  Returns 0, or the errno of a failed read;
 * *got is how many arrived.
 */
static inline int et_read_completions(int fd, struct edudma_completion *out,
				      int cnt, int *got)
{
	struct edudma_completion buf[16];
	ssize_t r;
	int i, want;

	*got = 0;
	while (*got < cnt) {
		want = cnt - *got < 16 ? cnt - *got : 16;
		r = read(fd, buf, want * sizeof(buf[0]));
		if (r < 0)
			return errno;
		if (r == 0 || r % sizeof(buf[0]))
			return EIO;
		for (i = 0; i < (int)(r / sizeof(buf[0])); i++)
			out[(*got)++] = buf[i];
	}
	return 0;
}

#include "et_kernel.h"	/* pin counters, pagemap, the floor, kernel log, parameters */

/* ---- a self-contained data check ------------------------------------------ */

/*
 * Registers two fresh buffers on fd, COPYs len bytes between random offsets
 * and verifies them (and the bytes around the destination).  Returns 1 when
 * everything was right; otherwise 0 with the reason in why.
 */
static inline int et_copy_check(int fd, size_t len, char *why, size_t whylen)
{
	size_t size = len + 2 * ET_PAGE;
	uint64_t so = et_range(0, ET_PAGE), dof = et_range(0, ET_PAGE);
	unsigned char *src, *dst, *want;
	uint32_t sh, dh;
	long bad;
	int e, ok = 0;

	src = et_map(size);
	dst = et_map(size);
	want = malloc(size);
	if (!src || !dst || !want) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	et_fill(src, size);
	et_fill(dst, size);
	memcpy(want, dst, size);
	memcpy(want + dof, src + so, len);
	e = et_reg_rw(fd, src, size, &sh);
	if (e) {
		snprintf(why, whylen, "REG_MR src: %s", strerror(e));
		goto out;
	}
	e = et_reg_rw(fd, dst, size, &dh);
	if (e) {
		snprintf(why, whylen, "REG_MR dst: %s", strerror(e));
		et_dereg(fd, sh);
		goto out;
	}
	e = et_copy(fd, sh, so, dh, dof, len);
	if (e) {
		snprintf(why, whylen, "COPY %zu bytes: %s", len, strerror(e));
	} else if ((bad = et_diff(dst, want, size)) >= 0) {
		snprintf(why, whylen,
			 "COPY %zu bytes %#" PRIx64 "->%#" PRIx64
			 ": byte %ld is 0x%02x, not 0x%02x", len, so, dof,
			 bad, dst[bad], want[bad]);
	} else {
		snprintf(why, whylen, "COPY %zu bytes verified", len);
		ok = 1;
	}
	if (et_dereg(fd, dh) || et_dereg(fd, sh)) {
		snprintf(why, whylen, "DEREG_MR failed");
		ok = 0;
	}
out:
	if (src)
		munmap(src, size);
	if (dst)
		munmap(dst, size);
	free(want);
	return ok;
}

/* ---- cases reported by a forked child --------------------------------------- */

static int et_report_fd = -1;

/* In a child: one case, sent to the parent, which numbers and prints it. */
static inline int et_report(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int et_report(int cond, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%d ", !!cond);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	strcat(line, "\n");
	if (write(et_report_fd, line, strlen(line)) < 0) {
		/* the parent counts the missing cases */
	}
	return cond;
}

/*
 * In the parent: prints the cases the child sends on rfd (until EOF) as
 * TAP, then as many failing cases as are missing to reach n.  Returns how
 * many cases the child sent.
 */
static inline int et_collect(int rfd, int n, const char *who)
{
	char line[600];
	FILE *f = fdopen(rfd, "r");
	int k = 0;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (k < n)
			tap_ok(line[0] == '1', "%s", line + 2);
		else
			tap_diag("extra case from %s: %s", who, line);
		k++;
	}
	if (f)
		fclose(f);
	for (int i = k; i < n; i++)
		tap_ok(0, "%s: case %d not reported (the child died early)",
		       who, i + 1);
	return k;
}

/* "EINVAL", "ENOENT", ...: the name an errno has in the uAPI's docs. */
static inline const char *et_errno_name(int e)
{
	static __thread char buf[32];

	switch (e) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case ERANGE: return "ERANGE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECANCELED: return "ECANCELED";
	case EPROTO: return "EPROTO";
	default:
		snprintf(buf, sizeof(buf), "errno %d", e);
		return buf;
	}
}

static inline int et_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* A /dev/edudmaN other than /dev/edudma0, or "" (a re-plugged device). */
static inline const char *et_other_device(void)
{
	static char found[LAB_PATH];
	char paths[LAB_MAX_DEVICES][LAB_PATH];
	int n = lab_devices(paths);

	found[0] = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(paths[i], "/dev/edudma0")) {
			memcpy(found, paths[i], LAB_PATH);
			break;
		}
	return found;
}

/*
 * Registers two 64 KiB buffers on fd and runs rounds COPYs of 1 to maxlen
 * bytes between offsets drawn from seed, verifying the whole destination
 * after each.  Safe in threads (its own generator, not et_rand()).
 * Returns how many COPYs were right; why names the first failure, or says
 * "verified".  The registrations are released before it returns.
 */
static inline int et_copy_rounds(int fd, int rounds, size_t maxlen,
				 uint64_t seed, char *why, size_t whylen)
{
	const size_t size = 64 * 1024;
	unsigned char *a = et_map(size), *b = et_map(size), *want = malloc(size);
	uint64_t s = seed;
	uint32_t ha, hb;
	int good = 0, e;

	snprintf(why, whylen, "verified");
	if (!a || !b || !want) {
		snprintf(why, whylen, "set-up: out of memory");
		goto out;
	}
	if (et_reg_rw(fd, a, size, &ha)) {
		snprintf(why, whylen, "set-up: %s", strerror(errno));
		goto out;
	}
	if (et_reg_rw(fd, b, size, &hb)) {
		snprintf(why, whylen, "set-up: %s", strerror(errno));
		et_dereg(fd, ha);
		goto out;
	}
	ed_rand_fill(&s, a, size);
	ed_rand_fill(&s, b, size);
	for (int k = 0; k < rounds && good == k; k++) {
		size_t len, so, dof;
		long bad;

		len = ed_rand_range(&s, 1, maxlen);
		so = ed_rand_range(&s, 0, size - len - 1);
		dof = ed_rand_range(&s, 0, size - len - 1);
		memcpy(want, b, size);
		memcpy(want + dof, a + so, len);
		e = et_copy(fd, ha, so, hb, dof, len);
		bad = e ? -1 : et_diff(b, want, size);
		if (e || bad >= 0)
			snprintf(why, whylen,
				 "COPY %zu bytes +%zu -> +%zu: %s, first bad byte %ld",
				 len, so, dof, tap_errname(e), bad);
		else
			good++;
	}
	et_dereg(fd, ha);
	et_dereg(fd, hb);
out:
	if (a)
		munmap(a, size);
	if (b)
		munmap(b, size);
	free(want);
	return good;
}

/* "exited 0", "killed by signal 9", ... */
static inline const char *et_status_str(int status)
{
	static char buf[64];

	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d",
			 WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "status %#x", status);
	return buf;
}

#endif /* EDUDMA_TEST_H */
