// SPDX-License-Identifier: GPL-2.0
/*
 * info: EDUDMA_GET_INFO on every device, and the argument rules every
 * ioctl follows (argsz, flags, trailing bytes, unknown commands).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/edudma.h>

#include "edudma_bench.h"

#include "tap.h"
#include "lab.h"

struct info_plus {
	struct edudma_device_info info;
	uint64_t tail[2];
};

static void check_device(const char *path)
{
	struct edudma_device_info info = { .argsz = sizeof(info) };
	struct info_plus plus;
	int fd, ret;

	fd = open(path, O_RDWR);
	if (!tap_ok(fd >= 0, "%s: open", path)) {
		for (int i = 0; i < 13; i++)
			tap_ok(0, "%s: skipped, open failed", path);
		return;
	}

	ret = ioctl(fd, EDUDMA_GET_INFO, &info);
	tap_ok(ret == 0, "%s: GET_INFO succeeds (%s)", path,
	       ret ? tap_errname(errno) : "ok");
	tap_ok(info.ident == 0x010000ed && !(info.caps & ~EDUDMA_CAP_IOMMU) &&
	       info.api_version == 2,
	       "%s: ident 0x%08x, API 2, no caps bit but EDUDMA_CAP_IOMMU", path,
	       info.ident);
	tap_ok(info.bar_size == 1 << 20 && info.dma_window == 0x40000 &&
	       info.dma_window_size == 4096 && info.max_transfer == 4095,
	       "%s: BAR %llu bytes, window 0x%llx+%u, max transfer %u", path,
	       (unsigned long long)info.bar_size,
	       (unsigned long long)info.dma_window, info.dma_window_size,
	       info.max_transfer);
	tap_ok(info.irq_mode == EDUDMA_IRQ_MSI || info.irq_mode == EDUDMA_IRQ_INTX,
	       "%s: IRQ mode %u", path, info.irq_mode);
	tap_ok(lab_iommu_expected() == !!(info.caps & EDUDMA_CAP_IOMMU),
	       "%s: IOMMU %s, as the kernel command line asks",
	       path, info.caps & EDUDMA_CAP_IOMMU ? "in use" : "not in use");

	info.argsz = offsetof(struct edudma_device_info, reserved);
	ret = ioctl(fd, EDUDMA_GET_INFO, &info);
	tap_ok(ret < 0 && errno == EINVAL, "%s: argsz too small -> EINVAL (%s)",
	       path, tap_errname(ret ? errno : 0));

	info.argsz = sizeof(info);
	info.flags = 1;
	ret = ioctl(fd, EDUDMA_GET_INFO, &info);
	tap_ok(ret < 0 && errno == EINVAL, "%s: unknown flag -> EINVAL (%s)",
	       path, tap_errname(ret ? errno : 0));

	memset(&plus, 0, sizeof(plus));
	plus.info.argsz = sizeof(plus);
	ret = ioctl(fd, EDUDMA_GET_INFO, &plus);
	tap_ok(ret == 0 && plus.info.ident == 0x010000ed,
	       "%s: larger argsz with a zero tail is accepted", path);
	tap_ok(plus.info.argsz == sizeof(plus), "%s: argsz is left as the caller set it", path);
	plus.tail[1] = 1;
	plus.info.flags = 0;
	ret = ioctl(fd, EDUDMA_GET_INFO, &plus);
	tap_ok(ret < 0 && errno == EINVAL,
	       "%s: larger argsz with a non-zero tail -> EINVAL (%s)", path,
	       tap_errname(ret ? errno : 0));

	ret = ioctl(fd, _IO(EDUDMA_TYPE, 0x3f), &info);
	tap_ok(ret < 0 && errno == ENOTTY, "%s: unknown ioctl -> ENOTTY (%s)",
	       path, tap_errname(ret ? errno : 0));

	/* API 2: type 0xB9; API 1's 'E' numbers and BENCH_PIN are gone */
	ret = ioctl(fd, _IO('E', 0x40), &info);
	tap_ok(ret < 0 && errno == ENOTTY,
	       "%s: API 1's GET_INFO number ('E', 0x40) -> ENOTTY (%s)", path,
	       tap_errname(ret ? errno : 0));
	{
		struct edudma_bench_pin bp = { .argsz = sizeof(bp) };

		ret = ioctl(fd, EDUDMA_BENCH_PIN, &bp);
		tap_ok(ret < 0 && errno == ENOTTY,
		       "%s: BENCH_PIN on the device file -> ENOTTY, it lives in debugfs (%s)",
		       path, tap_errname(ret ? errno : 0));
	}
	close(fd);
}

int main(void)
{
	char paths[LAB_MAX_DEVICES][LAB_PATH];
	int n = lab_devices(paths);

	if (n <= 0)
		tap_skip_all("no /dev/edudma* device in this guest");
	tap_plan(1 + n * 14);
	tap_ok(n == lab_edu_pci_devices(),
	       "one /dev/edudmaN per edu PCI device (%d nodes, %d devices)",
	       n, lab_edu_pci_devices());
	for (int i = 0; i < n; i++)
		check_device(paths[i]);
	tap_finish();
}
