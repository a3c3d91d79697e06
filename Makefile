# SPDX-License-Identifier: GPL-2.0
#
# edudma: top-level build.
#
#   make            set up the lab, build the driver, library, tools, tests
#                   and the guest image
#   make demo       boot a guest with two edu devices and show the main job
#   make check      run the whole test suite (host and guest)
#   make clean      remove everything built (the fetched guest kernel stays;
#                   make distclean removes it too)
#
# Variables: KDIR (kernel build tree; default: the one qemu/setup picks),
# GUEST_KERNEL (image to boot), V=1 (show commands), CHECK_ARGS (passed to
# tests/run).

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
GUEST	:= $(BUILD)/guest
LABCFG	:= $(BUILD)/lab/config.mk

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

NOSETUP_GOALS := clean distclean help
ifeq ($(filter-out $(NOSETUP_GOALS),$(or $(MAKECMDGOALS),all)),)
else
-include $(LABCFG)
endif
KDIR ?= $(LAB_KDIR)

.PHONY: all setup driver tools tests guest demo check clean distclean help FORCE
all: driver tools tests guest

help:
	@sed -n '3,16p' Makefile | sed 's/^# \{0,1\}//'

# ---- the lab's set-up: packages, KDIR, guest kernel -------------------------
# Re-run when KDIR given on the command line differs from the recorded one.
$(LABCFG): qemu/setup $(if $(and $(LAB_KDIR),$(filter-out $(LAB_KDIR),$(KDIR))),FORCE)
	$(Q)KDIR=$(KDIR) qemu/setup --config $@
setup: $(LABCFG)

# ---- driver ---------------------------------------------------------------
DRIVER_SRC := $(wildcard driver/*.c driver/*.h) driver/Kbuild include/uapi/linux/edudma.h
driver: driver/edudma.ko
driver/edudma.ko: $(DRIVER_SRC) $(LABCFG)
	$(Q)$(MAKE) -s -C $(KDIR) M=$(TOP)/driver W=1 modules
	$(Q)touch $@

# ---- guest programs: tools and tests (static, they run in the guest) ------
TOOLS := $(patsubst tools/%.c,$(GUEST)/bin/%,$(wildcard tools/*.c))
GUEST_TESTS := $(patsubst tests/guest/%.c,$(GUEST)/tests/%,$(wildcard tests/guest/*.c))
GUEST_SCRIPTS := $(wildcard tests/guest/*.sh)
TEST_INC := -I$(TOP)/tests/common

tools: $(TOOLS)
tests: $(GUEST_TESTS)

$(GUEST)/bin/%: tools/%.c include/uapi/linux/edudma.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CFLAGS) $(UAPI_INC) -o $@ $< $(GUEST_LDFLAGS)

$(GUEST)/tests/%: tests/guest/%.c include/uapi/linux/edudma.h $(wildcard tests/common/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CFLAGS) $(UAPI_INC) $(TEST_INC) -o $@ $< $(GUEST_LDFLAGS)

# ---- the guest image --------------------------------------------------------
guest: $(GUEST)/initramfs.cpio.gz
$(GUEST)/initramfs.cpio.gz: driver/edudma.ko $(TOOLS) $(GUEST_TESTS) \
		$(GUEST_SCRIPTS) tests/guest/edudma-testrun qemu/guest-init \
		qemu/mkimage qemu/lab-lib.sh $(LABCFG)
	@mkdir -p $(dir $@)
	$(Q)qemu/mkimage $@ --module driver/edudma.ko --moddir "$(LAB_MODDIR)" \
		$(foreach f,$(TOOLS) tests/guest/edudma-testrun,--bin $(f)) \
		$(foreach f,$(GUEST_TESTS) $(GUEST_SCRIPTS),--test $(f))

# ---- the two commands of the README ---------------------------------------
demo: all
	$(Q)qemu/run --no-build --devices 2 -- edudma-info

check: all
	$(Q)tests/run $(CHECK_ARGS)

clean:
	$(Q)rm -f driver/*.o driver/*.ko driver/*.mod driver/*.mod.c driver/.*.cmd \
		driver/modules.order driver/Module.symvers
	$(Q)rm -rf $(GUEST) $(BUILD)/host $(BUILD)/check $(LABCFG)

distclean: clean
	$(Q)rm -rf $(BUILD)
