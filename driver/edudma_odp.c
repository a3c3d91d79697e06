// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: on-demand registrations (EDUDMA_REG_ON_DEMAND), their whole life:
 * the mmu_interval_notifier that mirrors the range, the page table of DMA
 * addresses it keeps, faulting and mapping with hmm_range_fault(), the
 * invalidate callback, removal, destroy, and EDUDMA_PREFETCH.
 *
 * Nothing is pinned.  The page table holds, for every page of the range,
 * a DMA address and two bits (mapped, writable), and it follows the
 * kernel's protocol for a secondary MMU (Documentation/mm/hmm.rst):
 *
 *   fault:       seq = mmu_interval_read_begin(); hmm_range_fault();
 *                take odp->lock; mmu_interval_read_retry(seq)? start over;
 *                map the pages and write the table; drop odp->lock.
 *   invalidate:  take odp->lock; mmu_interval_set_seq(); tell the engine
 *                (under edev->lock: the unit that needs these pages must
 *                fault again, and a DMA running on them is waited for);
 *                unmap and clear; drop odp->lock.
 *
 * The engine never takes odp->lock: it starts a DMA only on pages that
 * edudma_odp_ready() finds mapped, under edev->lock, while no invalidation
 * of the registration is under way (odp->invalidating, also under
 * edev->lock).  Documentation/design.md, "On-demand paging", explains why
 * each step is where it is.
 *
 * Huge pages map whole: where HMM reports a mapping order above 0, the
 * part of that huge page inside the range is one dma_map_page() (a run);
 * an invalidation that touches any page of a run unmaps the whole run.
 *
 * Locks: odp->lock is taken inside mmu notifier callbacks, so nothing
 * that may enter reclaim is done under it (the table's chunks are
 * allocated before it is taken; DMA mapping allocates atomically).
 */
#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include <linux/hmm.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edudma.h"
#include "edudma_compat.h"
#include "edudma_trace.h"

/* The page table: chunks of EDUDMA_ODP_CHUNK entries, made on first use. */
#define EDUDMA_ODP_CHUNK	512
/* Pages one hmm_range_fault() call asks for at most. */
#define EDUDMA_ODP_BATCH	512

/* An entry: DMA address of the page | order << 2 | WRITE | VALID; 0 unmapped. */
#define EDUDMA_ODP_VALID	BIT_ULL(0)
#define EDUDMA_ODP_WRITE	BIT_ULL(1)
#define EDUDMA_ODP_ORDER_SHIFT	2
#define EDUDMA_ODP_ORDER_MASK	GENMASK_ULL(7, 2)

struct edudma_odp {
	struct mmu_interval_notifier notifier;
	struct edudma_mr *mr;
	struct mutex lock;		/* the table; taken by invalidate */
	u64 **dir;			/* nchunks chunk pointers */
	unsigned long nchunks;
	unsigned long vpn0;		/* virtual page number of page 0 */
	unsigned long mapped;		/* pages mapped now, under lock */
	unsigned int invalidating;	/* under edev->lock */
	bool dead;			/* device removed: map nothing more */
};

static inline u64 *edudma_odp_slot(struct edudma_odp *odp, unsigned long i)
{
	u64 *chunk = READ_ONCE(odp->dir[i / EDUDMA_ODP_CHUNK]);

	return chunk ? &chunk[i % EDUDMA_ODP_CHUNK] : NULL;
}

static inline u64 edudma_odp_entry(struct edudma_odp *odp, unsigned long i)
{
	u64 *slot = edudma_odp_slot(odp, i);

	return slot ? READ_ONCE(*slot) : 0;
}

static inline dma_addr_t edudma_odp_entry_dma(u64 e)
{
	return e & PAGE_MASK;
}

static inline unsigned int edudma_odp_entry_order(u64 e)
{
	return (e & EDUDMA_ODP_ORDER_MASK) >> EDUDMA_ODP_ORDER_SHIFT;
}

/* A page the device may only read is mapped for that alone. */
static enum dma_data_direction edudma_odp_dir(struct edudma_mr *mr, bool write)
{
	return write ? edudma_mr_dir(mr) : DMA_TO_DEVICE;
}

static struct device *edudma_odp_dev(struct edudma_odp *odp)
{
	return &odp->mr->edev->pdev->dev;
}

/* The run holding page i of an entry with order: first page, page count. */
static void edudma_odp_run(struct edudma_odp *odp, unsigned long i,
			   unsigned int order, unsigned long *first,
			   unsigned long *count)
{
	unsigned long vpn = odp->vpn0 + i;
	unsigned long lo = ALIGN_DOWN(vpn, 1UL << order);
	unsigned long hi = lo + (1UL << order);

	lo = max(lo, odp->vpn0);
	hi = min(hi, odp->vpn0 + odp->mr->npages);
	*first = lo - odp->vpn0;
	*count = hi - lo;
}

/* Unmaps and clears the run holding page i (mapped).  Under odp->lock. */
static unsigned long edudma_odp_unmap_run(struct edudma_odp *odp,
					  unsigned long i)
{
	u64 e = edudma_odp_entry(odp, i);
	unsigned long first, count, j;
	u64 head;

	lockdep_assert_held(&odp->lock);
	edudma_odp_run(odp, i, edudma_odp_entry_order(e), &first, &count);
	head = edudma_odp_entry(odp, first);
	dma_unmap_page_attrs(edudma_odp_dev(odp), edudma_odp_entry_dma(head),
			     count << PAGE_SHIFT,
			     edudma_odp_dir(odp->mr, head & EDUDMA_ODP_WRITE),
			     DMA_ATTR_SKIP_CPU_SYNC);
	for (j = first; j < first + count; j++)
		WRITE_ONCE(*edudma_odp_slot(odp, j), 0);
	odp->mapped -= count;
	edudma_stat_add(odp->mr->edev, odp_pages_mapped, -(s64)count);
	return first + count;
}

/* Unmaps every run with a page in [first, last].  Under odp->lock. */
static unsigned long edudma_odp_unmap_pages(struct edudma_odp *odp,
					    unsigned long first,
					    unsigned long last)
{
	unsigned long i = first, before = odp->mapped;

	while (i <= last && odp->mapped) {
		if (!READ_ONCE(odp->dir[i / EDUDMA_ODP_CHUNK])) {
			i = ALIGN_DOWN(i, EDUDMA_ODP_CHUNK) + EDUDMA_ODP_CHUNK;
			continue;
		}
		if (edudma_odp_entry(odp, i) & EDUDMA_ODP_VALID)
			i = edudma_odp_unmap_run(odp, i);
		else
			i++;
	}
	return before - odp->mapped;
}

/*
 * Takes pages [first, last] away from the device: the engine learns it
 * first (edudma_engine_odp_drop(): a unit that needs them faults again, a
 * DMA running on them is waited for when blockable), then they are
 * unmapped.  False, with nothing unmapped, when a DMA runs on them and
 * the caller may not sleep.  Under odp->lock.
 */
static bool edudma_odp_drop(struct edudma_odp *odp, unsigned long first,
			    unsigned long last, bool blockable)
{
	struct edudma_mr *mr = odp->mr;
	struct edudma_dev *edev = mr->edev;
	u64 start = (u64)(odp->vpn0 + first) << PAGE_SHIFT;
	u64 end = (u64)(odp->vpn0 + last + 1) << PAGE_SHIFT;
	unsigned long flags;
	bool ok;

	lockdep_assert_held(&odp->lock);
	spin_lock_irqsave(&edev->lock, flags);
	odp->invalidating++;
	spin_unlock_irqrestore(&edev->lock, flags);

	ok = edudma_engine_odp_drop(edev, mr, start, end, blockable);
	if (ok && edudma_odp_unmap_pages(odp, first, last))
		edudma_stat_add(edev, odp_invalidations, 1);

	spin_lock_irqsave(&edev->lock, flags);
	odp->invalidating--;
	spin_unlock_irqrestore(&edev->lock, flags);
	return ok;
}

static bool edudma_odp_invalidate(struct mmu_interval_notifier *mni,
				  const struct mmu_notifier_range *range,
				  unsigned long cur_seq)
{
	struct edudma_odp *odp = container_of(mni, struct edudma_odp, notifier);
	bool blockable = mmu_notifier_range_blockable(range);
	unsigned long first, last;
	bool ok = true;

	trace_edudma_odp_invalidate(odp->mr->edev, odp->mr->handle, range);
	if (blockable)
		mutex_lock(&odp->lock);
	else if (!mutex_trylock(&odp->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);

	first = max(range->start >> PAGE_SHIFT, odp->vpn0) - odp->vpn0;
	last = min((range->end - 1) >> PAGE_SHIFT,
		   odp->vpn0 + odp->mr->npages - 1) - odp->vpn0;
	if (odp->mapped && first <= last)
		ok = edudma_odp_drop(odp, first, last, blockable);
	mutex_unlock(&odp->lock);
	return ok;
}

static const struct mmu_interval_notifier_ops edudma_odp_ops = {
	.invalidate = edudma_odp_invalidate,
};

/* Makes the table's chunks for pages [first, last].  No lock held. */
static int edudma_odp_alloc_chunks(struct edudma_odp *odp, unsigned long first,
				   unsigned long last)
{
	unsigned long c;

	for (c = first / EDUDMA_ODP_CHUNK; c <= last / EDUDMA_ODP_CHUNK; c++) {
		u64 *chunk;

		if (READ_ONCE(odp->dir[c]))
			continue;
		chunk = kvcalloc(EDUDMA_ODP_CHUNK, sizeof(*chunk), GFP_KERNEL);
		if (!chunk)
			return -ENOMEM;
		if (cmpxchg(&odp->dir[c], NULL, chunk))
			kvfree(chunk);
	}
	return 0;
}

/*
 * Without an IOMMU (dma-direct) a page above the DMA mask cannot be mapped
 * (see edudma_check_reach() in edudma_mr.c).
 */
static bool edudma_odp_reachable(struct device *dev, struct page *page,
				 unsigned long count)
{
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);

	if (!edudma_dma_is_direct(dev))
		return true;
	return page_to_phys(page) + (count << PAGE_SHIFT) - 1 <= limit;
}

/*
 * Maps page i as HMM found it (pfn), the whole run of a huge page when all
 * of the run is unmapped, and writes the table.  A page already mapped is
 * the same page (no invalidation came between, the caller checked the
 * sequence); only its WRITE bit can be new, and a page mapped for reads
 * alone is unmapped and mapped again for writes (a page the program could
 * not write when it was mapped, written since without an invalidation:
 * shared memory after its first write).  Returns the next page to look
 * at, or a negative errno.  Under odp->lock, in a context that may sleep.
 */
static long edudma_odp_map_one(struct edudma_odp *odp, unsigned long i,
			       unsigned long pfn, unsigned long *newly)
{
	struct device *dev = edudma_odp_dev(odp);
	unsigned int order = hmm_pfn_to_map_order(pfn);
	bool write = pfn & HMM_PFN_WRITE;
	unsigned long first, count, j;
	struct page *page;
	dma_addr_t dma;
	u64 e = edudma_odp_entry(odp, i);

	if (e & EDUDMA_ODP_VALID) {
		if (!write || (e & EDUDMA_ODP_WRITE))
			return i + 1;
		edudma_odp_drop(odp, i, i, true);
	}

	edudma_odp_run(odp, i, order, &first, &count);
	for (j = first; j < first + count; j++) {
		if (edudma_odp_entry(odp, j) & EDUDMA_ODP_VALID) {
			first = i;	/* part of it is mapped: this page alone */
			count = 1;
			order = 0;
			break;
		}
	}
	page = pfn_to_page((pfn & ~HMM_PFN_FLAGS) - (i - first));
	if (!edudma_odp_reachable(dev, page, count))
		return -ERANGE;

	dma = dma_map_page_attrs(dev, page, 0, count << PAGE_SHIFT,
				 edudma_odp_dir(odp->mr, write),
				 DMA_ATTR_SKIP_CPU_SYNC);
	if (dma_mapping_error(dev, dma)) {
		dev_err_ratelimited(dev, "DMA mapping of %lu pages failed\n",
				    count);
		return -EIO;
	}
	for (j = 0; j < count; j++)
		WRITE_ONCE(*edudma_odp_slot(odp, first + j),
			   (dma + (j << PAGE_SHIFT)) |
			   (u64)order << EDUDMA_ODP_ORDER_SHIFT |
			   (write ? EDUDMA_ODP_WRITE : 0) | EDUDMA_ODP_VALID);
	odp->mapped += count;
	*newly += count;
	edudma_stat_add(odp->mr->edev, odp_pages_mapped, count);
	return max(first + count, i + 1);
}

/* hmm_range_fault()'s refusals, as the uAPI names them. */
static int edudma_odp_fault_errno(int ret)
{
	return ret == -EPERM ? -EFAULT : ret;
}

/*
 * One round: faults pages [first, first + n) with HMM and maps them, by
 * the protocol at the top of this file.  Returns 0, or the error at the
 * first page that could not be mapped; *done counts the pages mapped
 * from first either way (the caller sets it to 0 first: an injected
 * error skips the body).  The caller holds a reference on the mm.
 */
static noinline int edudma_odp_fault_round(struct edudma_odp *odp,
					   unsigned long first,
					   unsigned long n, bool write,
					   unsigned long *pfns,
					   unsigned long *done)
{
	struct edudma_dev *edev = odp->mr->edev;
	struct mm_struct *mm = odp->notifier.mm;
	unsigned long timeout, i, newly = 0;
	struct hmm_range range = {
		.notifier = &odp->notifier,
		.start = (odp->vpn0 + first) << PAGE_SHIFT,
		.end = (odp->vpn0 + first + n) << PAGE_SHIFT,
		.hmm_pfns = pfns,
		.default_flags = HMM_PFN_REQ_FAULT |
				 (write ? HMM_PFN_REQ_WRITE : 0),
	};
	long next;
	int ret;

	timeout = jiffies + msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
again:
	range.notifier_seq = mmu_interval_read_begin(&odp->notifier);
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	ret = hmm_range_fault(&range);
	mmap_read_unlock(mm);
	if (ret == -EBUSY && time_before(jiffies, timeout)) {
		edudma_stat_add(edev, odp_retries, 1);
		goto again;
	}
	if (ret)
		return edudma_odp_fault_errno(ret);

	mutex_lock(&odp->lock);
	if (odp->dead) {
		ret = -ENODEV;
		goto out;
	}
	if (mmu_interval_read_retry(&odp->notifier, range.notifier_seq)) {
		mutex_unlock(&odp->lock);
		edudma_stat_add(edev, odp_retries, 1);
		goto again;
	}
	for (i = 0; i < n; i = next - first) {
		next = edudma_odp_map_one(odp, first + i, pfns[i], &newly);
		if (next < 0) {
			ret = next;
			break;
		}
	}
	*done = min(i, n);
out:
	mutex_unlock(&odp->lock);
	edudma_stat_add(edev, odp_faults, 1);
	edudma_stat_add(edev, odp_pages_faulted, newly);
	return ret;
}

ALLOW_ERROR_INJECTION(edudma_odp_fault_round, ERRNO);

/*
 * Faults and maps the pages of mr bytes [off, off + len) for a device that
 * reads them, or writes them too.  Returns 0, or the error of the first
 * page that could not be mapped; *good is how many bytes from off are
 * mapped either way (up to the start of that page).  -EBUSY: invalidations
 * kept coming for HMM_RANGE_DEFAULT_TIMEOUT ms; try again.  Sleeps.
 */
int edudma_odp_fault(struct edudma_mr *mr, u64 off, u64 len, bool write,
		     u64 *good)
{
	struct edudma_odp *odp = mr->odp;
	unsigned long first = ((mr->addr + off) >> PAGE_SHIFT) - odp->vpn0;
	unsigned long last = ((mr->addr + off + len - 1) >> PAGE_SHIFT) -
			     odp->vpn0;
	unsigned long *pfns, i = first, n, done;
	int ret = 0;
	u64 va;

	/* The caller checked the range: [off, off + len) is inside mr. */

	*good = 0;
	pfns = kmalloc_array(EDUDMA_ODP_BATCH, sizeof(*pfns), GFP_KERNEL);
	if (!pfns)
		return -ENOMEM;
	if (!mmget_not_zero(odp->notifier.mm)) {
		kfree(pfns);
		return -EFAULT;		/* the process is exiting */
	}
	while (i <= last) {
		n = min_t(unsigned long, last - i + 1, EDUDMA_ODP_BATCH);
		ret = edudma_odp_alloc_chunks(odp, i, i + n - 1);
		if (ret)
			break;
		done = 0;
		ret = edudma_odp_fault_round(odp, i, n, write, pfns, &done);
		i += done;
		if (ret == -EFAULT && !done && n > 1) {
			/* HMM fails a whole round for one bad page: find it. */
			for (ret = 0; !ret && n--; i += done) {
				done = 0;
				ret = edudma_odp_fault_round(odp, i, 1, write,
							     pfns, &done);
			}
		}
		if (ret)
			break;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	mmput(odp->notifier.mm);
	kfree(pfns);
	/* Page i is the first not mapped (or past the end). */
	va = (u64)(odp->vpn0 + i) << PAGE_SHIFT;
	*good = va > mr->addr + off ? min(len, va - (mr->addr + off)) : 0;
	trace_edudma_odp_fault(mr, off, len, write, *good, ret);
	return ret;
}

/*
 * The engine, under edev->lock: are mr bytes [off, off + len) mapped for
 * the access, with no invalidation of mr under way?  Then a DMA may start
 * on them, and until an invalidation tells the engine otherwise
 * (edudma_engine_odp_drop()) they stay mapped.
 */
bool edudma_odp_ready(struct edudma_mr *mr, u64 off, u64 len, bool write)
{
	struct edudma_odp *odp = mr->odp;
	unsigned long i = ((mr->addr + off) >> PAGE_SHIFT) - odp->vpn0;
	unsigned long last = ((mr->addr + off + len - 1) >> PAGE_SHIFT) -
			     odp->vpn0;
	u64 need = EDUDMA_ODP_VALID | (write ? EDUDMA_ODP_WRITE : 0);

	lockdep_assert_held(&mr->edev->lock);
	if (odp->invalidating)
		return false;
	for (; i <= last; i++)
		if ((edudma_odp_entry(odp, i) & need) != need)
			return false;
	return true;
}

/*
 * The engine, under edev->lock, for pages edudma_odp_ready() found: the
 * DMA address of mr offset off, and how many bytes from there are
 * contiguous for the device (to the end of its run).
 */
u64 edudma_odp_dma_at(struct edudma_mr *mr, u64 off, dma_addr_t *dma)
{
	struct edudma_odp *odp = mr->odp;
	u64 va = mr->addr + off;
	unsigned long i = (va >> PAGE_SHIFT) - odp->vpn0;
	u64 e = edudma_odp_entry(odp, i);
	unsigned long first, count;

	edudma_odp_run(odp, i, edudma_odp_entry_order(e), &first, &count);
	*dma = edudma_odp_entry_dma(e) + offset_in_page(va);
	return ((u64)(first + count - i) << PAGE_SHIFT) - offset_in_page(va);
}

/* Part of mr_create for an on-demand mr: the notifier and the table. */
int edudma_odp_create(struct edudma_mr *mr)
{
	struct edudma_odp *odp;
	int ret;

	if (mr->addr + mr->length > TASK_SIZE)
		return -EFAULT;
	odp = kzalloc(sizeof(*odp), GFP_KERNEL);
	if (!odp)
		return -ENOMEM;
	odp->mr = mr;
	odp->vpn0 = mr->addr >> PAGE_SHIFT;
	odp->nchunks = DIV_ROUND_UP(mr->npages, EDUDMA_ODP_CHUNK);
	mutex_init(&odp->lock);
	odp->dir = kvcalloc(odp->nchunks, sizeof(*odp->dir), GFP_KERNEL);
	if (!odp->dir) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = mmu_interval_notifier_insert(&odp->notifier, mr->mm,
					   odp->vpn0 << PAGE_SHIFT,
					   mr->npages << PAGE_SHIFT,
					   &edudma_odp_ops);
	if (ret)
		goto err_dir;
	mr->odp = odp;
	return 0;

err_dir:
	kvfree(odp->dir);
err_free:
	mutex_destroy(&odp->lock);
	kfree(odp);
	return ret;
}

/* remove(): every mapping goes; nothing more is mapped.  No DMA runs. */
void edudma_odp_unmap_all(struct edudma_mr *mr)
{
	struct edudma_odp *odp = mr->odp;

	mutex_lock(&odp->lock);
	edudma_odp_unmap_pages(odp, 0, mr->npages - 1);
	odp->dead = true;
	mutex_unlock(&odp->lock);
}

/* The mr's last transfer has ended and it is unmapped: the notifier, the table. */
void edudma_odp_destroy(struct edudma_mr *mr)
{
	struct edudma_odp *odp = mr->odp;
	unsigned long c;

	/* edudma_mr_unmap() unmapped everything (odp->dead) */
	mmu_interval_notifier_remove(&odp->notifier);
	for (c = 0; c < odp->nchunks; c++)
		kvfree(odp->dir[c]);
	kvfree(odp->dir);
	mutex_destroy(&odp->lock);
	kfree(odp);
	mr->odp = NULL;
}

int edudma_ioctl_prefetch(struct edudma_file *efile, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_prefetch, bytes);
	struct edudma_prefetch arg;
	struct edudma_mr *mr;
	bool write;
	u64 good = 0;
	int ret;

	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	if ((arg.flags & ~EDUDMA_PREFETCH_WRITE) || arg.reserved ||
	    !arg.length)
		return -EINVAL;
	write = arg.flags & EDUDMA_PREFETCH_WRITE;

	mr = edudma_region_get(efile, arg.handle);
	if (!mr)
		return -ENOENT;
	if (!mr->odp || arg.offset > mr->length ||
	    arg.length > mr->length - arg.offset)
		ret = -EINVAL;
	else if (write && !(mr->access & EDUDMA_ACCESS_DEV_WRITE))
		ret = -EACCES;
	else
		do {
			ret = edudma_odp_fault(mr, arg.offset, arg.length,
					       write, &good);
		} while (ret == -EBUSY && !fatal_signal_pending(current));
	edudma_region_put(mr);
	if (ret == -EBUSY)
		ret = -EINTR;

	if (copy_to_user(uarg + offsetof(struct edudma_prefetch, bytes), &good,
			 sizeof(good)))
		return -EFAULT;
	return ret;
}
