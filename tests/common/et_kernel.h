/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest tests read from and write to the kernel beside the
 * device: the pin counters of /proc/vmstat, frames in /proc/self/pagemap,
 * the benchmark floor's debugfs file, the kernel log's bad lines
 * (qemu/klog-bad) and the module parameters (et_kernel.c).  Included by
 * edudma_test.h.
 */
#ifndef ET_KERNEL_H
#define ET_KERNEL_H

/* ---- kernel counters ---------------------------------------------------- */

/*
 * The two pin counters of /proc/vmstat, after asking the kernel to fold
 * the per-CPU counter deltas (vm.stat_refresh), so the numbers are exact.
 * Returns 0, or -1 when they cannot be read.
 */
int et_pin_counters(long long *acquired, long long *released);

/* nr_foll_pin_acquired - nr_foll_pin_released (-1000000: unreadable). */
long long et_pins(void);

/* nr_foll_pin_acquired alone: pages ever pinned (-1: unreadable). */
long long et_pins_acquired(void);

/*
 * The page frame mapped at addr, from /proc/self/pagemap (root sees the
 * frame numbers); 0 when nothing is mapped there or it cannot be read.
 */
uint64_t et_pfn(const void *addr);

/* The benchmark floor's debugfs file (edudma_bench.h); -1 with errno. */
int et_bench_open(void);

/* EDUDMA_BENCH_PIN; 0 or the errno (of the open, when that failed). */
int et_bench_pin(const void *addr, uint64_t len, uint32_t flags);

/*
 * Waits up to ms milliseconds for the pin count to come back to base (a
 * release may finish on a workqueue); returns the last value seen.
 */
long long et_pins_settle(long long base, int ms);

/* ---- the kernel log ------------------------------------------------------- */

#define ET_KLOG_BAD	"/usr/share/edudma/klog-bad"	/* qemu/klog-bad */
#define ET_KLOG_MAX	64

/*
 * 1 when msg is a kernel log line the lab's list (qemu/klog-bad) fails a
 * test on, 0 when not, -1 when the list cannot be read (the caller must
 * treat that as a failure: no list, no check).
 */
int et_klog_bad(const char *msg);

/* ---- /proc and /sys files ------------------------------------------------- */

/*
 * The number after key on its line of a /proc file of "Key: value" lines
 * (/proc/meminfo's "MemAvailable:", /proc/self/status's "CapEff:"), read
 * in base (10, or 16 for masks); -1 when there is no such line.
 */
long long et_proc_value(const char *path, const char *key, int base);

/* A file that holds one number (a sysctl, a sysfs setting); -1 unreadable. */
long et_file_long(const char *path);

/* Writes text to a sysctl or sysfs file; 0 or the errno. */
int et_file_put(const char *path, const char *text);

/*
 * The max_transfer a device of this guest's QEMU must report, worked out
 * without the driver: 4096 when the firmware's machine type
 * (/sys/class/dmi/id/product_version, "pc-q35-10.0") is of QEMU 9.1 or
 * later, else 4095.
 */
uint32_t et_expected_max_transfer(void);

/* ---- module parameters ---------------------------------------------------- */

/* The first line of a sysfs file into buf; 0 or the errno. */
int et_read_line(const char *path, char *buf, int len);

int et_param_get(const char *name, long *val);

int et_param_set(const char *name, long val);

/* /sys/class/edudma/edudmaMINOR/stats/NAME */
int et_sysfs_stat(unsigned int minor, const char *name,
		  uint64_t *val);

/* Milliseconds of CLOCK_MONOTONIC (the guest's virtual time under icount). */
long long et_now_ms(void);

/* ---- devices and their PCI addresses -------------------------------------- */

/* The /dev node of the edudma device bound at PCI address bdf, or "". */
const char *et_dev_of_bdf(const char *bdf);

/*
 * The last device's /dev path and PCI address (bdf, e.g. 0000:00:04.0);
 * NULL, or why there is none.
 */
const char *et_last_device(char *path, size_t pathlen, char *bdf,
			   size_t bdflen);

#endif /* ET_KERNEL_H */
