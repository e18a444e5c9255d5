#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# soak.py: soak captures (an INVITE flood, endless garbage) with real calls at the end, their truth and counters.
"""Usage:
  soak.py flood N OUT.pcap TRUTH.jsonl EXPECTED.json MAX_LEGS MAX_CALLERS
  soak.py garbage N OUT.pcap TRUTH.jsonl EXPECTED.json
  soak.py real OUT.pcap TRUTH.jsonl
  soak.py check EXPECTED.json OUT.jsonl

flood: N INVITEs trunk -> PBX to the sales queue, 1 ms apart, each from its
own caller number, none ever answered (no response at all), then three
real calls. garbage: N UDP payloads on port 5060 that are no SIP (random
bytes, SIP-looking text with broken start lines, cut messages), the real
calls in the middle. real: the real calls alone.

The three real calls and their call.end records are written here by hand
(REAL_CALLS, truth()); EXPECTED.json holds the stats counters the capture
must end with, computed from N and the limits (see flood_expected()), and
check compares them with the last stats object, and checks that no stats
object ever shows more open legs than max_legs.
"""

import datetime
import json
import random
import sys

from sippcap import Leg, PBX, TRUNK, START_US  # also puts tools/ on sys.path
from ccmgen_wire import PcapWriter

FLOOD_DNIS = "+18005550100"
AGENTS = {"1001": "10.1.0.1", "1002": "10.1.0.2", "1003": "10.1.0.3"}


def ms(t_us):
    """RFC 3339 UTC with milliseconds, as the daemon prints packet times."""
    t = datetime.datetime.fromtimestamp(t_us // 1000000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (t_us // 1000 % 1000)


def real_calls(t0):
    """(time_us, src, dst, payload) of the three real calls from t0, and their legs.

    A: +15551110001 -> sales, agent 1001 answers after 6 s, the caller hangs up.
    B: +15551110002 -> support, agent 1002 rings, the caller cancels at 9 s.
    C: +15551110001 again (a repeat) -> sales, agent 1003 answers, then hangs up.
    Every leg starts before any ends, so none of them is ever the one evicted.
    """
    a_in = Leg("real-a@192.0.2.1", TRUNK, PBX, "+15551110001", "+18005550100", "ra")
    b_in = Leg("real-b@192.0.2.1", TRUNK, PBX, "+15551110002", "+18005550200", "rb")
    c_in = Leg("real-c@192.0.2.1", TRUNK, PBX, "+15551110001", "5100", "rc")
    a_ag = Leg("real-a-agent@10.0.0.10", PBX, AGENTS["1001"], "+15551110001", "1001", "sa",
               [("X-CC-Inbound", a_in.call_id)])
    b_ag = Leg("real-b-agent@10.0.0.10", PBX, AGENTS["1002"], "+15551110002", "1002", "sb",
               [("X-CC-Inbound", b_in.call_id)])
    c_ag = Leg("real-c-agent@10.0.0.10", PBX, AGENTS["1003"], "+15551110001", "1003", "sc",
               [("X-CC-Inbound", c_in.call_id)])
    T, P = TRUNK, PBX
    A1, A2, A3 = AGENTS["1001"], AGENTS["1002"], AGENTS["1003"]
    script = [                              # (ms after t0, src, dst, message)
        (0, T, P, a_in.invite()), (10, P, T, a_in.ringing()),
        (1000, T, P, b_in.invite()), (1010, P, T, b_in.ringing()),
        (2000, T, P, c_in.invite()), (2010, P, T, c_in.ringing()),
        (2000, P, A1, a_ag.invite()), (2050, A1, P, a_ag.ringing()),
        (3000, P, A2, b_ag.invite()), (3050, A2, P, b_ag.ringing()),
        (4000, P, A3, c_ag.invite()), (4050, A3, P, c_ag.ringing()),
        (6000, A1, P, a_ag.ok()), (6010, P, A1, a_ag.ack()),
        (6020, P, T, a_in.ok()), (6030, T, P, a_in.ack()),
        (8000, A3, P, c_ag.ok()), (8010, P, A3, c_ag.ack()),
        (8020, P, T, c_in.ok()), (8030, T, P, c_in.ack()),
        # B: the caller gives up; the PBX cancels the ringing agent.
        (10000, T, P, b_in.cancel()), (10010, P, T, b_in.response(200, "OK", "CANCEL")),
        (10020, P, T, b_in.reject(487, "Request Terminated")),
        (10030, P, A2, b_ag.cancel()), (10040, A2, P, b_ag.response(200, "OK", "CANCEL")),
        (10050, A2, P, b_ag.reject(487, "Request Terminated")),
        # C: the agent hangs up; the PBX ends the caller's leg.
        (38000, A3, P, c_ag.request("BYE", by_uac=False)),
        (38010, P, A3, c_ag.response(200, "OK", "BYE", cseq=2)),
        (38020, P, T, c_in.request("BYE", by_uac=False)),
        (38030, T, P, c_in.response(200, "OK", "BYE", cseq=2)),
        # A: the caller hangs up; the PBX ends the agent's leg.
        (66000, T, P, a_in.request("BYE")), (66010, P, T, a_in.response(200, "OK", "BYE", 2)),
        (66020, P, A1, a_ag.request("BYE")), (66030, A1, P, a_ag.response(200, "OK", "BYE", 2)),
    ]
    pkts = sorted(((t0 + off * 1000, s, d, m) for off, s, d, m in script),
                  key=lambda p: p[0])
    return pkts


def truth(t0):
    """The call.end records of the real calls, by DESIGN.md 3.3, by hand."""
    def t(off_ms):
        return ms(t0 + off_ms * 1000)
    base = {"hold_s": 0.0, "holds": 0, "transfers": 0, "rona": 0}
    return [
        dict(base, contact_id="real-a@192.0.2.1", queue="sales", caller="+15551110001",
             dnis="+18005550100", arrival=t(0), answered_at=t(6000), ended_at=t(66020),
             outcome="answered", ended_by="caller", wait_s=6.0,
             # The agent segment: its 200 OK at 6.000 to the PBX's BYE at 66.020.
             talk_s=60.02, handle_s=60.02, agent="1001", agents=["1001"], attempts=1,
             repeat=False, legs=["real-a@192.0.2.1", "real-a-agent@10.0.0.10"]),
        dict(base, contact_id="real-b@192.0.2.1", queue="support", caller="+15551110002",
             dnis="+18005550200", arrival=t(1000), answered_at=None, ended_at=t(10030),
             outcome="abandoned", ended_by="caller", wait_s=9.0, talk_s=0.0, handle_s=0.0,
             # The agent leg was cancelled after the caller left: no RONA.
             agent=None, agents=[], attempts=1, repeat=False,
             legs=["real-b@192.0.2.1", "real-b-agent@10.0.0.10"]),
        dict(base, contact_id="real-c@192.0.2.1", queue="sales", caller="+15551110001",
             dnis="5100", arrival=t(2000), answered_at=t(8000), ended_at=t(38020),
             outcome="answered", ended_by="agent", wait_s=6.0, talk_s=30.0, handle_s=30.0,
             agent="1003", agents=["1003"], attempts=1, repeat=True,
             legs=["real-c@192.0.2.1", "real-c-agent@10.0.0.10"]),
    ]


REAL_LEGS, REAL_CALLS, REAL_CALLERS = 6, 3, 2


def write_truth(path, t0):
    with open(path, "w") as fh:
        for rec in truth(t0):
            fh.write(json.dumps(rec) + "\n")


FLOOD = ("INVITE sip:+18005550100@10.0.0.10 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKflood%d\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:+1555%07d@192.0.2.1>;tag=f%d\r\n"
         "To: <sip:+18005550100@10.0.0.10>\r\n"
         "Call-ID: flood-%d@192.0.2.1\r\n"
         "CSeq: 1 INVITE\r\n"
         "Content-Length: 0\r\n\r\n")


def flood(n, out, truth_path, expected_path, max_legs, max_callers):
    t0 = START_US + n * 1000 + 1000000
    real = real_calls(t0)
    with open(out, "wb") as fh:
        w = PcapWriter(fh)
        for i in range(n):
            w.udp(START_US + i * 1000, TRUNK, PBX, (FLOOD % (i, i, i, i)).encode())
        for ts, src, dst, payload in real:
            w.udp(ts, src, dst, payload)
    write_truth(truth_path, t0)
    expected = flood_expected(n, len(real), max_legs, max_callers)
    with open(expected_path, "w") as fh:
        json.dump(expected, fh, indent=1, sort_keys=True)


def flood_expected(n, real_messages, max_legs, max_callers):
    """The counters of the flood capture, from N and the limits.

    Every flood INVITE and every real INVITE makes a leg. No leg ends or
    expires before the last leg is made (the real calls' legs all start
    before the first of them ends; the unanswered timeout is longer than
    the capture), so each leg past max_legs evicts exactly one open leg,
    always a flood leg (the least recently active). Every flood INVITE
    is an inbound call to sales from a new number: a contact and a caller
    remembered; the real calls add 3 contacts and 2 numbers.
    """
    legs = n + REAL_LEGS
    callers = n + REAL_CALLERS
    return {"limits": {"max_legs": max_legs, "max_callers": max_callers},
            "stats": {
                "packets": n + real_messages,
                "sip.messages": n + real_messages,
                "sip.parse_errors": 0,
                "legs.created": legs,
                "legs.evicted": max(0, legs - max_legs),
                "legs.expired": 0,
                "legs.open": 0,                 # all flushed at the end
                "contacts.created": n + REAL_CALLS,
                "contacts.open": 0,
                "contacts.callers": min(callers, max_callers),
                "contacts.callers_evicted": max(0, callers - max_callers),
            }}


def garbage_payloads(n, rng):
    """N payloads no SIP parser accepts, of several kinds, none a keepalive."""
    inv = Leg("garbage@192.0.2.1", TRUNK, PBX, "+15550000000", FLOOD_DNIS, "g").invite()
    starts = [b"INVITE\r\n\r\n", b"SIP/2.0\r\n\r\n", b"BYE sip: SIP/2.0 extra\r\n\r\n",
              b"SIP/2.0 99 X\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
              b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"]
    for i in range(n):
        kind = i % 4
        if kind == 0:                       # random bytes
            p = rng.randbytes(rng.randint(1, 600))
        elif kind == 1:                     # random bytes around an end of headers
            p = rng.randbytes(rng.randint(1, 200)) + b"\r\n\r\n" + rng.randbytes(50)
        elif kind == 2:                     # a SIP-looking broken start
            p = starts[i // 4 % len(starts)] + rng.randbytes(rng.randint(0, 100))
        else:                               # a real INVITE cut short
            p = inv[:rng.randint(1, len(inv) - 200)]
        if p[0] in b"\r\n \t\0":          # keep-alive padding, not garbage
            p = b"#" + p
        yield p


def garbage(n, out, truth_path, expected_path):
    rng = random.Random(5060)
    t0 = START_US + (n // 2) * 100 + 1000000
    real = real_calls(t0)
    records = [(START_US + i * 100 + (2000000 if i >= n // 2 else 0), p)
               for i, p in enumerate(garbage_payloads(n, rng))]
    with open(out, "wb") as fh:
        w = PcapWriter(fh)
        srcs = ("203.0.113.5", "192.0.2.1", "10.0.0.10", "10.1.0.1")
        it = iter(real)
        nxt = next(it, None)
        for i, (ts, p) in enumerate(records):
            while nxt is not None and nxt[0] <= ts:
                w.udp(*nxt)
                nxt = next(it, None)
            w.udp(ts, srcs[i % len(srcs)], PBX, p)
        while nxt is not None:
            w.udp(*nxt)
            nxt = next(it, None)
    write_truth(truth_path, t0)
    with open(expected_path, "w") as fh:
        json.dump({"limits": {}, "stats": {
            "packets": n + len(real), "decode.payloads": n + len(real),
            "sip.messages": len(real), "sip.parse_errors": n, "sip.missing_fields": 0,
            "sip.keepalives": 0, "sip.ignored_methods": 0, "legs.created": REAL_LEGS,
            "contacts.created": REAL_CALLS}}, fh, indent=1, sort_keys=True)


def get(obj, dotted):
    for part in dotted.split("."):
        obj = obj[part]
    return obj


def check(expected_path, out):
    with open(expected_path) as fh:
        expected = json.load(fh)
    stats = []
    with open(out) as fh:
        for line in fh:
            if line.startswith('{"topic":"stats"'):
                stats.append(json.loads(line))
    if not stats:
        print("FAIL: no stats object")
        return 1
    bad = 0
    max_legs = expected["limits"].get("max_legs")
    if max_legs is not None:
        peak = max(s["legs"]["open"] for s in stats)
        ok = peak <= max_legs
        print("%s legs.open at most %d in %d stats objects (peak %d)"
              % ("ok:" if ok else "FAIL:", max_legs, len(stats), peak))
        bad += not ok
    for key, want in sorted(expected["stats"].items()):
        got = get(stats[-1], key)
        print("%s %s: expected %d, got %d" % ("ok:" if got == want else "FAIL:", key, want, got))
        bad += got != want
    return 1 if bad else 0


def main(argv):
    if len(argv) == 8 and argv[1] == "flood":
        flood(int(argv[2]), argv[3], argv[4], argv[5], int(argv[6]), int(argv[7]))
    elif len(argv) == 6 and argv[1] == "garbage":
        garbage(int(argv[2]), argv[3], argv[4], argv[5])
    elif len(argv) == 4 and argv[1] == "real":
        t0 = START_US
        with open(argv[2], "wb") as fh:
            w = PcapWriter(fh)
            for pkt in real_calls(t0):
                w.udp(*pkt)
        write_truth(argv[3], t0)
    elif len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
