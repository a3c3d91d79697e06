/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hotplug.h: what the guest halves of the hot-unplug tests share
 * (hotplug_guest for tests/host/t-hotplug.sh, replug_guest for
 * tests/host/t-faults-hotplug.sh): the device's PCI directory, async
 * COPYs queued for the removal to find, their completions gathered and
 * judged, waits for nodes to go and come.
 */
#ifndef HOTPLUG_H
#define HOTPLUG_H

#include "edudma_test.h"

#define HP_COOKIE	100	/* the first queued COPY's cookie */

/* 1 when the environment variable name is "1" (the host script sets it). */
static inline int hp_env_set(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "1");
}

/* "/sys/bus/pci/devices/DDDD:BB:SS.F" of the device info describes. */
static inline void hp_pcidir(const struct edudma_device_info *info,
			     char *buf, size_t len)
{
	snprintf(buf, len, "/sys/bus/pci/devices/%04x:%02x:%02x.%x",
		 info->pci_domain, info->pci_bus, info->pci_devfn >> 3,
		 info->pci_devfn & 7);
}

/*
 * Queues n async COPYs of len bytes on fd, the i-th from src + i * len to
 * dst + i * len with cookie HP_COOKIE + i.  0 or the first errno.
 */
static inline int hp_queue_copies(int fd, uint32_t src, uint32_t dst, int n,
				  uint64_t len)
{
	int e = 0;

	for (int i = 0; i < n && !e; i++) {
		struct edudma_xfer x = {
			.flags = EDUDMA_XFER_ASYNC, .op = EDUDMA_OP_COPY,
			.length = len, .cookie = HP_COOKIE + i,
			.src_handle = src, .src = i * len,
			.dst_handle = dst, .dst = i * len,
		};

		e = et_xfer(fd, &x);
	}
	return e;
}

/* Reads up to n completion records from fd within ms; how many it got. */
static inline int hp_collect(int fd, struct edudma_completion *comp, int n,
			     int ms)
{
	int got = 0;

	for (int t = 0; got < n && t < ms; t += 100) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		fcntl(fd, F_SETFL, O_NONBLOCK);
		r = read(fd, comp + got, (n - got) * sizeof(comp[0]));
		if (r > 0)
			got += r / sizeof(comp[0]);
		else if (r < 0 && errno != EAGAIN)
			break;
	}
	return got;
}

/*
 * Judges the got records of n COPYs of len bytes queued by
 * hp_queue_copies(): each cookie once, each either done (status 0, len
 * bytes) or ended by the removal (-ENODEV, -ECANCELED).  Returns the
 * records that are neither (the odd ones); *ended counts the second kind.
 * verbose: a diagnostic line per record.
 */
static inline int hp_judge(const struct edudma_completion *comp, int got,
			   int n, uint64_t len, int *ended, int verbose)
{
	int seen[64] = { 0 }, odd = 0;

	*ended = 0;
	for (int i = 0; i < got; i++) {
		uint64_t c = comp[i].cookie - HP_COOKIE;
		int s = comp[i].status;

		if (verbose)
			et_note("completion %d: cookie %llu, status %d, bytes %llu",
				i, (unsigned long long)comp[i].cookie, s,
				(unsigned long long)comp[i].bytes);
		if (c >= (uint64_t)n || c >= ET_ARRAY_SIZE(seen) || seen[c]++)
			odd++;
		else if (s == -ENODEV || s == -ECANCELED)
			(*ended)++;
		else if (s != 0 || comp[i].bytes != len)
			odd++;
	}
	return odd;
}

/* 1 when path and pcidir ("" for none) are gone within ms. */
static inline int hp_wait_gone(const char *path, const char *pcidir,
			       long long ms)
{
	for (long long t = 0; t < ms; t += 50) {
		if (!et_exists(path) && !(*pcidir && et_exists(pcidir)))
			return 1;
		usleep(50000);
	}
	return !et_exists(path) && !(*pcidir && et_exists(pcidir));
}

/*
 * A device node other than /dev/edudma0 (a plugged-in one) within ms, or
 * "": et_other_device()'s buffer.  *waited: how long it took (ms).
 */
static inline const char *hp_wait_other_device(long long ms,
					       long long *waited)
{
	long long t;

	for (t = 0; t < ms && !*et_other_device(); t += 100)
		usleep(100000);
	if (waited)
		*waited = t;
	return et_other_device();
}

#endif /* HOTPLUG_H */
