// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for the guest tests (et_inject.h): the fail-nth sweep,
 * fail_function, and the accounting that must come back after a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "edudma_test.h"
#include "et_inject.h"

#define DBG		"/sys/kernel/debug"
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAIL_FUNC	DBG "/fail_function"

const char *et_inject_missing(void)
{
	if (!et_exists(FAIL_NTH))
		return "no " FAIL_NTH " (a kernel without CONFIG_FAULT_INJECTION: make check-debug runs this)";
	if (!et_exists(DBG "/failslab") || !et_exists(DBG "/fail_page_alloc"))
		return "no failslab or fail_page_alloc in debugfs (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC)";
	if (!et_exists(FAIL_FUNC "/inject"))
		return "no " FAIL_FUNC " (CONFIG_FAIL_FUNCTION)";
	return NULL;
}

int et_inject_setup(void)
{
	/*
	 * With an IOMMU, the Intel IOMMU's page-table allocations
	 * (GFP_ATOMIC, order 0, in the caller's task) are among the ones
	 * fail-nth counts, and 6.1's __domain_mapping() does not unroll the
	 * entries it set before such a failure: the next mapping of that
	 * IOVA warns "DMA PTE for vPFN ... already set".  A kernel bug, not
	 * the driver's: page allocations are left out there (min-order past
	 * MAX_ORDER); slab allocations are still swept.
	 */
	const char *min_order = lab_iommu_expected() ? "11" : "0";
	const char *const knobs[][2] = {
		{ DBG "/failslab/ignore-gfp-wait", "N" },
		{ DBG "/failslab/verbose", "0" },
		{ DBG "/fail_page_alloc/ignore-gfp-wait", "N" },
		{ DBG "/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ DBG "/fail_page_alloc/min-order", min_order },
		{ DBG "/fail_page_alloc/verbose", "0" },
	};
	int e;

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		e = et_file_put(knobs[i][0], knobs[i][1]);
		if (e)
			return e;
	}
	return 0;
}

void et_acct_now(struct et_acct *a)
{
	a->pins = et_pins();
	a->vm_pin = et_proc_value("/proc/self/status", "VmPin:", 10);
	a->vm_lck = et_proc_value("/proc/self/status", "VmLck:", 10);
}

void et_acct_expect(const struct et_acct *before, const char *what)
{
	struct et_acct now;

	now.pins = et_pins_settle(before->pins, 2000);
	now.vm_pin = et_proc_value("/proc/self/status", "VmPin:", 10);
	now.vm_lck = et_proc_value("/proc/self/status", "VmLck:", 10);
	ET_EXPECT(now.pins == before->pins, "%s: %lld pages still pinned",
		  what, now.pins - before->pins);
	ET_EXPECT(now.vm_pin == before->vm_pin,
		  "%s: VmPin %lld kB, was %lld kB (the memlock charge)", what,
		  now.vm_pin, before->vm_pin);
	ET_EXPECT(now.vm_lck == before->vm_lck, "%s: VmLck %lld kB, was %lld kB",
		  what, now.vm_lck, before->vm_lck);
}

int et_errno_in(int e, const int *list)
{
	for (; *list; list++)
		if (*list == e)
			return 1;
	return 0;
}

/*
 * Arms fail-nth (no allocation of ours may come between this and the
 * call: nothing printed, nothing touched for the first time).
 */
static int nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, (size_t)len, 0) == len ? 0 : errno;
}

/*
 * Disarms fail-nth; 1 when the armed failure point was reached (the
 * counter had run down to 0), 0 when not.  Reading can itself reach the
 * point: that counts as reached, as in iommufd's fail_nth.
 */
static int nth_disarm(int fd)
{
	char buf[16] = "";
	ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);

	while (pwrite(fd, "0", 1, 0) != 1 && errno == EINTR)
		;
	return r <= 0 || atoi(buf) == 0;
}

unsigned int et_sweep_nth(const char *what, int (*prep)(void *arg),
			  int (*call)(void *arg), int (*undo)(void *arg),
			  void *arg, const int *allowed, unsigned int max)
{
	int fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	unsigned int n, points = 0;
	struct et_acct before;
	char step[160];
	int r, fired;

	ET_ASSERT(fd >= 0, "open %s: %s", FAIL_NTH, strerror(errno));
	for (n = 1; n <= max; n++) {
		et_acct_now(&before);
		if (prep) {
			r = prep(arg);
			ET_ASSERT(!r, "%s: preparing run %u: %s", what, n,
				  et_errno_name(r));
		}
		ET_ASSERT(!nth_arm(fd, n), "arm %s with %u: %s", FAIL_NTH, n,
			  strerror(errno));
		r = call(arg);
		fired = nth_disarm(fd);
		snprintf(step, sizeof(step), "%s, failure point %u%s", what, n,
			 fired ? "" : " (not reached)");
		if (!fired) {
			ET_EXPECT(r == 0, "%s: %s with no failure injected",
				  step, et_errno_name(r));
			if (!r && undo)
				undo(arg);
			et_acct_expect(&before, step);
			break;
		}
		points++;
		ET_EXPECT(r == 0 || et_errno_in(r, allowed),
			  "%s: %s, not an errno the documents name for it",
			  step, et_errno_name(r));
		if (!r && undo)
			undo(arg);
		et_acct_expect(&before, step);
	}
	close(fd);
	ET_EXPECT(n <= max, "%s: still reaching failure points after %u runs",
		  what, max);
	et_note("%s: %u failure points reached, each failed cleanly", what,
		points);
	return points;
}

/* ---- fail_function ---------------------------------------------------- */

int et_inject_func(const char *func, int err)
{
	char path[128], val[32];
	int e;

	e = et_file_put(FAIL_FUNC "/inject", func);
	if (e)
		return e;
	snprintf(path, sizeof(path), FAIL_FUNC "/%s/retval", func);
	/* an unsigned long: -err as 64 bits (a 32-bit pattern is no errno) */
	snprintf(val, sizeof(val), "%#llx", (unsigned long long)-(long long)err);
	e = et_file_put(path, val);
	if (!e)
		e = et_file_put(FAIL_FUNC "/task-filter", "Y");
	if (!e)
		e = et_file_put(FAIL_FUNC "/probability", "100");
	if (!e)
		e = et_file_put(FAIL_FUNC "/interval", "1");
	if (!e)
		e = et_file_put(FAIL_FUNC "/times", "-1");
	if (!e)
		e = et_file_put(FAIL_FUNC "/verbose", "0");
	if (!e)
		e = et_file_put("/proc/self/make-it-fail", "1");
	if (e)
		et_inject_func_off();
	return e;
}

void et_inject_func_off(void)
{
	et_file_put("/proc/self/make-it-fail", "0");
	et_file_put(FAIL_FUNC "/inject", " ");	/* blanks: remove all */
	et_file_put(FAIL_FUNC "/probability", "0");
}
