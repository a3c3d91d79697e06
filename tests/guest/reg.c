// SPDX-License-Identifier: GPL-2.0
/*
 * reg: EDUDMA_REG_MR and EDUDMA_DEREG_MR of 4 KiB pages.  What REG_MR
 * returns and leaves as given, any alignment and the page count, handles
 * and files, the statistics, and the FOLL_PIN counters coming back after
 * deregistration, close and exit.  (Argument errors and access checks:
 * reg_args.c; THP and hugetlbfs backing: reg_huge.c.)
 */
#include "reg.h"

#define KiB 1024UL
#define MiB (1024 * KiB)

ET_PRECONDITION(et_need_device)

/* ---- 64 KiB of 4 KiB pages ----------------------------------------------- */

#define LEN_4K (64 * KiB)

/* 64 KiB registered read-write, with the stats and pins around REG_MR. */
ET_FIXTURE(reg4k) {
	int fd;
	char *buf;
	struct edudma_stats s0, s1;	/* before and after REG_MR */
	long long pins;			/* the pin count before REG_MR */
	struct edudma_reg_mr r;
	int err;			/* of REG_MR */
	int registered;
};

ET_SETUP(reg4k)
{
	self->fd = reg_open();
	self->buf = reg_buffer(LEN_4K);
	reg_stats(self->fd, &self->s0);
	self->pins = et_pins();
	self->err = et_reg(self->fd, self->buf, LEN_4K, ET_RW, &self->r);
	self->registered = !self->err;
	reg_stats(self->fd, &self->s1);
}

ET_TEARDOWN(reg4k)
{
	if (self->registered)
		et_dereg(self->fd, self->r.handle);
	close(self->fd);
	munmap(self->buf, LEN_4K);
}

static void need_reg(const struct et_fx_reg4k *self)
{
	ET_ASSERT_ERRNO(self->err, 0, "REG_MR of 64 KiB");
}

static void dereg_now(struct et_fx_reg4k *self)
{
	need_reg(self);
	ET_ASSERT_ERRNO(et_dereg(self->fd, self->r.handle), 0, "DEREG_MR");
	self->registered = 0;
}

ET_TEST_F(reg4k, 4K_pages_64_KiB_registers)
{
	ET_EXPECT_ERRNO(self->err, 0, "REG_MR of 64 KiB");
}

ET_TEST_F(reg4k, 4K_pages_nr_pages_16_nr_segments_1_to_16)
{
	need_reg(self);
	ET_EXPECT(self->r.nr_pages == 16, "nr_pages %llu, expected 16",
		  (unsigned long long)self->r.nr_pages);
	ET_EXPECT(self->r.nr_segments >= 1 && self->r.nr_segments <= 16,
		  "nr_segments %u, expected 1 to 16", self->r.nr_segments);
}

ET_TEST_F(reg4k, 4K_pages_argsz_flags_addr_length_left_as_given)
{
	const struct edudma_reg_mr *r = &self->r;

	need_reg(self);
	ET_EXPECT(r->argsz == sizeof(*r), "argsz %u, given %zu", r->argsz,
		  sizeof(*r));
	ET_EXPECT(r->flags == ET_RW, "flags %#x, given %#x", r->flags, ET_RW);
	ET_EXPECT(r->addr == (uintptr_t)self->buf, "addr %#llx, given %p",
		  (unsigned long long)r->addr, (void *)self->buf);
	ET_EXPECT(r->length == LEN_4K, "length %llu, given %lu",
		  (unsigned long long)r->length, LEN_4K);
}

ET_TEST_F(reg4k, stats_count_the_registration)
{
	const struct edudma_stats *s0 = &self->s0, *s1 = &self->s1;

	need_reg(self);
	ET_EXPECT(s1->regions == s0->regions + 1 &&
		  s1->pinned_pages == s0->pinned_pages + 16 &&
		  s1->reg_total == s0->reg_total + 1,
		  "regions +%lld, pinned_pages +%lld, reg_total +%lld; expected 1, 16, 1",
		  (long long)(s1->regions - s0->regions),
		  (long long)(s1->pinned_pages - s0->pinned_pages),
		  (long long)(s1->reg_total - s0->reg_total));
}

ET_TEST_F(reg4k, pin_counter_plus_16_while_registered)
{
	long long d = et_pins() - self->pins;

	need_reg(self);
	ET_EXPECT(d == 16, "pin counter %+lld, expected +16", d);
}

ET_TEST_F(reg4k, DEREG_MR_succeeds)
{
	int e;

	need_reg(self);
	e = et_dereg(self->fd, self->r.handle);
	ET_EXPECT_ERRNO(e, 0, "DEREG_MR");
	self->registered = e != 0;
}

ET_TEST_F(reg4k, stats_after_DEREG_MR_regions_and_pinned_pages_back)
{
	struct edudma_stats s2;

	dereg_now(self);
	reg_stats(self->fd, &s2);
	ET_EXPECT(s2.regions == self->s0.regions &&
		  s2.pinned_pages == self->s0.pinned_pages,
		  "regions %llu, pinned_pages %llu; expected %llu, %llu as before REG_MR",
		  (unsigned long long)s2.regions,
		  (unsigned long long)s2.pinned_pages,
		  (unsigned long long)self->s0.regions,
		  (unsigned long long)self->s0.pinned_pages);
	ET_EXPECT(s2.reg_total == self->s1.reg_total,
		  "reg_total %llu, expected it to stay %llu",
		  (unsigned long long)s2.reg_total,
		  (unsigned long long)self->s1.reg_total);
}

ET_TEST_F(reg4k, pin_counter_back_to_the_baseline_after_DEREG_MR)
{
	long long v;

	dereg_now(self);
	v = et_pins_settle(self->pins, 2000);
	ET_EXPECT(v == self->pins,
		  "pin counter %+lld after DEREG_MR, expected 0",
		  v - self->pins);
}

ET_TEST_F(reg4k, second_DEREG_MR_of_the_handle_ENOENT)
{
	dereg_now(self);
	ET_EXPECT_ERRNO(et_dereg(self->fd, self->r.handle), ENOENT,
			"second DEREG_MR of the handle");
}

/* ---- any alignment: the page count --------------------------------------- */

#define SPAN_SIZE (256 * KiB)

/* A file and 256 KiB to register pieces of. */
ET_FIXTURE(span) {
	int fd;
	char *buf;
	long long pins;
};

ET_SETUP(span)
{
	self->fd = reg_open();
	self->buf = reg_buffer(SPAN_SIZE);
	self->pins = et_pins();
}

ET_TEARDOWN(span)
{
	close(self->fd);
	munmap(self->buf, SPAN_SIZE);
}

/*
 * [buf + off, +len) registers with the pages it touches as nr_pages, and
 * after DEREG_MR the pin counter is where it was.
 */
static void check_span(struct et_fx_span *self, uint64_t off, uint64_t len)
{
	uint64_t want = et_pages_spanned((uintptr_t)self->buf + off, len);
	struct edudma_reg_mr r;
	long long v;
	int e;

	e = et_reg(self->fd, self->buf + off, len, ET_RW, &r);
	ET_ASSERT(e == 0, "REG_MR of %llu bytes at offset %llu: %s",
		  (unsigned long long)len, (unsigned long long)off,
		  et_errno_name(e));
	ET_EXPECT(r.nr_pages == want,
		  "offset %llu length %llu: nr_pages %llu, expected %llu",
		  (unsigned long long)off, (unsigned long long)len,
		  (unsigned long long)r.nr_pages, (unsigned long long)want);
	ET_EXPECT_ERRNO(et_dereg(self->fd, r.handle), 0, "DEREG_MR");
	v = et_pins_settle(self->pins, 2000);
	ET_EXPECT(v == self->pins,
		  "pin counter %+lld after DEREG_MR, expected 0",
		  v - self->pins);
}

struct span_row {
	const char *name;
	uint64_t off, len;
};

static const struct span_row spans[] = {
	{ .name = "any_alignment_1_byte_at_offset_0", .off = 0, .len = 1 },
	{ .name = "any_alignment_1_byte_at_offset_4095", .off = 4095,
	  .len = 1 },
	{ .name = "any_alignment_2_bytes_across_a_page_boundary",
	  .off = 4095, .len = 2 },
	{ .name = "any_alignment_4096_bytes_at_offset_1", .off = 1,
	  .len = 4096 },
	{ .name = "any_alignment_4096_bytes_at_offset_0", .off = 0,
	  .len = 4096 },
	{ .name = "any_alignment_8192_bytes_at_offset_17", .off = 17,
	  .len = 8192 },
	{ .name = "any_alignment_4102_bytes_3_before_a_page_boundary",
	  .off = 4096 - 3, .len = 4096 + 6 },
};

ET_TABLE_F(span, any_alignment, struct span_row, spans)
{
	check_span(self, row->off, row->len);
}

ET_TEST_N_F(span, any_alignment_random, 16)
{
	uint64_t off = et_range(0, SPAN_SIZE - 1);

	check_span(self, off, et_range(1, SPAN_SIZE - off));
}

/* ---- handles and files --------------------------------------------------- */

#define LEN_HANDLES (8 * KiB)

/* The same 8 KiB registered twice on one file; a second file. */
ET_FIXTURE(twice) {
	int fd, fd2;
	char *buf;
	struct edudma_reg_mr a, b;	/* read-write, DEV_READ */
	int ea, eb;
};

ET_SETUP(twice)
{
	self->fd = reg_open();
	self->fd2 = reg_open();
	self->buf = reg_buffer(LEN_HANDLES);
	self->ea = et_reg(self->fd, self->buf, LEN_HANDLES, ET_RW, &self->a);
	self->eb = et_reg(self->fd, self->buf, LEN_HANDLES,
			  EDUDMA_ACCESS_DEV_READ, &self->b);
}

ET_TEARDOWN(twice)
{
	close(self->fd);
	close(self->fd2);
	munmap(self->buf, LEN_HANDLES);
}

static void need_both(const struct et_fx_twice *self)
{
	ET_ASSERT_ERRNO(self->ea, 0, "first REG_MR");
	ET_ASSERT_ERRNO(self->eb, 0, "second REG_MR of the same memory");
}

ET_TEST_F(twice, the_same_memory_registers_twice_with_distinct_handles)
{
	need_both(self);
	ET_EXPECT(self->a.handle != self->b.handle,
		  "both registrations got handle %u", self->a.handle);
}

ET_TEST_F(twice, DEREG_MR_on_another_open_file_ENOENT)
{
	need_both(self);
	ET_EXPECT_ERRNO(et_dereg(self->fd2, self->a.handle), ENOENT,
			"DEREG_MR of the handle on the second file");
}

ET_TEST_F(twice, the_owner_still_deregisters_after_another_file_tried)
{
	need_both(self);
	et_dereg(self->fd2, self->a.handle);
	ET_EXPECT_ERRNO(et_dereg(self->fd, self->a.handle), 0,
			"DEREG_MR on the owner's file");
}

ET_TEST_F(twice, the_second_registration_of_the_same_memory_is_independent)
{
	need_both(self);
	ET_ASSERT_ERRNO(et_dereg(self->fd, self->a.handle), 0,
			"DEREG_MR of the first registration");
	ET_EXPECT_ERRNO(et_dereg(self->fd, self->b.handle), 0,
			"DEREG_MR of the second after the first");
}

/* ---- close and exit without DEREG_MR ------------------------------------- */

#define LEN_GONE (4 * MiB)

/* 4 MiB (huge pages where the kernel gives them), the stats and pins. */
struct gone {
	int fd;
	char *buf;
	struct edudma_stats s0;
	long long pins;
};

static void gone_setup(struct gone *g)
{
	g->fd = reg_open();
	g->buf = et_map_aligned(LEN_GONE, 2 * MiB);
	ET_ASSERT(g->buf, "mmap of 4 MiB: out of memory");
	madvise(g->buf, LEN_GONE, MADV_HUGEPAGE);
	et_fill(g->buf, LEN_GONE);
	reg_stats(g->fd, &g->s0);
	g->pins = et_pins();
}

static void gone_teardown(struct gone *g)
{
	close(g->fd);
	munmap(g->buf, LEN_GONE);
}

/* The regions registered and released are gone from the stats. */
static void expect_stats_back(const struct gone *g, const char *how)
{
	struct edudma_stats s1;

	reg_stats(g->fd, &s1);
	ET_EXPECT(s1.regions == g->s0.regions &&
		  s1.pinned_pages == g->s0.pinned_pages,
		  "%s: regions %llu, pinned_pages %llu; expected %llu, %llu",
		  how, (unsigned long long)s1.regions,
		  (unsigned long long)s1.pinned_pages,
		  (unsigned long long)g->s0.regions,
		  (unsigned long long)g->s0.pinned_pages);
}

/* ... and their pages from the pin counter. */
static void expect_pins_back(const struct gone *g, const char *how)
{
	long long v = et_pins_settle(g->pins, 2000);

	ET_EXPECT(v == g->pins, "%s: pin counter %+lld, expected 0", how,
		  v - g->pins);
}

/* A second file registers 4 regions of the buffer. */
ET_FIXTURE(closing) {
	struct gone g;
	int f;
	int err;	/* of the REG_MRs */
};

ET_SETUP(closing)
{
	gone_setup(&self->g);
	self->f = reg_open();
	self->err = 0;
	for (int i = 0; i < 3 && !self->err; i++)
		self->err = et_reg(self->f, self->g.buf + i * 4096 * 7,
				   65536 + i, ET_RW, NULL);
	if (!self->err)
		self->err = et_reg(self->f, self->g.buf, LEN_GONE,
				   EDUDMA_ACCESS_DEV_READ, NULL);
}

ET_TEARDOWN(closing)
{
	if (self->f >= 0)
		close(self->f);
	gone_teardown(&self->g);
}

static void close_second(struct et_fx_closing *self)
{
	ET_ASSERT_ERRNO(self->err, 0, "REG_MR on the second file");
	close(self->f);
	self->f = -1;
}

ET_TEST_F(closing, a_second_file_registers_4_regions)
{
	ET_EXPECT_ERRNO(self->err, 0, "REG_MR of 4 regions on a second file");
}

ET_TEST_F(closing, close_without_DEREG_MR_stats_back)
{
	close_second(self);
	expect_stats_back(&self->g, "after close");
}

ET_TEST_F(closing, close_without_DEREG_MR_pin_counter_back)
{
	close_second(self);
	expect_pins_back(&self->g, "after close");
}

/* A child registers 4 MiB + 100 KB and exits without cleaning up. */
ET_FIXTURE(exiting) {
	struct gone g;
	int status;
};

ET_SETUP(exiting)
{
	pid_t pid;

	gone_setup(&self->g);
	pid = fork();
	ET_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int cf = et_open(0, 0);

		if (cf < 0)
			_exit(2);
		if (et_reg(cf, self->g.buf, LEN_GONE, ET_RW, NULL) ||
		    et_reg(cf, self->g.buf + 12345, 99999,
			   EDUDMA_ACCESS_DEV_READ, NULL))
			_exit(3);
		_exit(0);	/* no DEREG_MR, no close */
	}
	ET_ASSERT(waitpid(pid, &self->status, 0) == pid, "waitpid: %s",
		  strerror(errno));
}

ET_TEARDOWN(exiting)
{
	gone_teardown(&self->g);
}

ET_TEST_F(exiting, a_child_registers_and_exits_without_cleaning_up)
{
	ET_EXPECT(WIFEXITED(self->status) && WEXITSTATUS(self->status) == 0,
		  "the child %s (2: open failed, 3: REG_MR failed), expected exited 0",
		  et_status_str(self->status));
}

ET_TEST_F(exiting, exit_without_DEREG_MR_stats_and_pin_counter_back)
{
	expect_stats_back(&self->g, "after the child's exit");
	expect_pins_back(&self->g, "after the child's exit");
}
