// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the engine's on-demand side.  What a unit needs of its on-demand
 * sides, whether those pages are mapped, the fault worker that maps them
 * in process context while the unit keeps the device, the cut at a bad
 * page, and the engine's part of an invalidation (edudma_odp.c calls
 * edudma_engine_odp_drop()).  Documentation/design.md, "On-demand paging".
 */
#include <linux/jiffies.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "edudma.h"

/* What the rest of a unit needs of an on-demand side. */
struct edudma_need {
	struct edudma_mr *mr;
	u64 off;			/* in mr */
	u64 len;
	bool write;			/* the device writes it */
};

static unsigned int edudma_need_add(struct edudma_need *need, unsigned int n,
				    struct edudma_side *side, u64 off, u64 len,
				    bool write)
{
	if (!side->mr || !side->mr->odp || !len)
		return n;
	need[n] = (struct edudma_need) {
		.mr = side->mr, .off = side->offset + off, .len = len,
		.write = write,
	};
	return n + 1;
}

/*
 * The on-demand ranges the rest of req's unit uses, need[0] for the source
 * when there are two; returns how many (0 to 2).
 */
static unsigned int edudma_unit_needs(struct edudma_req *req,
				      struct edudma_need *need)
{
	unsigned int n = 0;

	edudma_unit_begin(req);
	switch (req->op) {
	case EDUDMA_OP_TO_DEV:
		return edudma_need_add(need, n, &req->src, req->pos,
				       req->limit - req->pos, false);
	case EDUDMA_OP_FROM_DEV:
		return edudma_need_add(need, n, &req->dst, req->pos,
				       req->limit - req->pos, true);
	default:
		if (req->phase == EDUDMA_DRAIN)
			return edudma_need_add(need, n, &req->dst,
					       req->pos + req->sub,
					       req->chunk - req->sub, true);
		n = edudma_need_add(need, n, &req->src, req->pos + req->sub,
				    req->chunk - req->sub, false);
		return edudma_need_add(need, n, &req->dst, req->pos,
				       req->chunk, true);
	}
}

/* May the unit's next DMA start: are its on-demand pages mapped? */
bool edudma_unit_ready(struct edudma_req *req)
{
	struct edudma_need need[2];
	unsigned int i, n = edudma_unit_needs(req, need);

	for (i = 0; i < n; i++)
		if (!edudma_odp_ready(need[i].mr, need[i].off, need[i].len,
				      need[i].write))
			return false;
	return true;
}

/*
 * Where a bad page cuts req: the bytes of the unit before it, counted from
 * pos for TO_DEV and FROM_DEV and from the chunk's start for COPY, when
 * need's side is good for good bytes from need->off.
 */
static u64 edudma_cut_at(const struct edudma_req *req,
			 const struct edudma_need *need, u64 good)
{
	if (req->op != EDUDMA_OP_COPY)
		return good;
	/* need->off is pos + sub, except the destination's while filling */
	return (need->write && req->phase == EDUDMA_FILL ? 0 : req->sub) + good;
}

/*
 * The request now ends with err after keep bytes of the unit (as
 * edudma_cut_at() counts them): nothing past the bad page moves.
 */
static void edudma_unit_cut(struct edudma_req *req, u64 keep, int err)
{
	u64 stop = req->pos + keep;

	if (stop >= req->limit)
		return;
	if (req->op == EDUDMA_OP_COPY) {
		req->chunk = keep;
		if (req->phase == EDUDMA_FILL && req->sub >= req->chunk) {
			req->phase = EDUDMA_DRAIN;	/* filled far enough */
			req->sub = 0;
		} else if (req->phase == EDUDMA_DRAIN &&
			   req->sub == req->chunk) {
			req->pos += req->chunk;		/* drained: unit over */
			req->chunk = 0;
		}
	}
	req->limit = stop;
	req->limit_status = err;
}

/*
 * The fault worker: maps what the unit on the device needs of its
 * on-demand sides (edudma_odp_fault(), which sleeps), then starts it, cuts
 * it short at a bad page, or ends it (cancelled, removed).  The unit's
 * state does not change meanwhile: the device is its own, no DMA runs,
 * and a cancel only marks it.  The regions stay: the request holds them.
 */
void edudma_fault_work(struct work_struct *work)
{
	struct edudma_dev *edev = container_of(work, struct edudma_dev,
					       fault_work);
	struct edudma_need need[2];
	struct edudma_req *req;
	unsigned long flags;
	int err[2] = { 0 }, cut = 0;
	u64 good[2], keep = U64_MAX;
	unsigned int i, n;

	spin_lock_irqsave(&edev->lock, flags);
	req = edev->cur.req;
	if (!req || !edev->cur.faulting) {
		spin_unlock_irqrestore(&edev->lock, flags);
		return;
	}
	n = edudma_unit_needs(req, need);
	spin_unlock_irqrestore(&edev->lock, flags);

	for (i = 0; i < n && !READ_ONCE(req->cancel); i++)
		err[i] = edudma_odp_fault(need[i].mr, need[i].off, need[i].len,
					  need[i].write, &good[i]);

	spin_lock_irqsave(&edev->lock, flags);
	if (req->cancel) {
		edudma_unit_abort(edev, req, req->cancel);
	} else if (edudma_removed(edev)) {
		edudma_unit_abort(edev, req, -ENODEV);
	} else {
		/* -EBUSY: invalidated all along; the next round tries again. */
		for (i = 0; i < n; i++) {
			u64 at = edudma_cut_at(req, &need[i], good[i]);

			if (err[i] && err[i] != -EBUSY && at < keep) {
				keep = at;
				cut = err[i];
			}
		}
		if (cut)
			edudma_unit_cut(req, keep, cut);
		if (req->pos == req->limit) {
			edudma_unit_abort(edev, req, req->limit_status);
		} else {
			if (!edudma_unit_ready(req))	/* invalidated again */
				edudma_stat_add(edev, odp_retries, 1);
			edudma_start(edev, req);
		}
	}
	spin_unlock_irqrestore(&edev->lock, flags);
}

/* A DMA runs on the device for a stale unit of mr. */
static bool edudma_engine_odp_busy(struct edudma_dev *edev,
				   struct edudma_mr *mr)
{
	struct edudma_req *req;
	unsigned long flags;
	bool busy;

	spin_lock_irqsave(&edev->lock, flags);
	req = edev->cur.req;
	busy = req && !edev->cur.faulting && edev->cur.stale &&
	       (req->src.mr == mr || req->dst.mr == mr);
	spin_unlock_irqrestore(&edev->lock, flags);
	return busy;
}

/*
 * An invalidation takes mr's pages at user addresses [start, end) away
 * (edudma_odp.c, which keeps new units off mr meanwhile).  When the unit
 * on the device still needs one of them it turns stale: its next DMA waits
 * for a new fault, and the DMA running now is waited for.  That wait is
 * one DMA of at most max_transfer bytes, which the interrupt or the
 * engine's timer ends (timeout_ms); a device that runs on timeout_ms +
 * 1 s past that is given up on, as remove() gives up on it, with an
 * error in the log.  Returns false, without waiting, when a DMA runs on
 * the pages and the caller may not sleep.
 */
bool edudma_engine_odp_drop(struct edudma_dev *edev, struct edudma_mr *mr,
			    u64 start, u64 end, bool blockable)
{
	unsigned int timeout_ms = READ_ONCE(edudma_timeout_ms) + 1000;
	struct edudma_need need[2];
	struct edudma_req *req;
	unsigned long flags;
	unsigned int i, n;
	bool busy = false;

	spin_lock_irqsave(&edev->lock, flags);
	req = edev->cur.req;
	n = req ? edudma_unit_needs(req, need) : 0;
	for (i = 0; i < n; i++) {
		u64 va = mr->addr + need[i].off;

		if (need[i].mr == mr && va < end && start < va + need[i].len)
			edev->cur.stale = true;
	}
	busy = req && edev->cur.stale && !edev->cur.faulting;
	spin_unlock_irqrestore(&edev->lock, flags);

	if (!busy)
		return true;
	if (!blockable)
		return false;
	if (!wait_event_timeout(edev->idle_wq, !edudma_engine_odp_busy(edev, mr),
				msecs_to_jiffies(timeout_ms)))
		dev_err(&edev->dev,
			"DMA on invalidated memory still running after %u ms\n",
			timeout_ms);
	return true;
}
