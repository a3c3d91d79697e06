# SPDX-License-Identifier: GPL-2.0
#
# edudma: top-level build.
#
#   make            build the driver, library, tools, tests and the guest
#                   image (only builds: the lab must be set up)
#   make setup      set the lab up: Debian packages (as root), the kernel
#                   tree and the guest kernel (qemu/setup); demo, check,
#                   bench, stress, soak and lint run it themselves
#   make demo       boot a guest with two edu devices and show the main job
#   make bench      benchmarks in one lab guest boot (bench/run, Documentation/performance.md);
#                   FTRACE=1 adds the function_graph profile of registration
#   make fio        the fio ioengine on libedudma (fio/build, Documentation/fio.md)
#   make timeline   a picture of the DMA pipeline from the driver's tracepoints
#                   (bench/timeline, TIMELINE_ARGS=; Documentation/tracing.md)
#   make check      run the whole test suite (host and guest)
#   make matrix     the suite and lint on every lab cell (tests/matrix; the
#                   cells: KERNEL=6.1|6.12|6.12-rt, QEMU=7.2|10.0)
#   make debug-kernel  build the lab's debug kernel once (KASAN, lockdep,
#                   kmemleak, DMA-API debug, fault injection: qemu/debug-kernel;
#                   about an hour on 2 CPUs, cached in build/cache/)
#   make check-debug   the whole suite on it (cell KERNEL=6.1-debug), failing on
#                   any report (Documentation/reliability.md)
#   make stress     minutes of stress, faults and fuzzing (STRESS_SECONDS per
#                   boot, default 120; plain and --iommu)
#   make soak       the same mix for SOAK_SECONDS (default 3600), with totals
#   make lint       the driver with W=1 and sparse, checkpatch --strict
#   make install    library, headers, edudma.pc, tools, man pages
#                   (PREFIX=/usr/local, DESTDIR=; UDEV=1 adds the udev rule);
#                   make uninstall removes them
#   make dkms       the module through DKMS for the running kernel (as root;
#                   make dkms-src, dkms-remove; Documentation/install.md)
#   make clean      remove everything built (the fetched guest kernel stays;
#                   make distclean removes it too)
#
# Variables: KERNEL and QEMU (the lab's cell: guest kernel 6.1, 6.12,
# 6.12-rt or 6.1-debug, QEMU 7.2 or 10.0; defaults 6.1 and 7.2; for setup, all, demo,
# check, bench, lint), KDIR (kernel build tree; default: the one qemu/setup picks),
# GUEST_KERNEL (image to boot), V=1 (show commands), CHECK_ARGS (passed to
# tests/run).

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
GUEST	:= $(BUILD)/guest

# The lab's cell: the guest kernel (6.1, 6.12, 6.12-rt) and the QEMU (7.2,
# 10.0).  The default cell lives in build/ and builds the module in
# driver/; every other cell in build/cell/KERNEL-qemuQEMU/, with its module
# built there.  Programs (library, tools, tests) do not depend on the cell.
KERNEL	?= 6.1
QEMU	?= 7.2
CELLS	:= 6.1/7.2 6.12/7.2 6.12-rt/7.2 6.1/10.0 6.12/10.0
ifeq ($(KERNEL)/$(QEMU),6.1/7.2)
CELL	:= $(BUILD)
KMOD	:= $(TOP)/driver
else
CELL	:= $(BUILD)/cell/$(KERNEL)-qemu$(QEMU)
KMOD	:= $(CELL)/kmod/driver
endif
LABCFG	:= $(CELL)/lab/config.mk
IMAGE	:= $(CELL)/guest/initramfs.cpio.gz
# qemu/run, tests/run, bench/run and tests/lint find the cell through these.
export EDUDMA_BUILD := $(CELL)
# and the programs' libedudma, which every cell shares (make lib)
export EDUDMA_LIBDIR := $(BUILD)/lib
export KERNEL QEMU

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC	?= cc
CSTD	:= -std=c11 -D_GNU_SOURCE
WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS	?= -O2 -g
UAPI_INC := -I$(TOP)/include/uapi
GUEST_LDFLAGS := -static

# The lab's settings, written by make setup; a build only reads them.
lab_var = $(shell sed -n 's/^$(1) := //p' $(LABCFG) 2> /dev/null)
LAB_KDIR := $(call lab_var,LAB_KDIR)
LAB_MODDIR := $(call lab_var,LAB_MODDIR)
KDIR ?= $(LAB_KDIR)
NOLAB = the lab is not set up: run 'make setup' first (packages, kernel tree, guest kernel)

# Targets that set the lab up first, then build in a second make, which
# reads the settings setup wrote.
SUBMAKE := $(MAKE) --no-print-directory

.PHONY: all setup driver tools tests guest demo check lint matrix print-cells \
	debug-kernel check-debug clean distclean help FORCE
all: driver lib tools tests guest

help:
	@sed -n '3,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

# ---- the lab's set-up: packages, KDIR, guest kernel -------------------------
# qemu/setup is quick when everything is there, and rewrites the settings
# only when they change; KDIR= on the command line chooses another tree.
setup:
	$(Q)KDIR=$(KDIR) qemu/setup --kernel $(KERNEL) --qemu $(QEMU) --config $(LABCFG)

# ---- driver ---------------------------------------------------------------
DRIVER_SRC := $(wildcard driver/*.c driver/*.h) driver/Kbuild include/uapi/linux/edudma.h
driver: $(KMOD)/edudma.ko
# Another cell's module is built in a tree of links to driver/ and include/.
$(KMOD)/edudma.ko: $(DRIVER_SRC) $(wildcard $(LABCFG))
	$(if $(KDIR),,$(error $(NOLAB), or give KDIR=))
	$(Q)$(if $(filter $(TOP)/driver,$(KMOD)),,qemu/kmod-tree $(KMOD))
	$(Q)$(MAKE) -s -C $(KDIR) M=$(KMOD) W=1 modules
	$(Q)touch $@

# ---- libedudma -------------------------------------------------------------
LIBDIR_B := $(BUILD)/lib
LIB_VERSION := 1.2.0
LIB_SONAME := libedudma.so.1
LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(patsubst lib/%.c,$(LIBDIR_B)/%.o,$(LIB_SRC))
LIB_HDR := lib/include/edudma.h include/uapi/linux/edudma.h lib/internal.h
LIB_INC := -I$(TOP)/lib/include $(UAPI_INC)
LIB_SO := $(LIBDIR_B)/libedudma.so.$(LIB_VERSION)
LIB_A := $(LIBDIR_B)/libedudma.a

lib: $(LIB_SO) $(LIB_A) $(LIBDIR_B)/edudma.pc

$(LIBDIR_B)/%.o: lib/%.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CFLAGS) -fPIC -fvisibility=default $(LIB_INC) -c -o $@ $<

$(LIB_SO): $(LIB_OBJ) lib/libedudma.map
	$(Q)$(CC) -shared -o $@ $(LIB_OBJ) -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=lib/libedudma.map -Wl,-z,defs -lpthread
	$(Q)ln -sf libedudma.so.$(LIB_VERSION) $(LIBDIR_B)/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(LIBDIR_B)/libedudma.so

$(LIB_A): $(LIB_OBJ)
	$(Q)rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

# ---- install ---------------------------------------------------------------
PREFIX ?= /usr/local
DESTDIR ?=
I_LIB := $(DESTDIR)$(PREFIX)/lib
I_INC := $(DESTDIR)$(PREFIX)/include
I_BIN := $(DESTDIR)$(PREFIX)/bin
I_MAN := $(DESTDIR)$(PREFIX)/share/man

# edudma.pc names PREFIX, so it is remade on every run (and replaced only
# when it changed): make lib, then make install PREFIX=/usr, installs /usr.
$(LIBDIR_B)/edudma.pc: lib/edudma.pc.in Makefile FORCE
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$${prefix}/lib|' \
		-e 's|@INCLUDEDIR@|$${prefix}/include|' -e 's|@VERSION@|$(LIB_VERSION)|' $< > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

.PHONY: lib install uninstall
install: lib tools
	$(Q)install -d $(I_LIB)/pkgconfig $(I_INC)/linux $(I_BIN) $(I_MAN)/man1 $(I_MAN)/man3
	$(Q)install -m 644 lib/include/edudma.h $(I_INC)/edudma.h
	$(Q)install -m 644 include/uapi/linux/edudma.h $(I_INC)/linux/edudma.h
	$(Q)install -m 755 $(LIB_SO) $(I_LIB)/
	$(Q)ln -sf libedudma.so.$(LIB_VERSION) $(I_LIB)/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(I_LIB)/libedudma.so
	$(Q)install -m 644 $(LIB_A) $(I_LIB)/
	$(Q)install -m 644 $(LIBDIR_B)/edudma.pc $(I_LIB)/pkgconfig/
	$(Q)install -m 755 $(TOOLS) $(I_BIN)/
	$(Q)$(if $(wildcard man/man1/*.1),install -m 644 $(wildcard man/man1/*.1) $(I_MAN)/man1/)
	$(Q)$(if $(wildcard man/man3/*.3),install -m 644 $(wildcard man/man3/*.3) $(I_MAN)/man3/)

uninstall:
	$(Q)rm -f $(I_INC)/edudma.h $(I_INC)/linux/edudma.h \
		$(I_LIB)/libedudma.so.$(LIB_VERSION) $(I_LIB)/$(LIB_SONAME) \
		$(I_LIB)/libedudma.so $(I_LIB)/libedudma.a $(I_LIB)/pkgconfig/edudma.pc \
		$(addprefix $(I_BIN)/,$(notdir $(TOOLS))) \
		$(addprefix $(I_MAN)/man1/,$(notdir $(wildcard man/man1/*.1))) \
		$(addprefix $(I_MAN)/man3/,$(notdir $(wildcard man/man3/*.3)))

# ---- packaging: DKMS source tree, udev rule (Documentation/install.md) ----
# make dkms-src: dkms.conf, driver/ and include/ in DKMS_SRC (default
# build/dkms/edudma-VERSION; VERSION is LIB_VERSION, the project's one
# version); make dkms (root): dkms add, build, install of that tree for KVER
# (default: the running kernel), with the copy in DKMS_SOURCETREE (/usr/src)
# and DKMS_FLAGS given to each dkms command; make dkms-remove undoes it.
# The udev rule only on request: make install-udev, or UDEV=1 with
# install and uninstall, in $(DESTDIR)$(UDEVDIR).
DKMS_VERSION := $(LIB_VERSION)
DKMS_SRC ?= $(BUILD)/dkms/edudma-$(DKMS_VERSION)
DKMS_SOURCETREE ?= /usr/src
DKMS_FLAGS ?=
KVER ?= $(shell uname -r)
DKMS_FILES := driver/Kbuild $(filter-out %.mod.c,$(wildcard driver/*.c driver/*.h))
# (Without this make's MAKEFLAGS: dkms's own make of the module gets none.)
DKMS_CMD = env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dkms $(1) --sourcetree $(DKMS_SOURCETREE) $(DKMS_FLAGS)
DKMS_MV := -m edudma -v $(DKMS_VERSION)
UDEVDIR ?= /etc/udev/rules.d
UDEV_RULE := 70-edudma.rules
udev_opt = $(if $(filter-out 0 no,$(UDEV)),$(1))

.PHONY: dkms-src dkms dkms-remove install-udev uninstall-udev
dkms-src:
	$(Q)rm -rf $(DKMS_SRC)/dkms.conf $(DKMS_SRC)/driver $(DKMS_SRC)/include
	$(Q)install -d $(DKMS_SRC)/driver $(DKMS_SRC)/include/uapi/linux
	$(Q)sed '/^PACKAGE_VERSION=/s|@VERSION@|$(DKMS_VERSION)|' dkms.conf > $(DKMS_SRC)/dkms.conf
	$(Q)install -m 644 $(DKMS_FILES) $(DKMS_SRC)/driver/
	$(Q)install -m 644 include/uapi/linux/edudma.h $(DKMS_SRC)/include/uapi/linux/

dkms: dkms-src
	$(Q)[ "$$(id -u)" = 0 ] || { echo "make dkms: run it as root" >&2; exit 1; }
	$(Q)if [ -n "$$($(call DKMS_CMD,status) $(DKMS_MV))" ]; then \
		$(call DKMS_CMD,remove) $(DKMS_MV) --all; fi
	$(Q)$(call DKMS_CMD,add) --force $(DKMS_SRC)
	$(Q)$(call DKMS_CMD,build) $(DKMS_MV) -k $(KVER)
	$(Q)$(call DKMS_CMD,install) $(DKMS_MV) -k $(KVER)

dkms-remove:
	$(Q)if [ -n "$$($(call DKMS_CMD,status) $(DKMS_MV))" ]; then \
		$(call DKMS_CMD,remove) $(DKMS_MV) --all; fi
	$(Q)rm -rf $(DKMS_SOURCETREE)/edudma-$(DKMS_VERSION)

install: $(call udev_opt,install-udev)
uninstall: $(call udev_opt,uninstall-udev)
install-udev:
	$(Q)install -D -m 644 udev/$(UDEV_RULE) $(DESTDIR)$(UDEVDIR)/$(UDEV_RULE)
uninstall-udev:
	$(Q)rm -f $(DESTDIR)$(UDEVDIR)/$(UDEV_RULE)
# ---- end of packaging --------------------------------------------------------

# ---- guest programs: tools and tests (static, they run in the guest) ------
# A tool is tools/NAME.c, or tools/stress/*.c for edudma-stress.
TOOLS := $(patsubst tools/%.c,$(GUEST)/bin/%,$(wildcard tools/*.c)) $(GUEST)/bin/edudma-stress
GUEST_TESTS := $(patsubst tests/guest/%.c,$(GUEST)/tests/%,$(wildcard tests/guest/*.c))
GUEST_SCRIPTS := $(wildcard tests/guest/*.sh)
# edudma_bench.h (the benchmark floor, not uAPI) is in driver/, as the
# kernel's selftests include mm/gup_test.h.
TEST_INC := -I$(TOP)/tests/common -I$(TOP)/driver

tools: $(TOOLS)
tests: $(GUEST_TESTS)

# Helpers shared by tests and tools (common/), compiled once.
COMMON_OBJ := $(patsubst common/%.c,$(BUILD)/common/%.o,$(wildcard common/*.c))
COMMON_A := $(BUILD)/common/libcommon.a
COMMON_INC := -I$(TOP)/common
$(BUILD)/common/%.o: common/%.c $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CFLAGS) $(COMMON_INC) -c -o $@ $<
$(COMMON_A): $(COMMON_OBJ)
	$(Q)rm -f $@ && $(AR) rcs $@ $(COMMON_OBJ)

$(GUEST)/bin/%: tools/%.c $(wildcard tools/*.h) $(LIB_A) $(LIB_HDR) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CFLAGS) $(LIB_INC) $(COMMON_INC) -o $@ $< $(LIB_A) $(COMMON_A) $(GUEST_LDFLAGS) -lpthread

$(GUEST)/bin/edudma-stress: $(wildcard tools/stress/*.c tools/stress/*.h) $(LIB_A) $(LIB_HDR) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CFLAGS) $(LIB_INC) $(COMMON_INC) -o $@ $(wildcard tools/stress/*.c) $(LIB_A) $(COMMON_A) $(GUEST_LDFLAGS) -lpthread

# The tests' harness and helpers (tests/common/*.c, main() included), once.
ET_OBJ := $(patsubst tests/common/%.c,$(GUEST)/et/%.o,$(wildcard tests/common/*.c))
ET_A := $(GUEST)/et/libet.a
TEST_HDR := $(wildcard tests/common/*.h tests/guest/*.h) $(LIB_HDR) driver/edudma_bench.h
$(GUEST)/et/%.o: tests/common/%.c $(TEST_HDR) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CFLAGS) $(LIB_INC) $(TEST_INC) $(COMMON_INC) -c -o $@ $<
$(ET_A): $(ET_OBJ)
	$(Q)rm -f $@ && $(AR) rcs $@ $(ET_OBJ)

$(GUEST)/tests/%: tests/guest/%.c $(LIB_A) $(TEST_HDR) $(ET_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CFLAGS) $(LIB_INC) $(TEST_INC) $(COMMON_INC) -o $@ $< $(ET_A) $(LIB_A) $(COMMON_A) $(GUEST_LDFLAGS) -lpthread

# ---- the guest image --------------------------------------------------------
guest: $(IMAGE)
$(IMAGE): $(KMOD)/edudma.ko $(TOOLS) $(GUEST_TESTS) \
		$(GUEST_SCRIPTS) tests/guest/edudma-testrun qemu/guest-init \
		qemu/mkimage qemu/lab-lib.sh qemu/klog-bad qemu/debug.config \
		$(wildcard $(LABCFG))
	$(if $(LAB_MODDIR),,$(error $(NOLAB)))
	@mkdir -p $(dir $@)
	$(Q)qemu/mkimage $@ --module $(KMOD)/edudma.ko --moddir "$(LAB_MODDIR)" \
		$(foreach f,$(TOOLS) tests/guest/edudma-testrun,--bin $(f)) \
		$(foreach f,$(GUEST_TESTS) $(GUEST_SCRIPTS),--test $(f)) \
		--data qemu/klog-bad --data qemu/debug.config \
		--kmod zsmalloc --kmod zram

# ---- the two commands of the README ---------------------------------------
demo: setup
	$(Q)$(SUBMAKE) all
	$(Q)qemu/run --no-build --devices 2 -- sh -c 'edudma-info && echo && edudma-copy -s 1m'

# ---- benchmarks (bench/run: one guest boot; Documentation/performance.md) ---
# The fio engine (fio/build; Documentation/fio.md).
.PHONY: fio
fio: setup
	$(Q)fio/build

.PHONY: timeline
timeline: setup
	$(Q)bench/timeline $(TIMELINE_ARGS)

# FTRACE=1: and where registration's time goes (bench/run --ftrace: two
# more boots, function_graph over the floor, REG_MR and DEREG_MR).
.PHONY: bench
bench: setup
	$(Q)$(SUBMAKE) lib driver
	$(Q)bench/run $(if $(filter 1,$(FTRACE)),--ftrace)

check: setup
	$(Q)$(SUBMAKE) all
	$(Q)tests/run $(CHECK_ARGS)

# ---- the debug kernel and the suite on it (Documentation/reliability.md) -------
debug-kernel:
	$(Q)qemu/debug-kernel
check-debug: debug-kernel
	$(Q)$(SUBMAKE) check KERNEL=6.1-debug QEMU=$(QEMU)

# ---- every cell: setup, lint and the suite on each (tests/matrix) --------------
matrix:
	$(Q)tests/matrix $(if $(CHECK_ARGS),-- $(CHECK_ARGS))
print-cells:
	@echo $(CELLS)

# ---- static checks of the driver (tests/lint) --------------------------------
lint: setup
	$(Q)tests/lint $(KDIR)

clean:
	$(Q)rm -f driver/*.o driver/*.ko driver/*.mod driver/*.mod.c driver/.*.cmd \
		driver/modules.order driver/Module.symvers
	$(Q)rm -rf $(GUEST) $(BUILD)/host $(BUILD)/check $(BUILD)/cell $(BUILD)/matrix $(LABCFG)

distclean: clean
	$(Q)rm -rf $(BUILD)

# ---- reliability runs with totals (tests/soak) ------------------------------
.PHONY: stress soak
stress: setup
	$(Q)$(SUBMAKE) all
	$(Q)tests/soak stress $(STRESS_SECONDS)
soak: setup
	$(Q)$(SUBMAKE) all
	$(Q)tests/soak soak $(SOAK_SECONDS)
