// SPDX-License-Identifier: GPL-2.0
/*
 * edudma-info: what each edudma device says about itself, and its
 * statistics.  Built on libedudma.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <edudma.h>

static const char *irq_name(unsigned int mode)
{
	switch (mode) {
	case EDUDMA_IRQ_MSI:	return "MSI";
	case EDUDMA_IRQ_INTX:	return "INTx";
	default:		return "none";
	}
}

static void show_stats(const struct edudma_stats *s)
{
	printf("  statistics     regions %llu (%llu pages pinned, %llu made), queue %llu\n",
	       (unsigned long long)s->regions, (unsigned long long)s->pinned_pages,
	       (unsigned long long)s->reg_total, (unsigned long long)s->queue_depth);
	printf("                 to device %llu bytes in %llu DMAs, from device %llu bytes in %llu DMAs\n",
	       (unsigned long long)s->bytes_to_dev, (unsigned long long)s->dma_to_dev,
	       (unsigned long long)s->bytes_from_dev, (unsigned long long)s->dma_from_dev);
	printf("                 transfers %llu, errors %llu (timeouts %llu), factorials %llu\n",
	       (unsigned long long)s->xfers, (unsigned long long)s->errors,
	       (unsigned long long)s->timeouts, (unsigned long long)s->factorials);
	printf("  on demand      %llu pages mapped now; %llu faults (%llu pages), %llu invalidations, %llu retries\n",
	       (unsigned long long)s->odp_pages_mapped,
	       (unsigned long long)s->odp_faults,
	       (unsigned long long)s->odp_pages_faulted,
	       (unsigned long long)s->odp_invalidations,
	       (unsigned long long)s->odp_retries);
	printf("  stale          %llu registrations found stale, %llu watch checks\n",
	       (unsigned long long)s->stale,
	       (unsigned long long)s->watch_checks);
}

static int show(unsigned int minor, int stats_only)
{
	struct edudma_device_info info;
	struct edudma_stats st;
	struct edudma_dev *dev;
	int ret;

	ret = edudma_open(minor, &dev);
	if (ret) {
		fprintf(stderr, "edudma-info: /dev/edudma%u: %s\n", minor, strerror(-ret));
		return ret;
	}
	ret = edudma_get_info(dev, &info);
	if (!ret)
		ret = edudma_get_stats(dev, &st);
	edudma_close(dev);
	if (ret) {
		fprintf(stderr, "edudma-info: /dev/edudma%u: %s\n", minor, strerror(-ret));
		return ret;
	}

	printf("/dev/edudma%u: PCI %04x:%02x:%02x.%x\n", minor, info.pci_domain,
	       info.pci_bus, info.pci_devfn >> 3, info.pci_devfn & 7);
	if (!stats_only) {
		printf("  ident          0x%08x\n", info.ident);
		/* the driver binds only a device that passed the check */
		printf("  liveness       ok (read back 0x%08x)\n", info.liveness);
		printf("  BAR0           %llu KiB\n",
		       (unsigned long long)info.bar_size / 1024);
		printf("  DMA window     %u bytes at device address 0x%llx, largest transfer %u\n",
		       info.dma_window_size, (unsigned long long)info.dma_window,
		       info.max_transfer);
		printf("  DMA mask       0x%llx%s\n", (unsigned long long)info.dma_mask,
		       info.caps & EDUDMA_CAP_IOMMU ? " (through an IOMMU)" : "");
		printf("  IRQ            %s\n", irq_name(info.irq_mode));
		printf("  driver API     %u\n", info.api_version);
	}
	show_stats(&st);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: edudma-info [-s] [MINOR...]\n"
		"Shows every /dev/edudmaN (or the given N): identification, DMA window,\n"
		"DMA mask, interrupt mode and statistics.\n"
		"  -s   statistics only\n"
		"Exit status: 0, or 1 when a device could not be read or none exists.\n");
}

int main(int argc, char **argv)
{
	unsigned int minors[256];
	int n, i, opt, stats_only = 0, errors = 0;

	while ((opt = getopt(argc, argv, "sh")) != -1) {
		switch (opt) {
		case 's':
			stats_only = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	if (optind < argc) {
		for (i = optind; i < argc; i++) {
			char *end;
			unsigned long m = strtoul(argv[i], &end, 10);

			if (!*argv[i] || *end || m > 0xffff) {
				fprintf(stderr, "edudma-info: '%s' is not a device number\n", argv[i]);
				return 2;
			}
			errors += show((unsigned int)m, stats_only) != 0;
		}
		return errors ? 1 : 0;
	}

	n = edudma_list_devices(minors, 256);
	if (n < 0) {
		fprintf(stderr, "edudma-info: %s\n", strerror(-n));
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "edudma-info: no /dev/edudma* devices (is the module loaded?)\n");
		return 1;
	}
	for (i = 0; i < n && i < 256; i++)
		errors += show(minors[i], stats_only) != 0;
	return errors ? 1 : 0;
}
