#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/guest.sh: runs inside the bench guest (started by bench/run), in
# /add, where bench/run put the benchmark binaries, the guest kernel's
# modules (kmod/) and Debian's libibverbs/rxe provider (ibverbs/).
#
# One boot: edu device 0 is unbound from edudma and given to vfio-pci (the
# others stay with edudma, all behind the same emulated Intel IOMMU); rxe
# runs on a dummy netdev (rxe needs the crc32 shash: crc32_generic.ko); then
# registration, rxe, on-demand paging, the registration cache, 100000
# registrations on one file, throughput and overhead, and fio through the
# edudma engine (bench/fio).  "profile": the boot without the IOMMU;
# "ftrace TAG": bench/run --ftrace's boots (bench/ftrace.sh).  "reg" and
# "profile reg": bench/run --reg-only's (registration against the floor and
# VFIO only).
cd /add || exit 1
note() { echo "== $*"; }
# Benchmark this tree's driver, whatever the image holds: reload it with the
# parameters qemu/run gave.
if [ -e /add/edudma.ko ]; then
	. /lab/env
	rmmod edudma && insmod /add/edudma.ko $LAB_PARAMS || { echo "reload of edudma.ko failed"; exit 1; }
	n=0
	while [ "$(ls /dev/edudma* 2>/dev/null | wc -l)" -lt "$(ls -d /sys/bus/pci/drivers/edudma/0000:* | wc -l)" ] && [ $n -lt 100 ]; do
		sleep 0.05; n=$((n + 1))
	done
	note "edudma.ko: $(md5sum < /add/edudma.ko | cut -c1-12) (this tree's), params: $LAB_PARAMS"
fi
KM=/add/kmod
# rxe on a dummy netdev (rxe=1 when rxe0 is there), and Debian's libibverbs
# where it looks for its providers.
rxe_up() {
	for m in crc32_generic ib_core ib_uverbs udp_tunnel ip6_udp_tunnel rdma_rxe dummy; do
		insmod "$KM/$m.ko" 2>&1 | grep -v 'File exists' || true
	done
	rxe=0
	if [ -x ./ip ] && [ -x ./rdma ]; then
		# dummy.ko makes dummy0 itself (numdummies=1)
		{ ./ip link show dummy0 >/dev/null 2>&1 || ./ip link add dummy0 type dummy; } &&
			./ip link set dummy0 up &&
			./rdma link add rxe0 type rxe netdev dummy0 && rxe=1
		./rdma link show 2>&1 | sed 's/^/== rdma: /'
	fi
	mkdir -p /etc/libibverbs.d /usr/lib/x86_64-linux-gnu/libibverbs
	cp -a ibverbs/etc/libibverbs.d/. /etc/libibverbs.d/ 2>/dev/null
	cp -a ibverbs/lib/libibverbs/. /usr/lib/x86_64-linux-gnu/libibverbs/ 2>/dev/null
	cp -a ibverbs/lib/*.so* /usr/lib/x86_64-linux-gnu/ 2>/dev/null
}
# rxe-bench [--tag T], or its n/a row.
rxe_bench() {
	if [ $rxe = 1 ]; then
		LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu ./rxe-bench "$@" ||
			note "rxe-bench failed: $?"
	else
		echo "@json {\"system\":\"rxe${2:+-$2}\",\"operation\":\"register+deregister\",\"backing\":\"all\",\"bytes\":0,\"ops\":0,\"seconds\":null,\"na\":\"rxe device could not be created (see the log)\"}"
	fi
}
if [ "${1-}" = ftrace ]; then
	# bench/run --ftrace: where a registration's time goes (bench/ftrace.sh).
	echo 600 > /proc/sys/vm/nr_hugepages
	echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
	echo madvise > /sys/kernel/mm/transparent_hugepage/defrag
	note "ftrace boot ($2): hugepages $(cat /proc/sys/vm/nr_hugepages) x 2 MiB"
	sh ./ftrace.sh "$2"
	exit $?
fi
if [ "${1-}" = profile ]; then
	# Second, supplementary boot (no IOMMU): what the IOMMU costs, and the
	# scatterlist's own coalescing of physically contiguous pages.
	echo 600 > /proc/sys/vm/nr_hugepages
	echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
	echo madvise > /sys/kernel/mm/transparent_hugepage/defrag
	note "profile boot without IOMMU"
	./edudma-bench reg --tag noiommu
	[ "${2-}" = reg ] && exit 0	# bench/run --reg-only
	# rxe never maps through an IOMMU: compared like with like here
	note "registration: rxe, no IOMMU"
	rxe_up
	rxe_bench --tag noiommu
	# 8 GiB of THP in one registration (this boot has the memory for it)
	note "registration: 8 GiB of THP, no IOMMU"
	mp=$(cat /sys/module/edudma/parameters/max_pinned_mb)
	echo 9216 > /sys/module/edudma/parameters/max_pinned_mb
	./edudma-bench reg --tag noiommu --size 8589934592 --backing thp
	echo "$mp" > /sys/module/edudma/parameters/max_pinned_mb
	grep -E 'AnonHugePages|thp_fault_alloc|thp_fault_fallback' /proc/meminfo /proc/vmstat | sed 's/^/== /'
	note "striped copy through 4K pages vs huge pages, no IOMMU"
	./edudma-bench xfer4k
	exit 0
fi

# ---- memory: hugetlbfs pool, THP on madvise ----------------------------------
echo 600 > /proc/sys/vm/nr_hugepages
note "hugepages: $(cat /proc/sys/vm/nr_hugepages) x 2 MiB"
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
echo madvise > /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null
note "THP enabled: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
note "THP defrag: $(cat /sys/kernel/mm/transparent_hugepage/defrag)"
note "kernel: $(uname -r), cpus: $(grep -c ^processor /proc/cpuinfo), mem: $(sed -n 's/MemTotal: *//p' /proc/meminfo)"
note "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"

# ---- VFIO: first edudma device -> vfio-pci ----------------------------------
group=''
bdf=$(ls -d /sys/bus/pci/drivers/edudma/0000:* 2>/dev/null | head -n 1)
bdf=${bdf##*/}
for m in vfio vfio_iommu_type1 vfio_virqfd irqbypass vfio-pci-core vfio-pci; do
	insmod "$KM/$m.ko" 2>&1 | grep -v 'File exists' || true
done
if [ -n "$bdf" ] && [ -e /sys/bus/pci/drivers/vfio-pci ]; then
	echo "$bdf" > /sys/bus/pci/drivers/edudma/unbind
	echo vfio-pci > "/sys/bus/pci/devices/$bdf/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	drv=$(readlink "/sys/bus/pci/devices/$bdf/driver")
	group=$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")
	group=${group##*/}
	note "vfio: $bdf bound to ${drv##*/}, IOMMU group $group; /dev/vfio: $(ls /dev/vfio | tr '\n' ' ')"
	for d in /sys/bus/pci/drivers/edudma/0000:*; do
		g=$(readlink "$d/iommu_group")
		note "edudma: ${d##*/} IOMMU group ${g##*/}"
	done
	[ "${drv##*/}" = vfio-pci ] || group=''
else
	note "vfio: n/a (no edudma device to take, or vfio-pci did not load)"
fi
n=0
while [ "$(ls /dev/edudma* 2>/dev/null | wc -l)" -lt "$(ls -d /sys/bus/pci/drivers/edudma/0000:* | wc -l)" ] && [ $n -lt 100 ]; do
	sleep 0.05; n=$((n + 1))
done
note "edudma devices: $(ls /dev/edudma* | tr '\n' ' ')"

# ---- rxe on a dummy netdev --------------------------------------------------
rxe_up

# ---- the benchmarks -----------------------------------------------------------
note "registration: floor, edudma, vfio"
if [ -n "$group" ]; then
	./edudma-bench reg --vfio-group "$group"
else
	./edudma-bench reg
fi
[ "${1-}" = reg ] && exit 0	# bench/run --reg-only
note "registration: rxe"
rxe_bench
grep -E 'HugePages_|AnonHugePages|thp_fault_alloc|thp_fault_fallback' /proc/meminfo /proc/vmstat | sed 's/^/== /'
note "on-demand against pinned"
# zram swap for its paged rows (the image's zsmalloc and zram modules)
for m in zsmalloc zram; do
	f=$(find /lib/modules -name "$m.ko" | head -n 1)
	[ -z "$f" ] || insmod "$f" 2>/dev/null
done
swap=0
[ -e /sys/block/zram0/disksize ] && echo 256M > /sys/block/zram0/disksize &&
	mkswap /dev/zram0 > /dev/null 2>&1 && swapon /dev/zram0 && swap=1
note "zram swap: $([ $swap = 1 ] && echo on || echo 'not available')"
./edudma-bench odp
[ $swap = 0 ] || swapoff /dev/zram0
note "the registration cache"
./edudma-bench cache
note "100000 registrations on one file"
mr=$(cat /sys/module/edudma/parameters/max_regions)
echo 100000 > /sys/module/edudma/parameters/max_regions
./edudma-bench scale 100000
echo "$mr" > /sys/module/edudma/parameters/max_regions
note "throughput and overhead"
./edudma-bench xfer

# ---- fio through the edudma engine (bench/fio, Documentation/fio.md) ----------
# One @json line per job: its devices, the DMAs the devices ran during it
# (their stats), fio's exit code and fio's own JSON report.
dmas() { cat /sys/class/edudma/edudma*/stats/dma_to_dev /sys/class/edudma/edudma*/stats/dma_from_dev | awk '{s += $1} END {print s}'; }
if [ -x ./fio ] && [ -e ./edudma-fio.so ]; then
	# shellcheck disable=SC2046
	set -- $(ls /dev/edudma*)
	export EDUDMA_DEV0="${1-}" EDUDMA_DEV1="${2-}" EDUDMA_DEV2="${3-}" EDUDMA_DEV3="${4-}"
	note "fio $(./fio --version) on $*"
	for j in fio-jobs/*.fio; do
		n=${j##*/}
		n=${n%.fio}
		nd=$(grep -c '^edudma_dev=' "$j")
		if [ "$nd" -gt $# ]; then
			echo "@json {\"system\":\"fio\",\"job\":\"$n\",\"devices\":$nd,\"fio\":null,\"na\":\"needs $nd edudma devices, the guest has $#\"}"
			continue
		fi
		d0=$(dmas)
		./fio --output-format=json --output="/tmp/fio-$n.json" "$j" > "/tmp/fio-$n.err" 2>&1
		rc=$?
		d=$(($(dmas) - d0))
		sed "s/^/== fio $n: /" "/tmp/fio-$n.err"
		body=$(sed -n '/^{/,$p' "/tmp/fio-$n.json" 2>/dev/null | tr -d '\n')
		echo "@json {\"system\":\"fio\",\"job\":\"$n\",\"devices\":$nd,\"rc\":$rc,\"dmas\":$d,\"fio\":${body:-null}}"
	done
else
	echo '@json {"system":"fio","job":"all","fio":null,"na":"no fio or edudma-fio.so in /add (bench/run: make fio)"}'
fi
note "vmstat: $(grep -E '^nr_foll_pin_(acquired|released)' /proc/vmstat | tr '\n' ' ')"
exit 0
