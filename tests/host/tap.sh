# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP helpers for the host test scripts (sourced, not run: the host suite
# runs only tests/host/t-*.sh).  After sourcing: n (cases so far), failures.

n=0 failures=0

ok() {	# STATUS NAME: one case, passed when STATUS is 0
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failures=$((failures + 1))
	fi
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
