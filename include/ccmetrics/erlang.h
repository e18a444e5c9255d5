/* SPDX-License-Identifier: BSD-2-Clause */
/* erlang.h: Erlang C and Erlang A queueing formulas for staffing (DESIGN.md 4, 4.1). */
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

/* Erlang A (M/M/N+M) at N agents (DESIGN.md 4.1), computed exactly. */
struct erlang_a {
	double	p_wait;		/* P(W > 0) */
	double	p_abandon;	/* P(Ab) */
	double	mean_wait_s;	/* E[W] over all callers */
	double	service_level;	/* P(served and W <= t), over offered */
};

/*
 * Erlang A for lambda calls/s, mean handle time aht_s, mean patience
 * patience_s (INFINITY: nobody hangs up, Erlang C, needs N > A) and the
 * service-level threshold t_s; -1 on inputs out of range.
 */
int	erlang_a(int agents, double lambda, double aht_s, double patience_s,
	    double t_s, struct erlang_a *out);
/*
 * The smallest N with service level over offered >= target and P(Ab) <=
 * max_abandon, its figures in *out when out is not NULL; -1 when the
 * inputs are out of range or no N up to ERLANG_MAX_AGENTS will do.
 */
int	erlang_a_agents(double lambda, double aht_s, double patience_s,
	    double t_s, double target, double max_abandon,
	    struct erlang_a *out);

#endif
