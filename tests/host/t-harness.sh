#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-harness.sh: the guest tests' harness (tests/common/et_harness.[ch]),
# checked on the host with tests/host/harness-sample.c, whose cases pass,
# fail an expectation, fail an assertion, crash, hang past their limit,
# raise their limit, exit, skip, leave a child behind, repeat, come from a
# table and use a fixture.  Checked: the plan counts every case, each case
# gets the result and the diagnostics it must (file:line of a failed
# check, the signal, the time limit, the skip reason, the teardown after a
# failed assertion), a case's failure does not stop the next, a repeated
# case draws other numbers, the same seed repeats them, -l lists and a
# pattern selects, and the exit status is 1.  (The per-case checks of pins,
# kernel log and module parameters need the lab: the guest suites.)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t-harness.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/host/tap.sh
. "$(dirname "$0")/tap.sh"

et=$top/build/guest/et/libet.a common=$top/build/common/libcommon.a
prog=$tmp/harness-sample
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -O2 -I"$top/lib/include" -I"$top/include/uapi" \
	-I"$top/tests/common" -I"$top/driver" -I"$top/common" -o "$prog" \
	"$top/tests/host/harness-sample.c" "$et" "$common" -lpthread 2> "$tmp/cc.err"
ok $? "harness-sample builds against libet.a"
sed 's/^/#   /' "$tmp/cc.err"

EDUDMA_SEED=42 "$prog" > "$tmp/out" 2>&1
status=$?
sed 's/^/#   | /' "$tmp/out"
out=$tmp/out

has() {	# NAME REGEX: a line of the output matches
	grep -Eq -- "$2" "$out"
	ok $? "$1"
}
has "the plan counts every case (16)" '^1\.\.16$'
has "a passing case is ok" '^ok [0-9]+ passes$'
has "a failed ET_EXPECT names file:line and the message" \
	'^# .*harness-sample\.c:[0-9]+: one plus one is 2$'
has "... and the case goes on after it" '^# after the failed expectation$'
has "... and fails" '^not ok [0-9]+ expect_fails_and_goes_on$'
has "a failed ET_ASSERT_ERRNO names the errnos" \
	'harness-sample\.c:[0-9]+: DEREG_MR: ENOENT, expected EINVAL$'
grep -q 'NOT REACHED' "$out"
ok $((! $?)) "... and ends the case"
has "a crash fails the case, naming the signal" \
	'^# crashes: killed by signal 11'
has "... and the next case runs" '^ok [0-9]+ takes_3_s_with_a_4_s_limit$'
has "a hang is killed at the limit (2 s) and fails" \
	'^# hangs: killed after its time limit of 2 s$'
has "exit(3) fails the case" '^# exits_3: exited with status 3$'
has "a skip is a TAP skip with its reason" \
	'^ok [0-9]+ skips # SKIP nothing to test here$'
has "a child left running is killed; the case passes" \
	'^ok [0-9]+ leaves_a_child_running$'
has "ET_TEST_N: cases named name[i]" '^ok [0-9]+ repeated\[2\]$'
has "ET_TABLE: cases named by their rows" '^not ok [0-9]+ row two fails$'
has "a fixture's teardown runs after a failed assertion" \
	'^# teardown, state 2$'
has "a fixture's setup runs before each case" '^ok [0-9]+ fixture_passes$'
has "the totals line" '^# Totals: pass:8 fail:7 skip:1$'
[ "$status" = 1 ]
ok $? "exit status 1 when a case failed (was $status)"

r=$(grep -E '^# index [0-9]' "$out" | sort -u | wc -l)
[ "$r" = 3 ]
ok $? "each repeat draws its own numbers ($r different of 3)"
EDUDMA_SEED=42 "$prog" 'repeated*' > "$tmp/again" 2>&1
diff <(grep '^# index' "$out") <(grep '^# index' "$tmp/again") > /dev/null
ok $? "the same seed and a pattern repeat those cases exactly"
grep -q '^1\.\.3$' "$tmp/again"
ok $? "a pattern selects its cases (plan 1..3)"
[ "$("$prog" -l | wc -l)" = 16 ]
ok $? "-l lists the 16 cases"
"$prog" passes > /dev/null 2>&1
ok $? "a run of passing cases exits 0"
"$prog" skips > /dev/null 2>&1
[ $? = 4 ]
ok $? "a run where every case skipped exits 4"

echo "1..$n"
[ "$failures" = 0 ]
