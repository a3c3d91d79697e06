// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_fileops: the file operations of /dev/edudma*.  read() of
 * completion records with a bad size or buffer (and the record that waits
 * survives the failed read), O_NONBLOCK with nothing queued, poll() with
 * and without a record, and the operations the driver does not have
 * (write, writev, lseek, pread, pwrite, mmap, ftruncate).  Each row expects
 * the errno include/uapi/linux/edudma.h documents; the fixture is
 * badinput.h's.
 */
#include <sys/uio.h>

#include "badinput.h"

BI_PROGRAM

/*
 * Queues one asynchronous 1-byte TO_DEV on fdn and waits until its record
 * can be read.  Returns 0 or the errno.
 */
static int queue_one(struct et_fx_badinput *self, uint64_t cookie)
{
	struct edudma_xfer x = {
		.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_TO_DEV,
		.length = 1, .cookie = cookie,
	};
	struct pollfd p = { .fd = self->fdn, .events = POLLIN };
	uint32_t h;
	int e;

	e = bi_reg(self->fdn, self->buf, ET_PAGE, ET_RW, &h);
	if (e)
		return e;
	x.src_handle = h;
	e = et_xfer(self->fdn, &x);
	if (!e && poll(&p, 1, 30000) != 1)
		e = ETIMEDOUT;
	return e;
}

/* ---- read --------------------------------------------------------------- */

enum read_into { INTO_STACK, INTO_NULL, INTO_RO, INTO_HOLE };

struct read_row {
	const char *name;
	int (*call)(struct et_fx_badinput *self, const struct read_row *row);
	size_t count;		/* bytes asked for */
	enum read_into into;	/* r_keep: the buffer */
	int check_kept;		/* r_keep: the row checks the record kept */
	int expect;
};

/* read(fd, ..., count bytes) with nothing queued on a blocking file */
static int r_size(struct et_fx_badinput *self, const struct read_row *row)
{
	unsigned char b[64];

	return read(self->fd, b, row->count) < 0 ? errno : 0;
}

static int r_nonblock(struct et_fx_badinput *self,
		      const struct read_row *row)
{
	struct edudma_completion rec[2];

	(void)row;
	return read(self->fdn, rec, sizeof(rec)) < 0 ? errno : 0;
}

/*
 * A record waits; read() into a bad buffer or a too small one fails, and
 * the record is still there for the next read.  The check_kept row
 * reports whether the record survived instead of the first read's errno.
 */
static int r_keep(struct et_fx_badinput *self, const struct read_row *row)
{
	struct edudma_completion rec;
	uint64_t cookie = 1000 + row->into;
	void *dst = row->into == INTO_NULL ? NULL :
		    row->into == INTO_RO ? (void *)self->ro :
		    row->into == INTO_HOLE ? (void *)self->hole : (void *)&rec;
	ssize_t r;
	int e, kept;

	ET_ASSERT_ERRNO(queue_one(self, cookie), 0, "queueing a record");
	r = read(self->fdn, dst, row->count);
	e = r < 0 ? errno : 0;
	/* the record must still be there */
	memset(&rec, 0, sizeof(rec));
	r = read(self->fdn, &rec, sizeof(rec));
	kept = r == sizeof(rec) && rec.cookie == cookie && !rec.status;
	if (!kept)
		et_note("the record was then %s (cookie %llu, status %d)",
			r == sizeof(rec) ? "read" : "lost",
			(unsigned long long)rec.cookie, rec.status);
	if (row->check_kept) {
		ET_EXPECT(kept, "%s: the record (cookie %llu) did not survive",
			  row->name, (unsigned long long)cookie);
		return kept ? 0 : EPROTO;
	}
	return e;
}

static const struct read_row read_rows[] = {
	{ .name = "read: 0 bytes", .call = r_size, .count = 0,
	  .expect = EINVAL },
	{ .name = "read: 1 byte", .call = r_size, .count = 1,
	  .expect = EINVAL },
	{ .name = "read: 23 bytes (one record is 24)", .call = r_size,
	  .count = 23, .expect = EINVAL },
	{ .name = "read: O_NONBLOCK with nothing queued", .call = r_nonblock,
	  .expect = EAGAIN },
	{ .name = "read: 23 bytes with a record queued", .call = r_keep,
	  .into = INTO_STACK, .count = 23, .expect = EINVAL },
	{ .name = "read: NULL buffer with a record queued", .call = r_keep,
	  .into = INTO_NULL, .count = 24, .expect = EFAULT },
	{ .name = "read: read-only buffer with a record queued",
	  .call = r_keep, .into = INTO_RO, .count = 24, .expect = EFAULT },
	{ .name = "read: unmapped buffer, then the record is still there",
	  .call = r_keep, .into = INTO_HOLE, .count = 24, .check_kept = 1,
	  .expect = 0 },
};

ET_TABLE_F(badinput, read, struct read_row, read_rows)
{
	BI_EXPECT(row->call(self, row), row->expect, row->name);
}

/* ---- poll --------------------------------------------------------------- */

struct poll_row {
	const char *name;
	int queued;		/* a record waits: POLLIN, else no event */
};

static const struct poll_row poll_rows[] = {
	{ .name = "poll: nothing queued, no event", .queued = 0 },
	{ .name = "poll: a record queued, POLLIN", .queued = 1 },
};

ET_TABLE_F(badinput, poll, struct poll_row, poll_rows)
{
	struct pollfd p = { .fd = self->fdn, .events = POLLIN };
	struct edudma_completion rec;
	int n;

	if (row->queued)
		ET_ASSERT_ERRNO(queue_one(self, 77), 0, "queueing a record");
	n = poll(&p, 1, 0);
	if (!row->queued) {
		ET_EXPECT(n == 0, "%s: poll %d, revents %#x, expected 0",
			  row->name, n, p.revents);
		return;
	}
	ET_EXPECT(n == 1 && p.revents == POLLIN,
		  "%s: poll %d, revents %#x, expected 1, POLLIN", row->name, n,
		  p.revents);
	ET_EXPECT(read(self->fdn, &rec, sizeof(rec)) == sizeof(rec),
		  "%s: the record could not be read: %s", row->name,
		  strerror(errno));
}

/* ---- the file operations the driver does not have ----------------------- */

enum fileop {
	FOP_WRITE, FOP_WRITEV, FOP_LSEEK_SET, FOP_LSEEK_END, FOP_PREAD,
	FOP_PWRITE, FOP_MMAP_SHARED, FOP_MMAP_PRIVATE, FOP_FTRUNCATE,
};

struct fileop_row {
	const char *name;
	enum fileop op;
	int expect;
};

static const struct fileop_row fileop_rows[] = {
	{ .name = "write: no write op", .op = FOP_WRITE, .expect = EINVAL },
	{ .name = "writev: no write op", .op = FOP_WRITEV, .expect = EINVAL },
	{ .name = "lseek SEEK_SET: not seekable", .op = FOP_LSEEK_SET,
	  .expect = ESPIPE },
	{ .name = "lseek SEEK_END: not seekable", .op = FOP_LSEEK_END,
	  .expect = ESPIPE },
	{ .name = "pread: not seekable", .op = FOP_PREAD, .expect = ESPIPE },
	{ .name = "pwrite: not seekable", .op = FOP_PWRITE, .expect = ESPIPE },
	{ .name = "mmap MAP_SHARED: no mmap op", .op = FOP_MMAP_SHARED,
	  .expect = ENODEV },
	{ .name = "mmap MAP_PRIVATE: no mmap op", .op = FOP_MMAP_PRIVATE,
	  .expect = ENODEV },
	{ .name = "ftruncate: not a regular file", .op = FOP_FTRUNCATE,
	  .expect = EINVAL },
};

static int fileop(int fd, enum fileop op)
{
	unsigned char b[64] = { 0 };
	struct iovec iov = { b, sizeof(b) };
	void *p;

	switch (op) {
	case FOP_WRITE: return write(fd, b, sizeof(b)) < 0 ? errno : 0;
	case FOP_WRITEV: return writev(fd, &iov, 1) < 0 ? errno : 0;
	case FOP_LSEEK_SET: return lseek(fd, 0, SEEK_SET) < 0 ? errno : 0;
	case FOP_LSEEK_END: return lseek(fd, 0, SEEK_END) < 0 ? errno : 0;
	case FOP_PREAD: return pread(fd, b, sizeof(b), 0) < 0 ? errno : 0;
	case FOP_PWRITE: return pwrite(fd, b, sizeof(b), 0) < 0 ? errno : 0;
	case FOP_FTRUNCATE: return ftruncate(fd, 0) < 0 ? errno : 0;
	case FOP_MMAP_SHARED:
	case FOP_MMAP_PRIVATE:
		p = mmap(NULL, ET_PAGE, PROT_READ | PROT_WRITE,
			 op == FOP_MMAP_SHARED ? MAP_SHARED : MAP_PRIVATE,
			 fd, 0);
		if (p == MAP_FAILED)
			return errno;
		munmap(p, ET_PAGE);
		return 0;
	}
	return EPROTO;
}

ET_TABLE_F(badinput, fileop, struct fileop_row, fileop_rows)
{
	BI_EXPECT(fileop(self->fd, row->op), row->expect, row->name);
}

BI_AFTERWARDS
