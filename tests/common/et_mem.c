// SPDX-License-Identifier: GPL-2.0
/*
 * et_mem: the guest's memory settings (et_mem.h).
 */
#include "edudma_test.h"

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

const char *et_thp_mode(void)
{
	static char mode[32];
	char buf[128] = "", *a, *b;

	if (et_read_line(THP_ENABLED, buf, sizeof(buf)))
		return "";
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return "";
	snprintf(mode, sizeof(mode), "%.*s", (int)(b - a - 1), a + 1);
	return mode;
}

void et_thp_set(const char *mode)
{
	et_file_put(THP_ENABLED, mode);
}

int et_thp_on(char *old, size_t oldlen)
{
	const char *now;

	snprintf(old, oldlen, "%s", et_thp_mode());
	if (!strcmp(old, "never"))
		et_thp_set("madvise");
	now = et_thp_mode();
	if (!strcmp(now, "always") || !strcmp(now, "madvise"))
		return 0;
	et_thp_restore(old);
	return -1;
}

void et_thp_restore(const char *old)
{
	if (*old && strcmp(old, et_thp_mode()))
		et_thp_set(old);
}

long et_anon_huge_kb(void *addr)
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

long et_nr_hugepages(void)
{
	return et_file_long(NR_HUGEPAGES);
}

void et_set_nr_hugepages(long n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", n);
	et_file_put(NR_HUGEPAGES, buf);
}

/*
 * insmod of the image's module NAME, if the image has it (qemu/mkimage
 * leaves out what is built in); loaded already is fine.
 */
static void load_module(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "f=$(find /lib/modules -name '%s.ko' 2>/dev/null | head -n 1); "
		 "[ -z \"$f\" ] || insmod \"$f\" 2>/dev/null; exit 0", name);
	if (system(cmd))
		return;	/* the next check says what is missing */
}

int et_swap_on(unsigned int mib, char *why, size_t whylen)
{
	char size[32];
	int e;

	load_module("zsmalloc");
	load_module("zram");
	if (!et_exists("/sys/block/zram0/disksize")) {
		snprintf(why, whylen, "no zram device (no zram module?)");
		return -1;
	}
	et_file_put("/sys/block/zram0/reset", "1");
	snprintf(size, sizeof(size), "%uM", mib);
	e = et_file_put("/sys/block/zram0/disksize", size);
	if (e) {
		snprintf(why, whylen, "zram0 disksize %s: %s", size,
			 strerror(e));
		return -1;
	}
	if (system("mkswap /dev/zram0 > /dev/null 2>&1 && swapon /dev/zram0")) {
		snprintf(why, whylen, "mkswap or swapon /dev/zram0 failed");
		return -1;
	}
	return 0;
}

void et_swap_off(void)
{
	if (system("swapoff /dev/zram0 2> /dev/null"))
		return;
	et_file_put("/sys/block/zram0/reset", "1");
}
