#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""hep-send.py: send the HEP payloads of a capture to a HEP listener over UDP.

Reads a classic little-endian pcap of Ethernet / IPv4 / UDP (ccmetrics-gen
--encap hep3) and sends, in capture order, every UDP payload whose destination
port is --port-in-capture to HOST:PORT. HEP carries its own timestamps, so
the pace is only what the listener's socket buffer needs. Prints the count.
"""
import argparse
import socket
import struct
import sys
import time


def hep_payloads(path, port):
    """UDP payloads to port, in capture order."""
    with open(path, "rb") as fh:
        head = fh.read(24)
        if len(head) < 24 or struct.unpack("<I", head[:4])[0] != 0xA1B2C3D4:
            sys.exit("hep-send: %s: not a little-endian microsecond pcap" % path)
        if struct.unpack("<I", head[20:24])[0] != 1:
            sys.exit("hep-send: %s: not Ethernet" % path)
        while True:
            rec = fh.read(16)
            if len(rec) < 16:
                return
            caplen = struct.unpack("<IIII", rec)[2]
            frame = fh.read(caplen)
            if frame[12:14] != b"\x08\x00" or frame[23] != 17:
                continue
            ip = frame[14:]
            udp = ip[(ip[0] & 0x0F) * 4:]
            dport, ulen = struct.unpack("!HH", udp[2:6])
            if dport == port:
                yield udp[8:ulen]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pcap")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--port-in-capture", type=int, default=9060)
    ap.add_argument("--burst", type=int, default=20, help="datagrams between pauses")
    ap.add_argument("--pause-ms", type=float, default=1.0)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    for payload in hep_payloads(args.pcap, args.port_in_capture):
        sock.sendto(payload, (args.host, args.port))
        sent += 1
        if sent % args.burst == 0:
            time.sleep(args.pause_ms / 1000)
    print(sent)


if __name__ == "__main__":
    main()
