#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-faults-hotplug.sh: hot-unplug and re-plug one of two devices, CYCLES
# times (default 10; EDUDMA_REPLUG_CYCLES), while edudma-stress runs with
# verification on the other.  One guest boot with two devices and a QMP
# socket, without icount (the guest waits for the host in real time); the
# guest program is tests/guest/replug_guest.c.
#
#   guest: checks the second device copies right, makes it busy, "READY i"
#   host:  device_del edu1, waits for QEMU's DEVICE_DELETED
#   guest: checks the removal (ENODEV, completions, node gone), "GONE i"
#   host:  device_add edu1 (widened DMA mask, as qemu/run plugs them)
#   ... CYCLES times; then edudma-stress on edudma0 must have seen no error
#   and no mismatch, and the pin counter must be back at its start.
#
# Prints TAP: the guest's cases, then the host's (every cycle deleted and
# re-added, the guest's plan and exit status, and the runner's four
# per-boot checks: ran to the end, pins balanced, rmmod, kernel log clean).
# Skips without python3 (tests/host/qmp).  Exits 1 when a case failed.
# Needs a built lab (make); extra arguments go to qemu/run.  Files stay in
# build/check/t-faults-hotplug/.  About 60 s of wall time.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/qemu/run
qmp=$top/tests/host/qmp
work=${EDUDMA_CHECK_DIR:-$top/build/check}/t-faults-hotplug
cycles=${EDUDMA_REPLUG_CYCLES:-10}

echo "TAP version 13"
if ! command -v python3 > /dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed (the QMP client tests/host/qmp needs it)"
	exit 0
fi

rm -rf "$work"
mkdir -p "$work" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t-faults-hotplug.XXXXXX") || exit 1
lab=''
cleanup() {
	[ -n "$lab" ] && kill "$lab" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=tests/host/tap.sh
. "$(dirname "$0")/tap.sh"

sock=$tmp/qmp.sock
mkfifo "$tmp/out" || exit 1
start=$SECONDS
"$run" --no-build --devices 2 --qmp "$sock" --no-icount --timeout 240 \
	--report "$work/report" --klog "$work/klog" "$@" \
	-- sh -c "EDUDMA_REPLUG=1 EDUDMA_REPLUG_CYCLES=$cycles exec replug_guest" \
	> "$tmp/out" 2> "$work/stderr" < /dev/null &
lab=$!
exec 3< "$tmp/out"

dels=0 adds=0 first_err=''
while IFS= read -r -t 300 line <&3; do
	line=${line%$'\r'}
	printf '%s\n' "$line" >> "$work/out"
	case $line in
	"READY "*)
		i=${line#READY }
		"$qmp" --timeout 60 --event DEVICE_DELETED "$sock" device_del id=edu1 \
			> "$work/device_del.$i.qmp" 2>&1
		if [ $? = 0 ] && grep -q '"device": "edu1"' "$work/device_del.$i.qmp"; then
			dels=$((dels + 1))
		else
			first_err=${first_err:-"cycle $i: device_del: $(tail -n 1 "$work/device_del.$i.qmp")"}
		fi ;;
	"GONE "*)
		i=${line#GONE }
		if "$qmp" --timeout 30 "$sock" device_add driver=edu id=edu1 \
			dma_mask=18446744073709551615 > "$work/device_add.$i.qmp" 2>&1; then
			adds=$((adds + 1))
		else
			first_err=${first_err:-"cycle $i: device_add: $(tail -n 1 "$work/device_add.$i.qmp")"}
		fi
		echo "# cycle $i: unplugged and plugged back ($((SECONDS - start)) s)" ;;
	*) relay_tap guest "$line" ;;
	esac
done
exec 3<&-
wait "$lab"
rc=$?
lab=''
echo "# the boot took $((SECONDS - start)) s of wall time"

[ "$dels" = "$cycles" ]
ok $? "host: device_del edu1 and DEVICE_DELETED in every cycle ($dels of $cycles)${first_err:+: $first_err}"
[ "$adds" = "$cycles" ]
ok $? "host: device_add edu1 in every cycle ($adds of $cycles)"
relay_complete host
ok "$rc" "host: replug_guest exit status 0 (was $rc)"
boot_checks host "$work/report" "$work/klog"
crc=$?
if [ "$crc" != 0 ] || [ "$rc" != 0 ]; then
	echo "# kernel log ($work/klog), last 40 lines:"
	tail -n 40 "$work/klog" 2> /dev/null | sed 's/^/#   /'
	[ -s "$work/stderr" ] && sed 's/^/#   qemu\/run: /' "$work/stderr"
fi
echo "1..$n"
[ "$failures" = 0 ]
