// SPDX-License-Identifier: GPL-2.0
/*
 * faults_exec: exec with the file open, with and without O_CLOEXEC.  A
 * child opens the device, registers 2 x 128 KiB, queues 4 async COPYs and
 * execs /bin/true or /bin/sleep 1: the pins are held across the exec
 * (without O_CLOEXEC) or dropped at it (with), and everything comes back
 * when the new program exits.  Each variant is two cases: one looks at
 * the program's run, the other at what is left after it.
 */
#include "faults.h"

ET_PRECONDITION(et_need_device)

#define EX_SIZE		(256 * KiB)
#define EX_PINS		((long long)(EX_SIZE / ET_PAGE))

enum ex_check {
	EX_WHILE_IT_RUNS,	/* exec'd and exited 0, pins held without cloexec */
	EX_AFTER_IT_EXITS,	/* then everything is back */
};

struct ex_row {
	const char *name;
	int cloexec;		/* the device file is opened O_CLOEXEC */
	const char *prog, *arg;
	enum ex_check check;
};

static const struct ex_row ex_rows[] = {
	{ .name = "exec_true_holds_the_pins_while_it_runs",
	  .prog = "/bin/true", .check = EX_WHILE_IT_RUNS, },
	{ .name = "exec_true_gives_everything_back_when_it_exits",
	  .prog = "/bin/true", .check = EX_AFTER_IT_EXITS, },
	{ .name = "exec_true_with_O_CLOEXEC_runs",
	  .cloexec = 1, .prog = "/bin/true", .check = EX_WHILE_IT_RUNS, },
	{ .name = "exec_true_with_O_CLOEXEC_gives_everything_back_when_it_exits",
	  .cloexec = 1, .prog = "/bin/true", .check = EX_AFTER_IT_EXITS, },
	{ .name = "exec_sleep_1_holds_the_pins_while_it_runs",
	  .prog = "/bin/sleep", .arg = "1", .check = EX_WHILE_IT_RUNS, },
	{ .name = "exec_sleep_1_gives_everything_back_when_it_exits",
	  .prog = "/bin/sleep", .arg = "1", .check = EX_AFTER_IT_EXITS, },
	{ .name = "exec_sleep_1_with_O_CLOEXEC_runs",
	  .cloexec = 1, .prog = "/bin/sleep", .arg = "1",
	  .check = EX_WHILE_IT_RUNS, },
	{ .name = "exec_sleep_1_with_O_CLOEXEC_gives_everything_back_when_it_exits",
	  .cloexec = 1, .prog = "/bin/sleep", .arg = "1",
	  .check = EX_AFTER_IT_EXITS, },
};

/* The child: the file, the registrations, the COPYs, the exec. */
static void __attribute__((noreturn)) ex_child(const struct ex_row *row)
{
	const char *path = et_dev_path(0);
	unsigned char *A = et_map(EX_SIZE);
	int f = path ? open(path, O_RDWR | (row->cloexec ? O_CLOEXEC : 0)) : -1;
	uint32_t ha, hb;

	if (f < 0 || !A)
		_exit(2);
	et_fill(A, EX_SIZE);
	if (et_reg_rw(f, A, EX_SIZE / 2, &ha) ||
	    et_reg_rw(f, A + EX_SIZE / 2, EX_SIZE / 2, &hb))
		_exit(2);
	for (int i = 0; i < 4; i++) {
		struct edudma_xfer x = {
			.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
			.length = 8 * KiB, .cookie = i,
			.src_handle = ha, .src = i * 8 * KiB,
			.dst_handle = hb, .dst = i * 8 * KiB,
		};
		if (et_xfer(f, &x))
			_exit(2);
	}
	execl(row->prog, row->prog, row->arg, (char *)NULL);
	/* without /bin/ */
	execlp(row->prog + 5, row->prog + 5, row->arg, (char *)NULL);
	_exit(127);
}

ET_TABLE(exec_with_the_file_open, struct ex_row, ex_rows)
{
	const char *how = row->cloexec ? " (O_CLOEXEC)" : "";
	int p[2], status = 0, n, held_ok;
	struct fl_base b;
	long long held;
	char c, why[200];
	pid_t pid;

	fl_base_take(&b, 1);
	ET_ASSERT(!pipe2(p, O_CLOEXEC), "pipe: %s", strerror(errno));
	pid = fork();
	ET_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		ex_child(row);
	}
	close(p[1]);
	n = (int)read(p[0], &c, 1);	/* EOF at the exec (or the exit) */
	close(p[0]);
	held = et_pins() - b.pins;
	/* without O_CLOEXEC the new program holds the file and its pins */
	held_ok = row->cloexec ? 1 : held == EX_PINS;
	waitpid(pid, &status, 0);
	if (row->check == EX_WHILE_IT_RUNS)
		ET_EXPECT(n == 0 && WIFEXITED(status) &&
			  WEXITSTATUS(status) == 0 && held_ok,
			  "exec%s of %s %s after 2 x 128 KiB registered and 4 async COPYs queued: %s (expected exited 0), pins %+lld while it ran%s",
			  how, row->prog, row->arg ? row->arg : "",
			  et_status_str(status), held,
			  held_ok ? "" : ", expected them held");
	else
		ET_EXPECT(fl_counters_back(&b, why, sizeof(why)),
			  "exec%s of %s (the child %s): after the program exited: %s",
			  how, row->prog, et_status_str(status), why);
	fl_base_close(&b);
}
