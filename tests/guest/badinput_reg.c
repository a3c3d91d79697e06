// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_reg: REG_MR's own rules.  Access flags, lengths and overflows,
 * the memory registered (read-only, PROT_NONE, unmapped, kernel addresses,
 * a range that runs into a hole), and mappings that are not anonymous
 * memory: memfd, tmpfs files (shared and private, read-only files) and
 * hugetlbfs.  Each row expects the errno include/uapi/linux/edudma.h
 * documents; the fixture is badinput.h's.  The budgets are
 * badinput_limits.c's.
 */
#include <sys/stat.h>

#include "badinput.h"

#define TMPFS_DIR	"/tmp/edudma-badinput"

BI_PROGRAM

/* ---- addresses, lengths, access ----------------------------------------- */

static const struct bi_mem_row reg_rows[] = {
	{ .name = "REG_MR: no access flag", .at = AT_BUF, .flags = 0,
	  .length = ET_PAGE, .expect = EINVAL },
	{ .name = "REG_MR: ON_DEMAND and no access flag", .at = AT_BUF,
	  .flags = EDUDMA_REG_ON_DEMAND, .length = ET_PAGE, .expect = EINVAL },
	{ .name = "REG_MR: an unknown flag (bit 4)", .at = AT_BUF,
	  .flags = DR | 1U << 4, .length = ET_PAGE, .expect = EINVAL },
	{ .name = "REG_MR: ON_DEMAND and NO_STALE together", .at = AT_BUF,
	  .flags = DR | EDUDMA_REG_ON_DEMAND | EDUDMA_REG_NO_STALE,
	  .length = ET_PAGE, .expect = EINVAL },
	{ .name = "REG_MR: NO_STALE and no access flag", .at = AT_BUF,
	  .flags = EDUDMA_REG_NO_STALE, .length = ET_PAGE, .expect = EINVAL },
	{ .name = "REG_MR: length 0", .at = AT_BUF, .flags = DR, .length = 0,
	  .expect = EINVAL },
	{ .name = "REG_MR: ON_DEMAND, length 0", .at = AT_BUF,
	  .flags = DR | EDUDMA_REG_ON_DEMAND, .length = 0, .expect = EINVAL },
	{ .name = "REG_MR: ON_DEMAND, addr + length overflows",
	  .at = AT_TOP_100, .flags = DR | EDUDMA_REG_ON_DEMAND,
	  .length = 4096, .expect = EINVAL },
	{ .name = "REG_MR: ON_DEMAND, unmapped address (accepted)",
	  .at = AT_HOLE, .flags = ET_RW | EDUDMA_REG_ON_DEMAND,
	  .length = ET_PAGE, .expect = 0 },
	{ .name = "REG_MR: ON_DEMAND, PROT_NONE memory (accepted)",
	  .at = AT_NONE, .flags = ET_RW | EDUDMA_REG_ON_DEMAND,
	  .length = ET_PAGE, .expect = 0 },
	{ .name = "REG_MR: ON_DEMAND, kernel direct-map address",
	  .at = AT_KADDR, .flags = ET_RW | EDUDMA_REG_ON_DEMAND,
	  .length = ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: addr + length overflows", .at = AT_TOP_100,
	  .flags = DR, .length = 4096, .expect = EINVAL },
	{ .name = "REG_MR: length 2^64 - 1", .at = AT_BUF, .flags = DR,
	  .length = ~0ULL, .expect = EINVAL },
	{ .name = "REG_MR: NULL address", .at = AT_NULL, .flags = DR,
	  .length = ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: unmapped address", .at = AT_HOLE, .flags = DR,
	  .length = ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: kernel direct-map address", .at = AT_KADDR,
	  .flags = ET_RW, .length = ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: kernel text address, DEV_READ", .at = AT_KTEXT,
	  .flags = DR, .length = ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: range that runs into an unmapped page",
	  .at = AT_EDGE_100, .flags = ET_RW, .length = ET_PAGE,
	  .expect = EFAULT },
	{ .name = "REG_MR: read-only memory, DEV_WRITE", .at = AT_RO,
	  .flags = DW, .length = ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: read-only memory, DEV_READ|DEV_WRITE", .at = AT_RO,
	  .flags = ET_RW, .length = 2 * ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: read-only memory, DEV_READ (accepted)", .at = AT_RO,
	  .flags = DR, .length = 2 * ET_PAGE, .expect = 0 },
	{ .name = "REG_MR: PROT_NONE memory, DEV_READ", .at = AT_NONE,
	  .flags = DR, .length = ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: PROT_NONE memory, DEV_WRITE", .at = AT_NONE,
	  .flags = DW, .length = ET_PAGE, .expect = EFAULT },
	{ .name = "REG_MR: 1 byte, unaligned (accepted)", .at = AT_BUF_ODD,
	  .flags = DR, .length = 1, .expect = 0 },
};

ET_TABLE_F(badinput, reg, struct bi_mem_row, reg_rows)
{
	const void *addr = (const void *)(uintptr_t)bi_addr(self, row->at, 0);
	struct edudma_reg_mr r;
	int e = et_reg(self->fd, addr, row->length, row->flags, &r);

	if (!e)
		et_dereg(self->fd, r.handle);
	BI_EXPECT(e, row->expect, row->name);
}

/* ---- whole mappings ----------------------------------------------------- */

/* REG_MR of a whole mapping; a success must count every page of it. */
static int reg_mapping(struct et_fx_badinput *self, void *p, size_t len,
		       uint32_t flags)
{
	struct edudma_reg_mr r;
	int e = et_reg(self->fd, p, len, flags, &r);

	if (!e) {
		ET_EXPECT(r.nr_pages == (len + ET_PAGE - 1) / ET_PAGE,
			  "nr_pages %llu, expected %lu",
			  (unsigned long long)r.nr_pages,
			  (len + ET_PAGE - 1) / ET_PAGE);
		et_dereg(self->fd, r.handle);
	}
	return e;
}

/* A memfd or tmpfs mapping registered as a whole. */
struct mapping_row {
	const char *name;
	int rdonly;		/* O_RDONLY (tmpfs), mapped PROT_READ */
	int private;		/* MAP_PRIVATE, not MAP_SHARED (tmpfs) */
	uint32_t flags;		/* of the REG_MR */
	int expect;
};

static const struct mapping_row memfd_rows[] = {
	{ .name = "REG_MR: memfd MAP_SHARED, DEV_READ|DEV_WRITE (accepted)",
	  .flags = ET_RW, .expect = 0 },
	{ .name = "REG_MR: memfd MAP_SHARED, DEV_READ (accepted)",
	  .flags = DR, .expect = 0 },
	{ .name = "REG_MR: memfd MAP_SHARED PROT_READ, DEV_WRITE",
	  .rdonly = 1, .flags = DW, .expect = EFAULT },
	{ .name = "REG_MR: memfd MAP_SHARED PROT_READ, DEV_READ (accepted)",
	  .rdonly = 1, .flags = DR, .expect = 0 },
};

ET_TABLE_F(badinput, memfd, struct mapping_row, memfd_rows)
{
	size_t len = 4 * ET_PAGE;
	int m = memfd_create("edudma-badinput", MFD_CLOEXEC);
	void *p;

	if (m >= 0 && ftruncate(m, len)) {
		close(m);
		m = -1;
	}
	if (m < 0)
		ET_SKIP("memfd_create failed");
	p = mmap(NULL, len, row->rdonly ? PROT_READ : PROT_READ | PROT_WRITE,
		 MAP_SHARED, m, 0);
	close(m);
	if (p == MAP_FAILED)
		ET_SKIP("mmap of the memfd failed");
	if (!row->rdonly)
		memset(p, 0x33, len);
	BI_EXPECT(reg_mapping(self, p, len, row->flags), row->expect,
		  row->name);
	munmap(p, len);
}

static const struct mapping_row tmpfs_rows[] = {
	{ .name = "REG_MR: tmpfs file MAP_SHARED, DEV_READ|DEV_WRITE (accepted)",
	  .flags = ET_RW, .expect = 0 },
	{ .name = "REG_MR: tmpfs file MAP_PRIVATE, DEV_READ|DEV_WRITE (accepted)",
	  .private = 1, .flags = ET_RW, .expect = 0 },
	{ .name = "REG_MR: read-only tmpfs file MAP_SHARED, DEV_READ (accepted)",
	  .rdonly = 1, .flags = DR, .expect = 0 },
	{ .name = "REG_MR: read-only tmpfs file MAP_SHARED, DEV_WRITE",
	  .rdonly = 1, .flags = DW, .expect = EFAULT },
	{ .name = "REG_MR: read-only tmpfs file MAP_PRIVATE, DEV_WRITE",
	  .rdonly = 1, .private = 1, .flags = DW, .expect = EFAULT },
	{ .name = "REG_MR: read-only tmpfs file MAP_PRIVATE, DEV_READ (accepted)",
	  .rdonly = 1, .private = 1, .flags = DR, .expect = 0 },
};

/* A 4-page file in TMPFS_DIR (on /tmp), opened as the row says; or -1. */
static int tmpfs_file(const char *path, int rdonly)
{
	unsigned char page[4096];
	int f;

	mkdir(TMPFS_DIR, 0700);
	f = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	memset(page, 0x77, sizeof(page));
	for (int i = 0; f >= 0 && i < 4; i++)
		if (write(f, page, sizeof(page)) != sizeof(page)) {
			close(f);
			f = -1;
		}
	if (f >= 0 && rdonly) {
		close(f);
		f = open(path, O_RDONLY | O_CLOEXEC);
	}
	return f;
}

ET_TABLE_F(badinput, tmpfs, struct mapping_row, tmpfs_rows)
{
	static const char path[] = TMPFS_DIR "/file";
	size_t len = 4 * ET_PAGE;
	int f = tmpfs_file(path, row->rdonly);
	void *p;

	if (f < 0)
		ET_SKIP("cannot create a file in " TMPFS_DIR);
	p = mmap(NULL, len,
		 row->rdonly ? PROT_READ : PROT_READ | PROT_WRITE,
		 row->private ? MAP_PRIVATE : MAP_SHARED, f, 0);
	close(f);
	unlink(path);
	if (p == MAP_FAILED)
		ET_SKIP("mmap of the tmpfs file failed");
	BI_EXPECT(reg_mapping(self, p, len, row->flags), row->expect,
		  row->name);
	munmap(p, len);
}

/* ---- hugetlbfs ---------------------------------------------------------- */

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

/* Sets nr_hugepages to n (a sysctl, no module parameter). */
static void set_nr_hugepages(long n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", n);
	et_file_put(NR_HUGEPAGES, buf);
}

enum huge_kind { HUGE_ANON, HUGE_FILE };

struct huge_row {
	const char *name;
	enum huge_kind kind;
	int expect;
};

static const struct huge_row huge_rows[] = {
	{ .name = "REG_MR: hugetlbfs MAP_HUGETLB 2 MiB (accepted)",
	  .kind = HUGE_ANON, .expect = 0 },
	{ .name = "REG_MR: hugetlbfs file MAP_SHARED 2 MiB (accepted)",
	  .kind = HUGE_FILE, .expect = 0 },
};

/* 2 MiB of huge pages as the row says, or MAP_FAILED */
static void *huge_map(enum huge_kind kind, size_t len)
{
	static const char path[] = "/dev/hugepages/edudma-badinput";
	void *p = MAP_FAILED;
	int f;

	if (kind == HUGE_ANON)
		return mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f >= 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
		close(f);
		unlink(path);
	}
	return p;
}

ET_TABLE_F(badinput, hugetlb, struct huge_row, huge_rows)
{
	size_t len = 2 << 20;
	long old = et_file_long(NR_HUGEPAGES);
	void *p;
	int e = 0;

	if (old >= 0 && old < 2)
		set_nr_hugepages(2);
	p = huge_map(row->kind, len);
	if (p != MAP_FAILED) {
		memset(p, 0x44, len);
		e = reg_mapping(self, p, len, ET_RW);
		munmap(p, len);
	}
	if (old >= 0 && old < 2)
		set_nr_hugepages(old);
	if (p == MAP_FAILED)
		ET_SKIP("%s", row->kind == HUGE_FILE ?
			"no hugetlbfs at /dev/hugepages or no huge page" :
			"no huge page (nr_hugepages cannot be raised)");
	BI_EXPECT(e, row->expect, row->name);
}

BI_AFTERWARDS
