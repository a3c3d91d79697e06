// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the watch on a pinned registration, its whole life, and the
 * file's queue of stale events (EDUDMA_GET_EVENTS).
 *
 * A pinned registration keeps its pages whatever the address space does;
 * the watch tells when the range stops mapping them, so that a cache of
 * registrations never hands out one whose pages are no longer the
 * program's memory (Documentation/design.md, "Stale registrations").
 * An mmu_interval_notifier over the range does not unpin anything: its
 * callback only notes the part of the range an invalidation touched and
 * puts the watch on the file's list of suspects.  Whether the registration
 * is stale is decided afterwards, by looking at what the range maps then:
 *
 *   invalidate:  take efile->watch_lock; mmu_interval_set_seq(); widen the
 *                dirty part; put the watch on efile->suspects; queue
 *                efile->watch_work.
 *   check:       take the dirty part off the watch; for each batch of it:
 *                seq = mmu_interval_read_begin() (waits for an
 *                invalidation in progress to end); get_user_pages_remote()
 *                without faulting; compare with the pinned pages; take
 *                watch_lock: mmu_interval_read_retry(seq)?  the batch
 *                tells nothing (the callback has made the watch a suspect
 *                again), else a page that differs or is not mapped makes
 *                the registration stale: for good, once queued.
 *
 * The check runs in three places, always under efile->lock (so the mr
 * cannot go): the file's work item soon after the invalidation, a
 * transfer on a suspect registration before it runs (edudma_watch_verify()),
 * and EDUDMA_GET_EVENTS for every suspect of the file.  An invalidation
 * that leaves the same pages mapped (mprotect, a THP split, fork's write
 * protection, NUMA hinting) leaves the registration as it was.
 *
 * Locks: efile->watch_lock is taken inside mmu notifier callbacks, so
 * nothing that sleeps or allocates is done under it.  efile->lock is taken
 * before the mmap lock, as REG_MR takes them.
 */
#include <linux/error-injection.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edudma.h"
#include "edudma_compat.h"
#include "edudma_trace.h"

/* Pages compared per get_user_pages_remote() call: one page of pointers. */
#define EDUDMA_WATCH_BATCH	(PAGE_SIZE / sizeof(struct page *))

struct edudma_watch {
	struct mmu_interval_notifier notifier;
	struct edudma_file *efile;
	struct edudma_mr *mr;		/* NULL until edudma_watch_attach() */
	unsigned long start, end;	/* the range, whole pages */

	/* Under efile->watch_lock. */
	unsigned long dirty_start;	/* invalidated, not yet checked; */
	unsigned long dirty_end;	/* empty when start >= end */
	bool stale;
	struct list_head suspect_node;	/* efile->suspects */
	struct list_head event_node;	/* efile->events, or empty */
};

static bool edudma_watch_invalidate(struct mmu_interval_notifier *mni,
				    const struct mmu_notifier_range *range,
				    unsigned long cur_seq)
{
	struct edudma_watch *w = container_of(mni, struct edudma_watch,
					      notifier);
	struct edudma_file *efile = w->efile;
	unsigned long start = max(range->start, w->start) & PAGE_MASK;
	unsigned long end = min(range->end, w->end);
	bool queue = false;

	trace_edudma_watch_invalidate(efile->edev, w->mr ? w->mr->handle : 0,
				      range);
	spin_lock(&efile->watch_lock);
	mmu_interval_set_seq(mni, cur_seq);
	if (!w->stale && start < end) {
		if (w->dirty_start >= w->dirty_end) {
			w->dirty_start = start;
			w->dirty_end = end;
		} else {
			w->dirty_start = min(w->dirty_start, start);
			w->dirty_end = max(w->dirty_end, end);
		}
		if (list_empty(&w->suspect_node))
			list_add_tail(&w->suspect_node, &efile->suspects);
		queue = true;
	}
	spin_unlock(&efile->watch_lock);
	if (queue)
		queue_work(system_unbound_wq, &efile->watch_work);
	return true;	/* never blocks: the check waits, not the callback */
}

static const struct mmu_interval_notifier_ops edudma_watch_ops = {
	.invalidate = edudma_watch_invalidate,
};

/*
 * The registration is stale: queued once for EDUDMA_GET_EVENTS, or, with
 * the queue full, the lost-events record owed instead.  Under watch_lock;
 * returns whether the eventfd is owed a signal.
 */
static bool edudma_watch_set_stale(struct edudma_watch *w)
{
	struct edudma_file *efile = w->efile;

	lockdep_assert_held(&efile->watch_lock);
	w->stale = true;
	list_del_init(&w->suspect_node);
	if (efile->nevents < READ_ONCE(edudma_max_events)) {
		list_add_tail(&w->event_node, &efile->events);
		efile->nevents++;
		return true;
	}
	if (efile->events_lost)
		return false;
	efile->events_lost = true;
	return true;
}

/* Tells the file's pollers and its eventfd that an event waits. */
static void edudma_watch_notify(struct edudma_file *efile)
{
	struct edudma_dev *edev = efile->edev;
	unsigned long flags;

	spin_lock_irqsave(&edev->lock, flags);
	if (efile->eventfd)
		edudma_eventfd_signal(efile->eventfd);
	spin_unlock_irqrestore(&edev->lock, flags);
	wake_up_all(&efile->wq);
}

/*
 * What [start, start + n pages) maps now against the pinned pages: 1 the
 * same, 0 not (stale), -EAGAIN when an invalidation raced the look, or
 * -EINTR/-ENOMEM.  Nothing is faulted in: a page not mapped now is not
 * the registration's (6.1's hugetlb walk faults one in regardless, which
 * gives the same answer).  FOLL_FORCE looks through PROT_NONE.  The
 * pages are only looked at, never used for DMA, so they are taken with
 * plain references (not FOLL_PIN: the pin counters stay as they are) and
 * dropped at once.
 */
static int edudma_watch_compare(struct edudma_watch *w, struct mm_struct *mm,
				unsigned long start, unsigned long n,
				struct page **pages)
{
	struct page **pinned = w->mr->pages + ((start - w->start) >> PAGE_SHIFT);
	unsigned long seq = mmu_interval_read_begin(&w->notifier);
	bool same, retry;
	long got, i;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	got = edudma_get_user_pages_remote(mm, start, n,
					   FOLL_FORCE | FOLL_NOFAULT, pages);
	mmap_read_unlock(mm);
	if (got == -ENOMEM || got == -EINTR || got == -ERESTARTSYS)
		return got == -ENOMEM ? -ENOMEM : -EINTR;

	same = got == n;
	for (i = 0; i < got; i++) {
		if (pages[i] != pinned[i])
			same = false;
		put_page(pages[i]);
	}
	spin_lock(&w->efile->watch_lock);
	retry = mmu_interval_read_retry(&w->notifier, seq);
	spin_unlock(&w->efile->watch_lock);
	if (retry)
		return -EAGAIN;
	return same;
}

/*
 * Checks the dirty part of a suspect watch: 0 when done (a batch an
 * invalidation raced made the watch a suspect again), or -EINTR/-ENOMEM
 * (the part is dirty again, for the next check).  Under efile->lock.
 */
static int edudma_watch_check(struct edudma_watch *w, struct page **pages)
{
	struct edudma_file *efile = w->efile;
	struct mm_struct *mm = w->notifier.mm;
	unsigned long start, end, n;
	bool notify = false, newly;
	int ret = 0;

	lockdep_assert_held(&efile->lock);
	spin_lock(&efile->watch_lock);
	start = w->dirty_start;
	end = w->dirty_end;
	w->dirty_start = 0;
	w->dirty_end = 0;
	list_del_init(&w->suspect_node);
	spin_unlock(&efile->watch_lock);
	edudma_stat_add(efile->edev, watch_checks, 1);

	if (!mmget_not_zero(mm))
		goto stale;	/* the address space is gone: so are the pages */
	for (; start < end; start += n << PAGE_SHIFT) {
		n = min_t(unsigned long, (end - start) >> PAGE_SHIFT,
			  EDUDMA_WATCH_BATCH);
		ret = edudma_watch_compare(w, mm, start, n, pages);
		if (ret == 0)
			break;
		if (ret < 0 && ret != -EAGAIN)
			break;
		ret = 0;
		cond_resched();
	}
	mmput(mm);
	if (ret < 0) {
		spin_lock(&efile->watch_lock);
		w->dirty_start = w->dirty_start < w->dirty_end ?
				 min(w->dirty_start, start) : start;
		w->dirty_end = max(w->dirty_end, end);
		if (list_empty(&w->suspect_node) && !w->stale)
			list_add(&w->suspect_node, &efile->suspects);
		spin_unlock(&efile->watch_lock);
		return ret;
	}
	if (start >= end)
		return 0;	/* every page the same */
stale:
	spin_lock(&efile->watch_lock);
	newly = !w->stale;
	if (newly)
		notify = edudma_watch_set_stale(w);
	spin_unlock(&efile->watch_lock);
	if (newly) {
		edudma_stat_add(efile->edev, stale, 1);
		trace_edudma_stale(efile->edev, w->mr->handle, w->mr->addr,
				   w->mr->length);
	}
	if (notify)
		edudma_watch_notify(efile);
	return 0;
}

/*
 * Checks the file's suspects until none is left, or for at most limit
 * checks (another thread's storm of invalidations must not keep the
 * caller here: a suspect left is checked again by the next transfer on
 * it).  Under efile->lock.
 */
static int edudma_watch_check_all(struct edudma_file *efile,
				  unsigned int limit)
{
	struct edudma_watch *w;
	struct page **pages;
	int ret = 0;

	lockdep_assert_held(&efile->lock);
	pages = kmalloc_array(EDUDMA_WATCH_BATCH, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (limit--) {
		spin_lock(&efile->watch_lock);
		w = list_first_entry_or_null(&efile->suspects,
					     struct edudma_watch, suspect_node);
		spin_unlock(&efile->watch_lock);
		if (!w)
			break;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = edudma_watch_check(w, pages);
		if (ret)
			break;
		cond_resched();
	}
	kfree(pages);
	return ret;
}

/* Soon after an invalidation: the suspects checked, events queued. */
static void edudma_watch_work(struct work_struct *work)
{
	struct edudma_file *efile = container_of(work, struct edudma_file,
						 watch_work);

	mutex_lock(&efile->lock);
	/* An error leaves the suspect for the next transfer or GET_EVENTS. */
	edudma_watch_check_all(efile, efile->nregions + 1);
	mutex_unlock(&efile->lock);
}

void edudma_watch_file_init(struct edudma_file *efile)
{
	spin_lock_init(&efile->watch_lock);
	INIT_LIST_HEAD(&efile->suspects);
	INIT_LIST_HEAD(&efile->events);
	INIT_WORK(&efile->watch_work, edudma_watch_work);
}

/* close(), after the last registration went: no callback can queue it. */
void edudma_watch_file_release(struct edudma_file *efile)
{
	cancel_work_sync(&efile->watch_work);
	WARN_ON_ONCE(!list_empty(&efile->events) ||
		     !list_empty(&efile->suspects));
}

/*
 * A watch on [addr, addr + length) of the current process, before its
 * pages are pinned: an invalidation while they are makes it a suspect,
 * checked once edudma_watch_attach() gave it the pages.  Under efile->lock.
 */
struct edudma_watch *edudma_watch_create(struct edudma_file *efile, u64 addr,
					 u64 length)
{
	struct edudma_watch *w;
	int ret;

	lockdep_assert_held(&efile->lock);
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return ERR_PTR(-ENOMEM);
	w->efile = efile;
	w->start = addr & PAGE_MASK;
	w->end = PAGE_ALIGN(addr + length);
	INIT_LIST_HEAD(&w->suspect_node);
	INIT_LIST_HEAD(&w->event_node);
	ret = mmu_interval_notifier_insert(&w->notifier, current->mm, w->start,
					   w->end - w->start,
					   &edudma_watch_ops);
	if (ret) {
		kfree(w);
		return ERR_PTR(ret);
	}
	return w;
}

ALLOW_ERROR_INJECTION(edudma_watch_create, ERRNO);

/* The mr is pinned: the watch compares against its pages from now on. */
void edudma_watch_attach(struct edudma_watch *w, struct edudma_mr *mr)
{
	lockdep_assert_held(&w->efile->lock);
	w->mr = mr;
	mr->watch = w;
}

/*
 * DEREG_MR, close, or a REG_MR that failed: the notifier goes (waiting for
 * a callback in progress), and with it the watch's queued event.  Under
 * efile->lock.
 */
void edudma_watch_destroy(struct edudma_watch *w)
{
	struct edudma_file *efile = w->efile;

	lockdep_assert_held(&efile->lock);
	mmu_interval_notifier_remove(&w->notifier);
	spin_lock(&efile->watch_lock);
	list_del(&w->suspect_node);
	if (!list_empty(&w->event_node)) {
		list_del(&w->event_node);
		efile->nevents--;
	}
	spin_unlock(&efile->watch_lock);
	if (w->mr)
		w->mr->watch = NULL;
	kfree(w);
}

/*
 * A transfer side on mr, before it is queued: ESTALE when the registration
 * is stale, after checking it first if an invalidation touched it.
 */
int edudma_watch_verify(struct edudma_file *efile, struct edudma_mr *mr)
{
	struct edudma_watch *w = mr->watch;
	struct page **pages = NULL;
	bool suspect, stale;
	int ret = 0;

	if (!w)
		return 0;
	mutex_lock(&efile->lock);
	for (;;) {
		spin_lock(&efile->watch_lock);
		suspect = !list_empty(&w->suspect_node);
		stale = w->stale;
		spin_unlock(&efile->watch_lock);
		if (stale) {
			ret = -ESTALE;
			break;
		}
		if (!suspect)
			break;
		ret = -EINTR;
		if (fatal_signal_pending(current))
			break;
		ret = -ENOMEM;
		if (!pages)
			pages = kmalloc_array(EDUDMA_WATCH_BATCH,
					      sizeof(*pages), GFP_KERNEL);
		if (!pages)
			break;
		ret = edudma_watch_check(w, pages);
		if (ret)
			break;
		cond_resched();
	}
	mutex_unlock(&efile->lock);
	kfree(pages);
	return ret;
}

/* Records copied out per step of EDUDMA_GET_EVENTS. */
#define EDUDMA_EVENTS_BATCH	64

/*
 * The next n records (at most) GET_EVENTS hands out: the lost-events
 * record first, then the queue in order.  Under efile->lock, which every
 * change to the queue also holds.
 */
static u32 edudma_events_peek(struct edudma_file *efile,
			      struct edudma_event *recs, u32 n)
{
	struct edudma_watch *w;
	u32 k = 0;

	lockdep_assert_held(&efile->lock);
	spin_lock(&efile->watch_lock);
	if (efile->events_lost && k < n) {
		recs[k] = (struct edudma_event){ .type = EDUDMA_EVENT_LOST };
		k++;
	}
	list_for_each_entry(w, &efile->events, event_node) {
		if (k == n)
			break;
		recs[k] = (struct edudma_event){
			.type = EDUDMA_EVENT_STALE,
			.handle = w->mr->handle,
			.addr = w->mr->addr,
			.length = w->mr->length,
		};
		k++;
	}
	spin_unlock(&efile->watch_lock);
	return k;
}

/* The n records edudma_events_peek() gave are out: off the queue. */
static void edudma_events_pop(struct edudma_file *efile, u32 n)
{
	struct edudma_watch *w;

	lockdep_assert_held(&efile->lock);
	spin_lock(&efile->watch_lock);
	if (efile->events_lost && n) {
		efile->events_lost = false;
		n--;
	}
	while (n--) {
		w = list_first_entry(&efile->events, struct edudma_watch,
				     event_node);
		list_del_init(&w->event_node);
		efile->nevents--;
	}
	spin_unlock(&efile->watch_lock);
}

/* Copies out up to want records; how many, or -EFAULT for none. */
static long edudma_events_copy(struct edudma_file *efile,
			       struct edudma_event __user *ubuf, u32 want,
			       struct edudma_event *recs)
{
	u32 done = 0, n;

	while (done < want) {
		n = edudma_events_peek(efile, recs,
				       min_t(u32, want - done,
					     EDUDMA_EVENTS_BATCH));
		if (!n)
			break;
		if (copy_to_user(ubuf + done, recs, n * sizeof(*recs))) {
			if (!done)
				return -EFAULT;
			break;
		}
		edudma_events_pop(efile, n);
		done += n;
	}
	return done;
}

int edudma_ioctl_get_events(struct edudma_file *efile, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_get_events, events);
	struct edudma_get_events arg;
	struct edudma_event *recs;
	long done;
	int ret;

	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	recs = kmalloc_array(EDUDMA_EVENTS_BATCH, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;

	mutex_lock(&efile->lock);
	ret = edudma_watch_check_all(efile, 2 * efile->nregions + 1);
	if (ret)
		goto out;
	done = edudma_events_copy(efile, u64_to_user_ptr(arg.events),
				  arg.count, recs);
	if (done < 0) {
		ret = done;
		goto out;
	}
	arg.count = done;
	spin_lock(&efile->watch_lock);
	arg.pending = efile->nevents + efile->events_lost;
	spin_unlock(&efile->watch_lock);
	if (copy_to_user(uarg + offsetof(struct edudma_get_events, count),
			 &arg.count, 2 * sizeof(u32)))
		ret = -EFAULT;
out:
	mutex_unlock(&efile->lock);
	kfree(recs);
	return ret;
}

/* EPOLLPRI while GET_EVENTS has a record to hand out. */
__poll_t edudma_watch_poll(struct edudma_file *efile)
{
	__poll_t mask = 0;

	spin_lock(&efile->watch_lock);
	if (efile->nevents || efile->events_lost)
		mask = EPOLLPRI;
	spin_unlock(&efile->watch_lock);
	return mask;
}
