// SPDX-License-Identifier: GPL-2.0
/*
 * stale_queue: the file's queue of stale events (EDUDMA_GET_EVENTS).  One
 * record per stale registration, oldest first, handed out once; DEREG_MR
 * drops a queued one; a full queue (max_events) gives one LOST record
 * first and never loses a registration's ESTALE; poll() reports EPOLLPRI
 * and the eventfd counts each record, without GET_EVENTS being called;
 * bad arguments get their errno and lose nothing.  Then a thousand rounds
 * of registrations replaced or not at random, each event checked against
 * what was done, and munmap raced against transfers in flight.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define ET_DEFAULT_TIMEOUT 300

#include "stale.h"

ET_PRECONDITION(et_need_device)

/* n one-page registrations at pages[i]; their handles in h[]. */
static void reg_pages(int fd, unsigned char **pages, uint32_t *h, int n)
{
	struct edudma_reg_mr r;

	for (int i = 0; i < n; i++) {
		pages[i] = et_map(ET_PAGE);
		ET_ASSERT(pages[i], "out of memory");
		pages[i][0] = (unsigned char)i;
		ET_ASSERT_ERRNO(et_reg(fd, pages[i], ET_PAGE, ET_RW, &r), 0,
				"REG_MR");
		h[i] = r.handle;
	}
}

/* munmap + mmap anew of pages[i], for each i in order. */
static void replace(unsigned char **pages, int n)
{
	for (int i = 0; i < n; i++)
		ET_ASSERT(!st_replace(pages[i], ET_PAGE), "munmap + mmap anew");
}

ET_TEST(one_record_per_registration_in_order_and_DEREG_drops_a_queued_one)
{
	unsigned char *p[4];
	struct edudma_event ev[8];
	unsigned int pending = 0;
	uint32_t h[4];
	int fd = et_open(0, 0), n;

	ET_ASSERT(fd >= 0, "open");
	reg_pages(fd, p, h, 4);
	replace(p, 4);
	/* a transfer on each finds it stale first (the order of the queue) */
	for (int i = 0; i < 4; i++)
		ET_EXPECT_ERRNO(et_to_dev(fd, h[i], 0, 0, 8), ESTALE, "TO_DEV");
	n = st_events(fd, ev, 1, &pending);
	ET_EXPECT(n == 1 && pending == 3 && ev[0].handle == h[0],
		  "GET_EVENTS count 1: %d records (handle %u), %u pending; expected 1 (%u), 3",
		  n, n > 0 ? ev[0].handle : 0, pending, h[0]);
	ET_EXPECT_ERRNO(et_dereg(fd, h[1]), 0, "DEREG_MR of the second");
	n = st_events(fd, ev, 8, &pending);
	ET_EXPECT(n == 2 && pending == 0 && ev[0].handle == h[2] &&
		  ev[1].handle == h[3],
		  "then: %d records (%u, %u), %u pending; expected %u, %u",
		  n, ev[0].handle, ev[1].handle, pending, h[2], h[3]);
	for (int i = 0; i < 4; i++)
		if (i != 1)
			ET_EXPECT_ERRNO(et_to_dev(fd, h[i], 0, 0, 8), ESTALE,
					"TO_DEV again");
	st_expect_no_event(fd, "after the ESTALEs again");
	n = st_events(fd, NULL, 0, &pending);
	ET_EXPECT(n == 0 && pending == 0, "count 0: %d, pending %u", n, pending);
	close(fd);
}

ET_TEST(a_full_queue_gives_one_LOST_record_first_and_every_ESTALE_holds)
{
	unsigned char *p[6];
	struct edudma_event ev[8];
	unsigned int pending = 0;
	long old = 0;
	uint32_t h[6];
	int fd, n;

	ET_ASSERT(!et_param_get("max_events", &old), "max_events unreadable");
	ET_ASSERT(!et_param_set("max_events", 2), "max_events not writable");
	fd = et_open(0, 0);
	ET_ASSERT(fd >= 0, "open");
	reg_pages(fd, p, h, 6);
	replace(p, 6);
	n = st_events(fd, ev, 8, &pending);
	et_param_set("max_events", old);
	ET_EXPECT(n == 3 && pending == 0, "%d records, %u pending; expected 3, 0",
		  n, pending);
	ET_EXPECT(n >= 1 && ev[0].type == EDUDMA_EVENT_LOST &&
		  ev[0].handle == 0 && ev[0].addr == 0 && ev[0].length == 0,
		  "first record: type %u handle %u; expected LOST 0",
		  ev[0].type, ev[0].handle);
	for (int i = 1; i < n; i++)
		ET_EXPECT(ev[i].type == EDUDMA_EVENT_STALE,
			  "record %d: type %u", i, ev[i].type);
	for (int i = 0; i < 6; i++)
		ET_EXPECT_ERRNO(et_to_dev(fd, h[i], 0, 0, 8), ESTALE,
				"TO_DEV on each of the six");
	st_expect_no_event(fd, "after the LOST record");
	close(fd);
}

ET_TEST(poll_reports_EPOLLPRI_and_the_eventfd_counts_without_GET_EVENTS)
{
	unsigned char *p[2];
	struct pollfd pf;
	uint64_t v = 0;
	uint32_t h[2];
	int fd = et_open(0, 0), efd = eventfd(0, EFD_NONBLOCK), n;

	ET_ASSERT(fd >= 0 && efd >= 0, "open, eventfd");
	ET_ASSERT_ERRNO(et_set_eventfd(fd, efd), 0, "SET_EVENTFD");
	reg_pages(fd, p, h, 2);
	pf = (struct pollfd){ .fd = fd, .events = POLLPRI };
	ET_EXPECT(poll(&pf, 1, 0) == 0, "POLLPRI before any event");
	replace(p, 2);
	/* the driver's work item finds them: nobody asks */
	for (int t = 0; t < 100; t++) {
		usleep(20000);
		if (read(efd, &v, sizeof(v)) == sizeof(v) && v) {
			uint64_t more = 0;

			usleep(100000);
			if (read(efd, &more, sizeof(more)) == sizeof(more))
				v += more;
			break;
		}
	}
	ET_EXPECT(v == 2, "eventfd counted %llu, expected 2",
		  (unsigned long long)v);
	n = poll(&pf, 1, 2000);
	ET_EXPECT(n == 1 && (pf.revents & POLLPRI), "poll: %d, revents %#x",
		  n, pf.revents);
	ET_EXPECT(st_events(fd, (struct edudma_event[2]){ 0 }, 2, NULL) == 2,
		  "GET_EVENTS: not two records");
	ET_EXPECT(poll(&pf, 1, 0) == 0, "POLLPRI still reported after GET_EVENTS");
	close(fd);
	close(efd);
}

ET_TEST(bad_arguments_get_their_errno_and_lose_no_record)
{
	struct edudma_get_events g = { .argsz = sizeof(g) };
	struct edudma_event ev[2];
	unsigned char *p[1];
	uint32_t h[1];
	int fd = et_open(0, 0);

	ET_ASSERT(fd >= 0, "open");
	reg_pages(fd, p, h, 1);
	replace(p, 1);
	g.flags = 1;
	ET_EXPECT_ERRNO(et_ret(ioctl(fd, EDUDMA_GET_EVENTS, &g)), EINVAL,
			"flags 1");
	g.flags = 0;
	g.argsz = offsetof(struct edudma_get_events, events);
	ET_EXPECT_ERRNO(et_ret(ioctl(fd, EDUDMA_GET_EVENTS, &g)), EINVAL,
			"argsz short of events");
	g.argsz = sizeof(g);
	g.count = 2;
	g.events = 0x1000;
	ET_EXPECT_ERRNO(et_ret(ioctl(fd, EDUDMA_GET_EVENTS, &g)), EFAULT,
			"events at an unmapped address");
	ET_EXPECT_ERRNO(et_ret(ioctl(fd, EDUDMA_GET_EVENTS, (void *)8)), EFAULT,
			"the struct at an unmapped address");
	ET_EXPECT(st_events(fd, ev, 2, NULL) == 1 && ev[0].handle == h[0],
		  "the record was lost by the failed calls");
	close(fd);
}

ET_TEST(two_thousand_registrations_each_event_matches_what_was_done)
{
	enum { ROUNDS = 250, N = 8 };
	long long pins = et_pins();
	unsigned char *p[N];
	struct edudma_event ev[N];
	uint32_t h[N];
	int fd = et_open(0, 0), wrong = 0, stale_seen = 0;

	ET_ASSERT(fd >= 0, "open");
	for (int round = 0; round < ROUNDS && !wrong; round++) {
		int replaced[N], want = 0, n;

		reg_pages(fd, p, h, N);
		for (int i = 0; i < N; i++) {
			replaced[i] = et_rand() % 2;
			if (replaced[i]) {
				replace(&p[i], 1);
				want++;
			}
		}
		n = st_events(fd, ev, N, NULL);
		wrong += n != want;
		for (int k = 0; k < n && k < N; k++) {
			int i = 0;

			while (i < N && h[i] != ev[k].handle)
				i++;
			wrong += i == N || !replaced[i] ||
				 ev[k].addr != (uintptr_t)p[i];
		}
		for (int i = 0; i < N; i++) {
			int e = et_to_dev(fd, h[i], 0, 0, 8);

			wrong += e != (replaced[i] ? ESTALE : 0);
			et_dereg(fd, h[i]);
			munmap(p[i], ET_PAGE);
		}
		stale_seen += want;
		if (wrong)
			et_note("round %d: %d events for %d replaced", round, n,
				want);
	}
	et_note("stale_queue: %d stale registrations, every event checked",
		stale_seen);
	ET_EXPECT(!wrong, "%d wrong events or errnos", wrong);
	close(fd);
	ET_EXPECT(et_pins_settle(pins, 2000) == pins, "pins not back");
}

/* munmap under asynchronous transfers: each ends 0 or ESTALE, no leak. */
ET_TEST(munmap_raced_against_transfers_in_flight)
{
	enum { ROUNDS = 200 };
	struct edudma_completion c[4];
	long long pins = et_pins();
	int fd = et_open(0, 0), bad = 0, stale = 0;

	ET_ASSERT(fd >= 0, "open");
	for (int round = 0; round < ROUNDS; round++) {
		unsigned char *p[1];
		uint32_t h[1];
		struct edudma_xfer x = {
			.argsz = sizeof(x), .flags = EDUDMA_XFER_ASYNC,
			.op = EDUDMA_OP_TO_DEV, .length = 64,
		};
		int queued = 0, e;

		reg_pages(fd, p, h, 1);
		x.src_handle = h[0];
		for (int i = 0; i < 2; i++)
			queued += et_xfer(fd, &x) == 0;
		munmap(p[0], ET_PAGE);
		e = et_xfer(fd, &x);
		stale += e == ESTALE;
		bad += e != ESTALE;
		if (queued) {
			int got = 0;

			bad += et_read_completions(fd, c, queued, &got) != 0;
			bad += got != queued;
		}
		for (int i = 0; i < queued; i++)
			bad += c[i].status != 0;
		st_events(fd, (struct edudma_event[1]){ 0 }, 1, NULL);
		bad += et_dereg(fd, h[0]) != 0;
	}
	et_note("stale_queue: %d of %d transfers after munmap were ESTALE",
		stale, ROUNDS);
	ET_EXPECT(!bad, "%d transfers or completions not as documented", bad);
	close(fd);
	ET_EXPECT(et_pins_settle(pins, 2000) == pins, "pins not back");
}
