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

double
erlang_c_pwait(int agents, double erlangs)
{
	double	b;

	if (agents <= erlangs)
		return (1.0);
	b = erlang_b(agents, erlangs);
	return (agents * b / (agents - erlangs * (1.0 - b)));
}

double
erlang_c_service_level(int agents, double erlangs, double aht_s, double t_s)
{
	if (agents <= erlangs)
		return (0.0);
	return (1.0 - erlang_c_pwait(agents, erlangs) *
	    exp(-(agents - erlangs) * t_s / aht_s));
}

int
erlang_c_agents(double lambda, double aht_s, double t_s, double target)
{
	double	a, b;
	int	n;

	if (!(lambda > 0.0) || !(aht_s > 0.0) || t_s < 0.0)
		return (-1);
	a = lambda * aht_s;
	/* Walk B(n) up from 1 instead of recomputing it for every N. */
	b = 1.0;
	for (n = 1; n <= ERLANG_MAX_AGENTS; n++) {
		b = a * b / (n + a * b);
		if (n <= a)
			continue;
		if (1.0 - (n * b / (n - a * (1.0 - b))) *
		    exp(-(n - a) * t_s / aht_s) >= target)
			return (n);
	}
	return (-1);
}
