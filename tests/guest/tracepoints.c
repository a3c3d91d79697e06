// SPDX-License-Identifier: GPL-2.0
/*
 * tracepoints: the driver's trace events (Documentation/tracing.md) seen
 * through a trace instance of this test's own, each checked against what
 * the test did: REG_MR's handle, pages and segments, each transfer's
 * submit and end (op, length, cookie, status, the bytes done), every DMA
 * of it (direction, DMA address, length: together exactly the transfer's
 * bytes, one DMA at a time on a device), a failed REG_MR and DEREG_MR
 * with their errnos, cancellations at close, a timeout, on-demand faults
 * and invalidations, a pinned registration found stale, and removal.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "edudma_test.h"
#include "edudma_tracefs.h"

#define KiB		1024UL
#define TP_LEN		(64 * KiB)
#define TP_COOKIE	0x7e57c0de00ULL

/* A kernel of the lab without tracefs or the events fails, never skips. */
ET_PRECONDITION(et_need_device)

/* ---- the events, collected ------------------------------------------------ */

struct evlist {
	struct ed_trace_event *v;
	size_t n, cap;
};

static int collect(const struct ed_trace_event *ev, void *arg)
{
	struct evlist *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct ed_trace_event *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return 1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *ev;
	return 0;
}

static uint64_t u(const struct ed_trace_event *ev, const char *key)
{
	uint64_t v = ~0ULL;

	ET_EXPECT(!ed_trace_u64(ev, key, &v), "%s has no %s= in '%s'",
		  ev->name, key, ev->fields);
	return v;
}

static int64_t s(const struct ed_trace_event *ev, const char *key)
{
	int64_t v = INT64_MIN;

	ET_EXPECT(!ed_trace_s64(ev, key, &v), "%s has no %s= in '%s'",
		  ev->name, key, ev->fields);
	return v;
}

/* Is ev on device minor? */
static int on_dev(const struct ed_trace_event *ev, unsigned int minor)
{
	char dev[32], want[32];

	snprintf(want, sizeof(want), "edudma%u", minor);
	return !ed_trace_str(ev, "dev", dev, sizeof(dev)) && !strcmp(dev, want);
}

/* The events named name on device minor; the first one at *first. */
static size_t count(const struct evlist *l, const char *name,
		    unsigned int minor, const struct ed_trace_event **first)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name) && on_dev(&l->v[i], minor)) {
			if (!n && first)
				*first = &l->v[i];
			n++;
		}
	return n;
}

/* The first event named name whose key is val, on device minor; NULL if none. */
static const struct ed_trace_event *find(const struct evlist *l,
					 const char *name, unsigned int minor,
					 const char *key, uint64_t val)
{
	uint64_t v;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name) && on_dev(&l->v[i], minor) &&
		    !ed_trace_u64(&l->v[i], key, &v) && v == val)
			return &l->v[i];
	return NULL;
}

/* ---- the fixture: a device, a trace instance with every edudma event on --- */

ET_FIXTURE(tp) {
	char dir[ED_TRACE_PATH];
	int fd;
	unsigned char *buf;		/* TP_LEN bytes, filled */
	struct edudma_device_info info;
	struct evlist ev;
	long long pins;
};

ET_SETUP(tp)
{
	char name[64];

	self->pins = et_pins();
	self->fd = et_open(0, 0);
	ET_ASSERT(self->fd >= 0, "open: %s", strerror(errno));
	ET_ASSERT_ERRNO(et_info(self->fd, &self->info), 0, "DEVICE_INFO");
	self->buf = et_map(TP_LEN);
	ET_ASSERT(self->buf, "out of memory");
	et_fill(self->buf, TP_LEN);
	ET_ASSERT(ed_tracefs_root()[0], "no tracefs: %s", strerror(errno));
	snprintf(name, sizeof(name), "edudma-tracepoints-%d", (int)getpid());
	ET_ASSERT_ERRNO(ed_trace_instance(name, self->dir, sizeof(self->dir)),
			0, "making a trace instance");
	ET_ASSERT_ERRNO(ed_trace_enable(self->dir, NULL, 1), 0,
			"switching the edudma events on");
	ET_ASSERT_ERRNO(ed_trace_clear(self->dir), 0, "clearing the buffer");
}

ET_TEARDOWN(tp)
{
	long long now;

	if (self->fd >= 0)
		close(self->fd);
	if (self->buf)
		munmap(self->buf, TP_LEN);
	ed_trace_instance_remove(self->dir);
	free(self->ev.v);
	now = et_pins_settle(self->pins, 2000);
	ET_EXPECT(now == self->pins, "pins %+lld", now - self->pins);
}

/* Stops tracing and reads the buffer into self->ev. */
static void tp_collect(struct et_fx_tp *self)
{
	long n;

	ET_EXPECT_ERRNO(ed_trace_enable(self->dir, NULL, 0), 0,
			"switching the events off");
	n = ed_trace_read(self->dir, collect, &self->ev);
	ET_ASSERT(n >= 0, "reading the trace: %s", strerror((int)-n));
	ET_ASSERT((size_t)n == self->ev.n, "out of memory");
	et_note("%zu events", self->ev.n);
}

/*
 * The transfer with cookie on the device: one submit, one done with
 * status and bytes, and between them DMAs to the device and from it of
 * to_dev and from_dev bytes in all, each DMA done before the next one
 * issued.  Returns the request's id.
 */
static uint64_t expect_xfer(struct et_fx_tp *self, const char *op,
			    uint64_t cookie, uint64_t length, int64_t status,
			    uint64_t done_bytes, uint64_t to_dev,
			    uint64_t from_dev)
{
	unsigned int minor = self->info.minor;
	const struct ed_trace_event *sub, *end;
	uint64_t id, sum[2] = { 0, 0 }, ndma = 0, ndone = 0;
	int running = 0;
	char got[32];

	sub = find(&self->ev, "edudma_xfer_submit", minor, "cookie", cookie);
	ET_ASSERT(sub, "no edudma_xfer_submit with cookie 0x%llx",
		  (unsigned long long)cookie);
	id = u(sub, "req");
	ET_EXPECT(!ed_trace_str(sub, "op", got, sizeof(got)) &&
		  !strcmp(got, op), "submit op=%s, expected %s", got, op);
	ET_EXPECT(u(sub, "length") == length, "submit length=%llu, expected %llu",
		  (unsigned long long)u(sub, "length"),
		  (unsigned long long)length);
	end = find(&self->ev, "edudma_xfer_done", minor, "req", id);
	ET_ASSERT(end, "no edudma_xfer_done for req=%llu",
		  (unsigned long long)id);
	ET_EXPECT(s(end, "status") == status && u(end, "done") == done_bytes &&
		  u(end, "cookie") == cookie,
		  "done: '%s', expected status=%lld done=%llu cookie=0x%llx",
		  end->fields, (long long)status,
		  (unsigned long long)done_bytes, (unsigned long long)cookie);
	ET_EXPECT(end->ts >= sub->ts, "done before submit");

	for (const struct ed_trace_event *e = sub; e < end; e++) {
		char dir[16];

		if (!on_dev(e, minor))
			continue;
		if (!strcmp(e->name, "edudma_dma_issue")) {
			ET_EXPECT(!running, "DMA issued while one runs: '%s'",
				  e->fields);
			running = 1;
			if (u(e, "req") != id)
				continue;
			ndma++;
			ed_trace_str(e, "dir", dir, sizeof(dir));
			sum[!strcmp(dir, "from_dev")] += u(e, "len");
			ET_EXPECT(u(e, "len") > 0 && u(e, "len") <= 4096 &&
				  u(e, "dev_off") + u(e, "len") <= 4096,
				  "DMA outside the device buffer: '%s'",
				  e->fields);
		} else if (!strcmp(e->name, "edudma_dma_done")) {
			ET_EXPECT(running, "DMA done with none running: '%s'",
				  e->fields);
			running = 0;
			if (u(e, "req") == id)
				ndone++;
		}
	}
	ET_EXPECT(sum[0] == to_dev && sum[1] == from_dev,
		  "req=%llu moved %llu bytes to the device and %llu from it, expected %llu and %llu",
		  (unsigned long long)id, (unsigned long long)sum[0],
		  (unsigned long long)sum[1], (unsigned long long)to_dev,
		  (unsigned long long)from_dev);
	ET_EXPECT(ndma == ndone && ndma,
		  "req=%llu: %llu DMAs issued, %llu done",
		  (unsigned long long)id, (unsigned long long)ndma,
		  (unsigned long long)ndone);
	return id;
}

/* ---- the cases ------------------------------------------------------------ */

/* Every event the documentation lists is there, with its fields. */
ET_TEST(every_event_is_listed_with_its_fields)
{
	static const struct { const char *name, *fields; } evs[] = {
		{ "edudma_reg_mr", "minor handle addr length flags pages segs ret ns" },
		{ "edudma_dereg_mr", "minor handle pages ret ns" },
		{ "edudma_xfer_submit", "minor id op dev_offset length cookie async" },
		{ "edudma_xfer_done", "minor id op length done cookie status" },
		{ "edudma_xfer_cancel", "minor id cookie status running" },
		{ "edudma_dma_issue", "minor id to_dev dma dev_off len" },
		{ "edudma_dma_done", "minor id to_dev len timed_out" },
		{ "edudma_dma_timeout", "minor id len timeout_ms" },
		{ "edudma_remove_begin", "minor" },
		{ "edudma_remove_end", "minor ns" },
		{ "edudma_odp_fault", "minor handle off len write good ret" },
		{ "edudma_odp_invalidate", "minor handle start end event blockable" },
		{ "edudma_watch_invalidate", "minor handle start end event blockable" },
		{ "edudma_stale", "minor handle addr length" },
	};
	const char *root = ed_tracefs_root();

	ET_ASSERT(root[0], "no tracefs: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		char path[ED_TRACE_PATH], fmt[4096], field[64], want[96];
		const char *f = evs[i].fields;
		size_t n = 0;
		FILE *fp;

		snprintf(path, sizeof(path), "%s/events/edudma/%s/format",
			 root, evs[i].name);
		fp = fopen(path, "r");
		ET_EXPECT(fp, "%s: %s", path, strerror(errno));
		if (!fp)
			continue;
		n = fread(fmt, 1, sizeof(fmt) - 1, fp);
		fmt[n] = 0;
		fclose(fp);
		while (sscanf(f, "%63s%zn", field, &n) == 1) {
			f += n;
			snprintf(want, sizeof(want), " %s;", field);
			ET_EXPECT(strstr(fmt, want), "%s has no field %s",
				  evs[i].name, field);
		}
	}
}

/*
 * REG_MR, a sync TO_DEV, an async FROM_DEV, a COPY of several chunks, a
 * REG_MR and a DEREG_MR that fail, DEREG_MR: each as it was done.
 */
ET_TEST_F(tp, reg_transfers_dereg_as_done)
{
	unsigned int minor = self->info.minor;
	unsigned char *buf = self->buf;
	const struct ed_trace_event *e;
	struct edudma_reg_mr r, bad;
	struct edudma_completion c;
	uint64_t copy_len = 3 * (uint64_t)self->info.max_transfer + 100;
	struct edudma_xfer x;
	int got;

	ET_ASSERT_ERRNO(et_reg(self->fd, buf, TP_LEN, ET_RW, &r), 0, "REG_MR");
	x = (struct edudma_xfer){ .op = EDUDMA_OP_TO_DEV, .length = 3000,
				  .dev_offset = 1000, .src_handle = r.handle,
				  .src = 4096, .cookie = TP_COOKIE + 1 };
	ET_ASSERT_ERRNO(et_xfer(self->fd, &x), 0, "TO_DEV");
	x = (struct edudma_xfer){ .op = EDUDMA_OP_FROM_DEV, .length = 2048,
				  .flags = EDUDMA_XFER_ASYNC,
				  .dst_handle = r.handle, .dst = 8192,
				  .cookie = TP_COOKIE + 2 };
	ET_ASSERT_ERRNO(et_xfer(self->fd, &x), 0, "async FROM_DEV");
	ET_ASSERT_ERRNO(et_read_completions(self->fd, &c, 1, &got), 0,
			"reading its completion");
	x = (struct edudma_xfer){ .op = EDUDMA_OP_COPY, .length = copy_len,
				  .src_handle = r.handle, .src = 0,
				  .dst_handle = r.handle, .dst = TP_LEN / 2,
				  .cookie = TP_COOKIE + 3 };
	ET_ASSERT_ERRNO(et_xfer(self->fd, &x), 0, "COPY");
	ET_EXPECT(!memcmp(buf, buf + TP_LEN / 2, copy_len), "COPY's data");
	ET_EXPECT_ERRNO(et_reg(self->fd, buf, TP_LEN, ET_RW | (1U << 30), &bad),
			EINVAL, "REG_MR with an unknown flag");
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle + 1000), ENOENT,
			"DEREG_MR of no handle");
	ET_ASSERT_ERRNO(et_dereg(self->fd, r.handle), 0, "DEREG_MR");
	tp_collect(self);

	e = find(&self->ev, "edudma_reg_mr", minor, "handle", r.handle);
	ET_ASSERT(e, "no edudma_reg_mr for handle %u", r.handle);
	ET_EXPECT(u(e, "addr") == (uintptr_t)buf && u(e, "length") == TP_LEN &&
		  u(e, "pages") == r.nr_pages && u(e, "segs") == r.nr_segments &&
		  s(e, "ret") == 0 && u(e, "ns") > 0,
		  "reg_mr '%s', expected addr=%p length=%lu pages=%llu segs=%u ret=0 ns>0",
		  e->fields, (void *)buf, TP_LEN,
		  (unsigned long long)r.nr_pages, r.nr_segments);
	e = find(&self->ev, "edudma_reg_mr", minor, "ret", (uint64_t)-EINVAL);
	ET_EXPECT(e && u(e, "handle") == 0 && u(e, "pages") == 0,
		  "the failed REG_MR: %s", e ? e->fields : "no event");
	e = find(&self->ev, "edudma_dereg_mr", minor, "handle", r.handle);
	ET_EXPECT(e && s(e, "ret") == 0 && u(e, "pages") == r.nr_pages &&
		  u(e, "ns") > 0, "dereg_mr: %s", e ? e->fields : "no event");
	e = find(&self->ev, "edudma_dereg_mr", minor, "handle",
		 r.handle + 1000);
	ET_EXPECT(e && s(e, "ret") == -ENOENT, "the failed DEREG_MR: %s",
		  e ? e->fields : "no event");

	expect_xfer(self, "TO_DEV", TP_COOKIE + 1, 3000, 0, 3000, 3000, 0);
	expect_xfer(self, "FROM_DEV", TP_COOKIE + 2, 2048, 0, 2048, 0, 2048);
	expect_xfer(self, "COPY", TP_COOKIE + 3, copy_len, 0, copy_len,
		    copy_len, copy_len);

	/* The TO_DEV's first DMA: where the device read, as it was told. */
	e = find(&self->ev, "edudma_xfer_submit", minor, "cookie",
		 TP_COOKIE + 1);
	ET_ASSERT(e, "no submit");
	e = find(&self->ev, "edudma_dma_issue", minor, "req", u(e, "req"));
	ET_ASSERT(e, "no DMA");
	ET_EXPECT(u(e, "dev_off") == 1000, "dev_off %llu, expected 1000",
		  (unsigned long long)u(e, "dev_off"));
	if (!(self->info.caps & EDUDMA_CAP_IOMMU)) {
		uint64_t phys = et_pfn(buf + 4096) * ET_PAGE;

		ET_EXPECT(u(e, "dma") == phys,
			  "without an IOMMU the DMA address is the page's physical address: dma=0x%llx, page at 0x%llx",
			  (unsigned long long)u(e, "dma"),
			  (unsigned long long)phys);
	} else {
		ET_EXPECT(u(e, "dma") && u(e, "dma") % ET_PAGE == 0,
			  "IOVA 0x%llx", (unsigned long long)u(e, "dma"));
	}
}

/*
 * close() with async transfers queued: each queued one is cancelled and
 * ends with ECANCELED; the running one (if any) is marked and ends at its
 * unit's end.  Every transfer submitted ends exactly once.
 */
ET_TEST_F(tp, close_cancels_what_is_queued)
{
	unsigned int minor = self->info.minor;
	unsigned char *buf = self->buf;
	size_t ncancel = 0, nsub, ndone;
	struct edudma_reg_mr r;

	ET_ASSERT_ERRNO(et_reg(self->fd, buf, TP_LEN, ET_RW, &r), 0, "REG_MR");
	for (int i = 0; i < 8; i++) {
		struct edudma_xfer x = {
			.op = EDUDMA_OP_TO_DEV, .length = 4000,
			.flags = EDUDMA_XFER_ASYNC, .src_handle = r.handle,
			.cookie = TP_COOKIE + 100 + i,
		};

		ET_ASSERT_ERRNO(et_xfer(self->fd, &x), 0, "async TO_DEV");
	}
	close(self->fd);
	self->fd = -1;
	tp_collect(self);

	nsub = count(&self->ev, "edudma_xfer_submit", minor, NULL);
	ndone = count(&self->ev, "edudma_xfer_done", minor, NULL);
	ET_EXPECT(nsub == 8 && ndone == 8, "%zu submitted, %zu ended", nsub,
		  ndone);
	for (size_t i = 0; i < self->ev.n; i++) {
		const struct ed_trace_event *c = &self->ev.v[i], *d;

		if (strcmp(c->name, "edudma_xfer_cancel") || !on_dev(c, minor))
			continue;
		ncancel++;
		ET_EXPECT(s(c, "status") == -ECANCELED, "cancel: %s",
			  c->fields);
		d = find(&self->ev, "edudma_xfer_done", minor, "req",
			 u(c, "req"));
		ET_ASSERT(d, "cancelled req=%llu never ended",
			  (unsigned long long)u(c, "req"));
		if (u(c, "running"))
			ET_EXPECT(s(d, "status") == 0 && u(d, "done") == 4000,
				  "the running one ends whole: %s", d->fields);
		else
			ET_EXPECT(s(d, "status") == -ECANCELED &&
				  u(d, "done") == 0, "a queued one: %s",
				  d->fields);
	}
	/* 100 ms a DMA: close() comes long before the second one starts */
	ET_EXPECT(ncancel >= 6, "%zu of 8 cancelled", ncancel);
}

/* timeout_ms 20 (a DMA takes 100 ms of the lab's time): the timeout's trail. */
ET_TEST_F(tp, a_timeout_is_traced)
{
	unsigned int minor = self->info.minor;
	unsigned char *buf = self->buf;
	const struct ed_trace_event *t, *d, *end;
	struct edudma_reg_mr r;
	struct edudma_xfer x;
	long old;
	int e;

	ET_ASSERT_ERRNO(et_reg(self->fd, buf, TP_LEN, ET_RW, &r), 0, "REG_MR");
	ET_ASSERT_ERRNO(et_param_get("timeout_ms", &old), 0, "timeout_ms");
	ET_ASSERT_ERRNO(et_param_set("timeout_ms", 20), 0, "timeout_ms=20");
	x = (struct edudma_xfer){ .op = EDUDMA_OP_TO_DEV, .length = 4000,
				  .src_handle = r.handle,
				  .cookie = TP_COOKIE + 200 };
	e = et_xfer(self->fd, &x);
	et_param_set("timeout_ms", old);
	ET_ASSERT_ERRNO(e, ETIMEDOUT, "TO_DEV with timeout_ms 20");
	tp_collect(self);

	ET_ASSERT(count(&self->ev, "edudma_dma_timeout", minor, &t) == 1,
		  "%zu timeouts", count(&self->ev, "edudma_dma_timeout", minor,
					NULL));
	ET_EXPECT(u(t, "timeout_ms") == 20 && u(t, "len") == 4000,
		  "timeout: %s", t->fields);
	d = find(&self->ev, "edudma_dma_done", minor, "req", u(t, "req"));
	ET_EXPECT(d && u(d, "timed_out") == 1, "its DMA's end: %s",
		  d ? d->fields : "none");
	end = find(&self->ev, "edudma_xfer_done", minor, "req", u(t, "req"));
	ET_EXPECT(end && s(end, "status") == -ETIMEDOUT &&
		  u(end, "cookie") == TP_COOKIE + 200,
		  "the transfer's end: %s", end ? end->fields : "none");
}

/* On demand: the fault that maps the pages, then MADV_DONTNEED's invalidation. */
ET_TEST_F(tp, on_demand_fault_and_invalidation)
{
	unsigned int minor = self->info.minor;
	unsigned char *buf = self->buf;
	const struct ed_trace_event *f, *inv;
	uintptr_t a = (uintptr_t)buf;
	struct edudma_reg_mr r;

	ET_ASSERT_ERRNO(et_reg(self->fd, buf, TP_LEN,
			       EDUDMA_REG_ON_DEMAND | ET_RW, &r), 0,
			"REG_MR on demand");
	ET_ASSERT_ERRNO(et_to_dev(self->fd, r.handle, 8192, 0, 4000), 0,
			"TO_DEV");
	ET_ASSERT(!madvise(buf, TP_LEN, MADV_DONTNEED), "madvise: %s",
		  strerror(errno));
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle), 0, "DEREG_MR");
	tp_collect(self);

	f = find(&self->ev, "edudma_odp_fault", minor, "handle", r.handle);
	ET_ASSERT(f, "no edudma_odp_fault for handle %u", r.handle);
	ET_EXPECT(u(f, "off") <= 8192 && u(f, "off") + u(f, "len") >= 8192 + 4000 &&
		  u(f, "good") >= 4000 && s(f, "ret") == 0 && u(f, "write") == 0,
		  "fault: %s (the device reads [8192, 12192))", f->fields);
	inv = find(&self->ev, "edudma_odp_invalidate", minor, "handle",
		   r.handle);
	ET_ASSERT(inv, "no edudma_odp_invalidate for handle %u", r.handle);
	ET_EXPECT(u(inv, "start") <= a && u(inv, "end") >= a + TP_LEN,
		  "invalidation %s, the buffer [0x%lx, 0x%lx)", inv->fields,
		  (unsigned long)a, (unsigned long)(a + TP_LEN));
}

/* A watched registration: munmap's invalidation, then the stale finding. */
ET_TEST_F(tp, a_stale_registration_is_traced)
{
	unsigned int minor = self->info.minor;
	unsigned char *buf = self->buf;
	const struct ed_trace_event *inv, *st;
	uintptr_t a = (uintptr_t)buf;
	struct edudma_reg_mr r;
	char ev[32] = "";

	ET_ASSERT_ERRNO(et_reg(self->fd, buf, TP_LEN, ET_RW, &r), 0, "REG_MR");
	munmap(buf, TP_LEN);
	self->buf = NULL;
	ET_EXPECT_ERRNO(et_to_dev(self->fd, r.handle, 0, 0, 64), ESTALE,
			"TO_DEV after munmap");
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle), 0, "DEREG_MR");
	tp_collect(self);

	inv = find(&self->ev, "edudma_watch_invalidate", minor, "handle",
		   r.handle);
	ET_ASSERT(inv, "no edudma_watch_invalidate for handle %u", r.handle);
	ed_trace_str(inv, "event", ev, sizeof(ev));
	ET_EXPECT(u(inv, "start") <= a && u(inv, "end") >= a + TP_LEN &&
		  !strcmp(ev, "UNMAP"), "munmap's invalidation: %s",
		  inv->fields);
	st = find(&self->ev, "edudma_stale", minor, "handle", r.handle);
	ET_ASSERT(st, "no edudma_stale for handle %u", r.handle);
	ET_EXPECT(u(st, "addr") == a && u(st, "length") == TP_LEN,
		  "stale: %s", st->fields);
	ET_EXPECT(count(&self->ev, "edudma_stale", minor, NULL) == 1,
		  "found stale %zu times", count(&self->ev, "edudma_stale",
						 minor, NULL));
}

/* Unbinding the last device: remove_begin, then remove_end with its time. */
ET_TEST_F(tp, removal_is_traced)
{
	char path[LAB_PATH + 16], bdf[64], tmp[64];
	const struct ed_trace_event *b, *e;
	struct edudma_device_info info;
	const char *why;
	int fd;

	why = et_last_device(path, sizeof(path), bdf, sizeof(bdf));
	if (why)
		ET_SKIP("%s", why);
	/* with one device it is the fixture's: an idle device goes */
	close(self->fd);
	self->fd = -1;
	fd = open(path, O_RDWR);
	ET_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	ET_ASSERT_ERRNO(et_info(fd, &info), 0, "DEVICE_INFO");
	close(fd);
	ET_ASSERT_ERRNO(et_file_put("/sys/bus/pci/drivers/edudma/unbind", bdf),
			0, "unbind");
	ET_EXPECT_ERRNO(et_file_put("/sys/bus/pci/drivers/edudma/bind", bdf),
			0, "bind again");
	for (int i = 0; i < 200 && !et_dev_of_bdf(bdf)[0]; i++)
		usleep(10000);
	snprintf(tmp, sizeof(tmp), "%s", et_dev_of_bdf(bdf));
	ET_EXPECT(tmp[0], "%s did not come back", bdf);
	tp_collect(self);

	ET_ASSERT(count(&self->ev, "edudma_remove_begin", info.minor, &b) == 1,
		  "remove_begin of edudma%u: %zu", info.minor,
		  count(&self->ev, "edudma_remove_begin", info.minor, NULL));
	ET_ASSERT(count(&self->ev, "edudma_remove_end", info.minor, &e) == 1,
		  "remove_end of edudma%u", info.minor);
	ET_EXPECT(e->ts >= b->ts && u(e, "ns") > 0, "remove_end: %s",
		  e->fields);
}
