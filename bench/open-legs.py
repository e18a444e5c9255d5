#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# open-legs.py: a capture of N initial INVITEs that are never answered (memory per open leg).
"""Write a pcap of N initial INVITEs, trunk 192.0.2.1 -> PBX 10.0.0.10, none answered.

--dnis +18005550100 (a mapped queue of the generator's config) makes each one an
open leg and an open contact; --dnis +18005559999 (unmapped) an open leg only.
--callers distinct gives every call its own caller number (the repeat-caller
history then grows too); --callers one uses a single number for all.
The INVITEs are spread over --span-s seconds, well inside the unanswered-leg
timeout, so all of them are open at the end of the capture.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools"))
from ccmgen_wire import IP_DF, PcapWriter, eth_udp4  # noqa: E402

PBX, TRUNK = "10.0.0.10", "192.0.2.1"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--dnis", default="+18005550100")
    ap.add_argument("--callers", choices=["distinct", "one"], default="distinct")
    ap.add_argument("--span-s", type=float, default=100.0)
    ap.add_argument("--start", type=int, default=1795424400, help="epoch seconds")
    p = ap.parse_args()
    sdp = (b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
           b"m=audio 20000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")
    with open(p.out, "wb") as fh:
        w = PcapWriter(fh, snaplen=65535)
        for i in range(p.n):
            caller = "+1555%07d" % (i if p.callers == "distinct" else 1)
            msg = ("INVITE sip:%s@%s:5060 SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%012x\r\n"
                   "Max-Forwards: 70\r\n"
                   "From: <sip:%s@%s>;tag=%08x\r\n"
                   "To: <sip:%s@%s>\r\n"
                   "Call-ID: %032x@%s\r\n"
                   "CSeq: 1 INVITE\r\n"
                   "Contact: <sip:%s@%s:5060>\r\n"
                   "Content-Type: application/sdp\r\n"
                   "Content-Length: %d\r\n\r\n" % (
                       p.dnis, PBX, TRUNK, i, caller, TRUNK, i, p.dnis, PBX, i, TRUNK,
                       caller, TRUNK, len(sdp))).encode() + sdp
            us = int(p.start * 1_000_000 + i * p.span_s * 1_000_000 / max(p.n, 1))
            w.write(us, eth_udp4(TRUNK, PBX, msg, flags_off=IP_DF))


if __name__ == "__main__":
    main()
