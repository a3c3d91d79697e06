// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: a file's completions: the max_inflight slots of its async
 * transfers, read() of their records, poll() and the eventfd (which
 * events, edudma_watch.c, signal too).
 */
#include <linux/error-injection.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edudma.h"

/*
 * Async: takes one of the file's max_inflight slots (EAGAIN when none is
 * left) before anything is pinned.  The slot is the request's until its
 * completion is read; edudma_completion_unreserve() returns it when the
 * request is never submitted.
 */
int edudma_completion_reserve(struct edudma_file *efile)
{
	struct edudma_dev *edev = efile->edev;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&edev->lock, flags);
	if (efile->inflight >= READ_ONCE(edudma_max_inflight))
		ret = -EAGAIN;
	else
		efile->inflight++;
	spin_unlock_irqrestore(&edev->lock, flags);
	return ret;
}

ALLOW_ERROR_INJECTION(edudma_completion_reserve, ERRNO);

void edudma_completion_unreserve(struct edudma_file *efile)
{
	struct edudma_dev *edev = efile->edev;
	unsigned long flags;

	spin_lock_irqsave(&edev->lock, flags);
	efile->inflight--;
	spin_unlock_irqrestore(&edev->lock, flags);
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
	return mask | edudma_watch_poll(efile);
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
