#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# debug_kernel.sh: on the debug cell (make check-debug), that the kernel
# this guest booted has the debugging machinery the lab promises: every
# option of qemu/debug.config's "(checked)" section in /proc/config.gz, and
# each tool switched on at run time (KASAN and KFENCE initialised, kmemleak
# and DMA-API debug enabled, lockdep on, the fault-injection controls
# there).  Other cells skip it, saying so.
conf=/usr/share/edudma/debug.config
if [ "${LAB_DEBUG:-0}" != 1 ]; then
	echo "1..0 # SKIP not the debug kernel (make check-debug runs this)"
	exit 4
fi
n=0
failed=0
check() {	# STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

opts=$(sed -n '/^# ---- the debugging machinery (checked)/,/^# ----/p' $conf |
	grep '^CONFIG_')
echo "TAP version 13"
echo "1..$(($(echo "$opts" | wc -l) + 9))"
zcat /proc/config.gz > /tmp/config 2>/dev/null
for o in $opts; do
	grep -qx "$o" /tmp/config
	check $? "$o in /proc/config.gz"
done
# generic KASAN has no switch: built in, it checks every access from boot
grep -qw kasan_report /proc/kallsyms
check $? "KASAN's report path in the kernel (/proc/kallsyms: kasan_report)"
grep -q 'enabled: 1' /sys/kernel/debug/kfence/stats 2>/dev/null
check $? "KFENCE enabled (/sys/kernel/debug/kfence/stats)"
[ -w /sys/kernel/debug/kmemleak ]
check $? "kmemleak on (/sys/kernel/debug/kmemleak)"
[ "$(cat /sys/kernel/debug/dma-api/disabled 2>/dev/null)" = N ]
check $? "DMA-API debug enabled (/sys/kernel/debug/dma-api/disabled is N)"
grep -q 'debug_locks: *1' /proc/lockdep_stats 2>/dev/null
check $? "lockdep on (/proc/lockdep_stats: debug_locks 1)"
[ -d /sys/kernel/debug/failslab ]
check $? "failslab (/sys/kernel/debug/failslab)"
[ -d /sys/kernel/debug/fail_page_alloc ]
check $? "fail_page_alloc (/sys/kernel/debug/fail_page_alloc)"
[ -w /sys/kernel/debug/fail_function/inject ]
check $? "fail_function (/sys/kernel/debug/fail_function/inject)"
[ -w /proc/self/fail-nth ]
check $? "per-task fail-nth (/proc/self/fail-nth)"
exit $failed
