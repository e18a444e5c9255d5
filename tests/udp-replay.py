#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""udp-replay.py: send the UDP payloads of a pcap onto loopback, in time.

Each IPv4 address a.b.c.d of the capture is mapped to 127.(N+b).c.d, N
from --net (default 0: 10.0.0.10 -> 127.0.0.10, 192.0.2.1 -> 127.0.2.1,
10.1.0.7 -> 127.1.0.7), so tests running at once can use disjoint ranges,
and each payload is sent from a socket bound to the mapped
source address and port to the mapped destination, keeping the capture's
inter-packet gaps (divided by --speed). Bounded: at most --max-packets.
"""
import argparse
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools"))
from ccmgen_wire import LINKTYPE_ETHERNET, PcapReader, udp4_of  # noqa: E402


def packets(path):
    """Yield (ts, src_ip, sport, dst_ip, dport, payload) of Ethernet/IPv4/UDP."""
    with open(path, "rb") as f:
        try:
            reader = PcapReader(f, path)
        except ValueError as e:
            sys.exit("udp-replay: %s" % e)
        if reader.linktype != LINKTYPE_ETHERNET:
            sys.exit("udp-replay: only Ethernet captures")
        for ts_us, frame in reader:
            udp = udp4_of(frame)
            if udp is not None:
                yield (ts_us / 1e6,) + udp


def loopback(addr, net):
    """The 127/8 address of addr: 127.(net + b).c.d."""
    return "127.%d.%d.%d" % (net + addr[1], addr[2], addr[3])


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pcap")
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--net", type=int, default=0)
    ap.add_argument("--max-packets", type=int, default=200000)
    args = ap.parse_args()
    socks = {}
    start = first = None
    sent = 0
    for ts, src, sport, dst, dport, payload in packets(args.pcap):
        if sent >= args.max_packets:
            break
        if first is None:
            first, start = ts, time.monotonic()
        delay = start + (ts - first) / args.speed - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        key = (loopback(src, args.net), sport)
        if key not in socks:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(key)
            socks[key] = s
        socks[key].sendto(payload, (loopback(dst, args.net), dport))
        sent += 1
    print("udp-replay: %d packets sent" % sent, file=sys.stderr)


if __name__ == "__main__":
    main()
