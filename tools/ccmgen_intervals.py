# SPDX-License-Identifier: BSD-2-Clause
# ccmgen_intervals.py: interval and real-time truth of ccmetrics-gen, from its own model.
"""Per-queue and per-agent intervals and rt.queue snapshots of a generated capture.

ccmetrics-gen hands over its contacts (DESIGN.md section 3 applied to the model: the
inbound leg's facts, the agent legs tied to it, the time of its answer) together with
their call.end truth records; nothing here looks at the pcap or at the daemon. Each
count goes to the interval of its own event, DESIGN.md section 4:

  offered, repeat_calls             arrival (inbound INVITE)
  blocked                           the rejecting final response
  answered, answered_within_sl,     the contact's answer (first 2xx of a tied agent leg
  wait_answered_s, max_wait_s,      while the inbound leg is up)
  wait_hist_answered
  abandoned, short_abandoned,       the caller's CANCEL or BYE
  abandon_wait_s, wait_hist_abandoned
  timeouts                          the PBX's end of the inbound leg (BYE or non-2xx)
  handled, talk_s, hold_s,          the end of each agent segment (an agent leg
  handle_s, holds                   answered while the inbound leg was up; it ends at
                                    the leg's end or at the 202 to a REFER the agent
                                    sent, whichever is first: DESIGN.md 3.3)
  rona                              the end of each ring-no-answer agent leg
  transfers                         the 202 to each REFER on a leg of the contact

Per agent: attempts at the agent INVITE, answered at the start of its segments, rona,
handled ... holds, transfers (202s on its own legs) as above, busy_s the segments'
answered time clipped to the interval. docs/decisions.md: histogram edges are upper-
inclusive, wait_hist_abandoned holds short abandons too, agent intervals exist for
agents with a count or busy time in them or a segment up at their end, configured
queues have one every interval (zeros included), from the interval holding the first
packet of the capture to the one holding the last; partial (cut) calls are left out
(they form no contact here).

Real time (rt.queue): a snapshot at packet time T shows the state just before the
packet at T: every event at a time < T has happened, none at T. (Packet time is the
capture time of frames; with HEP, a message's own time is HEP's, its frame is captured
a fixed delay later: an event is before the snapshot when its frame is, and
longest_wait_s runs from the arrival's own time to T.) `waiting`: contacts
arrived, neither answered nor with their inbound leg ended; `longest_wait_s`: T less
the oldest arrival among them; `talking` / `on_hold`: segments answered and not ended,
by whether a hold is in force. A hold (and its resume) takes effect in real time when
its offer is accepted (the 2xx): the daemon can report nothing earlier (its
call.hold is published then too), although the hold's time in hold_s runs from the
request. Likewise a leg ended by BYE ends in real time when the BYE is answered
(the daemon decides there whether it ends the leg, DESIGN.md 3.3), though its end
time is the BYE's. Snapshot times are where ccmetricsd takes them (docs/schema.md): the first
packet at or after each multiple of realtime_s, the first packet of the capture
itself excepted (it starts the clock).

Erlang C (DESIGN.md 4): A = offered / interval_s * AHT, P_wait = C(N, A) (1 when
N <= A), SL = 1 - P_wait * exp(-(N - A) t / AHT); erlang_c_agents is the smallest N in
1..100000 with SL >= sl_target, null without offered or handled calls.

Planning fields (DESIGN.md 4.1), each at its own event as above:

  wait_all_s, max_wait_all_s        the answer, abandon or timeout (not blocks)
  redials, reconnects               arrival: repeat contacts whose previous contact
                                    (call.end previous_outcome) had been answered by
                                    then (reconnect) or not (redial)
  ended_on_hold, agent_ended        the end of the inbound leg (call.end ended_on_hold,
                                    ended_by = agent)
  transfers_blind, transfers_attended  the 202, by whether its REFER named Replaces

patience_s = wait_all_s / (abandoned + short_abandoned); abandon_rate_offered =
(abandoned + short_abandoned) / offered; erlang_a_agents is the smallest N with SL(t)
over offered >= sl_target and P(Ab) <= max_abandon, by a method of its own (not the
daemon's closed form, so that each checks the other): the birth-death chain of
DESIGN.md 4.1 solved numerically, truncated where its stationary probabilities fall
below 1e-18 of the largest, and SL(t) from the waiting caller's position chain (its
callers ahead; served when it reaches the head and an agent frees, gone when it
abandons) by uniformization.
"""

import json
import math

WAIT_EDGES_S = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300)
ERLANG_MAX_AGENTS = 100000

QUEUE_COUNTS = ("offered", "blocked", "answered", "answered_within_sl", "wait_answered_s",
                "max_wait_s", "abandoned", "short_abandoned", "abandon_wait_s", "timeouts",
                "handled", "talk_s", "hold_s", "handle_s", "holds", "rona", "transfers",
                "repeat_calls")
PLANNING_COUNTS = ("wait_all_s", "max_wait_all_s", "redials", "reconnects", "ended_on_hold",
                   "agent_ended", "transfers_blind", "transfers_attended")
AGENT_COUNTS = ("attempts", "answered", "rona", "handled", "talk_s", "hold_s", "handle_s",
                "holds", "transfers", "busy_s")


# --- Erlang C -------------------------------------------------------------------

def erlang_c(n, a):
    """P_wait = C(N, A) by the Erlang B recurrence; 1 when N <= A."""
    if n <= a:
        return 1.0
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return n * b / (n - a * (1 - b))


def erlang_c_sl(n, a, aht_s, t_s):
    """Service level: the share answered within t_s with N agents, A Erlangs."""
    return 1 - erlang_c(n, a) * math.exp(-(n - a) * t_s / aht_s)


def erlang_c_agents(offered, interval_s, aht_s, t_s, target):
    """Smallest N (1..100000) with SL >= target, or None."""
    if offered <= 0 or aht_s is None or aht_s <= 0:
        return None
    a = offered / interval_s * aht_s
    b = 1.0
    for n in range(1, ERLANG_MAX_AGENTS + 1):
        b = a * b / (n + a * b)          # Erlang B(n, A), walked up from B(0) = 1
        if n <= a:
            continue
        p_wait = n * b / (n - a * (1 - b))
        if 1 - p_wait * math.exp(-(n - a) * t_s / aht_s) >= target:
            return n
    return None


def check_vectors():
    """DESIGN.md section 4 test vectors; raise AssertionError if one fails."""
    a = 100 / 1800 * 180
    assert abs(a - 10) < 1e-12, a
    assert round(erlang_c(14, a), 5) == 0.17413, erlang_c(14, a)
    assert round(erlang_c_sl(14, a, 180, 20), 5) == 0.88835, erlang_c_sl(14, a, 180, 20)
    n = erlang_c_agents(1000, 3600, 120, 20, 0.80)
    assert n == 38, n
    assert round(erlang_c_sl(38, 1000 / 3600 * 120, 120, 20), 4) == 0.8468
    assert erlang_c_agents(0, 900, 120, 20, 0.8) is None
    return True


# --- Erlang A, by the chain --------------------------------------------------------

def erlang_a_chain(n, lam, aht_s, patience_s, t_s):
    """(P(W>0), P(Ab), E[W] over all callers, SL(t) over offered) of M/M/n+M with
    arrival rate lam (1/s), mean handle aht_s and mean patience patience_s (finite).

    Stationary law of n = callers in the system (births lam, deaths min(n, N) mu +
    max(n - N, 0) theta) by its product form in logs, summed until past the peak the
    terms fall below 1e-18 of the largest. An arrival finding k >= 0 callers waiting
    (PASTA) waits in a chain of its own: k callers ahead, each step down at rate
    N mu + k theta (an agent frees, or one ahead abandons), out at rate theta (it
    abandons), served from k = 0 at rate N mu. P(served by t | k) by uniformization
    (the chain only moves down, so states up to the largest k needed are exact).
    """
    mu, theta = 1 / aht_s, 1 / patience_s
    logw, lw, k = [0.0], 0.0, 0
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        lw += math.log(lam / death)
        logw.append(lw)
        if k > n and lam < death and lw < max(logw) - 41.5:    # e^-41.5 < 1e-18
            break
    top = max(logw)
    w = [math.exp(x - top) for x in logw]
    total = sum(w)
    pi = [x / total for x in w]
    p_wait = sum(pi[n:])
    queue = sum((i - n) * pi[i] for i in range(n, len(pi)))
    p_ab = theta * queue / lam
    kmax = len(pi) - 1 - n                       # most callers ahead considered
    rate = n * mu + (kmax + 1) * theta           # uniformization rate
    lt = rate * t_s
    # g[k]: probability of being served within m jumps of the uniformized chain.
    g = [0.0] * (kmax + 1)
    served = [0.0] * (kmax + 1)
    m, logp = 0, -lt
    while True:
        pm = math.exp(logp)
        for i in range(kmax + 1):
            served[i] += pm * g[i]
        if m > lt + 1 and pm < 1e-20:           # past the mode: the tail is smaller
            break
        new = [0.0] * (kmax + 1)
        for i in range(kmax + 1):
            down = (n * mu + i * theta) / rate
            stay = 1 - (n * mu + (i + 1) * theta) / rate
            new[i] = down * (1.0 if i == 0 else g[i - 1]) + stay * g[i]
        g = new
        m += 1
        logp += math.log(lt) - math.log(m)
        if m > 100000:
            raise AssertionError("uniformization did not converge")
    sl = sum(pi[:n]) + sum(pi[n + i] * served[i] for i in range(kmax + 1))
    return p_wait, p_ab, queue / lam, sl


def erlang_a_agents(offered, interval_s, aht_s, patience_s, t_s, target, max_abandon):
    """Smallest N (1..100000) meeting both goals, or None (no offered or handled calls,
    no patience, or none meets them)."""
    if offered <= 0 or aht_s is None or aht_s <= 0 or patience_s is None or \
            patience_s <= 0:
        return None
    lam = offered / interval_s
    for n in range(1, ERLANG_MAX_AGENTS + 1):
        _, p_ab, _, sl = erlang_a_chain(n, lam, aht_s, patience_s, t_s)
        if sl >= target and p_ab <= max_abandon:
            return n
        if n > 4 * (lam * aht_s + 10) and p_ab > max_abandon and p_ab < 1e-12:
            return None
    return None


def check_erlang_a_vectors():
    """DESIGN.md 4.1 Erlang A vectors by the chain; raise AssertionError if one fails."""
    rows = [(200, 180, 120, 14, 0.126976, 0.022839, 2.7407, 0.932730),
            (1000, 120, 60, 38, 0.198930, 0.028255, 1.6953, 0.957088),
            (200, 180, 90, 9, 0.575764, 0.201103, 18.0993, 0.569641),
            (1000, 120, 180, 33, 0.596140, 0.066880, 12.0384, 0.703275)]
    for per_h, aht, pat, n, pw, pab, ew, sl in rows:
        got = erlang_a_chain(n, per_h / 3600, aht, pat, 20)
        assert round(got[0], 6) == pw, (per_h, pat, n, "P(W>0)", got)
        assert round(got[1], 6) == pab, (per_h, pat, n, "P(Ab)", got)
        assert round(got[2], 4) == ew, (per_h, pat, n, "E[W]", got)
        assert round(got[3], 6) == sl, (per_h, pat, n, "SL", got)
    for pat, max_ab, want in ((180, 0.05, 35), (60, 1.0, 32), (60, 0.05, 36)):
        got = erlang_a_agents(1000, 3600, 120, pat, 20, 0.80, max_ab)
        assert got == want, (pat, max_ab, got, want)
    assert erlang_a_agents(0, 900, 120, 60, 20, 0.8, 0.05) is None
    assert erlang_a_agents(10, 900, 120, None, 20, 0.8, 0.05) is None
    return True


# --- Accumulators -----------------------------------------------------------------

def wait_bucket(ms):
    """Histogram index of a wait: upper edges inclusive, then the open bucket."""
    for i, edge in enumerate(WAIT_EDGES_S):
        if ms <= edge * 1000:
            return i
    return len(WAIT_EDGES_S)


class QueueInterval:
    """Counts of one queue in one interval; durations in integer ms."""

    def __init__(self):
        """All zero."""
        self.n = dict.fromkeys(QUEUE_COUNTS + PLANNING_COUNTS, 0)
        self.hist_answered = [0] * (len(WAIT_EDGES_S) + 1)
        self.hist_abandoned = [0] * (len(WAIT_EDGES_S) + 1)


class AgentInterval:
    """Counts of one agent in one interval; durations in integer ms."""

    def __init__(self):
        """All zero; up_at_end: a segment of the agent outlasts the interval."""
        self.n = dict.fromkeys(AGENT_COUNTS, 0)
        self.up_at_end = False


class Model:
    """What the generator's model says about one contact, in ms since its start.

    `gen` is the generator module itself, for its event kinds and its own RONA rule
    (the same as its call.end truth uses).
    """

    def __init__(self, gen, contact, record, leg_events):
        """contact, record: from compute_truth; leg_events: leg_events(calls)."""
        self.gen, self.contact, self.record = gen, contact, record
        call, inbound = contact.call, contact.inbound
        self.queue = call.queue.name
        self.arrival = inbound.invite
        self.inbound_end = inbound.end
        # Segments: tied agent legs answered while the inbound leg was up (the
        # truth record's rule), in answer order.
        self.segments = sorted((f for f in contact.agent_legs if f.answer_key is not None
                                and f.answer_key < inbound.end_key),
                               key=lambda f: f.answer_key)
        self.answered_at = self.segments[0].answered if self.segments else None
        self.rona = [f for f in contact.agent_legs
                     if gen.is_rona(f, contact.answer_key, inbound.end_key)]
        self.wait = (self.answered_at if self.answered_at is not None
                     else self.inbound_end) - self.arrival
        # A leg's events live in the simulated call that made it, which need not be
        # this contact's (caller-number correlation may tie it to another call).
        self.events = {id(f): leg_events[id(f.leg)]
                       for f in [contact.inbound] + contact.agent_legs}

    def transfers(self, f):
        """(time, attended) of the 202s to REFERs on leg f; attended when the REFER's
        Refer-To named Replaces."""
        out, attended = [], False
        for e in self.events[id(f)]:
            if e.kind == self.gen.REFER:
                attended = e.replaces is not None
            elif e.kind == self.gen.ACCEPTED_REFER:
                out.append((e.t, attended))
        return out

    def hold_changes(self, f):
        """[(time of the accepting 2xx, held)] of leg f's hold and resume offers while
        answered, in order: when each took effect for real time."""
        gen, out, held, pending = self.gen, [], False, None
        answers = {gen.REINVITE: gen.OK_REINVITE, gen.UPDATE: gen.OK_UPDATE}
        for e in self.events[id(f)]:
            if e.t >= f.seg_end:
                break
            if e.kind in answers:
                pending = (answers[e.kind], e.mode in gen.HOLD_MODES)
            elif pending is not None and e.kind == pending[0]:
                if pending[1] != held:
                    held = pending[1]
                    out.append((e.t, held))
                pending = None
        return out


# --- Intervals ----------------------------------------------------------------------

class IntervalTruth:
    """Accumulates the models into epoch-aligned intervals."""

    def __init__(self, gen, queues, start_ms, interval_s, first_ms, last_ms, planning=None):
        """Intervals from the one holding first_ms to the one holding last_ms; planning:
        {queue: its Erlang A keys in the config} (erlang_a_patience_s, max_abandon)."""
        self.gen, self.queues = gen, list(queues)
        self.planning = planning or {}
        self.start_ms, self.len_ms = start_ms, interval_s * 1000
        self.interval_s = interval_s
        self.first = self.index(first_ms)
        self.last = self.index(last_ms)
        self.q = {}
        self.a = {}

    def index(self, t):
        """Interval number (since the epoch) of model time t (ms since the start)."""
        return (self.start_ms + t) // self.len_ms

    def check(self, t, what):
        """The interval of an event; every event lies within the capture."""
        i = self.index(t)
        if not self.first <= i <= self.last:
            raise AssertionError("%s at %d ms outside the capture's intervals" % (what, t))
        return i

    def qi(self, queue, t, what):
        """The counts of `queue` in the interval of an event at t."""
        i = self.check(t, what)
        return self.q.setdefault((queue, i), QueueInterval())

    def ai(self, agent, t, what):
        """The counts of `agent` in the interval of an event at t."""
        i = self.check(t, what)
        return self.a.setdefault((agent, i), AgentInterval())

    def add(self, m):
        """Every count of one contact."""
        gen, rec, q = self.gen, m.record, m.queue
        outcome = rec["outcome"]
        acc = self.qi(q, m.arrival, "arrival")
        acc.n["offered"] += 1
        acc.n["repeat_calls"] += rec["repeat"] is True
        if rec["repeat"]:
            acc.n["reconnects" if rec["previous_outcome"] == "answered" else "redials"] += 1
        acc = self.qi(q, m.inbound_end, "inbound end")
        acc.n["ended_on_hold"] += rec["ended_on_hold"] is True
        acc.n["agent_ended"] += rec["ended_by"] == "agent"
        if outcome != "blocked":
            acc = self.qi(q, m.inbound_end if m.answered_at is None else m.answered_at,
                          "leaving the queue")
            acc.n["wait_all_s"] += m.wait
            acc.n["max_wait_all_s"] = max(acc.n["max_wait_all_s"], m.wait)
        if outcome == "blocked":
            self.qi(q, m.inbound_end, "block").n["blocked"] += 1
        elif outcome == "timeout":
            self.qi(q, m.inbound_end, "timeout").n["timeouts"] += 1
        elif outcome in ("abandoned", "short_abandoned"):
            acc = self.qi(q, m.inbound_end, "abandon")
            if outcome == "abandoned":
                acc.n["abandoned"] += 1
                acc.n["abandon_wait_s"] += m.wait
            else:
                acc.n["short_abandoned"] += 1
            acc.hist_abandoned[wait_bucket(m.wait)] += 1
        elif outcome == "answered":
            acc = self.qi(q, m.answered_at, "answer")
            acc.n["answered"] += 1
            acc.n["answered_within_sl"] += m.wait <= gen.SL_THRESHOLD_S * 1000
            acc.n["wait_answered_s"] += m.wait
            acc.n["max_wait_s"] = max(acc.n["max_wait_s"], m.wait)
            acc.hist_answered[wait_bucket(m.wait)] += 1
        for f in m.contact.agent_legs:
            self.ai(f.leg.agent, f.invite, "agent INVITE").n["attempts"] += 1
        for f in m.segments:
            hold = sum(b - a for a, b in f.holds)
            handle = f.seg_end - f.answered
            self.ai(f.leg.agent, f.answered, "segment start").n["answered"] += 1
            for acc in (self.qi(q, f.seg_end, "segment end"),
                        self.ai(f.leg.agent, f.seg_end, "segment end")):
                acc.n["handled"] += 1
                acc.n["handle_s"] += handle
                acc.n["hold_s"] += hold
                acc.n["talk_s"] += handle - hold
                acc.n["holds"] += len(f.holds)
            self.busy(f.leg.agent, f.answered, f.seg_end)
        for f in m.rona:
            self.qi(q, f.end, "RONA").n["rona"] += 1
            self.ai(f.leg.agent, f.end, "RONA").n["rona"] += 1
        for f in [m.contact.inbound] + m.contact.agent_legs:
            for t, attended in m.transfers(f):
                acc = self.qi(q, t, "transfer")
                acc.n["transfers"] += 1
                acc.n["transfers_attended" if attended else "transfers_blind"] += 1
                if f is not m.contact.inbound:
                    self.ai(f.leg.agent, t, "transfer").n["transfers"] += 1

    def busy(self, agent, start, end):
        """Segment time [start, end) into each interval it overlaps."""
        for i in range(self.check(start, "segment"), self.check(end, "segment") + 1):
            lo = max(start, i * self.len_ms - self.start_ms)
            hi = min(end, (i + 1) * self.len_ms - self.start_ms)
            acc = self.a.setdefault((agent, i), AgentInterval())
            if hi > lo:
                acc.n["busy_s"] += hi - lo
            if end > (i + 1) * self.len_ms - self.start_ms:
                acc.up_at_end = True

    def bounds(self, i):
        """(start, end) of interval i as RFC 3339."""
        return (self.gen.rfc3339(i * self.len_ms), self.gen.rfc3339((i + 1) * self.len_ms))

    def queue_rows(self):
        """interval.queue truth: every configured queue, every interval."""
        gen = self.gen
        for i in range(self.first, self.last + 1):
            start, end = self.bounds(i)
            for queue in self.queues:
                acc = self.q.get((queue, i), QueueInterval())
                yield queue_row(gen, queue, start, end, self.interval_s, acc,
                                self.planning.get(queue, {}))

    def agent_rows(self):
        """interval.agent truth: agents with a count, busy time or a segment up at the
        end; with agent states (ccmgen_agents, DESIGN.md 7) also every agent with time
        in a state other than logged_out and unknown, and the state times."""
        import ccmgen_agents
        states = getattr(self, "states", None)
        for i in range(self.first, self.last + 1):
            start, end = self.bounds(i)
            agents = {a for a, j in self.a if j == i}
            if states is not None:
                agents |= {a for a, j in states if j == i and
                           ccmgen_agents.publishes(states[(a, j)])}
            for agent in sorted(agents):
                acc = self.a.get((agent, i), AgentInterval())
                st = None if states is None else states.get((agent, i))
                if acc.up_at_end or any(acc.n.values()) or \
                        (st is not None and ccmgen_agents.publishes(st)):
                    row = {"agent": agent, "start": start, "end": end,
                           "interval_s": self.interval_s}
                    for name in AGENT_COUNTS:
                        row[name] = self.gen.seconds(acc.n[name]) if name.endswith("_s") \
                            else acc.n[name]
                    if states is not None:
                        row.update(ccmgen_agents.state_fields(
                            self.gen, st or dict.fromkeys(ccmgen_agents.STATES, 0)))
                    yield row


def ratio(num, den):
    """num / den, or None when den is 0."""
    return None if den == 0 else num / den


def queue_row(gen, queue, start, end, interval_s, acc, planning=None):
    """One interval.queue object with the daemon's field names; planning: the queue's
    Erlang A keys in the config (absent: measured patience, max_abandon 0.05)."""
    planning = planning or {}
    n = acc.n
    row = {"queue": queue, "start": start, "end": end, "interval_s": interval_s}
    for name in QUEUE_COUNTS:
        row[name] = gen.seconds(n[name]) if name.endswith("_s") else n[name]
    den = n["answered"] + n["abandoned"]
    aht = ratio(n["handle_s"] / 1000, n["handled"])
    row["service_level"] = ratio(n["answered_within_sl"], den)
    row["asa_s"] = ratio(n["wait_answered_s"] / 1000, n["answered"])
    row["aht_s"] = aht
    row["abandon_rate"] = ratio(n["abandoned"], den)
    row["erlang_c_agents"] = erlang_c_agents(n["offered"], interval_s, aht,
                                             gen.SL_THRESHOLD_S, gen.SL_TARGET)
    row["sl_threshold_s"] = gen.SL_THRESHOLD_S
    row["sl_target"] = gen.SL_TARGET
    row["wait_hist_answered"] = list(acc.hist_answered)
    row["wait_hist_abandoned"] = list(acc.hist_abandoned)
    for name in PLANNING_COUNTS:
        row[name] = gen.seconds(n[name]) if name.endswith("_s") else n[name]
    abandons = n["abandoned"] + n["short_abandoned"]
    patience = ratio(n["wait_all_s"] / 1000, abandons)
    row["patience_s"] = patience
    row["abandon_rate_offered"] = ratio(abandons, n["offered"])
    row["erlang_a_agents"] = erlang_a_agents(
        n["offered"], interval_s, aht, planning.get("erlang_a_patience_s", patience),
        gen.SL_THRESHOLD_S, gen.SL_TARGET, planning.get("max_abandon", gen.MAX_ABANDON))
    return row


# --- Real time ----------------------------------------------------------------------

def snapshot_times(packet_times, realtime_s):
    """Model times of rt.queue snapshots: the first packet at or after each multiple
    of realtime_s (epoch-aligned, with start_ms already added), not the very first."""
    out, next_rt, step = [], None, realtime_s * 1000
    for t in packet_times:
        if next_rt is None:
            next_rt = (t // step + 1) * step
        elif t >= next_rt:
            out.append(t)
            next_rt = (t // step + 1) * step
    return out


def rt_rows(gen, models, queues, packet_times, start_ms, realtime_s, delay=0):
    """rt.queue truth at every snapshot time, every configured queue; packet_times
    are capture times (model times + delay)."""
    epoch = [start_ms + t for t in packet_times]
    snaps = [t - start_ms for t in snapshot_times(epoch, realtime_s)]
    segs = []               # (queue, answered, end, hold changes)
    for m in models:
        for f in m.segments:
            # Real time sees a segment end at the 202 that ends it, or when its
            # leg's end is decided (a BYE at its response, DESIGN.md 3.3); a
            # NOTIFY reporting that transfer failed brings it back until then.
            cut, failed = gen.segment_cut(m.events[id(f)], f.end)
            if failed is not None:
                segs.append((m.queue, f.answered, cut.t, m.hold_changes(f)))
                segs.append((m.queue, failed.t, f.close, m.hold_changes(f)))
                continue
            segs.append((m.queue, f.answered,
                         f.seg_end if f.seg_end < f.end else f.close,
                         m.hold_changes(f)))
    for snap in snaps:
        t = snap - delay        # events of model time < t were captured before snap
        state = {q: {"waiting": [], "talking": 0, "on_hold": 0} for q in queues}
        for m in models:
            gone = m.contact.inbound.close if m.answered_at is None else m.answered_at
            if m.arrival < t <= gone:
                state[m.queue]["waiting"].append(m.arrival)
        for queue, answered, end, changes in segs:
            if answered < t <= end:
                held = False
                for when, h in changes:
                    if when < t:
                        held = h
                state[queue]["on_hold" if held else "talking"] += 1
        for q in queues:
            s = state[q]
            yield {"queue": q, "ts": gen.rfc3339(start_ms + snap),
                   "waiting": len(s["waiting"]),
                   "longest_wait_s": gen.seconds(snap - min(s["waiting"])) if s["waiting"]
                   else 0.0,
                   "talking": s["talking"], "on_hold": s["on_hold"]}


# --- Output -------------------------------------------------------------------------

def write_jsonl(path, rows):
    """One JSON object per line."""
    with open(path, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")


def leg_events(calls):
    """{id(Leg): its scenario events in time order} over every simulated call."""
    out = {}
    for call in calls:
        by_leg = {}
        for ev in call.sorted_events():
            by_leg.setdefault(ev.leg, []).append(ev)
        for i, leg in enumerate(call.legs):
            out[id(leg)] = by_leg.get(i, [])
    return out


def write(gen, p, topo, calls, pairs, packet_times, queue_path=None, agent_path=None,
          rt_path=None, realtime_s=60, delay=0, states=None, capture_end=None):
    """Write the requested truth files. calls: every simulated call; pairs: (Contact,
    call.end record) of every complete contact; packet_times: model times of every
    packet in the capture; delay: the encapsulation's capture delay (ms, HEP's), by
    which the daemon's packet time trails the messages' own. The Erlang C test vectors are checked first: a wrong
    formula never writes truth."""
    check_vectors()
    check_erlang_a_vectors()
    if not packet_times:
        for path in (queue_path, agent_path, rt_path):
            if path:
                write_jsonl(path, [])
        return
    events = leg_events(calls)
    models = [Model(gen, c, r, events) for c, r in pairs]
    packet_times = [t + delay for t in packet_times]
    queues = [q.name for q in topo.queues]
    last = max(packet_times) if capture_end is None else capture_end
    truth = IntervalTruth(gen, queues, p.start_ms, gen.INTERVAL_S,
                          min(packet_times), last,
                          {q: gen.queue_planning(p, q) for q in queues})
    truth.states = states
    for m in models:
        truth.add(m)
    if queue_path:
        write_jsonl(queue_path, truth.queue_rows())
    if agent_path:
        write_jsonl(agent_path, truth.agent_rows())
    if rt_path:
        write_jsonl(rt_path, rt_rows(gen, models, queues, sorted(packet_times),
                                     p.start_ms, realtime_s, delay))
