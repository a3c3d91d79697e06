// SPDX-License-Identifier: GPL-2.0
/*
 * edudma-info: print what each /dev/edudmaN says about its device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/edudma.h>

static const char *irq_name(unsigned int mode)
{
	switch (mode) {
	case EDUDMA_IRQ_MSI:	return "MSI";
	case EDUDMA_IRQ_INTX:	return "INTx";
	default:		return "none";
	}
}

static int show(const char *path)
{
	struct edudma_device_info info = { .argsz = sizeof(info) };
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "edudma-info: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (ioctl(fd, EDUDMA_GET_INFO, &info) < 0) {
		fprintf(stderr, "edudma-info: %s: EDUDMA_GET_INFO: %s\n", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);

	printf("%s: PCI %04x:%02x:%02x.%x\n", path, info.pci_domain,
	       info.pci_bus, info.pci_devfn >> 3, info.pci_devfn & 7);
	printf("  ident          0x%08x\n", info.ident);
	printf("  liveness       %s (read back 0x%08x)\n",
	       info.caps & EDUDMA_CAP_LIVE ? "ok" : "FAILED", info.liveness);
	printf("  BAR0           %llu KiB\n",
	       (unsigned long long)info.bar_size / 1024);
	printf("  DMA window     %u bytes at device address 0x%llx, largest transfer %u\n",
	       info.dma_window_size, (unsigned long long)info.dma_window,
	       info.max_transfer);
	printf("  DMA mask       0x%llx%s\n", (unsigned long long)info.dma_mask,
	       info.caps & EDUDMA_CAP_IOMMU ? " (through an IOMMU)" : "");
	printf("  IRQ            %s\n", irq_name(info.irq_mode));
	printf("  driver API     %u\n", info.api_version);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strverscmp((*a)->d_name, (*b)->d_name);
}

static int is_edudma(const struct dirent *d)
{
	return !strncmp(d->d_name, "edudma", 6);
}

int main(int argc, char **argv)
{
	struct dirent **names;
	int n, i, errors = 0;
	char path[300];

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			errors += show(argv[i]) < 0;
		return errors ? 1 : 0;
	}

	n = scandir("/dev", &names, is_edudma, by_name);
	if (n < 0) {
		perror("edudma-info: /dev");
		return 1;
	}
	if (n == 0)
		fprintf(stderr, "edudma-info: no /dev/edudma* devices (is the module loaded?)\n");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/dev/%s", names[i]->d_name);
		errors += show(path) < 0;
		free(names[i]);
	}
	free(names);
	return errors || n == 0 ? 1 : 0;
}
