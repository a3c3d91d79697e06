# SPDX-License-Identifier: GPL-2.0
"""bench/ftrace_report.py: bench/report's tables of bench/run --ftrace.

Where the time of the floor, REG_MR and DEREG_MR goes, from the
"ftrace" rows bench/ftrace.sh summed in the guest (function_graph: the
seconds and calls of each call path over the traced operations) and the
"ftrace-calls" rows edudma-bench ftrace timed (the same calls untraced
and traced, medians).  Per boot (IOMMU on, off), backing and operation:
each traced function's time per operation at every size, its time per
4 KiB page (the slope between the two largest sizes) and its fixed part
(the smallest size's time less one page's), indented under its caller,
with "(rest)" for what a caller spent outside the traced calls below it.
"""

PAGE = 4096


def _tree_order(paths):
    """Paths ("a/b/c") with every child right after its parent, in the
    order each was first seen."""
    kids = {}
    for q in paths:
        parent = q.rsplit("/", 1)[0] if "/" in q else ""
        kids.setdefault(parent, [])
        if q not in kids[parent]:
            kids[parent].append(q)
    out = []

    def walk(node):
        for c in kids.get(node, []):
            out.append(c)
            walk(c)
    walk("")
    return out


def ftrace_report(rows, p, ht, hsize):
    fr = [r for r in rows if r.get("system") == "ftrace"]
    calls = {(r["boot"], r["operation"], r["backing"], r["bytes"]): r
             for r in rows if r.get("system") == "ftrace-calls"
             and r.get("seconds") is not None}
    if not fr:
        return
    p()
    p("Where the time goes (bench/run --ftrace): function_graph over the")
    p("floor, REG_MR and DEREG_MR, the driver's functions and the kernel's")
    p("calls made once per call or per batch of pages; microseconds per")
    p("operation, per 4 KiB page (slope between the two largest sizes) and")
    p("fixed (smallest size less one page).  untraced/traced: the whole")
    p("ioctl as the program timed it, without and with the tracer (the")
    p("tracer's own cost is in every traced number; compare within a column).")
    data = {}    # (boot, backing, op) -> {path: {bytes: (s/op, calls/op)}}
    seen = {}    # same key -> paths in first-seen order
    for r in sorted(fr, key=lambda r: (r["bytes"], r["order"])):
        k = (r["boot"], r["backing"], r["operation"])
        data.setdefault(k, {}).setdefault(r["path"], {})[r["bytes"]] = (
            r["seconds"] / r["ops"], r["calls"] / r["ops"])
        seen.setdefault(k, [])
        if r["path"] not in seen[k]:
            seen[k].append(r["path"])
    for k in sorted(data, key=lambda k: (k[0], ("4k", "thp", "hugetlb").index(k[1])
                                          if k[1] in ("4k", "thp", "hugetlb") else 9,
                                          ("floor", "reg", "dereg").index(k[2])
                                          if k[2] in ("floor", "reg", "dereg") else 9)):
        boot, backing, op = k
        sizes = sorted({b for v in data[k].values() for b in v})
        p()
        p("boot %s, backing %s, %s" % (boot, backing, op))
        hdr = "%-52s" % "us per operation" + "".join("%11s" % hsize(b) for b in sizes)
        p(hdr + "%11s %10s" % ("per page", "fixed"))

        def line(name, per):
            vals = [per.get(b) for b in sizes]
            s = "%-52s" % name[:52] + "".join(
                "%11s" % (us(v) if v is not None else "-") for v in vals)
            if len(sizes) >= 2 and None not in vals[-2:]:
                dp = (sizes[-1] - sizes[-2]) / PAGE
                pp = (vals[-1] - vals[-2]) / dp
                fx = vals[0] - pp * max(1, sizes[0] // PAGE) \
                    if vals[0] is not None else None
                s += "%11s %10s" % (us(pp, 3), us(fx) if fx is not None else "-")
            p(s)

        for name in ("seconds", "traced_seconds"):
            per = {b: calls[(boot, op, backing, b)][name] for b in sizes
                   if (boot, op, backing, b) in calls}
            if per:
                line("(%s, median)" % ("untraced" if name == "seconds"
                                       else "traced"), per)
        paths = _tree_order(seen[k])

        def node(q):
            depth = q.count("/")
            per = {b: v[0] for b, v in data[k][q].items()}
            ncall = max(v[1] for v in data[k][q].values())
            name = "  " * depth + q.rsplit("/", 1)[-1]
            if ncall > 1.05:
                name += " x%.0f" % ncall if ncall >= 10 else " x%.1f" % ncall
            line(name, per)
            kids = [c for c in paths if "/" in c and c.rsplit("/", 1)[0] == q]
            for c in kids:
                node(c)
            if kids:
                line("  " * (depth + 1) + "(rest)",
                     {b: per[b] - sum(data[k][c].get(b, (0, 0))[0]
                                      for c in kids) for b in per})

        for q in paths:
            if "/" not in q:
                node(q)

def us(s, prec=2):
    return "%.*f" % (prec, s * 1e6)
