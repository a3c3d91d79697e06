// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: a transfer request's life.  EDUDMA_XFER checks it and makes it
 * (its sides looked up or pinned), queues it on the engine and, for a
 * synchronous one, waits; the engine runs it and ends it
 * (edudma_req_end()); it is freed by the waiter, by read() of its record
 * (edudma_completion.c) or by close (edudma_req_drain_file()).  Removal
 * unmaps its one-shot sides with every other mapping (edudma_mr.c).
 */
#include <linux/eventfd.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "edudma.h"
#include "edudma_compat.h"
#include "edudma_regs.h"
#include "edudma_trace.h"

/* A region may be deregistered once its transfers have ended. */
static void edudma_req_put_side(struct edudma_side *side)
{
	if (side->mr && !side->oneshot) {
		edudma_region_put(side->mr);
		side->mr = NULL;
	}
}

/*
 * The engine ended req (under edev->lock, off its queue): the regions are
 * free again, the status is set and counted, an async request's record is
 * posted (done list, eventfd), and waiters wake.
 */
void edudma_req_end(struct edudma_req *req, int status)
{
	struct edudma_file *efile = req->efile;
	struct edudma_dev *edev = efile->edev;

	lockdep_assert_held(&edev->lock);
	edudma_req_put_side(&req->src);
	edudma_req_put_side(&req->dst);
	req->status = status;
	req->done = true;
	trace_edudma_xfer_done(edev, req);

	edudma_stat_add(edev, xfers, 1);
	edudma_stat_add(edev, queue_depth, -1);
	if (status)
		edudma_stat_add(edev, errors, 1);
	if (status == -ETIMEDOUT)
		edudma_stat_add(edev, timeouts, 1);

	if (req->async) {
		list_add_tail(&req->node, &efile->done);
		if (efile->eventfd)
			edudma_eventfd_signal(efile->eventfd);
	}
	wake_up_all(&efile->wq);
}

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
void edudma_req_drain_file(struct edudma_file *efile)
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

/*
 * A registered side: the handle (ENOENT), its access (EACCES), the range
 * (EINVAL), whether it is stale (ESTALE).
 */
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
	return edudma_watch_verify(efile, mr);
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

static int edudma_xfer_check(const struct edudma_dev *edev,
			     const struct edudma_xfer *arg)
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
	    (arg->dev_offset > edev->dma_end ||
	     arg->length > edev->dma_end - arg->dev_offset))
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
	ret = edudma_xfer_check(edev, &arg);
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
	req->limit = arg.length;
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
		ret = edudma_completion_reserve(efile);
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
		edudma_completion_unreserve(efile);
	edudma_req_free(req);
	return ret;
}
