// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_limits: the budgets a file's calls run into.  The module
 * parameters max_regions, max_pinned_mb (set to 1, and its default) and
 * max_inflight for REG_MR, one-shot XFERs and ASYNC submissions, and, as
 * the unprivileged user nobody, RLIMIT_MEMLOCK (REG_MR and one-shot XFER)
 * and BENCH_PIN.  Each row expects the errno include/uapi/linux/edudma.h
 * documents; the fixture is badinput.h's.
 */
#include "badinput.h"

BI_PROGRAM

/* The call a row makes once its limit is in place. */
enum limit_op {
	OP_REG_PAGE_ON_FDA,	/* fda already has one region */
	OP_REG_2M_ON_FDA,
	OP_COPY_PTR_2M,		/* both sides one-shot */
	OP_REG_OVER_DEFAULT,	/* max_pinned_mb + 1 MiB */
	OP_COPY_PTR_OVER_DEFAULT,
	OP_NOBODY_BENCH_PIN,	/* as nobody, RLIMIT_MEMLOCK 64 KiB: */
	OP_NOBODY_REG_OVER,	/* 124 KiB */
	OP_NOBODY_COPY_PTR_OVER,	/* 2 x 40 KiB */
	OP_NOBODY_REG_UNDER,	/* 16 KiB */
};

struct limit_row {
	const char *name;
	int (*call)(struct et_fx_badinput *self, const struct limit_row *row);
	const char *param;	/* limit_param(): set to 1 for the call */
	enum limit_op op;
	int expect;
};

static int limit_do(struct et_fx_badinput *self, enum limit_op op)
{
	struct edudma_reg_mr r;
	long mb = 0;
	int e;

	switch (op) {
	case OP_REG_PAGE_ON_FDA:
		return et_reg(self->fda, self->buf, ET_PAGE, ET_RW, NULL);
	case OP_REG_2M_ON_FDA:
		return et_reg(self->fda, self->big2m, 2 << 20, DR, NULL);
	case OP_COPY_PTR_2M:
		/* a registered side would fail its range first */
		return et_copy_ptr(self->fd, self->big2m, self->big2m,
				   2 << 20);
	case OP_REG_OVER_DEFAULT:
	case OP_COPY_PTR_OVER_DEFAULT:
		if (et_param_get("max_pinned_mb", &mb))
			ET_SKIP("no module parameter");
		if (op == OP_COPY_PTR_OVER_DEFAULT)
			return et_copy_ptr(self->fd, self->buf, self->buf,
					((uint64_t)mb + 1) << 20);
		return et_reg(self->fd, self->buf, ((uint64_t)mb + 1) << 20,
			      DR, NULL);
	case OP_NOBODY_BENCH_PIN:
		return et_bench_pin(self->buf, ET_PAGE, DR);
	case OP_NOBODY_REG_OVER:
		return et_reg(self->fd, self->buf, 128 * 1024 - 4096, DR, &r);
	case OP_NOBODY_COPY_PTR_OVER:
		return et_copy_ptr(self->fd, self->buf,
				   self->buf + 40 * 1024, 40 * 1024);
	case OP_NOBODY_REG_UNDER:
		e = et_reg(self->fd, self->buf, 16 * 1024, DR, &r);
		if (!e)
			et_dereg(self->fd, r.handle);
		return e;
	}
	return EPROTO;
}

/* row->param set to 1 for the call, then put back */
static int limit_param(struct et_fx_badinput *self,
		       const struct limit_row *row)
{
	long old = 0;
	int e;

	if (et_param_get(row->param, &old))
		ET_SKIP("no module parameter %s", row->param);
	if (et_param_set(row->param, 1))
		ET_SKIP("cannot write the module parameter %s", row->param);
	e = limit_do(self, row->op);
	et_param_set(row->param, old);
	return e;
}

/* the call at the parameter's default */
static int limit_default(struct et_fx_badinput *self,
			 const struct limit_row *row)
{
	return limit_do(self, row->op);
}

static int drop_to_nobody(void)
{
	return setgroups(0, NULL) == 0 && setgid(65534) == 0 &&
	       setuid(65534) == 0;
}

/*
 * The call in a child that drops to nobody with RLIMIT_MEMLOCK 64 KiB; it
 * inherits the fixture's files (opened by root) and exits with the errno.
 */
static int limit_nobody(struct et_fx_badinput *self,
			const struct limit_row *row)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		ET_SKIP("fork failed");
	if (pid == 0) {
		struct rlimit rl = { 64 * 1024, 64 * 1024 };

		if (setrlimit(RLIMIT_MEMLOCK, &rl) || !drop_to_nobody())
			_exit(250);
		_exit(limit_do(self, row->op));
	}
	waitpid(pid, &status, 0);
	ET_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) < 250,
		  "%s: the child as nobody %s", row->name,
		  et_status_str(status));
	return WEXITSTATUS(status);
}

/* max_inflight 1: the second asynchronous submission is refused */
static int limit_inflight(struct et_fx_badinput *self,
			  const struct limit_row *row)
{
	struct edudma_xfer x = {
		.op = EDUDMA_OP_TO_DEV, .flags = EDUDMA_XFER_ASYNC,
		.length = 1, .cookie = 7,
	};
	struct edudma_completion rec;
	uint32_t h;
	long old = 0;
	int e, e1;

	if (et_param_get(row->param, &old) || et_param_set(row->param, 1))
		ET_SKIP("cannot set %s", row->param);
	bi_reg(self->fdn, self->buf, ET_PAGE, ET_RW, &h);
	x.src_handle = h;
	e1 = et_xfer(self->fdn, &x);
	x.cookie = 8;
	e = et_xfer(self->fdn, &x);
	et_param_set(row->param, old);
	ET_EXPECT_ERRNO(e1, 0, "the first ASYNC submission");
	/* collect what was queued */
	for (int i = (e1 == 0) + (e == 0); i > 0; i--) {
		struct pollfd p = { .fd = self->fdn, .events = POLLIN };

		poll(&p, 1, 10000);
		if (read(self->fdn, &rec, sizeof(rec)) != sizeof(rec))
			break;
	}
	et_dereg(self->fdn, h);
	return e;
}

static const struct limit_row limit_rows[] = {
	{ .name = "REG_MR: max_regions reached", .call = limit_param,
	  .param = "max_regions", .op = OP_REG_PAGE_ON_FDA,
	  .expect = ENOSPC },
	{ .name = "REG_MR: over max_pinned_mb (set to 1, 2 MiB)",
	  .call = limit_param, .param = "max_pinned_mb",
	  .op = OP_REG_2M_ON_FDA, .expect = ENOSPC },
	{ .name = "REG_MR: over the default max_pinned_mb",
	  .call = limit_default, .op = OP_REG_OVER_DEFAULT,
	  .expect = ENOSPC },
	{ .name = "REG_MR: over RLIMIT_MEMLOCK as nobody",
	  .call = limit_nobody, .op = OP_NOBODY_REG_OVER, .expect = ENOMEM },
	{ .name = "REG_MR: under RLIMIT_MEMLOCK as nobody (accepted)",
	  .call = limit_nobody, .op = OP_NOBODY_REG_UNDER, .expect = 0 },
	{ .name = "XFER: one-shot side over max_pinned_mb (set to 1, 2 MiB)",
	  .call = limit_param, .param = "max_pinned_mb",
	  .op = OP_COPY_PTR_2M, .expect = ENOSPC },
	{ .name = "XFER: one-shot side over the default max_pinned_mb",
	  .call = limit_default, .op = OP_COPY_PTR_OVER_DEFAULT,
	  .expect = ENOSPC },
	{ .name = "XFER: one-shot sides over RLIMIT_MEMLOCK as nobody",
	  .call = limit_nobody, .op = OP_NOBODY_COPY_PTR_OVER,
	  .expect = ENOMEM },
	{ .name = "XFER: ASYNC past max_inflight (set to 1)",
	  .call = limit_inflight, .param = "max_inflight", .expect = EAGAIN },
	{ .name = "BENCH_PIN: as nobody", .call = limit_nobody,
	  .op = OP_NOBODY_BENCH_PIN, .expect = EPERM },
};

ET_TABLE_F(badinput, limits, struct limit_row, limit_rows)
{
	BI_EXPECT(row->call(self, row), row->expect, row->name);
}

BI_AFTERWARDS
