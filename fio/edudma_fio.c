// SPDX-License-Identifier: GPL-2.0
/*
 * edudma_fio.c: an fio external ioengine (ioengine=external:edudma-fio.so)
 * on libedudma.  Documentation/fio.md.
 *
 * Each file of a job is a buffer of the file's size, registered with the
 * device: the "medium".  fio's I/O buffers (td->orig_buffer, every io_u's
 * data) are one registration too.  A write is an asynchronous DMA COPY
 * through the device from the io_u's buffer into the file's buffer at the
 * io_u's offset, a read the reverse, so every byte fio writes and later
 * verifies went through the device's DMA engine twice.  fio's queue depth
 * is the number of transfers queued on the device at once; completions
 * come back through edudma_get_completions(), each carrying the slot of
 * its io_u as its cookie.
 *
 * Engine options: edudma_dev=PATH (default /dev/edudma0).
 *
 * Built against the source of the fio that runs it (fio/build: fio checks
 * FIO_IOOPS_VERSION when it loads the engine, and the structs it shares
 * with the engine are those of its own configure).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fio.h"
#include "optgroup.h"

#include <edudma.h>

struct edf_options {
	void *pad;		/* fio keeps its thread_data here */
	char *dev;
};

static struct fio_option edf_opts[] = {
	{
		.name	= "edudma_dev",
		.lname	= "edudma device",
		.type	= FIO_OPT_STR_STORE,
		.off1	= offsetof(struct edf_options, dev),
		.help	= "The edudma device to move the data through",
		.def	= "/dev/edudma0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_INVALID,
	},
	{
		.name	= NULL,
	},
};

/* A file of the job: its buffer and registration, kept until cleanup. */
struct edf_file {
	void *mem;
	size_t maplen;
	struct edudma_mr *mr;
};

struct edf {
	struct edudma_dev *dev;
	struct edudma_mr *iomr;		/* fio's I/O buffers */
	uintptr_t iobase;
	size_t iolen;
	unsigned int depth;
	struct io_u **slot;		/* queued io_us, by cookie */
	unsigned int *free_slot, nfree;
	struct io_u **events;		/* the last getevents' */
	struct edudma_completion *comps;
	struct edf_file *files;
	unsigned int nfiles;
};

static void edf_cleanup(struct thread_data *td)
{
	struct edf *e = td->io_ops_data;
	unsigned int i;

	if (!e)
		return;
	for (i = 0; i < e->nfiles; i++) {
		if (e->files[i].mr)
			edudma_dereg_mr(e->files[i].mr);
		if (e->files[i].mem)
			munmap(e->files[i].mem, e->files[i].maplen);
	}
	if (e->iomr)
		edudma_dereg_mr(e->iomr);
	if (e->dev)
		edudma_close(e->dev);
	free(e->files);
	free(e->slot);
	free(e->free_slot);
	free(e->events);
	free(e->comps);
	free(e);
	td->io_ops_data = NULL;
}

static int edf_init(struct thread_data *td)
{
	struct edf_options *o = td->eo;
	const char *path = o && o->dev ? o->dev : "/dev/edudma0";
	struct edf *e;
	unsigned int i;
	int ret;

	e = calloc(1, sizeof(*e));
	if (!e)
		return 1;
	td->io_ops_data = e;
	e->depth = td->o.iodepth ? td->o.iodepth : 1;
	e->nfiles = td->o.nr_files ? td->o.nr_files : 1;
	e->slot = calloc(e->depth, sizeof(*e->slot));
	e->free_slot = calloc(e->depth, sizeof(*e->free_slot));
	e->events = calloc(e->depth, sizeof(*e->events));
	e->comps = calloc(e->depth, sizeof(*e->comps));
	e->files = calloc(e->nfiles, sizeof(*e->files));
	if (!e->slot || !e->free_slot || !e->events || !e->comps ||
	    !e->files) {
		edf_cleanup(td);
		return 1;
	}
	for (i = 0; i < e->depth; i++)
		e->free_slot[e->nfree++] = e->depth - 1 - i;
	ret = edudma_open_path(path, &e->dev);
	if (ret) {
		log_err("edudma: %s: %s\n", path, strerror(-ret));
		edf_cleanup(td);
		return 1;
	}
	return 0;
}

/* After fio made its I/O buffers: they are registered once, for both ways. */
static int edf_post_init(struct thread_data *td)
{
	struct edf *e = td->io_ops_data;
	int ret;

	e->iobase = (uintptr_t)td->orig_buffer;
	e->iolen = td->orig_buffer_size;
	ret = edudma_reg_mr(e->dev, td->orig_buffer, e->iolen,
			    EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE,
			    &e->iomr);
	if (ret) {
		log_err("edudma: registering fio's %zu bytes of I/O buffers: %s\n",
			e->iolen, strerror(-ret));
		return 1;
	}
	return 0;
}

/* Each file is size / nrfiles bytes (fio's own rule for files it makes). */
static int edf_setup(struct thread_data *td)
{
	struct fio_file *f;
	unsigned int i;
	uint64_t sz;

	if (!td->o.size || !td->o.nr_files) {
		log_err("edudma: the job needs size=\n");
		return 1;
	}
	sz = td->o.size / td->o.nr_files;
	for_each_file(td, f, i)
		if (f->real_file_size == -1ULL || !f->real_file_size)
			f->real_file_size = sz;
	return 0;
}

/* The file's buffer is made and registered at its first open, kept after. */
static int edf_open_file(struct thread_data *td, struct fio_file *f)
{
	struct edf *e = td->io_ops_data;
	struct edf_file *ef;
	int ret;

	if (f->fileno >= e->nfiles) {
		log_err("edudma: file %u of %u\n", f->fileno, e->nfiles);
		return 1;
	}
	ef = &e->files[f->fileno];
	if (ef->mr)
		return 0;
	ef->maplen = f->real_file_size;
	ef->mem = mmap(NULL, ef->maplen, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ef->mem == MAP_FAILED) {
		ef->mem = NULL;
		td_verror(td, errno, "mmap of the file's buffer");
		return 1;
	}
	ret = edudma_reg_mr(e->dev, ef->mem, ef->maplen,
			    EDUDMA_ACCESS_DEV_READ | EDUDMA_ACCESS_DEV_WRITE,
			    &ef->mr);
	if (ret) {
		td_verror(td, -ret, "registering the file's buffer");
		return 1;
	}
	return 0;
}

static int edf_close_file(struct thread_data *td, struct fio_file *f)
{
	(void)td;
	(void)f;	/* the verify phase opens it again: the data stays */
	return 0;
}

static enum fio_q_status edf_queue(struct thread_data *td, struct io_u *io_u)
{
	struct edf *e = td->io_ops_data;
	struct edudma_mr *fmr = e->files[io_u->file->fileno].mr;
	uintptr_t buf = (uintptr_t)io_u->xfer_buf;
	unsigned int s;
	int ret;

	fio_ro_check(td, io_u);
	io_u->error = 0;
	if (io_u->ddir != DDIR_READ && io_u->ddir != DDIR_WRITE) {
		if (io_u->ddir == DDIR_TRIM)
			io_u->error = EOPNOTSUPP;
		return FIO_Q_COMPLETED;	/* syncs: the medium is memory */
	}
	if (buf < e->iobase || io_u->xfer_buflen > e->iolen ||
	    buf - e->iobase > e->iolen - io_u->xfer_buflen) {
		log_err("edudma: an I/O buffer outside fio's buffers\n");
		io_u->error = EINVAL;
		return FIO_Q_COMPLETED;
	}
	if (!e->nfree)
		return FIO_Q_BUSY;
	s = e->free_slot[--e->nfree];
	if (io_u->ddir == DDIR_WRITE)
		ret = edudma_submit_copy(e->iomr, buf - e->iobase, fmr,
					 io_u->offset, io_u->xfer_buflen, s);
	else
		ret = edudma_submit_copy(fmr, io_u->offset, e->iomr,
					 buf - e->iobase, io_u->xfer_buflen, s);
	if (ret) {
		e->free_slot[e->nfree++] = s;
		if (ret == -EAGAIN)
			return FIO_Q_BUSY;	/* max_inflight: reap first */
		io_u->error = -ret;
		return FIO_Q_COMPLETED;
	}
	e->slot[s] = io_u;
	return FIO_Q_QUEUED;
}

/* fio's wait, as edudma_get_completions()' milliseconds (rounded up). */
static int edf_wait_ms(const struct timespec *t)
{
	long long ms;

	if (!t)
		return -1;
	ms = (long long)t->tv_sec * 1000 + (t->tv_nsec + 999999) / 1000000;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static int edf_getevents(struct thread_data *td, unsigned int min,
			 unsigned int max, const struct timespec *t)
{
	struct edf *e = td->io_ops_data;
	unsigned int got = 0, i;
	int n;

	if (max > e->depth)
		max = e->depth;
	while (got < max) {
		n = edudma_get_completions(e->dev, e->comps, max - got,
					   got < min ? edf_wait_ms(t) : 0);
		if (n < 0) {
			td_verror(td, -n, "edudma_get_completions");
			return n;
		}
		if (!n)
			break;		/* none within the wait, or none more */
		for (i = 0; i < (unsigned int)n; i++) {
			unsigned int s = e->comps[i].cookie;
			struct io_u *io_u;

			if (s >= e->depth || !e->slot[s]) {
				log_err("edudma: a completion of no transfer (cookie %u)\n",
					s);
				return -EIO;
			}
			io_u = e->slot[s];
			e->slot[s] = NULL;
			e->free_slot[e->nfree++] = s;
			io_u->error = e->comps[i].status ? -e->comps[i].status : 0;
			io_u->resid = io_u->xfer_buflen - e->comps[i].bytes;
			e->events[got++] = io_u;
		}
	}
	return got;
}

static struct io_u *edf_event(struct thread_data *td, int event)
{
	struct edf *e = td->io_ops_data;

	return e->events[event];
}

/*
 * fio looks this symbol up when it loads the engine (dlsym "ioengine").
 * FIO_RAWIO: fio starts every io_u's buffer on a page (fio 3.33 aligns
 * them for FIO_RAWIO, not FIO_MEMALIGN), as the file buffers start, so a
 * block is cut into DMAs the same way wherever malloc put fio's buffers:
 * unaligned, a 4 KiB block straddles two pages, one DMA more where they
 * are not physically contiguous.
 */
struct ioengine_ops ioengine = {
	.name		= "edudma",
	.version	= FIO_IOOPS_VERSION,
	.flags		= FIO_DISKLESSIO | FIO_NOEXTEND | FIO_RAWIO,
	.init		= edf_init,
	.post_init	= edf_post_init,
	.setup		= edf_setup,
	.cleanup	= edf_cleanup,
	.open_file	= edf_open_file,
	.close_file	= edf_close_file,
	.queue		= edf_queue,
	.getevents	= edf_getevents,
	.event		= edf_event,
	.options	= edf_opts,
	.option_struct_size = sizeof(struct edf_options),
};
