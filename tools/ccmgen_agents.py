# SPDX-License-Identifier: BSD-2-Clause
# ccmgen_agents.py: agent shifts, presence and the agent-state truth of ccmetrics-gen (DESIGN.md 7).
"""Agents of a generated capture: what they do (model) and what DESIGN.md 7 says of it (truth).

Model (--presence register | static; without it nothing here runs and the generator's
output is what it always was). The Roster hooks into the ACD simulation:

  shifts     register mode: an agent REGISTERs at its shift start (REGISTER, 401 with a
             challenge, REGISTER with credentials, 200 granting --expiry-s choices in
             the Contact's expires parameter or only in Expires), refreshes before the
             granted expiry (sometimes challenged again), sometimes lets a binding
             lapse (--lapse-prob: it runs out, the phone registers again later), and
             un-registers at its shift end (Expires: 0 with its Contact or `Contact: *`;
             the 200 lists no contact, or the contact with expires=0). Agents already
             registered before the capture (--pre-registered-share) show only their
             next refresh. Static mode: the agents in agents.ids are logged in from the
             start; --unlisted agents log in with a code at their shift start; shifts
             end with the logout code.
  codes      feature-code INVITEs from the phone (answered 200, the PBX hangs up
             1.5..4 s later): pauses while idle (--pause-per-hour) or during wrap-up
             (--wrapup-pause-prob), unpause after a break, a logout/login pair (lunch,
             --logout-per-hour).
  own calls  outbound calls (agent -> PBX, Request-URI 9 + a number: answered, busy or
             given up) and internal calls (agent -> PBX -> another agent's phone, an
             agent leg in no contact), --own-calls-per-hour per agent.
  the PBX    offers a queue call only to an agent logged in (register: bound and not
             logged out by code), not paused, not leaving, idle and past the wrap-up of
             the queue of its last segment (queues[].wrapup_s, --wrapup-s).

Truth (never from the pcap): from the simulation's legs (the generator's LegFacts and
its correlation of agent legs to contacts), REGISTER transactions and codes, each
agent's state over time by DESIGN.md 7's priority (on_call, busy_other, ringing,
wrapup, logged_out/unknown, paused, available), with one change per capture millisecond
(the state after all changes in it; the reason the first of answer, transfer_failed,
ring, dial, end,
unregister, register, expired, logout, login, pause, unpause, wrapup_end among its
causes), timed changes (expiry, wrap-up end) at their due time, and state time per
interval up to the last packet. Readings where DESIGN leaves a choice are listed in
DISCREPANCIES.md / docs/decisions.md and in the comments below.
"""

import json
from dataclasses import dataclass, field
from typing import Optional

REASON_ORDER = ("answer", "transfer_failed", "ring", "dial", "end", "unregister", "register", "expired",
                "logout", "login", "pause", "unpause", "wrapup_end")
FEATURE_CODES = {"pause": ("*41", "*49"), "unpause": ("*42",), "login": ("*43",),
                 "logout": ("*44",)}
STATE_FIELDS = ("staffed_s", "available_s", "ringing_s", "on_call_s", "busy_other_s",
                "wrapup_s", "paused_s", "unknown_s")
STATES = ("on_call", "busy_other", "ringing", "wrapup", "logged_out", "unknown",
          "paused", "available")
REQUESTED_EXPIRES = 3600
BIND_MARGIN_MS = 5000                 # the PBX calls no phone whose binding ends sooner
MAX_AGENTS_KEY = 1000                 # limits.max_agents of the generated config


# --- Model ---------------------------------------------------------------------------

@dataclass
class RegTxn:
    """One REGISTER exchange: the request (challenged first when t_401 is set), the
    200 OK at t_ok. granted: seconds the 200 grants (0: unbinds)."""
    agent: str
    ip: str
    call_id: str
    cseq: int
    t_req: int
    t_401: Optional[int]
    t_req2: Optional[int]
    t_ok: int
    granted: int
    variant: int              # rendering variant (where the expiry is written)
    contact_user: str = ""    # the user of the phone's Contact (else the agent id)


@dataclass(eq=False)
class Plan:
    """The PBX's view of one agent during the simulation."""
    agent: object             # AgentState of the simulation
    listed: bool = True       # static mode: in agents.ids
    bound_until: Optional[int] = None   # register mode: binding end (ms), None unbound
    code_out: bool = False    # logged out by a code (register mode)
    code_in: bool = False     # static mode: logged in
    paused: bool = False
    leaving: bool = False     # shift over: no more offers, leaves when idle
    gone: bool = False
    reg_call_id: str = ""
    reg_cseq: int = 1
    contact_user: str = ""    # a phone whose Contact user is no agent id


class Roster:
    """Agent presence in the simulated PBX: shifts, codes, own calls (see the docstring)."""

    def __init__(self, gen, sim, p, rng, first_arrival):
        """Plan every agent's day and put its first events on the simulation's agenda."""
        self.gen, self.sim, self.p, self.rng = gen, sim, p, rng
        self.plans = {a.agent.id: Plan(a) for a in sim.agents}
        self.calls, self.regs = [], []
        self.pre_registered = 0
        self.start = first_arrival + 1000
        self.day = p.duration_s * 1000
        n = len(sim.agents)
        unlisted = min(p.unlisted, max(0, n - 1)) if p.presence == "static" else 0
        for k, a in enumerate(sim.agents):
            plan = self.plans[a.agent.id]
            s = rng.randint(self.start, max(self.start, self.day // 4))
            e = rng.randint(self.day * 6 // 10, self.day * 95 // 100) \
                if rng.random() < p.shift_end_share else None
            if p.presence == "register":
                plan.reg_call_id = "%032x@%s" % (rng.getrandbits(128), a.agent.phone.ip)
                plan.reg_cseq = rng.randint(1, 500)
                if rng.random() < p.pre_registered_share:
                    self.pre_registered += 1
                    g = rng.choice(p.expiry_choices) * 1000
                    r = rng.randint(self.start + g * 3 // 10, self.start + g * 9 // 10)
                    plan.bound_until = r + g // 3
                    sim.schedule(r, self.on_refresh, (plan, plan.bound_until))
                    sim.schedule(plan.bound_until, self.on_expire, (plan, plan.bound_until))
                else:
                    sim.schedule(s, self.on_register, plan)
                    if rng.random() < p.contact_user_share:
                        plan.contact_user = "ph%s-%04x" % (a.agent.id, rng.getrandbits(16))
            else:
                plan.listed = k < n - unlisted
                plan.code_in = plan.listed
                if not plan.listed:
                    sim.schedule(s, self.on_login_shift, plan)
            if e is not None:
                sim.schedule(e, self.on_shift_end, plan)
            for rate, handler in ((p.pause_per_hour, self.on_idle_pause),
                                  (p.logout_per_hour, self.on_idle_logout),
                                  (p.own_calls_per_hour, self.on_own_call)):
                t = self.start
                while rate > 0:
                    t += max(1000, round(rng.expovariate(rate / 3_600_000)))
                    if t >= self.day:
                        break
                    sim.schedule(t, handler, plan)

    # PBX view --------------------------------------------------------------------

    def logged_in(self, plan, now):
        """Logged in as the PBX sees it (a binding about to run out counts as gone:
        an INVITE decided now may leave a few seconds later)."""
        if self.p.presence == "static":
            return plan.code_in
        return self.reachable(plan, now) and not plan.code_out

    def reachable(self, plan, now):
        """Register mode: bound for a few more seconds at least."""
        return plan.bound_until is not None and plan.bound_until > now + BIND_MARGIN_MS

    def ruri_user(self, agent_id):
        """The Request-URI user of the PBX's INVITEs to an agent's phone: its Contact
        user. DESIGN.md 7: when that is no agent id, the binding at the Request-URI's
        host:port names the agent (To carries the same user)."""
        return self.plans[agent_id].contact_user or agent_id

    def offerable(self, a, now):
        """The PBX may offer a queue call to agent state a."""
        plan = self.plans[a.agent.id]
        return self.logged_in(plan, now) and not plan.paused and not plan.leaving

    def idle(self, plan):
        """In no call, no wrap-up, no ring-no-answer penalty."""
        return plan.agent.free_since is not None

    def wrapup_ms(self, queue):
        """queues[].wrapup_s of a queue, in ms."""
        return self.p.wrapup.get(queue.name, 0) * 1000

    def after_segment(self, agent, queue, seg_end, leg_end):
        """An agent segment of `queue` ended at seg_end (its leg at leg_end): the PBX
        frees the agent after its wrap-up; it may pause during the wrap-up."""
        plan = self.plans[agent.agent.id]
        free = max(leg_end, seg_end + self.wrapup_ms(queue))
        rng = self.rng
        if free > leg_end + 1 and rng.random() < self.p.wrapup_pause_prob and \
                not plan.leaving and not plan.paused:
            # Now and then the code comes in the very ms the wrap-up ends: with both
            # frames first in their ms, the timer and the INVITE share one capture
            # timestamp, one change whose reason is `pause` (before `wrapup_end`).
            tp = free if rng.random() < 0.5 else rng.randint(leg_end + 1, free - 1)
            self.sim.schedule(tp, self.on_wrapup_pause, plan)
        self.sim.schedule(free, self.sim.on_agent_free, agent)

    def on_free(self, agent, now):
        """The agent is idle again: a leaving agent leaves now."""
        plan = self.plans[agent.agent.id]
        if plan.leaving and not plan.gone:
            self.leave(plan, now + self.rng.randint(500, 3000))

    # Codes -------------------------------------------------------------------------

    def code(self, plan, t, action):
        """A feature-code INVITE from the agent's phone at t, answered, PBX hangs up."""
        gen, rng, a = self.gen, self.rng, plan.agent.agent
        call = gen.Call(10 ** 6 + len(self.calls), t, None, "", a.id, False, 0)
        leg = call.add_leg(gen.Leg("%032x@%s" % (rng.getrandbits(128), a.phone.ip),
                                   gen.OTHER_LEG, a.phone, self.sim.topo.pbx,
                                   rng.choice(FEATURE_CODES[action]), a.id))
        gen.seq_invite(call, leg, t, rng, ring=False)
        t_ok = t + rng.randint(50, 300)
        gen.seq_answer(call, leg, t_ok, rng)
        gen.seq_bye(call, leg, t_ok + rng.randint(1500, 4000), "uas", rng)
        self.calls.append(call)

    def pause(self, plan, now):
        """Pause now; unpause after a break unless something clears the pause first."""
        self.code(plan, now, "pause")
        plan.paused = True
        self.sim.schedule(now + self.rng.randint(30_000, 300_000), self.on_unpause, plan)

    def on_idle_pause(self, plan, now):
        """A break while idle."""
        if self.idle(plan) and self.logged_in(plan, now) and not plan.paused and \
                not plan.leaving:
            self.pause(plan, now)

    def on_wrapup_pause(self, plan, now):
        """A break asked for during the wrap-up."""
        if self.logged_in(plan, now) and not plan.paused and not plan.leaving:
            self.pause(plan, now)

    def on_unpause(self, plan, now):
        """Back from the break (if still paused)."""
        if plan.paused and not plan.gone:
            self.code(plan, now, "unpause")
            plan.paused = False
            self.sim.dispatch(now)

    def on_idle_logout(self, plan, now):
        """Lunch: the logout code, the login code 2..10 min later."""
        if self.idle(plan) and self.logged_in(plan, now) and not plan.leaving:
            self.code(plan, now, "logout")
            plan.paused = False
            if self.p.presence == "static":
                plan.code_in = False
            else:
                plan.code_out = True
            self.sim.schedule(now + self.rng.randint(120_000, 600_000), self.on_login, plan)

    def on_login(self, plan, now):
        """The login code after lunch."""
        if plan.gone:
            return
        self.code(plan, now, "login")
        plan.code_in, plan.code_out = True, False
        self.sim.dispatch(now)

    def on_login_shift(self, plan, now):
        """Static mode, an agent not in agents.ids: its shift starts with the login code."""
        if not plan.gone and not plan.leaving:
            self.on_login(plan, now)

    # Registration --------------------------------------------------------------------

    def register(self, plan, t, granted, challenge):
        """A REGISTER exchange from t; return the 200's time."""
        rng, a = self.rng, plan.agent.agent
        t_401 = t_req2 = None
        plan.reg_cseq += 1
        cseq = plan.reg_cseq
        if challenge:
            t_401 = t + rng.randint(2, 40)
            t_req2 = t_401 + rng.randint(5, 80)
            plan.reg_cseq += 1
            t_ok = t_req2 + rng.randint(2, 40)
        else:
            t_ok = t + rng.randint(2, 40)
        self.regs.append(RegTxn(a.id, a.phone.ip, plan.reg_call_id, cseq, t, t_401, t_req2,
                                t_ok, granted, rng.randint(0, 2), plan.contact_user))
        return t_ok

    def bind(self, plan, t, challenge):
        """Register (or refresh) at t; schedule the next refresh or the lapse."""
        g = self.rng.choice(self.p.expiry_choices)
        t_ok = self.register(plan, t, g, challenge)
        plan.bound_until = t_ok + g * 1000
        self.sim.schedule(t_ok, self.on_bound, plan)
        self.sim.schedule(plan.bound_until, self.on_expire, (plan, plan.bound_until))
        if self.rng.random() < self.p.lapse_prob:
            return                         # the phone forgets to refresh
        t_next = t_ok + round(g * 1000 * self.rng.uniform(0.4, 0.8))
        if t_next >= self.day:
            return                         # the day is over: no more refreshes
        self.sim.schedule(t_next, self.on_refresh, (plan, plan.bound_until))

    def on_bound(self, plan, now):
        """The 200 arrived: the PBX may offer calls."""
        self.sim.dispatch(now)

    def on_register(self, plan, now):
        """Shift start (or after a lapse): a challenged REGISTER."""
        if not plan.gone and not plan.leaving:
            self.bind(plan, now, challenge=True)

    def on_refresh(self, arg, now):
        """Refresh before the binding runs out (challenged again now and then)."""
        plan, until = arg
        if plan.gone or plan.bound_until != until:
            return
        self.bind(plan, now, challenge=self.rng.random() < 0.3)

    def on_expire(self, arg, now):
        """A binding not refreshed runs out: unbound, pause cleared; registers again
        10..90 s later unless its shift is over."""
        plan, until = arg
        if plan.gone or plan.bound_until != until:
            return
        plan.bound_until = None
        plan.paused = False
        t = now + self.rng.randint(10_000, 90_000)
        if not plan.leaving and t < self.day:
            self.sim.schedule(t, self.on_register, plan)

    # Shift end -----------------------------------------------------------------------

    def on_shift_end(self, plan, now):
        """No more offers; leave now if idle, else when idle (Roster.on_free)."""
        plan.leaving = True
        if self.idle(plan) and not plan.gone:
            self.leave(plan, now)

    def leave(self, plan, t):
        """Register mode: un-register (bound or not). Static: the logout code."""
        plan.gone = True
        plan.paused = False
        if self.p.presence == "static":
            if plan.code_in:
                self.code(plan, t, "logout")
            plan.code_in = False
            return
        self.register(plan, t, 0, challenge=self.rng.random() < 0.5)
        plan.bound_until = None

    # Own calls -------------------------------------------------------------------------

    def on_own_call(self, plan, now):
        """An outbound or internal call from an idle agent (paused or not)."""
        if not self.idle(plan) or plan.gone:
            return
        if self.p.presence == "register" and not self.logged_in(plan, now) and \
                plan.bound_until is None:
            return                         # an unbound phone places no call
        rng = self.rng
        callees = [q for q in self.plans.values() if q is not plan and self.idle(q) and
                   (self.p.presence == "static" or self.reachable(q, now))]
        if callees and rng.random() < 0.35:
            self.internal_call(plan, rng.choice(callees), now)
        else:
            self.outbound_call(plan, now)

    def new_call(self, plan, t):
        """An empty Call for an agent's own call."""
        call = self.gen.Call(10 ** 6 + len(self.calls), t, None, "",
                             plan.agent.agent.id, False, 0)
        self.calls.append(call)
        return call

    def outbound_call(self, plan, now):
        """Agent -> PBX: answered (talk, either side hangs up), busy, or given up."""
        gen, rng, a = self.gen, self.rng, plan.agent.agent
        call = self.new_call(plan, now)
        leg = call.add_leg(gen.Leg("%032x@%s" % (rng.getrandbits(128), a.phone.ip),
                                   gen.OTHER_LEG, a.phone, self.sim.topo.pbx,
                                   "9%010d" % rng.randint(0, 10 ** 10 - 1), a.id))
        gen.seq_invite(call, leg, now, rng, ring=True)
        r = rng.random()
        if r < 0.75:
            t_ans = now + rng.randint(3000, 20000)
            gen.seq_answer(call, leg, t_ans, rng)
            end = t_ans + rng.randint(20_000, 240_000)
            gen.seq_bye(call, leg, end, "uac" if rng.random() < 0.7 else "uas", rng)
        elif r < 0.9:
            end = now + rng.randint(8000, 30000)
            gen.seq_cancel(call, leg, end, rng)
        else:
            end = now + rng.randint(1000, 4000)
            gen.seq_reject(call, leg, end, 486, rng)
        plan.agent.free_since = None
        self.sim.schedule(end, self.sim.on_agent_free, plan.agent)

    def internal_call(self, plan, callee, now):
        """Agent A -> PBX -> agent B's phone (an agent leg in no contact)."""
        gen, rng = self.gen, self.rng
        a, b = plan.agent.agent, callee.agent.agent
        call = self.new_call(plan, now)
        la = call.add_leg(gen.Leg("%032x@%s" % (rng.getrandbits(128), a.phone.ip),
                                  gen.OTHER_LEG, a.phone, self.sim.topo.pbx, b.id, a.id))
        lb = call.add_leg(gen.Leg(str(self.gen.uuid.UUID(int=rng.getrandbits(128), version=4)),
                                  gen.AGENT_LEG, self.sim.topo.pbx, b.phone,
                                  self.ruri_user(b.id), a.id, agent=b.id))
        gen.seq_invite(call, la, now, rng, ring=False)
        t_180 = gen.seq_invite(call, lb, now + rng.randint(20, 80), rng, ring=True)
        call.emit(la, t_180 + rng.randint(1, 5), gen.RINGING_180, "uas")
        if rng.random() < 0.85:
            t_ans = t_180 + rng.randint(2000, 10000)
            gen.seq_answer(call, lb, t_ans, rng)
            gen.seq_answer(call, la, t_ans + rng.randint(1, 5), rng)
            t_end = t_ans + rng.randint(10_000, 120_000)
            relay = t_end + rng.randint(1, 20)
            if rng.random() < 0.5:
                gen.seq_bye(call, la, t_end, "uac", rng)
                gen.seq_bye(call, lb, relay, "uac", rng)
                end_a, end_b = t_end, relay
            else:
                gen.seq_bye(call, lb, t_end, "uas", rng)
                gen.seq_bye(call, la, relay, "uas", rng)
                end_a, end_b = relay, t_end
        else:
            end_a = t_180 + rng.randint(5000, 20000)
            gen.seq_cancel(call, la, end_a, rng)
            end_b = end_a + rng.randint(1, 5)
            gen.seq_cancel(call, lb, end_b, rng)
        for who, end in ((plan, end_a), (callee, end_b)):
            who.agent.free_since = None
            self.sim.schedule(end, self.sim.on_agent_free, who.agent)


# --- REGISTER on the wire ------------------------------------------------------------------

def render_registers(gen, regs, pbx_ip, rng):
    """Packets of every REGISTER exchange (RFC 3261 10; challenge RFC 2617)."""
    out = []
    for r in regs:
        tag = "%08x" % rng.getrandbits(32)
        frm = "<sip:%s@%s>;tag=%s" % (r.agent, pbx_ip, tag)
        to = "<sip:%s@%s>" % (r.agent, pbx_ip)
        contact = "<sip:%s@%s:%d>" % (r.contact_user or r.agent, r.ip, gen.SIP_PORT)
        phone, pbx = gen.Endpoint(r.ip), gen.Endpoint(pbx_ip)
        to_tag = "%08x" % rng.getrandbits(32)
        nonce = "%024x" % rng.getrandbits(96)
        steps = [(r.t_req, r.cseq, None)]
        if r.t_401 is not None:
            steps = [(r.t_req, r.cseq, None, r.t_401), (r.t_req2, r.cseq + 1, nonce, r.t_ok)]
        else:
            steps = [(r.t_req, r.cseq, nonce, r.t_ok)]
        for t, cseq, auth, t_resp in steps:
            via = "SIP/2.0/UDP %s:%d;branch=z9hG4bK%016x;rport" % (r.ip, gen.SIP_PORT,
                                                                   rng.getrandbits(64))
            head = [("Via", via), ("Max-Forwards", "70"), ("From", frm), ("To", to),
                    ("Call-ID", r.call_id), ("CSeq", "%d REGISTER" % cseq)]
            if r.granted == 0 and r.variant == 0:
                head += [("Contact", "*"), ("Expires", "0")]
            elif r.granted == 0:
                head += [("Contact", contact + ";expires=0")]
            else:
                head += [("Contact", contact), ("Expires", str(REQUESTED_EXPIRES))]
            if auth:
                head.append(("Authorization",
                             'Digest username="%s", realm="pbx", nonce="%s", uri="sip:%s", '
                             'response="%032x", algorithm=MD5'
                             % (r.agent, auth, pbx_ip, rng.getrandbits(128))))
            head.append(("User-Agent", "Phone/2.0"))
            out.append(gen.Packet(t, phone, pbx, gen.sip_message(
                "REGISTER sip:%s SIP/2.0" % pbx_ip, head), (r, "req" if auth is None or
                                                            r.t_401 is None else "req2")))
            resp = [("Via", via), ("From", frm), ("To", to + ";tag=" + to_tag),
                    ("Call-ID", r.call_id), ("CSeq", "%d REGISTER" % cseq)]
            if auth is None:
                resp.append(("WWW-Authenticate",
                             'Digest realm="pbx", nonce="%s", algorithm=MD5' % nonce))
                out.append(gen.Packet(t_resp, pbx, phone, gen.sip_message(
                    "SIP/2.0 401 Unauthorized", resp), (r, "401")))
                continue
            if r.granted == 0:
                if r.variant == 2:
                    resp.append(("Contact", contact + ";expires=0"))
            elif r.variant == 0:
                resp += [("Contact", contact + ";expires=%d" % r.granted),
                         ("Expires", str(REQUESTED_EXPIRES))]
            elif r.variant == 1:
                resp += [("Contact", contact), ("Expires", str(r.granted))]
            else:
                resp += [("Contact", contact + ";expires=%d" % r.granted)]
            out.append(gen.Packet(t_resp, pbx, phone, gen.sip_message("SIP/2.0 200 OK", resp),
                                  (r, "ok")))
    return out


# --- Truth -----------------------------------------------------------------------------------

@dataclass
class Cause:
    """Something at time t that may change an agent's state."""
    t: int
    reason: str
    contact: Optional[tuple] = None     # (queue, contact_id) when it concerns a contact
    names: bool = True                  # a message naming the agent (not a timer)


@dataclass
class AgentFacts:
    """Everything the truth needs about one agent, ms since the start."""
    agent: str
    causes: list = field(default_factory=list)
    on_call: list = field(default_factory=list)      # [start, end)
    busy_other: list = field(default_factory=list)
    ringing: list = field(default_factory=list)
    wrapups: list = field(default_factory=list)      # (segment end, wrap ms, contact)
    regs: list = field(default_factory=list)         # (t of the 2xx, granted ms)
    codes: list = field(default_factory=list)        # (t, action)
    listed: bool = False


def code_action(user):
    """The feature-code action of a Request-URI user, or None."""
    for action, codes in FEATURE_CODES.items():
        if user in codes:
            return action
    return None


def collect(gen, p, topo, calls, pairs, regs, packets):
    """AgentFacts of every agent from the model, times in us since the start (the
    capture time of each message's frame). pairs: (Contact, record) of every contact;
    calls: every simulated call in capture order; regs: RegTxns; packets: the
    capture's packets with .us and .what (their Ev or REGISTER step)."""
    facts = {}
    us = {}
    for pkt in packets:
        if pkt.what is not None:
            key = id(pkt.what) if not isinstance(pkt.what, tuple) else \
                (id(pkt.what[0]), pkt.what[1])
            us.setdefault(key, pkt.us)

    def at(ev):
        """The capture time (us) of a scenario event's first copy."""
        return us[id(ev)]

    def of(agent):
        return facts.setdefault(agent, AgentFacts(agent))
    tied, segment = {}, {}
    for contact, _ in pairs:
        cid = (contact.call.queue.name, contact.call.contact_id)
        for f in contact.agent_legs:
            tied[id(f.leg)] = (contact, cid)
            if f.answer_key is not None and f.answer_key < contact.inbound.end_key:
                segment[id(f.leg)] = f
    phones = {a.phone.ip for a in topo.agents}
    wrap = getattr(p, "wrapup", {}) or {}
    for call in calls:
        keyed = {}
        for idx, ev in enumerate(call.sorted_events()):
            keyed.setdefault(ev.leg, []).append(((ev.t, 0, idx), ev))
        for i, leg in enumerate(call.legs):
            if leg.role == gen.INBOUND_LEG:
                continue
            f = leg_times(gen, keyed[i], at)
            if leg.role == gen.AGENT_LEG:
                a = of(leg.agent)
                link = tied.get(id(leg))
                cid = link[1] if link else None
                a.causes.append(Cause(f.invite, "ring", cid))
                a.ringing.append((f.invite, f.answered if f.answered is not None else f.end))
                seg = segment.get(id(leg))
                if f.answered is not None:
                    a.causes.append(Cause(f.answered, "answer", cid, False))
                if seg is not None and f.refer_failed is not None:
                    # DESIGN 3.3: the 202 ended the segment (the still-up leg in no
                    # contact), a NOTIFY then reported the transfer failed: back on
                    # the call to the leg's end; the 202's wrap-up never starts.
                    queue = link[0].call.queue.name
                    a.on_call.append((f.answered, f.refer_202))
                    a.causes.append(Cause(f.refer_202, "end", cid, False))
                    a.busy_other.append((f.refer_202, f.refer_failed))
                    a.causes.append(Cause(f.refer_failed, "transfer_failed", cid, False))
                    a.on_call.append((f.refer_failed, f.end))
                    a.wrapups.append((f.end, wrap.get(queue, 0) * 1_000_000, cid))
                    a.causes.append(Cause(f.end, "end", cid, False))
                elif seg is not None:
                    seg_end = f.end if f.refer_202 is None else min(f.end, f.refer_202)
                    a.on_call.append((f.answered, seg_end))
                    queue = link[0].call.queue.name
                    a.wrapups.append((seg_end, wrap.get(queue, 0) * 1_000_000, cid))
                    a.causes.append(Cause(seg_end, "end", cid, False))
                    if seg_end < f.end:
                        # DESIGN 3.3: after the 202 the still-up leg is in no contact.
                        a.busy_other.append((seg_end, f.end))
                        a.causes.append(Cause(f.end, "end", None, False))
                else:
                    if f.answered is not None:
                        a.busy_other.append((f.answered, f.end))
                    a.causes.append(Cause(f.end, "end", cid, False))
            elif leg.role == gen.OTHER_LEG and leg.uac.ip in phones:
                a = of(leg.from_user)
                action = code_action(leg.ruri_user)
                if action is not None:
                    a.codes.append((f.invite, action))
                    a.causes.append(Cause(f.invite, action))
                    continue
                a.causes.append(Cause(f.invite, "dial"))
                a.busy_other.append((f.invite, f.end))
                if f.answered is not None:
                    a.causes.append(Cause(f.answered, "answer", None, False))
                a.causes.append(Cause(f.end, "end", None, False))
    for r in regs:
        a = of(r.agent)
        a.causes.append(Cause(us[(id(r), "req")], "seen"))   # names it, changes nothing
        a.regs.append((us[(id(r), "ok")], r.granted * 1_000_000))
    for a in facts.values():
        for t_end, w, cid in a.wrapups:
            if w > 0:
                a.causes.append(Cause(t_end + w, "wrapup_end", cid, False))
    return facts


@dataclass
class LegTimes:
    """A leg's times (us): INVITE, first 2xx (or None), end (BYE, CANCEL or final
    non-2xx), the 202 to a REFER its UAS (the agent) sent that ends its segment, if any
    (the generator's segment_cut), and the NOTIFY that then reported that transfer
    failed, reopening the segment, if any."""
    invite: int
    answered: Optional[int]
    end: int
    refer_202: Optional[int]
    refer_failed: Optional[int] = None


def leg_times(gen, keyed, at):
    """LegTimes of one leg from its (key, Ev) pairs in capture order (the same events
    as the generator's leg_facts picks)."""
    events = [e for _, e in keyed]
    answer = next((e for e in events if e.kind == gen.OK_INVITE), None)
    end = next(e for e in events if e.kind in (gen.BYE, gen.CANCEL, gen.REJECT))
    cut, failed = gen.segment_cut(events, end.t)
    return LegTimes(at(events[0]), answer and at(answer), at(end),
                    cut and at(cut), failed and at(failed))


def state_of(a, t, mode, bound, code_out, logged_in, paused, seen_2xx):
    """The state of agent facts a just after everything at t (DESIGN.md 7 priority)."""
    if any(s <= t < e for s, e in a.on_call):
        return "on_call"
    if any(s <= t < e for s, e in a.busy_other):
        return "busy_other"
    if any(s <= t < e for s, e in a.ringing):
        return "ringing"
    last = None
    for end, w, cid in a.wrapups:
        if end <= t and (last is None or end >= last[0]):
            last = (end, w)
    if last is not None and t - last[0] < last[1]:
        return "wrapup"
    if mode == "register":
        if not seen_2xx:
            return "unknown"
        if not bound or code_out:
            return "logged_out"
    elif not logged_in:
        return "logged_out"
    return "paused" if paused else "available"


def agent_timeline(a, mode, first_packet, last_packet, stats=None):
    """[(t, state, reason, contact)] of one agent's changes, first event included;
    times in us, one change per capture timestamp."""
    causes = sorted((c for c in a.causes if c.t <= last_packet), key=lambda c: c.t)
    named = [c for c in causes if c.names]
    if mode == "static" and a.listed:
        born, born_cause = first_packet, Cause(first_packet, "seen")
    elif named:
        born, born_cause = named[0].t, named[0]
    else:
        return []
    regs = sorted(a.regs)
    codes = sorted(a.codes)
    bound_until, code_out, paused, seen_2xx = None, False, False, False
    logged_in = mode == "static" and a.listed
    # Expiry is a timed cause known only while sweeping: merge it in as it comes.
    times = sorted({c.t for c in causes if c.t >= born} | {r[0] for r in regs} |
                   {c[0] for c in codes} | {born})
    by_t = {}
    for c in causes:
        by_t.setdefault(c.t, []).append(c)
    out, state = [], None
    pending = list(times)
    i = 0
    while i < len(pending):
        t = pending[i]
        i += 1
        if t > last_packet:
            break
        group = list(by_t.get(t, []))
        if bound_until is not None and bound_until == t:
            bound_until = None
            paused = False
            group.append(Cause(t, "expired", None, False))
        for rt, g in regs:
            if rt != t:
                continue
            seen_2xx = True
            if g == 0:
                if bound_until is not None:
                    paused = False
                bound_until = None
                group.append(Cause(t, "unregister", None, False))
            else:
                bound_until = t + g
                group.append(Cause(t, "register", None, False))
                if bound_until <= last_packet:
                    j = i
                    while j < len(pending) and pending[j] < bound_until:
                        j += 1
                    if j >= len(pending) or pending[j] != bound_until:
                        pending.insert(j, bound_until)
        for ct, action in codes:
            if ct != t:
                continue
            if action == "pause":
                paused = True
            elif action == "unpause":
                paused = False
            elif action == "logout":
                paused, code_out, logged_in = False, True, False
            elif action == "login":
                code_out, logged_in = False, True
        if t < born:
            continue
        new = state_of(a, t, mode, bound_until is not None, code_out, logged_in, paused,
                       seen_2xx)
        if t == born:
            out.append((t, new, born_cause.reason, born_cause.contact))
            state = new
            continue
        if new == state:
            continue
        best = min((c for c in group if c.reason in REASON_ORDER),
                   key=lambda c: REASON_ORDER.index(c.reason), default=None)
        if best is None:
            raise AssertionError("agent %s: a change at %d us without a cause" % (a.agent, t))
        if stats is not None and len({c.reason for c in group
                                      if c.reason in REASON_ORDER}) > 1:
            stats["coinciding"] = stats.get("coinciding", 0) + 1
        out.append((t, new, best.reason, best.contact))
        state = new
    return out


def state_events(gen, start_ms, timelines):
    """agent.state truth objects of every agent, by time then agent. Published times
    are the capture times truncated to the ms, durations differences of those."""
    rows = []
    for agent, tl in timelines.items():
        prev = None
        for t, state, reason, contact in tl:
            row = {"agent": agent, "ts": gen.rfc3339(start_ms + t // 1000), "state": state,
                   "prev": prev[1] if prev else None,
                   "prev_s": gen.seconds(t // 1000 - prev[0] // 1000) if prev else None,
                   "reason": reason}
            if contact is not None:
                row["queue"], row["contact_id"] = contact
            rows.append((t, agent, row))
            prev = (t, state)
    return [r for _, _, r in sorted(rows, key=lambda x: (x[0], x[1]))]


def state_times(timelines, start_ms, len_ms, last_packet):
    """{(agent, interval index): {state: ms}} from each timeline up to last_packet
    (us), each span between truncated times (ptime.h)."""
    out = {}
    for agent, tl in timelines.items():
        for k, (t, state, _, _) in enumerate(tl):
            end = (tl[k + 1][0] if k + 1 < len(tl) else last_packet) // 1000
            lo = t // 1000
            while lo < end:
                i = (start_ms + lo) // len_ms
                hi = min(end, (i + 1) * len_ms - start_ms)
                acc = out.setdefault((agent, i), dict.fromkeys(STATES, 0))
                acc[state] += hi - lo
                lo = hi
    return out


def state_fields(gen, acc):
    """The interval.agent fields of DESIGN.md 7 from state ms."""
    staffed = sum(v for k, v in acc.items() if k not in ("logged_out", "unknown"))
    busy = acc["on_call"] + acc["busy_other"] + acc["ringing"] + acc["wrapup"]
    den = staffed - acc["paused"]
    return {"staffed_s": gen.seconds(staffed), "available_s": gen.seconds(acc["available"]),
            "ringing_s": gen.seconds(acc["ringing"]), "on_call_s": gen.seconds(acc["on_call"]),
            "busy_other_s": gen.seconds(acc["busy_other"]),
            "wrapup_s": gen.seconds(acc["wrapup"]), "paused_s": gen.seconds(acc["paused"]),
            "unknown_s": gen.seconds(acc["unknown"]),
            "occupancy": None if den == 0 else busy / den}


def publishes(acc):
    """An interval.agent row for any time other than logged_out / unknown."""
    return any(v > 0 for k, v in acc.items() if k not in ("logged_out", "unknown"))


def compute(gen, p, topo, calls, pairs, regs, first_packet, last_packet, packets):
    """(agent.state rows, {(agent, interval): state ms}) of the whole capture; first
    and last packet in us since the start."""
    facts = collect(gen, p, topo, calls, pairs, regs, packets)
    mode = p.presence if p.presence in ("register", "static") else "register"
    if mode == "static":
        for aid in p.agent_ids:
            facts.setdefault(aid, AgentFacts(aid)).listed = True
    stats = {}
    timelines = {aid: agent_timeline(a, mode, first_packet, last_packet, stats)
                 for aid, a in sorted(facts.items())}
    p.coinciding = stats.get("coinciding", 0)
    rows = state_events(gen, p.start_ms, timelines)
    times = state_times(timelines, p.start_ms, gen.INTERVAL_S * 1000, last_packet)
    return rows, times


def write_jsonl(path, rows):
    """One JSON object per line."""
    with open(path, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
