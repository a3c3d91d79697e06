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
