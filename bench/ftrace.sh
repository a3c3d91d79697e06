#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/ftrace.sh TAG: runs inside a bench guest (bench/guest.sh ftrace,
# from bench/run --ftrace), in /add.  Where the microseconds of a
# registration, a deregistration and the floor go: function_graph traces
# the ioctl and, below it, the driver's functions and the kernel's calls
# that a registration makes once per call or once per batch of pages (never
# one called per page: the tracer's own cost would swamp it), while
# edudma-bench ftrace runs the floor, REG_MR and DEREG_MR and marks each
# call in the trace ("@op OP BACKING BYTES").  The trace is summed here, in
# the guest: one "@json" line per operation and call path, system
# "ftrace", with the total seconds and calls over the traced operations.
# TAG (iommu or noiommu) names the boot.
tag=${1:-iommu}
T=/sys/kernel/tracing
note() { echo "== $*"; }
[ -e $T/current_tracer ] || mount -t tracefs tracefs $T || exit 1

# The kernel's side, 6.1 and later names; a name the kernel does not have
# (renamed, inlined, or another version's) is reported and left out.  lib/
# is built without ftrace's hooks (lib/Makefile removes CC_FLAGS_FTRACE),
# so the scatterlist's, the xarray's and copy_{from,to}_user's time is in
# their callers' "(rest)"; the driver's own functions around them show it.
KFUNCS="__x64_sys_ioctl
pin_user_pages_fast internal_get_user_pages_fast lockless_pages_from_mm
__gup_longterm_locked __get_user_pages check_and_migrate_movable_pages
collect_longterm_unpinnable_pages migrate_longterm_unpinnable_pages
unpin_user_pages unpin_user_pages_dirty_lock unpin_user_page_range_dirty_lock
dma_map_sgtable __dma_map_sg_attrs dma_unmap_sg_attrs
dma_direct_map_sg dma_direct_unmap_sg
iommu_dma_map_sg iommu_dma_unmap_sg iommu_map_sg iommu_map_sg_atomic
__iommu_dma_unmap iommu_dma_alloc_iova alloc_iova_fast free_iova_fast
queue_iova iommu_unmap_fast iommu_unmap
kvmalloc_node __kvmalloc_node kvfree __kmalloc __kmalloc_node kmalloc_trace
kfree __vmalloc_node_range vfree
mmu_interval_notifier_insert mmu_interval_notifier_remove"

echo 0 > $T/tracing_on
echo nop > $T/current_tracer
echo > $T/trace
echo > $T/set_ftrace_filter
missing=
for f in $KFUNCS; do
	echo "$f" >> $T/set_ftrace_filter 2>/dev/null || missing="$missing $f"
done
# Every function of the driver (module edudma).
echo ':mod:edudma' >> $T/set_ftrace_filter || { echo "ftrace: no :mod:edudma filter"; exit 1; }
note "ftrace: $(wc -l < $T/set_ftrace_filter) functions traced; not in this kernel:${missing:- none}"
echo 16384 > $T/buffer_size_kb
echo function_graph > $T/current_tracer || exit 1
echo nofuncgraph-irqs > $T/trace_options	# an interrupt is not the call's
echo funcgraph-tail > $T/trace_options
echo nofuncgraph-proc > $T/trace_options
echo noprint-parent > $T/trace_options 2>/dev/null
# The options stay with the tracer; edudma-bench switches it in itself
# after its untraced rounds, which run with no tracer at all.
echo nop > $T/current_tracer
# Only the benchmark's own calls (set_ftrace_pid), then it runs them.
sh -c "echo \$\$ > $T/set_ftrace_pid; exec ./edudma-bench ftrace --tag $tag"
rc=$?
echo 0 > $T/tracing_on
note "ftrace: edudma-bench ftrace exit $rc; $(grep -c '' $T/trace) trace lines, $(cat $T/per_cpu/cpu*/stats | awk '/^overrun/ {s += $2} END {print s + 0}') overruns"

# function_graph's lines: " CPU) [+!#*@$] DURATION us | <indent>name() {",
# "... |   name();" (a leaf) and "DURATION us | <indent>} /* name */".  The
# indent is two spaces per level below the first.  Each call adds its time
# to the path of names from the top; a marker starts an operation.
awk -v tag="$tag" '
/\/\* @op / {
	sub(/.*\/\* @op /, ""); sub(/ *\*\/.*/, "")
	op = $0; nops[op]++; depth = 0
	if (!(op in seen)) { seen[op] = 1; order[++nop] = op }
	next
}
op == "" || index($0, "|") == 0 { next }
{
	i = index($0, "|"); left = substr($0, 1, i - 1); text = substr($0, i + 1)
	if (text ~ /^ *\/\*/) next		# other comments
	match(text, /^ */); d = (RLENGTH - 2) / 2
	sub(/^ */, "", text)
	us = -1
	if (match(left, /[0-9.]+ us/))
		us = substr(left, RSTART, RLENGTH - 3) + 0
	if (text ~ /\) \{$/) {			# entry
		name = text; sub(/\(\).*/, "", name); stack[d] = name
		next
	}
	if (text ~ /^\}/) {			# exit
		name = stack[d]
	} else if (text ~ /\(\);$/) {		# leaf
		name = text; sub(/\(\).*/, "", name); stack[d] = name
	} else
		next
	if (us < 0 || d < 0) next
	path = ""
	for (j = 0; j < d; j++) path = path stack[j] "/"
	path = path name
	key = op SUBSEP path
	if (!(key in sum)) { keys[op] = keys[op] "\t" path }
	sum[key] += us; calls[key]++
}
END {
	for (n = 1; n <= nop; n++) {
		op = order[n]; split(op, w, " ")
		m = split(substr(keys[op], 2), ps, "\t")
		for (j = 1; j <= m; j++) {
			key = op SUBSEP ps[j]
			printf "@json {\"system\":\"ftrace\",\"boot\":\"%s\",\"operation\":\"%s\",\"backing\":\"%s\",\"bytes\":%d,\"ops\":%d,\"path\":\"%s\",\"order\":%d,\"calls\":%d,\"seconds\":%.9f}\n", tag, w[1], w[2], w[3], nops[op], ps[j], j, calls[key], sum[key] / 1e6
		}
	}
}' $T/trace
echo nop > $T/current_tracer
echo > $T/set_ftrace_filter
echo > $T/set_ftrace_pid
exit $rc
