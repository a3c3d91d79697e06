#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# t-tools.sh: tools written outside this project drive the driver, in one
# guest boot with two devices (Documentation/tracing.md, fio.md):
#
#   trace-cmd  records the edudma events of a striped copy and reports them
#              with the fields parsed: as many edudma_dma_issue events as
#              the devices' DMA counters moved, every transfer ended 0;
#   perf       counts edudma_dma_issue, edudma_dma_done, edudma_xfer_done
#              system wide: equal to the counters' moves;
#   fio        runs every job of fio/jobs through the edudma engine
#              (make fio: fio/build): sequential and random writes of 512 B
#              to 64 KiB blocks, iodepth 1 and 16, two devices at once,
#              each verified by fio itself (crc32c, md5, meta, with
#              verify_backlog): exit 0, error 0 in every job, every byte
#              written read back, no verify message.  fio/jobs/fail-*.fio
#              are controls that must fail with a verify error.
#
# Debian's trace-cmd, perf (linux-perf) and fio go into the guest with
# their libraries (qemu/run --add).  Skips, naming the package, when one
# is not installed (qemu/setup installs them).  Needs a built lab (make);
# extra arguments go to qemu/run.  Files stay in build/check/t-tools/.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${EDUDMA_CHECK_DIR:-$top/build/check}/t-tools
build=${EDUDMA_BUILD:-$top/build}

# shellcheck source=tests/host/tap.sh
. "$(dirname "$0")/tap.sh"

# qemu/setup installs them (make check runs it first)
missing=()
have trace-cmd || missing+=(trace-cmd)
have perf || missing+=(linux-perf)
have fio || missing+=(fio)
have python3 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
	echo "1..0 # SKIP not installed: ${missing[*]} (make setup as root installs them)"
	exit 0
fi

rm -rf "$work"
mkdir -p "$work/add" || exit 1
if ! "$top/fio/build" > "$work/fio-build.log" 2>&1; then
	ok 1 "host: make fio (fio/build)"
	show "$work/fio-build.log"
	echo "1..$n"
	exit 1
fi
ok 0 "host: make fio: $(tail -n 1 "$work/fio-build.log" | sed 's/^fio\/build: //')"
cp "$(command -v trace-cmd)" "$(command -v fio)" "$build/fio/edudma-fio.so" "$work/add/" || exit 1
# linux-perf installs its perf as /usr/bin/perf (the wrapper is perf.wrapper)
cp "$(command -v perf)" "$work/add/perf" || exit 1
cp -r "$top/fio/jobs" "$work/add/jobs" || exit 1

cat > "$work/add/tools.sh" <<'EOF'
#!/bin/sh
# t-tools.sh's guest side: @-lines for the host to read.
cd /tmp || exit 1
dmas() { cat /sys/class/edudma/edudma*/stats/dma_to_dev /sys/class/edudma/edudma*/stats/dma_from_dev | awk '{s += $1} END {print s}'; }
xfers() { cat /sys/class/edudma/edudma*/stats/xfers | awk '{s += $1} END {print s}'; }

d0=$(dmas)
trace-cmd record -q -e edudma -o /tmp/t.dat edudma-copy -s 8k > /tmp/tc.out 2>&1
echo "@tc-record $? $(($(dmas) - d0))"
trace-cmd report -i /tmp/t.dat > /tmp/tc.txt 2>&1
echo "@tc-report $? $(grep -c ' edudma_dma_issue: ' /tmp/tc.txt) $(grep -c ' edudma_xfer_done: .* status=0$' /tmp/tc.txt) $(grep -c ' edudma_xfer_done: ' /tmp/tc.txt)"
grep -m 1 ' edudma_dma_issue: ' /tmp/tc.txt | sed 's/^/@tc-line /'

d0=$(dmas) x0=$(xfers)
perf stat -x, -e edudma:edudma_dma_issue -e edudma:edudma_dma_done \
	-e edudma:edudma_xfer_done -a -- edudma-copy -s 8k > /dev/null 2> /tmp/ps.txt
echo "@perf-stat $? $(($(dmas) - d0)) $(($(xfers) - x0))"
sed 's/^/@perf-line /' /tmp/ps.txt

for j in /add/jobs/*.fio; do
	n=${j##*/}
	n=${n%.fio}
	fio --output-format=json --output="/tmp/$n.json" "$j" > "/tmp/$n.err" 2>&1
	echo "@fio-rc $n $?"
	echo "@fio-json $n $(tr -d '\n' < "/tmp/$n.json")"
	sed "s/^/@fio-msg $n /" "/tmp/$n.err"
done
echo "@done"
EOF

"$top/qemu/run" --no-build --devices 2 --mem 1024 --add "$work/add" \
	--report "$work/report" --klog "$work/klog" "$@" \
	-- sh tools.sh > "$work/out" 2> "$work/stderr" < /dev/null
rc=$?
tr -d '\r' < "$work/out" > "$work/out.txt"

# the guest's @-lines, judged: one "STATUS<TAB>NAME" line a case
python3 - "$work/out.txt" "$top/fio/jobs" > "$work/cases" <<'EOF'
import json, os, re, sys

out, jobs = sys.argv[1], sys.argv[2]
lines = open(out).read().splitlines()
def at(tag):
    return [l[len(tag) + 2:] for l in lines if l.startswith("@" + tag + " ")]
def case(good, name, why=""):
    print("%d\t%s%s" % (0 if good else 1, name, "" if good or not why else " (" + why + ")"))

r = at("tc-record")
rec = r[0].split() if r else ["-1", "0"]
rep = (at("tc-report") or ["-1 0 0 0"])[0].split()
case(rec[0] == "0", "trace-cmd record -e edudma edudma-copy -s 8k: exit 0 (was %s)" % rec[0])
case(rep[0] == "0" and int(rep[1]) == int(rec[1]) > 0,
     "trace-cmd report: %s edudma_dma_issue events, the devices' DMA counters moved by %s" % (rep[1], rec[1]))
case(int(rep[3]) > 0 and rep[2] == rep[3],
     "trace-cmd report: %s of %s edudma_xfer_done events with status=0" % (rep[2], rep[3]))
tl = (at("tc-line") or [""])[0]
case(re.search(r"edudma_dma_issue: +dev=edudma\d+ req=\d+ dir=\w+ dma=0x[0-9a-f]+ dev_off=\d+ len=\d+", tl) is not None,
     "trace-cmd parses the fields: " + tl.strip()[:120])

p = (at("perf-stat") or ["-1 0 0"])[0].split()
cnt = {}
for l in at("perf-line"):
    f = l.split(",")
    if len(f) > 2 and f[2].startswith("edudma:"):
        cnt[f[2]] = int(f[0]) if f[0].isdigit() else -1
case(p[0] == "0", "perf stat -e edudma:... -a: exit 0 (was %s)" % p[0])
case(cnt.get("edudma:edudma_dma_issue") == cnt.get("edudma:edudma_dma_done") == int(p[1]) > 0,
     "perf stat: edudma_dma_issue %s, edudma_dma_done %s, the DMA counters moved by %s" %
     (cnt.get("edudma:edudma_dma_issue"), cnt.get("edudma:edudma_dma_done"), p[1]))
case(cnt.get("edudma:edudma_xfer_done") == int(p[2]) > 0,
     "perf stat: edudma_xfer_done %s, the transfer counters moved by %s" % (cnt.get("edudma:edudma_xfer_done"), p[2]))

rcs = dict(l.split(" ", 1) for l in at("fio-rc"))
docs = {}
for l in at("fio-json"):
    name, _, body = l.partition(" ")
    try:
        docs[name] = json.loads(body[body.index("{"):]) if "{" in body else None
    except ValueError:
        docs[name] = None
msgs = {}
for l in at("fio-msg"):
    name, _, m = l.partition(" ")
    msgs.setdefault(name, []).append(m)
for f in sorted(os.listdir(jobs)):
    if not f.endswith(".fio"):
        continue
    name = f[:-4]
    doc, rc, m = docs.get(name), rcs.get(name, "none"), msgs.get(name, [])
    verify_msgs = [x for x in m if "verify" in x and "failed" in x or "bad magic" in x or "bad header" in x]
    if name.startswith("fail-"):
        errs = [j.get("error") for j in (doc or {}).get("jobs", [])]
        case(rc != "0" and any(errs) and verify_msgs != [],
             "fio %s (a control): fails with a verify error (exit %s, job errors %s, %d verify messages)" %
             (name, rc, errs, len(verify_msgs)))
        continue
    case(rc == "0", "fio %s: exit 0 (was %s)" % (name, rc), "; ".join(m[:3]))
    if not doc:
        case(False, "fio %s: its JSON output" % name)
        continue
    for j in doc["jobs"]:
        w, r = j["write"], j["read"]
        case(j["error"] == 0 and w["io_bytes"] > 0 and r["io_bytes"] == w["io_bytes"] and not verify_msgs,
             "fio %s/%s: error %d, %d bytes written through the device, %d read back and verified, %.1f IOPS write, clat p99 %.1f ms" %
             (name, j["jobname"], j["error"], w["io_bytes"], r["io_bytes"], w["iops"],
              w["clat_ns"].get("percentile", {}).get("99.000000", 0) / 1e6))
case("@done" in lines, "the guest script ran to its end")
EOF
pyrc=$?
while IFS=$'\t' read -r st name; do
	ok "$st" "guest: $name"
done < "$work/cases"
ok "$pyrc" "host: the guest's output read (python3 exit $pyrc)"
ok "$rc" "host: qemu/run exit status 0 (was $rc)"

boot_checks host "$work/report" "$work/klog"
crc=$?
if [ "$failures" != 0 ] || [ "$crc" != 0 ]; then
	echo "# the guest's output ($work/out.txt), last 40 lines:"
	grep -v '^@fio-json' "$work/out.txt" | tail -n 40 | sed 's/^/#   /'
	[ -s "$work/stderr" ] && sed 's/^/#   qemu\/run: /' "$work/stderr"
fi
echo "1..$n"
[ "$failures" = 0 ]
