/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a guest test can learn about the lab guest it runs in.
 */
#ifndef EDUDMA_LAB_H
#define EDUDMA_LAB_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAB_MAX_DEVICES 32
#define LAB_PATH 300

static int lab_by_name(const struct dirent **a, const struct dirent **b)
{
	return strverscmp((*a)->d_name, (*b)->d_name);
}

static int lab_is_edudma(const struct dirent *d)
{
	return !strncmp(d->d_name, "edudma", 6);
}

/* Fills paths with /dev/edudmaN in order; returns how many. */
static inline int lab_devices(char paths[LAB_MAX_DEVICES][LAB_PATH])
{
	struct dirent **names;
	int n, i, k = 0;

	n = scandir("/dev", &names, lab_is_edudma, lab_by_name);
	for (i = 0; i < n; i++) {
		if (k < LAB_MAX_DEVICES)
			snprintf(paths[k++], LAB_PATH, "/dev/%s", names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return k;
}

static inline unsigned long lab_read_hex(const char *dir, const char *file)
{
	char path[512], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

/* How many edu PCI functions (1234:11e8) the guest has. */
static inline int lab_edu_pci_devices(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char dir[300];
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", e->d_name);
		if (lab_read_hex(dir, "vendor") == 0x1234 &&
		    lab_read_hex(dir, "device") == 0x11e8)
			n++;
	}
	closedir(d);
	return n;
}

/* Whether the guest was booted with the IOMMU on (qemu/run --iommu). */
static inline int lab_iommu_expected(void)
{
	char buf[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, "intel_iommu=on") != NULL;
}

#endif /* EDUDMA_LAB_H */
