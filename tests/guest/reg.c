// SPDX-License-Identifier: GPL-2.0
/*
 * reg: EDUDMA_REG_MR and EDUDMA_DEREG_MR.  4 KiB, THP and hugetlbfs
 * backing, any alignment, the page count, access checks against the
 * mapping, argument errors, handles and files, the statistics, and the
 * FOLL_PIN counters coming back after deregistration, close and exit.
 */
#include "edudma_test.h"

#define PLAN 46

static int fd, fd2;
static long long pin_base;

static int stats_now(struct edudma_stats *st)
{
	return et_stats(fd, st) == 0;
}

static void case_4k(void)
{
	struct edudma_stats s0, s1, s2;
	struct edudma_reg_mr r;
	size_t len = 64 * 1024;
	char *buf = et_map(len);
	int e;

	et_fill(buf, len);
	stats_now(&s0);
	e = et_reg(fd, buf, len, ET_RW, &r);
	tap_ok(e == 0, "4K pages: 64 KiB registers (%s)", tap_errname(e));
	tap_ok(!e && r.nr_pages == 16 && r.nr_segments >= 1 &&
	       r.nr_segments <= 16,
	       "4K pages: nr_pages %llu (16), nr_segments %u (1..16)",
	       (unsigned long long)r.nr_pages, r.nr_segments);
	tap_ok(!e && r.argsz == sizeof(r) && r.flags == ET_RW &&
	       r.addr == (uintptr_t)buf && r.length == len,
	       "4K pages: argsz, flags, addr and length are left as given");
	stats_now(&s1);
	tap_ok(s1.regions == s0.regions + 1 &&
	       s1.pinned_pages == s0.pinned_pages + 16 &&
	       s1.reg_total == s0.reg_total + 1,
	       "stats: regions +%lld, pinned_pages +%lld, reg_total +%lld (1, 16, 1)",
	       (long long)(s1.regions - s0.regions),
	       (long long)(s1.pinned_pages - s0.pinned_pages),
	       (long long)(s1.reg_total - s0.reg_total));
	tap_ok(et_pins() == pin_base + 16, "pin counter +%lld while registered (16)",
	       et_pins() - pin_base);
	e = et_dereg(fd, r.handle);
	tap_ok(e == 0, "DEREG_MR succeeds (%s)", tap_errname(e));
	stats_now(&s2);
	tap_ok(s2.regions == s0.regions && s2.pinned_pages == s0.pinned_pages &&
	       s2.reg_total == s1.reg_total,
	       "stats after dereg: regions %llu, pinned_pages %llu back, reg_total stays",
	       (unsigned long long)s2.regions,
	       (unsigned long long)s2.pinned_pages);
	tap_ok(et_pins_settle(pin_base, 2000) == pin_base,
	       "pin counter back to the baseline after dereg");
	e = et_dereg(fd, r.handle);
	tap_ok(e == ENOENT, "second DEREG_MR of the handle -> ENOENT (%s)",
	       tap_errname(e));
	munmap(buf, len);
}

static void case_alignment(void)
{
	static const struct { uint64_t off, len; } fixed[] = {
		{ 0, 1 }, { 4095, 1 }, { 4095, 2 }, { 1, 4096 }, { 0, 4096 },
		{ 17, 8192 }, { 4096 - 3, 4096 + 6 },
	};
	size_t size = 256 * 1024;
	char *buf = et_map(size);
	int bad = 0, i;
	char what[200] = "";

	et_fill(buf, size);
	for (i = 0; i < 7 + 16; i++) {
		uint64_t off, len, want;
		struct edudma_reg_mr r;
		int e, e2;

		if (i < 7) {
			off = fixed[i].off;
			len = fixed[i].len;
		} else {
			off = et_range(0, size - 1);
			len = et_range(1, size - off);
		}
		want = et_pages_spanned((uintptr_t)buf + off, len);
		e = et_reg(fd, buf + off, len, ET_RW, &r);
		e2 = e ? 0 : et_dereg(fd, r.handle);
		if (e || e2 || r.nr_pages != want) {
			if (!bad++)
				snprintf(what, sizeof(what),
					 "offset %llu length %llu: %s, nr_pages %llu (want %llu), dereg %s",
					 (unsigned long long)off,
					 (unsigned long long)len, tap_errname(e),
					 (unsigned long long)r.nr_pages,
					 (unsigned long long)want, tap_errname(e2));
		}
	}
	tap_ok(!bad, "any alignment: 23 registrations (7 edge cases, 16 random) have the right nr_pages%s%s",
	       bad ? "; first failure: " : "", what);
	tap_ok(et_pins_settle(pin_base, 2000) == pin_base,
	       "pin counter back to the baseline after those");
	munmap(buf, size);
}

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

/* The bracketed word of THP_ENABLED ("always", "madvise", "never"). */
static const char *thp_mode(void)
{
	static char mode[32];
	char buf[128] = "", *a, *b;
	FILE *f = fopen(THP_ENABLED, "r");

	if (!f)
		return "";
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return "";
	snprintf(mode, sizeof(mode), "%.*s", (int)(b - a - 1), a + 1);
	return mode;
}

static void thp_set(const char *mode)
{
	FILE *f = fopen(THP_ENABLED, "w");

	if (f) {
		fputs(mode, f);
		fclose(f);
	}
}

/* kB of AnonHugePages in the mapping that starts at addr. */
static long anon_huge_kb(void *addr)
{
	char line[256], want[64];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, ' ') &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = !strncmp(line, want, strlen(want));
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static void case_thp(void)
{
	size_t len = 4 << 20;
	struct edudma_reg_mr r;
	char *buf;
	long kb;
	int e;

	char old[32];

	snprintf(old, sizeof(old), "%s", thp_mode());
	if (!strcmp(old, "never"))
		thp_set("madvise");
	if (strcmp(thp_mode(), "always") && strcmp(thp_mode(), "madvise")) {
		tap_skip("transparent hugepages are off and cannot be turned on",
			 "THP: 4 MiB registers");
		tap_skip("transparent hugepages are off and cannot be turned on",
			 "THP: few segments");
		return;
	}
	buf = et_map_aligned(len, 2 << 20);
	madvise(buf, len, MADV_HUGEPAGE);
	et_fill(buf, len);
	kb = anon_huge_kb(buf);
	tap_diag("THP: AnonHugePages %ld kB of 4096", kb);
	e = et_reg(fd, buf, len, ET_RW, &r);
	tap_ok(e == 0 && r.nr_pages == 1024,
	       "THP: 4 MiB registers, nr_pages %llu (1024) (%s)",
	       (unsigned long long)r.nr_pages, tap_errname(e));
	if (kb < 4096)
		tap_skip("the kernel gave no huge pages", "THP: few segments");
	else
		tap_ok(!e && r.nr_segments >= 1 && r.nr_segments <= 64,
		       "THP: %u segments for 4 MiB of huge pages (at most 64, one per 64 KiB)",
		       r.nr_segments);
	if (!e)
		et_dereg(fd, r.handle);
	munmap(buf, len);
	if (strcmp(old, thp_mode()))
		thp_set(old);
}

static long read_long(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtol(buf, NULL, 10);
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return 0;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok;
}

static void case_hugetlb(void)
{
	const char *nr = "/proc/sys/vm/nr_hugepages";
	size_t len = 4 << 20, half = 2 << 20;
	struct edudma_reg_mr r;
	long old = read_long(nr), now;
	unsigned char *buf, *want;
	uint32_t h = 0;
	long bad;
	int e;

	if (old >= 0 && old < 8)
		write_long(nr, 8);
	now = read_long(nr);
	buf = now >= 2 ? mmap(NULL, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0)
		       : MAP_FAILED;
	if (buf == MAP_FAILED) {
		char why[100];

		snprintf(why, sizeof(why), "no hugetlbfs pages (nr_hugepages %ld)", now);
		tap_skip(why, "hugetlbfs: 4 MiB registers");
		tap_skip(why, "hugetlbfs: few segments");
		tap_skip(why, "hugetlbfs: COPY across the 2 MiB boundary");
		goto out;
	}
	et_fill(buf, len);
	e = et_reg(fd, buf, len, ET_RW, &r);
	tap_ok(e == 0 && r.nr_pages == 1024,
	       "hugetlbfs: 4 MiB registers, nr_pages %llu (1024) (%s)",
	       (unsigned long long)r.nr_pages, tap_errname(e));
	tap_ok(!e && r.nr_segments >= 1 && r.nr_segments <= 64,
	       "hugetlbfs: %u segments (at most 64)", r.nr_segments);
	h = e ? 0 : r.handle;
	/* 6000 bytes from just below the first huge page's end to far away */
	want = malloc(len);
	memcpy(want, buf, len);
	memcpy(want + 3 * half / 2 + 5, buf + half - 3000, 6000);
	e = h ? et_copy(fd, h, half - 3000, h, 3 * half / 2 + 5, 6000) : EBADF;
	bad = et_diff(buf, want, len);
	tap_ok(!e && bad < 0,
	       "hugetlbfs: COPY of 6000 bytes across the 2 MiB boundary (%s, first bad byte %ld)",
	       tap_errname(e), bad);
	free(want);
	if (h)
		et_dereg(fd, h);
	munmap(buf, len);
out:
	if (old >= 0 && now != old)
		write_long(nr, old);
}

static void case_access(void)
{
	size_t len = 16384;
	char *buf = et_map(len), *hole;
	int e;
	struct edudma_reg_mr r;

	et_fill(buf, len);
	mprotect(buf, len, PROT_READ);
	e = et_reg(fd, buf, len, EDUDMA_ACCESS_DEV_READ, &r);
	tap_ok(e == 0, "read-only mapping: DEV_READ registers (%s)", tap_errname(e));
	if (!e)
		et_dereg(fd, r.handle);
	e = et_reg(fd, buf, len, EDUDMA_ACCESS_DEV_WRITE, &r);
	tap_ok(e == EFAULT, "read-only mapping: DEV_WRITE -> EFAULT (%s)",
	       tap_errname(e));
	e = et_reg(fd, buf, len, ET_RW, &r);
	tap_ok(e == EFAULT, "read-only mapping: DEV_READ|DEV_WRITE -> EFAULT (%s)",
	       tap_errname(e));
	mprotect(buf, len, PROT_NONE);
	e = et_reg(fd, buf, len, EDUDMA_ACCESS_DEV_READ, &r);
	tap_ok(e == EFAULT, "PROT_NONE mapping: DEV_READ -> EFAULT (%s)",
	       tap_errname(e));
	munmap(buf, len);
	e = et_reg(fd, buf, len, EDUDMA_ACCESS_DEV_READ, &r);
	tap_ok(e == EFAULT, "unmapped range -> EFAULT (%s)", tap_errname(e));

	/* mapped, mapped, hole: the pages pinned before the hole go back */
	buf = et_map(3 * ET_PAGE);
	et_fill(buf, 2 * ET_PAGE);
	hole = buf + 2 * ET_PAGE;
	munmap(hole, ET_PAGE);
	e = et_reg(fd, buf + 100, 3 * ET_PAGE - 200, ET_RW, &r);
	tap_ok(e == EFAULT, "range that ends in a hole -> EFAULT (%s)",
	       tap_errname(e));
	tap_ok(et_pins_settle(pin_base, 2000) == pin_base,
	       "pages pinned before the hole were unpinned (pin counter %+lld)",
	       et_pins() - pin_base);
	munmap(buf, 2 * ET_PAGE);
}

static void case_args(void)
{
	char *buf = et_map(ET_PAGE);
	struct edudma_reg_mr r;
	struct { struct edudma_reg_mr r; uint64_t tail; } big;
	struct edudma_dereg_mr d;
	int e;

	et_fill(buf, ET_PAGE);
	e = et_reg(fd, buf, 0, ET_RW, &r);
	tap_ok(e == EINVAL, "length 0 -> EINVAL (%s)", tap_errname(e));
	e = et_reg(fd, (void *)(uintptr_t)(~0ULL - 100), 4096, ET_RW, &r);
	tap_ok(e == EINVAL, "addr + length overflows -> EINVAL (%s)",
	       tap_errname(e));
	e = et_reg(fd, buf, ET_PAGE, 0, &r);
	tap_ok(e == EINVAL, "no access flag -> EINVAL (%s)", tap_errname(e));
	e = et_reg(fd, buf, ET_PAGE, ET_RW | 4, &r);
	tap_ok(e == EINVAL, "unknown flag bit 2 -> EINVAL (%s)", tap_errname(e));
	e = et_reg(fd, buf, ET_PAGE, ET_RW | 0x80000000u, &r);
	tap_ok(e == EINVAL, "unknown flag bit 31 -> EINVAL (%s)", tap_errname(e));

	memset(&r, 0, sizeof(r));
	r.argsz = offsetof(struct edudma_reg_mr, nr_pages);
	r.flags = ET_RW;
	r.addr = (uintptr_t)buf;
	r.length = ET_PAGE;
	e = et_ret(ioctl(fd, EDUDMA_REG_MR, &r));
	tap_ok(e == EINVAL, "argsz smaller than the struct -> EINVAL (%s)",
	       tap_errname(e));

	memset(&big, 0, sizeof(big));
	big.r.argsz = sizeof(big);
	big.r.flags = ET_RW;
	big.r.addr = (uintptr_t)buf;
	big.r.length = ET_PAGE;
	e = et_ret(ioctl(fd, EDUDMA_REG_MR, &big));
	tap_ok(e == 0 && big.r.nr_pages == 1,
	       "larger argsz with a zero tail registers (%s)", tap_errname(e));
	if (!e)
		et_dereg(fd, big.r.handle);
	big.tail = 1;
	e = et_ret(ioctl(fd, EDUDMA_REG_MR, &big));
	tap_ok(e == EINVAL, "larger argsz with a non-zero tail -> EINVAL (%s)",
	       tap_errname(e));
	if (!e)
		et_dereg(fd, big.r.handle);

	e = et_dereg(fd, 0x7fffffff);
	tap_ok(e == ENOENT, "DEREG_MR of a handle never given -> ENOENT (%s)",
	       tap_errname(e));
	e = et_reg(fd, buf, ET_PAGE, ET_RW, &r);
	memset(&d, 0, sizeof(d));
	d.argsz = sizeof(d);
	d.handle = r.handle;
	d.flags = 1;
	tap_ok(et_ret(ioctl(fd, EDUDMA_DEREG_MR, &d)) == EINVAL,
	       "DEREG_MR with a flag -> EINVAL");
	d.flags = 0;
	d.reserved = 1;
	tap_ok(et_ret(ioctl(fd, EDUDMA_DEREG_MR, &d)) == EINVAL,
	       "DEREG_MR with reserved != 0 -> EINVAL");
	d.reserved = 0;
	d.argsz = offsetof(struct edudma_dereg_mr, handle);
	tap_ok(et_ret(ioctl(fd, EDUDMA_DEREG_MR, &d)) == EINVAL,
	       "DEREG_MR with argsz too small -> EINVAL");
	e = et_dereg(fd, r.handle);
	tap_ok(e == 0, "the handle survived those rejected calls (%s)",
	       tap_errname(e));
	munmap(buf, ET_PAGE);
}

static void case_handles(void)
{
	size_t len = 8192;
	char *buf = et_map(len);
	struct edudma_reg_mr a, b;
	int e, ea, eb;

	et_fill(buf, len);
	ea = et_reg(fd, buf, len, ET_RW, &a);
	eb = et_reg(fd, buf, len, EDUDMA_ACCESS_DEV_READ, &b);
	tap_ok(!ea && !eb && a.handle != b.handle,
	       "the same memory registers twice with distinct handles (%u, %u)",
	       a.handle, b.handle);
	e = et_dereg(fd2, a.handle);
	tap_ok(e == ENOENT, "DEREG_MR on another open file -> ENOENT (%s)",
	       tap_errname(e));
	e = et_dereg(fd, a.handle);
	tap_ok(e == 0, "... and the owner can still deregister it (%s)",
	       tap_errname(e));
	e = et_dereg(fd, b.handle);
	tap_ok(e == 0, "the second registration of the same memory is independent (%s)",
	       tap_errname(e));
	munmap(buf, len);
}

static void case_close_and_exit(void)
{
	struct edudma_stats s0, s1;
	size_t len = 4 << 20;
	char *buf = et_map_aligned(len, 2 << 20);
	int f, e = 0, status;
	pid_t pid;

	madvise(buf, len, MADV_HUGEPAGE);
	et_fill(buf, len);
	stats_now(&s0);
	f = et_open(0, 0);
	for (int i = 0; i < 3 && !e; i++)
		e = et_reg(f, buf + i * 4096 * 7, 65536 + i, ET_RW, NULL);
	if (!e)
		e = et_reg(f, buf, len, EDUDMA_ACCESS_DEV_READ, NULL);
	tap_ok(f >= 0 && !e, "a second file registers 4 regions (%s)",
	       tap_errname(e));
	close(f);
	stats_now(&s1);
	tap_ok(s1.regions == s0.regions && s1.pinned_pages == s0.pinned_pages,
	       "close without DEREG_MR: stats regions %llu, pinned_pages %llu (were %llu, %llu)",
	       (unsigned long long)s1.regions,
	       (unsigned long long)s1.pinned_pages,
	       (unsigned long long)s0.regions,
	       (unsigned long long)s0.pinned_pages);
	tap_ok(et_pins_settle(pin_base, 2000) == pin_base,
	       "close without DEREG_MR: pin counter back to the baseline (%+lld)",
	       et_pins() - pin_base);

	pid = fork();
	if (pid == 0) {
		int cf = et_open(0, 0);

		if (cf < 0)
			_exit(2);
		if (et_reg(cf, buf, len, ET_RW, NULL) ||
		    et_reg(cf, buf + 12345, 99999, EDUDMA_ACCESS_DEV_READ, NULL))
			_exit(3);
		_exit(0);	/* no DEREG_MR, no close */
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a child registers 4 MiB + 100 KB and exits without cleaning up (%s)",
	       et_status_str(status));
	stats_now(&s1);
	tap_ok(s1.regions == s0.regions && s1.pinned_pages == s0.pinned_pages &&
	       et_pins_settle(pin_base, 2000) == pin_base,
	       "exit without DEREG_MR: stats and pin counter back to the baseline (%+lld)",
	       et_pins() - pin_base);
	munmap(buf, len);
}

int main(void)
{
	if (et_ndevices() < 1)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(PLAN);
	et_seed_init();
	fd = et_open(0, 0);
	fd2 = et_open(0, 0);
	if (fd < 0 || fd2 < 0) {
		tap_diag("cannot open the device: %s", strerror(errno));
		tap_finish();
	}
	pin_base = et_pins();
	tap_diag("pin counter baseline %lld", pin_base);

	case_4k();		/* 9 */
	case_alignment();	/* 2 */
	case_thp();		/* 2 */
	case_hugetlb();		/* 3 */
	case_access();		/* 7 */
	case_args();		/* 13 */
	case_handles();		/* 4 */
	case_close_and_exit();	/* 5 */

	close(fd);
	close(fd2);
	tap_ok(et_pins_settle(pin_base, 2000) == pin_base,
	       "at the end the pin counter is at the baseline (%+lld)",
	       et_pins() - pin_base);
	tap_finish();
}
