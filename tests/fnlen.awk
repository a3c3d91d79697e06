# SPDX-License-Identifier: GPL-2.0
#
# tests/fnlen.awk: the function-length check of tests/lint.  Prints
# "FILE:LINE: NAME: N lines" for every function body (from its "{" line at
# column 0 to the "}" at column 0, in the kernel's style) over max lines
# (awk -v max=N), and exits 1 when there was one.
FNR == 1 { head = ""; start = 0 }
/^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ { head = $0; hline = FNR }
/^\{/ { start = FNR; name = head; nl = hline }
/^\}/ && start {
	n = FNR - start - 1
	if (n > max) {
		sub(/\(.*/, "", name)
		printf "%s:%d: %s: %d lines\n", FILENAME, nl, name, n
		bad = 1
	}
	start = 0
}
END { exit bad }
