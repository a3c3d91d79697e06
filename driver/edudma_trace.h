/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edudma: the driver's tracepoints, under /sys/kernel/tracing/events/edudma/
 * (Documentation/tracing.md).  Every event names its device by minor
 * (dev=edudmaN); a transfer by the id the engine gives it when it is
 * queued (req=), which its DMAs, its cancellation and its end repeat.
 *
 *   edudma_reg_mr, edudma_dereg_mr       REG_MR / DEREG_MR, each call that
 *                                        got past its struct: result, pages,
 *                                        segments, time in the ioctl
 *   edudma_xfer_submit, edudma_xfer_done a transfer queued, and ended
 *   edudma_xfer_cancel                   marked to end (close, a signal,
 *                                        removal)
 *   edudma_dma_issue, edudma_dma_done    each DMA the device runs
 *   edudma_dma_timeout                   a DMA past timeout_ms
 *   edudma_remove_begin, edudma_remove_end  the device's removal
 *   edudma_odp_fault                     on-demand pages faulted in
 *   edudma_odp_invalidate, edudma_watch_invalidate
 *                                        an mmu notifier callback on a
 *                                        registration's range
 *   edudma_stale                         a pinned registration found stale
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM edudma

#if !defined(EDUDMA_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define EDUDMA_TRACE_H

#include <linux/ktime.h>
#include <linux/mmu_notifier.h>
#include <linux/tracepoint.h>

#include "edudma.h"

#define edudma_show_op(op)						\
	__print_symbolic(op,						\
			 { EDUDMA_OP_TO_DEV, "TO_DEV" },		\
			 { EDUDMA_OP_FROM_DEV, "FROM_DEV" },		\
			 { EDUDMA_OP_COPY, "COPY" })

#define edudma_show_mmu_event(ev)					\
	__print_symbolic(ev,						\
			 { MMU_NOTIFY_UNMAP, "UNMAP" },			\
			 { MMU_NOTIFY_CLEAR, "CLEAR" },			\
			 { MMU_NOTIFY_PROTECTION_VMA, "PROTECTION_VMA" }, \
			 { MMU_NOTIFY_PROTECTION_PAGE, "PROTECTION_PAGE" }, \
			 { MMU_NOTIFY_SOFT_DIRTY, "SOFT_DIRTY" },	\
			 { MMU_NOTIFY_RELEASE, "RELEASE" },		\
			 { MMU_NOTIFY_MIGRATE, "MIGRATE" })

#ifndef EDUDMA_TRACE_HELPERS
#define EDUDMA_TRACE_HELPERS
/* Nanoseconds since t0, or 0 when t0 was not taken (tracing went on late). */
static inline u64 edudma_trace_ns(u64 t0)
{
	return t0 ? ktime_get_ns() - t0 : 0;
}
#endif

TRACE_EVENT(edudma_reg_mr,
	TP_PROTO(const struct edudma_dev *edev,
		 const struct edudma_reg_mr *arg, int ret, u64 t0),
	TP_ARGS(edev, arg, ret, t0),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, handle)
		__field(u64, addr)
		__field(u64, length)
		__field(u32, flags)
		__field(u64, pages)
		__field(u32, segs)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		/* the outputs are the caller's input until it succeeds */
		__entry->handle = ret ? 0 : arg->handle;
		__entry->addr = arg->addr;
		__entry->length = arg->length;
		__entry->flags = arg->flags;
		__entry->pages = ret ? 0 : arg->nr_pages;
		__entry->segs = ret ? 0 : arg->nr_segments;
		__entry->ret = ret;
		__entry->ns = edudma_trace_ns(t0);
	),
	TP_printk("dev=edudma%u handle=%u addr=0x%llx length=%llu flags=0x%x pages=%llu segs=%u ret=%d ns=%llu",
		  __entry->minor, __entry->handle, __entry->addr,
		  __entry->length, __entry->flags, __entry->pages,
		  __entry->segs, __entry->ret, __entry->ns)
);

TRACE_EVENT(edudma_dereg_mr,
	TP_PROTO(const struct edudma_dev *edev, u32 handle, u64 pages,
		 int ret, u64 t0),
	TP_ARGS(edev, handle, pages, ret, t0),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, handle)
		__field(u64, pages)
		__field(int, ret)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->handle = handle;
		__entry->pages = pages;
		__entry->ret = ret;
		__entry->ns = edudma_trace_ns(t0);
	),
	TP_printk("dev=edudma%u handle=%u pages=%llu ret=%d ns=%llu",
		  __entry->minor, __entry->handle, __entry->pages,
		  __entry->ret, __entry->ns)
);

TRACE_EVENT(edudma_xfer_submit,
	TP_PROTO(const struct edudma_dev *edev, const struct edudma_req *req),
	TP_ARGS(edev, req),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, id)
		__field(u32, op)
		__field(u32, dev_offset)
		__field(u64, length)
		__field(u64, cookie)
		__field(bool, async)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->id = req->id;
		__entry->op = req->op;
		__entry->dev_offset = req->dev_offset;
		__entry->length = req->length;
		__entry->cookie = req->cookie;
		__entry->async = req->async;
	),
	TP_printk("dev=edudma%u req=%llu op=%s dev_offset=%u length=%llu cookie=0x%llx async=%d",
		  __entry->minor, __entry->id, edudma_show_op(__entry->op),
		  __entry->dev_offset, __entry->length, __entry->cookie,
		  __entry->async)
);

TRACE_EVENT(edudma_xfer_done,
	TP_PROTO(const struct edudma_dev *edev, const struct edudma_req *req),
	TP_ARGS(edev, req),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, id)
		__field(u32, op)
		__field(u64, length)
		__field(u64, done)
		__field(u64, cookie)
		__field(int, status)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->id = req->id;
		__entry->op = req->op;
		__entry->length = req->length;
		__entry->done = req->pos;
		__entry->cookie = req->cookie;
		__entry->status = req->status;
	),
	TP_printk("dev=edudma%u req=%llu op=%s length=%llu done=%llu cookie=0x%llx status=%d",
		  __entry->minor, __entry->id, edudma_show_op(__entry->op),
		  __entry->length, __entry->done, __entry->cookie,
		  __entry->status)
);

TRACE_EVENT(edudma_xfer_cancel,
	TP_PROTO(const struct edudma_dev *edev, const struct edudma_req *req,
		 int status, bool running),
	TP_ARGS(edev, req, status, running),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, id)
		__field(u64, cookie)
		__field(int, status)
		__field(bool, running)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->id = req->id;
		__entry->cookie = req->cookie;
		__entry->status = status;
		__entry->running = running;
	),
	TP_printk("dev=edudma%u req=%llu cookie=0x%llx status=%d running=%d",
		  __entry->minor, __entry->id, __entry->cookie,
		  __entry->status, __entry->running)
);

TRACE_EVENT(edudma_dma_issue,
	TP_PROTO(const struct edudma_dev *edev, const struct edudma_req *req,
		 bool to_dev, dma_addr_t mem, u32 dev_off, u32 len),
	TP_ARGS(edev, req, to_dev, mem, dev_off, len),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, id)
		__field(bool, to_dev)
		__field(u64, dma)
		__field(u32, dev_off)
		__field(u32, len)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->id = req->id;
		__entry->to_dev = to_dev;
		__entry->dma = mem;
		__entry->dev_off = dev_off;
		__entry->len = len;
	),
	TP_printk("dev=edudma%u req=%llu dir=%s dma=0x%llx dev_off=%u len=%u",
		  __entry->minor, __entry->id,
		  __entry->to_dev ? "to_dev" : "from_dev", __entry->dma,
		  __entry->dev_off, __entry->len)
);

TRACE_EVENT(edudma_dma_done,
	TP_PROTO(const struct edudma_dev *edev, const struct edudma_req *req,
		 bool to_dev, u32 len, bool timed_out),
	TP_ARGS(edev, req, to_dev, len, timed_out),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, id)
		__field(bool, to_dev)
		__field(u32, len)
		__field(bool, timed_out)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->id = req->id;
		__entry->to_dev = to_dev;
		__entry->len = len;
		__entry->timed_out = timed_out;
	),
	TP_printk("dev=edudma%u req=%llu dir=%s len=%u timed_out=%d",
		  __entry->minor, __entry->id,
		  __entry->to_dev ? "to_dev" : "from_dev", __entry->len,
		  __entry->timed_out)
);

TRACE_EVENT(edudma_dma_timeout,
	TP_PROTO(const struct edudma_dev *edev, const struct edudma_req *req,
		 u32 len, unsigned int timeout_ms),
	TP_ARGS(edev, req, len, timeout_ms),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, id)
		__field(u32, len)
		__field(unsigned int, timeout_ms)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->id = req->id;
		__entry->len = len;
		__entry->timeout_ms = timeout_ms;
	),
	TP_printk("dev=edudma%u req=%llu len=%u timeout_ms=%u",
		  __entry->minor, __entry->id, __entry->len,
		  __entry->timeout_ms)
);

TRACE_EVENT(edudma_remove_begin,
	TP_PROTO(const struct edudma_dev *edev),
	TP_ARGS(edev),
	TP_STRUCT__entry(
		__field(u32, minor)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
	),
	TP_printk("dev=edudma%u", __entry->minor)
);

TRACE_EVENT(edudma_remove_end,
	TP_PROTO(const struct edudma_dev *edev, u64 t0),
	TP_ARGS(edev, t0),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->ns = edudma_trace_ns(t0);
	),
	TP_printk("dev=edudma%u ns=%llu", __entry->minor, __entry->ns)
);

TRACE_EVENT(edudma_odp_fault,
	TP_PROTO(const struct edudma_mr *mr, u64 off, u64 len, bool write,
		 u64 good, int ret),
	TP_ARGS(mr, off, len, write, good, ret),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, handle)
		__field(u64, off)
		__field(u64, len)
		__field(bool, write)
		__field(u64, good)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->minor = mr->edev->minor;
		__entry->handle = mr->handle;
		__entry->off = off;
		__entry->len = len;
		__entry->write = write;
		__entry->good = good;
		__entry->ret = ret;
	),
	TP_printk("dev=edudma%u handle=%u off=%llu len=%llu write=%d good=%llu ret=%d",
		  __entry->minor, __entry->handle, __entry->off, __entry->len,
		  __entry->write, __entry->good, __entry->ret)
);

DECLARE_EVENT_CLASS(edudma_invalidate,
	TP_PROTO(const struct edudma_dev *edev, u32 handle,
		 const struct mmu_notifier_range *range),
	TP_ARGS(edev, handle, range),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, handle)
		__field(unsigned long, start)
		__field(unsigned long, end)
		__field(unsigned int, event)
		__field(bool, blockable)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->handle = handle;
		__entry->start = range->start;
		__entry->end = range->end;
		__entry->event = range->event;
		__entry->blockable = mmu_notifier_range_blockable(range);
	),
	TP_printk("dev=edudma%u handle=%u start=0x%lx end=0x%lx event=%s blockable=%d",
		  __entry->minor, __entry->handle, __entry->start,
		  __entry->end, edudma_show_mmu_event(__entry->event),
		  __entry->blockable)
);

DEFINE_EVENT(edudma_invalidate, edudma_odp_invalidate,
	TP_PROTO(const struct edudma_dev *edev, u32 handle,
		 const struct mmu_notifier_range *range),
	TP_ARGS(edev, handle, range)
);

DEFINE_EVENT(edudma_invalidate, edudma_watch_invalidate,
	TP_PROTO(const struct edudma_dev *edev, u32 handle,
		 const struct mmu_notifier_range *range),
	TP_ARGS(edev, handle, range)
);

TRACE_EVENT(edudma_stale,
	TP_PROTO(const struct edudma_dev *edev, u32 handle, u64 addr,
		 u64 length),
	TP_ARGS(edev, handle, addr, length),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, handle)
		__field(u64, addr)
		__field(u64, length)
	),
	TP_fast_assign(
		__entry->minor = edev->minor;
		__entry->handle = handle;
		__entry->addr = addr;
		__entry->length = length;
	),
	TP_printk("dev=edudma%u handle=%u addr=0x%llx length=%llu",
		  __entry->minor, __entry->handle, __entry->addr,
		  __entry->length)
);

#endif /* EDUDMA_TRACE_H */

/* define_trace.h finds this file by the path given: the driver's folder. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE edudma_trace
#include <trace/define_trace.h>
