# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers shared by qemu/mkimage, qemu/run and the scripts that run cells
# (sourced, not run).

# cell_dir TOP KERNEL QEMU: the build folder of a lab cell (the Makefile's
# CELL): build/ for the default cell (6.1, 7.2), else build/cell/K-qemuQ.
cell_dir() {
	if [ "$2/$3" = 6.1/7.2 ]; then
		echo "$1/build"
	else
		echo "$1/build/cell/$2-qemu$3"
	fi
}

# stage_libs ROOT FILE...: copy into ROOT the shared libraries (and the
# dynamic loader) that the dynamically linked ELF files among FILE need, so
# that they run in the guest as they do on the host.
stage_libs() {
	local root=$1 f lib
	shift
	for f in "$@"; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		head -c 4 "$f" 2>/dev/null | grep -q 'ELF' || continue
		{ ldd "$f" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
			[ -e "$lib" ] || continue
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
	return 0
}

# pack_cpio DIR OUT: a gzip'd newc archive of DIR, owned by root.
pack_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$2"
}
