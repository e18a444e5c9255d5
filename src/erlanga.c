/* SPDX-License-Identifier: BSD-2-Clause */
/* erlanga.c: Erlang A (M/M/N+M, Palm) exactly, in log space, and its staffing search. */
#include "config.h"

#include <math.h>
#include <stddef.h>

#include "ccmetrics/erlang.h"

/*
 * The birth-death chain of DESIGN.md 4.1: n callers in the system, births
 * lambda, deaths min(n, N) mu + max(n - N, 0) theta. With a = N mu,
 * x = a / theta, y = lambda / theta and A = lambda / mu:
 *
 *   pi_n / pi_N = N! / (n! A^(N-n))                  n <= N
 *   pi_(N+j) / pi_N = y^j / ((x+1)(x+2)...(x+j))     j >= 0
 *
 * so with S(x, z) = sum_(k>=0) z^k / ((x+1)...(x+k)) and the Erlang B
 * value B(N, A), 1 / pi_N = 1 / B(N, A) - 1 + S(x, y), and
 *
 *   P(W>0)  = pi_N S(x, y)
 *   E[queue] = pi_N T(x, y),  T = sum_k k z^k / ((x+1)...(x+k))
 *   P(Ab)   = theta E[queue] / lambda = pi_N T(x, y) / y
 *   E[W]    = E[queue] / lambda                      (Little)
 *
 * A caller finding j waiting moves up at rate a + (k-1) theta in
 * position k and leaves at rate theta: it is served with probability
 * x / (x + j + 1), after a sum of exponentials of rates a + k theta,
 * k = 1..j+1. Summing those over the queue's distribution gives a closed
 * form (a lower incomplete gamma, here as the same series):
 *
 *   P(served, W > t) = pi_N (x / y) e^(-a t + y (1 - u)) (S(x, y u) - 1),
 *   u = e^(-theta t)
 *
 * and SL(t) over offered = 1 - P(W>0) + P(served, W>0) - P(served, W>t).
 * Every quantity is kept as a logarithm until the end, so offered loads of
 * thousands of erlangs neither overflow nor underflow.
 */

/* log(e^p + e^q) without overflow; -INFINITY is log 0. */
static double
log_add(double p, double q)
{
	double	m;

	if (p == -INFINITY)
		return (q);
	if (q == -INFINITY)
		return (p);
	m = p > q ? p : q;
	return (m + log(exp(p - m) + exp(q - m)));
}

/*
 * log(S(x, z) - 1) and log(T(x, z)) of the comment above. The terms grow
 * while z > x + k and then fall faster than geometrically; the sum stops
 * once a term (times k) is below 1e-17 of the sum, past the peak. The
 * sums are kept scaled by their largest term: one exp per term.
 */
static void
ea_series(double x, double z, double *log_s1, double *log_t)
{
	double	lt = 0.0, peak = -INFINITY, s = 0.0, t = 0.0, f;
	long	k;

	*log_s1 = *log_t = -INFINITY;
	if (!(z > 0.0))
		return;
	for (k = 1; k < 100000000L; k++) {
		lt += log(z / (x + k));
		if (lt > peak) {
			f = exp(peak - lt);	/* 0 on the first term */
			s *= f;
			t *= f;
			peak = lt;
		}
		f = exp(lt - peak);
		s += f;
		t += k * f;
		if (k > z - x && k * f < 1e-17 * t)
			break;
	}
	*log_s1 = peak + log(s);
	*log_t = peak + log(t);
}

/* log(1 / B(N, A)) by 1/B(n) = 1 + (n / A) / B(n-1), in logs. */
static double
log_inv_erlang_b(int agents, double erlangs)
{
	double	l = 0.0;
	int	n;

	for (n = 1; n <= agents; n++)
		l = log_add(0.0, log(n / erlangs) + l);
	return (l);
}

int
erlang_a(int agents, double lambda, double aht_s, double patience_s,
    double t_s, struct erlang_a *out)
{
	double	mu, a, x, y, theta, lr, ls1, lt, ls, lpi, ls1t, unused;
	double	served_w0, served_wt;

	if (agents < 1 || !(lambda > 0.0) || !(aht_s > 0.0) ||
	    !(patience_s > 0.0) || !(t_s >= 0.0) || isnan(patience_s))
		return (-1);
	mu = 1.0 / aht_s;
	a = agents * mu;
	if (isinf(patience_s)) {
		/* Nobody hangs up: Erlang C, stable only with N > A. */
		double	erl = lambda * aht_s, pw;

		if (agents <= erl)
			return (-1);
		pw = erlang_c_pwait(agents, erl);
		out->p_wait = pw;
		out->p_abandon = 0.0;
		out->mean_wait_s = pw / (a - lambda);
		out->service_level = erlang_c_service_level(agents, erl,
		    aht_s, t_s);
		return (0);
	}
	theta = 1.0 / patience_s;
	x = a / theta;
	y = lambda / theta;
	lr = log_inv_erlang_b(agents, lambda * aht_s);
	/* log(1/B - 1); 1/B >= 1, and 1/B == 1 only for N = 0. */
	lr = lr > 0.0 ? lr + log(-expm1(-lr)) : -INFINITY;
	ea_series(x, y, &ls1, &lt);
	ls = log_add(0.0, ls1);
	lpi = -log_add(lr, ls);
	ea_series(x, y * exp(-theta * t_s), &ls1t, &unused);
	served_w0 = (x / y) * exp(ls1 + lpi);
	served_wt = (x / y) * exp(-a * t_s - y * expm1(-theta * t_s) +
	    ls1t + lpi);
	out->p_wait = exp(ls + lpi);
	out->p_abandon = exp(lt + lpi) / y;
	out->mean_wait_s = exp(lt + lpi) / lambda;
	out->service_level = 1.0 - out->p_wait + served_w0 - served_wt;
	if (out->service_level < 0.0)
		out->service_level = 0.0;
	return (0);
}

/* Does N agents meet both goals? -1: cannot be computed at N. */
static int
ea_meets(int agents, double lambda, double aht_s, double patience_s,
    double t_s, double target, double max_abandon, struct erlang_a *r)
{
	if (erlang_a(agents, lambda, aht_s, patience_s, t_s, r) == -1)
		return (isinf(patience_s) ? 0 : -1);
	return (r->service_level >= target && r->p_abandon <= max_abandon);
}

int
erlang_a_agents(double lambda, double aht_s, double patience_s, double t_s,
    double target, double max_abandon, struct erlang_a *out)
{
	struct erlang_a	r;
	double		floor_n;
	int		lo, hi, mid, m;

	if (!(lambda > 0.0) || !(aht_s > 0.0) || !(patience_s > 0.0) ||
	    !(t_s >= 0.0) || !(target <= 1.0) || isnan(max_abandon))
		return (-1);
	/*
	 * Both goals only get easier with more agents (SL up, P(Ab) down), so
	 * the answer is found by doubling an upper bound, then bisecting.
	 * Agents serve at most N mu, so P(served) <= N / A: SL over offered
	 * <= N / A and P(Ab) >= 1 - N / A. Every N below A max(target,
	 * 1 - max_abandon) fails, and those are the N whose series are the
	 * longest (lambda - N mu large): at 1,000 calls/s and an hour's
	 * patience, starting from 1 took a minute.
	 */
	floor_n = lambda * aht_s * fmax(target, 1.0 - max_abandon);
	if (floor_n > ERLANG_MAX_AGENTS)
		return (-1);
	lo = floor_n > 0.0 ? (int)ceil(floor_n) - 1 : 0;	/* fails */
	hi = lo + 1;
	for (;;) {
		if ((m = ea_meets(hi, lambda, aht_s, patience_s, t_s, target,
		    max_abandon, &r)) == -1)
			return (-1);
		if (m)
			break;
		lo = hi;
		if (hi >= ERLANG_MAX_AGENTS)
			return (-1);
		hi = hi > ERLANG_MAX_AGENTS / 2 ? ERLANG_MAX_AGENTS : 2 * hi;
	}
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if ((m = ea_meets(mid, lambda, aht_s, patience_s, t_s, target,
		    max_abandon, &r)) == -1)
			return (-1);
		if (m)
			hi = mid;
		else
			lo = mid;
	}
	if (out != NULL && erlang_a(hi, lambda, aht_s, patience_s, t_s,
	    out) == -1)
		return (-1);
	return (hi);
}
