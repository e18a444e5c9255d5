#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# mkcorpus.py: write the seed corpora of the fuzz targets (fuzz/corpus/TARGET/) from generated calls.
"""Usage: fuzz/mkcorpus.py [OUTDIR]   (default: fuzz/corpus next to this script)

Deterministic: the calls come from tools/ccmetrics-gen with a fixed seed, the
rest is written here by hand, so the committed corpus can be rebuilt and
reviewed. Seeds are small on purpose (libFuzzer grows its own corpus).
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests"))
import sippcap  # noqa: E402  (also puts tools/ on sys.path, for ccmgen_wire)
from sippcap import Leg, PBX, TRUNK, sdp  # noqa: E402
from ccmgen_wire import inet_checksum, read_udp4, sip_message  # noqa: E402

# Index of each link type in decode-fuzzer.c's table (first input byte).
DLT_INDEX = {"en10mb": 0, "sll": 1, "sll2": 2, "null": 3, "loop": 4, "raw": 5, "ipv4": 6,
             "ipv6": 7}
LETTERS = {"192.0.2.1": "t", "192.0.2.2": "u", "10.0.0.10": "p", "10.1.0.1": "a",
           "10.1.0.2": "b"}


def write(outdir, target, name, data):
    path = os.path.join(outdir, target)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode())


# --- decode: one packet of every link type and network layer ------------------

def udp(src_port, dst_port, payload):
    return struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0) + payload


def ipv4(src, dst, proto, payload, flags_frag=0, ident=1):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_frag, 64,
                      proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    csum = inet_checksum(hdr)
    return hdr[:10] + struct.pack("!H", csum) + hdr[12:] + payload


def ipv6(src, dst, nxt, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def hep3(src, dst, msg):
    """A HEPv3 packet (decode-fuzzer's HEP port 9060) carrying msg over UDP."""
    def chunk(ctype, data):
        return struct.pack("!HHH", 0, ctype, 6 + len(data)) + data
    body = (chunk(1, b"\x02") + chunk(2, b"\x11") + chunk(3, socket.inet_aton(src)) +
            chunk(4, socket.inet_aton(dst)) + chunk(7, struct.pack("!H", 5060)) +
            chunk(8, struct.pack("!H", 5060)) + chunk(9, struct.pack("!I", 1795424400)) +
            chunk(10, struct.pack("!I", 0)) + chunk(11, b"\x01") +
            chunk(12, struct.pack("!I", 2001)) + chunk(15, msg))
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


def decode_seeds(outdir, msg):
    u = udp(5060, 5060, msg)
    v4 = ipv4(TRUNK, PBX, 17, u)
    v6 = ipv6("2001:db8::1", "2001:db8::10", 17, u)
    # Hop-by-hop options (8 bytes, PadN) then UDP.
    v6hop = ipv6("2001:db8::1", "2001:db8::10", 0, bytes([17, 0, 1, 4, 0, 0, 0, 0]) + u)
    # A fragment header: decode counts it (reassembly is ipfrag's).
    v6frag = ipv6("2001:db8::1", "2001:db8::10", 44, bytes([17, 0, 0, 1, 0, 0, 0, 7]) + u)
    eth = b"\x02\x00\x0a\x00\x00\x0a\x02\x00\xc0\x00\x02\x01"
    seeds = {
        "eth-ipv4-udp": ("en10mb", eth + b"\x08\x00" + v4),
        "eth-vlan-ipv4-udp": ("en10mb", eth + b"\x81\x00\x00\x64\x08\x00" + v4),
        "eth-qinq-ipv6-udp": ("en10mb", eth + b"\x88\xa8\x00\x0a\x81\x00\x00\x64\x86\xdd" + v6),
        "eth-ipv6-hopopts-udp": ("en10mb", eth + b"\x86\xdd" + v6hop),
        "eth-ipv6-frag": ("en10mb", eth + b"\x86\xdd" + v6frag),
        "eth-ipv4-frag": ("en10mb", eth + b"\x08\x00" + ipv4(TRUNK, PBX, 17, u, 0x2000)),
        "eth-ipv4-tcp": ("en10mb", eth + b"\x08\x00" + ipv4(
            TRUNK, PBX, 6, struct.pack("!HHIIBBHHH", 5060, 5060, 1, 0, 0x50, 0x18, 65535,
                                       0, 0) + msg)),
        "eth-ipip": ("en10mb", eth + b"\x08\x00" + ipv4("198.51.100.1", "198.51.100.2", 4, v4)),
        "sll-ipv4-udp": ("sll", struct.pack("!HHH8sH", 0, 1, 6, b"\x02" * 8, 0x0800) + v4),
        "sll2-ipv6-udp": ("sll2", struct.pack("!HHIHBB8s", 0x86dd, 0, 2, 1, 0, 6, b"\x02" * 8)
                          + v6),
        "null-ipv4-udp": ("null", struct.pack("<I", 2) + v4),
        "loop-ipv6-udp": ("loop", struct.pack("!I", 30) + v6),
        "raw-ipv4-udp": ("raw", v4),
        "ipv4-udp": ("ipv4", v4),
        "ipv6-udp": ("ipv6", v6),
        "eth-ipv4-udp-hep3": ("en10mb", eth + b"\x08\x00" + ipv4(
            "192.0.2.50", PBX, 17, udp(40000, 9060, hep3(TRUNK, PBX, msg)))),
    }
    for name, (dlt, pkt) in seeds.items():
        write(outdir, "decode", name, bytes([DLT_INDEX[dlt]]) + pkt)


# --- sipmsg and pipeline: generated calls and hand-made dialogs ----------------

def generate(tmp):
    """Messages and truth of a short generated day rich in every outcome."""
    pcap, truth = os.path.join(tmp, "g.pcap"), os.path.join(tmp, "g.truth")
    subprocess.run([sys.executable, os.path.join(TOP, "tools", "ccmetrics-gen"), "--seed", "11",
                    "--duration-s", "1800", "--calls-per-hour", "300", "--agents", "2",
                    "--hold-prob", "0.5", "--rona-prob", "0.3", "--blocked-share", "0.1",
                    "--pai-share", "0.5", "--retx-prob", "0.2", "--out", pcap,
                    "--truth", truth], check=True, stderr=subprocess.DEVNULL)
    with open(truth) as fh:
        records = [json.loads(line) for line in fh]
    return read_udp4(pcap), records


def call_id_of(payload):
    for line in payload.split(b"\r\n"):
        if line.lower().startswith(b"call-id:"):
            return line.split(b":", 1)[1].strip().decode()
    return None


def pipeline_text(packets, first_us=None):
    """The pipeline-fuzzer format: "@DELTA_MS SD" then the message."""
    out, last = [], first_us if first_us is not None else packets[0][0]
    for ts, src, dst, payload in packets:
        out.append(b"@%d %s%s\n" % ((ts - last) // 1000, LETTERS.get(src, "o").encode(),
                                    LETTERS.get(dst, "o").encode()) + payload)
        last = ts
    return b"".join(out)


def pick(records, **want):
    for rec in records:
        if all(rec.get(k) == v if not callable(v) else v(rec.get(k)) for k, v in want.items()):
            return rec
    return None


def transfer_call():
    """Inbound call answered by agent 1001, blind-transferred (REFER) to 1002."""
    pkts, t = [], sippcap.START_US
    inb = Leg("xfer-in@192.0.2.1", TRUNK, PBX, "+15550000001", "+18005550100", "xin")
    a1 = Leg("xfer-a1@10.0.0.10", PBX, "10.1.0.1", "+15550000001", "1001", "xa1",
             [("X-CC-Inbound", inb.call_id)])
    a2 = Leg("xfer-a2@10.0.0.10", PBX, "10.1.0.2", "+15550000001", "1002", "xa2",
             [("X-CC-Inbound", inb.call_id)])

    def add(dt_ms, src, dst, msg):
        nonlocal t
        t += dt_ms * 1000
        pkts.append((t, src, dst, msg))

    add(0, TRUNK, PBX, inb.invite())
    add(10, PBX, TRUNK, inb.ringing())
    add(2000, PBX, "10.1.0.1", a1.invite())
    add(50, "10.1.0.1", PBX, a1.ringing())
    add(3000, "10.1.0.1", PBX, a1.ok())
    add(10, PBX, "10.1.0.1", a1.ack())
    add(0, PBX, TRUNK, inb.ok())
    add(10, TRUNK, PBX, inb.ack())
    refer = sip_message("REFER sip:+15550000001@10.0.0.10 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKrefer1"),
        ("From", "<sip:1001@10.1.0.1>;tag=xa1b"), ("To", "<sip:+15550000001@10.0.0.10>;tag=xa1a"),
        ("Call-ID", a1.call_id), ("CSeq", "7 REFER"), ("Refer-To", "<sip:1002@10.0.0.10>"),
        ("Referred-By", "<sip:1001@10.1.0.1>")])
    add(60000, "10.1.0.1", PBX, refer)
    add(10, PBX, "10.1.0.1", sip_message("SIP/2.0 202 Accepted", [
        ("Via", "SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKrefer1"),
        ("From", "<sip:1001@10.1.0.1>;tag=xa1b"),
        ("To", "<sip:+15550000001@10.0.0.10>;tag=xa1a"), ("Call-ID", a1.call_id),
        ("CSeq", "7 REFER")]))
    add(100, PBX, "10.1.0.1", a1.request("BYE", by_uac=True))
    add(10, PBX, "10.1.0.2", a2.invite())
    add(4000, "10.1.0.2", PBX, a2.ok())
    add(10, PBX, "10.1.0.2", a2.ack())
    add(90000, "10.1.0.2", PBX, a2.request("BYE", by_uac=False))
    add(10, PBX, TRUNK, inb.request("BYE", by_uac=False))
    return pkts


def hold_offer(leg, mode, cseq):
    """A re-INVITE from the agent side carrying direction `mode`."""
    return sip_message("INVITE sip:%s@%s SIP/2.0" % (leg.from_user, leg.uac), [
        ("Via", "SIP/2.0/UDP %s:5060;branch=z9hG4bKhold%d" % (leg.uas, cseq)),
        ("From", "<sip:%s@%s>;tag=%s" % (leg.ruri_user, leg.uas, leg.tag_uas)),
        ("To", "<sip:%s@%s>;tag=%s" % (leg.from_user, leg.uac, leg.tag_uac)),
        ("Call-ID", leg.call_id), ("CSeq", "%d INVITE" % cseq)], sdp(leg.uas, mode, cseq))


def notify_failed():
    """A refer NOTIFY whose sipfrag reports the transfer failed (DESIGN.md 3.3)."""
    return sip_message("NOTIFY sip:1001@10.1.0.1 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 10.0.0.10;branch=z9hG4bKn"), ("From", "<sip:x@10.0.0.10>;tag=r2"),
        ("To", "<sip:1001@10.1.0.1>;tag=r1"), ("Call-ID", "refer@10.1.0.1"),
        ("CSeq", "3 NOTIFY"), ("Event", "refer;id=9"),
        ("Subscription-State", "terminated;reason=noresource")],
        b"SIP/2.0 486 Busy Here\r\n", "message/sipfrag;version=2.0")


def sip_seeds(outdir, packets):
    """One of each kind of generated message, plus hand-made variants."""
    seen = {}
    for _, _, _, payload in packets:
        first = payload.split(b"\r\n", 1)[0]
        kind = first.split(b" ")[0] if not first.startswith(b"SIP/2.0") else first.split(b" ")[1]
        has_sdp = b"application/sdp" in payload
        key = (kind, has_sdp, b"P-Asserted-Identity" in payload, b"X-CC-Inbound" in payload)
        if key not in seen:
            seen[key] = payload
    for i, ((kind, has_sdp, pai, corr), payload) in enumerate(sorted(seen.items())):
        name = "gen-%s%s%s%s" % (kind.decode(), "-sdp" if has_sdp else "",
                                  "-pai" if pai else "", "-corr" if corr else "")
        write(outdir, "sipmsg", name, payload)
    inv = Leg("hand-1@192.0.2.1", TRUNK, PBX, "+15550000002", "+18005550200", "h1",
              [("P-Asserted-Identity", "<tel:+15550000002;cpc=ordinary>"),
               ("Replaces", "abc@10.0.0.10;to-tag=1;from-tag=2")])
    write(outdir, "sipmsg", "hand-invite-tel-pai-replaces", inv.invite())
    compact = (b"INVITE sip:5100@10.0.0.10 SIP/2.0\r\nv: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc\r\n"
               b"f: <sip:+15550000003@192.0.2.1>;tag=c1\r\nt: <sip:5100@10.0.0.10>\r\n"
               b"i: compact@192.0.2.1\r\nCSeq: 1 INVITE\r\nc: application/sdp\r\n"
               b"l: %d\r\n\r\n" % len(sdp(TRUNK, "inactive"))) + sdp(TRUNK, "inactive")
    write(outdir, "sipmsg", "hand-compact-headers", compact)
    refer = sip_message("REFER sip:x@10.0.0.10 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 10.1.0.1;branch=z9hG4bKr"), ("From", "<sip:1001@10.1.0.1>;tag=r1"),
        ("To", "<sip:x@10.0.0.10>;tag=r2"), ("Call-ID", "refer@10.1.0.1"), ("CSeq", "9 REFER"),
        ("Refer-To", "<sip:1002@10.0.0.10?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>")])
    write(outdir, "sipmsg", "hand-refer-replaces", refer)
    write(outdir, "sipmsg", "hand-notify-sipfrag-failed", notify_failed())
    hold = hold_offer(Leg("hold@10.0.0.10", PBX, "10.1.0.1", "+1555", "1001", "ho"),
                      "sendonly", 3)
    write(outdir, "sipmsg", "hand-reinvite-sendonly", hold)
    write(outdir, "sipmsg", "keepalive", b"\r\n\r\n")
    write(outdir, "sipmsg", "options", b"OPTIONS sip:10.0.0.10 SIP/2.0\r\n\r\n")


def pipeline_seeds(outdir, packets, records):
    by_call = {}
    for pkt in packets:
        by_call.setdefault(call_id_of(pkt[3]), []).append(pkt)
    wanted = {
        "answered": dict(outcome="answered", holds=0, rona=0),
        "answered-hold": dict(outcome="answered", holds=lambda h: h and h > 0),
        "answered-rona": dict(outcome="answered", rona=lambda r: r and r > 0),
        "abandoned": dict(outcome="abandoned"),
        "short-abandoned": dict(outcome="short_abandoned"),
        "blocked": dict(outcome="blocked"),
        "timeout": dict(outcome="timeout"),
    }
    for name, want in wanted.items():
        rec = pick(records, **want)
        if rec is None:
            raise SystemExit("mkcorpus: the generated day has no %s call" % name)
        pkts = sorted((p for cid in rec["legs"] for p in by_call[cid]), key=lambda p: p[0])
        write(outdir, "pipeline", "gen-" + name, pipeline_text(pkts))
    # Two consecutive calls, small enough for -max_len (run.sh), and the
    # same with configuration B and a reload.
    for i in range(len(records) - 1):
        two = sorted((p for rec in records[i:i + 2] for cid in rec["legs"]
                      for p in by_call[cid]), key=lambda p: p[0])
        if len(pipeline_text(two)) < 8192:
            break
    write(outdir, "pipeline", "gen-two-calls", pipeline_text(two))
    write(outdir, "pipeline", "gen-two-calls-config-b", b"!" + pipeline_text(two))
    text = pipeline_text(two)
    half = text.index(b"\n@", len(text) // 2) + 1
    write(outdir, "pipeline", "gen-two-calls-reload", text[:half] + b"@R\n" + text[half:])
    write(outdir, "pipeline", "hand-transfer", pipeline_text(transfer_call()))
    # A hold and resume on a hand-made answered call.
    inb = Leg("hold-in@192.0.2.1", TRUNK, PBX, "+15550000004", "5100", "hi")
    ag = Leg("hold-a@10.0.0.10", PBX, "10.1.0.1", "+15550000004", "1001", "ha",
             [("X-CC-Inbound", inb.call_id)])
    t = sippcap.START_US
    seq = [(TRUNK, PBX, inb.invite()), (PBX, TRUNK, inb.ok()), (TRUNK, PBX, inb.ack()),
           (PBX, "10.1.0.1", ag.invite()), ("10.1.0.1", PBX, ag.ringing()),
           ("10.1.0.1", PBX, ag.ok()), (PBX, "10.1.0.1", ag.ack()),
           ("10.1.0.1", PBX, hold_offer(ag, "sendonly", 2)),
           (PBX, "10.1.0.1", ag.response(200, "OK", cseq=2, body=sdp(PBX, "recvonly"))),
           ("10.1.0.1", PBX, hold_offer(ag, "sendrecv", 3)),
           (PBX, "10.1.0.1", ag.response(200, "OK", cseq=3, body=sdp(PBX))),
           ("10.1.0.1", PBX, ag.request("BYE", by_uac=False)),
           (PBX, TRUNK, inb.request("BYE", by_uac=False))]
    pkts = [(t + i * 7000000, s, d, m) for i, (s, d, m) in enumerate(seq)]
    write(outdir, "pipeline", "hand-hold-resume", pipeline_text(pkts))


def config_seeds(outdir):
    for src, name in ((os.path.join(TOP, "conf", "ccmetricsd.yaml"), "conf"),
                      (os.path.join(TOP, "samples", "sample.yaml"), "sample")):
        with open(src, "rb") as fh:
            write(outdir, "config", name, fh.read())
    write(outdir, "config", "minimal", "pbx: { addresses: [10.0.0.10] }\n"
          "agents: { addresses: [10.1.0.0/16] }\n")
    write(outdir, "config", "flow-every-key", """\
capture: { interface: eth1, filter: "udp port 5060", sip_ports: [5060, 5080],
  hep_listen: "[::1]:9060" }
pbx: { addresses: [10.0.0.10, "2001:db8::10"] }
trunks: { addresses: [192.0.2.0/24, "2001:db8:1::/48"] }
agents: { addresses: [10.1.0.0/16], user_pattern: "^(1[0-9]{3}|agent-[a-z]+)$" }
queues: [ { name: sales, dnis: ["+18005550100", "5100"], sl_threshold_s: 15,
    sl_target: 0.9 }, { name: support-2, dnis: ["+18005550200"] } ]
default_queue: support-2
correlation: { headers: [X-CC-Inbound, X-Genesys-CallUUID], caller_window_s: 0 }
metrics: { interval_s: 1800, realtime_s: 10, short_abandon_s: 0, repeat_window_s: 0 }
limits: { max_legs: 1, unanswered_leg_timeout_s: 1, answered_leg_timeout_s: 1 }
publish: { zmq: { endpoint: "ipc:///tmp/x", sndhwm: 1, await_subscribers: 2,
  await_ms: 10 }, jsonl: { path: "-" } }
""")
    write(outdir, "config", "errors", """\
capture: { sip_ports: [0, 70000, x], unknown: 1 }
pbx: { addresses: [10.0.0.300, 10.0.0.0/33] }
agents: &a { addresses: [] }
queues: [ { name: "bad name", dnis: [] }, { name: x }, { name: x } ]
default_queue: nowhere
metrics: { interval_s: 7 }
limits: *a
""")
    # The bounds of issue 12: an alias bomb, nesting past 16 levels, a
    # filter past 64 terms, lists past their bound, ZeroMQ endpoints.
    laughs = "".join("a%d: &a%d [%s]\n" % (i, i, ", ".join(["*a%d" % (i - 1)] * 9))
                     for i in range(1, 10))
    write(outdir, "config", "bound-alias-bomb",
          "pbx: { addresses: [10.0.0.10] }\n"
          "agents: { addresses: [10.1.0.0/16] }\na0: &a0 [lol, lol]\n" + laughs)
    write(outdir, "config", "bound-nesting",
          "pbx: { addresses: [10.0.0.10] }\nx: " + "[" * 40 + "]" * 40 + "\n")
    write(outdir, "config", "bound-filter",
          "pbx: { addresses: [10.0.0.10] }\nagents: { addresses: [10.1.0.0/16] }\n"
          "capture: { filter: \"" + " or ".join("port %d" % i for i in range(1, 66)) +
          "\", hep_ports: [9060], hep_sources: [127.0.0.1], hep_password: x }\n")
    write(outdir, "config", "bound-lists",
          "pbx: { addresses: [" + ",".join("10.0.%d.%d" % (i // 256, i % 256)
                                           for i in range(4097)) + "] }\n"
          "agents: { addresses: [10.1.0.0/16] }\n"
          "queues: [ { name: a, dnis: [1, 2, 3] }, { name: b, dnis: [4, 1] } ]\n")
    write(outdir, "config", "bound-endpoints",
          "pbx: { addresses: [10.0.0.10] }\nagents: { addresses: [10.1.0.0/16] }\n"
          "publish: { zmq: { endpoint: \"tcp://:::::\" } }\n"
          "limits: { max_time_jump_s: 0 }\n"
          "capture: { sip_ports: [5070], interface: eth9 }\n")


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.join(HERE, "corpus")
    for target in ("decode", "sipmsg", "pipeline", "config"):
        shutil.rmtree(os.path.join(outdir, target), ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        packets, records = generate(tmp)
    invite = next(p[3] for p in packets if p[3].startswith(b"INVITE "))
    decode_seeds(outdir, invite)
    sip_seeds(outdir, packets)
    pipeline_seeds(outdir, packets, records)
    config_seeds(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
