// SPDX-License-Identifier: GPL-2.0
/*
 * stress_short: a bounded run of edudma-stress on every device with two
 * threads (80 operations of 1 byte to 16 KiB, about 300 DMAs), which must
 * exit 0 (no error, no mismatch); the runner checks the pin counters after
 * it.  Once with pinned registrations, once with half of them on demand.  Its output is passed on as TAP diagnostics; the seed in it (or
 * EDUDMA_SEED and the case's name) repeats the run.
 */
#include "stress_child.h"

#define OPS "80"
#define SIZES "1-16k"

ET_PRECONDITION(et_need_device)

/* One run with --on-demand PERCENT of the registrations on demand. */
static void stress_run(const char *on_demand)
{
	char seed[32], line[512];
	int status = -1;
	FILE *out;
	pid_t pid;

	snprintf(seed, sizeof(seed), "%" PRIu64, et_rand());
	pid = et_stress_start(&out, "--devices", "all", "--threads", "2",
			      "--ops", OPS, "--sizes", SIZES, "--seed", seed,
			      "--on-demand", on_demand, "--quiet", (char *)NULL);
	ET_ASSERT(pid > 0, "edudma-stress: %s", strerror(errno));
	while (fgets(line, sizeof(line), out)) {
		unsigned long long moved, verified;

		line[strcspn(line, "\n")] = 0;
		et_note("%s", line);
		/* the count the runner's report gathers: "# NAME: ..." */
		if (sscanf(line, " bytes %llu moved, %llu verified", &moved,
			   &verified) == 2)
			et_note("stress_short: edudma-stress bytes %llu moved, %llu verified",
				moved, verified);
	}
	fclose(out);
	ET_EXPECT(waitpid(pid, &status, 0) == pid && status == 0,
		  "edudma-stress --threads 2 --ops " OPS " --sizes " SIZES
		  " --seed %s --on-demand %s on every device: %s, expected exited 0",
		  seed, on_demand,
		  status == -1 ? "did not run" : et_status_str(status));
}

ET_TEST(edudma_stress_on_every_device_exits_0)
{
	stress_run("0");
}

/* Half the registrations on demand, mixed with pinned ones. */
ET_TEST(edudma_stress_half_on_demand_exits_0)
{
	stress_run("50");
}
