/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stress_child.h: edudma-stress run in a child process, its stdout and
 * stderr in a pipe (stress_short, replug_guest).
 */
#ifndef STRESS_CHILD_H
#define STRESS_CHILD_H

#include <signal.h>

#include "edudma_test.h"

/*
 * Starts edudma-stress with the arguments given (a NULL-terminated list)
 * and returns its pid, with *out reading what it prints; -1 with errno on
 * failure.  An exec failure shows as exit 127 and a line in *out.
 */
static inline pid_t et_stress_start(FILE **out, const char *arg, ...)
{
	const char *argv[32] = { "edudma-stress", arg };
	int p[2], n = 1, e;
	va_list ap;
	pid_t pid;

	va_start(ap, arg);
	while (argv[n] && n < 30)
		argv[++n] = va_arg(ap, const char *);
	va_end(ap);
	argv[n] = NULL;
	if (pipe(p))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], (char *const *)argv);
		printf("exec edudma-stress: %s\n", strerror(errno));
		_exit(127);
	}
	e = errno;
	close(p[1]);
	*out = pid > 0 ? fdopen(p[0], "r") : NULL;
	if (!*out) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		close(p[0]);
		errno = pid > 0 ? ENOMEM : e;
		return -1;
	}
	return pid;
}

#endif /* STRESS_CHILD_H */
