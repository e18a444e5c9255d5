# SPDX-License-Identifier: BSD-2-Clause
# ccmgen_encap.py: the wire stage of ccmetrics-gen: link, network and transport framing.
"""Encapsulations of the rendered SIP messages into pcap frames (ENCAPSULATIONS).

An encoder takes the generator's packets (t: ms since start, src and dst Endpoint with
ip and port, payload: one SIP message) and yields (capture time in us, frame). It
never changes a SIP byte or a message's millisecond: every frame of a message is
captured within the millisecond the model gave it, so the truth, computed from the
model, is the same in every encapsulation. What differs is only the wrapping:

  eth-udp4       Ethernet II / IPv4 / UDP, one frame per message (linktype 1).
  vlan-frag4     Ethernet / 802.1Q (VLAN 100) / IPv4 / UDP; datagrams over --mtu are
                 fragmented (RFC 791), some fragments out of order, some duplicated,
                 some overlapped by an extra fragment carrying the same bytes.
  qinq-ip6-frag  Ethernet / 802.1ad S-tag 200 / 802.1Q C-tag 100 / IPv6 / UDP; large
                 datagrams carry a Fragment header first (RFC 8200 4.5), some with a
                 Destination Options header inside the fragmentable part.
  sll-tcp4       Linux cooked (SLL, linktype 113) / IPv4 / TCP.
  sll2-tcp6      Linux cooked v2 (SLL2, linktype 276) / IPv6 / TCP.
  null-udp4      BSD loopback (NULL, linktype 0) / IPv4 / UDP.
  raw-udp4       raw IP (linktype 101) / IPv4 / UDP.
  hep3           HEPv3 (SIP with its own addresses and timestamps) in Ethernet / IPv4 /
                 UDP from the PBX to a collector on port 9060, captured 2 ms later.

TCP: one connection per pair of addresses, opened by whoever speaks first from an
ephemeral port to port 5060. Some connections start with a handshake, the others are
picked up mid-stream (no SYN; the first segment may begin with the tail of an earlier
message). Messages are split at random points and at the MSS (--mtu less headers),
consecutive messages of the same millisecond on the same connection are coalesced
into one segment, some segments are swapped, retransmitted or overlapped by a
repacketised retransmission, CRLF keep-alives (RFC 5626) come now and then, and FINs
close every connection at the end.

IPv6 encapsulations map every IPv4 address a.b.c.d to 2001:db8::a.b.c.d (as hex) and
add those addresses to the configuration; the SIP text keeps its IPv4 addresses.
"""

import ipaddress
import random
import re
import socket
import struct
from collections import Counter

from ccmgen_wire import PcapWriter, inet_checksum, mac_of

IPV6_PREFIX = int(ipaddress.IPv6Address("2001:db8::"))
VLAN_ID = 100
SVLAN_ID = 200
HEP_PORT = 9060
HEP_COLLECTOR = "10.0.0.99"
HEP_AGENT_PORT = 47000
HEP_CAPTURE_ID = 2001
HEP_DELAY_US = 2000                  # a HEP packet reaches the collector 2 ms later
FRAG_MTU = 576                       # default MTU of the fragmenting encapsulations
LINK_MTU = 1500
SNAPLEN = 65535                      # of the pcap header
EPHEMERAL_BASE = 40000
US_PER_MS = 1000
STEP_US = 1                          # frames of one millisecond, in order

# Shares of the wire-level events (drawn from --seed, never touching the truth).
FRAG_REORDER = 0.3                   # a fragmented datagram sent last fragment first
FRAG_DUPLICATE = 0.1                 # its first fragment sent twice
FRAG_OVERLAP = 0.1                   # an extra fragment overlapping two others
FRAG_DSTOPTS = 0.3                   # IPv6: Destination Options in the fragmentable part
TCP_HANDSHAKE = 0.6                  # connections seen from their SYN
TCP_JUNK = 0.5                       # mid-stream pick-up starting inside a message
TCP_SPLIT = 0.3                      # a message split at random points
TCP_COALESCE = 0.5                   # same-ms messages sharing a segment
TCP_SWAP = 0.1                       # two segments of a message swapped
TCP_RETX = 0.05                      # a segment sent again
TCP_REPACK = 0.05                    # a retransmission spanning two segments
TCP_KEEPALIVE = 0.02                 # a CRLFCRLF ping and CRLF pong before a message
HEP_NOT_SIP = 0.01                   # a HEP packet of another protocol (RTCP)
JUNK_TAIL = b"a=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"


def ipv6_of(ip):
    """2001:db8::/96 + the IPv4 address."""
    return ipaddress.IPv6Address(IPV6_PREFIX + int(ipaddress.IPv4Address(ip)))


def ipv6_net(text):
    """The IPv6 counterpart of an IPv4 address or prefix of the configuration."""
    net = ipaddress.IPv4Network(text, strict=False)
    v6 = ipv6_of(str(net.network_address))
    return str(v6) if net.prefixlen == 32 and "/" not in text else \
        "%s/%d" % (v6, 96 + net.prefixlen)


class FrameClock:
    """Capture times: each frame in its message's millisecond, never before the last."""

    def __init__(self, start_ms, spread=True):
        """spread: successive frames get successive microseconds."""
        self.start_ms, self.spread, self.last = start_ms, spread, None

    def at(self, t_ms, delay_us=0):
        """The capture time of the next frame of a message at t_ms."""
        base = (self.start_ms + t_ms) * US_PER_MS + delay_us
        us = base
        if self.spread and self.last is not None and self.last >= base:
            us = min(self.last + STEP_US, base + US_PER_MS - 1)
        self.last = us
        return us


class Net:
    """IPv4 or IPv6 headers for one encapsulation."""

    def __init__(self, v6):
        """v6: map every address into 2001:db8::/96."""
        self.v6 = v6
        self.ident = Counter()

    def addr(self, ip):
        """The packed address of an IPv4 address string, mapped if IPv6."""
        return ipv6_of(ip).packed if self.v6 else socket.inet_aton(ip)

    @property
    def ethertype(self):
        """The ethertype of this network layer."""
        return 0x86DD if self.v6 else 0x0800

    @property
    def header_len(self):
        """Fixed header length."""
        return 40 if self.v6 else 20

    def pseudo(self, src, dst, proto, length):
        """The transport checksum's pseudo-header (RFC 768, RFC 8200 8.1)."""
        if self.v6:
            return self.addr(src) + self.addr(dst) + struct.pack("!IxxxB", length, proto)
        return self.addr(src) + self.addr(dst) + struct.pack("!BBH", 0, proto, length)

    def next_id(self, src):
        """The next identification of a source (IPv4 16 bits, IPv6 32 bits)."""
        self.ident[src] += 1
        return self.ident[src]

    def packet(self, src, dst, proto, payload, ident=None, flags_off=0, next_hdr=None):
        """One IP packet; for IPv6, next_hdr overrides the Next Header (extensions)."""
        if self.v6:
            return struct.pack("!IHBB16s16s", 6 << 28, len(payload),
                               proto if next_hdr is None else next_hdr, 64,
                               self.addr(src), self.addr(dst)) + payload
        ident = self.next_id(src) if ident is None else ident
        fields = [0x45, 0, 20 + len(payload), ident & 0xFFFF, flags_off, 64, proto, 0,
                  self.addr(src), self.addr(dst)]
        header = struct.pack("!BBHHHBBH4s4s", *fields)
        fields[7] = inet_checksum(header)
        return struct.pack("!BBHHHBBH4s4s", *fields) + payload

    def fragments(self, src, dst, proto, payload, mtu, dstopts):
        """The packets of one datagram fragmented for mtu, as (offset, packet) in order."""
        room = mtu - self.header_len - (8 if self.v6 else 0)
        if self.v6 and dstopts:
            # RFC 8200 4.6: Destination Options (PadN) inside the fragmentable part.
            payload = struct.pack("!BBBB4x", proto, 0, 1, 4) + payload
            proto = 60
        if len(payload) <= room and not (self.v6 and dstopts):
            return [(0, self.packet(src, dst, proto, payload))]
        step = room // 8 * 8
        ident = self.next_id(src)
        out = []
        for off in range(0, len(payload), step):
            part, more = payload[off:off + step], off + step < len(payload)
            if self.v6:
                frag = struct.pack("!BBHI", proto, 0, off | more, ident)
                out.append((off, self.packet(src, dst, proto, frag + part, next_hdr=44)))
            else:
                out.append((off, self.packet(src, dst, proto, part, ident,
                                             (off // 8) | (0x2000 if more else 0))))
        return out

    def fragment_at(self, src, dst, proto, payload, off, length, ident, more):
        """An extra fragment of payload[off:off+length] (for overlaps)."""
        part = payload[off:off + length]
        if self.v6:
            frag = struct.pack("!BBHI", proto, 0, off | more, ident)
            return self.packet(src, dst, proto, frag + part, next_hdr=44)
        return self.packet(src, dst, proto, part, ident, (off // 8) | (0x2000 if more else 0))


def udp_datagram(net, src, dst, sport, dport, payload):
    """UDP header with checksum over the pseudo-header, plus payload."""
    length = 8 + len(payload)
    header = struct.pack("!HHHH", sport, dport, length, 0)
    checksum = inet_checksum(net.pseudo(src, dst, 17, length) + header + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, checksum) + payload


# --- Link layers ---------------------------------------------------------------

def link_eth(src, dst, ethertype, tags=()):
    """Ethernet II with 802.1Q/802.1ad tags: (TPID, VLAN id) outermost first."""
    head = mac_of(dst) + mac_of(src)
    for tpid, vid in tags:
        head += struct.pack("!HH", tpid, vid)
    return head + struct.pack("!H", ethertype)


def link_sll(src, dst, ethertype, host):
    """Linux cooked v1: packet type (0 to us, 4 outgoing), ARPHRD_ETHER, source MAC."""
    ptype = 4 if src == host else 0
    return struct.pack("!HHH8sH", ptype, 1, 6, mac_of(src) + b"\0\0", ethertype)


def link_sll2(src, dst, ethertype, host):
    """Linux cooked v2: protocol, ifindex 2, ARPHRD_ETHER, packet type, source MAC."""
    ptype = 4 if src == host else 0
    return struct.pack("!HHIHBB8s", ethertype, 0, 2, 1, ptype, 6, mac_of(src) + b"\0\0")


# --- Encoders ----------------------------------------------------------------------

class Encoder:
    """Shared by every encapsulation: options, random stream, configuration."""

    linktype = 1
    v6 = False
    default_mtu = LINK_MTU
    spread = True
    # Capture time of a message's frames less the message's own time, in ms: the
    # packet time the daemon's clock (intervals, rt.queue snapshots) runs on.
    capture_delay_ms = 0

    def __init__(self, p=None):
        """p: the generator's options (seed, mtu); None: defaults."""
        seed = getattr(p, "seed", 1)
        self.mtu = getattr(p, "mtu", 0) or self.default_mtu
        self.rng = random.Random("%d:wire:%s" % (seed, type(self).__name__))
        self.net = Net(self.v6)
        self.host = "10.0.0.10"           # where the capture runs: the PBX

    def config(self, text):
        """The generator's configuration, with what this wrapping needs."""
        if not self.v6:
            return text

        def both(m):
            items = [x.strip().strip('"') for x in m.group(2).split(",") if x.strip()]
            return "%s[%s]" % (m.group(1), ", ".join(
                items + ['"%s"' % ipv6_net(x) for x in items]))
        return re.sub(r"^(\s*addresses: )\[(.*)\]$", both, text, flags=re.M)

    def encode(self, packets, clock):
        """(capture time us, frame) of every packet, one datagram each."""
        for pkt in packets:
            for frame in self.frames(pkt):
                yield clock.at(pkt.t), frame

    def frames(self, pkt):
        """The frames carrying one packet."""
        raise NotImplementedError


class UdpEncoder(Encoder):
    """IPv4 or IPv6 / UDP under a link layer, fragmenting over the MTU if asked."""

    fragment = False

    def link(self, pkt):
        """The link-layer header of a frame of pkt."""
        raise NotImplementedError

    def frames(self, pkt):
        """One frame, or the fragments of the datagram in a drawn order."""
        net, rng = self.net, self.rng
        udp = udp_datagram(net, pkt.src.ip, pkt.dst.ip, pkt.src.port, pkt.dst.port,
                           pkt.payload)
        if not self.fragment:
            return [self.link(pkt) + net.packet(pkt.src.ip, pkt.dst.ip, 17, udp)]
        dstopts = self.v6 and rng.random() < FRAG_DSTOPTS and \
            len(udp) + net.header_len > self.mtu
        frags = net.fragments(pkt.src.ip, pkt.dst.ip, 17, udp, self.mtu, dstopts)
        packets = [p for _, p in frags]
        if len(frags) > 1:
            packets = self.disorder(pkt, udp, frags, dstopts)
        return [self.link(pkt) + p for p in packets]

    def disorder(self, pkt, udp, frags, dstopts):
        """Reorder, duplicate and overlap fragments; the last one sent completes."""
        rng, net = self.rng, self.net
        order = [p for _, p in frags]
        if rng.random() < FRAG_REORDER:
            order.reverse()
        if rng.random() < FRAG_DUPLICATE:
            order.insert(1, order[0])
        step = frags[1][0]
        body = (struct.pack("!BBBB4x", 17, 0, 1, 4) + udp) if dstopts else udp
        off, end = step // 2 // 8 * 8, min(step + step // 2, len(body) - 1) // 8 * 8
        if rng.random() < FRAG_OVERLAP and off < step < end:
            # The same bytes again, from mid first fragment into the second; never
            # the datagram's end, so the last fragment sent still completes it.
            order.insert(len(order) - 1, net.fragment_at(
                pkt.src.ip, pkt.dst.ip, 60 if dstopts else 17, body, off, end - off,
                net.ident[pkt.src.ip], 1))
        return order


class EthUdp4Encoder(UdpEncoder):
    """Ethernet II / IPv4 / UDP, one frame per message (pcap linktype 1, EN10MB)."""

    linktype = 1
    spread = False                      # frames at their exact millisecond

    def link(self, pkt):
        """Ethernet II."""
        return link_eth(pkt.src.ip, pkt.dst.ip, 0x0800)


class VlanFrag4Encoder(UdpEncoder):
    """Ethernet / 802.1Q / IPv4 / UDP with fragments."""

    fragment = True
    default_mtu = FRAG_MTU

    def link(self, pkt):
        """Ethernet with one 802.1Q tag."""
        return link_eth(pkt.src.ip, pkt.dst.ip, 0x0800, [(0x8100, VLAN_ID)])


class QinqIp6FragEncoder(UdpEncoder):
    """Ethernet / 802.1ad / 802.1Q / IPv6 / UDP with fragment headers."""

    fragment = True
    v6 = True
    default_mtu = FRAG_MTU

    def link(self, pkt):
        """Ethernet with an S-tag and a C-tag."""
        return link_eth(pkt.src.ip, pkt.dst.ip, 0x86DD,
                        [(0x88A8, SVLAN_ID), (0x8100, VLAN_ID)])


class NullUdp4Encoder(UdpEncoder):
    """BSD loopback: a 4-byte address family in the writer's byte order (LE here)."""

    linktype = 0

    def link(self, pkt):
        """AF_INET, little-endian like the pcap header."""
        return struct.pack("<I", socket.AF_INET)


class RawUdp4Encoder(UdpEncoder):
    """Raw IP, no link header (LINKTYPE_RAW 101)."""

    linktype = 101

    def link(self, pkt):
        """Nothing."""
        return b""


class Hep3Encoder(Encoder):
    """HEPv3 from the PBX to a collector, inside Ethernet / IPv4 / UDP."""

    capture_delay_ms = HEP_DELAY_US // US_PER_MS

    def config(self, text):
        """The capture carries HEP on port 9060."""
        return re.sub(r"^(  sip_ports: .*)$", r"\1\n  hep_ports: [%d]" % HEP_PORT, text,
                      count=1, flags=re.M)

    def encode(self, packets, clock):
        """One HEP datagram per message, captured HEP_DELAY_US after its own time."""
        for pkt in packets:
            ts_us = (clock.start_ms + pkt.t) * US_PER_MS
            yield clock.at(pkt.t, HEP_DELAY_US), self.frame(hep3(pkt, ts_us))
            if self.rng.random() < HEP_NOT_SIP:
                junk = hep3(pkt, ts_us, proto_type=5, payload=b"\x80\xc8\x00\x06" + bytes(24))
                yield clock.at(pkt.t, HEP_DELAY_US), self.frame(junk)

    def frame(self, hep):
        """Ethernet / IPv4 / UDP from the PBX to the collector."""
        udp = udp_datagram(self.net, self.host, HEP_COLLECTOR, HEP_AGENT_PORT, HEP_PORT, hep)
        return link_eth(self.host, HEP_COLLECTOR, 0x0800) + \
            self.net.packet(self.host, HEP_COLLECTOR, 17, udp)


def hep3(pkt, ts_us, proto_type=1, payload=None, v6=False):
    """A HEPv3 packet (sipcapture.org HEP3 spec) carrying pkt with its own time."""
    net = Net(v6)
    sec, usec = divmod(ts_us, 1_000_000)
    chunks = [(1, bytes([10 if v6 else 2])), (2, bytes([17])),
              (5 if v6 else 3, net.addr(pkt.src.ip)), (6 if v6 else 4, net.addr(pkt.dst.ip)),
              (7, struct.pack("!H", pkt.src.port)), (8, struct.pack("!H", pkt.dst.port)),
              (9, struct.pack("!I", sec)), (10, struct.pack("!I", usec)),
              (11, bytes([proto_type])), (12, struct.pack("!I", HEP_CAPTURE_ID)),
              (15, pkt.payload if payload is None else payload)]
    body = b"".join(struct.pack("!HHH", 0, kind, 6 + len(v)) + v for kind, v in chunks)
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


class TcpConnection:
    """One TCP connection: its ports, sequence numbers and how it was first seen."""

    def __init__(self, client, server, client_port, server_port, rng):
        """client and server IPv4 addresses (strings)."""
        self.ip = {0: client, 1: server}
        self.port = {0: client_port, 1: server_port}
        self.seq = {0: rng.getrandbits(32), 1: rng.getrandbits(32)}
        self.handshake = rng.random() < TCP_HANDSHAKE
        self.junk = None if self.handshake or rng.random() >= TCP_JUNK else JUNK_TAIL
        self.started = False
        self.sent = {0: False, 1: False}     # a first data segment per direction


class TcpEncoder(Encoder):
    """IPv4 or IPv6 / TCP under a Linux cooked header."""

    linktype = 113
    link_fn = staticmethod(link_sll)

    def __init__(self, p=None):
        """Connections by address pair."""
        super().__init__(p)
        self.conns = {}
        self.mss = self.mtu - self.net.header_len - 20

    def connection(self, pkt):
        """The connection carrying pkt and pkt's direction (0: client to server)."""
        key = frozenset((pkt.src.ip, pkt.dst.ip))
        conn = self.conns.get(key)
        if conn is None:
            conn = TcpConnection(pkt.src.ip, pkt.dst.ip, EPHEMERAL_BASE + len(self.conns),
                                 pkt.dst.port, self.rng)
            self.conns[key] = conn
        return conn, 0 if pkt.src.ip == conn.ip[0] else 1

    def segment(self, conn, d, seq, flags, data=b""):
        """A frame carrying one TCP segment in direction d."""
        src, dst = conn.ip[d], conn.ip[1 - d]
        ack = conn.seq[1 - d] & 0xFFFFFFFF
        header = struct.pack("!HHIIBBHHH", conn.port[d], conn.port[1 - d], seq & 0xFFFFFFFF,
                             ack if flags & 0x10 else 0, 5 << 4, flags, 65535, 0, 0)
        csum = inet_checksum(self.net.pseudo(src, dst, 6, len(header) + len(data)) +
                             header + data)
        header = header[:16] + struct.pack("!H", csum) + header[18:]
        return self.link_fn(src, dst, self.net.ethertype, self.host) + \
            self.net.packet(src, dst, 6, header + data, flags_off=0x4000)

    def split(self, data):
        """Stream order pieces of one message: random cuts, then the MSS."""
        cuts = []
        if len(data) > 2 and self.rng.random() < TCP_SPLIT:
            cuts = sorted(self.rng.sample(range(1, len(data)), min(2, len(data) - 1)))
        pieces, last = [], 0
        for c in cuts + [len(data)]:
            piece = data[last:c]
            for i in range(0, len(piece), self.mss):
                pieces.append(piece[i:i + self.mss])
            last = c
        return [p for p in pieces if p]

    def open(self, conn, t, clock):
        """The three-way handshake, for connections seen from the start."""
        conn.started = True
        if not conn.handshake:
            return
        for d, flags in ((0, 0x02), (1, 0x12)):
            conn.seq[d] -= 1                 # the SYN takes one sequence number
            yield clock.at(t), self.segment(conn, d, conn.seq[d], flags)
            conn.seq[d] += 1
        yield clock.at(t), self.segment(conn, 0, conn.seq[0], 0x10)

    def keepalive(self, conn, d, t, clock):
        """RFC 5626 4.4.1: a CRLFCRLF ping and its CRLF pong."""
        for side, data in ((d, b"\r\n\r\n"), (1 - d, b"\r\n")):
            yield clock.at(t), self.segment(conn, side, conn.seq[side], 0x18, data)
            conn.seq[side] += len(data)

    def disorder(self, conn, d, segs):
        """Swap, retransmit and repacketise the (seq, data) segments of one message."""
        rng = self.rng
        order = list(segs)
        if not conn.sent[d]:
            conn.sent[d] = True              # a mid-stream pick-up starts in order
            if not conn.handshake:
                return order
        if len(order) >= 2 and rng.random() < TCP_SWAP:
            i = rng.randrange(len(order) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        if rng.random() < TCP_RETX:
            i = rng.randrange(len(order))
            order.insert(i + 1, order[i])
        if len(segs) >= 2 and rng.random() < TCP_REPACK:
            (s1, d1), (_, d2) = segs[0], segs[1]
            half = len(d1) // 2
            order.insert(len(order) - 1, (s1 + half, d1[half:] + d2[:max(1, len(d2) // 2)]))
        return order

    def encode(self, packets, clock):
        """Segments of every message, coalescing same-ms neighbours on a connection."""
        carry = None                          # (conn, d, data) riding with the next message
        for i, pkt in enumerate(packets):
            conn, d = self.connection(pkt)
            if not conn.started:
                yield from self.open(conn, pkt.t, clock)
            data = pkt.payload
            if conn.junk is not None and not conn.sent[d]:
                data, conn.junk = conn.junk + data, None
            if carry is not None:
                carry_conn, carry_d, carry_data = carry
                if carry_conn is conn and carry_d == d:
                    data = carry_data + data
                else:                         # cannot happen: carried only to a neighbour
                    raise AssertionError("coalesced data without its message")
                carry = None
            elif self.rng.random() < TCP_KEEPALIVE and conn.sent[d]:
                yield from self.keepalive(conn, d, pkt.t, clock)
            pieces = self.split(data)
            nxt = packets[i + 1] if i + 1 < len(packets) else None
            if nxt is not None and nxt.t == pkt.t and self.connection(nxt) == (conn, d) and \
                    self.rng.random() < TCP_COALESCE:
                carry = (conn, d, pieces.pop())
            segs = []
            for piece in pieces:
                segs.append((conn.seq[d], piece))
                conn.seq[d] += len(piece)
            if segs:
                for seq, piece in self.disorder(conn, d, segs):
                    yield clock.at(pkt.t), self.segment(conn, d, seq, 0x18, piece)
        if packets:
            yield from self.close(packets[-1].t, clock)

    def close(self, t, clock):
        """FIN both ways at the last message's millisecond."""
        for conn in self.conns.values():
            for d in (0, 1):
                yield clock.at(t), self.segment(conn, d, conn.seq[d], 0x11)
                conn.seq[d] += 1
            yield clock.at(t), self.segment(conn, 0, conn.seq[0], 0x10)


class SllTcp4Encoder(TcpEncoder):
    """Linux cooked (SLL) / IPv4 / TCP."""

    linktype = 113
    link_fn = staticmethod(link_sll)


class Sll2Tcp6Encoder(TcpEncoder):
    """Linux cooked v2 (SLL2) / IPv6 / TCP."""

    linktype = 276
    v6 = True
    link_fn = staticmethod(link_sll2)


ENCAPSULATIONS = {
    "eth-udp4": EthUdp4Encoder,
    "vlan-frag4": VlanFrag4Encoder,
    "qinq-ip6-frag": QinqIp6FragEncoder,
    "sll-tcp4": SllTcp4Encoder,
    "sll2-tcp6": Sll2Tcp6Encoder,
    "null-udp4": NullUdp4Encoder,
    "raw-udp4": RawUdp4Encoder,
    "hep3": Hep3Encoder,
}


def write_pcap(path, packets, encoder, start_ms):
    """Encode and write every packet; return the number of frames."""
    frames = 0
    clock = FrameClock(start_ms, encoder.spread)
    with open(path, "wb") as fh:
        writer = PcapWriter(fh, encoder.linktype, snaplen=SNAPLEN)
        for epoch_us, frame in encoder.encode(packets, clock):
            writer.write(epoch_us, frame)
            frames += 1
    return frames
