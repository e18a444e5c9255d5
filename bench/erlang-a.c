/* SPDX-License-Identifier: BSD-2-Clause */
/* erlang-a.c: the time of one erlang_a_agents search at 1,000 and 5,000 erlangs (and Erlang C's, for scale). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ccmetrics/erlang.h"

static double
cpu_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Median of RUNS searches, each repeated until it took 50 ms. */
static void
measure(double erlangs, double aht_s, double patience_s)
{
	struct erlang_a	r;
	double		lambda = erlangs / aht_s, t0, per[9], tmp;
	long		reps, i;
	int		run, j, n = -1;

	for (run = 0; run < 9; run++) {
		reps = 0;
		t0 = cpu_s();
		do {
			for (i = 0; i < 10; i++)
				n = erlang_a_agents(lambda, aht_s, patience_s,
				    20, 0.80, 0.05, &r);
			reps += 10;
		} while (cpu_s() - t0 < 0.05);
		per[run] = (cpu_s() - t0) / reps;
	}
	for (run = 1; run < 9; run++)	/* insertion sort of 9 */
		for (j = run; j > 0 && per[j - 1] > per[j]; j--) {
			tmp = per[j];
			per[j] = per[j - 1];
			per[j - 1] = tmp;
		}
	printf("erlang_a_agents A=%.0f AHT=%.0fs patience=%.0fs t=20s "
	    "target 0.80 max_abandon 0.05: N=%d SL=%.4f P(Ab)=%.4f "
	    "median %.3f ms (min %.3f, max %.3f) per search\n", erlangs,
	    aht_s, patience_s, n, r.service_level, r.p_abandon,
	    per[4] * 1e3, per[0] * 1e3, per[8] * 1e3);
}

int
main(void)
{
	measure(1000, 180, 60);
	measure(1000, 180, 180);
	measure(5000, 180, 60);
	measure(5000, 180, 180);
	return (0);
}
