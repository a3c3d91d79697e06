/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's tracepoints (Documentation/tracing.md) read through tracefs,
 * for tests and tools: a private trace instance (its own buffer and event
 * switches, so two readers never disturb each other or a user's tracing),
 * the edudma events switched on in it, and its buffer read back as parsed
 * events.  Compiled once (common/edudma_tracefs.c).
 */
#ifndef EDUDMA_TRACEFS_H
#define EDUDMA_TRACEFS_H

#include <stddef.h>
#include <stdint.h>

#define ED_TRACE_PATH	512
#define ED_TRACE_FIELDS	384

/* One event of the buffer, as the trace file prints it. */
struct ed_trace_event {
	double ts;			/* seconds, the buffer's clock */
	int cpu;
	char name[48];			/* edudma_dma_issue, ... */
	char fields[ED_TRACE_FIELDS];	/* "dev=edudma0 req=3 ..." */
};

/*
 * tracefs' root: /sys/kernel/tracing, mounted there if it is not yet; ""
 * with errno set when the kernel has no tracefs.
 */
const char *ed_tracefs_root(void);

/*
 * Makes the instance NAME (its folder into dir, dirlen bytes); 0 or the
 * errno.  An instance of that name left by an earlier run is reused.
 */
int ed_trace_instance(const char *name, char *dir, size_t dirlen);

/* Removes an instance (its events switched off first); 0 or the errno. */
int ed_trace_instance_remove(const char *dir);

/*
 * Switches one edudma event (NULL: all of them) on or off in the instance
 * dir; 0 or the errno (ENOENT: no such event, the module is not loaded or
 * the kernel has no event tracing).
 */
int ed_trace_enable(const char *dir, const char *event, int on);

/* Empties the instance's buffer; 0 or the errno. */
int ed_trace_clear(const char *dir);

/*
 * Reads the instance's buffer and calls fn for each edudma event in it, in
 * time order; returns how many there were, or -errno.  fn returns nonzero
 * to stop early.
 */
long ed_trace_read(const char *dir,
		   int (*fn)(const struct ed_trace_event *ev, void *arg),
		   void *arg);

/* The value of key=VALUE in ev's fields as a number (0x... too); 0 or ENOENT. */
int ed_trace_u64(const struct ed_trace_event *ev, const char *key,
		 uint64_t *val);
int ed_trace_s64(const struct ed_trace_event *ev, const char *key,
		 int64_t *val);

/* ... as a string, into buf; 0, ENOENT, or ENAMETOOLONG. */
int ed_trace_str(const struct ed_trace_event *ev, const char *key, char *buf,
		 size_t len);

#endif /* EDUDMA_TRACEFS_H */
