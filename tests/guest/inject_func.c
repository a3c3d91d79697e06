// SPDX-License-Identifier: GPL-2.0
/*
 * inject_func: each function of the driver that can fail, made to fail
 * (the debug kernel's fail_function on the functions edudma marks with
 * ALLOW_ERROR_INJECTION; only this process's calls fail).  Each row names
 * the function, the error it returns, the call that reaches it and the
 * errno uapi.md promises for that call.  After the failure: that errno,
 * no pin, no VmPin and no VmLck left, no bad kernel log line (the runner
 * checks), and with the injection off the same call succeeds.
 */
#include "edudma_test.h"
#include "et_inject.h"

#define KiB	1024UL
#define DRV	"/sys/bus/pci/drivers/edudma"

static const char *need_injection(void)
{
	const char *why = et_need_device();

	return why ? why : et_inject_missing();
}
ET_PRECONDITION(need_injection)

enum call { REG, ONESHOT_SYNC, ONESHOT_ASYNC, REGISTERED_SYNC,
	    REGISTERED_ASYNC, BIND };

struct row {
	const char *name;
	const char *func;
	int err;	/* what the function returns */
	enum call call;
	int want;	/* what the call must fail with */
};

static const struct row rows[] = {
	{ "reg_charge_enomem", "edudma_charge", ENOMEM, REG, ENOMEM },
	{ "reg_pin_efault", "edudma_pin_pages", EFAULT, REG, EFAULT },
	{ "reg_pin_enomem", "edudma_pin_pages", ENOMEM, REG, ENOMEM },
	{ "reg_sgt_enomem", "edudma_mr_build_sgt", ENOMEM, REG, ENOMEM },
	{ "reg_reach_erange", "edudma_check_reach", ERANGE, REG, ERANGE },
	{ "reg_map_enomem", "edudma_mr_map", ENOMEM, REG, ENOMEM },
	{ "reg_map_eio", "edudma_mr_map", EIO, REG, EIO },
	{ "reg_segs_enomem", "edudma_build_segs", ENOMEM, REG, ENOMEM },
	{ "reg_watch_enomem", "edudma_watch_create", ENOMEM, REG, ENOMEM },
	{ "oneshot_pin_efault", "edudma_pin_pages", EFAULT, ONESHOT_SYNC, EFAULT },
	{ "oneshot_async_pin_efault", "edudma_pin_pages", EFAULT, ONESHOT_ASYNC, EFAULT },
	{ "oneshot_charge_enomem", "edudma_charge", ENOMEM, ONESHOT_SYNC, ENOMEM },
	{ "oneshot_map_eio", "edudma_mr_map", EIO, ONESHOT_ASYNC, EIO },
	{ "submit_enodev", "edudma_engine_submit", ENODEV, REGISTERED_SYNC, ENODEV },
	{ "submit_async_enodev", "edudma_engine_submit", ENODEV, REGISTERED_ASYNC, ENODEV },
	{ "oneshot_submit_enodev", "edudma_engine_submit", ENODEV, ONESHOT_ASYNC, ENODEV },
	{ "reserve_eagain", "edudma_completion_reserve", EAGAIN, REGISTERED_ASYNC, EAGAIN },
	{ "probe_check_hw_eio", "edudma_check_hw", EIO, BIND, EIO },
	{ "probe_irq_enospc", "edudma_irq_setup", ENOSPC, BIND, ENOSPC },
};

struct fx {
	int fd;
	unsigned char *a, *b;
	uint32_t ha, hb;
	char bdf[64];
};

ET_FIXTURE(f) { struct fx x; };

ET_SETUP(f)
{
	struct fx *x = &self->x;

	x->fd = et_open(0, 0);
	ET_ASSERT(x->fd >= 0, "open: %s", strerror(errno));
	x->a = et_map(64 * KiB);
	x->b = et_map(64 * KiB);
	et_fill(x->a, 64 * KiB);
	ET_ASSERT(!et_reg_rw(x->fd, x->a, 64 * KiB, &x->ha) &&
		  !et_reg_rw(x->fd, x->b, 64 * KiB, &x->hb),
		  "REG_MR: %s", strerror(errno));
}

ET_TEARDOWN(f)
{
	et_inject_func_off();
	if (self->x.bdf[0] && !et_dev_of_bdf(self->x.bdf)[0])
		et_file_put(DRV "/bind", self->x.bdf);
	if (self->x.fd >= 0)
		close(self->x.fd);
}

/* One XFER COPY of 8 KiB; 0 or the ioctl's errno, then the record's. */
static int copy(struct fx *x, uint32_t flags)
{
	struct edudma_xfer t = {
		.argsz = sizeof(t), .flags = flags, .op = EDUDMA_OP_COPY,
		.length = 8 * KiB, .cookie = 9,
	};
	struct edudma_completion c;
	int e, got;

	if (flags & EDUDMA_XFER_SRC_PTR)
		t.src = (uintptr_t)x->a;
	else
		t.src_handle = x->ha;
	if (flags & EDUDMA_XFER_DST_PTR)
		t.dst = (uintptr_t)x->b;
	else
		t.dst_handle = x->hb;
	e = et_xfer(x->fd, &t);
	if (e || !(flags & EDUDMA_XFER_ASYNC))
		return e;
	e = et_read_completions(x->fd, &c, 1, &got);
	return e ? e : -c.status;
}

static int run(struct fx *x, enum call call)
{
	const uint32_t ptrs = EDUDMA_XFER_SRC_PTR | EDUDMA_XFER_DST_PTR;
	uint32_t h;
	int e;

	switch (call) {
	case REG:
		e = et_reg_rw(x->fd, x->a, 16 * KiB, &h);
		if (!e)
			et_dereg(x->fd, h);
		return e;
	case ONESHOT_SYNC:
		return copy(x, ptrs);
	case ONESHOT_ASYNC:
		return copy(x, ptrs | EDUDMA_XFER_ASYNC);
	case REGISTERED_SYNC:
		return copy(x, 0);
	case REGISTERED_ASYNC:
		return copy(x, EDUDMA_XFER_ASYNC);
	case BIND:
		return et_file_put(DRV "/bind", x->bdf);
	}
	return EINVAL;
}

ET_TABLE_F(f, inject, struct row, rows)
{
	struct fx *x = &self->x;
	char path[LAB_PATH + 16];
	struct et_acct before;
	int e;

	if (row->call == BIND) {
		const char *why = et_last_device(path, sizeof(path), x->bdf,
						 sizeof(x->bdf));

		ET_ASSERT(!why, "%s", why);
		close(x->fd);	/* its device may be the one unbound */
		x->fd = -1;
		e = et_file_put(DRV "/unbind", x->bdf);
		ET_ASSERT(!e, "unbind %s: %s", x->bdf, et_errno_name(e));
	}
	et_acct_now(&before);
	e = et_inject_func(row->func, row->err);
	ET_ASSERT(!e, "fail_function on %s: %s (is it in %s?)", row->func,
		  et_errno_name(e), "/sys/kernel/debug/fail_function/injectable");
	e = run(x, row->call);
	et_inject_func_off();
	ET_EXPECT_ERRNO(e, row->want, row->name);
	et_acct_expect(&before, row->name);

	e = run(x, row->call);
	ET_EXPECT_ERRNO(e, 0, "the same call with the injection off");
	if (row->call == BIND) {
		for (int i = 0; i < 200 && !et_dev_of_bdf(x->bdf)[0]; i++)
			usleep(10000);
		et_expect_copy_every_device("after the failed probe");
	} else {
		ET_EXPECT(et_diff(x->b, x->a, 8 * KiB) < 0 || row->call == REG,
			  "the data of the copy with the injection off");
	}
}
