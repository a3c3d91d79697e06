// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: pinned, mapped user memory (struct edudma_mr), a registration's
 * or a one-shot side's, its whole life: long-term pinning, RLIMIT_MEMLOCK
 * accounting, scatterlists and DMA mapping (after ib_umem_get() and
 * vfio_pin_pages_remote(), see Documentation/design.md), the device's list
 * of mappings that removal unmaps, and destroy.
 */
#include <linux/dma-mapping.h>
#include <linux/error-injection.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "edudma.h"
#include "edudma_compat.h"

/*
 * The functions here that can fail and undo nothing on failure allow
 * error injection (fail_function, on a kernel with
 * CONFIG_FUNCTION_ERROR_INJECTION): the debug kernel's tests make each of
 * them fail in turn (tests/guest/inject_func.c).  noinline keeps the
 * static ones functions that can be injected.
 */

/* Charges npages to mm->pinned_vm the way ib_umem does. */
static noinline int edudma_charge(struct mm_struct *mm, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pinned = atomic64_add_return(npages, &mm->pinned_vm);

	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

ALLOW_ERROR_INJECTION(edudma_charge, ERRNO);

static void edudma_uncharge(struct mm_struct *mm, unsigned long npages)
{
	atomic64_sub(npages, &mm->pinned_vm);
}

/*
 * Pins up to npages from start with gup_flags, in batches of one page of
 * pointers, looping on partial pins.  Returns 0 once all are pinned, or
 * the error at the first page that could not be; *pinned counts the pages
 * pinned either way (the caller unpins them).
 */
static int edudma_pin_run(unsigned long start, unsigned long npages,
			  unsigned int gup_flags, struct page **pages,
			  unsigned long *pinned)
{
	const unsigned long batch = PAGE_SIZE / sizeof(struct page *);
	int ret;

	*pinned = 0;
	while (*pinned < npages) {
		if (fatal_signal_pending(current))
			return -EINTR;
		/* Newer kernels' extra errnos are mapped to 6.1's there. */
		ret = edudma_pin_user_pages_fast(start + *pinned * PAGE_SIZE,
						 min(npages - *pinned, batch),
						 gup_flags, pages + *pinned);
		if (ret <= 0)
			return ret ? ret : -EFAULT;
		*pinned += ret;
		cond_resched();
	}
	return 0;
}

/*
 * Pages from start, at most npages, that lie in one mapping the program
 * cannot write (a VMA without VM_WRITE); 0 when start's mapping is
 * writable or there is none.
 */
static long edudma_readonly_pages(unsigned long start, unsigned long npages)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	long n = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = vma_lookup(mm, start);
	if (vma && !(vma->vm_flags & VM_WRITE))
		n = min(npages, (vma->vm_end - start) >> PAGE_SHIFT);
	mmap_read_unlock(mm);
	return n;
}

/*
 * Pins the npages from addr's page long-term, for a device with access.
 *
 * Even when the device only reads, memory is pinned for writing wherever
 * the mapping allows it.  A read-only pin of private memory that was never
 * written finds the shared zero page (or THP's huge zero page), and 6.1
 * pins it as it is: the program's later writes go to a new page and the
 * device would keep reading zeros (a private file page likewise stays the
 * page cache's).  A write pin gives the process its own pages.  Only the
 * parts of the range whose mapping cannot be written are pinned read-only:
 * what is mapped there is what the memory holds.  The rule holds per
 * mapping: where a write pin fails, the mapping there decides, and the
 * rest of the range is pinned for writing again.
 */
int edudma_pin_pages(u64 addr, unsigned long npages, u32 access,
		     struct page **pages)
{
	bool may_read_only = !(access & EDUDMA_ACCESS_DEV_WRITE);
	unsigned long start = addr & PAGE_MASK, done = 0, n;
	long ro;
	int ret;

	for (;;) {
		ret = edudma_pin_run(start + done * PAGE_SIZE, npages - done,
				     FOLL_LONGTERM | FOLL_WRITE, pages + done,
				     &n);
		done += n;
		if (!ret)
			return 0;
		if (ret != -EFAULT || !may_read_only)
			break;
		ro = edudma_readonly_pages(start + done * PAGE_SIZE,
					   npages - done);
		if (ro <= 0) {
			ret = ro ? ro : -EFAULT;
			break;
		}
		ret = edudma_pin_run(start + done * PAGE_SIZE, ro,
				     FOLL_LONGTERM, pages + done, &n);
		done += n;
		if (ret)
			break;
		if (done == npages)
			return 0;
	}
	unpin_user_pages(pages, done);
	return ret;
}

ALLOW_ERROR_INJECTION(edudma_pin_pages, ERRNO);

/*
 * How many of pages[0..max) from the first on are physically contiguous:
 * the tight loop both passes below run, one load and compare per page.
 */
static unsigned long edudma_run(struct page **pages, unsigned long max)
{
	unsigned long j = 1;

	while (j < max && pages[j] == nth_page(pages[0], j))
		j++;
	return j;
}

/*
 * The scatterlist of the pinned pages: one entry per physically
 * contiguous run of at most max_seg bytes, the first starting offset
 * bytes into its page, the last ending at the registration's end.  One
 * pass counts the runs and one fills them in, each a single compare per
 * page: what sg_alloc_table_from_pages_segment() does with two heavier
 * walks (a pfn computed twice and a length kept per page, in lib/, where
 * ftrace does not see it).  A single entry lives in the mr itself.
 */
static noinline int edudma_mr_build_sgt(struct edudma_mr *mr,
					unsigned int offset,
					unsigned int max_seg)
{
	unsigned long max_pages = max_t(unsigned long, max_seg >> PAGE_SHIFT, 1);
	unsigned long i, run, n = mr->npages;
	u64 left = mr->length;
	struct scatterlist *sg;
	unsigned int nents = 0, k;
	int ret;

	for (i = 0; i < n; i += run, nents++)
		run = edudma_run(mr->pages + i, min(n - i, max_pages));
	if (nents == 1) {
		sg_init_table(&mr->sg0, 1);
		mr->sgt.sgl = &mr->sg0;
		mr->sgt.nents = 1;
		mr->sgt.orig_nents = 1;
	} else {
		ret = sg_alloc_table(&mr->sgt, nents, GFP_KERNEL);
		if (ret)
			return ret;
	}
	i = 0;
	for_each_sgtable_sg(&mr->sgt, sg, k) {
		u64 len;

		run = edudma_run(mr->pages + i, min(n - i, max_pages));
		len = min_t(u64, (run << PAGE_SHIFT) - offset, left);
		sg_set_page(sg, mr->pages[i], len, offset);
		left -= len;
		offset = 0;
		i += run;
	}
	return 0;
}

ALLOW_ERROR_INJECTION(edudma_mr_build_sgt, ERRNO);

static void edudma_mr_free_sgt(struct edudma_mr *mr)
{
	if (mr->sgt.sgl != &mr->sg0)
		sg_free_table(&mr->sgt);
	mr->sgt.sgl = NULL;
}

/*
 * Without an IOMMU (dma-direct) a page above the DMA mask cannot be mapped:
 * dma-direct would warn and fail, or bounce through swiotlb, which breaks a
 * long-term mapping.  Refuse such memory up front.  The scatterlist holds
 * the pages as physically contiguous runs, so the check is one step per
 * run (a THP is one), each up to the end of its last page.
 */
static noinline int edudma_check_reach(struct edudma_mr *mr,
				       struct device *dev)
{
	u64 limit = min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
	struct scatterlist *sg;
	unsigned int i;

	if (!edudma_dma_is_direct(dev))
		return 0;	/* an IOMMU hands out addresses in the mask */
	for_each_sgtable_sg(&mr->sgt, sg, i) {
		phys_addr_t end = sg_phys(sg) + sg->length - 1;

		if ((end | ~PAGE_MASK) > limit)
			return -ERANGE;
	}
	return 0;
}

ALLOW_ERROR_INJECTION(edudma_check_reach, ERRNO);

/* The direction of the mr's DMA mapping, from its access. */
enum dma_data_direction edudma_mr_dir(struct edudma_mr *mr)
{
	switch (mr->access & EDUDMA_ACCESS_MASK) {
	case EDUDMA_ACCESS_DEV_READ:
		return DMA_TO_DEVICE;
	case EDUDMA_ACCESS_DEV_WRITE:
		return DMA_FROM_DEVICE;
	default:
		return DMA_BIDIRECTIONAL;
	}
}

/*
 * Maps the scatterlist for the device: ENOMEM when the IOMMU (or swiotlb)
 * is out of space, EIO for any other refusal of the DMA API (logged).
 *
 * The mapping lives as long as the registration, while the program keeps
 * using the memory, as an RDMA memory region's does: a cache sync when it
 * is made or torn down would mean nothing for the DMAs in between, so it
 * is skipped (DMA_ATTR_SKIP_CPU_SYNC), and the driver relies on DMA that
 * is coherent with the CPU caches (x86, the lab's only target).  That is
 * also what makes two registrations of the same memory legal for the DMA
 * API: DMA-API debug reports overlapping mappings that leave the syncing
 * to map and unmap.
 */
static noinline int edudma_mr_map(struct edudma_mr *mr, struct device *dev)
{
	int ret = dma_map_sgtable(dev, &mr->sgt, edudma_mr_dir(mr),
				  DMA_ATTR_SKIP_CPU_SYNC);

	if (ret && ret != -ENOMEM) {
		dev_err(dev, "DMA mapping of %u pages failed: %d\n",
			mr->sgt.orig_nents, ret);
		ret = -EIO;
	}
	return ret;
}

ALLOW_ERROR_INJECTION(edudma_mr_map, ERRNO);

static noinline int edudma_build_segs(struct edudma_mr *mr)
{
	struct scatterlist *sg;
	u64 start = 0;
	unsigned int i;

	mr->nsegs = mr->sgt.nents;
	/* One segment (what an IOMMU makes of any range) needs no table. */
	if (mr->nsegs == 1)
		mr->segs = &mr->seg0;
	else
		mr->segs = kvmalloc_array(mr->nsegs, sizeof(*mr->segs),
					  GFP_KERNEL);
	if (!mr->segs)
		return -ENOMEM;
	for_each_sgtable_dma_sg(&mr->sgt, sg, i) {
		mr->segs[i].start = start;
		mr->segs[i].dma = sg_dma_address(sg);
		mr->segs[i].len = sg_dma_len(sg);
		start += sg_dma_len(sg);
	}
	if (WARN_ON_ONCE(start != mr->length))
		return -EIO;
	return 0;
}

ALLOW_ERROR_INJECTION(edudma_build_segs, ERRNO);

static void edudma_free_segs(struct edudma_mr *mr)
{
	if (mr->segs != &mr->seg0)
		kvfree(mr->segs);
	mr->segs = NULL;
}

static void edudma_mr_free_pages(struct edudma_mr *mr)
{
	if (mr->pages != &mr->page0)
		kvfree(mr->pages);
	mr->pages = NULL;
}

/*
 * A new mr of the current process, holding its mm, not yet pinned: the
 * start of both kinds.  state_lock held; the process must have memory.
 */
static struct edudma_mr *edudma_mr_alloc(struct edudma_dev *edev, u64 addr,
					 u64 length, unsigned long npages,
					 u32 access)
{
	struct edudma_mr *mr;

	/* DYING is fine: remove() unmaps whatever is mapped once it is GONE. */
	lockdep_assert_held(&edev->state_lock);
	if (WARN_ON_ONCE(READ_ONCE(edev->state) == EDUDMA_GONE))
		return ERR_PTR(-ENODEV);
	if (!current->mm)
		return ERR_PTR(-EFAULT);
	mr = kzalloc(sizeof(*mr), GFP_KERNEL);
	if (!mr)
		return ERR_PTR(-ENOMEM);
	mr->edev = edev;
	mr->access = access;
	mr->addr = addr;
	mr->length = length;
	mr->npages = npages;
	atomic_set(&mr->busy, 0);
	INIT_LIST_HEAD(&mr->dev_node);
	mr->mm = current->mm;
	mmgrab(mr->mm);
	return mr;
}

/* The mr is mapped: on edev->mrs for remove(). */
static void edudma_mr_add(struct edudma_mr *mr)
{
	struct edudma_dev *edev = mr->edev;

	mutex_lock(&edev->mr_lock);
	list_add_tail(&mr->dev_node, &edev->mrs);
	mr->mapped = true;
	mutex_unlock(&edev->mr_lock);
}

/*
 * Pins [addr, addr + length), npages pages, of the current process for the
 * device, charges it and maps it.  The caller checked the request with
 * edudma_span() and holds edev->state_lock, so remove() cannot miss the
 * mapping.
 */
struct edudma_mr *edudma_mr_create(struct edudma_dev *edev, u64 addr,
				   u64 length, unsigned long npages,
				   u32 access)
{
	struct device *dev = &edev->pdev->dev;
	struct edudma_mr *mr;
	int ret;

	mr = edudma_mr_alloc(edev, addr, length, npages, access);
	if (IS_ERR(mr))
		return mr;
	ret = edudma_charge(mr->mm, mr->npages);
	if (ret)
		goto err_mm;

	/* A page's registration keeps its one pointer in the mr. */
	if (mr->npages == 1)
		mr->pages = &mr->page0;
	else
		mr->pages = kvmalloc_array(mr->npages, sizeof(*mr->pages),
					   GFP_KERNEL);
	if (!mr->pages) {
		ret = -ENOMEM;
		goto err_uncharge;
	}

	ret = edudma_pin_pages(addr, mr->npages, access, mr->pages);
	if (ret)
		goto err_pages;

	ret = edudma_mr_build_sgt(mr, offset_in_page(addr),
				  dma_get_max_seg_size(dev));
	if (ret)
		goto err_unpin;

	ret = edudma_check_reach(mr, dev);
	if (ret)
		goto err_sgt;

	ret = edudma_mr_map(mr, dev);
	if (ret)
		goto err_sgt;

	ret = edudma_build_segs(mr);
	if (ret)
		goto err_unmap;

	edudma_mr_add(mr);
	edudma_stat_add(edev, pinned_pages, mr->npages);
	return mr;

err_unmap:
	edudma_free_segs(mr);
	dma_unmap_sgtable(dev, &mr->sgt, edudma_mr_dir(mr),
			  DMA_ATTR_SKIP_CPU_SYNC);
err_sgt:
	edudma_mr_free_sgt(mr);
err_unpin:
	unpin_user_pages(mr->pages, mr->npages);
err_pages:
	edudma_mr_free_pages(mr);
err_uncharge:
	edudma_uncharge(mr->mm, mr->npages);
err_mm:
	mmdrop(mr->mm);
	kfree(mr);
	return ERR_PTR(ret);
}

/*
 * An on-demand registration of [addr, addr + length) of the current
 * process (edudma_odp.c): nothing pinned, nothing charged, nothing mapped
 * yet.  Under edev->state_lock, as edudma_mr_create().
 */
struct edudma_mr *edudma_mr_create_odp(struct edudma_dev *edev, u64 addr,
				       u64 length, unsigned long npages,
				       u32 access)
{
	struct edudma_mr *mr;
	int ret;

	mr = edudma_mr_alloc(edev, addr, length, npages, access);
	if (IS_ERR(mr))
		return mr;
	ret = edudma_odp_create(mr);
	if (ret) {
		mmdrop(mr->mm);
		kfree(mr);
		return ERR_PTR(ret);
	}
	edudma_mr_add(mr);
	return mr;
}

/*
 * Drops the DMA mapping, keeps the pages pinned (an on-demand mr maps
 * nothing more).  Under edev->mr_lock.
 */
static void edudma_mr_unmap(struct edudma_mr *mr)
{
	lockdep_assert_held(&mr->edev->mr_lock);
	if (!mr->mapped)
		return;
	if (mr->odp)
		edudma_odp_unmap_all(mr);
	else
		dma_unmap_sgtable(&mr->edev->pdev->dev, &mr->sgt,
				  edudma_mr_dir(mr), DMA_ATTR_SKIP_CPU_SYNC);
	list_del_init(&mr->dev_node);
	mr->mapped = false;
}

/*
 * remove(): no DMA runs any more and no new mr can be made (the caller
 * holds edev->state_lock for writing).  Every mapping goes now, whoever
 * holds the mr; the pages stay pinned until edudma_mr_destroy().
 */
void edudma_mrs_unmap_all(struct edudma_dev *edev)
{
	struct edudma_mr *mr, *tmp;

	lockdep_assert_held_write(&edev->state_lock);
	mutex_lock(&edev->mr_lock);
	list_for_each_entry_safe(mr, tmp, &edev->mrs, dev_node)
		edudma_mr_unmap(mr);
	mutex_unlock(&edev->mr_lock);
}

/*
 * Unpins the pages (dirtying them if the device could write), one
 * physically contiguous run of the scatterlist at a time: the kernel then
 * steps a large folio at once, where the page array takes it page by page
 * (a 64 MiB THP registration's DEREG_MR went from 81 us to 11).
 */
static void edudma_mr_unpin(struct edudma_mr *mr)
{
	bool dirty = mr->access & EDUDMA_ACCESS_DEV_WRITE;
	struct scatterlist *sg;
	unsigned int i;

	/* Scattered 4 KiB pages: the array's walk is cheaper than a call each. */
	if (mr->sgt.orig_nents > mr->npages / 8) {
		unpin_user_pages_dirty_lock(mr->pages, mr->npages, dirty);
		return;
	}
	for_each_sgtable_sg(&mr->sgt, sg, i) {
		unsigned long n = DIV_ROUND_UP(sg->offset + sg->length,
					       PAGE_SIZE);

		unpin_user_page_range_dirty_lock(sg_page(sg), n, dirty);
	}
}

/*
 * Unmaps (unless remove() already did), unpins (dirtying what the device
 * could write), uncharges.  Safe at any time after the mr's last DMA,
 * before or after removal.
 */
void edudma_mr_destroy(struct edudma_mr *mr)
{
	struct edudma_dev *edev = mr->edev;

	mutex_lock(&edev->mr_lock);
	edudma_mr_unmap(mr);
	mutex_unlock(&edev->mr_lock);
	if (mr->odp) {
		edudma_odp_destroy(mr);
		mmdrop(mr->mm);
		kfree(mr);
		return;
	}
	edudma_mr_unpin(mr);
	edudma_mr_free_sgt(mr);
	edudma_free_segs(mr);
	edudma_mr_free_pages(mr);
	edudma_uncharge(mr->mm, mr->npages);
	mmdrop(mr->mm);
	edudma_stat_add(edev, pinned_pages, -(s64)mr->npages);
	kfree(mr);
}
