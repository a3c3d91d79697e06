#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-stockmask.sh: the edu device with its stock 28-bit DMA mask and the
# driver with its default dma_bits=28 (qemu/run --stock-mask) in a 2 GiB
# guest, where most memory lies above what the device can address.  Two
# boots of tests/guest/stockmask.c:
#
#   no IOMMU   memory with a page above 256 MiB is refused with ERANGE,
#              exactly that memory, and what registers moves data right
#   --iommu    everything registers and moves data right
#
# Prints TAP: each boot's guest cases, then for each boot its exit status
# and qemu/run's report (guest ran to the end, pin counters balanced, rmmod
# edudma, kernel log clean); exits 1 when a case failed.  Needs a built
# lab (make); extra arguments go to qemu/run.  Files stay in
# build/check/t-stockmask/.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/qemu/run
work=${EDUDMA_CHECK_DIR:-$top/build/check}/t-stockmask
rm -rf "$work"
mkdir -p "$work" || exit 1

# shellcheck source=tests/host/tap.sh
. "$(dirname "$0")/tap.sh"

# boot LABEL NAME QEMU/RUN-OPTIONS...
boot() {
	local label=$1 name=$2 rc crc line
	shift 2
	echo "# $label: qemu/run --stock-mask --mem 2048 $*"
	"$run" --no-build --stock-mask --mem 2048 --devices 1 --timeout 1200 \
		--report "$work/$name.report" --klog "$work/$name.klog" "$@" \
		-- sh -c 'EDUDMA_STOCKMASK=1 exec stockmask' \
		> "$work/$name.out" 2> "$work/$name.err" < /dev/null
	rc=$?
	relay_reset
	while IFS= read -r line; do
		relay_tap "$label" "$line"
	done < "$work/$name.out"

	relay_complete "$label"
	ok "$rc" "$label: stockmask exit status 0 (was $rc)"
	boot_checks "$label" "$work/$name.report" "$work/$name.klog"
	crc=$?
	if [ "$crc" != 0 ] || [ "$rc" != 0 ]; then
		echo "# $label: kernel log ($work/$name.klog), last 30 lines:"
		tail -n 30 "$work/$name.klog" 2> /dev/null | sed 's/^/#   /'
		[ -s "$work/$name.err" ] && sed 's/^/#   qemu\/run: /' "$work/$name.err"
	fi
}

boot "no IOMMU" plain "$@"
boot "IOMMU" iommu --iommu "$@"
echo "1..$n"
[ "$failures" = 0 ]
