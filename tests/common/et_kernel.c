// SPDX-License-Identifier: GPL-2.0
/*
 * et_kernel.c: what the guest tests read from and write to the kernel
 * beside the device (et_kernel.h says what each function does).
 */
#include <dirent.h>

#include "edudma_test.h"

int et_pin_counters(long long *acquired, long long *released)
{
	long long acq = -1, rel = -1, v;
	char name[64];
	FILE *f;
	int fd;

	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1\n", 2) < 0) {
			/* negative transient counters: the fold still happened */
		}
		close(fd);
	}
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1000000;
	while (fscanf(f, "%63s %lld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	if (acq < 0 || rel < 0)
		return -1;
	*acquired = acq;
	*released = rel;
	return 0;
}

long long et_pins(void)
{
	long long acq, rel;

	if (et_pin_counters(&acq, &rel))
		return -1000000;
	return acq - rel;
}

long long et_pins_acquired(void)
{
	long long acq, rel;

	return et_pin_counters(&acq, &rel) ? -1 : acq;
}

uint64_t et_pfn(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / ET_PAGE * sizeof(e)) !=
	    (ssize_t)sizeof(e))
		e = 0;
	close(fd);
	if (!(e & (1ULL << 63)))
		return 0;
	return e & ((1ULL << 55) - 1);
}

int et_bench_open(void)
{
	static int bfd = -1;

	if (bfd < 0)
		bfd = open(EDUDMA_BENCH_FILE, O_RDWR | O_CLOEXEC);
	return bfd;
}

int et_bench_pin(const void *addr, uint64_t len, uint32_t flags)
{
	struct edudma_bench_pin b = {
		.argsz = sizeof(b), .flags = flags,
		.addr = (uintptr_t)addr, .length = len,
	};
	int bfd = et_bench_open();

	if (bfd < 0)
		return errno;
	return et_ret(ioctl(bfd, EDUDMA_BENCH_PIN, &b));
}

long long et_pins_settle(long long base, int ms)
{
	long long v = et_pins();

	while (v != base && ms > 0) {
		usleep(10000);
		ms -= 10;
		v = et_pins();
	}
	return v;
}

int et_klog_bad(const char *msg)
{
	static regex_t re[ET_KLOG_MAX];
	static int n = -1;
	char line[256];
	FILE *f;

	if (n < 0) {
		f = fopen(ET_KLOG_BAD, "r");
		if (!f)
			return -1;
		n = 0;
		while (n < ET_KLOG_MAX && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			if (!line[0] || line[0] == '#')
				continue;
			if (!regcomp(&re[n], line, REG_EXTENDED | REG_NOSUB))
				n++;
		}
		fclose(f);
		if (!n) {
			n = -1;
			return -1;
		}
	}
	for (int i = 0; i < n; i++)
		if (!regexec(&re[i], msg, 0, NULL, 0))
			return 1;
	return 0;
}

int et_read_line(const char *path, char *buf, int len)
{
	FILE *f = fopen(path, "r");
	int e = 0;

	if (!f)
		return errno;
	if (!fgets(buf, len, f))
		e = EIO;
	fclose(f);
	return e;
}

int et_param_get(const char *name, long *val)
{
	char path[256], buf[64] = "";
	int e;

	snprintf(path, sizeof(path), ET_PARAM_DIR "/%s", name);
	e = et_read_line(path, buf, sizeof(buf));
	if (e)
		return e;
	if (buf[0] == 'Y' || buf[0] == 'N')
		*val = buf[0] == 'Y';
	else
		*val = strtol(buf, NULL, 0);
	return 0;
}

int et_param_set(const char *name, long val)
{
	char path[256], buf[32];
	int fd, n, e = 0;

	snprintf(path, sizeof(path), ET_PARAM_DIR "/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", val);
	if (write(fd, buf, n) != n)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

int et_sysfs_stat(unsigned int minor, const char *name,
		  uint64_t *val)
{
	char path[256], buf[64] = "";
	int e;

	snprintf(path, sizeof(path), "/sys/class/edudma/edudma%u/stats/%s",
		 minor, name);
	e = et_read_line(path, buf, sizeof(buf));
	if (e)
		return e;
	*val = strtoull(buf, NULL, 0);
	return 0;
}

long long et_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

long long et_proc_value(const char *path, const char *key, int base)
{
	size_t klen = strlen(key);
	long long v = -1;
	char line[256];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen)) {
			v = strtoll(line + klen, NULL, base);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

long et_file_long(const char *path)
{
	char buf[64] = "";

	if (et_read_line(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

int et_file_put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e = 0;
	ssize_t n = (ssize_t)strlen(text);

	if (fd < 0)
		return errno;
	if (write(fd, text, n) != n)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

uint32_t et_expected_max_transfer(void)
{
	char vendor[64] = "", version[64] = "";
	unsigned int major, minor;
	const char *num;

	if (et_read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor)) ||
	    et_read_line("/sys/class/dmi/id/product_version", version,
			 sizeof(version)) ||
	    strncmp(vendor, "QEMU", 4) || strncmp(version, "pc-", 3))
		return 4095;
	num = strrchr(version, '-');
	if (!num || sscanf(num + 1, "%u.%u", &major, &minor) != 2)
		return 4095;
	return major > 9 || (major == 9 && minor >= 1) ? 4096 : 4095;
}

/* ---- devices and their PCI addresses --------------------------------- */

/* The /dev node of the device bound at bdf, or "" (none yet). */
const char *et_dev_of_bdf(const char *bdf)
{
	static char path[LAB_PATH + 16];
	char dir[128];
	struct dirent *d;
	DIR *dp;

	path[0] = 0;
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/edudma", bdf);
	dp = opendir(dir);
	if (!dp)
		return path;
	while ((d = readdir(dp)))
		if (!strncmp(d->d_name, "edudma", 6)) {
			snprintf(path, sizeof(path), "/dev/%s", d->d_name);
			break;
		}
	closedir(dp);
	if (path[0] && !et_exists(path))
		path[0] = 0;
	return path;
}

/*
 * The last device's /dev path and PCI address (bdf); NULL, or why there
 * is none.
 */
const char *et_last_device(char *path, size_t pathlen, char *bdf,
				    size_t bdflen)
{
	char link[256], target[256] = "";
	const char *slash;
	int n = et_ndevices();

	if (n < 1)
		return "no edudma device";
	snprintf(path, pathlen, "%s", et_dev_path(n - 1));
	snprintf(link, sizeof(link), "/sys/class/edudma/%s/device", path + 5);
	if (readlink(link, target, sizeof(target) - 1) < 0)
		return "no PCI device link in sysfs";
	slash = strrchr(target, '/');
	snprintf(bdf, bdflen, "%s", slash ? slash + 1 : target);
	return NULL;
}
