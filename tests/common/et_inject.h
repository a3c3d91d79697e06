/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection for the guest tests on the debug kernel (make
 * check-debug; Documentation/reliability.md), in the style of iommufd's
 * fail_nth selftest (et_inject.c):
 *
 * - the Nth allocation of the calling task fails: failslab and
 *   fail_page_alloc through /proc/thread-self/fail-nth, which counts only
 *   this task's allocations (and nothing in interrupt context);
 * - a function of the driver returns an error: fail_function on the
 *   functions edudma marks with ALLOW_ERROR_INJECTION, filtered to the
 *   tasks that set /proc/self/make-it-fail.
 *
 * Other kernels have none of the three controls; et_inject_missing() says
 * so and the tests skip.
 */
#ifndef ET_INJECT_H
#define ET_INJECT_H

#include <stddef.h>

/* NULL on a kernel with fail-nth, failslab, fail_page_alloc and
 * fail_function; otherwise why the tests cannot run. */
const char *et_inject_missing(void);

/*
 * Makes fail-nth reach every allocation a call can make: failslab and
 * fail_page_alloc stop ignoring sleeping and highmem allocations and
 * small orders, and print nothing for an injected failure (a task
 * without fail-nth is never affected: their probability stays 0).  With
 * an IOMMU, page allocations are left out (a 6.1 Intel IOMMU bug, see
 * et_inject.c); slab allocations are swept everywhere.  0 or the errno.
 */
int et_inject_setup(void);

/* What a failed call must give back: pins, VmPin and VmLck of this process. */
struct et_acct {
	long long pins;
	long long vm_pin;
	long long vm_lck;
};
void et_acct_now(struct et_acct *a);
/* ET_EXPECTs that now is as before; what names the step. */
void et_acct_expect(const struct et_acct *before, const char *what);

/*
 * The sweep: for N = 1, 2, ... runs prep(arg) (if given; it must
 * succeed), then call(arg) with the Nth failure point of this task
 * failing, until a run reaches no Nth point.  Every run must end with 0
 * or an errno of allowed (a list ending in 0); after a successful run
 * undo(arg) (if given) puts things back; after every run the process's
 * pins, VmPin and VmLck must be back where they were before prep, and the
 * last run (no injection) must succeed.  Returns how many failure points
 * the call reached; at most max runs.
 */
unsigned int et_sweep_nth(const char *what, int (*prep)(void *arg),
			  int (*call)(void *arg), int (*undo)(void *arg),
			  void *arg, const int *allowed, unsigned int max);

/*
 * fail_function: makes func (a function of edudma's that allows error
 * injection) return -err for this process's calls until
 * et_inject_func_off(); 0 or the errno.
 */
int et_inject_func(const char *func, int err);
void et_inject_func_off(void);

/* 1 when e is in the 0-terminated list */
int et_errno_in(int e, const int *list);

#endif /* ET_INJECT_H */
