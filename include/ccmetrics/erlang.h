/* SPDX-License-Identifier: BSD-2-Clause */
/* erlang.h: Erlang C queueing formulas for staffing (DESIGN.md section 4). */
#ifndef CCMETRICS_ERLANG_H
#define CCMETRICS_ERLANG_H

/* Probability that a call waits, C(N, A); 1 when N <= A. */
double	erlang_c_pwait(int agents, double erlangs);
/* Service level: share answered within t_s, 1 - C(N, A) e^-(N-A) t/AHT. */
double	erlang_c_service_level(int agents, double erlangs, double aht_s,
	    double t_s);
/*
 * The smallest N with service level >= target for arrival rate lambda
 * (calls/s) and aht_s; -1 when the inputs are not positive or no N up to
 * ERLANG_MAX_AGENTS reaches the target.
 */
int	erlang_c_agents(double lambda, double aht_s, double t_s,
	    double target);

#define ERLANG_MAX_AGENTS	100000

#endif
