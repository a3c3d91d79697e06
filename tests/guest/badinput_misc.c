// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_misc: the smaller ioctls' own rules and the numbers that are no
 * ioctl.  SET_EVENTFD with a reserved bit and with descriptors that are no
 * eventfd (a pipe, negative, closed, the device file, a regular file), the
 * root-only BENCH_PIN with bad flags, lengths and memory, and unknown
 * ioctl numbers (neighbours of the base, another type, other subsystems'
 * numbers).  Each row expects the errno include/uapi/linux/edudma.h
 * documents; the fixture is badinput.h's.  FACTORIAL and GET_STATS have no
 * rules of their own beyond badinput_args.c's.
 */
#include <sys/eventfd.h>

#include "badinput.h"

#define TCGETS_NR	0x5401UL
#define FIONREAD_NR	0x541bUL

BI_PROGRAM

/* ---- SET_EVENTFD -------------------------------------------------------- */

enum evfd_kind {
	EVFD_DETACH,		/* -1: detach, accepted */
	EVFD_PIPE,		/* a pipe's read end */
	EVFD_MINUS_2,
	EVFD_INT_MIN,
	EVFD_CLOSED,		/* a descriptor just closed */
	EVFD_SELF,		/* the device file itself */
	EVFD_EVENTFD,		/* an eventfd: accepted */
	EVFD_REGULAR,		/* /proc/self/status */
};

struct evfd_row {
	const char *name;
	enum evfd_kind fd;
	uint32_t reserved;
	int expect;
};

static const struct evfd_row evfd_rows[] = {
	{ .name = "SET_EVENTFD: reserved 1", .fd = EVFD_DETACH,
	  .reserved = 1, .expect = EINVAL },
	{ .name = "SET_EVENTFD: a pipe, not an eventfd", .fd = EVFD_PIPE,
	  .expect = EBADF },
	{ .name = "SET_EVENTFD: fd -2", .fd = EVFD_MINUS_2, .expect = EBADF },
	{ .name = "SET_EVENTFD: fd INT_MIN", .fd = EVFD_INT_MIN,
	  .expect = EBADF },
	{ .name = "SET_EVENTFD: a closed fd", .fd = EVFD_CLOSED,
	  .expect = EBADF },
	{ .name = "SET_EVENTFD: the device file itself", .fd = EVFD_SELF,
	  .expect = EBADF },
	{ .name = "SET_EVENTFD: a regular file", .fd = EVFD_REGULAR,
	  .expect = EBADF },
	{ .name = "SET_EVENTFD: fd -1, detach (accepted)", .fd = EVFD_DETACH,
	  .expect = 0 },
	{ .name = "SET_EVENTFD: an eventfd (accepted)", .fd = EVFD_EVENTFD,
	  .expect = 0 },
};

/* The descriptor of the row; opened[] are what to close afterwards. */
static int evfd_of(const struct et_fx_badinput *self, enum evfd_kind k,
		   int opened[2])
{
	int closed;

	switch (k) {
	case EVFD_DETACH: return -1;
	case EVFD_PIPE:
		if (pipe(opened))
			ET_SKIP("pipe: %s", strerror(errno));
		return opened[0];
	case EVFD_MINUS_2: return -2;
	case EVFD_INT_MIN: return (int)0x80000000u;
	case EVFD_CLOSED:
		closed = dup(0);
		close(closed);
		return closed;
	case EVFD_SELF: return self->fd;
	case EVFD_EVENTFD:
		return opened[0] = eventfd(0, EFD_CLOEXEC);
	case EVFD_REGULAR:
		return opened[0] = open("/proc/self/status",
					O_RDONLY | O_CLOEXEC);
	}
	return -1;
}

ET_TABLE_F(badinput, set_eventfd, struct evfd_row, evfd_rows)
{
	int opened[2] = { -1, -1 };
	struct edudma_eventfd ev = {
		.argsz = sizeof(ev), .reserved = row->reserved,
		.fd = evfd_of(self, row->fd, opened),
	};
	int e = et_ret(ioctl(self->fd, EDUDMA_SET_EVENTFD, &ev));

	if (row->fd == EVFD_EVENTFD)
		et_set_eventfd(self->fd, -1);
	for (int i = 0; i < 2; i++)
		if (opened[i] >= 0)
			close(opened[i]);
	BI_EXPECT(e, row->expect, row->name);
}

/* ---- BENCH_PIN (root) --------------------------------------------------- */

static const struct bi_mem_row bench_rows[] = {
	{ .name = "BENCH_PIN: no access flag", .at = AT_BUF, .flags = 0,
	  .length = ET_PAGE, .expect = EINVAL },
	{ .name = "BENCH_PIN: length 0", .at = AT_BUF, .flags = DR,
	  .length = 0, .expect = EINVAL },
	{ .name = "BENCH_PIN: addr + length overflows", .at = AT_TOP_100,
	  .flags = DR, .length = 4096, .expect = EINVAL },
	{ .name = "BENCH_PIN: NULL address", .at = AT_NULL, .flags = DR,
	  .length = ET_PAGE, .expect = EFAULT },
	{ .name = "BENCH_PIN: unmapped address", .at = AT_HOLE, .flags = DR,
	  .length = ET_PAGE, .expect = EFAULT },
	{ .name = "BENCH_PIN: kernel address", .at = AT_KADDR, .flags = DR,
	  .length = ET_PAGE, .expect = EFAULT },
	{ .name = "BENCH_PIN: PROT_NONE memory", .at = AT_NONE, .flags = DR,
	  .length = ET_PAGE, .expect = EFAULT },
	{ .name = "BENCH_PIN: read-only memory, DEV_WRITE", .at = AT_RO,
	  .flags = DW, .length = ET_PAGE, .expect = EFAULT },
	{ .name = "BENCH_PIN: read-only memory, DEV_READ (accepted)",
	  .at = AT_RO, .flags = DR, .length = ET_PAGE, .expect = 0 },
	{ .name = "BENCH_PIN: range that runs into an unmapped page",
	  .at = AT_EDGE_100, .flags = DR, .length = ET_PAGE,
	  .expect = EFAULT },
	{ .name = "BENCH_PIN: length 2 TiB", .at = AT_BUF, .flags = DR,
	  .length = 1ULL << 41, .expect = ENOMEM },
};

ET_TABLE_F(badinput, bench_pin, struct bi_mem_row, bench_rows)
{
	const void *addr = (const void *)(uintptr_t)bi_addr(self, row->at, 0);

	BI_EXPECT(et_bench_pin(addr, row->length, row->flags), row->expect,
		  row->name);
}

/* ---- unknown ioctls ----------------------------------------------------- */

struct unknown_row {
	const char *name;
	unsigned long cmd;
	int expect;
};

static const struct unknown_row unknown_rows[] = {
	{ .name = "ioctl: _IO(0xB9, 0x49), the next number",
	  .cmd = _IO(EDUDMA_TYPE, 0x49), .expect = ENOTTY },
	{ .name = "ioctl: _IO(0xB9, 0x3f), below the base",
	  .cmd = _IO(EDUDMA_TYPE, 0x3f), .expect = ENOTTY },
	{ .name = "ioctl: _IO(0xB9, 0xff)", .cmd = _IO(EDUDMA_TYPE, 0xff),
	  .expect = ENOTTY },
	{ .name = "ioctl: GET_INFO's number as _IOWR with a size",
	  .cmd = _IOWR(EDUDMA_TYPE, 0x40, struct edudma_device_info),
	  .expect = ENOTTY },
	{ .name = "ioctl: GET_INFO's number with API 1's type ('E')",
	  .cmd = _IO('E', 0x40), .expect = ENOTTY },
	{ .name = "ioctl: VFIO_GET_API_VERSION (';', 100)",
	  .cmd = _IO(';', 100), .expect = ENOTTY },
	{ .name = "ioctl: TCGETS", .cmd = TCGETS_NR, .expect = ENOTTY },
	{ .name = "ioctl: FIONREAD", .cmd = FIONREAD_NR, .expect = ENOTTY },
	{ .name = "ioctl: 0", .cmd = 0, .expect = ENOTTY },
	{ .name = "ioctl: 0xffffffff", .cmd = 0xffffffffUL, .expect = ENOTTY },
};

/* the number with a valid GET_INFO argument */
ET_TABLE_F(badinput, unknown_ioctl, struct unknown_row, unknown_rows)
{
	void *p = bi_arg(self, IOC_INFO);

	BI_EXPECT(et_ret(ioctl(self->fd, row->cmd, p)), row->expect,
		  row->name);
}

BI_AFTERWARDS
