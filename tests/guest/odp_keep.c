// SPDX-License-Identifier: GPL-2.0
/*
 * odp_keep: events that keep a page's bytes but change where they are or
 * how they are mapped, raced against COPYs on an on-demand registration
 * (odp_race.h): swap-out to zram (MADV_PAGEOUT), migration between two
 * NUMA nodes (move_pages(2)), compaction, mprotect to read-only and back,
 * mremap away and back, THP split and collapse, fork.  Every COPY's bytes
 * must be right; each case also shows that its event really happened
 * (pages swapped out, moved, split, ...), so that it cannot pass for
 * having raced with nothing.
 */
#define ET_DEFAULT_TIMEOUT 300

#include <sys/syscall.h>

#include "odp_race.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define MPOL_MF_MOVE (1 << 1)

ET_PRECONDITION(et_need_device)

#define NPAGES 64

ET_FIXTURE(keep) {
	struct race r;
};

ET_SETUP(keep)
{
	race_setup(&self->r, NPAGES, ET_PAGE, NULL);
}

ET_TEARDOWN(keep)
{
	race_teardown(&self->r);
}

/* A random run of 1 to 8 pages of the registration: its first page. */
static size_t some_pages(struct race *r, uint64_t *s, size_t *n)
{
	*n = ed_rand_range(s, 1, 8);
	return ed_rand_range(s, 0, r->npages - *n);
}

static long long vmstat(const char *key)
{
	return et_proc_value("/proc/vmstat", key, 10);
}

static void pageout(struct race *r, uint64_t *s, void *ctx)
{
	size_t n, p = some_pages(r, s, &n);

	(void)ctx;
	madvise(r->buf + p * ET_PAGE, n * ET_PAGE, MADV_PAGEOUT);
}

ET_TEST_F(keep, swapped_out_to_zram_with_MADV_PAGEOUT)
{
	struct race *r = &self->r;
	long long out0 = vmstat("pswpout "), in0 = vmstat("pswpin ");
	char why[128];

	if (et_swap_on(64, why, sizeof(why)))
		ET_SKIP("no swap: %s", why);
	race_start(r, race_keep_thread);
	race_loop(r, 1000, pageout, NULL);
	race_finish(r, "MADV_PAGEOUT");
	et_note("pswpout +%lld, pswpin +%lld", vmstat("pswpout ") - out0,
		vmstat("pswpin ") - in0);
	ET_EXPECT(vmstat("pswpout ") > out0, "no page went to swap");
	et_swap_off();
}

/* move_pages(2) of a run of pages to the other node; ctx counts moves. */
static void migrate(struct race *r, uint64_t *s, void *ctx)
{
	size_t n, p = some_pages(r, s, &n);
	long *moved = ctx;
	void *pages[8];
	int nodes[8], status[8];

	for (size_t k = 0; k < n; k++) {
		pages[k] = r->buf + (p + k) * ET_PAGE;
		nodes[k] = (int)(r->events & 1);
	}
	if (!syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE))
		for (size_t k = 0; k < n; k++)
			*moved += status[k] == nodes[k];
}

ET_TEST_F(keep, migrated_between_NUMA_nodes_with_move_pages)
{
	struct race *r = &self->r;
	long moved = 0;

	if (!et_exists("/sys/devices/system/node/node1"))
		ET_SKIP("one NUMA node (qemu/run --numa 2 gives two)");
	race_start(r, race_keep_thread);
	race_loop(r, 1000, migrate, &moved);
	race_finish(r, "move_pages");
	et_note("move_pages: %ld pages on the node asked for", moved);
	ET_EXPECT(moved > 0, "no page moved between the nodes");
}

static void compact(struct race *r, uint64_t *s, void *ctx)
{
	(void)r;
	(void)s;
	(void)ctx;
	et_file_put("/proc/sys/vm/compact_memory", "1");
}

/*
 * Compaction moves pages where free memory lies above them: the
 * registration's pages are put into the holes of nearly all free memory
 * with every other page freed, and the rest of it freed then.
 */
static void scatter(struct race *r)
{
	long long avail = et_proc_value("/proc/meminfo", "MemAvailable:", 10);
	size_t fill = avail > 131072 ? (size_t)(avail - 98304) << 10 : 0;
	size_t len = r->npages * ET_PAGE;
	unsigned char *f = fill ? et_map(fill) : NULL, *copy = malloc(len);

	ET_ASSERT(f && copy, "out of memory (MemAvailable %lld kB)", avail);
	madvise(f, fill, MADV_NOHUGEPAGE);
	memset(f, 1, fill);
	for (size_t k = 0; k < fill; k += 2 * ET_PAGE)
		madvise(f + k, ET_PAGE, MADV_DONTNEED);
	memcpy(copy, r->buf, len);
	madvise(r->buf, len, MADV_DONTNEED);
	memcpy(r->buf, copy, len);
	munmap(f, fill);
	free(copy);
	et_note("pfn of page 0 %#llx, of the last %#llx",
		(unsigned long long)et_pfn(r->buf),
		(unsigned long long)et_pfn(r->buf + len - ET_PAGE));
}

ET_TEST_F(keep, under_compaction)
{
	struct race *r = &self->r;
	long long scanned = vmstat("compact_migrate_scanned ");
	long long migrated = vmstat("pgmigrate_success ");
	uint64_t before[NPAGES];
	long changed = 0;

	scatter(r);
	for (size_t k = 0; k < NPAGES; k++)
		before[k] = et_pfn(r->buf + k * ET_PAGE);
	race_start(r, race_keep_thread);
	race_loop(r, 100, compact, NULL);
	race_finish(r, "compact_memory");
	for (size_t k = 0; k < NPAGES; k++)
		changed += et_pfn(r->buf + k * ET_PAGE) != before[k];
	et_note("compaction: %ld of %d pages at another frame afterwards, compact_migrate_scanned +%lld, pgmigrate_success +%lld",
		changed, NPAGES,
		vmstat("compact_migrate_scanned ") - scanned,
		vmstat("pgmigrate_success ") - migrated);
	/* Which pages it moves is compaction's choice: it must have run. */
	ET_EXPECT(vmstat("compact_migrate_scanned ") > scanned,
		  "compaction scanned nothing");
}

static void protect(struct race *r, uint64_t *s, void *ctx)
{
	size_t n, p = some_pages(r, s, &n);

	(void)ctx;
	race_lock(r, p, n);
	mprotect(r->buf + p * ET_PAGE, n * ET_PAGE, PROT_READ);
	sched_yield();
	mprotect(r->buf + p * ET_PAGE, n * ET_PAGE, PROT_READ | PROT_WRITE);
	race_unlock(r, p, n);
}

ET_TEST_F(keep, made_read_only_and_writable_again_with_mprotect)
{
	struct race *r = &self->r;

	r->allow_efault = 1;	/* a device write while read-only */
	race_start(r, race_keep_thread);
	race_loop(r, 1000, protect, NULL);
	race_finish(r, "mprotect");
	ET_EXPECT(r->faults > 0, "no device write met a read-only page");
}

struct away {
	unsigned char *to;
	long back;
};

static void move_away_and_back(struct race *r, uint64_t *s, void *ctx)
{
	size_t n, p = some_pages(r, s, &n);
	unsigned char *at = r->buf + p * ET_PAGE;
	struct away *w = ctx;

	race_lock(r, p, n);
	if (mremap(at, n * ET_PAGE, n * ET_PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		   w->to) == w->to)
		w->back += mremap(w->to, n * ET_PAGE, n * ET_PAGE,
				  MREMAP_MAYMOVE | MREMAP_FIXED, at) ==
			   (void *)at;
	race_unlock(r, p, n);
}

ET_TEST_F(keep, moved_away_and_back_with_mremap)
{
	struct race *r = &self->r;
	struct away w = { .to = et_map(8 * ET_PAGE) };

	ET_ASSERT(w.to, "out of memory");
	r->allow_efault = 1;	/* nothing mapped while away */
	race_start(r, race_keep_thread);
	race_loop(r, 1000, move_away_and_back, &w);
	race_finish(r, "mremap");
	ET_EXPECT(w.back == r->events, "%ld of %ld round trips came back",
		  w.back, r->events);
}

static void fork_once(struct race *r, uint64_t *s, void *ctx)
{
	long *forks = ctx;
	pid_t pid = fork();
	int st;

	(void)r;
	(void)s;
	if (pid == 0)
		_exit(0);
	if (pid > 0 && waitpid(pid, &st, 0) == pid)
		(*forks)++;
}

ET_TEST_F(keep, forked_with_copy_on_write)
{
	struct race *r = &self->r;
	long forks = 0;

	race_start(r, race_keep_thread);
	race_loop(r, 300, fork_once, &forks);
	race_finish(r, "fork");
	ET_EXPECT(forks == r->events, "%ld of %ld forks", forks, r->events);
}

struct thp {
	long huge, split, collapsed;
};

/* One page made read-only and back splits the PMD; MADV_COLLAPSE mends it. */
static void split_and_collapse(struct race *r, uint64_t *s, void *ctx)
{
	size_t p = ed_rand_range(s, 0, r->npages - 1);
	struct thp *t = ctx;

	race_lock(r, p, 1);
	mprotect(r->buf + p * ET_PAGE, ET_PAGE, PROT_READ);
	mprotect(r->buf + p * ET_PAGE, ET_PAGE, PROT_READ | PROT_WRITE);
	race_unlock(r, p, 1);
	t->split += et_anon_huge_kb(r->buf) < t->huge;
	t->collapsed += !madvise(r->buf, r->npages * ET_PAGE, MADV_COLLAPSE);
}

/* 4 MiB of THP: split and collapsed again and again. */
ET_TEST(THP_split_and_collapsed_under_transfers)
{
	unsigned char *buf = et_map_aligned(4 << 20, 2 << 20);
	struct race *r = calloc(1, sizeof(*r));
	struct thp t = { 0 };
	char old[32];

	ET_ASSERT(buf && r, "out of memory");
	if (et_thp_on(old, sizeof(old)))
		ET_SKIP("transparent hugepages are off and cannot be turned on");
	madvise(buf, 4 << 20, MADV_HUGEPAGE);
	race_setup(r, 1024, 0, buf);
	t.huge = et_anon_huge_kb(buf);
	if (t.huge < 2048) {
		et_thp_restore(old);
		ET_SKIP("no huge page (AnonHugePages %ld kB)", t.huge);
	}
	r->allow_efault = 1;
	race_start(r, race_keep_thread);
	race_loop(r, 250, split_and_collapse, &t);
	race_finish(r, "THP split and collapse");
	et_thp_restore(old);
	et_note("THP: split seen %ld times, MADV_COLLAPSE succeeded %ld times",
		t.split, t.collapsed);
	ET_EXPECT(t.split > 0, "no huge page was ever split");
	ET_EXPECT(t.collapsed > 0, "MADV_COLLAPSE never succeeded");
	race_teardown(r);
	free(r);
}
