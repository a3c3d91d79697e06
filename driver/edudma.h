/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma: internal declarations shared by the driver's files.
 *
 * Locking, outermost first (Documentation/design.md):
 *   edev->state_lock  rwsem; every ioctl holds it for read, remove() for
 *                     write, so the hardware and the DMA mappings are only
 *                     used while the device is bound.
 *   efile->lock       mutex; the file's region table and settings, the
 *                     watches' checks and the event queue (edudma_watch.c).
 *   edev->files_lock  mutex; the list of open files (remove() walks it).
 *   edev->mr_lock     mutex; the device's list of mapped memory (every
 *                     registration and one-shot side, wherever it is).
 *   edev->lock        spinlock, taken in the IRQ handler; the transfer
 *                     queue, the running DMA, every file's pending and
 *                     done lists, request state.
 *   efile->watch_lock spinlock, taken in mmu notifier callbacks; the
 *                     watches' state, the suspects and events lists.
 */
#ifndef EDUDMA_H
#define EDUDMA_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/eventfd.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <uapi/linux/edudma.h>

#define EDUDMA_NAME		"edudma"
#define EDUDMA_MAX_DEVICES	256

/* Module parameters (edudma_main.c). */
extern unsigned int edudma_timeout_ms;
extern unsigned int edudma_max_regions;
extern unsigned int edudma_max_pinned_mb;
extern unsigned int edudma_max_inflight;
extern unsigned int edudma_max_events;

/*
 * The device's counters are the fields of struct edudma_stats after flags,
 * in that order: the uAPI struct is their list.  edev->stats[] holds them;
 * edudma_stat_add(edev, xfers, 1) adds to the one named.
 */
#define EDUDMA_STAT_FIRST	offsetof(struct edudma_stats, regions)
#define EDUDMA_NR_STATS		((sizeof(struct edudma_stats) - \
				  EDUDMA_STAT_FIRST) / sizeof(__u64))
#define EDUDMA_STAT_IDX(name)	((offsetof(struct edudma_stats, name) - \
				  EDUDMA_STAT_FIRST) / sizeof(__u64))
#define edudma_stat_add(edev, name, v) \
	atomic64_add(v, &(edev)->stats[EDUDMA_STAT_IDX(name)])

/* One DMA segment of a mapped region: region bytes [start, start + len). */
struct edudma_seg {
	u64 start;
	dma_addr_t dma;
	u32 len;
};

struct edudma_odp;
struct edudma_watch;

/*
 * A pinned, mapped piece of user memory: a registration, or the one-shot
 * side of a transfer.  Pages stay pinned until edudma_mr_destroy(); the
 * DMA mapping may go earlier, when the device is removed: every mapped mr
 * is on edev->mrs, so remove() reaches it wherever it is (a file's table,
 * a request queued, finished or being freed).
 *
 * An on-demand registration (odp set, edudma_odp.c) pins nothing: pages,
 * sgt and segs stay empty, and its page table follows the address space.
 */
struct edudma_mr {
	struct edudma_dev *edev;
	struct list_head dev_node;	/* edev->mrs while mapped */
	u32 handle;
	u32 access;			/* EDUDMA_ACCESS_* */
	u64 addr;
	u64 length;
	unsigned long npages;
	struct page **pages;
	struct page *page0;		/* pages when there is one */
	struct mm_struct *mm;		/* mmgrab()ed: owns the memlock charge */
	struct sg_table sgt;
	struct scatterlist sg0;		/* sgt's when there is one entry */
	bool mapped;
	struct edudma_seg *segs;	/* DMA segments, in region order */
	struct edudma_seg seg0;		/* segs when there is only one */
	unsigned int nsegs;
	struct edudma_odp *odp;		/* on demand; NULL when pinned */
	struct edudma_watch *watch;	/* a pinned registration's, or NULL */
	atomic_t busy;			/* transfers queued or running on it */
};

/* Where one side of a transfer lives in memory. */
struct edudma_side {
	struct edudma_mr *mr;
	u64 offset;			/* in mr */
	bool oneshot;			/* mr belongs to the request */
};

enum edudma_phase { EDUDMA_FILL, EDUDMA_DRAIN };

/* One transfer request (EDUDMA_XFER). */
struct edudma_req {
	struct list_head node;		/* file's pending or done list */
	struct edudma_file *efile;
	u32 op;
	u32 dev_offset;
	u64 length;
	u64 cookie;
	bool async;
	u64 id;				/* the engine's, for tracepoints */

	struct edudma_side src, dst;

	/* Progress, under edev->lock. */
	u64 limit;			/* it ends here (length, or a bad page) */
	int limit_status;		/* ... with this status */
	u64 pos;			/* bytes of the request finished */
	u32 chunk;			/* COPY: bytes in the current chunk */
	u32 sub;			/* bytes of this phase done */
	enum edudma_phase phase;
	int cancel;			/* -errno: end at the next unit boundary */
	bool done;
	int status;
};

/*
 * The one DMA the device runs now, or the unit an on-demand side is being
 * faulted for (faulting: the device is the unit's, no DMA runs).
 */
struct edudma_dma {
	struct edudma_req *req;		/* NULL when idle */
	bool faulting;			/* edev->fault_work prepares the unit */
	bool stale;			/* an invalidation hit the unit's pages */
	u32 len;
	bool to_dev;
	bool timed_out;			/* waiting for the device to stop */
	unsigned long deadline;		/* jiffies: timeout_ms after issue */
};

/*
 * The device's life (Documentation/design.md, "Device states"):
 *   EDUDMA_LIVE   from probe: open, ioctls and transfers work;
 *   EDUDMA_DYING  remove() began (edudma_engine_kill(), under lock): no new
 *                 open, ioctl or transfer (ENODEV), queued transfers end
 *                 with ENODEV, the running DMA is waited for;
 *   EDUDMA_GONE   remove() holds state_lock for writing: every mapping is
 *                 dropped, then the interrupt; only the files' memory and
 *                 unread records are left, until the last close.
 * Written under both state_lock (for writing) and lock; read under either.
 */
enum edudma_state { EDUDMA_LIVE, EDUDMA_DYING, EDUDMA_GONE };

struct edudma_dev {
	struct device dev;		/* /dev/edudmaN, the refcount */
	struct cdev cdev;
	struct pci_dev *pdev;		/* used only while not GONE */
	void __iomem *bar;
	u64 bar_len;
	u64 dma_mask;
	unsigned int minor;
	int irq;
	u32 irq_mode;			/* EDUDMA_IRQ_* */
	u32 ident;
	u32 liveness;
	u32 dma_end;			/* exclusive end of a DMA in the buffer */

	struct rw_semaphore state_lock;
	enum edudma_state state;

	/* The engine, under lock. */
	spinlock_t lock;
	struct list_head active;	/* files with pending requests */
	struct edudma_dma cur;
	u64 req_seq;			/* the last request's id */
	struct timer_list timer;	/* the running DMA's deadline */
	unsigned long give_up;		/* DYING: jiffies to stop waiting */
	wait_queue_head_t idle_wq;	/* the running DMA ended */
	struct work_struct fault_work;	/* faults an on-demand unit's pages */

	/* Factorial: one at a time. */
	struct mutex fact_lock;		/* one factorial at a time */
	struct completion fact_done;

	struct mutex files_lock;	/* protects files */
	struct list_head files;

	struct mutex mr_lock;		/* protects mrs, mr->mapped */
	struct list_head mrs;		/* every mapped struct edudma_mr */

	atomic64_t stats[EDUDMA_NR_STATS];	/* edudma_stat_add() */
};

/* Per open file. */
struct edudma_file {
	struct edudma_dev *edev;
	struct list_head dev_node;	/* edev->files */

	struct mutex lock;		/* regions, eventfd, readers */
	struct xarray regions;		/* handle -> struct edudma_mr */
	u32 next_handle;
	u32 keep_index;			/* reserved in regions, or 0 */
	unsigned int nregions;
	u64 pinned_pages;		/* in regions */
	struct eventfd_ctx *eventfd;	/* also read in IRQ: under edev->lock */

	/* Under edev->lock. */
	struct list_head active_node;	/* edev->active while pending */
	struct list_head pending;	/* requests not finished, in order */
	struct list_head done;		/* async requests finished, unread */
	unsigned int inflight;		/* async: submitted, not yet read */
	wait_queue_head_t wq;		/* request finished, completion ready */

	/* Stale registrations (edudma_watch.c), under watch_lock. */
	spinlock_t watch_lock;
	struct list_head suspects;	/* watches an invalidation touched */
	struct list_head events;	/* stale watches not yet handed out */
	unsigned int nevents;
	bool events_lost;		/* the lost-events record is owed */
	struct work_struct watch_work;	/* checks the suspects */
};

/*
 * Checks the access flags and the range of a pin request (EINVAL) and
 * returns how many pages [addr, addr + length) spans.  A span whose page
 * array kvmalloc() would refuse (over INT_MAX bytes, about 1 TiB of
 * memory; it warns on such a size) is ENOMEM.
 */
static inline int edudma_span(u32 access, u64 addr, u64 length,
			      unsigned long *npages)
{
	if (!access || (access & ~EDUDMA_ACCESS_MASK))
		return -EINVAL;
	if (!length || addr + length < addr)
		return -EINVAL;
	*npages = ((addr + length - 1) >> PAGE_SHIFT) - (addr >> PAGE_SHIFT) + 1;
	if (*npages > INT_MAX / sizeof(struct page *))
		return -ENOMEM;
	return 0;
}

/*
 * The max_pinned_mb budget in pages, counted as edudma_span() counts them
 * (every page a range touches): a file's registrations together, one
 * one-shot side, one EDUDMA_BENCH_PIN (edudma_bench.h).
 */
static inline u64 edudma_pin_budget(void)
{
	return (u64)READ_ONCE(edudma_max_pinned_mb) << (20 - PAGE_SHIFT);
}

/* Not EDUDMA_LIVE: removal has begun.  Under state_lock or lock. */
static inline bool edudma_removed(struct edudma_dev *edev)
{
	return READ_ONCE(edev->state) != EDUDMA_LIVE;
}

/* edudma_cdev.c */
int edudma_cdev_init(void);
void edudma_cdev_exit(void);
int edudma_cdev_add(struct edudma_dev *edev);
void edudma_cdev_del(struct edudma_dev *edev);

/* edudma_ioctl.c */
long edudma_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* edudma_args.c */
int edudma_copy_args(void *karg, size_t minsz, void __user *uarg);

/* edudma_irq.c */
int edudma_irq_setup(struct edudma_dev *edev);
void edudma_irq_teardown(struct edudma_dev *edev);

/* edudma_mr.c */
int edudma_pin_pages(u64 addr, unsigned long npages, u32 access,
		     struct page **pages);
struct edudma_mr *edudma_mr_create(struct edudma_dev *edev, u64 addr,
				   u64 length, unsigned long npages,
				   u32 access);
struct edudma_mr *edudma_mr_create_odp(struct edudma_dev *edev, u64 addr,
				       u64 length, unsigned long npages,
				       u32 access);
enum dma_data_direction edudma_mr_dir(struct edudma_mr *mr);
void edudma_mr_destroy(struct edudma_mr *mr);
void edudma_mrs_unmap_all(struct edudma_dev *edev);

/* Pages an mr holds pinned (none on demand). */
static inline unsigned long edudma_mr_pinned(const struct edudma_mr *mr)
{
	return mr->odp ? 0 : mr->npages;
}

/* edudma_odp.c */
int edudma_odp_create(struct edudma_mr *mr);
void edudma_odp_unmap_all(struct edudma_mr *mr);
void edudma_odp_destroy(struct edudma_mr *mr);
int edudma_odp_fault(struct edudma_mr *mr, u64 off, u64 len, bool write,
		     u64 *good);
bool edudma_odp_ready(struct edudma_mr *mr, u64 off, u64 len, bool write);
u64 edudma_odp_dma_at(struct edudma_mr *mr, u64 off, dma_addr_t *dma);
int edudma_ioctl_prefetch(struct edudma_file *efile, void __user *uarg);

/* edudma_watch.c */
void edudma_watch_file_init(struct edudma_file *efile);
void edudma_watch_file_release(struct edudma_file *efile);
struct edudma_watch *edudma_watch_create(struct edudma_file *efile, u64 addr,
					 u64 length);
void edudma_watch_attach(struct edudma_watch *w, struct edudma_mr *mr);
void edudma_watch_destroy(struct edudma_watch *w);
int edudma_watch_verify(struct edudma_file *efile, struct edudma_mr *mr);
__poll_t edudma_watch_poll(struct edudma_file *efile);
int edudma_ioctl_get_events(struct edudma_file *efile, void __user *uarg);

/* edudma_region.c */
int edudma_ioctl_reg_mr(struct edudma_file *efile, void __user *uarg);
int edudma_ioctl_dereg_mr(struct edudma_file *efile, void __user *uarg);
struct edudma_mr *edudma_region_get(struct edudma_file *efile, u32 handle);
void edudma_region_put(struct edudma_mr *mr);
void edudma_regions_destroy(struct edudma_file *efile);

/* edudma_engine.c */
void edudma_engine_init(struct edudma_dev *edev);
int edudma_engine_submit(struct edudma_dev *edev, struct edudma_req *req);
void edudma_engine_dma_irq(struct edudma_dev *edev);
void edudma_engine_cancel(struct edudma_dev *edev, struct edudma_req *req);
void edudma_engine_file_cancel(struct edudma_file *efile);
void edudma_engine_kill(struct edudma_dev *edev);
/* ... and what edudma_fault.c, the engine's on-demand side, uses of it */
void edudma_unit_begin(struct edudma_req *req);
void edudma_start(struct edudma_dev *edev, struct edudma_req *req);
void edudma_unit_abort(struct edudma_dev *edev, struct edudma_req *req,
		       int status);

/* edudma_fault.c */
bool edudma_unit_ready(struct edudma_req *req);
void edudma_fault_work(struct work_struct *work);
bool edudma_engine_odp_drop(struct edudma_dev *edev, struct edudma_mr *mr,
			    u64 start, u64 end, bool blockable);
void edudma_engine_set_gone(struct edudma_dev *edev);

/* edudma_req.c */
int edudma_ioctl_xfer(struct edudma_file *efile, void __user *uarg);
void edudma_req_end(struct edudma_req *req, int status);
void edudma_req_free(struct edudma_req *req);
void edudma_req_drain_file(struct edudma_file *efile);

/* edudma_completion.c */
int edudma_completion_reserve(struct edudma_file *efile);
void edudma_completion_unreserve(struct edudma_file *efile);
ssize_t edudma_read(struct file *file, char __user *buf, size_t count,
		    loff_t *ppos);
__poll_t edudma_poll(struct file *file, struct poll_table_struct *wait);
int edudma_ioctl_set_eventfd(struct edudma_file *efile, void __user *uarg);

/* edudma_factorial.c */
int edudma_ioctl_factorial(struct edudma_dev *edev, void __user *uarg);
void edudma_factorial_irq(struct edudma_dev *edev);

/* edudma_bench.c */
void edudma_bench_init(void);
void edudma_bench_exit(void);

/* edudma_stats.c */
extern const struct attribute_group *edudma_groups[];
void edudma_stats_init(void);
int edudma_ioctl_get_stats(struct edudma_dev *edev, void __user *uarg);

#endif /* EDUDMA_H */
