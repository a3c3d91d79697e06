// SPDX-License-Identifier: GPL-2.0
/*
 * faults_munmap: munmap() of a range registered with EDUDMA_REG_NO_STALE
 * (the watched kind goes stale instead: tests/guest/stale.c).  The
 * registration keeps the old pages (pinned, DMA into them works), a new
 * mapping at the same address is untouched, DEREG_MR releases the pins.
 *
 * Each case registers three regions of 16 KiB (P: pattern X, the one
 * unmapped; Z: pattern Z; S: scratch), unmaps P and maps new memory
 * (pattern Y) at its address.
 */
#include "faults.h"

ET_PRECONDITION(et_need_device)

#define MU_SIZE		(16 * KiB)
#define MU_PAGES	((long long)(MU_SIZE / ET_PAGE))

ET_FIXTURE(unmapped) {
	struct fl_base b;
	int f;
	unsigned char *P, *Z, *S, *N;	/* N: the new mapping at P, or NULL */
	uint32_t hp, hz, hs;
	int p_registered, rest_registered;
	uint64_t sx, sy, sz;
	int munmap_err;
	long long pins0, pins1;		/* before and after the munmap */
};

ET_SETUP(unmapped)
{
	struct edudma_reg_mr r;

	fl_base_take(&self->b, 1);
	self->f = self->b.fd[0];
	self->P = et_map(MU_SIZE);
	self->Z = et_map(MU_SIZE);
	self->S = et_map(MU_SIZE);
	ET_ASSERT(self->P && self->Z && self->S, "out of memory");
	self->sx = et_rand();
	self->sy = et_rand();
	self->sz = et_rand();
	fl_pat_fill(self->P, MU_SIZE, self->sx);
	fl_pat_fill(self->Z, MU_SIZE, self->sz);
	ET_ASSERT_ERRNO(et_reg(self->f, self->P, MU_SIZE,
			       ET_RW | EDUDMA_REG_NO_STALE, &r), 0,
			"REG_MR of P, NO_STALE");
	self->hp = r.handle;
	self->p_registered = 1;
	/* a set-up that fails ends the process: its close releases them */
	ET_ASSERT_ERRNO(et_reg_rw(self->f, self->Z, MU_SIZE, &self->hz), 0,
			"REG_MR of Z");
	ET_ASSERT_ERRNO(et_reg_rw(self->f, self->S, MU_SIZE, &self->hs), 0,
			"REG_MR of S");
	self->rest_registered = 1;
	self->pins0 = et_pins() - self->b.pins;
	self->munmap_err = et_ret(munmap(self->P, MU_SIZE));
	self->pins1 = et_pins() - self->b.pins;
	self->N = mmap(self->P, MU_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (self->N != self->P) {
		et_note("the address did not come back (%p): %s",
			(void *)self->N, strerror(errno));
		if (self->N != MAP_FAILED)
			munmap(self->N, MU_SIZE);
		self->N = NULL;
	} else {
		fl_pat_fill(self->N, MU_SIZE, self->sy);
	}
}

ET_TEARDOWN(unmapped)
{
	if (self->p_registered)
		et_dereg(self->f, self->hp);
	if (self->rest_registered) {
		et_dereg(self->f, self->hz);
		et_dereg(self->f, self->hs);
	}
	if (self->N)
		munmap(self->N, MU_SIZE);
	munmap(self->Z, MU_SIZE);
	munmap(self->S, MU_SIZE);
	fl_base_close(&self->b);
}

ET_TEST_F(unmapped, an_unmapped_registered_range_stays_pinned)
{
	ET_EXPECT_ERRNO(self->munmap_err, 0, "munmap of the registered P");
	ET_EXPECT(self->pins1 == self->pins0 && self->pins0 >= 3 * MU_PAGES,
		  "pins %+lld before the munmap, %+lld after; expected the same, at least %lld",
		  self->pins0, self->pins1, 3 * MU_PAGES);
}

ET_TEST_F(unmapped, the_device_reads_the_old_pages_of_the_registration)
{
	fl_copy_expect_pat(self->f, self->hp, self->hs, self->S, MU_SIZE,
			   self->sx, "COPY P -> S, expecting the old X");
}

/* The device writes Z into the old pages of P. */
static void mu_write_old_pages(struct et_fx_unmapped *self)
{
	ET_ASSERT_ERRNO(et_copy(self->f, self->hz, 0, self->hp, 0, MU_SIZE), 0,
			"COPY Z -> P");
}

ET_TEST_F(unmapped, DMA_into_the_unmapped_registration_works_and_reads_back)
{
	mu_write_old_pages(self);
	memset(self->S, 0, MU_SIZE);
	fl_copy_expect_pat(self->f, self->hp, self->hs, self->S, MU_SIZE,
			   self->sz, "COPY P -> S, expecting the Z written");
}

ET_TEST_F(unmapped, the_new_mapping_at_the_address_is_untouched_by_that_DMA)
{
	long bad;

	ET_ASSERT(self->N, "no new mapping at the old address");
	mu_write_old_pages(self);
	bad = fl_pat_diff(self->N, MU_SIZE, self->sy);
	ET_EXPECT(bad < 0, "the new mapping changed at byte %ld", bad);
}

ET_TEST_F(unmapped, DEREG_MR_of_the_unmapped_range_releases_its_pins)
{
	long long pins;

	ET_EXPECT_ERRNO(et_dereg(self->f, self->hp), 0, "DEREG_MR of P");
	self->p_registered = 0;
	pins = et_pins() - self->b.pins;
	ET_EXPECT(pins == self->pins0 - MU_PAGES,
		  "pins %+lld -> %+lld, expected %lld fewer", self->pins0, pins,
		  MU_PAGES);
}

ET_TEST_F(unmapped, then_the_rest_deregisters)
{
	char why[200];

	ET_EXPECT_ERRNO(et_dereg(self->f, self->hp), 0, "DEREG_MR of P");
	self->p_registered = 0;
	ET_EXPECT_ERRNO(et_dereg(self->f, self->hz), 0, "DEREG_MR of Z");
	ET_EXPECT_ERRNO(et_dereg(self->f, self->hs), 0, "DEREG_MR of S");
	self->rest_registered = 0;
	ET_EXPECT(fl_counters_back(&self->b, why, sizeof(why)),
		  "after the DEREG_MRs: %s", why);
}
