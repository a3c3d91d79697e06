#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-tap.sh: the counting of tests/run, on fixture TAP streams fed to
# `tests/run --count-stdin` (no guest is booted).  Each case checks the
# summary line, that it is the one summary line and the last line, and the
# exit status.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runner=$top/tests/run
out=$(mktemp "${TMPDIR:-/tmp}/t-tap.XXXXXX")
trap 'rm -f "$out"' EXIT

# shellcheck source=tests/host/tap.sh
. "$(dirname "$0")/tap.sh"

# count NAME SUMMARY RC [STATUS]: feeds stdin to the runner as a suite that
# exited with STATUS; checks the last line is SUMMARY and the exit is RC.
count() {
	local name=$1 want=$2 want_rc=$3 status=${4:-0} rc last lines
	"$runner" --count-stdin --status "$status" fx > "$out" 2>&1
	rc=$?
	last=$(tail -n 1 "$out")
	lines=$(grep -cE '^[0-9]+ passed, [0-9]+ failed' "$out")
	if [ "$last" = "$want" ] && [ "$lines" = 1 ] && [ "$rc" = "$want_rc" ]; then
		ok 0 "$name: '$want', exit $want_rc"
	else
		ok 1 "$name: '$want', exit $want_rc"
		echo "#   got '$last' ($lines summary lines), exit $rc; output:"
		sed 's/^/#   | /' "$out"
	fi
}

# has NAME REGEX: the last runner output has a line matching REGEX
has() {
	grep -qE -- "$2" "$out"
	ok $? "$1"
}

echo "TAP version 13"
echo "1..28"

count "all pass" "3 passed, 0 failed" 0 <<'EOF'
TAP version 13
1..3
ok 1 first
ok 2 second
ok 3 third
EOF
has "results are renamed 'SUITE: name' and keep their order" '^ok 2 fx: second$'

count "one failure" "2 passed, 1 failed" 1 1 <<'EOF'
TAP version 13
1..3
ok 1 first
not ok 2 second
# a diagnostic of the failure
ok 3 third
EOF
has "the failed test is named after the results" '^  fx: second$'
has "diagnostics pass through" '^# a diagnostic of the failure$'

count "a skip" "2 passed, 0 failed, 1 skipped" 0 <<'EOF'
TAP version 13
1..3
ok 1 first
ok 2 second # SKIP no IOMMU in this guest
ok 3 third
EOF
has "the skip keeps its reason" '^ok 2 fx: second # SKIP no IOMMU in this guest$'

count "truncated plan" "2 passed, 1 failed" 1 <<'EOF'
TAP version 13
1..5
ok 1 first
ok 2 second
EOF
has "the truncation is a named failure" '^not ok 3 fx: planned 5 tests, ran 2'

count "plan at the end" "2 passed, 0 failed" 0 <<'EOF'
ok 1 first
ok 2 second
1..2
EOF

count "no plan at all" "1 passed, 1 failed" 1 <<'EOF'
ok 1 first
EOF

count "empty stream (the command died at once)" "0 passed, 1 failed" 1 139 < /dev/null

count "complete stream but the command crashed" "2 passed, 1 failed" 1 139 <<'EOF'
1..2
ok 1 first
ok 2 second
EOF

count "a failed test explains a non-zero exit" "0 passed, 1 failed" 1 1 <<'EOF'
1..1
not ok 1 first
EOF

count "whole suite skipped: no test ran" "0 passed, 0 failed, 1 skipped" 1 4 <<'EOF'
TAP version 13
1..0 # SKIP no edu device
EOF

count "Bail out!" "1 passed, 1 failed" 1 <<'EOF'
1..3
ok 1 first
Bail out! the device vanished
EOF

count "results out of order" "2 passed, 1 failed" 1 <<'EOF'
1..2
ok 2 second
ok 1 first
EOF

# The four per-boot results, on fixture reports of qemu/run.
rep=$out.report klog=$out.klog
trap 'rm -f "$out" "$rep" "$klog"' EXIT
printf '[    1.0] edudma 0000:00:02.0: probed\n' > "$klog"

# checks NAME SUMMARY RC KEY=VALUE...: a report with these lines
checks() {
	local name=$1 want=$2 want_rc=$3 rc last
	shift 3
	printf '%s\n' "$@" > "$rep"
	"$runner" --check-report fx "$rep" "$klog" > "$out" 2>&1
	rc=$?
	last=$(tail -n 1 "$out")
	if [ "$last" = "$want" ] && [ "$rc" = "$want_rc" ]; then
		ok 0 "per-boot checks, $name: '$want', exit $want_rc"
	else
		ok 1 "per-boot checks, $name: '$want', exit $want_rc"
		echo "#   got '$last', exit $rc; output:"
		sed 's/^/#   | /' "$out"
	fi
}
good=(result=ok status=0 rmmod=0 "pins=12 12" accel=tcg seconds=6.0 klog_bad=)

checks "a clean boot" "4 passed, 0 failed" 0 "${good[@]}"
has "the pin counts are in the result's name" '^ok 2 fx: pin counters balanced \(acquired 12, released 12\)$'

checks "unbalanced pins" "3 passed, 1 failed" 1 "${good[@]}" "pins=12 9"
has "the unbalanced counts are in the failed test's name" '^  fx: pin counters balanced \(acquired 12, released 9\)$'

checks "rmmod failed" "3 passed, 1 failed" 1 "${good[@]}" "rmmod=1"

echo '[    2.0] WARNING: CPU: 0 PID: 1 at driver/edudma_main.c:1 f+0x1/0x2' >> "$klog"
checks "a WARNING in the kernel log" "3 passed, 1 failed" 1 "${good[@]}" \
	"klog_bad=[    2.0] WARNING: CPU: 0 PID: 1 at driver/edudma_main.c:1 f+0x1/0x2"
has "the kernel log is shown as TAP diagnostics" '^#   \[    2\.0\] WARNING: CPU: 0'

checks "a guest that timed out" "1 passed, 3 failed" 1 "result=timeout after 600s" \
	status= rmmod= pins= accel=tcg seconds=600.0 klog_bad=

rm -f "$rep"
"$runner" --check-report fx "$rep" "$klog" > "$out" 2>&1
rc=$?
[ "$rc" = 1 ] && [ "$(tail -n 1 "$out")" = "0 passed, 4 failed" ]
ok $? "per-boot checks, no report at all: '0 passed, 4 failed', exit 1 (exit $rc)"

"$top/tests/run" --only no-such-suite > "$out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q "no suite 'no-such-suite'" "$out"
ok $? "--only with an unknown suite exits 2 and names it (exit $rc)"

"$top/tests/run" --list > "$out" 2>&1
rc=$?
[ "$rc" = 0 ] && grep -q '^host ' "$out" && grep -q '^guest-default .*qemu/run' "$out"
ok $? "--list names the suites and what they run (exit $rc)"

[ "$failures" = 0 ]
