#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-dkms.sh: the module as a user installs it (Documentation/install.md),
# checked on the host (no guest).
#  - make dkms-src makes a DKMS source tree of dkms.conf, driver/ and
#    include/ (with include/uapi/linux/edudma.h) and nothing else, whose
#    dkms.conf names edudma at LIB_VERSION of the Makefile;
#  - make dkms, with every DKMS tree redirected into a scratch directory
#    (--dkmstree, --sourcetree, --installtree, --no-depmod, a scratch
#    signing key), builds and installs the module against every headers
#    tree /usr/src/linux-headers-* that has a Makefile, a .config and a
#    Module.symvers, and the installed .ko's vermagic is that tree's
#    release (UTS_RELEASE: Debian's include/config/kernel.release is the
#    upstream version, not the one modules must match); make dkms-remove
#    takes it all away again; the real /var/lib/dkms, /usr/src and
#    /lib/modules are the same afterwards;
#  - the driver gives its device node no mode, so /dev/edudmaN is 0600
#    root:root unless the udev rule is installed; the rule matches the
#    driver's class and node names, and every key of it is a known udev key
#    with an operator of the right kind (an awk check of the syntax, not
#    udev's parser: udevadm verify, systemd 253 and later, runs too when
#    it is there);
#  - the modprobe.d example lists exactly the driver's parameters, all
#    commented out, at the defaults the module states (modinfo);
#  - make install DESTDIR=tmp puts the udev rule in place with UDEV=1 and
#    not without it; make uninstall UDEV=1 removes it.
# The DKMS cases need root and dkms (Debian package dkms); they skip,
# saying why, without them.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rule=$top/udev/70-edudma.rules
example=$top/modprobe.d/edudma.conf
tmp=$(mktemp -d "${TMPDIR:-/tmp}/t-dkms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/host/tap.sh
. "$(dirname "$0")/tap.sh"

version=$(sed -n 's/^LIB_VERSION := //p' "$top/Makefile")
stage=$tmp/stage/edudma-$version	# make dkms-src's tree
sdkms=$tmp/dkms sinstall=$tmp/modules ssrc=$tmp/src

# ---- which headers trees, and whether dkms may run ----------------------------
trees=() releases=()
for d in /usr/src/linux-headers-*; do
	[ -d "$d" ] || continue
	missing=
	for f in Makefile .config Module.symvers include/generated/utsrelease.h; do
		[ -f "$d/$f" ] || missing="$missing $f"
	done
	if [ -n "$missing" ]; then
		echo "# not a build tree, skipped: $d (no$missing)"
		continue
	fi
	trees+=("$d")
	releases+=("$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$d/include/generated/utsrelease.h")")
done

# Settings of /etc/dkms that would reach past the scratch trees (the signing
# key's place, a modprobe after install): the DKMS cases skip when set.
framework=$(grep -Es '^[[:space:]]*(mok_signing_key|mok_certificate|modprobe_on_install)=' \
	/etc/dkms/framework.conf /etc/dkms/framework.conf.d/*.conf)
nodkms=
if ! have dkms; then
	nodkms="dkms is not installed (Debian package dkms)"
elif [ "$(id -u)" != 0 ]; then
	nodkms="dkms add and install need root"
elif [ -n "$framework" ]; then
	nodkms="/etc/dkms sets $(echo "$framework" | sed 's/=.*//; s/.*://' | sort -u | tr '\n' ' ')(the test cannot keep it in scratch)"
elif [ ${#trees[@]} = 0 ]; then
	nodkms="no /usr/src/linux-headers-* with a Makefile, a .config and a Module.symvers"
fi
have dkms && echo "# $(dkms --version)"

if [ -z "$nodkms" ]; then
	per_tree=$((2 * ${#trees[@]}))
else
	per_tree=1
fi

echo "TAP version 13"
echo "1..$((13 + per_tree))"

# ---- the DKMS source tree -----------------------------------------------------
make -s -C "$top" dkms-src DKMS_SRC="$stage" > "$tmp/src.out" 2>&1
ok $? "make dkms-src DKMS_SRC=tmp/stage/edudma-$version"
show "$tmp/src.out"

# The driver's sources as driver/Kbuild needs them: Kbuild, *.c, *.h, no
# build products (edudma.mod.c is one).
for f in "$top"/driver/Kbuild "$top"/driver/*.c "$top"/driver/*.h; do
	case $f in *.mod.c) ;; *) echo "driver/${f##*/}" ;; esac
done > "$tmp/want"
echo include/uapi/linux/edudma.h >> "$tmp/want"
(cd "$stage" 2> /dev/null && find . -type f ! -name dkms.conf | sed 's|^\./||') > "$tmp/have"
tops=$(find "$stage" -mindepth 1 -maxdepth 1 -printf '%f\n' 2> /dev/null | sort | tr '\n' ' ')
r=1
if [ "$tops" = "dkms.conf driver include " ] && [ -f "$stage/include/uapi/linux/edudma.h" ] &&
   [ -f "$stage/driver/Kbuild" ] &&
   cmp -s <(sort "$tmp/want") <(sort "$tmp/have"); then
	r=0
fi
ok $r "the DKMS source tree is dkms.conf, driver/ (Kbuild and the sources) and include/uapi/linux/edudma.h, nothing else"
[ $r = 0 ] || { echo "#   top level: $tops"; diff <(sort "$tmp/want") <(sort "$tmp/have") | show; }

# dkms.conf as dkms reads it: sourced by bash.
conf=$(
	# shellcheck disable=SC2034	# read by dkms.conf
	kernel_source_dir=/KSRC dkms_tree=/DKMS kernelver=KVER
	# shellcheck source=/dev/null
	. "$stage/dkms.conf" 2> /dev/null || exit 1
	# shellcheck disable=SC2154	# set by dkms.conf
	echo "$PACKAGE_NAME $PACKAGE_VERSION ${BUILT_MODULE_NAME[0]} ${BUILT_MODULE_LOCATION[0]} $AUTOINSTALL"
	echo "${MAKE[0]}"
)
want_conf="edudma $version edudma driver/ yes
make -C /KSRC M=/DKMS/edudma/$version/build/driver modules"
[ "$conf" = "$want_conf" ] && [ -n "$version" ]
ok $? "dkms.conf: edudma at LIB_VERSION ($version) of the Makefile, driver/edudma.ko, AUTOINSTALL, make -C \$kernel_source_dir M=.../build/driver"
[ "$conf" = "$want_conf" ] || { echo "#   got:"; echo "$conf" | show; }

# ---- make dkms against each headers tree, in scratch DKMS trees ---------------
snapshot() {	# what the real trees hold of DKMS and edudma, with times
	{
		find /var/lib/dkms -printf '%p %T@\n'
		find /usr/src -maxdepth 1 -name 'edudma*'
		find /lib/modules -name 'edudma.ko*' -printf '%p %T@\n'
		find /lib/modules -maxdepth 2 -name 'modules.dep*' -printf '%p %T@\n'
	} 2> /dev/null | sort
}
snapshot > "$tmp/real.before"

dkms_make() {	# TARGET TREE RELEASE: make TARGET with every dkms tree in scratch
	TMPDIR=$tmp mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub \
	make -s -C "$top" "$1" DKMS_SRC="$stage" DKMS_SOURCETREE="$ssrc" KVER="$3" \
		DKMS_FLAGS="--dkmstree $sdkms --installtree $sinstall --kernelsourcedir $2 --no-depmod"
}

ko_parm=	# a module built here, for the parameters' defaults
if [ -n "$nodkms" ]; then
	skip "make dkms against each headers tree, vermagic of the module" "$nodkms"
else
	mkdir -p "$sdkms" "$ssrc"
	for i in "${!trees[@]}"; do
		tree=${trees[$i]} rel=${releases[$i]}
		mkdir -p "$sinstall/$rel"
		dkms_make dkms "$tree" "$rel" > "$tmp/dkms.out" 2>&1
		r=$?
		ko=$sinstall/$rel/updates/dkms/edudma.ko
		[ $r = 0 ] && [ -f "$ko" ] && diff -r "$stage" "$ssrc/edudma-$version" > "$tmp/diff" 2>&1
		r=$?
		ok $r "make dkms against $tree ($rel): dkms added the tree, built and installed edudma.ko"
		if [ $r != 0 ]; then
			tail -n 20 "$tmp/dkms.out" | show
			show "$tmp/diff"
			log=$sdkms/edudma/$version/build/make.log
			[ -f "$log" ] && tail -n 20 "$log" | show
		fi
		vermagic=$(modinfo -F vermagic "$ko" 2> /dev/null)
		[ -n "$rel" ] && [ "${vermagic%% *}" = "$rel" ]
		ok $? "$rel: the installed module's vermagic is the tree's release (${vermagic:-no module})"
		[ -f "$ko" ] && [ -z "$ko_parm" ] && cp "$ko" "$tmp/parm.ko" && ko_parm=$tmp/parm.ko
	done
fi

if [ -n "$nodkms" ]; then
	skip "make dkms-remove empties the scratch trees" "$nodkms"
else
	dkms_make dkms-remove "${trees[0]}" "${releases[0]}" > "$tmp/rm.out" 2>&1
	r=$?
	left=$(find "$sinstall" "$sdkms" "$ssrc" -mindepth 1 \( -name 'edudma*' -o -type f \) | head)
	[ $r = 0 ] && [ -z "$left" ]
	ok $? "make dkms-remove empties the scratch trees"
	[ -z "$left" ] || echo "$left" | show
	[ $r = 0 ] || tail -n 20 "$tmp/rm.out" | show
fi

snapshot > "$tmp/real.after"
cmp -s "$tmp/real.before" "$tmp/real.after"
ok $? "the real /var/lib/dkms, /usr/src and /lib/modules are as they were"
diff "$tmp/real.before" "$tmp/real.after" | show

# ---- the device node's mode, the udev rule -----------------------------------
# No devnode callback, no mode in the class: devtmpfs makes the node 0600
# root:root, and with no rule of ours udev leaves it so.
name=$(sed -n 's/^#define EDUDMA_NAME[[:space:]]*"\(.*\)"$/\1/p' "$top/driver/edudma.h")
subsystem=$(sed -n 's/.*SUBSYSTEM=="\([^"]*\)".*/\1/p' "$rule")
kernel=$(sed -n 's/.*KERNEL=="\([^"]*\)".*/\1/p' "$rule")
devnode=$(grep -n 'devnode' "$top"/driver/*.c "$top"/driver/*.h)
# (KERNEL is a udev glob: the same syntax as bash's for this one.)
# shellcheck disable=SC2053
[ -z "$devnode" ] && [ -n "$name" ] && [ "$subsystem" = "$name" ] && [[ ${name}0 == $kernel ]]
ok $? "the driver sets no node mode (0600 root:root by default); the rule matches its class \"$name\" and node ${name}0"
[ -z "$devnode" ] || echo "$devnode" | show

# Each rule line: comma-separated KEY op "value", a match key with == or !=,
# an assignment key with =, += or :=; and the group gets rw, the others
# nothing.
awk '
	BEGIN {
		split("ACTION DEVPATH KERNEL KERNELS NAME SYMLINK SUBSYSTEM SUBSYSTEMS DRIVER DRIVERS ATTR ATTRS SYSCTL TAG TAGS ENV CONST TEST PROGRAM RESULT", m)
		split("OWNER GROUP MODE LABEL GOTO RUN IMPORT OPTIONS SECLABEL NAME SYMLINK ENV TAG ATTR SYSCTL", a)
		for (i in m) match_key[m[i]] = 1
		for (i in a) assign_key[a[i]] = 1
	}
	/^[[:space:]]*(#|$)/ { next }
	{
		rules++
		line = $0
		while (line != "") {
			if (!match(line, /^[[:space:]]*[A-Z]+(\{[^}]*\})?[[:space:]]*(==|!=|\+=|-=|:=|=)[[:space:]]*"[^"]*"[[:space:]]*(,|$)/)) {
				printf "line %d: cannot parse: %s\n", NR, line; bad++; next
			}
			item = substr(line, 1, RLENGTH); line = substr(line, RLENGTH + 1)
			key = item; sub(/^[[:space:]]*/, "", key); sub(/[^A-Z].*/, "", key)
			op = item; sub(/^[^=!+:-]*/, "", op); sub(/[[:space:]]*".*/, "", op)
			if (op == "==" || op == "!=") {
				if (!(key in match_key)) { printf "line %d: %s is not a match key\n", NR, key; bad++ }
			} else if (!(key in assign_key)) {
				printf "line %d: %s is not an assignment key\n", NR, key; bad++
			}
			if (key == "MODE") mode = item
			if (key == "GROUP") group = item
		}
	}
	END {
		if (!rules) { print "no rule"; bad++ }
		if (mode !~ /"0660"/) { print "MODE is not \"0660\": " mode; bad++ }
		if (group !~ /"edudma"/) { print "GROUP is not \"edudma\": " group; bad++ }
		exit bad != 0
	}' "$rule" > "$tmp/rule.out" 2>&1
r=$?
how="keys and operators checked by awk"
if [ $r = 0 ] && have udevadm && udevadm verify --help > /dev/null 2>&1; then
	udevadm verify "$rule" >> "$tmp/rule.out" 2>&1
	r=$?
	how="$how and by udevadm verify"
fi
ok $r "udev/70-edudma.rules parses ($how): GROUP=\"edudma\", MODE=\"0660\""
show "$tmp/rule.out"

# ---- the modprobe.d example ------------------------------------------------------
sed -n 's/^module_param(\([a-z_0-9]*\),.*/\1/p; s/^module_param_named(\([a-z_0-9]*\),.*/\1/p' \
	"$top"/driver/*.c | sort > "$tmp/params"
sed -n 's/^#options edudma \([a-z_0-9]*\)=.*/\1/p' "$example" | sort > "$tmp/example"
active=$(grep -Ev '^[[:space:]]*(#|$)' "$example")
[ -s "$tmp/params" ] && cmp -s "$tmp/params" "$tmp/example" && [ -z "$active" ]
ok $? "modprobe.d/edudma.conf lists exactly the driver's module_param()s, all commented out"
diff "$tmp/params" "$tmp/example" | show
[ -z "$active" ] || echo "$active" | show

# The defaults, as the module states them: "name:... (default[:] X...".
# bool true/false are written 1/0.
if [ -z "$ko_parm" ] && [ -f "$top/driver/edudma.ko" ]; then
	ko_parm=$top/driver/edudma.ko
fi
if [ -n "$ko_parm" ]; then
	modinfo -F parm "$ko_parm" | sed -n 's/^\([a-z_0-9]*\):.*(default:\{0,1\} \([0-9a-z]*\).*/\1=\2/p' |
		sed 's/=true$/=1/; s/=false$/=0/' | sort > "$tmp/defaults"
	sed -n 's/^#options edudma //p' "$example" | sort > "$tmp/example-defaults"
	[ -s "$tmp/defaults" ] && cmp -s "$tmp/defaults" "$tmp/example-defaults"
	ok $? "modprobe.d/edudma.conf gives each parameter the default modinfo states ($(basename "$ko_parm"))"
	diff "$tmp/defaults" "$tmp/example-defaults" | show
else
	skip "modprobe.d/edudma.conf gives each parameter the default modinfo states" "no built edudma.ko"
fi

# ---- make install: the rule only on request --------------------------------------
make -s -C "$top" install PREFIX=/usr DESTDIR="$tmp/plain" > "$tmp/i0.out" 2>&1
r=$?
rules=$(find "$tmp/plain" -name '*.rules' -o -path '*/udev*' 2> /dev/null)
[ $r = 0 ] && [ -z "$rules" ]
ok $? "make install DESTDIR=tmp installs no udev rule"
show "$tmp/i0.out"
[ -z "$rules" ] || echo "$rules" | show

dest=$tmp/udev
make -s -C "$top" install PREFIX=/usr DESTDIR="$dest" UDEV=1 > "$tmp/i1.out" 2>&1
r=$?
inst=$dest/etc/udev/rules.d/70-edudma.rules
[ $r = 0 ] && cmp -s "$rule" "$inst" && [ "$(stat -c %a "$inst")" = 644 ]
ok $? "make install DESTDIR=tmp UDEV=1 installs the rule as /etc/udev/rules.d/70-edudma.rules, mode 644"
show "$tmp/i1.out"

make -s -C "$top" install-udev DESTDIR="$tmp/lib-udev" UDEVDIR=/usr/lib/udev/rules.d > "$tmp/i2.out" 2>&1
r=$?
[ $r = 0 ] && [ -f "$tmp/lib-udev/usr/lib/udev/rules.d/70-edudma.rules" ] &&
	[ "$(find "$tmp/lib-udev" -type f | wc -l)" = 1 ]
ok $? "make install-udev UDEVDIR=/usr/lib/udev/rules.d installs the rule there, and only it"
show "$tmp/i2.out"

make -s -C "$top" uninstall PREFIX=/usr DESTDIR="$dest" UDEV=1 > "$tmp/u.out" 2>&1
r=$?
left=$(find "$dest" -type f)
[ $r = 0 ] && [ ! -e "$inst" ] && [ -z "$left" ]
ok $? "make uninstall DESTDIR=tmp UDEV=1 removes the rule (and leaves no file)"
show "$tmp/u.out"
[ -z "$left" ] || echo "$left" | show

[ "$failures" = 0 ]
