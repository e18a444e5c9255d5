/* SPDX-License-Identifier: BSD-2-Clause */
/* erlang.c: Erlang B/C by the stable recurrence, and staffing search. */
#include "config.h"

#include <math.h>

#include "ccmetrics/erlang.h"

/* Erlang B by B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)): no overflow. */
static double
erlang_b(int agents, double erlangs)
{
	double	b = 1.0;
	int	n;

	for (n = 1; n <= agents; n++)
		b = erlangs * b / (n + erlangs * b);
	return (b);
}

/* C(N, A) from B(N, A); N > A. */
static double
pwait_of(int agents, double erlangs, double b)
{
	return (agents * b / (agents - erlangs * (1.0 - b)));
}

/* 1 - C(N, A) e^-(N-A) t/AHT from B(N, A); N > A. */
static double
service_level_of(int agents, double erlangs, double b, double aht_s,
    double t_s)
{
	return (1.0 - pwait_of(agents, erlangs, b) *
	    exp(-(agents - erlangs) * t_s / aht_s));
}

double
erlang_c_pwait(int agents, double erlangs)
{
	if (agents <= erlangs)
		return (1.0);
	return (pwait_of(agents, erlangs, erlang_b(agents, erlangs)));
}

double
erlang_c_service_level(int agents, double erlangs, double aht_s, double t_s)
{
	if (agents <= erlangs)
		return (0.0);
	return (service_level_of(agents, erlangs, erlang_b(agents, erlangs),
	    aht_s, t_s));
}

int
erlang_c_agents(double lambda, double aht_s, double t_s, double target)
{
	double	a, b;
	int	n;

	if (!(lambda > 0.0) || !(aht_s > 0.0) || t_s < 0.0)
		return (-1);
	a = lambda * aht_s;
	/*
	 * Walk B(n) up from 1 instead of recomputing it for every N: the
	 * same B(n) erlang_c_service_level(n, a, ...) would compute, in
	 * O(N) rather than O(N^2) when no N reaches the target.
	 */
	b = 1.0;
	for (n = 1; n <= ERLANG_MAX_AGENTS; n++) {
		b = a * b / (n + a * b);
		if (n > a && service_level_of(n, a, b, aht_s, t_s) >= target)
			return (n);
	}
	return (-1);
}
