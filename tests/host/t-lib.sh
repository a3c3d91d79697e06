#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-lib.sh: libedudma as a user gets it, checked on the host (no guest).
#  - lib/include/edudma.h compiles alone as C11 and C++11;
#  - the shared library exports exactly the functions of lib/libedudma.map,
#    which are exactly the functions the header declares, each at the
#    version of its node in the map; the map's nodes start at LIBEDUDMA_1.0
#    and each later one inherits the one before; the soname is
#    libedudma.so.1;
#  - make install PREFIX=/usr DESTDIR=tmp gives a tree that an outside
#    program (tests/host/sdk-example.c, the example of Documentation/sdk.md,
#    which must be byte-identical to it) builds against through pkg-config,
#    linked with the shared library and, statically, with libedudma.a;
#  - make uninstall with the same variables leaves no file behind;
#  - every function has a section-3 man page whose SYNOPSIS agrees with the
#    header, every tool a section-1 page, and every page renders without a
#    groff warning.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
hdr=$top/lib/include/edudma.h
map=$top/lib/libedudma.map
so=$top/build/lib/libedudma.so.$(sed -n "s/^LIB_VERSION := //p" "$top/Makefile")
example=$top/tests/host/sdk-example.c
sdkdoc=$top/Documentation/sdk.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t-lib.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest			# DESTDIR

# shellcheck source=tests/host/tap.sh
. "$(dirname "$0")/tap.sh"
# (No grep -q at the end of a pipe: with pipefail, the writer's SIGPIPE
# would fail the pipe when grep stops reading at the first match.)

# sets_equal NAME-A FILE-A NAME-B FILE-B: sorted lists equal, else the
# difference as diagnostics.
sets_equal() {
	sort -u "$2" > "$tmp/a.sorted"
	sort -u "$4" > "$tmp/b.sorted"
	if cmp -s "$tmp/a.sorted" "$tmp/b.sorted" && [ -s "$tmp/a.sorted" ]; then
		return 0
	fi
	comm -23 "$tmp/a.sorted" "$tmp/b.sorted" | sed "s/^/#   only in $1: /"
	comm -13 "$tmp/a.sorted" "$tmp/b.sorted" | sed "s/^/#   only in $3: /"
	[ -s "$tmp/a.sorted" ] || echo "#   $1: empty"
	return 1
}

tools=()
for t in "$top"/tools/*.c; do
	[ -f "$t" ] && tools+=("$(basename "$t" .c)")
done

echo "TAP version 13"
echo "1..21"

# ---- the header -------------------------------------------------------------
inc=(-I"$top/lib/include" -I"$top/include/uapi")
printf '#include <edudma.h>\n' > "$tmp/alone.c"
gcc -std=c11 -Wall -Wextra -Werror -pedantic "${inc[@]}" -c -o "$tmp/alone.o" \
	"$tmp/alone.c" 2> "$tmp/c.err"
ok $? "edudma.h compiles alone as C11 (gcc -Wall -Wextra -Werror -pedantic)"
show "$tmp/c.err"

if have g++; then
	cp "$tmp/alone.c" "$tmp/alone.cc"
	g++ -std=c++11 -Wall -Wextra -Werror -pedantic "${inc[@]}" -c \
		-o "$tmp/alone-cc.o" "$tmp/alone.cc" 2> "$tmp/cxx.err"
	ok $? "edudma.h compiles alone as C++11 (g++ -Wall -Wextra -Werror -pedantic)"
	show "$tmp/cxx.err"
else
	skip "edudma.h compiles alone as C++11" "g++ is not installed"
fi

# The functions the header declares, from the compiler (-aux-info).
gcc -std=c11 "${inc[@]}" -fsyntax-only -aux-info "$tmp/aux" "$tmp/alone.c" 2> /dev/null
grep -F "/* $hdr:" "$tmp/aux" |
	sed -n 's/.*[ *]\(edudma_[A-Za-z0-9_]*\) (.*/\1/p' > "$tmp/hdr.funcs"

# ---- the shared library -----------------------------------------------------
make -s -C "$top" lib > "$tmp/make-lib.out" 2>&1
ok $? "make lib"
show "$tmp/make-lib.out"

: > "$tmp/so.syms"
: > "$tmp/so.versions"
if [ -f "$so" ]; then
	nm -D --defined-only "$so" > "$tmp/nm" 2> "$tmp/nm.err"
	# "addr T name@@NODE"; the node itself is an absolute (A) symbol.
	awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" > "$tmp/so.syms"
	awk '$2 != "A" { v = $3; n = $3; sub(/@.*/, "", n)
		if (!sub(/.*@@?/, "", v) || v == $3) v = "(none)"; print n ": " v }' \
		"$tmp/nm" | sort > "$tmp/so.versions"
fi
# The map without its comments: "NODE {", "global:", symbols, "} PREV;".
sed '/\/\*/,/\*\//d' "$map" > "$tmp/map"
awk '/global:/ { g = 1; next } /local:/ { g = 0 } /}/ { g = 0 } g' "$tmp/map" |
	tr -d ' \t;' | grep -v '^$' > "$tmp/map.syms"
# "symbol: NODE" for each symbol, and the chain: every node after the first
# inherits the node before it.
awk '/^[A-Z0-9_.]+ *\{/ { node = $1; next } /global:/ { g = 1; next }
	/local:|}/ { g = 0 } g { gsub(/[ \t;]/, ""); if ($0 != "") print $0 ": " node }' \
	"$tmp/map" | sort > "$tmp/map.versions"
chain=$(awk '/^[A-Z0-9_.]+ *\{/ { node = $1; if (prev != "") want[node] = prev; prev = node; nodes++ }
	/^}/ { got = $0; sub(/^} */, "", got); sub(/;.*/, "", got)
		if (got != want[node]) bad = bad " " node "->" (got == "" ? "none" : got) }
	END { print (nodes ? "" : " no node") bad }' "$tmp/map")

sets_equal "the .so" "$tmp/so.syms" "$(basename "$map")" "$tmp/map.syms"
ok $? "${so##*/} exports exactly the global symbols of libedudma.map ($(wc -l < "$tmp/so.syms") symbols)"

sets_equal "the .so" "$tmp/so.syms" "edudma.h" "$tmp/hdr.funcs"
ok $? "${so##*/} exports exactly the functions edudma.h declares ($(wc -l < "$tmp/hdr.funcs") functions)"

[ -s "$tmp/so.syms" ] && cmp -s "$tmp/so.versions" "$tmp/map.versions"
ok $? "every exported symbol has the version of its node in the map ($(sed 's/.*: //' "$tmp/map.versions" | sort -u | tr '\n' ' '))"
diff "$tmp/map.versions" "$tmp/so.versions" | sed -n 's/^[<>]/&/p' | show

first=$(awk '/^[A-Z0-9_.]+ *\{/ { print $1; exit }' "$tmp/map")
[ -z "$chain" ] && [ "$first" = LIBEDUDMA_1.0 ]
ok $? "the map's nodes start at LIBEDUDMA_1.0 (${first:-none}) and each later one inherits the one before${chain:+ (wrong:$chain)}"

soname=$(readelf -d "$so" 2> /dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libedudma.so.1 ]
ok $? "the soname is libedudma.so.1 (readelf: ${soname:-none})"

# ---- install, and an outside program ----------------------------------------
make -s -C "$top" install PREFIX=/usr DESTDIR="$dest" > "$tmp/install.out" 2>&1
ok $? "make install PREFIX=/usr DESTDIR=tmp"
show "$tmp/install.out"

cmp -s "$hdr" "$dest/usr/include/edudma.h" &&
	cmp -s "$top/include/uapi/linux/edudma.h" "$dest/usr/include/linux/edudma.h"
ok $? "the installed edudma.h and linux/edudma.h are the tree's"

# pkg-config as a cross build would run it: the .pc says /usr, the files are
# under DESTDIR.
pc() {
	PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig \
		PKG_CONFIG_PATH='' pkg-config "$@" edudma
}
if have pkg-config; then
	flags=$(pc --cflags --libs 2> "$tmp/pc.err")
	sflags=$(pc --static --cflags --libs 2>> "$tmp/pc.err")
	prefix=$(sed -n 's/^prefix=//p' "$dest/usr/lib/pkgconfig/edudma.pc" 2>> "$tmp/pc.err")
	[ "$prefix" = /usr ] && [[ " $flags " = *" -I$dest/usr/include "* ]] &&
		[[ " $flags " = *" -L$dest/usr/lib "* ]] && [[ " $flags " = *" -ledudma "* ]]
	ok $? "pkg-config edudma: prefix ${prefix:-?} (the PREFIX of make install), $flags"
	show "$tmp/pc.err"

	# shellcheck disable=SC2086 # the flags are words
	gcc -std=c11 -Wall -Wextra -Werror -pedantic -o "$tmp/example" "$example" \
		$flags > "$tmp/ex.err" 2>&1
	needed=$(readelf -d "$tmp/example" 2> /dev/null |
		sed -n 's/.*(NEEDED).*\[\(libedudma[^]]*\)\].*/\1/p')
	[ -x "$tmp/example" ] && [ "$needed" = libedudma.so.1 ]
	ok $? "sdk-example.c builds with pkg-config --cflags --libs, NEEDED ${needed:-nothing from libedudma}"
	show "$tmp/ex.err"

	# It must load the installed library; on the host it finds no device.
	resolved=$(LD_LIBRARY_PATH=$dest/usr/lib ldd "$tmp/example" 2> /dev/null |
		awk '$1 == "libedudma.so.1" { print ($3 == "not" ? "not found" : $3) }')
	LD_LIBRARY_PATH=$dest/usr/lib "$tmp/example" > "$tmp/run.out" 2>&1
	status=$?
	[ "$resolved" = "$dest/usr/lib/libedudma.so.1" ] &&
		{ [ "$status" = 0 ] || grep -q 'no /dev/edudma\* device' "$tmp/run.out"; }
	ok $? "sdk-example runs on the installed libedudma.so.1 (ldd: ${resolved:-not found}, exit $status)"
	show "$tmp/run.out"

	# shellcheck disable=SC2086
	gcc -std=c11 -Wall -Wextra -Werror -pedantic -static -o "$tmp/example-static" \
		"$example" $sflags > "$tmp/exs.err" 2>&1
	[ -x "$tmp/example-static" ] &&
		! readelf -d "$tmp/example-static" 2> /dev/null | grep '(NEEDED)' > /dev/null &&
		nm "$tmp/example-static" 2> /dev/null | grep ' T edudma_open$' > /dev/null
	ok $? "sdk-example.c links statically with libedudma.a (pkg-config --static: $sflags)"
	show "$tmp/exs.err"
else
	for name in "pkg-config edudma" "sdk-example.c builds with pkg-config" \
		"sdk-example runs on the installed libedudma.so.1" \
		"sdk-example.c links statically with libedudma.a"; do
		skip "$name" "pkg-config is not installed"
	done
fi

make -s -C "$top" uninstall PREFIX=/usr DESTDIR="$dest" > "$tmp/uninstall.out" 2>&1
status=$?
find "$dest" ! -type d > "$tmp/left" 2> /dev/null
[ "$status" = 0 ] && [ ! -s "$tmp/left" ] && [ -d "$dest/usr" ]
ok $? "make uninstall PREFIX=/usr DESTDIR=tmp leaves no file behind ($(wc -l < "$tmp/left") left)"
show "$tmp/uninstall.out" "$tmp/left"

# ---- the SDK guide's example is the file -----------------------------------
# The first ```c block after the marker line.
awk '/^<!-- the code block below is tests\/host\/sdk-example.c/ { m = 1; next }
	m == 1 && /^```c$/ { m = 2; next }
	m == 2 && /^```$/ { exit }
	m == 2' "$sdkdoc" > "$tmp/doc-example.c" 2> /dev/null
[ -s "$tmp/doc-example.c" ] && cmp -s "$tmp/doc-example.c" "$example"
ok $? "the example in Documentation/sdk.md is tests/host/sdk-example.c, byte for byte"
[ -s "$tmp/doc-example.c" ] || echo "#   no code block after the marker line in sdk.md"
diff "$example" "$tmp/doc-example.c" 2>&1 | head -20 | show

# ---- man pages --------------------------------------------------------------
# man/manN/NAME.N, a page or a .so link to an existing page.
page_ok() {	# SECTION NAME
	local f=$top/man/man$1/$2.$1 target
	[ -f "$f" ] || return 1
	target=$(sed -n '1s/^\.so[[:space:]]\{1,\}//p' "$f")
	[ -z "$target" ] || [ -f "$top/man/$target" ]
}
: > "$tmp/nopage"
while read -r f; do
	page_ok 3 "$f" || echo "$f" >> "$tmp/nopage"
done < "$tmp/hdr.funcs"
[ -s "$tmp/hdr.funcs" ] && [ ! -s "$tmp/nopage" ]
ok $? "every function of edudma.h has a page (or a link) in man/man3"
sed 's/^/#   no page: /' "$tmp/nopage"

: > "$tmp/nopage1"
for t in "${tools[@]}"; do
	page_ok 1 "$t" || echo "$t" >> "$tmp/nopage1"
done
[ "${#tools[@]}" -gt 0 ] && [ ! -s "$tmp/nopage1" ]
ok $? "every tool (${tools[*]}) has a page in man/man1"
sed 's/^/#   no page: /' "$tmp/nopage1"

# The SYNOPSIS of every page, compiled after the header: a prototype that
# disagrees with it is a conflicting declaration.  Struct definitions are
# left out (they would be redefinitions) and macros are compared by the
# preprocessor.
if have groff; then
	: > "$tmp/synopsis.c"
	: > "$tmp/syn.funcs"
	for f in "$top"/man/man3/*.3; do
		grep -q '^\.so' "$f" && continue
		(cd "$top/man" && groff -man -Tascii -P-cbou "$f" 2> /dev/null) |
			awk '/^SYNOPSIS/ { s = 1; next } /^[A-Z]/ { s = 0 }
				s && /^ *Link with/ { s = 0 } s' |
			sed 's/^ *//' | grep -v '^#include' |
			awk '/^struct [a-z_]* \{/ { skip = 1 } !skip { print } /^\};/ { skip = 0 }' \
			> "$tmp/syn.one"
		{ echo "/* $(basename "$f") */"; cat "$tmp/syn.one"; } >> "$tmp/synopsis.c"
		sed -n 's/.*[ *]\(edudma_[A-Za-z0-9_]*\)(.*/\1/p' "$tmp/syn.one" >> "$tmp/syn.funcs"
	done
	{ echo '#include <edudma.h>'; cat "$tmp/synopsis.c"; } > "$tmp/syn-all.c"
	gcc -std=c11 -Wall -Wextra -Werror -pedantic "${inc[@]}" -fsyntax-only \
		"$tmp/syn-all.c" > "$tmp/syn.err" 2>&1 &&
		sets_equal "the SYNOPSIS lines" "$tmp/syn.funcs" "edudma.h" "$tmp/hdr.funcs"
	ok $? "the man pages' SYNOPSIS prototypes are edudma.h's ($(sort -u "$tmp/syn.funcs" | wc -l) functions)"
	show "$tmp/syn.err"

	: > "$tmp/groff.err"
	pages=0
	for f in "$top"/man/man[13]/*.[13]; do
		[ -f "$f" ] || continue
		pages=$((pages + 1))
		rel=${f#"$top"/man/}
		# Run from man/, where the .so links resolve.
		(cd "$top/man" && groff -man -Tutf8 -ww -z "$rel") > "$tmp/one.err" 2>&1 ||
			echo "exit status $?" >> "$tmp/one.err"
		sed "s|^|$rel: |" "$tmp/one.err" >> "$tmp/groff.err"
	done
	[ "$pages" -gt 0 ] && [ ! -s "$tmp/groff.err" ]
	ok $? "all $pages man pages render without groff warnings (groff -man -ww)"
	head -40 "$tmp/groff.err" | show
else
	skip "the man pages' SYNOPSIS prototypes are edudma.h's" "groff is not installed (Debian: groff-base)"
	skip "the man pages render without groff warnings" "groff is not installed (Debian: groff-base)"
fi

# The NAME line is what man -k and man NAME find: each function's page
# names it there.
if have lexgrog; then
	: > "$tmp/noname"
	while read -r f; do
		(cd "$top/man" && lexgrog "man3/$f.3" 2> /dev/null) |
			grep "\"$f - " > /dev/null || echo "$f" >> "$tmp/noname"
	done < "$tmp/hdr.funcs"
	for t in "${tools[@]}"; do
		[ -f "$top/man/man1/$t.1" ] || continue
		(cd "$top/man" && lexgrog "man1/$t.1" 2> /dev/null) |
			grep "\"$t - " > /dev/null || echo "$t" >> "$tmp/noname"
	done
	[ ! -s "$tmp/noname" ]
	ok $? "every function and tool is in the NAME section of its page (lexgrog)"
	sed 's/^/#   not in NAME: /' "$tmp/noname"
else
	skip "every function and tool is in the NAME section of its page" "lexgrog (man-db) is not installed"
fi

[ "$failures" = 0 ]
