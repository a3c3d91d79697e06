/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stale-registration tests share (stale.c: what makes a pinned
 * registration stale and what does not; stale_queue.c: the event queue).
 */
#ifndef STALE_H
#define STALE_H

#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "edudma_test.h"

#define ST_PAGES	16
#define ST_LEN		(ST_PAGES * ET_PAGE)

/* EDUDMA_GET_EVENTS into ev[max]; the count, or -errno.  pending may be NULL. */
static inline int st_events(int fd, struct edudma_event *ev, unsigned int max,
			    unsigned int *pending)
{
	struct edudma_get_events g = {
		.argsz = sizeof(g), .count = max, .events = (uintptr_t)ev,
	};

	if (ioctl(fd, EDUDMA_GET_EVENTS, &g) < 0)
		return -errno;
	if (pending)
		*pending = g.pending;
	return (int)g.count;
}

/* munmap() of [m, +len) and a new anonymous mapping there: 0, or -1. */
static inline int st_replace(void *m, size_t len)
{
	if (munmap(m, len))
		return -1;
	return mmap(m, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == m ? 0 : -1;
}

/* The counter name of fd's device, through GET_STATS. */
#define ST_STAT(fd, name) ({						\
	struct edudma_stats st_ = { .argsz = sizeof(st_) };		\
	et_stats(fd, &st_) ? 0ULL : (unsigned long long)st_.name;	\
})

/*
 * One TO_DEV of the registration's first bytes, read back through a
 * one-shot FROM_DEV: 0 with the program's bytes at addr seen by the
 * device, the errno of the TO_DEV, or -1 when the bytes differ.
 */
static inline int st_device_sees(int fd, uint32_t h, const unsigned char *addr)
{
	unsigned char back[ET_MAX_XFER];
	int e = et_to_dev(fd, h, 0, 0, ET_MAX_XFER);

	if (e)
		return e;
	memset(back, 0, sizeof(back));
	e = et_from_dev_ptr(fd, back, 0, ET_MAX_XFER);
	if (e)
		return e;
	return memcmp(back, addr, ET_MAX_XFER) ? -1 : 0;
}

/* Exactly one STALE record for (h, addr, len) waits, and nothing else. */
static inline void st_expect_one_stale(int fd, uint32_t h, const void *addr,
				       uint64_t len, const char *what)
{
	struct edudma_event ev[4];
	unsigned int pending = 99;
	int n = st_events(fd, ev, 4, &pending);

	ET_EXPECT(n == 1 && pending == 0, "%s: GET_EVENTS gave %d records (%s), %u pending; expected 1, 0",
		  what, n, et_errno_name(n < 0 ? -n : 0), pending);
	if (n < 1)
		return;
	ET_EXPECT(ev[0].type == EDUDMA_EVENT_STALE && ev[0].handle == h &&
		  ev[0].addr == (uintptr_t)addr && ev[0].length == len,
		  "%s: record type %u handle %u addr %#llx length %llu; expected STALE %u %p %llu",
		  what, ev[0].type, ev[0].handle,
		  (unsigned long long)ev[0].addr,
		  (unsigned long long)ev[0].length, h, addr,
		  (unsigned long long)len);
	n = st_events(fd, ev, 4, &pending);
	ET_EXPECT(n == 0 && pending == 0,
		  "%s: a second GET_EVENTS gave %d records, %u pending; expected none",
		  what, n, pending);
}

static inline void st_expect_no_event(int fd, const char *what)
{
	struct edudma_event ev[4];
	unsigned int pending = 99;
	int n = st_events(fd, ev, 4, &pending);

	ET_EXPECT(n == 0 && pending == 0,
		  "%s: GET_EVENTS gave %d records (type %u), %u pending; expected none",
		  what, n, n > 0 ? ev[0].type : 0, pending);
}

#endif /* STALE_H */
