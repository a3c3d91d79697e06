// SPDX-License-Identifier: GPL-2.0
/*
 * info: EDUDMA_GET_INFO on every device, and the argument rules every
 * ioctl follows (argsz, flags, trailing bytes, unknown commands).
 *
 * Each case checks one rule on every /dev/edudmaN of the guest (the
 * message of a failure names the device), so the number of cases does not
 * depend on how many devices the guest has.
 */
#include "edudma_test.h"

ET_PRECONDITION(et_need_device)

struct info_plus {
	struct edudma_device_info info;
	uint64_t tail[2];
};

ET_TEST(one_dev_edudmaN_per_edu_PCI_device)
{
	int n = et_ndevices(), pci = lab_edu_pci_devices();

	ET_EXPECT(n == pci, "%d /dev/edudma* nodes, %d edu PCI devices", n,
		  pci);
}

/* One rule, checked on the device file fd of path. */
struct rule_row {
	const char *name;
	void (*check)(int fd, const char *path);
};

/* "path: what", for the messages. */
static const char *on(const char *path, const char *what)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s: %s", path, what);
	return buf;
}

/* GET_INFO with argsz sizeof(*info) and flags 0. */
static void get_info(int fd, const char *path, struct edudma_device_info *info)
{
	ET_ASSERT_ERRNO(et_info(fd, info), 0, on(path, "GET_INFO"));
}

static int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return et_ret(ioctl(fd, cmd, arg));
}

static void check_get_info(int fd, const char *path)
{
	struct edudma_device_info info;

	ET_EXPECT_ERRNO(et_info(fd, &info), 0, on(path, "GET_INFO"));
}

static void check_ident(int fd, const char *path)
{
	struct edudma_device_info info;

	get_info(fd, path, &info);
	ET_EXPECT(info.ident == 0x010000ed, "%s: ident 0x%08x, expected 0x010000ed",
		  path, info.ident);
	ET_EXPECT(info.api_version == 4, "%s: API %u, expected 4", path,
		  info.api_version);
	ET_EXPECT(!(info.caps & ~EDUDMA_CAP_IOMMU),
		  "%s: caps %#llx, no bit but EDUDMA_CAP_IOMMU expected", path,
		  (unsigned long long)info.caps);
}

static void check_geometry(int fd, const char *path)
{
	struct edudma_device_info info;

	uint32_t max = et_expected_max_transfer();

	get_info(fd, path, &info);
	ET_EXPECT(info.bar_size == 1 << 20 && info.dma_window == 0x40000 &&
		  info.dma_window_size == 4096 && info.max_transfer == max,
		  "%s: BAR %llu bytes, window 0x%llx+%u, max transfer %u; expected 1048576, 0x40000+4096, %u (this QEMU's machine type)",
		  path, (unsigned long long)info.bar_size,
		  (unsigned long long)info.dma_window, info.dma_window_size,
		  info.max_transfer, max);
}

static void check_irq_mode(int fd, const char *path)
{
	struct edudma_device_info info;

	get_info(fd, path, &info);
	ET_EXPECT(info.irq_mode == EDUDMA_IRQ_MSI ||
		  info.irq_mode == EDUDMA_IRQ_INTX,
		  "%s: IRQ mode %u, neither MSI nor INTx", path, info.irq_mode);
}

static void check_iommu(int fd, const char *path)
{
	struct edudma_device_info info;
	int in_use;

	get_info(fd, path, &info);
	in_use = !!(info.caps & EDUDMA_CAP_IOMMU);
	ET_EXPECT(in_use == lab_iommu_expected(),
		  "%s: IOMMU %s, the kernel command line asks for %s", path,
		  in_use ? "in use" : "not in use",
		  lab_iommu_expected() ? "one" : "none");
}

static void check_small_argsz(int fd, const char *path)
{
	struct edudma_device_info info = {
		.argsz = offsetof(struct edudma_device_info, reserved),
	};

	ET_EXPECT_ERRNO(ioctl_errno(fd, EDUDMA_GET_INFO, &info),
			EINVAL, on(path, "GET_INFO with argsz too small"));
}

static void check_unknown_flag(int fd, const char *path)
{
	struct edudma_device_info info = { .argsz = sizeof(info), .flags = 1 };

	ET_EXPECT_ERRNO(ioctl_errno(fd, EDUDMA_GET_INFO, &info),
			EINVAL, on(path, "GET_INFO with an unknown flag"));
}

/* GET_INFO with a zero tail of 16 bytes after the struct. */
static int get_info_plus(int fd, struct info_plus *plus)
{
	memset(plus, 0, sizeof(*plus));
	plus->info.argsz = sizeof(*plus);
	return ioctl_errno(fd, EDUDMA_GET_INFO, plus);
}

static void check_zero_tail(int fd, const char *path)
{
	struct info_plus plus;

	ET_EXPECT_ERRNO(get_info_plus(fd, &plus),
			0, on(path, "GET_INFO with a larger argsz and a zero tail"));
	ET_EXPECT(plus.info.ident == 0x010000ed,
		  "%s: ident 0x%08x, expected 0x010000ed", path,
		  plus.info.ident);
}

static void check_argsz_kept(int fd, const char *path)
{
	struct info_plus plus;

	ET_ASSERT_ERRNO(get_info_plus(fd, &plus),
			0, on(path, "GET_INFO with a larger argsz"));
	ET_EXPECT(plus.info.argsz == sizeof(plus),
		  "%s: argsz %u after the call, the caller set %zu", path,
		  plus.info.argsz, sizeof(plus));
}

static void check_nonzero_tail(int fd, const char *path)
{
	struct info_plus plus;

	memset(&plus, 0, sizeof(plus));
	plus.info.argsz = sizeof(plus);
	plus.tail[1] = 1;
	ET_EXPECT_ERRNO(ioctl_errno(fd, EDUDMA_GET_INFO, &plus),
			EINVAL, on(path, "GET_INFO with a larger argsz and a non-zero tail"));
}

static void check_unknown_ioctl(int fd, const char *path)
{
	struct edudma_device_info info = { .argsz = sizeof(info) };

	ET_EXPECT_ERRNO(ioctl_errno(fd, _IO(EDUDMA_TYPE, 0x3f), &info), ENOTTY,
			on(path, "an unknown ioctl number"));
}

/* API 2: type 0xB9; API 1's 'E' numbers and BENCH_PIN are gone */
static void check_api1_number(int fd, const char *path)
{
	struct edudma_device_info info = { .argsz = sizeof(info) };

	ET_EXPECT_ERRNO(ioctl_errno(fd, _IO('E', 0x40), &info),
			ENOTTY, on(path, "API 1's GET_INFO number ('E', 0x40)"));
}

static void check_bench_pin(int fd, const char *path)
{
	struct edudma_bench_pin bp = { .argsz = sizeof(bp) };

	ET_EXPECT_ERRNO(ioctl_errno(fd, EDUDMA_BENCH_PIN, &bp),
			ENOTTY, on(path, "BENCH_PIN on the device file"));
}

static const struct rule_row rules[] = {
	{ .name = "every_device_opens", .check = NULL, },
	{ .name = "GET_INFO_succeeds", .check = check_get_info, },
	{ .name = "ident_0x010000ed_API_4_no_caps_bit_but_IOMMU",
	  .check = check_ident, },
	{ .name = "BAR_1_MiB_window_0x40000_of_4096_max_transfer_by_QEMU_version",
	  .check = check_geometry, },
	{ .name = "IRQ_mode_MSI_or_INTx", .check = check_irq_mode, },
	{ .name = "IOMMU_in_use_as_the_kernel_command_line_asks",
	  .check = check_iommu, },
	{ .name = "argsz_too_small_EINVAL", .check = check_small_argsz, },
	{ .name = "unknown_flag_EINVAL", .check = check_unknown_flag, },
	{ .name = "larger_argsz_with_a_zero_tail_is_accepted",
	  .check = check_zero_tail, },
	{ .name = "argsz_is_left_as_the_caller_set_it",
	  .check = check_argsz_kept, },
	{ .name = "larger_argsz_with_a_non_zero_tail_EINVAL",
	  .check = check_nonzero_tail, },
	{ .name = "unknown_ioctl_ENOTTY", .check = check_unknown_ioctl, },
	{ .name = "API_1_GET_INFO_number_E_0x40_ENOTTY",
	  .check = check_api1_number, },
	{ .name = "BENCH_PIN_on_the_device_file_ENOTTY_it_lives_in_debugfs",
	  .check = check_bench_pin, },
};

/*
 * The rule on each device in turn; a device that does not open fails the
 * case and the others are still checked.  An ET_ASSERT in a check ends the
 * case (the file is closed with the process).
 */
ET_TABLE(on_every_device, struct rule_row, rules)
{
	int n = et_ndevices();

	for (int i = 0; i < n; i++) {
		const char *path = et_dev_path(i);
		int fd = et_open(i, 0);

		ET_EXPECT(fd >= 0, "%s: open: %s", path, strerror(errno));
		if (fd < 0)
			continue;
		if (row->check)
			row->check(fd, path);
		close(fd);
	}
}
