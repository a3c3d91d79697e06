// SPDX-License-Identifier: GPL-2.0
/*
 * sdk_cache_threads: the SDK's registration cache (sdk_cache.h) shared by
 * four threads, each renewing its buffer (munmap and mmap at the same
 * address) before half of its gets at random: no round loses data or gets
 * a stale registration, and the cache drops exactly one entry per
 * replacement (no event lost or seen twice).  Then a full event queue
 * (max_events 2 under six replacements): one LOST record, the cache
 * flushed, every later round right.
 */
#define ET_DEFAULT_TIMEOUT 300

#include <pthread.h>
#include <unistd.h>

#include "sdk_cache.h"

ET_PRECONDITION(et_need_device)

/* ---- threads sharing one cache -------------------------------------------- */

#define THREADS		4
/*
 * Rounds per thread: with one CPU the lab runs under icount and a DMA
 * costs little wall time; with more (guest-smp2) each costs 100 ms.
 */
static unsigned int t_rounds(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 40 : 100;
}

struct worker {
	struct edudma_dev *dev;
	uint64_t seed;
	int replaced;
	unsigned char *buf;	/* unmapped by the test once every thread ended */
	struct outcome o;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	unsigned char *buf = map_at(NULL);
	struct edudma_mr *mr;

	for (unsigned int round = 0; buf && round < t_rounds(); round++) {
		w->seed = w->seed * 6364136223846793005ULL + 1;
		if (round && w->seed >> 63) {	/* each one before a get */
			buf = renew_munmap(buf);
			w->replaced++;
			if (!buf)
				break;
		}
		if (edudma_mr_get(w->dev, buf, BUF_LEN, ET_RW, &mr))
			mr = NULL;
		one_round(mr, buf, &w->o);
		if (mr)
			edudma_mr_put(mr);
	}
	/*
	 * Not unmapped here: that would make this thread's last entry stale
	 * while the others still get, and they would drop it, one stale
	 * entry no replacement accounts for.
	 */
	w->buf = buf;
	if (!buf)
		w->o.other++;
	return NULL;
}

ET_TEST(four_threads_on_one_cache_every_replacement_gives_one_stale_entry)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct edudma_cache_stats cs;
	struct edudma_dev *dev;
	int replaced = 0, lost = 0, estale = 0, other = 0;

	ET_ASSERT(!edudma_open(0, &dev), "edudma_open");
	preload(dev);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .dev = dev, .seed = et_rand() | 1 };
		ET_ASSERT(!pthread_create(&t[i], NULL, worker, &w[i]),
			  "pthread_create");
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		replaced += w[i].replaced;
		lost += w[i].o.lost;
		estale += w[i].o.estale;
		other += w[i].o.other;
	}
	ET_ASSERT(!edudma_cache_stats(dev, &cs), "edudma_cache_stats");
	et_note("sdk_cache: %d threads x %u rounds, %d replacements; hits %llu, misses %llu, stale %llu",
		THREADS, t_rounds(), replaced, (unsigned long long)cs.hits,
		(unsigned long long)cs.misses, (unsigned long long)cs.stale);
	ET_EXPECT(!lost && !estale && !other,
		  "lost %d, ESTALE %d, other failures %d", lost, estale, other);
	ET_EXPECT(cs.stale == (uint64_t)replaced,
		  "%llu stale entries for %d replacements: an event lost or seen twice",
		  (unsigned long long)cs.stale, replaced);
	ET_EXPECT(cs.hits > 0 && cs.misses == (uint64_t)(replaced + THREADS),
		  "hits %llu, misses %llu; expected misses = replacements + %d",
		  (unsigned long long)cs.hits, (unsigned long long)cs.misses,
		  THREADS);
	for (int i = 0; i < THREADS; i++)
		if (w[i].buf)
			munmap(w[i].buf, BUF_LEN);
	edudma_close(dev);
}

/* ---- a full event queue ------------------------------------------------------ */

ET_TEST(a_full_event_queue_flushes_the_cache_and_no_data_is_lost)
{
	enum { N = 6 };
	unsigned char *buf[N];
	struct edudma_cache_stats cs;
	struct outcome o = { 0 };
	struct edudma_dev *dev;
	struct edudma_mr *mr;
	long old = 0;

	ET_ASSERT(!et_param_get("max_events", &old), "max_events");
	ET_ASSERT(!edudma_open(0, &dev), "edudma_open");
	preload(dev);
	for (int i = 0; i < N; i++) {
		buf[i] = map_at(NULL);
		ET_ASSERT(buf[i] && !edudma_mr_get(dev, buf[i], BUF_LEN, ET_RW,
						   &mr), "map, get");
		edudma_mr_put(mr);
	}
	ET_ASSERT(!et_param_set("max_events", 2), "max_events not writable");
	for (int i = 0; i < N; i++)
		buf[i] = renew_munmap(buf[i]);
	for (int i = 0; i < N; i++) {
		if (edudma_mr_get(dev, buf[i], BUF_LEN, ET_RW, &mr))
			mr = NULL;
		one_round(mr, buf[i], &o);
		if (mr)
			edudma_mr_put(mr);
	}
	et_param_set("max_events", old);
	ET_ASSERT(!edudma_cache_stats(dev, &cs), "edudma_cache_stats");
	ET_EXPECT(cs.lost == 1, "%llu LOST records seen, expected 1",
		  (unsigned long long)cs.lost);
	ET_EXPECT(!o.lost && !o.estale && !o.other,
		  "lost %d, ESTALE %d, other %d", o.lost, o.estale, o.other);
	ET_EXPECT(cs.misses == 2 * N, "misses %llu, expected %d (all anew)",
		  (unsigned long long)cs.misses, 2 * N);
	for (int i = 0; i < N; i++)
		munmap(buf[i], BUF_LEN);
	edudma_close(dev);
}
