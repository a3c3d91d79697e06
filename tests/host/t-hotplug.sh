#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-hotplug.sh: surprise removal of an edu device under load, and a new one
# plugged in afterwards.  One guest boot with two devices and a QMP socket;
# the guest program is tests/guest/hotplug_guest.c.
#
#   guest: busy on edudma1 (an 8 MiB sync COPY running, 8 async COPYs queued
#          on a second file), copying and verifying on edudma0 all along;
#          prints READY
#   host:  device_del edu1, waits for QEMU's DEVICE_DELETED
#   guest: checks ENODEV on the waiting call and on new calls, the
#          completions of the queued transfers, /dev/edudma1 gone; closes
#          the files; prints UNPLUGGED
#   host:  device_add edu1 (widened DMA mask, as qemu/run plugs them)
#   guest: a new /dev/edudmaN appears and moves data right; edudma0 never
#          saw a wrong byte; the pin counter is back at its start
#
# Prints TAP: the guest's cases, then the host's (QMP replies, the guest's
# plan, its exit status, and qemu/run's report: guest ran to the end, pin
# counters balanced, rmmod edudma, kernel log clean).  Skips without
# python3 (tests/host/qmp is the QMP client); exits 1 when a case failed.
# Needs a built lab (make); extra arguments go to qemu/run.  Files stay in
# build/check/t-hotplug/.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
run=$top/qemu/run
qmp=$top/tests/host/qmp
work=${EDUDMA_CHECK_DIR:-$top/build/check}/t-hotplug

if ! command -v python3 > /dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed (the QMP client tests/host/qmp needs it)"
	exit 0
fi

rm -rf "$work"
mkdir -p "$work" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t-hotplug.XXXXXX") || exit 1
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
# Real time (--no-icount): under icount the guest's clock races ahead while
# it waits, and under host load the busy COPY could finish before QEMU even
# got the device_del (seen once: 822 s of guest time).  In real time the
# 8 MiB COPY needs 410 s and the removal comes within seconds.
"$run" --no-build --no-icount --devices 2 --qmp "$sock" --timeout 400 \
	--report "$work/report" --klog "$work/klog" "$@" \
	-- sh -c 'EDUDMA_HOTPLUG=1 exec hotplug_guest' \
	> "$tmp/out" 2> "$work/stderr" < /dev/null &
lab=$!
exec 3< "$tmp/out"

del_rc='' add_rc=''
while IFS= read -r -t 600 line <&3; do
	line=${line%$'\r'}
	printf '%s\n' "$line" >> "$work/out"
	case $line in
	READY)
		echo "# guest is busy on edudma1: device_del edu1"
		"$qmp" --timeout 90 --event DEVICE_DELETED "$sock" device_del id=edu1 \
			> "$work/device_del.qmp" 2>&1
		del_rc=$?
		[ "$del_rc" = 0 ] && ! grep -q '"device": "edu1"' "$work/device_del.qmp" && del_rc=1
		sed 's/^/#   qmp: /' "$work/device_del.qmp" ;;
	UNPLUGGED)
		echo "# guest checked the removal: device_add edu1"
		"$qmp" --timeout 30 "$sock" device_add driver=edu id=edu1 \
			dma_mask=18446744073709551615 > "$work/device_add.qmp" 2>&1
		add_rc=$?
		sed 's/^/#   qmp: /' "$work/device_add.qmp" ;;
	*) relay_tap guest "$line" ;;
	esac
done
exec 3<&-
wait "$lab"
rc=$?
lab=''

if [ -n "$del_rc" ]; then
	ok "$del_rc" "host: device_del edu1 accepted and QEMU reported DEVICE_DELETED"
else
	ok 1 "host: device_del edu1 (not sent: the guest never printed READY)"
fi
if [ -n "$add_rc" ]; then
	ok "$add_rc" "host: device_add edu1 accepted"
else
	ok 1 "host: device_add edu1 (not sent: the guest never printed UNPLUGGED)"
fi
relay_complete host
ok "$rc" "host: hotplug_guest exit status 0 (was $rc)"

boot_checks host "$work/report" "$work/klog"
crc=$?
if [ "$crc" != 0 ] || [ "$rc" != 0 ]; then
	echo "# kernel log ($work/klog), last 40 lines:"
	tail -n 40 "$work/klog" 2> /dev/null | sed 's/^/#   /'
	[ -s "$work/stderr" ] && sed 's/^/#   qemu\/run: /' "$work/stderr"
fi
echo "1..$n"
[ "$failures" = 0 ]
