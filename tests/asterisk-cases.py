#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# asterisk-cases.py: captures of the four things a real Asterisk showed (issue 18).
"""Write OUTDIR/{bye481,deadpeer,blind,noheader}.pcap and OUTDIR/ast.yaml.

Every message is at a fixed time (ms after 2026-11-23T09:00:00Z), so the
expected records are computed by hand in tests/asterisk-cases.sh. The SIP text
is the generator's (tools/ccmetrics-gen: Call, Leg, Dialog, the wire encoder).
"""

import importlib.machinery
import importlib.util
import os
import random
import sys

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools")
sys.path.insert(0, TOOLS)
_loader = importlib.machinery.SourceFileLoader("ccmetrics_gen",
                                               os.path.join(TOOLS, "ccmetrics-gen"))
_spec = importlib.util.spec_from_loader("ccmetrics_gen", _loader)
gen = importlib.util.module_from_spec(_spec)
_loader.exec_module(gen)

START_MS = gen.parse_start("2026-11-23T09:00:00Z")
PBX = gen.Endpoint(gen.PBX_IP)
TRUNK = gen.Endpoint("192.0.2.1")
SALES = gen.Queue("sales", ("+18005550100",), gen.ANSWER_FIRST)

CONFIG = """pbx:
  addresses: [10.0.0.10]
trunks:
  addresses: [192.0.2.0/24]
agents:
  addresses: [10.1.0.0/16]
queues:
  - name: sales
    dnis: ["+18005550100"]
correlation:
  headers: [X-CC-Inbound]
metrics:
  interval_s: 900
publish:
  zmq: ~
  jsonl: { path: "-" }
"""


class Scenario:
    """One call's legs and messages; extra() adds a message the model has no
    kind for (a BYE with a stale tag, a 481)."""

    def __init__(self, n, caller):
        self.rng = random.Random(n)
        self.call = gen.Call(n, 0, SALES, "+18005550100", caller, False, gen.PATIENT)
        self.extras = []

    def inbound(self):
        call = self.call
        return call.add_leg(gen.Leg("in-%d@192.0.2.1" % call.n, gen.INBOUND_LEG, TRUNK,
                                    PBX, "+18005550100", call.caller))

    def agent(self, agent_id, header=True, from_user=None):
        call = self.call
        ref = call.legs[0].call_id if header else None
        leg = gen.Leg("ag-%d-%s@10.0.0.10" % (call.n, agent_id), gen.AGENT_LEG, PBX,
                      gen.Endpoint(gen.agent_ip(int(agent_id) - gen.AGENT_ID_BASE)),
                      agent_id, from_user or call.caller, inbound_ref=ref, agent=agent_id)
        return call.add_leg(leg)

    def emit(self, leg, t, kind, by, **kw):
        self.call.emit(leg, t, kind, by, **kw)

    def packets(self):
        """Every message in time order (ties: the order they were added)."""
        call = self.call
        dialogs = [gen.Dialog(leg, self.rng) for leg in call.legs]
        for d in dialogs:
            d.peers = dialogs
        out = []
        items = [(ev.t, i, ev) for i, ev in enumerate(call.sorted_events())]
        items += [(t, len(items) + i, fn) for i, (t, fn) in enumerate(self.extras)]
        for t, _, what in sorted(items, key=lambda x: (x[0], x[1])):
            if callable(what):
                leg, by, payload = what(dialogs)
            else:
                leg, by, payload = what.leg, what.by, dialogs[what.leg].render(what)
            leg_ = call.legs[leg]
            src, dst = (leg_.uac, leg_.uas) if by == "uac" else (leg_.uas, leg_.uac)
            out.append(gen.Packet(t, src, dst, payload))
        return out


def answered_call(s, agent_id, t_agent, t_answer, header=True):
    """Inbound INVITE at 0 answered by the PBX at 100 (IVR, queue music); the
    PBX INVITEs agent_id at t_agent, who answers at t_answer."""
    i = s.inbound()
    s.emit(i, 0, gen.INVITE, "uac")
    s.emit(i, 5, gen.TRYING, "uas")
    s.emit(i, 100, gen.OK_INVITE, "uas")
    s.emit(i, 110, gen.ACK, "uac")
    a = s.agent(agent_id, header)
    s.emit(a, t_agent, gen.INVITE, "uac")
    s.emit(a, t_agent + 5, gen.TRYING, "uas")
    s.emit(a, t_agent + 50, gen.RINGING_180, "uas")
    s.emit(a, t_answer, gen.OK_INVITE, "uas")
    s.emit(a, t_answer + 10, gen.ACK, "uac")
    return i, a


def bye_exchange(s, leg, t, by, code=200):
    """A BYE from `by` at t answered `code` 3 ms later, as raw messages."""
    state = {}

    def bye(dialogs, stale=False):
        d = dialogs[leg]
        txn = d.in_dialog("BYE", by)
        if stale:
            txn = gen.Txn(txn.via, txn.from_, txn.to.rsplit(";tag=", 1)[0] + ";tag=stale0",
                          txn.cseq)
        state["txn"] = txn
        return leg, by, d.plain_request("BYE", d.contact[gen.other(by)], txn)

    def answer(dialogs):
        return leg, gen.other(by), dialogs[leg].response(code, state["txn"])
    return bye, answer


def bye481():
    """A caller's BYE with a stale To-tag after a direct-media re-INVITE, then
    one with the right tags; Asterisk answers both 481 and the call goes on."""
    s = Scenario(1, "+15551230001")
    i, a = answered_call(s, "1001", 2000, 5000)
    s.emit(i, 6000, gen.REINVITE, "uas")          # direct media
    s.emit(i, 6020, gen.OK_REINVITE, "uac")
    s.emit(i, 6030, gen.ACK_REINVITE, "uas")
    bye, answer = bye_exchange(s, i, 10000, "uac", 481)
    s.extras += [(10000, lambda d: bye(d, stale=True)), (10002, answer)]
    bye2, answer2 = bye_exchange(s, i, 12000, "uac", 481)
    s.extras += [(12000, bye2), (12002, answer2)]
    s.emit(a, 30000, gen.BYE, "uas")              # the agent hangs up
    s.emit(a, 30005, gen.OK_BYE, "uac")
    s.emit(i, 30010, gen.BYE, "uas")              # the PBX ends the caller's leg
    s.emit(i, 30015, gen.OK_BYE, "uac")
    return s


# RFC 3261 17.1.1.2 / 17.1.2.2: when INVITE and BYE retransmissions of a dead
# peer's transactions go out (T1 = 500 ms, T2 = 4 s, 32 s each).
REINVITE_RETX = (500, 1500, 3500, 7500, 15500, 31500)
BYE_RETX = (500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500)


def deadpeer():
    """The agent's phone dies: Asterisk's re-INVITE to it and, after the caller
    hangs up, its BYE get no answer; the BYE is re-sent for 32 s, then a new BYE
    transaction is re-sent for 32 s more (64 s after the end)."""
    s = Scenario(2, "+15551230002")
    i, a = answered_call(s, "1001", 2000, 4000)
    sent = {}

    def reinvite(dialogs):
        if "msg" not in sent:
            ev = gen.Ev(15000, a, gen.REINVITE, "uac", mode=gen.SENDRECV)
            sent["msg"] = (a, "uac", dialogs[a].render(ev))
        return sent["msg"]
    s.extras += [(15000 + dt, reinvite) for dt in (0,) + REINVITE_RETX]
    s.emit(i, 20000, gen.BYE, "uac")               # the caller hangs up
    s.emit(i, 20003, gen.OK_BYE, "uas")
    for t0 in (20010, 52010):                      # two BYE transactions
        bye, _ = bye_exchange(s, a, t0, "uac")
        first = {}

        def copy(dialogs, bye=bye, first=first):
            if "msg" not in first:
                first["msg"] = bye(dialogs)
            return first["msg"]
        s.extras += [(t0 + dt, copy) for dt in (0,) + BYE_RETX]
    return s


def blind():
    """Agent 1001 holds 20..30 s, sends a blind REFER at 60 s (202 at 60.005),
    Asterisk NOTIFYs 100 then 200 and calls 1002, who answers at 64 s. 1001's
    phone lingers: a hold at 65 s, its BYE at 70.005 s (10 s after the 202).
    1002 hangs up at 100 s, the PBX ends the caller's leg at 100.010 s."""
    s = Scenario(3, "+15551230003")
    i, a = answered_call(s, "1001", 2000, 5000)
    for t, mode in ((20000, gen.SENDONLY), (30000, gen.SENDRECV)):
        s.emit(a, t, gen.REINVITE, "uas", mode=mode)
        s.emit(a, t + 10, gen.OK_REINVITE, "uac", mode=gen.RECVONLY
               if mode == gen.SENDONLY else gen.SENDRECV)
        s.emit(a, t + 15, gen.ACK_REINVITE, "uas")
    s.emit(a, 60000, gen.REFER, "uas", target="1002")
    s.emit(a, 60005, gen.ACCEPTED_REFER, "uac")
    s.emit(a, 60020, gen.NOTIFY, "uac", code=100)
    s.emit(a, 60025, gen.OK_NOTIFY, "uas")
    b = s.agent("1002")
    s.emit(b, 60050, gen.INVITE, "uac")
    s.emit(b, 60055, gen.TRYING, "uas")
    s.emit(b, 60100, gen.RINGING_180, "uas")
    s.emit(a, 61000, gen.NOTIFY, "uac", code=200)
    s.emit(a, 61005, gen.OK_NOTIFY, "uas")
    s.emit(b, 64000, gen.OK_INVITE, "uas")
    s.emit(b, 64010, gen.ACK, "uac")
    s.emit(a, 65000, gen.REINVITE, "uas", mode=gen.SENDONLY)
    s.emit(a, 65010, gen.OK_REINVITE, "uac", mode=gen.RECVONLY)
    s.emit(a, 65015, gen.ACK_REINVITE, "uas")
    s.emit(a, 70005, gen.BYE, "uas")
    s.emit(a, 70010, gen.OK_BYE, "uac")
    s.emit(b, 100000, gen.BYE, "uas")
    s.emit(b, 100005, gen.OK_BYE, "uac")
    s.emit(i, 100010, gen.BYE, "uas")
    s.emit(i, 100015, gen.OK_BYE, "uac")
    return s


def noheader():
    """Local-channel members: the agent INVITEs of two calls carry no
    X-CC-Inbound (PJSIP_HEADER had no PJSIP channel), a third one does."""
    calls = []
    for n, agent, header in ((4, "1004", False), (5, "1005", False), (6, "1006", True)):
        s = Scenario(n, "+1555123000%d" % n)
        i, a = answered_call(s, agent, 2000, 5000, header)
        s.emit(a, 40000, gen.BYE, "uas")
        s.emit(a, 40005, gen.OK_BYE, "uac")
        s.emit(i, 40010, gen.BYE, "uas")
        s.emit(i, 40015, gen.OK_BYE, "uac")
        calls.append(s)
    return calls


def write(path, scenarios, offset_ms=0):
    packets = []
    for k, s in enumerate(scenarios):
        for p in s.packets():
            packets.append(gen.Packet(p.t + k * offset_ms, p.src, p.dst, p.payload))
    packets.sort(key=lambda p: p.t)
    gen.write_pcap(path, packets, gen.ENCAPSULATIONS["eth-udp4"](), START_MS)


def main(outdir):
    write(os.path.join(outdir, "bye481.pcap"), [bye481()])
    write(os.path.join(outdir, "deadpeer.pcap"), [deadpeer()])
    write(os.path.join(outdir, "blind.pcap"), [blind()])
    write(os.path.join(outdir, "noheader.pcap"), noheader(), offset_ms=1000)
    with open(os.path.join(outdir, "ast.yaml"), "w") as fh:
        fh.write(CONFIG)


if __name__ == "__main__":
    main(sys.argv[1])
