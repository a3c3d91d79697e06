// SPDX-License-Identifier: GPL-2.0
/*
 * stress_short: a bounded run of edudma-stress on every device with two
 * threads (80 operations of 1 byte to 16 KiB, about 300 DMAs), which must
 * exit 0 (no error, no mismatch) and leave the pin counters where they
 * were.  Its output is passed on as TAP diagnostics; the seed in it (or
 * EDUDMA_SEED) repeats the run.
 */
#include "edudma_test.h"

#define OPS "80"
#define SIZES "1-16k"

int main(void)
{
	char seed[32], line[512];
	int pfd[2], status = 0;
	long long pins;
	FILE *f;
	pid_t pid;

	if (et_ndevices() < 1)
		tap_skip_all("no edudma device");
	tap_plan(1);
	et_seed_init();
	snprintf(seed, sizeof(seed), "%" PRIu64, et_seed_value);
	pins = et_pins();

	if (pipe(pfd)) {
		tap_ok(0, "edudma-stress: pipe: %s", strerror(errno));
		tap_finish();
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execlp("edudma-stress", "edudma-stress", "--devices", "all",
		       "--threads", "2", "--ops", OPS, "--sizes", SIZES,
		       "--seed", seed, "--quiet", (char *)NULL);
		printf("exec edudma-stress: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long moved, verified;

		line[strcspn(line, "\n")] = 0;
		tap_diag("%s", line);
		/* the count the runner's report gathers: "# NAME: ..." */
		if (sscanf(line, " bytes %llu moved, %llu verified", &moved,
			   &verified) == 2)
			tap_diag("stress_short: edudma-stress bytes %llu moved, %llu verified",
				 moved, verified);
	}
	if (f)
		fclose(f);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	tap_ok(status == 0 && et_pins_settle(pins, 3000) == pins,
	       "edudma-stress --threads 2 --ops " OPS " --sizes " SIZES
	       " --seed %s on every device: %s, pin counter %+lld",
	       seed, status == -1 ? "did not run" : et_status_str(status),
	       et_pins() - pins);
	tap_finish();
}
