/* SPDX-License-Identifier: GPL-2.0 */
/*
 * et_mem: the guest's memory settings the tests use, and put back:
 * transparent huge pages, hugetlbfs pages, what smaps says of a mapping.
 */
#ifndef ET_MEM_H
#define ET_MEM_H

/* The bracketed word of THP's "enabled" ("always", "madvise", "never"). */
const char *et_thp_mode(void);

/* Sets THP's mode; a failure shows when it is read back. */
void et_thp_set(const char *mode);

/*
 * Turns THP on for MADV_HUGEPAGE mappings when it is "never", saving the
 * mode before in old (oldlen bytes).  0 when THP is on now; -1 (the mode
 * put back) when it cannot be turned on.
 */
int et_thp_on(char *old, size_t oldlen);

/* Puts back the mode et_thp_on() saved. */
void et_thp_restore(const char *old);

/* kB of AnonHugePages in the mapping that starts at addr; -1 if none. */
long et_anon_huge_kb(void *addr);

/* /proc/sys/vm/nr_hugepages, -1 when it cannot be read; and setting it. */
long et_nr_hugepages(void);
void et_set_nr_hugepages(long n);

/*
 * Swap on a zram disk of mib MiB (zsmalloc and zram from the image's
 * /lib/modules, or built in), so that MADV_PAGEOUT has somewhere to put
 * anonymous pages.  0, or -1 with the reason in why.  et_swap_off()
 * takes it away again.
 */
int et_swap_on(unsigned int mib, char *why, size_t whylen);
void et_swap_off(void);

/* KSM's switch; absent on a kernel without CONFIG_KSM. */
#define ET_KSM_RUN "/sys/kernel/mm/ksm/run"

#endif /* ET_MEM_H */
