// SPDX-License-Identifier: GPL-2.0
/*
 * sdk_device: the device functions of libedudma, on their success paths
 * and on their error paths, with the exact return the header documents:
 * listing and opening devices, edudma_fd(), info and statistics, the
 * factorial, and edudma_close() returning every pin (of a second handle
 * with registrations and transfers, and of the last handle).
 */
#include "sdk.h"

ET_PRECONDITION(et_need_device)

ET_SETUP(sdk)
{
	sdk_setup(self, 0);
}

ET_TEARDOWN(sdk)
{
	sdk_teardown(self);
}

/* ---- listing ------------------------------------------------------------- */

ET_TEST(list_devices_of_NULL_0_counts_the_devices)
{
	int n = et_ndevices(), r = edudma_list_devices(NULL, 0);

	ET_EXPECT(r == n, "edudma_list_devices(NULL, 0): %s, the lab has %d",
		  sdk_rs(r), n);
}

ET_TEST(list_devices_fills_the_minors_ascending_each_a_node)
{
	unsigned int m[LAB_MAX_DEVICES];
	int n = et_ndevices(), r = edudma_list_devices(m, LAB_MAX_DEVICES);
	char path[64];

	ET_ASSERT(r == n, "edudma_list_devices: %s, the lab has %d",
		  sdk_rs(r), n);
	for (int i = 0; i < r; i++) {
		snprintf(path, sizeof(path), "/dev/edudma%u", m[i]);
		ET_EXPECT(!access(path, F_OK), "minor %d is %u: no %s", i,
			  m[i], path);
		ET_EXPECT(!i || m[i] > m[i - 1],
			  "minor %d is %u, after %u: not ascending", i, m[i],
			  i ? m[i - 1] : 0);
	}
}

ET_TEST(list_devices_with_max_1_counts_every_device_writes_one)
{
	unsigned int all[LAB_MAX_DEVICES], m[LAB_MAX_DEVICES + 1];
	int n = edudma_list_devices(all, LAB_MAX_DEVICES), r;

	memset(m, 0xff, sizeof(m));
	r = edudma_list_devices(m, 1);
	ET_EXPECT(r == n, "edudma_list_devices(m, 1): %s, want %d", sdk_rs(r),
		  n);
	ET_EXPECT(m[0] == all[0], "m[0] is %u, want %u", m[0], all[0]);
	ET_EXPECT(m[1] == 0xffffffffU, "m[1] was written: %u", m[1]);
}

/* ---- opening ------------------------------------------------------------- */

ET_TEST(open_of_the_first_minor_succeeds)
{
	unsigned int m[LAB_MAX_DEVICES];
	struct edudma_dev *d = NULL;
	int r;

	ET_ASSERT(edudma_list_devices(m, LAB_MAX_DEVICES) >= 1, "no device");
	r = edudma_open(m[0], &d);
	ET_EXPECT(!r && d, "edudma_open(%u): %s, dev %p", m[0], sdk_rs(r),
		  (void *)d);
	edudma_close(d);
}

enum open_target {
	MINOR_WITHOUT_NODE, FIRST_MINOR,
	MISSING_PATH, DEV_NULL_PATH, REGULAR_FILE_PATH, NULL_PATH,
	FIRST_DEVICE_PATH,
};

struct bad_open {
	const char *name;
	enum open_target target;	/* by minor or by path */
	int null_dev;			/* dev argument NULL */
	int want;
};

static const struct bad_open bad_opens[] = {
	{ .name = "open_of_a_minor_with_no_node_is_ENOENT",
	  .target = MINOR_WITHOUT_NODE, .want = -ENOENT, },
	{ .name = "open_path_of_a_nonexistent_path_is_ENOENT",
	  .target = MISSING_PATH, .want = -ENOENT, },
	{ .name = "open_path_of_dev_null_is_ENODEV",
	  .target = DEV_NULL_PATH, .want = -ENODEV, },
	{ .name = "open_path_of_a_regular_file_is_ENODEV",
	  .target = REGULAR_FILE_PATH, .want = -ENODEV, },
	{ .name = "open_path_of_NULL_is_EINVAL",
	  .target = NULL_PATH, .want = -EINVAL, },
	{ .name = "open_path_with_dev_NULL_is_EINVAL",
	  .target = FIRST_DEVICE_PATH, .null_dev = 1, .want = -EINVAL, },
	{ .name = "open_with_dev_NULL_is_EINVAL",
	  .target = FIRST_MINOR, .null_dev = 1, .want = -EINVAL, },
};

static int open_regular_file(struct edudma_dev **d)
{
	char tmp[] = "/tmp/sdk-regular-XXXXXX";
	int fd = mkstemp(tmp), r;

	ET_ASSERT(fd >= 0, "mkstemp: %s", strerror(errno));
	close(fd);
	r = edudma_open_path(tmp, d);
	unlink(tmp);
	return r;
}

/* The row's open, into *d (or with NULL for dev). */
static int try_open(const struct bad_open *row, struct edudma_dev **d)
{
	unsigned int m[LAB_MAX_DEVICES];
	int n = edudma_list_devices(m, LAB_MAX_DEVICES);
	struct edudma_dev **out = row->null_dev ? NULL : d;
	char path[64];

	ET_ASSERT(n >= 1, "edudma_list_devices: %s", sdk_rs(n));
	if (n > LAB_MAX_DEVICES)
		n = LAB_MAX_DEVICES;
	snprintf(path, sizeof(path), "/dev/edudma%u", m[0]);
	switch (row->target) {
	case MINOR_WITHOUT_NODE:
		return edudma_open(m[n - 1] + 1000, out);
	case FIRST_MINOR:
		return edudma_open(m[0], out);
	case MISSING_PATH:
		return edudma_open_path("/dev/edudma-no-such", out);
	case DEV_NULL_PATH:
		return edudma_open_path("/dev/null", out);
	case REGULAR_FILE_PATH:
		return open_regular_file(out);
	case NULL_PATH:
		return edudma_open_path(NULL, out);
	case FIRST_DEVICE_PATH:
		return edudma_open_path(path, out);
	}
	return -ENOSYS;
}

ET_TABLE(bad_open, struct bad_open, bad_opens)
{
	struct edudma_dev *d = NULL;
	int r = try_open(row, &d);

	ET_EXPECT(r == row->want, "%s, expected %s", sdk_rs(r),
		  sdk_rs(row->want));
	if (!r)
		edudma_close(d);
}

ET_TEST(failed_opens_leave_dev_alone)
{
	static char sentinel;
	struct edudma_dev *const mark = (struct edudma_dev *)(void *)&sentinel;
	struct edudma_dev *d;

	for (const struct bad_open *o = bad_opens;
	     o < bad_opens + ET_ARRAY_SIZE(bad_opens); o++) {
		if (o->null_dev)
			continue;	/* nowhere to write */
		d = mark;
		if (!try_open(o, &d))
			edudma_close(d);
		ET_EXPECT(d == mark, "%s: *dev changed to %p", o->name,
			  (void *)d);
	}
}

ET_TEST_F(sdk, fd_is_open_nonblocking_and_close_on_exec)
{
	int fd = edudma_fd(self->dev);

	ET_ASSERT(fd >= 0, "edudma_fd: %s", sdk_rs(fd));
	ET_EXPECT(fcntl(fd, F_GETFL) & O_NONBLOCK, "fd %d is not O_NONBLOCK",
		  fd);
	ET_EXPECT(fcntl(fd, F_GETFD) & FD_CLOEXEC,
		  "fd %d is not close-on-exec", fd);
}

/* ---- info, statistics, factorial ----------------------------------------- */

ET_TEST_F(sdk, get_info_describes_the_device)
{
	struct edudma_device_info info;
	int r;

	memset(&info, 0x5a, sizeof(info));
	r = edudma_get_info(self->dev, &info);
	ET_ASSERT(!r, "edudma_get_info: %s", sdk_rs(r));
	ET_EXPECT(info.argsz == sizeof(info), "argsz %u, want %zu",
		  info.argsz, sizeof(info));
	ET_EXPECT(info.ident == 0x010000ed, "ident %#x, want 0x10000ed",
		  info.ident);
	ET_EXPECT(info.api_version == EDUDMA_API_VERSION, "API %u, want %u",
		  info.api_version, EDUDMA_API_VERSION);
	ET_EXPECT(info.minor == self->minors[0], "minor %u, want %u",
		  info.minor, self->minors[0]);
	ET_EXPECT(info.max_transfer == et_expected_max_transfer(),
		  "max_transfer %u, want %u (this QEMU's machine type)",
		  info.max_transfer, et_expected_max_transfer());
	ET_EXPECT(info.dma_window_size == 4096, "dma_window_size %llu",
		  (unsigned long long)info.dma_window_size);
	ET_EXPECT(!(info.caps & ~EDUDMA_CAP_IOMMU), "unknown caps %#x",
		  info.caps);
	ET_EXPECT(!!(info.caps & EDUDMA_CAP_IOMMU) == lab_iommu_expected(),
		  "caps %#x, the lab %s an IOMMU", info.caps,
		  lab_iommu_expected() ? "has" : "has no");
	ET_EXPECT(info.reserved == 0, "reserved %#x",
		  (unsigned int)info.reserved);
}

ET_TEST_F(sdk, get_stats_of_an_idle_device)
{
	struct edudma_stats st;
	int r;

	memset(&st, 0x5a, sizeof(st));
	r = edudma_get_stats(self->dev, &st);
	ET_EXPECT(!r && st.argsz == sizeof(st) && st.queue_depth == 0,
		  "edudma_get_stats: %s, argsz %u (want %zu), queue_depth %llu (want 0)",
		  sdk_rs(r), st.argsz, sizeof(st),
		  (unsigned long long)st.queue_depth);
}

struct factorial_row {
	const char *name;
	uint32_t n, want;
};

static const struct factorial_row factorials[] = {
	{ .name = "factorial_of_5_is_120", .n = 5, .want = 120, },
	{ .name = "factorial_of_12_is_479001600", .n = 12,
	  .want = 479001600U, },
};

ET_TABLE_F(sdk, factorial, struct factorial_row, factorials)
{
	uint32_t res = 0;
	int r = edudma_factorial(self->dev, row->n, &res);

	ET_EXPECT(!r && res == row->want, "edudma_factorial(%u): %s, %u",
		  row->n, sdk_rs(r), res);
}

ET_TEST_F(sdk, two_factorials_count_2_in_the_statistics)
{
	struct edudma_stats s0 = sdk_stats(self->dev), s1;
	uint32_t res;

	ET_EXPECT(!edudma_factorial(self->dev, 5, &res), "factorial(5)");
	ET_EXPECT(!edudma_factorial(self->dev, 12, &res), "factorial(12)");
	s1 = sdk_stats(self->dev);
	ET_EXPECT(SDK_DELTA(s0, s1, factorials) == 2,
		  "factorials %+lld, want +2", SDK_DELTA(s0, s1, factorials));
}

/* ---- NULL arguments ------------------------------------------------------ */

enum null_call {
	LIST_DEVICES, GET_INFO, GET_STATS, FD, FACTORIAL,
};

struct null_arg {
	const char *name;
	enum null_call call;
	int null_dev;		/* else the output pointer is NULL */
};

static const struct null_arg null_args[] = {
	{ .name = "list_devices_of_NULL_1_is_EINVAL", .call = LIST_DEVICES, },
	{ .name = "get_info_of_a_NULL_dev_is_EINVAL", .call = GET_INFO,
	  .null_dev = 1, },
	{ .name = "get_info_into_NULL_is_EINVAL", .call = GET_INFO, },
	{ .name = "get_stats_of_a_NULL_dev_is_EINVAL", .call = GET_STATS,
	  .null_dev = 1, },
	{ .name = "get_stats_into_NULL_is_EINVAL", .call = GET_STATS, },
	{ .name = "fd_of_NULL_is_EINVAL", .call = FD, .null_dev = 1, },
	{ .name = "factorial_into_NULL_is_EINVAL", .call = FACTORIAL, },
	{ .name = "factorial_of_a_NULL_dev_is_EINVAL", .call = FACTORIAL,
	  .null_dev = 1, },
};

ET_TABLE_F(sdk, null_arg, struct null_arg, null_args)
{
	struct edudma_dev *d = row->null_dev ? NULL : self->dev;
	struct edudma_device_info info;
	struct edudma_stats st;
	uint32_t res;
	int r = -ENOSYS;

	switch (row->call) {
	case LIST_DEVICES:
		r = edudma_list_devices(NULL, 1);
		break;
	case GET_INFO:
		r = edudma_get_info(d, row->null_dev ? &info : NULL);
		break;
	case GET_STATS:
		r = edudma_get_stats(d, row->null_dev ? &st : NULL);
		break;
	case FD:
		r = edudma_fd(d);
		break;
	case FACTORIAL:
		r = edudma_factorial(d, 5, row->null_dev ? &res : NULL);
		break;
	}
	ET_EXPECT(r == -EINVAL, "%s, expected -EINVAL", sdk_rs(r));
}

/* ---- close --------------------------------------------------------------- */

#define BIG (1UL << 20)

/*
 * A second handle holds 3 registrations (A, B and 1 MiB) and 2 transfers,
 * one whose completion nobody reads and one maybe still running.
 */
static int second_handle(struct et_fx_sdk *self)
{
	struct edudma_mr *m[3];
	int r;

	self->map = et_map(BIG);
	ET_ASSERT(self->map, "out of memory");
	self->map_len = BIG;
	r = edudma_open(self->minors[0], &self->dev2);
	if (!r)
		r = edudma_reg_mr(self->dev2, self->A, SDK_RSIZE, ET_RW, &m[0]);
	if (!r)
		r = edudma_reg_mr(self->dev2, self->B, SDK_RSIZE, ET_RW, &m[1]);
	if (!r)
		r = edudma_reg_mr(self->dev2, self->map, BIG, ET_RW, &m[2]);
	if (!r)
		r = edudma_submit_copy(m[0], 0, m[2], 0, 8000, 1);
	if (!r)
		r = edudma_submit_copy(m[2], 0, m[1], 0, 60000, 2);
	return r;
}

ET_TEST_F(sdk, a_second_handle_holds_3_registrations_and_2_transfers)
{
	long long pins = et_pins();
	int r = second_handle(self);

	ET_EXPECT(!r, "open, 3 registrations, 2 submissions: %s", sdk_rs(r));
	ET_EXPECT(et_pins() - pins >= 16 + 16 + 256,
		  "pins %+lld, want at least +288", et_pins() - pins);
}

ET_TEST_F(sdk, close_releases_every_registration_and_transfer)
{
	struct edudma_stats s0 = sdk_stats(self->dev), s1;
	long long pins = et_pins(), now;
	int r = second_handle(self);

	ET_ASSERT(!r, "set-up: %s", sdk_rs(r));
	edudma_close(self->dev2);
	self->dev2 = NULL;
	s1 = sdk_stats(self->dev);
	now = et_pins_settle(pins, 5000);
	ET_EXPECT(now == pins, "pins %+lld after edudma_close", now - pins);
	ET_EXPECT(SDK_DELTA(s0, s1, regions) == 0, "regions %+lld",
		  SDK_DELTA(s0, s1, regions));
	ET_EXPECT(s1.queue_depth == 0, "queue_depth %llu",
		  (unsigned long long)s1.queue_depth);
}

ET_TEST_F(sdk, close_of_NULL_does_nothing)
{
	struct edudma_device_info info;
	int r;

	edudma_close(NULL);
	r = edudma_get_info(self->dev, &info);
	ET_EXPECT(!r, "the open handle after edudma_close(NULL): %s",
		  sdk_rs(r));
}

/* The only handle, with two registrations left on it, then closed. */
ET_TEST(the_last_close_returns_every_pin)
{
	long long base = et_pins(), now;
	struct et_fx_sdk s;
	int r;

	sdk_setup(&s, 1);
	r = edudma_copy(s.mA, 0, s.mB, 0, 1000);
	ET_EXPECT(!r, "edudma_copy: %s", sdk_rs(r));
	ET_EXPECT(et_pins() - base >= (long long)(2 * SDK_RSIZE / ET_PAGE),
		  "pins %+lld with two registrations", et_pins() - base);
	edudma_close(s.dev);
	s.dev = NULL;
	now = et_pins_settle(base, 5000);
	ET_EXPECT(now == base, "pins %+lld after edudma_close", now - base);
	sdk_teardown(&s);
}
