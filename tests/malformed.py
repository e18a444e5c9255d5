#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# malformed.py: mix a corpus of malformed SIP into a generated capture; print the counters it must give.
"""Usage:
  malformed.py write CLEAN.pcap OUTDIR
  malformed.py check OUTDIR/expected.json CLEAN_OUT.jsonl MIXED_OUT.jsonl
  malformed.py check-case COUNTER OUT.jsonl

write: reads the clean generated capture and inserts one packet per case of
the table below between its packets (from 192.0.2.99 or 198.51.100.7 to the
PBX, port 5060; the two garbage status codes ride on a real call's INVITE
transaction). Writes OUTDIR/mixed.pcap, OUTDIR/expected.json (what the
cases add to the daemon's stats, from the table: each case raises exactly
one counter) and OUTDIR/case/NAME.pcap with NAME.counter for each case.
check: the mixed run's decode and sip counters are the clean run's plus
expected.json, field by field. check-case: a case replayed alone raised its
counter by one and no other drop counter.
"""

import json
import os
import random
import sys

import sippcap  # also puts tools/ on sys.path, for ccmgen_wire
from sippcap import Leg, PBX
from ccmgen_wire import PcapWriter, eth_udp4, read_udp4

STRANGER = "192.0.2.99"        # a trunk address: its INVITEs would be inbound
OTHER = "198.51.100.7"         # no trunk: an accepted INVITE forms no contact
UDP_MAX = 65507                # the largest IPv4 UDP payload


def drop_header(msg, name):
    lines = msg.split(b"\r\n")
    return b"\r\n".join(l for l in lines if not l.lower().startswith(name.lower() + b":"))


def set_content_length(msg, n):
    head, body = msg.split(b"\r\n\r\n", 1)
    lines = [l if not l.startswith(b"Content-Length:") else b"Content-Length: " + n
             for l in head.split(b"\r\n")]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def first(packets, pred):
    return next(p for p in packets if pred(p))


def cases(real):
    """(name, counter, payload or frame, when) of every case.

    counter is the stats field the case must raise by one: sip.<x> for the
    SIP stage, decode.<x> for a frame decode drops. `when` is None (spread
    evenly between the real packets) or a packet time in microseconds.
    """
    inv = Leg("malformed-1@192.0.2.99", STRANGER, PBX, "+15550009999", "+18005550100",
              "mf").invite()
    other = Leg("malformed-2@198.51.100.7", OTHER, PBX, "+15550008888", "+18005550100",
                "mo").invite()
    other3 = Leg("malformed-3@198.51.100.7", OTHER, PBX, "+15550008888", "+18005550100",
                 "mp").invite()
    rng = random.Random(7)
    junk = bytes([0xA5]) + bytes(rng.getrandbits(8) for _ in range(1499))
    # A real call's INVITE from a trunk, and the packets of its INVITE transaction.
    real_inv = first(real, lambda p: p[3].startswith(b"INVITE ") and p[1].startswith("192.0.2."))
    cid = call_id_of(real_inv[3])
    real_resp = first(real, lambda p: p[3].startswith(b"SIP/2.0 1") and call_id_of(p[3]) == cid)
    real_bye = first(real, lambda p: p[3].startswith(b"BYE "))
    huge_pad = UDP_MAX - len(other3) - len(b"X-Huge: \r\n")
    out = [
        # Cut short: over UDP, RFC 3261 18.3 makes each an error.
        ("truncated-half", "sip.parse_errors", inv[:len(inv) // 2], None),
        ("truncated-after-a-header", "sip.parse_errors",
         inv[:inv.index(b"\r\nCall-ID:") + 2], None),
        ("truncated-in-body", "sip.parse_errors", inv[:-25], None),
        ("truncated-copy-of-a-real-bye", "sip.parse_errors", real_bye[3][:60], None),
        ("content-length-too-long", "sip.parse_errors", set_content_length(inv, b"9999"), None),
        # Too short: the bytes past Content-Length are discarded (RFC 3261 18.3).
        ("content-length-too-short", "sip.messages", set_content_length(other, b"10"), None),
        ("binary-junk", "sip.parse_errors", junk, None),
        ("tls-client-hello", "sip.parse_errors",
         bytes([0x16, 0x03, 0x01, 0x00, 0x2F, 0x01, 0x00, 0x00, 0x2B, 0x03, 0x03]) + bytes(32),
         None),
        # A valid message with a 64 KB header: parsed, kept (leg role other).
        ("huge-header-64k", "sip.messages",
         other3.replace(b"Max-Forwards: 70\r\n",
                       b"Max-Forwards: 70\r\nX-Huge: " + b"h" * huge_pad + b"\r\n"), None),
        ("missing-call-id", "sip.missing_fields", drop_header(inv, b"Call-ID"), None),
        ("missing-cseq", "sip.missing_fields", drop_header(inv, b"CSeq"), None),
        ("missing-from", "sip.missing_fields", drop_header(inv, b"From"), None),
        ("missing-to", "sip.missing_fields", drop_header(inv, b"To"), None),
        ("missing-from-and-to", "sip.missing_fields",
         drop_header(drop_header(inv, b"From"), b"To"), None),
        ("cseq-without-method", "sip.parse_errors", inv.replace(b"CSeq: 1 INVITE", b"CSeq: 1"),
         None),
        ("cseq-without-number", "sip.parse_errors",
         inv.replace(b"CSeq: 1 INVITE", b"CSeq: INVITE"), None),
        ("request-line-without-version", "sip.parse_errors",
         inv.replace(b" SIP/2.0\r\n", b"\r\n", 1), None),
        ("request-line-without-uri", "sip.parse_errors",
         inv.replace(b"INVITE sip:+18005550100@10.0.0.10 SIP/2.0", b"INVITE SIP/2.0"), None),
        ("two-call-ids", "sip.parse_errors",
         inv.replace(b"Call-ID:", b"Call-ID: second@192.0.2.99\r\nCall-ID:"), None),
        # Garbage status codes on the real call's INVITE transaction, just
        # after its INVITE: a "999" taken for a final response would end it.
        ("status-2x9-on-a-real-call", "sip.parse_errors",
         status(real_resp[3], b"2x9 Garbage"), real_inv[0] + 1000),
        ("status-999-on-a-real-call", "sip.parse_errors",
         status(real_resp[3], b"999 Garbage"), real_inv[0] + 2000),
        ("status-abc", "sip.parse_errors", status(real_resp[3], b"abc Garbage"), None),
        ("nul-in-a-header", "sip.parse_errors", inv.replace(b"Max-Forwards: 70",
                                                             b"Max-Forwards: 7\x000"), None),
        ("nul-after-the-start-line", "sip.parse_errors",
         inv.replace(b" SIP/2.0\r\n", b" SIP/2.0\x00\r\n", 1), None),
        # Leading NULs and spaces are keep-alive padding (some phones).
        ("nul-only", "sip.keepalives", bytes(64), None),
        ("nul-padding-then-a-message", "sip.messages",
         b"\x00\x00" + Leg("malformed-4@198.51.100.7", OTHER, PBX, "+15550008888",
                            "+18005550100", "mq").invite(), None),
        ("empty-payload", "sip.keepalives", b"", None),
        ("crlf-keepalive", "sip.keepalives", b"\r\n\r\n", None),
        # Frames cut below SIP: decode counts them, SIP never sees them.
        ("snaplen-cut-frame", "decode.truncated", ("caplen", 200, eth_udp4(STRANGER, PBX, inv)),
         None),
        ("udp-length-past-the-frame", "decode.truncated",
         ("frame", udp_length(eth_udp4(STRANGER, PBX, inv), len(inv) + 500)), None),
    ]
    return out


def status(resp, code_reason):
    line, rest = resp.split(b"\r\n", 1)
    return b"SIP/2.0 " + code_reason + b"\r\n" + rest


def udp_length(frame, n):
    """The frame with its UDP length field set to 8 + n."""
    off = 14 + 20 + 4
    return frame[:off] + (8 + n).to_bytes(2, "big") + frame[off + 2:]


def call_id_of(payload):
    for line in payload.split(b"\r\n"):
        if line.lower().startswith(b"call-id:"):
            return line.split(b":", 1)[1].strip()
    return None


def last_stats(path):
    """The last stats object of a JSON-lines output."""
    stats = None
    with open(path) as fh:
        for line in fh:
            if line.startswith('{"topic":"stats"'):
                stats = json.loads(line)
    if stats is None:
        raise SystemExit("malformed: no stats object in %s" % path)
    return stats


def write_pcap(path, records):
    """records: (ts_us, rec) with rec ("udp", src, dst, payload), ("frame", frame)
    or ("caplen", n, frame): a frame recorded cut at n bytes."""
    with open(path, "wb") as fh:
        w = PcapWriter(fh)
        for ts, rec in records:
            if rec[0] == "udp":
                w.udp(ts, rec[1], rec[2], rec[3])
            elif rec[0] == "frame":
                w.write(ts, rec[1])
            else:
                w.write(ts, rec[2], caplen=rec[1])


def record_of(counter, data):
    if isinstance(data, tuple):
        return data
    return ("udp", OTHER if counter == "sip.messages" else STRANGER, PBX, data)


def cmd_write(clean, outdir):
    """MIXED.pcap, expected.json and one pcap per case (case/NAME.pcap, .counter)."""
    real = read_udp4(clean)
    table = cases(real)
    spread = [c[0] for c in table if c[3] is None]
    step = len(real) // (len(spread) + 1)
    records = [(ts, 0, ("udp", src, dst, payload)) for ts, src, dst, payload in real]
    os.makedirs(os.path.join(outdir, "case"), exist_ok=True)
    for name, counter, data, when in table:
        if when is None:                    # 0.5 ms after a real packet
            when = real[step * (1 + spread.index(name))][0] + 500
        records.append((when, 1, record_of(counter, data)))
        write_pcap(os.path.join(outdir, "case", name + ".pcap"),
                   [(sippcap.START_US, record_of(counter, data))])
        with open(os.path.join(outdir, "case", name + ".counter"), "w") as fh:
            fh.write(counter + "\n")
    records.sort(key=lambda r: (r[0], r[1]))
    write_pcap(os.path.join(outdir, "mixed.pcap"), [(ts, rec) for ts, _, rec in records])
    # What the cases add to the stats of the clean capture, by hand:
    # each case is one packet, and one payload unless decode drops it.
    expected = {"packets": len(table), "sip": {}, "decode": {"payloads": 0}}
    for name, counter, _, _ in table:
        stage, field = counter.split(".")
        expected[stage][field] = expected[stage].get(field, 0) + 1
        if stage == "sip":
            expected["decode"]["payloads"] += 1
    with open(os.path.join(outdir, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1, sort_keys=True)
    return 0


def flat(stats, stage):
    """The counters of a stage, nested objects as dotted names (tcp.streams)."""
    out = {}

    def walk(prefix, obj):
        for k, v in obj.items():
            if isinstance(v, dict):
                walk(prefix + k + ".", v)
            else:
                out[prefix + k] = v
    walk("", stats[stage])
    return out


def cmd_check(expected_path, clean_out, mixed_out):
    """Mixed stats = clean stats + what the cases add, field by field."""
    with open(expected_path) as fh:
        expected = json.load(fh)
    clean, mixed = last_stats(clean_out), last_stats(mixed_out)
    bad = 0
    want = clean["packets"] + expected["packets"]
    print("%s packets: expected %d, got %d" % ("ok:" if want == mixed["packets"] else "FAIL:",
                                               want, mixed["packets"]))
    bad += want != mixed["packets"]
    for stage in ("decode", "sip"):
        cflat, mflat = flat(clean, stage), flat(mixed, stage)
        for field in sorted(cflat):
            want = cflat[field] + expected[stage].get(field, 0)
            got = mflat[field]
            print("%s %s.%s: expected %d, got %d" % ("ok:" if got == want else "FAIL:",
                                                    stage, field, want, got))
            bad += got != want
    return 1 if bad else 0


def cmd_check_case(counter, out):
    """One case alone: its counter is 1, every other drop counter 0."""
    stats = last_stats(out)
    bad = []
    for stage in ("decode", "sip"):
        for field, got in flat(stats, stage).items():
            name = "%s.%s" % (stage, field)
            want = 1 if name == counter else 0
            if field == "payloads":
                want = 1 if counter.startswith("sip.") else 0
            if got != want:
                bad.append("%s = %d (expected %d)" % (name, got, want))
    if bad:
        print("; ".join(bad))
        return 1
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "write":
        return cmd_write(argv[2], argv[3])
    if len(argv) == 5 and argv[1] == "check":
        return cmd_check(argv[2], argv[3], argv[4])
    if len(argv) == 4 and argv[1] == "check-case":
        return cmd_check_case(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
