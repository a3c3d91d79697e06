// SPDX-License-Identifier: GPL-2.0
/*
 * stress_short: a bounded run of edudma-stress on every device with two
 * threads (80 operations of 1 byte to 16 KiB, about 300 DMAs), which must
 * exit 0 (no error, no mismatch); the runner checks the pin counters after
 * it.  Its output is passed on as TAP diagnostics; the seed in it (or
 * EDUDMA_SEED and the case's name) repeats the run.
 */
#include "stress_child.h"

#define OPS "80"
#define SIZES "1-16k"

ET_PRECONDITION(et_need_device)

ET_TEST(edudma_stress_on_every_device_exits_0)
{
	char seed[32], line[512];
	int status = -1;
	FILE *out;
	pid_t pid;

	snprintf(seed, sizeof(seed), "%" PRIu64, et_rand());
	pid = et_stress_start(&out, "--devices", "all", "--threads", "2",
			      "--ops", OPS, "--sizes", SIZES, "--seed", seed,
			      "--quiet", (char *)NULL);
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
		  " --seed %s on every device: %s, expected exited 0", seed,
		  status == -1 ? "did not run" : et_status_str(status));
}
