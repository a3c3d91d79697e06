// SPDX-License-Identifier: GPL-2.0
/*
 * edudma-trace: runs a command with the driver's trace events on, in a
 * trace instance of its own, and prints the events it caused, one a line:
 *
 *	PREFIX SECONDS CPU EVENT FIELDS
 *
 * For machines without trace-cmd or perf (the lab's guest); where they
 * exist, `trace-cmd record -e edudma` does the same
 * (Documentation/tracing.md).  bench/timeline draws its output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edudma_tracefs.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: edudma-trace [-e EVENT[,EVENT...]] [-p PREFIX] [-o FILE] -- COMMAND [ARG...]\n"
		"Runs COMMAND with the edudma trace events on (all of them, or the\n"
		"ones -e names, e.g. -e edudma_dma_issue,edudma_dma_done) and prints\n"
		"each event it caused as 'PREFIX SECONDS CPU EVENT FIELDS' (PREFIX\n"
		"defaults to @trace) to FILE or standard output.\n"
		"Exit status: COMMAND's, or 2 when tracing could not be set up.\n");
}

struct out {
	FILE *f;
	const char *prefix;
};

static int print_event(const struct ed_trace_event *ev, void *arg)
{
	const struct out *o = arg;

	fprintf(o->f, "%s %.6f %d %s %s\n", o->prefix, ev->ts, ev->cpu,
		ev->name, ev->fields);
	return 0;
}

/* Switches on the events of the list (NULL: all); 0 or the errno. */
static int enable(const char *dir, char *list)
{
	char *tok, *save = NULL;
	int e;

	if (!list)
		return ed_trace_enable(dir, NULL, 1);
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		e = ed_trace_enable(dir, tok, 1);
		if (e) {
			fprintf(stderr, "edudma-trace: event %s: %s\n", tok,
				strerror(e));
			return e;
		}
	}
	return 0;
}

/* Runs argv; its exit status (128 + signal when killed). */
static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("edudma-trace: fork");
		return 2;
	}
	if (!pid) {
		execvp(argv[0], argv);
		fprintf(stderr, "edudma-trace: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	struct out o = { stdout, "@trace" };
	char dir[ED_TRACE_PATH], name[64], *events = NULL;
	const char *file = NULL;
	int opt, e, status;
	long n;

	while ((opt = getopt(argc, argv, "+e:p:o:h")) != -1) {
		switch (opt) {
		case 'e': events = optarg; break;
		case 'p': o.prefix = optarg; break;
		case 'o': file = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (file && !(o.f = fopen(file, "w"))) {
		fprintf(stderr, "edudma-trace: %s: %s\n", file, strerror(errno));
		return 2;
	}
	snprintf(name, sizeof(name), "edudma-trace-%d", (int)getpid());
	e = ed_trace_instance(name, dir, sizeof(dir));
	if (e) {
		fprintf(stderr, "edudma-trace: a trace instance: %s (tracefs at /sys/kernel/tracing?)\n",
			strerror(e));
		return 2;
	}
	e = ed_trace_clear(dir);
	if (!e)
		e = enable(dir, events);
	if (e) {
		fprintf(stderr, "edudma-trace: switching the events on: %s (is edudma loaded?)\n",
			strerror(e));
		ed_trace_instance_remove(dir);
		return 2;
	}
	status = run(argv + optind);
	ed_trace_enable(dir, NULL, 0);
	n = ed_trace_read(dir, print_event, &o);
	if (n < 0)
		fprintf(stderr, "edudma-trace: reading the trace: %s\n",
			strerror((int)-n));
	if (o.f != stdout)
		fclose(o.f);
	ed_trace_instance_remove(dir);
	return n < 0 ? 2 : status;
}
