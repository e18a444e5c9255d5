#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# add-noise.py: merge the SIP a contact center carries besides its calls into a capture.
"""Merge background SIP traffic into a ccmetrics-gen capture (Ethernet/IPv4/UDP).

The calls of the input are copied unchanged, so the generator's truth still holds;
between them, in time order, come the messages every real PBX network carries and
ccmetricsd must skip:

  OPTIONS  the PBX qualifies each agent phone every --options-s, and each trunk
           and the PBX ping each other every --trunk-options-s (200 OK answers);
  REGISTER each phone registers every --register-s: REGISTER, 401 with a
           challenge, REGISTER with credentials, 200 OK;
  SUBSCRIBE/NOTIFY  each phone subscribes to the dialog state of --blf-watch other
           agents (busy-lamp field), refreshed every --subscribe-s; whenever an
           agent's phone is offered a call (INVITE) or hangs up (BYE), the PBX
           NOTIFYs its watchers (200 OK answers);
  keep-alives  each phone sends a CRLFCRLF keep-alive every --keepalive-s;
  retransmissions  a share (--retx-prob) of OPTIONS and NOTIFY requests is sent
           again 500 ms later, as an unanswered UDP request is (RFC 3261 17.1.2.2).

Deterministic for one --seed. Prints what it added on stderr.
"""
import argparse
import heapq
import os
import random
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools"))
from ccmgen_wire import (IP_DF, LINKTYPE_ETHERNET, PcapReader, PcapWriter,  # noqa: E402
                         eth_udp4, sip_message)

PBX = "10.0.0.10"
TRUNKS = ("192.0.2.1", "192.0.2.2")
PORT = 5060
RETX_US = 500_000


def agent_ip(i):
    """Address of agent number i (1-based), as ccmetrics-gen places them."""
    return "10.1.%d.%d" % ((i - 1) // 250, (i - 1) % 250 + 1)


class Wire:
    """Ethernet/IPv4/UDP frames, DF set, one IP identification after the other."""

    def __init__(self):
        self.ip_id = 0

    def frame(self, src, dst, payload):
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        return eth_udp4(src, dst, payload, PORT, PORT, self.ip_id, IP_DF)


class Noise:
    """Pending noise packets and periodic sources, in one time-ordered heap."""

    def __init__(self, p, start_us, end_us):
        self.p, self.end_us = p, end_us
        self.rng = random.Random("%d:noise" % p.seed)
        self.heap, self.seq = [], 0
        self.wire = Wire()
        self.count = Counter()
        self.cseq = Counter()
        self.agents = [(str(1000 + i), agent_ip(i)) for i in range(1, p.agents + 1)]
        self.by_ip = {ip: aid for aid, ip in self.agents}
        # Who watches whom: each phone watches --blf-watch other agents.
        self.watchers = {ip: [] for _, ip in self.agents}
        self.subs = {}
        for aid, ip in self.agents:
            others = [a for a in self.agents if a[1] != ip]
            for _, wip in self.rng.sample(others, min(p.blf_watch, len(others))):
                self.watchers[wip].append(ip)
        periodic = []
        for aid, ip in self.agents:
            periodic += [(p.options_s, self.options, (PBX, ip, aid)),
                         (p.register_s, self.register, (aid, ip)),
                         (p.subscribe_s, self.subscribe, (aid, ip)),
                         (p.keepalive_s, self.keepalive, (ip,))]
        for t in TRUNKS:
            periodic += [(p.trunk_options_s, self.options, (PBX, t, "trunk")),
                         (p.trunk_options_s, self.options, (t, PBX, "pbx"))]
        for period, fn, args in periodic:
            if period > 0:
                due = start_us + int(self.rng.random() * period * 1e6)
                self.push(due, ("tick", period, fn, args))

    def push(self, ts, item):
        self.seq += 1
        heapq.heappush(self.heap, (ts, self.seq, item))

    def send(self, ts, src, dst, payload, kind):
        self.push(ts, ("pkt", self.wire.frame(src, dst, payload)))
        self.count[kind] += 1

    def pop_until(self, ts_us):
        """Yield (ts, frame) of every noise packet due at or before ts_us."""
        while self.heap and self.heap[0][0] <= ts_us:
            ts, _, item = heapq.heappop(self.heap)
            if item[0] == "pkt":
                yield ts, item[1]
                continue
            _, period, fn, args = item
            fn(ts, *args)
            nxt = ts + int(period * 1e6)
            if nxt <= self.end_us:
                self.push(nxt, item)

    def ids(self):
        r = self.rng.getrandbits
        return "%08x" % r(32), "z9hG4bK%012x" % r(48), "%016x@noise" % r(64)

    def lag(self):
        return self.rng.randint(1000, 20000)

    def request_retx(self, ts, src, dst, payload, kind):
        self.send(ts, src, dst, payload, kind)
        if self.rng.random() < self.p.retx_prob:
            self.send(ts + RETX_US, src, dst, payload, kind + " (retransmission)")
            return ts + RETX_US
        return ts

    def options(self, ts, src, dst, user):
        tag, branch, cid = self.ids()
        self.cseq["options"] += 1
        cseq = "%d OPTIONS" % (self.cseq["options"] % 9000 + 1)
        frm = "<sip:ping@%s>;tag=%s" % (src, tag)
        to = "<sip:%s@%s>" % (user, dst)
        via = "SIP/2.0/UDP %s:%d;branch=%s;rport" % (src, PORT, branch)
        req = sip_message("OPTIONS sip:%s@%s:%d SIP/2.0" % (user, dst, PORT),
                          [("Via", via), ("Max-Forwards", "70"), ("From", frm), ("To", to),
                           ("Call-ID", cid), ("CSeq", cseq),
                           ("Contact", "<sip:ping@%s:%d>" % (src, PORT)),
                           ("Accept", "application/sdp"), ("User-Agent", "PBX qualify")])
        t = self.request_retx(ts, src, dst, req, "OPTIONS")
        resp = sip_message("SIP/2.0 200 OK",
                           [("Via", via), ("From", frm), ("To", to + ";tag=%08x" % self.rng.getrandbits(32)),
                            ("Call-ID", cid), ("CSeq", cseq),
                            ("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, UPDATE"),
                            ("Accept", "application/sdp"), ("Supported", "replaces, timer")])
        self.send(t + self.lag(), dst, src, resp, "200 OPTIONS")

    def register(self, ts, aid, ip):
        tag, branch, cid = self.ids()
        frm = "<sip:%s@%s>;tag=%s" % (aid, PBX, tag)
        to = "<sip:%s@%s>" % (aid, PBX)
        contact = "<sip:%s@%s:%d;transport=udp>;expires=%d" % (aid, ip, PORT, self.p.register_s * 2)
        base = [("Max-Forwards", "70"), ("From", frm), ("To", to), ("Call-ID", cid)]
        nonce = "%024x" % self.rng.getrandbits(96)
        t = ts
        for n, auth in ((1, None), (2, nonce)):
            via = "SIP/2.0/UDP %s:%d;branch=z9hG4bK%012x;rport" % (ip, PORT, self.rng.getrandbits(48))
            hdrs = [("Via", via)] + base + [("CSeq", "%d REGISTER" % n), ("Contact", contact),
                                            ("Expires", str(self.p.register_s * 2)),
                                            ("User-Agent", "Phone/1.0")]
            if auth:
                hdrs.append(("Authorization",
                             'Digest username="%s", realm="pbx", nonce="%s", uri="sip:%s", '
                             'response="%032x", algorithm=MD5' % (aid, auth, PBX, self.rng.getrandbits(128))))
            self.send(t, ip, PBX, sip_message("REGISTER sip:%s SIP/2.0" % PBX, hdrs), "REGISTER")
            t += self.lag()
            rto = to + ";tag=%08x" % self.rng.getrandbits(32)
            rh = [("Via", via), ("From", frm), ("To", rto), ("Call-ID", cid),
                  ("CSeq", "%d REGISTER" % n)]
            if auth:
                self.send(t, PBX, ip, sip_message("SIP/2.0 200 OK", rh + [("Contact", contact)]), "200 REGISTER")
            else:
                rh.append(("WWW-Authenticate", 'Digest realm="pbx", nonce="%s", algorithm=MD5' % nonce))
                self.send(t, PBX, ip, sip_message("SIP/2.0 401 Unauthorized", rh), "401 REGISTER")
            t += self.lag()

    def keepalive(self, ts, ip):
        self.send(ts, ip, PBX, b"\r\n\r\n", "CRLF keep-alive")

    def subscribe(self, ts, aid, ip):
        """The phone (re)subscribes to the dialog state of each agent it watches."""
        for target in [w for w, ws in self.watchers.items() if ip in ws]:
            key = (ip, target)
            sub = self.subs.get(key)
            if sub is None:
                tag, _, cid = self.ids()
                sub = self.subs[key] = {"cid": cid, "tag": tag, "ptag": "%08x" % self.rng.getrandbits(32),
                                        "cseq": 1, "ncseq": 1, "version": 0}
            else:
                sub["cseq"] += 1
            tuser = self.by_ip[target]
            frm = "<sip:%s@%s>;tag=%s" % (aid, PBX, sub["tag"])
            to = "<sip:%s@%s>" % (tuser, PBX)
            via = "SIP/2.0/UDP %s:%d;branch=z9hG4bK%012x;rport" % (ip, PORT, self.rng.getrandbits(48))
            cseq = "%d SUBSCRIBE" % sub["cseq"]
            req = sip_message("SUBSCRIBE sip:%s@%s SIP/2.0" % (tuser, PBX),
                              [("Via", via), ("Max-Forwards", "70"), ("From", frm), ("To", to),
                               ("Call-ID", sub["cid"]), ("CSeq", cseq), ("Event", "dialog"),
                               ("Accept", "application/dialog-info+xml"),
                               ("Expires", str(self.p.subscribe_s * 2)),
                               ("Contact", "<sip:%s@%s:%d>" % (aid, ip, PORT))])
            self.send(ts, ip, PBX, req, "SUBSCRIBE")
            t = ts + self.lag()
            resp = sip_message("SIP/2.0 200 OK", [("Via", via), ("From", frm), ("To", to + ";tag=" + sub["ptag"]),
                                                   ("Call-ID", sub["cid"]), ("CSeq", cseq),
                                                   ("Expires", str(self.p.subscribe_s * 2))])
            self.send(t, PBX, ip, resp, "200 SUBSCRIBE")
            self.notify(t + self.lag(), ip, target, "terminated")

    def notify(self, ts, watcher, target, state):
        sub = self.subs.get((watcher, target))
        if sub is None:
            return
        sub["ncseq"] += 1
        sub["version"] += 1
        tuser, wuser = self.by_ip[target], self.by_ip[watcher]
        body = ('<?xml version="1.0"?>\r\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" '
                'version="%d" state="full" entity="sip:%s@%s">\r\n<dialog id="%s"><state>%s</state>'
                '</dialog>\r\n</dialog-info>\r\n' % (sub["version"], tuser, PBX, sub["cid"][:8], state)).encode()
        frm = "<sip:%s@%s>;tag=%s" % (tuser, PBX, sub["ptag"])
        to = "<sip:%s@%s>;tag=%s" % (wuser, PBX, sub["tag"])
        via = "SIP/2.0/UDP %s:%d;branch=z9hG4bK%012x" % (PBX, PORT, self.rng.getrandbits(48))
        cseq = "%d NOTIFY" % sub["ncseq"]
        req = sip_message("NOTIFY sip:%s@%s:%d SIP/2.0" % (wuser, watcher, PORT),
                          [("Via", via), ("Max-Forwards", "70"), ("From", frm), ("To", to),
                           ("Call-ID", sub["cid"]), ("CSeq", cseq), ("Event", "dialog"),
                           ("Subscription-State", "active;expires=%d" % self.p.subscribe_s),
                           ("Contact", "<sip:%s@%s:%d>" % (tuser, PBX, PORT))],
                          body, "application/dialog-info+xml")
        t = self.request_retx(ts, PBX, watcher, req, "NOTIFY")
        resp = sip_message("SIP/2.0 200 OK", [("Via", via), ("From", frm), ("To", to),
                                               ("Call-ID", sub["cid"]), ("CSeq", cseq)])
        self.send(t + self.lag(), watcher, PBX, resp, "200 NOTIFY")

    def on_call_packet(self, ts, frame):
        """BLF: the PBX tells the watchers of an agent its phone rings or hangs up."""
        ip = frame[14:34]
        if ip[9] != 17:
            return
        ihl = (ip[0] & 0x0F) * 4
        payload = frame[14 + ihl + 8:14 + ihl + 16]
        if payload.startswith(b"INVITE "):
            phone, state = ".".join(map(str, ip[16:20])), "early"
        elif payload.startswith(b"BYE "):
            src, dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
            phone, state = (src if src in self.watchers else dst), "terminated"
        else:
            return
        for w in self.watchers.get(phone, ()):
            self.notify(ts + self.lag(), w, phone, state)


def open_pcap(fh, path):
    """A PcapReader of an Ethernet capture, or exit with a message."""
    try:
        reader = PcapReader(fh, path)
    except ValueError as e:
        sys.exit("add-noise: %s" % e)
    if reader.linktype != LINKTYPE_ETHERNET:
        sys.exit("add-noise: only Ethernet captures")
    return reader


def first_last(path):
    """Packet times of the first and last record (one pass over the headers)."""
    first = last = None
    with open(path, "rb") as fh:
        for last in open_pcap(fh, path).times():
            if first is None:
                first = last
    return first, last


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--agents", type=int, default=120, help="phones 10.1.x.y, as the generator's --agents")
    ap.add_argument("--options-s", type=float, default=60)
    ap.add_argument("--trunk-options-s", type=float, default=30)
    ap.add_argument("--register-s", type=float, default=600)
    ap.add_argument("--subscribe-s", type=float, default=1800)
    ap.add_argument("--blf-watch", type=int, default=2)
    ap.add_argument("--keepalive-s", type=float, default=120)
    ap.add_argument("--retx-prob", type=float, default=0.02)
    p = ap.parse_args()
    start, end = first_last(p.input)
    if start is None:
        sys.exit("add-noise: empty capture")
    noise = Noise(p, start, end)
    calls = 0
    with open(p.input, "rb") as fin, open(p.output, "wb") as fout:
        records = open_pcap(fin, p.input)
        write = PcapWriter(fout, records.linktype, records.snaplen).write
        for ts, frame in records:
            for nts, nframe in noise.pop_until(ts):
                write(nts, nframe)
            write(ts, frame)
            calls += 1
            noise.on_call_packet(ts, frame)
        for nts, nframe in noise.pop_until(end + 60_000_000):
            write(nts, nframe)
    added = sum(noise.count.values())
    sys.stderr.write("add-noise: %d call packets, %d noise packets added (%s)\n" % (
        calls, added, ", ".join("%s %d" % kv for kv in sorted(noise.count.items()))))


if __name__ == "__main__":
    main()
