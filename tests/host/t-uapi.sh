#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-uapi.sh: include/uapi/linux/edudma.h stands alone and has a stable
# layout.  It compiles by itself as C (gcc -std=c11 -pedantic) and as C++
# (g++), and every struct in it has a size that is a multiple of 8 and no
# padding the compiler adds (-Wpadded).  A known padded struct proves the
# padding check can see padding.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
header=$top/include/uapi/linux/edudma.h
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t-uapi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/host/tap.sh
. "$(dirname "$0")/tap.sh"

# The structs, each with the lines it spans: "name first last".
awk '
	/^struct [A-Za-z_][A-Za-z0-9_]* *\{/ { name = $2; first = NR }
	name != "" && /^\};/ { print name, first, NR; name = "" }
' "$header" > "$tmp/structs"
nstructs=$(wc -l < "$tmp/structs")

echo "TAP version 13"
echo "1..$((6 + nstructs))"

cc_flags=(-std=c11 -Wall -Wextra -Werror -pedantic -I"$top/include/uapi")
printf '#include <linux/edudma.h>\n' > "$tmp/alone.c"
gcc "${cc_flags[@]}" -c -o "$tmp/alone.o" "$tmp/alone.c" 2> "$tmp/c.err"
ok $? "edudma.h compiles alone as C11 (gcc -Wall -Wextra -Werror -pedantic)"
show "$tmp/c.err"

cp "$tmp/alone.c" "$tmp/alone.cc"
g++ -std=c++11 -Wall -Wextra -Werror -pedantic -I"$top/include/uapi" \
	-c -o "$tmp/alone-cc.o" "$tmp/alone.cc" 2> "$tmp/cxx.err"
ok $? "edudma.h compiles alone as C++11 (g++ -Wall -Wextra -Werror -pedantic)"
show "$tmp/cxx.err"

[ "$nstructs" -gt 0 ]
ok $? "edudma.h defines structs ($nstructs found)"

# -Wpadded warns at the struct's definition, so the header's line numbers
# tell which struct a warning belongs to.
gcc "${cc_flags[@]}" -Wno-error -Wpadded -c -o "$tmp/padded.o" "$tmp/alone.c" \
	2> "$tmp/padded.err"
ok $? "edudma.h compiles with -Wpadded"
show "$tmp/padded.err"

# Sizes from the compiler itself: a program that prints each sizeof.
{
	printf '#include <stdio.h>\n#include <linux/edudma.h>\nint main(void)\n{\n'
	while read -r name _; do
		printf '\tprintf("%s %%zu %%zu\\n", sizeof(struct %s), _Alignof(struct %s));\n' \
			"$name" "$name" "$name"
	done < "$tmp/structs"
	printf '\treturn 0;\n}\n'
} > "$tmp/sizes.c"
: > "$tmp/sizes.out"
if gcc "${cc_flags[@]}" -o "$tmp/sizes" "$tmp/sizes.c" 2> "$tmp/sizes.err"; then
	"$tmp/sizes" > "$tmp/sizes.out"
else
	echo "# the program printing the sizes does not compile:"
	show "$tmp/sizes.err"
fi

while read -r name first last; do
	read -r _ size align < <(grep "^$name " "$tmp/sizes.out")
	pads=$(grep -E "edudma\.h:[0-9]+:" "$tmp/padded.err" |
		awk -F: -v a="$first" -v b="$last" '$2 >= a && $2 <= b' )
	[ -n "${size:-}" ] && [ $((size % 8)) = 0 ] && [ -z "$pads" ]
	ok $? "struct $name: ${size:-unknown} bytes (a multiple of 8), alignment ${align:-?}, no implicit padding"
	[ -z "$pads" ] || printf '%s\n' "$pads" | sed 's/^/#   /'
done < "$tmp/structs"

# The benchmark floor's header (not uAPI, driver/edudma_bench.h) is held to
# the same rules: it stands alone, its struct has no padding.
printf '#include <stdio.h>\n#include "edudma_bench.h"\nint main(void) { printf("%%zu\\n", sizeof(struct edudma_bench_pin)); return 0; }\n' \
	> "$tmp/bench.c"
gcc -std=c11 -Wall -Wextra -Werror -pedantic -Wpadded -I"$top/driver" \
	-o "$tmp/bench" "$tmp/bench.c" 2> "$tmp/bench.err" &&
	[ "$("$tmp/bench")" = 32 ]
ok $? "driver/edudma_bench.h compiles alone with -Wpadded, struct edudma_bench_pin is 32 bytes"
show "$tmp/bench.err"

# The check itself: a struct with a hole must be caught.
cat > "$tmp/bad.c" <<'EOF'
#include <linux/types.h>
struct padded {
	__u32 a;
	__aligned_u64 b;
};
EOF
gcc "${cc_flags[@]}" -Wno-error -Wpadded -c -o "$tmp/bad.o" "$tmp/bad.c" 2> "$tmp/bad.err"
grep -q 'Wpadded' "$tmp/bad.err"
ok $? "the -Wpadded check finds the hole in a known padded struct"

[ "$failures" = 0 ]
