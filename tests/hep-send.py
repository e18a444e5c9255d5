#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""hep-send.py: send the HEP payloads of a capture to a HEP listener over UDP.

Reads a classic little-endian pcap of Ethernet / IPv4 / UDP (ccmetrics-gen
--encap hep3) and sends, in capture order, every UDP payload whose destination
port is --port-in-capture to HOST:PORT. HEP carries its own timestamps, so
the pace is only what the listener's socket buffer needs. Prints the count.
"""
import argparse
import itertools
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools"))
from ccmgen_wire import LINKTYPE_ETHERNET, PcapReader, udp4_of  # noqa: E402


def hep_payloads(path, port):
    """UDP payloads to port, in capture order."""
    with open(path, "rb") as fh:
        try:
            reader = PcapReader(fh, path)
        except ValueError as e:
            sys.exit("hep-send: %s" % e)
        if reader.linktype != LINKTYPE_ETHERNET:
            sys.exit("hep-send: %s: not Ethernet" % path)
        for _, frame in reader:
            udp = udp4_of(frame)
            if udp is not None and udp[3] == port:
                yield udp[4]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pcap")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--port-in-capture", type=int, default=9060)
    ap.add_argument("--burst", type=int, default=20, help="datagrams between pauses")
    ap.add_argument("--pause-ms", type=float, default=1.0)
    ap.add_argument("--preload", action="store_true",
                    help="read the whole capture first: the pace is then "
                    "the burst and pause alone, not the reading")
    ap.add_argument("--skip", type=int, default=0, metavar="N",
                    help="leave out the first N datagrams")
    ap.add_argument("--count", type=int, default=None, metavar="N",
                    help="send at most N datagrams (after --skip)")
    ap.add_argument("--ready", metavar="FILE",
                    help="create FILE when about to send the first datagram")
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    payloads = itertools.islice(hep_payloads(args.pcap, args.port_in_capture),
                                args.skip, None if args.count is None else
                                args.skip + args.count)
    if args.preload:
        payloads = list(payloads)
    if args.ready:
        open(args.ready, "w").close()
    for payload in payloads:
        sock.sendto(payload, (args.host, args.port))
        sent += 1
        if sent % args.burst == 0:
            time.sleep(args.pause_ms / 1000)
    print(sent)


if __name__ == "__main__":
    main()
