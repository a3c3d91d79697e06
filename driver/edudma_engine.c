// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: the DMA engine.  One queue per device shared by its files; the
 * next DMA is issued from the completion interrupt.  Files take turns at
 * unit boundaries (a TO_DEV/FROM_DEV transfer, or one chunk of a COPY),
 * so that no unit's use of the device buffer is interleaved with another.
 *
 * A request is cut into DMAs that the QEMU 7.2 device accepts: 0 < len,
 * dev_offset + len < 4096, and a DMA never crosses a DMA segment of the
 * memory side.  Everything here runs under edev->lock, except the fault
 * worker.
 *
 * A unit with an on-demand side (edudma_odp.c) starts only on pages
 * edudma_odp_ready() finds mapped.  Otherwise the device stays the unit's
 * (cur.req set, cur.faulting) while edev->fault_work faults them in
 * process context, and the unit starts from there.  An invalidation of
 * pages the unit still needs marks it stale (edudma_engine_odp_drop()):
 * the DMA running then is waited for, and the next one waits for a new
 * fault.  Documentation/design.md, "On-demand paging".
 */
#include <linux/delay.h>
#include <linux/error-injection.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "edudma.h"
#include "edudma_regs.h"
#include "edudma_trace.h"

/* The DMA segment holding region offset off: its address, bytes left. */
static u32 edudma_seg_at(struct edudma_mr *mr, u64 off, dma_addr_t *dma)
{
	unsigned int lo = 0, hi = mr->nsegs - 1;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo + 1) / 2;

		if (mr->segs[mid].start <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	off -= mr->segs[lo].start;
	*dma = mr->segs[lo].dma + off;
	return mr->segs[lo].len - off;
}

struct edudma_op {
	bool to_dev;
	dma_addr_t mem;
	u32 dev_off;
	u32 len;
};

/* COPY: the next unit is a chunk, the device buffer filled then drained. */
void edudma_unit_begin(struct edudma_req *req)
{
	if (req->op != EDUDMA_OP_COPY || req->chunk)
		return;
	req->chunk = min_t(u64, req->limit - req->pos,
			   req->efile->edev->dma_end);
	req->sub = 0;
	req->phase = EDUDMA_FILL;
}

/* The next DMA of a request that is not finished. */
static void edudma_next_op(struct edudma_req *req, struct edudma_op *op)
{
	struct edudma_side *side;
	u64 off, left, seg;

	edudma_unit_begin(req);
	switch (req->op) {
	case EDUDMA_OP_TO_DEV:
	case EDUDMA_OP_FROM_DEV:
		op->to_dev = req->op == EDUDMA_OP_TO_DEV;
		side = op->to_dev ? &req->src : &req->dst;
		off = side->offset + req->pos;
		op->dev_off = req->dev_offset + req->pos;
		left = req->limit - req->pos;
		break;
	default:	/* EDUDMA_OP_COPY: fill the buffer, then drain it */
		op->to_dev = req->phase == EDUDMA_FILL;
		side = op->to_dev ? &req->src : &req->dst;
		off = side->offset + req->pos + req->sub;
		op->dev_off = req->sub;
		left = req->chunk - req->sub;
		break;
	}
	if (side->mr->odp)
		seg = edudma_odp_dma_at(side->mr, off, &op->mem);
	else
		seg = edudma_seg_at(side->mr, off, &op->mem);
	op->len = min(left, seg);
}

/* Accounts a finished DMA; true at the end of a unit. */
static bool edudma_op_done(struct edudma_req *req, u32 len)
{
	if (req->op != EDUDMA_OP_COPY) {
		req->pos += len;
		return req->pos == req->limit;
	}
	req->sub += len;
	if (req->sub < req->chunk)
		return false;
	if (req->phase == EDUDMA_FILL) {
		req->phase = EDUDMA_DRAIN;
		req->sub = 0;
		return false;
	}
	req->pos += req->chunk;
	req->chunk = 0;
	return true;
}

/* False when idle, or when the device is gone (reads all ones). */
static bool edudma_hw_busy(struct edudma_dev *edev)
{
	u32 cmd = ioread32(edev->bar + EDU_REG_DMA_CMD);

	return cmd != U32_MAX && (cmd & EDU_DMA_CMD_START);
}

static void edudma_finish(struct edudma_dev *edev, struct edudma_req *req,
			  int status);

static void edudma_issue(struct edudma_dev *edev, struct edudma_req *req)
{
	struct edudma_op op;
	u64 cmd = EDU_DMA_CMD_START | EDU_DMA_CMD_IRQ;
	u64 dev_addr;

	edudma_next_op(req, &op);
	dev_addr = EDU_DMA_WINDOW + op.dev_off;
	if (WARN_ON_ONCE(!op.len || op.dev_off + op.len > edev->dma_end)) {
		edudma_finish(edev, req, -EIO);
		return;
	}

	if (op.to_dev) {
		writeq(op.mem, edev->bar + EDU_REG_DMA_SRC);
		writeq(dev_addr, edev->bar + EDU_REG_DMA_DST);
	} else {
		writeq(dev_addr, edev->bar + EDU_REG_DMA_SRC);
		writeq(op.mem, edev->bar + EDU_REG_DMA_DST);
		cmd |= EDU_DMA_CMD_TO_RAM;
	}
	writeq(op.len, edev->bar + EDU_REG_DMA_COUNT);
	trace_edudma_dma_issue(edev, req, op.to_dev, op.mem, op.dev_off,
			       op.len);
	writeq(cmd, edev->bar + EDU_REG_DMA_CMD);

	edev->cur.req = req;
	edev->cur.len = op.len;
	edev->cur.to_dev = op.to_dev;
	edev->cur.timed_out = false;
	edev->cur.deadline = jiffies +
			     msecs_to_jiffies(READ_ONCE(edudma_timeout_ms));
	mod_timer(&edev->timer, edev->cur.deadline);
}

/* Ends a request: off the queue and the file's turn, then edudma_req_end(). */
static void edudma_finish(struct edudma_dev *edev, struct edudma_req *req,
			  int status)
{
	struct edudma_file *efile = req->efile;

	lockdep_assert_held(&edev->lock);
	list_del_init(&req->node);
	if (list_empty(&efile->pending))
		list_del_init(&efile->active_node);
	edudma_req_end(req, status);
}

/*
 * Runs req's next DMA, or, when an on-demand page it needs is not mapped,
 * keeps the device for it while the fault worker (edudma_fault.c) maps
 * them.
 */
void edudma_start(struct edudma_dev *edev, struct edudma_req *req)
{
	edev->cur.faulting = false;
	edev->cur.stale = false;
	if (!edudma_unit_ready(req)) {
		edev->cur.req = req;
		edev->cur.faulting = true;
		queue_work(system_unbound_wq, &edev->fault_work);
		return;
	}
	edudma_issue(edev, req);
}

/* Starts the next DMA when the device is idle: round robin over files. */
static void edudma_kick(struct edudma_dev *edev)
{
	struct edudma_file *efile;
	struct edudma_req *req;

	while (!edev->cur.req && !list_empty(&edev->active)) {
		efile = list_first_entry(&edev->active, struct edudma_file,
					 active_node);
		req = list_first_entry(&efile->pending, struct edudma_req, node);
		if (req->cancel) {
			edudma_finish(edev, req, req->cancel);
			continue;
		}
		edudma_start(edev, req);
	}
}

/* No DMA on the device (edudma_engine_kill() waits for it). */
static bool edudma_engine_idle(struct edudma_dev *edev)
{
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&edev->lock, flags);
	idle = !edev->cur.req;
	spin_unlock_irqrestore(&edev->lock, flags);
	return idle;
}

/* A unit ended: the next file with work has its turn. */
static void edudma_next_turn(struct edudma_file *efile)
{
	if (!list_empty(&efile->active_node))
		list_move_tail(&efile->active_node, &efile->edev->active);
}

/*
 * The running DMA ended: the one completion path, from the interrupt or
 * the timer.
 */
static void edudma_dma_ended(struct edudma_dev *edev)
{
	struct edudma_req *req = edev->cur.req;
	struct edudma_file *efile = req->efile;
	bool unit_end;

	edev->cur.req = NULL;
	wake_up_all(&edev->idle_wq);
	trace_edudma_dma_done(edev, req, edev->cur.to_dev, edev->cur.len,
			      edev->cur.timed_out);
	if (edev->cur.to_dev) {
		edudma_stat_add(edev, bytes_to_dev, edev->cur.len);
		edudma_stat_add(edev, dma_to_dev, 1);
	} else {
		edudma_stat_add(edev, bytes_from_dev, edev->cur.len);
		edudma_stat_add(edev, dma_from_dev, 1);
	}

	if (edev->cur.timed_out) {
		edudma_finish(edev, req, -ETIMEDOUT);
		return;
	}

	unit_end = edudma_op_done(req, edev->cur.len);
	if (req->pos == req->limit) {
		edudma_finish(edev, req, req->limit_status);
	} else if (edudma_removed(edev)) {
		edudma_finish(edev, req, -ENODEV);
	} else if (!unit_end) {
		edudma_start(edev, req);	/* the unit goes on */
		return;
	} else if (req->cancel) {
		edudma_finish(edev, req, req->cancel);
	}
	edudma_next_turn(efile);
}

/* From the interrupt handler, on a DMA-done interrupt. */
void edudma_engine_dma_irq(struct edudma_dev *edev)
{
	unsigned long flags;

	spin_lock_irqsave(&edev->lock, flags);
	/* A late interrupt of a timed-out DMA finds the next one running. */
	if (edev->cur.req && !edev->cur.faulting && !edudma_hw_busy(edev)) {
		edudma_dma_ended(edev);
		edudma_kick(edev);
	}
	spin_unlock_irqrestore(&edev->lock, flags);
}

/*
 * The running DMA's timer, the engine's only other way (beside the
 * interrupt) to end a DMA.  Armed for the DMA's deadline when it is
 * issued, then every 10 ms while the device stays busy:
 *  - past the deadline the DMA is marked timed out (ETIMEDOUT), but its
 *    memory stays pinned and mapped until the device has stopped;
 *  - a device found idle without its interrupt (gone: it reads all ones)
 *    ends the DMA;
 *  - on a dying device (edudma_engine_kill() fires it at once) the DMA
 *    ends with ENODEV when the device stops, or at edev->give_up.
 */
static void edudma_timeout(struct timer_list *t)
{
	struct edudma_dev *edev = from_timer(edev, t, timer);
	unsigned long flags;
	bool dying;

	spin_lock_irqsave(&edev->lock, flags);
	if (!edev->cur.req || edev->cur.faulting)
		goto out;	/* the fault worker ends a faulting unit */
	dying = edudma_removed(edev);
	if (!dying && !edev->cur.timed_out &&
	    time_after_eq(jiffies, edev->cur.deadline)) {
		edev->cur.timed_out = true;
		trace_edudma_dma_timeout(edev, edev->cur.req, edev->cur.len,
					 READ_ONCE(edudma_timeout_ms));
		dev_warn_ratelimited(&edev->dev,
				     "DMA did not finish within %u ms\n",
				     READ_ONCE(edudma_timeout_ms));
	}
	if (edudma_hw_busy(edev) &&
	    (!dying || time_before(jiffies, edev->give_up))) {
		mod_timer(&edev->timer, jiffies + msecs_to_jiffies(10));
		goto out;
	}
	if (dying)
		edev->cur.timed_out = false;	/* it ends with ENODEV */
	edudma_dma_ended(edev);
	edudma_kick(edev);
out:
	spin_unlock_irqrestore(&edev->lock, flags);
}

/* Queues a request; an async one holds a slot from edudma_completion_reserve(). */
int edudma_engine_submit(struct edudma_dev *edev, struct edudma_req *req)
{
	struct edudma_file *efile = req->efile;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&edev->lock, flags);
	if (edudma_removed(edev)) {
		ret = -ENODEV;
		goto out;
	}
	req->id = ++edev->req_seq;
	trace_edudma_xfer_submit(edev, req);
	list_add_tail(&req->node, &efile->pending);
	if (list_empty(&efile->active_node))
		list_add_tail(&efile->active_node, &edev->active);
	edudma_stat_add(edev, queue_depth, 1);
	edudma_kick(edev);
out:
	spin_unlock_irqrestore(&edev->lock, flags);
	return ret;
}

ALLOW_ERROR_INJECTION(edudma_engine_submit, ERRNO);	/* as if removed */

/* Marks req to end with status at its next unit boundary, or ends it now. */
static void edudma_cancel_locked(struct edudma_dev *edev,
				 struct edudma_req *req, int status)
{
	if (req->done)
		return;
	trace_edudma_xfer_cancel(edev, req, status, edev->cur.req == req);
	if (edev->cur.req == req)
		req->cancel = status;
	else
		edudma_finish(edev, req, status);
}

/*
 * A synchronous caller gives up (a signal): the request ends at its next
 * unit boundary.  Returns once the device no longer uses its memory.
 */
void edudma_engine_cancel(struct edudma_dev *edev, struct edudma_req *req)
{
	unsigned long flags;

	spin_lock_irqsave(&edev->lock, flags);
	edudma_cancel_locked(edev, req, -ECANCELED);
	spin_unlock_irqrestore(&edev->lock, flags);
	wait_event(req->efile->wq, READ_ONCE(req->done));
}

static bool edudma_file_idle(struct edudma_file *efile)
{
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&efile->edev->lock, flags);
	idle = list_empty(&efile->pending);
	spin_unlock_irqrestore(&efile->edev->lock, flags);
	return idle;
}

/* close(): cancels the file's queued transfers, waits for the running one. */
void edudma_engine_file_cancel(struct edudma_file *efile)
{
	struct edudma_dev *edev = efile->edev;
	struct edudma_req *req, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&edev->lock, flags);
	list_for_each_entry_safe(req, tmp, &efile->pending, node)
		edudma_cancel_locked(edev, req, -ECANCELED);
	spin_unlock_irqrestore(&edev->lock, flags);
	wait_event(efile->wq, edudma_file_idle(efile));
}

/*
 * remove(): LIVE -> DYING.  No new transfers; every queued one ends with
 * ENODEV; the running DMA is waited for (the device may still write to
 * memory): the interrupt or the timer ends it, the timer at the latest
 * timeout_ms + 1 s from now, when it gives up on a device that never
 * stops.
 */
void edudma_engine_kill(struct edudma_dev *edev)
{
	struct edudma_file *efile, *ftmp;
	struct edudma_req *req, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&edev->lock, flags);
	WRITE_ONCE(edev->state, EDUDMA_DYING);
	list_for_each_entry_safe(efile, ftmp, &edev->active, active_node)
		list_for_each_entry_safe(req, tmp, &efile->pending, node)
			edudma_cancel_locked(edev, req, -ENODEV);
	/* The timer ends the running DMA: look at the device now. */
	edev->give_up = jiffies +
			msecs_to_jiffies(READ_ONCE(edudma_timeout_ms) + 1000);
	if (edev->cur.req)
		mod_timer(&edev->timer, jiffies);
	spin_unlock_irqrestore(&edev->lock, flags);

	/* Readers with nothing queued learn that nothing more will come. */
	mutex_lock(&edev->files_lock);
	list_for_each_entry(efile, &edev->files, dev_node)
		wake_up_all(&efile->wq);
	mutex_unlock(&edev->files_lock);

	wait_event(edev->idle_wq, edudma_engine_idle(edev));
	del_timer_sync(&edev->timer);
	flush_work(&edev->fault_work);
}

/* remove(), with state_lock held for writing: DYING -> GONE. */
void edudma_engine_set_gone(struct edudma_dev *edev)
{
	unsigned long flags;

	lockdep_assert_held_write(&edev->state_lock);
	spin_lock_irqsave(&edev->lock, flags);
	WRITE_ONCE(edev->state, EDUDMA_GONE);
	spin_unlock_irqrestore(&edev->lock, flags);
}

/* A faulting unit's request ends without another DMA (edudma_fault.c). */
void edudma_unit_abort(struct edudma_dev *edev, struct edudma_req *req,
		       int status)
{
	edev->cur.req = NULL;
	edev->cur.faulting = false;
	wake_up_all(&edev->idle_wq);
	edudma_finish(edev, req, status);
	edudma_next_turn(req->efile);
	edudma_kick(edev);
}

void edudma_engine_init(struct edudma_dev *edev)
{
	spin_lock_init(&edev->lock);
	init_waitqueue_head(&edev->idle_wq);
	INIT_LIST_HEAD(&edev->active);
	timer_setup(&edev->timer, edudma_timeout, 0);
	INIT_WORK(&edev->fault_work, edudma_fault_work);
}
