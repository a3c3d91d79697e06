// SPDX-License-Identifier: GPL-2.0
/*
 * et_lib.c: the guest tests' helpers (edudma_test.h says what each
 * function does), compiled once into libet.a.
 */
#include "edudma_test.h"

uint64_t et_rand(void)
{
	return ed_rand(&et_rng);
}

uint64_t et_range(uint64_t lo, uint64_t hi)
{
	return ed_rand_range(&et_rng, lo, hi);
}

void et_fill(void *buf, size_t len)
{
	ed_rand_fill(&et_rng, buf, len);
}

long et_diff(const void *got, const void *want, size_t len)
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

void *et_map_aligned(size_t len, size_t align)
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

void *et_map(size_t len)
{
	return et_map_aligned(len, ET_PAGE);
}

uint64_t et_pages_spanned(uintptr_t addr, uint64_t len)
{
	return (addr + len - 1) / ET_PAGE - addr / ET_PAGE + 1;
}

const char *et_dev_path(int idx)
{
	static char paths[LAB_MAX_DEVICES][LAB_PATH];
	int n = lab_devices(paths);

	return idx < n ? paths[idx] : NULL;
}

int et_ndevices(void)
{
	char paths[LAB_MAX_DEVICES][LAB_PATH];

	return lab_devices(paths);
}

int et_open(int idx, int extra)
{
	const char *p = et_dev_path(idx);

	if (!p) {
		errno = ENODEV;
		return -1;
	}
	return open(p, O_RDWR | O_CLOEXEC | extra);
}

const char *et_need_device(void)
{
	return et_dev_path(0) ? NULL : "no /dev/edudma0 in this guest";
}

int et_ret(int r)
{
	return r < 0 ? errno : 0;
}

int et_info(int fd, struct edudma_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return et_ret(ioctl(fd, EDUDMA_GET_INFO, info));
}

int et_reg(int fd, const void *addr, uint64_t len, uint32_t flags,
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

int et_reg_rw(int fd, const void *addr, uint64_t len,
	      uint32_t *h)
{
	struct edudma_reg_mr r;
	int e = et_reg(fd, addr, len, ET_RW, &r);

	*h = e ? 0 : r.handle;
	return e;
}

int et_dereg(int fd, uint32_t handle)
{
	struct edudma_dereg_mr d = { .argsz = sizeof(d), .handle = handle };

	return et_ret(ioctl(fd, EDUDMA_DEREG_MR, &d));
}

int et_xfer(int fd, struct edudma_xfer *x)
{
	if (!x->argsz)
		x->argsz = sizeof(*x);
	return et_ret(ioctl(fd, EDUDMA_XFER, x));
}

int et_copy(int fd, uint32_t sh, uint64_t soff, uint32_t dh,
	    uint64_t doff, uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY, .length = len,
		.src_handle = sh, .src = soff, .dst_handle = dh, .dst = doff,
	};

	return et_xfer(fd, &x);
}

int et_to_dev(int fd, uint32_t h, uint64_t off, uint32_t dev_off,
	      uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV, .length = len, .dev_offset = dev_off,
		.src_handle = h, .src = off,
	};

	return et_xfer(fd, &x);
}

int et_from_dev(int fd, uint32_t h, uint64_t off,
		uint32_t dev_off, uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_FROM_DEV, .length = len, .dev_offset = dev_off,
		.dst_handle = h, .dst = off,
	};

	return et_xfer(fd, &x);
}

int et_to_dev_ptr(int fd, const void *src, uint32_t dev_off,
		  uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_SRC_PTR,
		.length = len, .dev_offset = dev_off, .src = (uintptr_t)src,
	};

	return et_xfer(fd, &x);
}

int et_from_dev_ptr(int fd, void *dst, uint32_t dev_off,
		    uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_FROM_DEV, .flags = EDUDMA_XFER_DST_PTR,
		.length = len, .dev_offset = dev_off, .dst = (uintptr_t)dst,
	};

	return et_xfer(fd, &x);
}

int et_copy_ptr(int fd, const void *src, void *dst, uint64_t len)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_COPY,
		.flags = EDUDMA_XFER_SRC_PTR | EDUDMA_XFER_DST_PTR,
		.length = len, .src = (uintptr_t)src, .dst = (uintptr_t)dst,
	};

	return et_xfer(fd, &x);
}

int et_stats(int fd, struct edudma_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->argsz = sizeof(*st);
	return et_ret(ioctl(fd, EDUDMA_GET_STATS, st));
}

int et_factorial(int fd, uint32_t n, uint32_t *result)
{
	struct edudma_factorial f = { .argsz = sizeof(f), .n = n };
	int e = et_ret(ioctl(fd, EDUDMA_FACTORIAL, &f));

	*result = f.result;
	return e;
}

int et_set_eventfd(int fd, int efd)
{
	struct edudma_eventfd ev = { .argsz = sizeof(ev), .fd = efd };

	return et_ret(ioctl(fd, EDUDMA_SET_EVENTFD, &ev));
}

int et_read_completions(int fd, struct edudma_completion *out,
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

int et_copy_check(int fd, size_t len, char *why, size_t whylen)
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

int et_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

const char *et_other_device(void)
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

int et_copy_rounds(int fd, int rounds, size_t maxlen,
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
				 len, so, dof, et_errno_name(e), bad);
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

const char *et_status_str(int status)
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

void et_expect_copy_every_device(const char *when)
{
	int ndev = et_ndevices();

	for (int i = 0; i < ndev; i++) {
		char why[200];
		int f = et_open(i, 0);

		ET_EXPECT(f >= 0 && et_copy_check(f, 10000, why, sizeof(why)),
			  "data check on %s %s: %s", et_dev_path(i), when,
			  f < 0 ? strerror(errno) : why);
		if (f >= 0)
			close(f);
	}
}

uint32_t et_max_transfer(void)
{
	static uint32_t max;
	struct edudma_device_info info;
	int fd;

	if (max)
		return max;
	fd = et_open(0, 0);
	max = fd >= 0 && !et_info(fd, &info) ? info.max_transfer : ET_MAX_XFER;
	if (fd >= 0)
		close(fd);
	return max;
}
