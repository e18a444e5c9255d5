#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""acd-emu.py: a small ACD/PBX (a B2BUA) for end-to-end tests, and its truth.

It listens on one UDP address (the "PBX"). An INVITE from a caller (directly
or through a proxy) whose Request-URI user is a queue's DNIS is answered at
once (mode "answer"), rung (mode "ring": 180, then 200 when an agent
answers), or rejected (mode "reject", before any 18x: a blocked call). The
call waits in its queue (at least queue_delay_s), first in first out; free
member agents are rung in
the order the queue lists them with a new Call-ID, `X-CC-Inbound: <inbound
Call-ID>` and the caller's number in From. An agent that does not answer in
ring_timeout_s is cancelled (RONA) and paused for rona_pause_s. On the
agent's 200 the call is bridged (200 to the caller if still early); BYE is
relayed both ways; a caller's CANCEL or BYE cancels ringing agent legs; a
queue's timeout_s ends a waiting call (480, or BYE once answered). A REFER
from an agent is accepted (202, NOTIFY sipfrag 100, INVITE to the Refer-To
user with the header, NOTIFY 200 on its answer): a blind transfer. Agent
re-INVITEs are answered 200 with the mirrored media direction (hold,
resume). Nothing is retransmitted: loopback loses nothing.

Agents (DESIGN.md section 7), when the configuration has "presence": a
registrar challenges every REGISTER with 401 (digest, MD5) and grants at
most max_expires_s per contact (the phone's own expires parameter, else
its Expires, else 3600); an agent is offered calls only while logged in
(bound, in "register" presence, or listed in static_ids, in "static"),
not logged out or paused by a feature code, not ringing, on a call, in a
feature-code dialog or in its queue's wrap-up (wrapup_s after each
answered call). Agent legs go to the agent's newest binding. An INVITE
from an agent (From user) to a feature code is answered 200 and applies
pause / unpause / login / logout at once; to any other number that is no
queue's DNIS, it is an outbound call answered 200 (the far end).
--agent-truth writes one agent.state-shaped object per change of an
agent's state (section 7's priority order, reasons and first events),
from the same clocks as the call truth, and --log marks what the PBX
itself decided (AGENT lines: bound, unbound, paused, offered, answered).

It writes one call.end-shaped JSON object per customer call (--truth): the
fields tests/compare-calls.py compares, by DESIGN.md 3.3, from the kernel
receive time of each message it received (SO_TIMESTAMPNS) and the clock just
before each message it sent, so they match a capture of the same traffic to
a millisecond or two. --log records every message with its time.

Bounded: it exits after --calls customer calls have ended (then --linger-s
more seconds to absorb late messages), after --max-time-s, or on SIGTERM;
the truth is written in every case (calls still up are left out and
counted on standard error).
"""
import argparse
import hashlib
import heapq
import json
import os
import random
import re
import selectors
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools"))
from ccmgen_wire import sip_message  # noqa: E402

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
COMPACT = {"i": "call-id", "f": "from", "t": "to", "v": "via", "m": "contact",
           "l": "content-length", "c": "content-type", "r": "refer-to",
           "b": "referred-by", "e": "content-encoding", "k": "supported"}
SDP_DIR = re.compile(rb"^a=(sendrecv|sendonly|recvonly|inactive)\s*$", re.M)


def now_ns():
    return time.time_ns()


def ms_of(ns):
    """Whole milliseconds of an epoch time in ns, truncated as the daemon does."""
    return ns // 1000000


def rfc3339(ns):
    if ns is None:
        return None
    ms = ms_of(ns)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + \
        ".%03dZ" % (ms % 1000)


def seconds(ms):
    return round(ms / 1000.0, 3)


def token():
    return "%016x" % random.getrandbits(64)


class Msg:
    """A parsed SIP message: start line, headers (in order), body."""

    def __init__(self, data):
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.start = lines[0]
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            name = name.strip().lower()
            self.headers.append((COMPACT.get(name, name), value.strip()))
        length = self.get("content-length")
        self.body = rest[:int(length)] if length and length.isdigit() else rest
        parts = self.start.split(" ", 2)
        self.is_request = not parts[0].startswith("SIP/")
        if self.is_request:
            self.method, self.ruri = parts[0], parts[1]
            self.status = 0
        else:
            self.status = int(parts[1])
            self.method = None
        cseq = self.get("cseq").split()
        self.cseq = int(cseq[0]) if cseq else 0
        self.cseq_method = cseq[1] if len(cseq) > 1 else ""
        if not self.is_request:
            self.method = self.cseq_method

    def get(self, name, default=""):
        for n, v in self.headers:
            if n == name:
                return v
        return default

    def all(self, name):
        """Every value of a header, comma-separated values split."""
        out = []
        for n, v in self.headers:
            if n == name:
                out += [x.strip() for x in split_commas(v)]
        return out

    @property
    def call_id(self):
        return self.get("call-id")

    @property
    def branch(self):
        return param(self.all("via")[0], "branch") if self.all("via") else ""


def split_commas(value):
    """Split a header value on commas outside <> and quotes."""
    out, cur, depth, quoted = [], "", 0, False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif ch == "<" and not quoted:
            depth += 1
        elif ch == ">" and not quoted:
            depth -= 1
        elif ch == "," and depth == 0 and not quoted:
            out.append(cur)
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur)
    return out


def param(value, name):
    m = re.search(r";\s*%s=([^;>,\s]+)" % re.escape(name), value)
    return m.group(1) if m else ""


def uri_of(value):
    """The URI of a name-addr or addr-spec header value."""
    m = re.search(r"<([^>]*)>", value)
    return m.group(1) if m else value.split(";")[0].strip()


def user_of(value):
    m = re.match(r"sips?:([^@;>]+)@", uri_of(value))
    return m.group(1) if m else ""


def hostport_of(uri, default_port=5060):
    m = re.match(r"sips?:(?:[^@]*@)?([^:;>]+)(?::(\d+))?", uri)
    if not m:
        return None
    return (m.group(1), int(m.group(2) or default_port))


def sdp_dir(body):
    m = SDP_DIR.search(body or b"")
    if m:
        return m.group(1).decode()
    if re.search(rb"^c=IN IP4 0\.0\.0\.0", body or b"", re.M):
        return "inactive"
    return "sendrecv"


class Leg:
    """One dialog of the PBX: the caller's (role "in") or an agent's."""

    def __init__(self, role, call, call_id):
        self.role = role
        self.call = call
        self.call_id = call_id
        self.local_tag = token()
        self.remote_tag = ""
        self.local_hdr = ""      # our From/To header value, tag included
        self.remote_hdr = ""     # theirs
        self.target = ""         # remote Contact
        self.routes = []         # route set
        self.peer = None         # where requests go
        self.cseq = 0
        self.invite = None       # INVITE received (in) or sent (agent)
        self.invite_branch = ""
        self.state = "early"     # early, confirmed, ended
        self.agent = None
        self.invite_ns = None
        self.answer_ns = None
        self.end_ns = None
        self.end_by_agent = False
        self.hold_ns = 0
        self.holds = 0
        self.hold_start = None
        self.pending_offer = None
        self.ring_timer = None
        self.refer_target = None     # leg of a transfer in progress
        # DESIGN.md 3.3: the 202 to the agent's REFER ends its segment;
        # (time, held ns, holds) then, None until one
        self.seg_end = None
        self.referrer = None         # the leg whose REFER made this one
        self.rona = False


class Call:
    """One customer call and what is needed for its truth record."""

    def __init__(self, leg, queue, caller, dnis, arrival_ns):
        self.inbound = leg
        self.queue = queue
        self.caller = caller
        self.dnis = dnis
        self.arrival_ns = arrival_ns
        self.answered_ns = None
        self.in_end_ns = None
        self.in_end = None          # caller, pbx_bye, pbx_reject
        self.reject_status = 0
        self.early = False          # an 18x or 2xx went to the caller
        self.attempts = []          # agent legs in INVITE order
        self.bridged = None         # the agent leg talking to the caller
        self.transfers = 0
        self.waiting = False
        self.queued_at = time.monotonic()
        self.timeout_timer = None
        self.repeat = False
        self.done = False


class Emulator:

    def __init__(self, args, cfg):
        self.args = args
        self.cfg = cfg
        host, port = cfg["listen"].rsplit(":", 1)
        self.addr = (host, int(port))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind(self.addr)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.sock, selectors.EVENT_READ)
        self.timers = []
        self.timer_seq = 0
        self.legs = {}               # Call-ID -> Leg
        self.server_txns = {}        # (call-id, cseq, method, branch) -> response
        self.calls = []              # every customer call, arrival order
        self.queues = {}
        for q in cfg["queues"]:
            for d in q.get("dnis", []):
                self.queues[d] = q
        self.agents = {a: {"addr": tuple(v), "busy": None, "ringing": None,
                           "paused_until": 0.0}
                       for a, v in ((k, self.split(v)) for k, v in
                                    cfg["agents"].items())}
        # DESIGN.md section 7: presence, feature codes, wrap-up.
        self.presence = cfg.get("presence")       # None: every agent offered
        self.static_ids = set(cfg.get("static_ids", []))
        for a, st in self.agents.items():
            st.update({
                "exists": False, "state": None, "since": None,
                "registered": False,           # a REGISTER 2xx was seen
                "bindings": {},                # contact URI -> (due ns, addr)
                "logged_in": a in self.static_ids,  # static mode
                "code_out": False,             # logged out by a code
                "paused": False,
                "wrap_until": 0, "wrap_leg": None,
                "rings": [], "segs": [], "others": [], "features": []})
        self.codes = {}
        for action, codes in cfg.get("feature_codes", {}).items():
            for code in codes:
                self.codes[code] = action
        reg = cfg.get("registrar", {})
        self.realm = reg.get("realm", "ccmetrics-acd")
        self.password = reg.get("password", "secret")
        self.max_expires = reg.get("max_expires_s", 3600)
        self.nonces = set()
        self.agent_truth = []
        if self.presence == "static":
            # Listed agents are logged in from start-up: their first event
            # is the emulator's start (the daemon's is its own start-up).
            t = now_ns()
            for a in sorted(self.static_ids & set(self.agents)):
                self.agent_change(a, t, "seen")
        self.ring_timeout = cfg.get("ring_timeout_s", 3)
        self.rona_pause = cfg.get("rona_pause_s", 4)
        self.wrap = cfg.get("wrap_s", 0.5)
        self.queue_delay = cfg.get("queue_delay_s", 0.0)
        self.seen_callers = {}
        self.finished = 0
        self.stop_at = None
        self.log = open(args.log, "w") if args.log else None

    @staticmethod
    def split(hostport):
        host, port = hostport.rsplit(":", 1)
        return (host, int(port))

    # ---- plumbing -----------------------------------------------------

    def later(self, delay_s, fn, *args):
        self.timer_seq += 1
        entry = [time.monotonic() + delay_s, self.timer_seq, fn, args, True]
        heapq.heappush(self.timers, entry)
        return entry

    @staticmethod
    def cancel_timer(entry):
        if entry is not None:
            entry[4] = False

    def note(self, ns, direction, addr, msg_start, call_id):
        if self.log:
            self.log.write("%d.%09d %s %s:%d %s | %s\n" % (
                ns // 10**9, ns % 10**9, direction, addr[0], addr[1],
                msg_start, call_id))

    def send(self, data, addr):
        ns = now_ns()
        self.sock.sendto(data, addr)
        first = data.split(b"\r\n", 1)[0].decode()
        cid = re.search(rb"\r\nCall-ID: *([^\r]*)", data)
        self.note(ns, ">", addr, first, cid.group(1).decode() if cid else "")
        return ns

    def sdp(self, direction="sendrecv"):
        ip = self.addr[0]
        return ("v=0\r\no=acd 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\n"
                "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                "a=%s\r\n" % (ip, ip, direction)).encode()

    def contact(self):
        return "<sip:acd@%s:%d>" % self.addr

    def respond(self, req, addr, status, reason, leg=None, body=b"",
                extra=()):
        """A response to req, sent to where req came from (RFC 3581 spirit)."""
        to = req.get("to")
        if leg is not None and status > 100 and "tag=" not in to:
            to += ";tag=" + leg.local_tag
        headers = [("Via", v) for v in req.all("via")]
        headers += [("From", req.get("from")), ("To", to),
                    ("Call-ID", req.call_id), ("CSeq", req.get("cseq"))]
        if req.method == "INVITE" and 100 < status < 300:
            headers += [("Record-Route", r) for r in req.all("record-route")]
            headers.append(("Contact", self.contact()))
        headers += list(extra)
        data = sip_message("SIP/2.0 %d %s" % (status, reason), headers, body)
        key = (req.call_id, req.cseq, req.method, req.branch)
        self.server_txns[key] = (data, addr)
        return self.send(data, addr)

    def request(self, leg, method, body=b"", extra=(), content_type=None,
                cseq=None):
        """An in-dialog request on leg (RFC 3261 12.2.1.1)."""
        if cseq is None:
            leg.cseq += 1
            cseq = leg.cseq
        branch = "z9hG4bK" + token()
        headers = [("Via", "SIP/2.0/UDP %s:%d;branch=%s;rport" %
                    (self.addr + (branch,))), ("Max-Forwards", "70")]
        headers += [("Route", r) for r in leg.routes]
        headers += [("From", leg.local_hdr), ("To", leg.remote_hdr),
                    ("Call-ID", leg.call_id),
                    ("CSeq", "%d %s" % (cseq, method))]
        if method in ("INVITE", "REFER", "NOTIFY"):
            headers.append(("Contact", self.contact()))
        headers += list(extra)
        data = sip_message("%s %s SIP/2.0" % (method, leg.target or
                                               uri_of(leg.remote_hdr)),
                           headers, body, content_type or "application/sdp")
        return self.send(data, leg.peer)

    # ---- the main loop ------------------------------------------------

    def run(self):
        deadline = time.monotonic() + self.args.max_time_s
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        signal.signal(signal.SIGINT, lambda *_: stop.append(1))
        while not stop:
            now = time.monotonic()
            if now >= deadline:
                print("acd-emu: --max-time-s reached", file=sys.stderr)
                break
            if self.stop_at is not None and now >= self.stop_at:
                break
            while self.timers and self.timers[0][0] <= now:
                entry = heapq.heappop(self.timers)
                if entry[4]:
                    entry[2](*entry[3])
            wait = deadline - now
            if self.timers:
                wait = min(wait, max(0.0, self.timers[0][0] - now))
            if self.stop_at is not None:
                wait = min(wait, max(0.0, self.stop_at - now))
            for _key, _ev in self.sel.select(min(wait, 0.5)):
                self.receive()
            self.dispatch()
        self.write_truth()

    def receive(self):
        try:
            data, anc, _flags, addr = self.sock.recvmsg(
                65535, socket.CMSG_SPACE(16))
        except BlockingIOError:
            return
        ns = None
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", cdata[:16])
                ns = sec * 10**9 + nsec
        if ns is None:
            ns = now_ns()
        if not data.strip():
            return          # keep-alive
        try:
            msg = Msg(data)
        except (ValueError, IndexError):
            print("acd-emu: unparsable message from %s" % (addr,),
                  file=sys.stderr)
            return
        self.note(ns, "<", addr, msg.start, msg.call_id)
        if msg.is_request:
            self.on_request(msg, addr, ns)
        else:
            self.on_response(msg, addr, ns)

    # ---- requests -----------------------------------------------------

    def on_request(self, msg, addr, ns):
        key = (msg.call_id, msg.cseq, msg.method, msg.branch)
        if msg.method != "ACK" and key in self.server_txns:
            data, to = self.server_txns[key]
            if data is not None:
                self.send(data, to)        # a retransmission
            return
        self.server_txns[key] = (None, addr)
        if msg.method == "REGISTER":
            self.on_register(msg, addr, ns)
            return
        leg = self.legs.get(msg.call_id)
        if msg.method == "INVITE" and leg is None:
            self.on_new_invite(msg, addr, ns)
        elif leg is None:
            if msg.method != "ACK":
                self.respond(msg, addr, 481, "Call/Transaction Does Not Exist")
        elif msg.method == "ACK":
            pass
        elif msg.method == "CANCEL":
            self.on_cancel(leg, msg, addr, ns)
        elif msg.method == "BYE":
            self.on_bye(leg, msg, addr, ns)
        elif msg.method == "INVITE":
            self.on_reinvite(leg, msg, addr, ns)
        elif msg.method == "REFER":
            self.on_refer(leg, msg, addr, ns)
        else:
            self.respond(msg, addr, 200, "OK", leg)

    def on_new_invite(self, msg, addr, ns):
        dnis = user_of(msg.ruri) or user_of(msg.get("to"))
        q = self.queues.get(dnis)
        if q is None and user_of(msg.get("from")) in self.agents:
            self.on_agent_invite(msg, addr, ns, dnis)
            return
        if q is None:
            self.respond(msg, addr, 404, "Not Found")
            return
        self.respond(msg, addr, 100, "Trying")
        leg = Leg("in", None, msg.call_id)
        leg.invite = msg
        leg.invite_ns = ns
        leg.remote_hdr = msg.get("from")
        leg.remote_tag = param(leg.remote_hdr, "tag")
        leg.local_hdr = msg.get("to") + ";tag=" + leg.local_tag
        leg.target = uri_of(msg.get("contact")) or uri_of(leg.remote_hdr)
        leg.routes = msg.all("record-route")
        leg.peer = addr
        caller = user_of(msg.get("p-asserted-identity")) or \
            user_of(msg.get("from"))
        call = Call(leg, q["name"], caller, dnis, ns)
        leg.call = call
        last = self.seen_callers.get(caller)
        call.repeat = last is not None and \
            ms_of(ns) - ms_of(last) <= self.cfg.get("repeat_window_s", 86400) * 1000
        self.seen_callers[caller] = ns
        self.legs[msg.call_id] = leg
        self.calls.append(call)
        mode = q.get("mode", "ring")
        if mode == "reject":
            self.end_inbound(call, self.respond(
                msg, addr, q.get("reject", 503), "Service Unavailable", leg),
                "pbx_reject", q.get("reject", 503))
            leg.state = "ended"
            self.maybe_done(call)
            return
        if mode == "answer":
            self.respond(msg, addr, 200, "OK", leg, self.sdp())
            leg.state = "confirmed"
        else:
            self.respond(msg, addr, 180, "Ringing", leg)
        call.early = True
        call.waiting = True
        if q.get("timeout_s"):
            call.timeout_timer = self.later(q["timeout_s"], self.queue_timeout,
                                            call)

    def on_cancel(self, leg, msg, addr, ns):
        self.respond(msg, addr, 200, "OK", leg)
        if leg.role != "in" or leg.state != "early":
            return
        call = leg.call
        self.respond(leg.invite, leg.peer, 487, "Request Terminated", leg)
        leg.state = "ended"
        self.end_inbound(call, ns, "caller")
        self.release_agents(call)
        self.maybe_done(call)

    def on_bye(self, leg, msg, addr, ns):
        self.respond(msg, addr, 200, "OK", leg)
        if leg.state == "ended":
            return
        leg.state = "ended"
        if leg.role in ("feature", "out"):
            self.end_own_leg(leg, ns)
            return
        call = leg.call
        if leg.role == "in":
            self.end_inbound(call, ns, "caller")
            self.release_agents(call)
        else:
            self.end_agent_leg(leg, ns, by_agent=True)
            if call.bridged is leg:
                call.bridged = None
                if leg.refer_target is not None and \
                        leg.refer_target.state != "ended":
                    pass        # the transfer carries the call on
                elif call.inbound.state != "ended":
                    call.inbound.state = "ended"
                    self.end_inbound(call, self.request(call.inbound, "BYE"),
                                     "pbx_bye")
        self.maybe_done(call)

    def on_reinvite(self, leg, msg, addr, ns):
        offered = sdp_dir(msg.body)
        answer = {"sendonly": "recvonly", "recvonly": "sendonly",
                  "inactive": "inactive"}.get(offered, "sendrecv")
        self.respond(msg, addr, 200, "OK", leg, self.sdp(answer))
        if leg.role != "agent" or leg.state != "confirmed":
            return
        hold = offered in ("sendonly", "inactive")
        if hold and leg.hold_start is None:
            leg.hold_start = ns
            leg.holds += 1
        elif not hold and leg.hold_start is not None:
            leg.hold_ns += ns - leg.hold_start
            leg.hold_start = None

    def on_refer(self, leg, msg, addr, ns):
        target = user_of(msg.get("refer-to"))
        if leg.role != "agent" or leg.state != "confirmed" or \
                target not in self.agents:
            self.respond(msg, addr, 403, "Forbidden", leg)
            return
        t_202 = self.respond(msg, addr, 202, "Accepted", leg)
        if leg.seg_end is None:
            held = leg.hold_ns + (t_202 - leg.hold_start
                                  if leg.hold_start is not None else 0)
            leg.seg_end = (t_202, held, leg.holds)
            # Section 7: the segment ends, the still-up leg is in no contact.
            st = self.agents[leg.agent]
            if leg in st["segs"]:
                st["segs"].remove(leg)
                st["others"].append(leg)
                self.start_wrapup(leg, t_202)
                self.agent_change(leg.agent, t_202, "end", leg)
        call = leg.call
        call.transfers += 1
        self.notify(leg, "SIP/2.0 100 Trying", "active;expires=60")
        new = self.ring_agent(call, target, referrer=leg)
        leg.refer_target = new

    def notify(self, leg, frag, state):
        self.request(leg, "NOTIFY", (frag + "\r\n").encode(),
                     extra=[("Event", "refer"),
                            ("Subscription-State", state)],
                     content_type="message/sipfrag;version=2.0")

    # ---- responses ----------------------------------------------------

    def on_response(self, msg, addr, ns):
        leg = self.legs.get(msg.call_id)
        if leg is None or leg.role != "agent":
            return
        if msg.method == "INVITE" and msg.cseq == leg.invite.cseq:
            self.on_agent_invite_response(leg, msg, ns)

    def on_agent_invite_response(self, leg, msg, ns):
        call = leg.call
        if msg.status < 200:
            return
        if msg.status >= 300:
            # ACK for a non-2xx: same branch, hop by hop (RFC 3261 17.1.1.3).
            self.send(self.ack_for(leg, msg, leg.invite_branch), leg.peer)
            if leg.state == "ended":
                return          # our CANCEL's 487
            leg.state = "ended"
            self.end_agent_leg(leg, ns, by_agent=False)
            self.free_agent(leg, rona=False)
            self.transfer_failed(leg, "SIP/2.0 %d %s" % (
                msg.status, (msg.start.split(" ", 2) + [""])[2]))
            self.maybe_done(call)
            return
        # 2xx: ACK always (a retransmission too).
        leg.remote_hdr = msg.get("to")
        leg.remote_tag = param(leg.remote_hdr, "tag")
        leg.target = uri_of(msg.get("contact")) or leg.target
        leg.routes = list(reversed(msg.all("record-route")))
        self.send(self.ack_for(leg, msg, "z9hG4bK" + token()), leg.peer)
        if leg.state != "early":
            return
        leg.state = "confirmed"
        self.cancel_timer(leg.ring_timer)
        leg.answer_ns = ns
        self.agents[leg.agent]["ringing"] = None
        self.agents[leg.agent]["busy"] = leg
        st = self.agents[leg.agent]
        if leg in st["rings"]:
            st["rings"].remove(leg)
        # An agent segment only while the caller is still there (3.3).
        seg = call.inbound.state != "ended"
        st["segs" if seg else "others"].append(leg)
        self.agent_log(ns, leg.agent, "answered %s" % leg.call_id)
        self.agent_change(leg.agent, ns, "answer", leg if seg else None)
        if call.inbound.state == "ended":
            # The caller left as it answered: hang the agent up.
            leg.state = "ended"
            self.end_agent_leg(leg, self.request(leg, "BYE"), by_agent=False)
            self.free_agent(leg, rona=False)
            self.maybe_done(call)
            return
        if call.answered_ns is None:
            call.answered_ns = ns
        call.waiting = False
        self.cancel_timer(call.timeout_timer)
        call.bridged = leg
        if call.inbound.state == "early":
            self.respond(call.inbound.invite, call.inbound.peer, 200, "OK",
                         call.inbound, self.sdp())
            call.inbound.state = "confirmed"
        if leg.referrer is not None and leg.referrer.state != "ended":
            self.notify(leg.referrer, "SIP/2.0 200 OK",
                        "terminated;reason=noresource")

    def ack_for(self, leg, resp, branch):
        inv = leg.invite
        ruri = leg.target if resp.status < 300 else inv.ruri
        headers = [("Via", "SIP/2.0/UDP %s:%d;branch=%s;rport" %
                    (self.addr + (branch,))), ("Max-Forwards", "70"),
                   ("From", inv.get("from")), ("To", resp.get("to")),
                   ("Call-ID", leg.call_id),
                   ("CSeq", "%d ACK" % inv.cseq)]
        return sip_message("ACK %s SIP/2.0" % ruri, headers)

    # ---- the queue ----------------------------------------------------

    def dispatch(self):
        """Ring a free member agent for each waiting call, oldest first."""
        now = time.monotonic()
        for call in self.calls:
            if not call.waiting or any(a.state == "early"
                                       for a in call.attempts) or \
                    now < call.queued_at + self.queue_delay:
                continue
            q = self.queue_of(call)
            for agent in q.get("members", []):
                st = self.agents[agent]
                if st["busy"] is None and st["ringing"] is None and \
                        st["paused_until"] <= now and self.offerable(agent):
                    self.ring_agent(call, agent)
                    break

    def queue_of(self, call):
        return next(q for q in self.cfg["queues"] if q["name"] == call.queue)

    def ring_agent(self, call, agent, referrer=None):
        host, port = self.agents[agent]["addr"]
        leg = Leg("agent", call, "%s@%s" % (token(), self.addr[0]))
        leg.agent = agent
        leg.referrer = referrer
        leg.peer = (host, port)
        leg.target = "sip:%s@%s:%d" % (agent, host, port)
        bindings = self.agents[agent]["bindings"]
        if bindings:
            # The newest binding: its Contact URI is the Request-URI.
            uri = max(bindings, key=lambda u: bindings[u][0])
            leg.target = uri
            leg.peer = hostport_of(uri) or leg.peer
        leg.local_hdr = "<sip:%s@%s>;tag=%s" % (call.caller, self.addr[0],
                                               leg.local_tag)
        leg.remote_hdr = "<sip:%s@%s>" % (agent, host)
        self.legs[leg.call_id] = leg
        leg.cseq = 1
        leg.invite_branch = "z9hG4bK" + token()
        headers = [("Via", "SIP/2.0/UDP %s:%d;branch=%s;rport" %
                    (self.addr + (leg.invite_branch,))),
                   ("Max-Forwards", "70"), ("From", leg.local_hdr),
                   ("To", leg.remote_hdr), ("Call-ID", leg.call_id),
                   ("CSeq", "1 INVITE"), ("Contact", self.contact()),
                   ("X-CC-Inbound", call.inbound.call_id)]
        data = sip_message("INVITE %s SIP/2.0" % leg.target, headers, self.sdp())
        leg.invite = Msg(data)
        leg.invite_ns = self.send(data, leg.peer)
        call.attempts.append(leg)
        self.agents[agent]["ringing"] = leg
        self.agents[agent]["rings"].append(leg)
        self.agent_log(leg.invite_ns, agent, "offered %s (%s)" % (
            leg.call_id, call.queue))
        self.agent_change(agent, leg.invite_ns, "ring", leg)
        leg.ring_timer = self.later(self.ring_timeout, self.rona, leg)
        return leg

    def cancel_agent_leg(self, leg):
        """CANCEL a ringing agent leg (RFC 3261 9.1); its 487 gets our ACK."""
        headers = [("Via", "SIP/2.0/UDP %s:%d;branch=%s;rport" %
                    (self.addr + (leg.invite_branch,))),
                   ("Max-Forwards", "70"), ("From", leg.invite.get("from")),
                   ("To", leg.invite.get("to")), ("Call-ID", leg.call_id),
                   ("CSeq", "%d CANCEL" % leg.invite.cseq)]
        leg.state = "ended"
        self.cancel_timer(leg.ring_timer)
        return self.send(sip_message("CANCEL %s SIP/2.0" % leg.invite.ruri,
                                     headers), leg.peer)

    def rona(self, leg):
        if leg.state != "early":
            return
        call = leg.call
        ns = self.cancel_agent_leg(leg)
        self.end_agent_leg(leg, ns, by_agent=False)
        self.free_agent(leg, rona=True)
        self.transfer_failed(leg, "SIP/2.0 487 Request Terminated")
        self.maybe_done(call)

    def transfer_failed(self, leg, frag):
        """A transfer target did not answer: tell the transferor, and put
        the caller back in the queue if nobody is talking to it."""
        call = leg.call
        if leg.referrer is None:
            return
        if leg.referrer.state != "ended":
            self.notify(leg.referrer, frag, "terminated;reason=noresource")
        if call.bridged is None and call.inbound.state != "ended":
            call.waiting = True

    def release_agents(self, call):
        """The caller has gone: cancel ringing agents, hang up talking ones."""
        call.waiting = False
        self.cancel_timer(call.timeout_timer)
        for leg in call.attempts:
            if leg.state == "early":
                self.end_agent_leg(leg, self.cancel_agent_leg(leg),
                                   by_agent=False)
                self.free_agent(leg, rona=False)
            elif leg.state == "confirmed":
                leg.state = "ended"
                self.end_agent_leg(leg, self.request(leg, "BYE"),
                                   by_agent=False)
        call.bridged = None

    def queue_timeout(self, call):
        if not call.waiting or call.inbound.state == "ended":
            return
        inbound = call.inbound
        if inbound.state == "early":
            ns = self.respond(inbound.invite, inbound.peer, 480,
                              "Temporarily Unavailable", inbound)
            self.end_inbound(call, ns, "pbx_reject", 480)
        else:
            self.end_inbound(call, self.request(inbound, "BYE"), "pbx_bye")
        inbound.state = "ended"
        self.release_agents(call)
        self.maybe_done(call)

    def free_agent(self, leg, rona):
        st = self.agents[leg.agent]
        if st["ringing"] is leg:
            st["ringing"] = None
        if st["busy"] is leg:
            st["busy"] = None
        pause = self.rona_pause if rona else self.wrap
        st["paused_until"] = max(st["paused_until"], time.monotonic() + pause)

    # ---- agents (DESIGN.md section 7) -----------------------------------

    def agent_log(self, ns, agent, what):
        """What the PBX itself decided about an agent, in the --log."""
        if self.log:
            self.log.write("%d.%09d AGENT %s %s\n" % (ns // 10**9, ns % 10**9,
                                                     agent, what))

    def logged_in(self, st):
        if self.presence == "static":
            return st["logged_in"]
        return bool(st["bindings"]) and not st["code_out"]

    def offerable(self, agent):
        """May the queue offer this agent a call now? (No presence: yes.)"""
        if self.presence is None:
            return True
        st = self.agents[agent]
        return self.logged_in(st) and not st["paused"] and \
            not st["rings"] and not st["segs"] and not st["others"] and \
            not st["features"] and st["wrap_until"] <= now_ns()

    def agent_state(self, st, ns):
        """Section 7's state: the first of the seven that applies."""
        if st["segs"]:
            return "on_call"
        if st["others"]:
            return "busy_other"
        if st["rings"]:
            return "ringing"
        if st["wrap_until"] > ns:
            return "wrapup"
        if not self.logged_in(st):
            if self.presence != "static" and not st["registered"]:
                return "unknown"
            return "logged_out"
        if st["paused"]:
            return "paused"
        return "available"

    def agent_change(self, agent, ns, reason, leg=None):
        """Re-evaluate an agent after evidence at ns; one truth record per
        change of state. The first message naming an agent makes it exist
        (its reason, or "seen" for a REGISTER that is no 2xx). leg: the
        agent leg of the contact the change concerns (its queue and
        contact_id go in the record), None when it concerns none: a leg
        in no contact (answered after the caller left, or still up after
        the 202 that ended its segment) concerns none."""
        st = self.agents[agent]
        state = self.agent_state(st, ns)
        first = not st["exists"]
        if not first and state == st["state"]:
            return
        st["exists"] = True
        rec = {"agent": agent, "state": state,
               "prev": None if first else st["state"],
               "prev_s": None if first else seconds(ms_of(ns) -
                                                    ms_of(st["since"])),
               "reason": reason, "ts": rfc3339(ns)}
        if leg is not None and leg.role == "agent":
            rec["queue"] = leg.call.queue
            rec["contact_id"] = leg.call.inbound.call_id
        self.agent_truth.append(rec)
        st["state"], st["since"] = state, ns

    def start_wrapup(self, leg, ns):
        """A contact segment of leg's queue ended at ns: wrap-up follows."""
        q = self.queue_of(leg.call)
        wrap = q.get("wrapup_s", 0)
        if not wrap:
            return
        st = self.agents[leg.agent]
        due = ns + int(wrap * 10**9)
        st["wrap_until"], st["wrap_leg"] = due, leg
        self.later((due - now_ns()) / 1e9, self.wrapup_end, leg.agent, due)

    def wrapup_end(self, agent, due):
        st = self.agents[agent]
        if st["wrap_until"] != due:
            return          # a later segment moved it
        self.agent_log(due, agent, "wrap-up over")
        # It concerns the contact whose wrap-up it ends.
        self.agent_change(agent, due, "wrapup_end", st["wrap_leg"])

    def auth_ok(self, msg, agent):
        """RFC 2617 digest (MD5, qop auth or none) with the one password."""
        auth = msg.get("authorization")
        if not auth.lower().startswith("digest"):
            return False
        p = dict((k.lower(), v.strip('"')) for k, v in re.findall(
            r'(\w+)=("[^"]*"|[^,\s]+)', auth[6:]))
        if p.get("username") != agent or p.get("nonce") not in self.nonces:
            return False

        def md5(text):
            return hashlib.md5(text.encode()).hexdigest()
        ha1 = md5("%s:%s:%s" % (agent, p.get("realm", ""), self.password))
        ha2 = md5("%s:%s" % (msg.method, p.get("uri", "")))
        if p.get("qop"):
            want = md5(":".join((ha1, p["nonce"], p.get("nc", ""),
                                 p.get("cnonce", ""), p["qop"], ha2)))
        else:
            want = md5("%s:%s:%s" % (ha1, p["nonce"], ha2))
        return p.get("response") == want

    def on_register(self, msg, addr, ns):
        agent = user_of(msg.get("to"))
        if agent not in self.agents:
            self.respond(msg, addr, 404, "Not Found")
            return
        st = self.agents[agent]
        if not st["exists"]:
            self.agent_change(agent, ns, "seen")
        if not self.auth_ok(msg, agent):
            nonce = token()
            self.nonces.add(nonce)
            self.respond(msg, addr, 401, "Unauthorized", extra=[
                ("WWW-Authenticate", 'Digest realm="%s", nonce="%s", '
                 'algorithm=MD5' % (self.realm, nonce))])
            return
        header = msg.get("expires")
        contacts = msg.all("contact")
        grant = {}                 # URI -> granted seconds (0: remove)
        if contacts == ["*"]:
            grant = dict((u, 0) for u in st["bindings"])
        else:
            for c in contacts:
                want = param(c, "expires") or header or "3600"
                want = int(want) if want.isdigit() else 3600
                grant[uri_of(c)] = min(want, self.max_expires)
        t_now = now_ns()
        listed = []
        for uri, (due, _a) in st["bindings"].items():
            if uri not in grant and due > t_now:
                listed.append("<%s>;expires=%d" % (uri, (due - t_now) // 10**9))
        listed += ["<%s>;expires=%d" % (u, g) for u, g in grant.items() if g]
        t = self.respond(msg, addr, 200, "OK",
                         extra=[("Contact", c) for c in listed])
        for uri, g in grant.items():
            if g:
                due = t + g * 10**9
                st["bindings"][uri] = (due, addr)
                self.later((due - now_ns()) / 1e9, self.binding_expired,
                           agent, uri, due)
                self.agent_log(t, agent, "bound %s for %d s" % (uri, g))
            elif st["bindings"].pop(uri, None) is not None:
                self.agent_log(t, agent, "unbound %s" % uri)
        st["registered"] = True
        if not st["bindings"]:
            st["paused"] = False
        self.agent_change(agent, t,
                          "register" if st["bindings"] else "unregister")

    def binding_expired(self, agent, uri, due):
        st = self.agents[agent]
        b = st["bindings"].get(uri)
        if b is None or b[0] != due:
            return          # refreshed or removed since
        del st["bindings"][uri]
        self.agent_log(due, agent, "binding %s ran out" % uri)
        if not st["bindings"]:
            st["paused"] = False
        self.agent_change(agent, due, "expired")

    def on_agent_invite(self, msg, addr, ns, number):
        """An agent's own INVITE: a feature code, else an outbound call."""
        agent = user_of(msg.get("from"))
        st = self.agents[agent]
        action = self.codes.get(number)
        leg = Leg("feature" if action else "out", None, msg.call_id)
        leg.agent = agent
        leg.invite = msg
        leg.invite_ns = ns
        leg.remote_hdr = msg.get("from")
        leg.local_hdr = msg.get("to") + ";tag=" + leg.local_tag
        leg.target = uri_of(msg.get("contact")) or uri_of(leg.remote_hdr)
        leg.peer = addr
        self.legs[msg.call_id] = leg
        if action:
            st["features"].append(leg)
            if action == "pause":
                st["paused"] = True
            elif action == "unpause":
                st["paused"] = False
            elif action == "login":
                st["code_out"] = False
                st["logged_in"] = True
            elif action == "logout":
                st["code_out"] = True
                st["logged_in"] = False
                st["paused"] = False
            self.agent_log(ns, agent, "code %s: %s" % (number, action))
            self.agent_change(agent, ns, action)
        else:
            st["others"].append(leg)
            self.agent_log(ns, agent, "dials %s" % number)
            self.agent_change(agent, ns, "dial")
        self.respond(msg, addr, 200, "OK", leg, self.sdp())
        leg.state = "confirmed"

    def end_own_leg(self, leg, ns):
        st = self.agents[leg.agent]
        for kind in ("features", "others"):
            if leg in st[kind]:
                st[kind].remove(leg)
        if leg.role == "out":
            self.agent_change(leg.agent, ns, "end")

    def write_agent_truth(self):
        if not self.args.agent_truth:
            return
        with open(self.args.agent_truth, "w") as fh:
            for rec in self.agent_truth:
                fh.write(json.dumps(rec) + "\n")

    # ---- truth --------------------------------------------------------

    def end_inbound(self, call, ns, how, status=0):
        if call.in_end_ns is None:
            call.in_end_ns = ns
            call.in_end = how
            call.reject_status = status
        call.waiting = False

    def end_agent_leg(self, leg, ns, by_agent):
        if leg.end_ns is not None:
            return
        leg.end_ns = ns
        leg.end_by_agent = by_agent
        if leg.hold_start is not None:
            leg.hold_ns += ns - leg.hold_start
            leg.hold_start = None
        if leg.answer_ns is not None:
            self.free_agent(leg, rona=False)
        st = self.agents[leg.agent]
        in_contact = leg not in st["others"]    # no contact: no queue, id
        for kind in ("rings", "segs", "others"):
            if leg in st[kind]:
                st[kind].remove(leg)
                if kind == "segs":
                    self.start_wrapup(leg, ns)
        self.agent_change(leg.agent, ns, "end", leg if in_contact else None)
        call = leg.call
        if leg.answer_ns is None and \
                (call.answered_ns is None or ns < call.answered_ns) and \
                (call.in_end_ns is None or ns < call.in_end_ns):
            leg.rona = True

    def maybe_done(self, call):
        if call.done or call.in_end_ns is None or \
                any(leg.end_ns is None for leg in call.attempts):
            return
        call.done = True
        self.finished += 1
        if self.args.calls and self.finished >= self.args.calls:
            self.stop_at = time.monotonic() + self.args.linger_s

    def record(self, call):
        arrival = ms_of(call.arrival_ns)
        in_end = ms_of(call.in_end_ns)
        ended = max([in_end] + [ms_of(a.end_ns) for a in call.attempts])
        answered = [a for a in call.attempts if a.answer_ns is not None]
        answered.sort(key=lambda a: a.answer_ns)
        if call.answered_ns is not None:
            outcome = "answered"
            wait = ms_of(call.answered_ns) - arrival
        else:
            wait = in_end - arrival
            if call.in_end == "pbx_reject" and call.reject_status != 487 \
                    and not call.early and not call.attempts:
                outcome = "blocked"
            elif call.in_end == "caller":
                outcome = "short_abandoned" if \
                    wait < self.cfg.get("short_abandon_s", 5) * 1000 \
                    else "abandoned"
            else:
                outcome = "timeout"
        if call.in_end == "caller":
            ended_by = "caller"
        elif answered and answered[-1].end_by_agent and \
                answered[-1].end_ns <= call.in_end_ns:
            ended_by = "agent"
        else:
            ended_by = "pbx"
        # A segment ends at the leg's end or at the 202 to the agent's REFER.
        seg = [a.seg_end or (a.end_ns, a.hold_ns, a.holds) for a in answered]
        handle = sum(ms_of(s[0]) - ms_of(a.answer_ns)
                     for a, s in zip(answered, seg))
        hold_us = sum(s[1] // 1000 for s in seg)
        return {
            "contact_id": call.inbound.call_id,
            "queue": call.queue,
            "caller": call.caller,
            "dnis": call.dnis,
            "arrival": rfc3339(call.arrival_ns),
            "answered_at": rfc3339(call.answered_ns),
            "ended_at": rfc3339(ended * 1000000),
            "outcome": outcome,
            "ended_by": ended_by,
            "wait_s": seconds(wait),
            "talk_s": round((handle * 1000 - hold_us) / 1e6, 3),
            "hold_s": round(hold_us / 1e6, 3),
            "handle_s": seconds(handle),
            "holds": sum(s[2] for s in seg),
            "transfers": call.transfers,
            "agent": answered[0].agent if answered else None,
            "agents": [a.agent for a in answered],
            "attempts": len(call.attempts),
            "rona": sum(1 for a in call.attempts if a.rona),
            "repeat": call.repeat,
            "legs": [call.inbound.call_id] +
                    [a.call_id for a in call.attempts],
        }

    def write_truth(self):
        done = [c for c in self.calls if c.done]
        open_calls = len(self.calls) - len(done)
        with open(self.args.truth, "w") as fh:
            for call in done:
                fh.write(json.dumps(self.record(call)) + "\n")
        print("acd-emu: %d calls ended, %d still up" % (len(done), open_calls),
              file=sys.stderr)
        self.write_agent_truth()
        if self.log:
            self.log.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--config", required=True,
                    help="JSON: listen, agents {id: ip:port}, queues "
                    "[{name, dnis, mode ring|answer|reject, members, "
                    "timeout_s, reject}], ring_timeout_s, rona_pause_s, "
                    "wrap_s, queue_delay_s (before a new call is "
                    "offered to agents), short_abandon_s; agents (DESIGN "
                    "section 7): presence register|static, static_ids, "
                    "feature_codes {pause, unpause, login, logout: [...]}, "
                    "registrar {realm, password, max_expires_s}, queues' "
                    "wrapup_s")
    ap.add_argument("--truth", required=True, help="call.end truth, JSON lines")
    ap.add_argument("--log", help="every message sent and received, timed")
    ap.add_argument("--agent-truth",
                    help="agent.state truth, JSON lines (section 7)")
    ap.add_argument("--calls", type=int, default=0,
                    help="exit after this many customer calls have ended")
    ap.add_argument("--linger-s", type=float, default=1.0)
    ap.add_argument("--max-time-s", type=float, default=120.0)
    ap.add_argument("--ready", help="file created once listening")
    args = ap.parse_args()
    with open(args.config) as fh:
        cfg = json.load(fh)
    emu = Emulator(args, cfg)
    if args.ready:
        with open(args.ready, "w") as fh:
            fh.write("%d\n" % os.getpid())
    emu.run()
    return 0 if all(c.done for c in emu.calls) else 1


if __name__ == "__main__":
    sys.exit(main())
