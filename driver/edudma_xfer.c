// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: transfers (EDUDMA_XFER) and their completions: the synchronous
 * wait, read() of completion records, poll() and the eventfd.
 */
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edudma.h"
#include "edudma_regs.h"

/* Frees a request that is finished or was never queued. */
void edudma_req_free(struct edudma_req *req)
{
	struct edudma_side *sides[] = { &req->src, &req->dst };
	int i;

	for (i = 0; i < ARRAY_SIZE(sides); i++) {
		struct edudma_side *side = sides[i];

		if (!side->mr)
			continue;
		if (side->oneshot)
			edudma_mr_destroy(side->mr);
		else
			edudma_region_put(side->mr);	/* never queued */
	}
	kfree(req);
}

/*
 * close(): the file's queued transfers are cancelled, the running one is
 * waited for, and every request left (unread completions) is freed.
 */
void edudma_xfer_file_drain(struct edudma_file *efile)
{
	struct edudma_dev *edev = efile->edev;
	struct edudma_req *req, *tmp;
	unsigned long flags;
	LIST_HEAD(done);

	edudma_engine_file_cancel(efile);
	spin_lock_irqsave(&edev->lock, flags);
	list_splice_init(&efile->done, &done);
	spin_unlock_irqrestore(&edev->lock, flags);
	list_for_each_entry_safe(req, tmp, &done, node)
		edudma_req_free(req);
}

/*
 * One memory side of a request as the caller described it: a registration
 * and an offset in it, or (ptr) a plain address pinned for this transfer.
 */
struct edudma_side_arg {
	struct edudma_side *side;
	u32 handle;
	u64 where;		/* offset in the region, or the address */
	bool ptr;
	u32 access;		/* what the op needs of this side */
	unsigned long npages;	/* one-shot: pages to pin */
};

/* A registered side: the handle (ENOENT), its access (EACCES), the range. */
static int edudma_side_lookup(struct edudma_file *efile,
			      struct edudma_side_arg *a, u64 length)
{
	struct edudma_mr *mr;

	if (a->ptr)
		return 0;
	mr = edudma_region_get(efile, a->handle);
	if (!mr)
		return -ENOENT;
	a->side->mr = mr;		/* busy: edudma_req_free() drops it */
	if (!(mr->access & a->access))
		return -EACCES;
	if (a->where > mr->length || length > mr->length - a->where)
		return -EINVAL;
	a->side->offset = a->where;
	return 0;
}

/* A one-shot side: its pages against the max_pinned_mb budget (ENOSPC). */
static int edudma_side_limit(struct edudma_side_arg *a, u64 length)
{
	int ret;

	if (!a->ptr)
		return 0;
	ret = edudma_span(a->access, a->where, length, &a->npages);
	if (ret)
		return ret;
	return a->npages > edudma_pin_budget() ? -ENOSPC : 0;
}

/* A one-shot side: pinned, charged and mapped last of all. */
static int edudma_side_pin(struct edudma_file *efile,
			   struct edudma_side_arg *a, u64 length)
{
	struct edudma_mr *mr;

	if (!a->ptr)
		return 0;
	mr = edudma_mr_create(efile->edev, a->where, length, a->npages,
			      a->access);
	if (IS_ERR(mr))
		return PTR_ERR(mr);
	a->side->mr = mr;
	a->side->oneshot = true;
	return 0;
}

static int edudma_xfer_check(const struct edudma_xfer *arg)
{
	bool src_ptr = arg->flags & EDUDMA_XFER_SRC_PTR;
	bool dst_ptr = arg->flags & EDUDMA_XFER_DST_PTR;

	if (arg->flags & ~EDUDMA_XFER_MASK)
		return -EINVAL;
	if ((src_ptr && arg->src_handle) || (dst_ptr && arg->dst_handle))
		return -EINVAL;
	switch (arg->op) {
	case EDUDMA_OP_TO_DEV:
		if (dst_ptr || arg->dst_handle || arg->dst)
			return -EINVAL;
		break;
	case EDUDMA_OP_FROM_DEV:
		if (src_ptr || arg->src_handle || arg->src)
			return -EINVAL;
		break;
	case EDUDMA_OP_COPY:
		if (arg->dev_offset)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (!arg->length)
		return -EINVAL;
	if ((src_ptr && arg->src + arg->length < arg->src) ||
	    (dst_ptr && arg->dst + arg->length < arg->dst))
		return -EINVAL;
	if (arg->op != EDUDMA_OP_COPY &&
	    (arg->dev_offset > EDU_DMA_MAX_END ||
	     arg->length > EDU_DMA_MAX_END - arg->dev_offset))
		return -EINVAL;
	return 0;
}

/* Waits for a synchronous request; a signal cancels what is not done. */
static int edudma_xfer_wait(struct edudma_dev *edev, struct edudma_req *req)
{
	unsigned long flags;
	int status;

	if (wait_event_interruptible(req->efile->wq, READ_ONCE(req->done)))
		edudma_engine_cancel(edev, req);

	spin_lock_irqsave(&edev->lock, flags);
	status = req->status;
	spin_unlock_irqrestore(&edev->lock, flags);
	return status == -ECANCELED ? -EINTR : status;
}

/*
 * Checks in the documented order (Documentation/uapi.md, "EDUDMA_XFER"):
 * the struct, then the handles and ranges of both sides (source first),
 * then the limits (one-shot budgets, max_inflight), and pins one-shot
 * sides only when all of that passed.  A call that fails pinned nothing
 * and queued nothing.
 */
int edudma_ioctl_xfer(struct edudma_file *efile, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_xfer, dst);
	struct edudma_dev *edev = efile->edev;
	struct edudma_side_arg sides[2];
	unsigned int i, nsides = 0;
	struct edudma_xfer arg;
	struct edudma_req *req;
	bool reserved = false;
	int ret;

	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	ret = edudma_xfer_check(&arg);
	if (ret)
		return ret;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	INIT_LIST_HEAD(&req->node);
	req->efile = efile;
	req->op = arg.op;
	req->dev_offset = arg.dev_offset;
	req->length = arg.length;
	req->cookie = arg.cookie;
	req->async = arg.flags & EDUDMA_XFER_ASYNC;

	if (arg.op != EDUDMA_OP_FROM_DEV)
		sides[nsides++] = (struct edudma_side_arg) {
			.side = &req->src, .handle = arg.src_handle,
			.where = arg.src, .access = EDUDMA_ACCESS_DEV_READ,
			.ptr = arg.flags & EDUDMA_XFER_SRC_PTR,
		};
	if (arg.op != EDUDMA_OP_TO_DEV)
		sides[nsides++] = (struct edudma_side_arg) {
			.side = &req->dst, .handle = arg.dst_handle,
			.where = arg.dst, .access = EDUDMA_ACCESS_DEV_WRITE,
			.ptr = arg.flags & EDUDMA_XFER_DST_PTR,
		};

	for (i = 0; i < nsides; i++) {
		ret = edudma_side_lookup(efile, &sides[i], arg.length);
		if (ret)
			goto err;
	}
	for (i = 0; i < nsides; i++) {
		ret = edudma_side_limit(&sides[i], arg.length);
		if (ret)
			goto err;
	}
	if (req->async) {
		ret = edudma_engine_reserve(efile);
		if (ret)
			goto err;
		reserved = true;
	}
	for (i = 0; i < nsides; i++) {
		ret = edudma_side_pin(efile, &sides[i], arg.length);
		if (ret)
			goto err;
	}

	ret = edudma_engine_submit(edev, req);
	if (ret)
		goto err;
	if (req->async)
		return 0;

	ret = edudma_xfer_wait(edev, req);
	edudma_req_free(req);
	return ret;

err:
	if (reserved)
		edudma_engine_unreserve(efile);
	edudma_req_free(req);
	return ret;
}

/* Completions wait, or none ever will (the device is gone). */
static bool edudma_done_ready(struct edudma_file *efile, bool *gone)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&efile->edev->lock, flags);
	ready = !list_empty(&efile->done);
	*gone = edudma_removed(efile->edev) && list_empty(&efile->pending);
	spin_unlock_irqrestore(&efile->edev->lock, flags);
	return ready || *gone;
}

/* Records copied out per step; a read() takes as many steps as fit. */
#define EDUDMA_READ_BATCH 64

/*
 * Moves up to want records off the done list, copying them to buf first:
 * a record leaves the list only once copied out, so a bad buffer loses
 * none.  Returns how many were delivered, or -EFAULT when none could be.
 * Called with efile->lock (one reader at a time).
 */
static ssize_t edudma_reap(struct edudma_file *efile, char __user *buf,
			   size_t want, struct edudma_completion *recs,
			   struct list_head *reaped)
{
	struct edudma_dev *edev = efile->edev;
	struct edudma_req *req, *tmp;
	unsigned long flags;
	size_t done = 0, n, k;

	lockdep_assert_held(&efile->lock);
	while (done < want) {
		n = 0;
		spin_lock_irqsave(&edev->lock, flags);
		list_for_each_entry(req, &efile->done, node) {
			if (n == min_t(size_t, want - done, EDUDMA_READ_BATCH))
				break;
			recs[n].cookie = req->cookie;
			recs[n].status = req->status;
			recs[n].reserved = 0;
			recs[n].bytes = req->pos;
			n++;
		}
		spin_unlock_irqrestore(&edev->lock, flags);
		if (!n)
			break;
		if (copy_to_user(buf + done * sizeof(*recs), recs,
				 n * sizeof(*recs)))
			return done ? done : -EFAULT;

		k = 0;
		spin_lock_irqsave(&edev->lock, flags);
		list_for_each_entry_safe(req, tmp, &efile->done, node) {
			if (k++ == n)
				break;
			list_move_tail(&req->node, reaped);
			efile->inflight--;
		}
		spin_unlock_irqrestore(&edev->lock, flags);
		done += n;
	}
	return done;
}

/*
 * Hands out as many completion records as fit in the buffer; blocks for
 * the first one unless O_NONBLOCK.
 */
ssize_t edudma_read(struct file *file, char __user *buf, size_t count,
		    loff_t *ppos)
{
	struct edudma_file *efile = file->private_data;
	size_t want = count / sizeof(struct edudma_completion);
	struct edudma_completion *recs;
	struct edudma_req *req, *tmp;
	LIST_HEAD(reaped);
	bool gone;
	ssize_t ret;

	if (!want)
		return -EINVAL;
	recs = kcalloc(min_t(size_t, want, EDUDMA_READ_BATCH), sizeof(*recs),
		       GFP_KERNEL);
	if (!recs)
		return -ENOMEM;

	for (;;) {
		if (!edudma_done_ready(efile, &gone)) {
			ret = -EAGAIN;
			if (file->f_flags & O_NONBLOCK)
				goto out;
			ret = wait_event_interruptible(efile->wq,
						       edudma_done_ready(efile, &gone));
			if (ret)
				goto out;
		}

		mutex_lock(&efile->lock);
		ret = edudma_reap(efile, buf, want, recs, &reaped);
		mutex_unlock(&efile->lock);
		if (ret)
			break;
		if (gone) {
			ret = -ENODEV;
			goto out;
		}
		/* Another reader took them first: wait again. */
	}
	if (ret > 0)
		ret *= sizeof(*recs);

	/* One-shot pins go now (edudma_mr_destroy() is safe after removal). */
	list_for_each_entry_safe(req, tmp, &reaped, node)
		edudma_req_free(req);
out:
	kfree(recs);
	return ret;
}

__poll_t edudma_poll(struct file *file, struct poll_table_struct *wait)
{
	struct edudma_file *efile = file->private_data;
	struct edudma_dev *edev = efile->edev;
	unsigned long flags;
	__poll_t mask = 0;

	poll_wait(file, &efile->wq, wait);
	spin_lock_irqsave(&edev->lock, flags);
	if (!list_empty(&efile->done))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (edudma_removed(edev))
		mask |= EPOLLHUP;
	spin_unlock_irqrestore(&edev->lock, flags);
	return mask;
}

int edudma_ioctl_set_eventfd(struct edudma_file *efile, void __user *uarg)
{
	const size_t minsz = offsetofend(struct edudma_eventfd, reserved);
	struct edudma_dev *edev = efile->edev;
	struct eventfd_ctx *ctx = NULL, *old;
	struct edudma_eventfd arg;
	unsigned long flags;
	int ret;

	ret = edudma_copy_args(&arg, minsz, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved)
		return -EINVAL;
	if (arg.fd != -1) {
		if (arg.fd < 0)
			return -EBADF;
		ctx = eventfd_ctx_fdget(arg.fd);
		if (IS_ERR(ctx))
			return -EBADF;
	}

	mutex_lock(&efile->lock);
	spin_lock_irqsave(&edev->lock, flags);
	old = efile->eventfd;
	efile->eventfd = ctx;
	spin_unlock_irqrestore(&edev->lock, flags);
	mutex_unlock(&efile->lock);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}
