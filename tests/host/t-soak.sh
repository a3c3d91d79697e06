#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-soak.sh: the arithmetic of tests/soak, on fixtures (no guest is booted).
# `tests/soak --summarize` adds up synthetic "SOAK round=..." lines whose
# counts pass 2^31 and 2^32 (and 2^53): the totals must be the exact sums,
# with the format and the exit status (0 clean, 1 when a round was bad or
# there was none) of a run.  `tests/soak --parse` reads fixture outputs of
# edudma-stress, faults and /proc/vmstat as a round in the guest does, with
# the host's awk and with busybox awk (the guest's): counts above 2^31 must
# come out digit for digit.  EDUDMA_SOAK_SCRIPT=FILE tests another copy of
# tests/soak (default: the one of this tree).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
soak=${EDUDMA_SOAK_SCRIPT:-$top/tests/soak}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t-soak.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
in=$tmp/in out=$tmp/out

# (not followed without shellcheck -x: then n and failures look unassigned)
# shellcheck source=tests/host/tap.sh disable=SC1091
. "$(dirname "$0")/tap.sh"

# show_out: the last output as TAP diagnostics
show_out() {
	sed 's/^/#   | /' "$out"
}

# summ NAME RC [MODE]: stdin (round lines) through --summarize; checks exit
# RC.  (Not at the end of a pipe: ok must count in this shell.)
summ() {
	local name=$1 want_rc=$2 rc
	cat > "$in"
	"$soak" --summarize "$in" ${3:+"$3"} > "$out" 2>&1
	rc=$?
	if [ "$rc" = "$want_rc" ]; then
		ok 0 "$name: exit $want_rc"
	else
		ok 1 "$name: exit $want_rc"
		echo "#   got exit $rc; output:"
		show_out
	fi
}

# has NAME LINE: the last output has LINE, exactly
has() {
	if grep -qxF -- "$2" "$out"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		echo "#   no line '$2' in:"
		show_out
	fi
}

# round KEY=VALUE...: a round line as a run collects them, with defaults
round() {
	local -A v=([round]=1 [wall]=30 [stress_rc]=0 [stress_ops]=40000
		[stress_xfers]=75000 [stress_moved]=172000000
		[stress_verified]=171000000 [stress_errors]=0
		[stress_mismatches]=0 [faults_rc]=0 [faults_pass]=30 [faults_fail]=0
		[kills]=100 [faults_bytes]=1048576 [fuzz_rc]=0 [fuzz_calls]=6000
		[fuzz_pass]=14 [fuzz_fail]=0 [pins]=0 [klog_bad]=0)
	local kv k line='boot=soak'
	for kv in "$@"; do
		v[${kv%%=*}]=${kv#*=}
	done
	for k in round wall stress_rc stress_ops stress_xfers stress_moved \
		stress_verified stress_errors stress_mismatches faults_rc \
		faults_pass faults_fail kills faults_bytes fuzz_rc fuzz_calls \
		fuzz_pass fuzz_fail pins klog_bad; do
		line+=" $k=${v[$k]}"
	done
	echo "$line"
}

# rounds N KEY=VALUE...: N clean rounds (numbered from 1), the last one
# with KEY=VALUE...
rounds() {
	local i count=$1
	shift
	for ((i = 1; i < count; i++)); do
		round round=$i
	done
	round round="$count" "$@"
}

echo "TAP version 13"
echo "1..34"

# ---- --summarize: exact totals ------------------------------------------------
# 27 rounds of 172,000,000 bytes, then one of 5,000,000,000 (a soak of an
# hour moves about 27 x 150 MB: past 2^32 in all).
big=(stress_ops=3000000000 stress_xfers=4294967296 stress_moved=5000000000
	stress_verified=4999999999 faults_bytes=3000000000 fuzz_calls=2147483648)
summ "28 rounds, 27 of 172000000 bytes and one of 5000000000" 0 < <(
	for ((i = 1; i <= 27; i++)); do
		round round=$i
	done
	round round=28 "${big[@]}"
)
cat > "$tmp/want" << EOF

== totals (soak)
  rounds            28
  stress ops        $((27 * 40000 + 3000000000)) ($((27 * 75000 + 4294967296)) transfers), 0 stopped with an error
  bytes             $((27 * 172000000 + 5000000000)) moved by stress, $((27 * (171000000 + 1048576) + 4999999999 + 3000000000)) verified (stress and faults)
  errors            0
  mismatches        0
  kills             2800 (kill -9 of a child in the middle of its transfers)
  fault cases       840 passed, 0 failed (0 runs not clean)
  fuzz              $((27 * 6000 + 2147483648)) calls; 392 cases passed, 0 failed (28 runs, 0 not clean)
  pin checks        28 rounds, 0 unbalanced
  kernel log        0 bad lines during the rounds
EOF
has "bytes: the exact sums past 2^32 (9644000000 moved, 12645311551 verified)" \
	"  bytes             9644000000 moved by stress, 12645311551 verified (stress and faults)"
has "stress ops and transfers: the exact sums past 2^32" \
	"  stress ops        3001080000 (4296992296 transfers), 0 stopped with an error"
has "fuzz calls: the exact sum past 2^31" \
	"  fuzz              2147645648 calls; 392 cases passed, 0 failed (28 runs, 0 not clean)"
diff "$tmp/want" "$out" > "$tmp/diff"
ok $? "the totals, line for line as a run prints them"
sed 's/^/#   /' "$tmp/diff"

summ "two rounds past 2^53" 0 < <(
	round round=1 stress_moved=9007199254740993 stress_verified=4611686018427387904 faults_bytes=0
	round round=2 stress_moved=1 stress_verified=4611686018427387903 faults_bytes=0
)
has "exact past 2^53 and up to 2^63 - 1" \
	"  bytes             9007199254740994 moved by stress, 9223372036854775807 verified (stress and faults)"

summ "MODE names the totals" 0 stress < <(rounds 3)
has "the header names the mode" "== totals (stress)"

# ---- --summarize: the exit status ------------------------------------------
summ "27 clean rounds" 0 < <(rounds 27)
has "the clean rounds are counted" "  rounds            27"

summ "a round with a bad kernel log line" 1 < <(rounds 27 klog_bad=1)
has "the bad kernel log line is counted" "  kernel log        1 bad lines during the rounds"

summ "a round with a stress error" 1 < <(rounds 27 stress_errors=1)
has "the stress error is counted" "  errors            1"

summ "a round with a mismatch" 1 < <(rounds 27 stress_mismatches=1)

summ "a stress that exited 1" 1 < <(rounds 27 stress_rc=1)
has "the stress run is counted as stopped with an error" \
	"  stress ops        1080000 (2025000 transfers), 1 stopped with an error"

summ "a failed fault case" 1 < <(rounds 27 faults_rc=1 faults_fail=1 faults_pass=38)

summ "a failed fuzz case" 1 < <(rounds 27 fuzz_rc=1 fuzz_fail=1)

summ "unbalanced pins after a round" 1 < <(rounds 27 pins=-2)
has "the unbalanced round is counted" "  pin checks        27 rounds, 1 unbalanced"

summ "no fuzzer in the image" 0 < <(
	round round=1 fuzz_rc=- fuzz_calls=0 fuzz_pass=0
	round round=2 fuzz_rc=- fuzz_calls=0 fuzz_pass=0
)
has "the fuzz line says so" "  fuzz              not in the image (tests/guest/fuzz_*.c)"

summ "no round at all" 1 < /dev/null

# ---- --parse: a round's reading of its programs, by the host's and the guest's awk
cat > "$tmp/stress.out" << 'EOF'
edudma-stress: summary
  threads      6
  devices      4 (/dev/edudma0 /dev/edudma1 /dev/edudma2 /dev/edudma3)
  ops          3000000001: register 1, deregister 2, h2d 3, d2h 4, copy 3000000000
  transfers    4294967297
  regs         1 registered, 2 deregistered
  DMAs         4294967298 (device statistics)
  bytes        5000000000 moved, 9007199254740993 verified
  errors       0
  mismatches   0
  seconds      120.00
  seed         18446744073709551615
edudma-stress: passed
EOF
grep -vE '^  (errors|mismatches) ' "$tmp/stress.out" > "$tmp/stress-cut.out"
cat > "$tmp/faults.out" << 'EOF'
TAP version 13
1..3
ok 1 kill -9 in the middle of transfers
not ok 2 memlock
ok 3 exec
# faults_kill: kills 100 (40 in set-up, 60 inside a transfer), child transfers 2200
# faults_kill: pin checks 104, data checks 90, bytes verified 4294967000
# faults_memlock: regions before ENOMEM 12
# faults_pressure: hog MiB 64, oom kills 0
# faults_pressure: verified DMA checks 88, bytes verified 297
EOF
printf '%s\n' 'nr_dirtied 12' 'nr_foll_pin_acquired 9007199254740995' \
	'nr_foll_pin_released 9007199254740993' 'nr_written 3' > "$tmp/vmstat"

# parse NAME WANT WHAT FILE: `tests/soak --parse WHAT FILE` prints WANT
parse() {
	local name=$1 want=$2 rc
	"$soak" --parse "$3" "$4" > "$out" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && [ "$(cat "$out")" = "$want" ]; then
		ok 0 "$name"
	else
		ok 1 "$name"
		echo "#   want '$want' (exit 0), got exit $rc:"
		show_out
	fi
}

# the busybox awk of the guest image (qemu/mkimage copies the host's
# /bin/busybox), as "awk" first in PATH
bb=$(command -v busybox)
mkdir "$tmp/bb"
[ -n "$bb" ] && ln -s "$bb" "$tmp/bb/awk"
for awk in host busybox; do
	if [ "$awk" = busybox ] && [ -z "$bb" ]; then
		for c in "stress's summary" "a summary without errors and mismatches" \
			"faults' counts" "the pin counters"; do
			ok 0 "$awk awk: $c # SKIP no busybox on this host"
		done
		continue
	fi
	if [ "$awk" = busybox ]; then
		path=$tmp/bb:$PATH
	else
		path=$PATH
	fi
	PATH=$path parse "$awk awk: stress's summary, counts past 2^31 and 2^53 digit for digit" \
		"s_ops=3000000001 s_xfers=4294967297 s_moved=5000000000 s_verified=9007199254740993 s_errors=0 s_mism=0" \
		stress "$tmp/stress.out"
	PATH=$path parse "$awk awk: a summary without errors and mismatches counts one of each" \
		"s_ops=3000000001 s_xfers=4294967297 s_moved=5000000000 s_verified=9007199254740993 s_errors=1 s_mism=1" \
		stress "$tmp/stress-cut.out"
	PATH=$path parse "$awk awk: faults' counts, bytes verified past 2^32" \
		"f_pass=2 f_fail=1 f_kills=100 f_bytes=4294967297" faults "$tmp/faults.out"
	PATH=$path parse "$awk awk: the pin counters past 2^53, for the shell to subtract" \
		"9007199254740995 - 9007199254740993" pins "$tmp/vmstat"
done

# ---- usage ---------------------------------------------------------------------
"$soak" --summarize > "$out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q 'tests/soak --summarize FILE' "$out"
ok $? "--summarize without FILE: usage, exit 2 (exit $rc)"

[ "${failures:?}" = 0 ]
