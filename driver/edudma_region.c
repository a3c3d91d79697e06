// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the per-file table of registrations (EDUDMA_REG_MR and
 * EDUDMA_DEREG_MR) and its limits; each is an mr (edudma_mr.c) and, if it
 * is pinned and watched, a watch (edudma_watch.c).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edudma.h"
#include "edudma_trace.h"

/* A registration's mr and, for a pinned one not NO_STALE, its watch. */
static struct edudma_mr *edudma_region_make(struct edudma_file *efile,
					    const struct edudma_reg_mr *arg,
					    unsigned long npages)
{
	struct edudma_dev *edev = efile->edev;
	u32 access = arg->flags & EDUDMA_ACCESS_MASK;
	struct edudma_watch *w;
	struct edudma_mr *mr;

	if (arg->flags & EDUDMA_REG_ON_DEMAND)
		return edudma_mr_create_odp(edev, arg->addr, arg->length,
					    npages, access);
	if (arg->flags & EDUDMA_REG_NO_STALE)
		return edudma_mr_create(edev, arg->addr, arg->length, npages,
					access);
	/* Watched before pinned: nothing that happens meanwhile is missed. */
	w = edudma_watch_create(efile, arg->addr, arg->length);
	if (IS_ERR(w))
		return ERR_CAST(w);
	mr = edudma_mr_create(edev, arg->addr, arg->length, npages, access);
	if (IS_ERR(mr)) {
		edudma_watch_destroy(w);
		return mr;
	}
	edudma_watch_attach(w, mr);
	return mr;
}

/* The other way round; under efile->lock. */
static void edudma_region_unmake(struct edudma_mr *mr)
{
	if (mr->watch)
		edudma_watch_destroy(mr->watch);
	edudma_mr_destroy(mr);
}

/*
 * A file that registers and deregisters one region at a time would build
 * the xarray's path to every new handle and free it again a moment later;
 * its nodes go back through RCU, so the slab kept allocating fresh pages
 * for them (one REG_MR in three took 10 us more).  An index reserved at
 * the end of the current handle's block of XA_CHUNK_SIZE keeps the path
 * alive: the cyclic count skips that one number, and the reservation moves
 * on once per block.  Only a saving: when it cannot be made, nothing is
 * lost.  Under efile->lock.
 */
static void edudma_region_keep_path(struct edudma_file *efile, u32 handle)
{
	u32 keep = handle | (XA_CHUNK_SIZE - 1);

	if (keep == efile->keep_index)
		return;
	if (xa_reserve(&efile->regions, keep, GFP_KERNEL))
		return;
	if (efile->keep_index)
		xa_release(&efile->regions, efile->keep_index);
	efile->keep_index = keep;
}

/*
 * REG_MR once its struct is read: on success arg's outputs are set, and
 * copied to the caller's struct.
 */
static int edudma_reg_mr(struct edudma_file *efile, struct edudma_reg_mr *arg,
			 void __user *uarg, size_t minsz)
{
	struct edudma_dev *edev = efile->edev;
	struct edudma_mr *mr;
	unsigned long npages;
	bool on_demand;
	u32 handle;
	int ret;

	if (arg->flags & ~EDUDMA_REG_MASK)
		return -EINVAL;
	on_demand = arg->flags & EDUDMA_REG_ON_DEMAND;
	if (on_demand && (arg->flags & EDUDMA_REG_NO_STALE))
		return -EINVAL;
	ret = edudma_span(arg->flags & EDUDMA_ACCESS_MASK, arg->addr,
			  arg->length, &npages);
	if (ret)
		return ret;

	mutex_lock(&efile->lock);
	/* An on-demand registration pins nothing: only max_regions counts. */
	if (efile->nregions >= READ_ONCE(edudma_max_regions) ||
	    (!on_demand &&
	     efile->pinned_pages + npages > edudma_pin_budget())) {
		ret = -ENOSPC;
		goto out;
	}

	mr = edudma_region_make(efile, arg, npages);
	if (IS_ERR(mr)) {
		ret = PTR_ERR(mr);
		goto out;
	}

	ret = xa_alloc_cyclic(&efile->regions, &handle, mr,
			      XA_LIMIT(1, U32_MAX), &efile->next_handle,
			      GFP_KERNEL);
	if (ret < 0) {
		edudma_region_unmake(mr);
		goto out;
	}
	mr->handle = handle;
	edudma_region_keep_path(efile, handle);

	arg->handle = handle;
	arg->nr_segments = mr->nsegs;
	arg->nr_pages = edudma_mr_pinned(mr);
	if (copy_to_user(uarg + offsetof(struct edudma_reg_mr, handle),
			 &arg->handle,
			 minsz - offsetof(struct edudma_reg_mr, handle))) {
		xa_erase(&efile->regions, handle);
		edudma_region_unmake(mr);
		ret = -EFAULT;
		goto out;
	}

	efile->nregions++;
	efile->pinned_pages += edudma_mr_pinned(mr);
	edudma_stat_add(edev, regions, 1);
	edudma_stat_add(edev, reg_total, 1);
	ret = 0;
out:
	mutex_unlock(&efile->lock);
	return ret;
}

int edudma_ioctl_reg_mr(struct edudma_file *efile, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_reg_mr, nr_pages);
	u64 t0 = trace_edudma_reg_mr_enabled() ? ktime_get_ns() : 0;
	struct edudma_reg_mr arg;
	int ret;

	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	ret = edudma_reg_mr(efile, &arg, uarg, minsz);
	trace_edudma_reg_mr(efile->edev, &arg, ret, t0);
	return ret;
}

static void edudma_region_remove(struct edudma_file *efile,
				 struct edudma_mr *mr)
{
	xa_erase(&efile->regions, mr->handle);
	efile->nregions--;
	efile->pinned_pages -= edudma_mr_pinned(mr);
	edudma_stat_add(efile->edev, regions, -1);
	edudma_region_unmake(mr);
}

int edudma_ioctl_dereg_mr(struct edudma_file *efile, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_dereg_mr, reserved);
	u64 t0 = trace_edudma_dereg_mr_enabled() ? ktime_get_ns() : 0;
	struct edudma_dereg_mr arg;
	unsigned long pages = 0;
	struct edudma_mr *mr;
	int ret;

	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved) {
		ret = -EINVAL;
		goto out;
	}

	mutex_lock(&efile->lock);
	mr = xa_load(&efile->regions, arg.handle);
	if (!mr) {
		ret = -ENOENT;
	} else if (atomic_read(&mr->busy)) {
		ret = -EBUSY;
	} else {
		pages = edudma_mr_pinned(mr);
		edudma_region_remove(efile, mr);
		ret = 0;
	}
	mutex_unlock(&efile->lock);
out:
	trace_edudma_dereg_mr(efile->edev, arg.handle, pages, ret, t0);
	return ret;
}

/*
 * Looks a handle up and marks the region busy for one transfer, so that
 * DEREG_MR refuses it (EBUSY) until edudma_region_put().
 */
struct edudma_mr *edudma_region_get(struct edudma_file *efile, u32 handle)
{
	struct edudma_mr *mr;

	mutex_lock(&efile->lock);
	mr = xa_load(&efile->regions, handle);
	if (mr)
		atomic_inc(&mr->busy);
	mutex_unlock(&efile->lock);
	return mr;
}

/* The transfer that got mr is over (or was never queued). */
void edudma_region_put(struct edudma_mr *mr)
{
	atomic_dec(&mr->busy);
}

/* close(): no transfer is left; release every registration. */
void edudma_regions_destroy(struct edudma_file *efile)
{
	struct edudma_mr *mr;
	unsigned long idx;

	mutex_lock(&efile->lock);
	xa_for_each(&efile->regions, idx, mr) {
		WARN_ON_ONCE(atomic_read(&mr->busy));
		edudma_region_remove(efile, mr);
	}
	mutex_unlock(&efile->lock);
}
