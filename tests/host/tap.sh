# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP helpers for the host test scripts (sourced, not run: the host suite
# runs only tests/host/t-*.sh).  After sourcing: n (cases so far), failures.

n=0 failures=0

skip() {	# NAME REASON: one skipped case
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}
show() { sed 's/^/#   /' "$@"; }	# FILE...: as diagnostics
have() { command -v "$1" > /dev/null 2>&1; }	# CMD: on PATH

ok() {	# STATUS NAME: one case, passed when STATUS is 0
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failures=$((failures + 1))
	fi
}

# relay_tap PREFIX LINE: one line of a guest program's TAP stream, relayed
# as this script's own: a result is renumbered and named "PREFIX: ...", the
# plan goes to relay_plan (a skip-all's reason to relay_skip), results are
# counted in relay_run, a diagnostic is passed on, anything else becomes
# one.  relay_reset before each stream.
relay_reset() { relay_run=0 relay_plan='' relay_skip=''; }
relay_reset
relay_tap() {
	local prefix=$1 line=${2%$'\r'} pre rest
	case $line in
	"ok "*|"not ok "*)
		relay_run=$((relay_run + 1))
		pre=ok
		case $line in "not ok "*) pre="not ok" ;; esac
		rest=${line#"$pre "}
		rest=${rest#* }
		n=$((n + 1))
		[ "$pre" = ok ] || failures=$((failures + 1))
		echo "$pre $n $prefix: $rest" ;;
	"1..0"*"SKIP"*) relay_plan=0; relay_skip=${line#*SKIP } ;;
	"1.."*) relay_plan=${line#1..} ;;
	"TAP version"*) ;;
	"#"*) echo "$line" ;;
	*) echo "# $line" ;;
	esac
}

# relay_complete LABEL: one case, passed when the relayed stream ran every
# case it planned (and planned some).
relay_complete() {
	[ -n "$relay_plan" ] && [ "$relay_plan" = "$relay_run" ] && [ "$relay_plan" != 0 ]
	ok $? "$1: the guest ran all its planned cases (plan ${relay_plan:-none}, ran $relay_run${relay_skip:+, skipped: $relay_skip})"
}

# boot_checks LABEL REPORT KLOG: the runner's four per-boot checks (guest ran
# to the end, pin counters balanced, rmmod 0, kernel log clean: tests/run
# --check-report) as cases of this script, named "LABEL: ...".  Returns
# non-zero when one failed.
boot_checks() {
	local out line pre r
	out=$("$(dirname "${BASH_SOURCE[0]}")/../run" --check-report "$1" "$2" "$3" 2>&1)
	r=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) pre=0 ;;
		"not ok "*) pre=1 ;;
		"#"*) echo "$line"; continue ;;
		*) continue ;;
		esac
		line=${line#not }
		line=${line#ok }
		ok "$pre" "${line#* }"
	done <<< "$out"
	return "$r"
}
