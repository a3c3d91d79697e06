/* SPDX-License-Identifier: GPL-2.0 */
/*
 * faults.h: what the faults_* programs (injected faults around registered
 * and in-flight memory) share: regenerable data patterns, and the device
 * counters (registrations, queue depth) and the pin counter taken at the
 * start of a case, with the check that they are back there.
 */
#ifndef FAULTS_H
#define FAULTS_H

#include "edudma_test.h"

#define KiB 1024UL
#define MiB (1024 * KiB)

/* Pattern byte i of seed s: cheap, regenerable, never all one value. */
static inline unsigned char fl_pat(uint64_t s, size_t i)
{
	return (unsigned char)(ed_mix64(s + (i >> 3)) >> ((i & 7) * 8));
}

static inline void fl_pat_fill(unsigned char *p, size_t len, uint64_t s)
{
	for (size_t i = 0; i < len; i++)
		p[i] = fl_pat(s, i);
}

/* First offset where p differs from pattern s, or -1. */
static inline long fl_pat_diff(const unsigned char *p, size_t len, uint64_t s)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != fl_pat(s, i))
			return (long)i;
	return -1;
}

/*
 * COPYs len bytes from registration sh to dh (mapped at dst) on f and
 * expects dst to hold pattern s; what names the COPY and the pattern.
 */
static inline void fl_copy_expect_pat(int f, uint32_t sh, uint32_t dh,
				      const unsigned char *dst, size_t len,
				      uint64_t s, const char *what)
{
	long bad;

	ET_ASSERT_ERRNO(et_copy(f, sh, 0, dh, 0, len), 0, what);
	bad = fl_pat_diff(dst, len, s);
	ET_EXPECT(bad < 0, "%s: the destination differs at byte %ld", what,
		  bad);
}

/* Files on the devices and what their counters said when they were taken. */
struct fl_base {
	int ndev;
	int fd[LAB_MAX_DEVICES];
	uint64_t regions[LAB_MAX_DEVICES];
	long long pins;
};

/*
 * Opens every device (at most max of them), notes its registrations and
 * the pin counter; ends the case when a device cannot be opened.
 */
static inline void fl_base_take(struct fl_base *b, int max)
{
	struct edudma_stats st;
	int n = et_ndevices();

	memset(b, 0, sizeof(*b));
	b->ndev = n < max ? n : max;
	for (int i = 0; i < b->ndev; i++)
		b->fd[i] = -1;
	for (int i = 0; i < b->ndev; i++) {
		b->fd[i] = et_open(i, 0);
		ET_ASSERT(b->fd[i] >= 0, "cannot open device %d: %s", i,
			  strerror(errno));
		ET_ASSERT_ERRNO(et_stats(b->fd[i], &st), 0, "GET_STATS");
		b->regions[i] = st.regions;
	}
	b->pins = et_pins();
}

static inline void fl_base_close(struct fl_base *b)
{
	for (int i = 0; i < b->ndev; i++)
		if (b->fd[i] >= 0)
			close(b->fd[i]);
	b->ndev = 0;
}

/*
 * 1 when the pin counter and every device's registrations and queue are
 * back where fl_base_take() found them (waiting a little for releases on
 * a workqueue); why says what was seen.
 */
static inline int fl_counters_back(const struct fl_base *b, char *why,
				   size_t whylen)
{
	long long pins = et_pins_settle(b->pins, 5000);
	struct edudma_stats st = { 0 };

	for (int i = 0; i < b->ndev; i++) {
		for (int t = 0; t < 500; t++) {
			if (et_stats(b->fd[i], &st) ||
			    (!st.queue_depth && st.regions == b->regions[i]))
				break;
			usleep(10000);
		}
		if (st.queue_depth || st.regions != b->regions[i]) {
			snprintf(why, whylen,
				 "device %d: regions %llu (want %llu), queue_depth %llu",
				 i, (unsigned long long)st.regions,
				 (unsigned long long)b->regions[i],
				 (unsigned long long)st.queue_depth);
			return 0;
		}
	}
	snprintf(why, whylen, "pin counter %+lld", pins - b->pins);
	return pins == b->pins;
}

#endif /* FAULTS_H */
