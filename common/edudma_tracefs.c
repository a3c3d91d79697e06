// SPDX-License-Identifier: GPL-2.0
/*
 * edudma_tracefs.c: the driver's tracepoints read through a trace instance
 * of tracefs (edudma_tracefs.h says what each function does).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edudma_tracefs.h"

#define TRACEFS "/sys/kernel/tracing"

const char *ed_tracefs_root(void)
{
	struct stat st;

	if (!stat(TRACEFS "/instances", &st))
		return TRACEFS;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return "";
	if (stat(TRACEFS "/instances", &st))
		return "";
	return TRACEFS;
}

/* Writes text to path; 0 or the errno. */
static int put(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;
	int e;

	if (fd < 0)
		return errno;
	n = write(fd, text, len);
	e = n < 0 ? errno : (size_t)n == len ? 0 : EIO;
	close(fd);
	return e;
}

int ed_trace_instance(const char *name, char *dir, size_t dirlen)
{
	const char *root = ed_tracefs_root();
	char path[ED_TRACE_PATH];

	if (!root[0])
		return errno ? errno : ENOENT;
	if ((size_t)snprintf(dir, dirlen, "%s/instances/%s", root, name) >=
	    dirlen)
		return ENAMETOOLONG;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return errno;
	/* room for a few hundred thousand events on each CPU */
	snprintf(path, sizeof(path), "%s/buffer_size_kb", dir);
	put(path, "8192");
	return 0;
}

int ed_trace_instance_remove(const char *dir)
{
	ed_trace_enable(dir, NULL, 0);
	return rmdir(dir) ? errno : 0;
}

int ed_trace_enable(const char *dir, const char *event, int on)
{
	char path[ED_TRACE_PATH];

	if (event)
		snprintf(path, sizeof(path), "%s/events/edudma/%s/enable", dir,
			 event);
	else
		snprintf(path, sizeof(path), "%s/events/edudma/enable", dir);
	return put(path, on ? "1" : "0");
}

int ed_trace_clear(const char *dir)
{
	char path[ED_TRACE_PATH];

	snprintf(path, sizeof(path), "%s/trace", dir);
	return put(path, "");
}

/*
 * One line of the trace file:
 *   COMM-PID  [CPU] FLAGS  SECONDS: EVENT: FIELDS
 * 0 when it is an edudma event (parsed into ev), -1 otherwise.
 */
static int parse_line(char *line, struct ed_trace_event *ev)
{
	char *p = strstr(line, ": edudma_"), *q, *colon, *nl;
	size_t n;

	if (!p || line[0] == '#')
		return -1;
	*p = 0;
	q = strrchr(line, ' ');
	ev->ts = strtod(q ? q + 1 : line, NULL);
	q = strrchr(line, '[');
	ev->cpu = q ? atoi(q + 1) : -1;
	p += 2;
	colon = strchr(p, ':');
	if (!colon)
		return -1;
	n = (size_t)(colon - p);
	if (n >= sizeof(ev->name))
		return -1;
	memcpy(ev->name, p, n);
	ev->name[n] = 0;
	p = colon + 1;
	while (*p == ' ')
		p++;
	nl = strchr(p, '\n');
	if (nl)
		*nl = 0;
	snprintf(ev->fields, sizeof(ev->fields), "%s", p);
	return 0;
}

long ed_trace_read(const char *dir,
		   int (*fn)(const struct ed_trace_event *ev, void *arg),
		   void *arg)
{
	char path[ED_TRACE_PATH], line[1024];
	struct ed_trace_event ev;
	long count = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (parse_line(line, &ev))
			continue;
		count++;
		if (fn(&ev, arg))
			break;
	}
	fclose(f);
	return count;
}

/* The start of key's value in ev's fields ("key=" at a word start), or NULL. */
static const char *find(const struct ed_trace_event *ev, const char *key)
{
	size_t klen = strlen(key);
	const char *p = ev->fields;

	while ((p = strstr(p, key))) {
		if ((p == ev->fields || p[-1] == ' ') && p[klen] == '=')
			return p + klen + 1;
		p += klen;
	}
	return NULL;
}

int ed_trace_u64(const struct ed_trace_event *ev, const char *key,
		 uint64_t *val)
{
	const char *v = find(ev, key);

	if (!v)
		return ENOENT;
	*val = strtoull(v, NULL, 0);
	return 0;
}

int ed_trace_s64(const struct ed_trace_event *ev, const char *key,
		 int64_t *val)
{
	const char *v = find(ev, key);

	if (!v)
		return ENOENT;
	*val = strtoll(v, NULL, 0);
	return 0;
}

int ed_trace_str(const struct ed_trace_event *ev, const char *key, char *buf,
		 size_t len)
{
	const char *v = find(ev, key);
	size_t n;

	if (!v)
		return ENOENT;
	n = strcspn(v, " ");
	if (n >= len)
		return ENAMETOOLONG;
	memcpy(buf, v, n);
	buf[n] = 0;
	return 0;
}
