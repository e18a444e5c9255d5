# SPDX-License-Identifier: BSD-2-Clause
# ccmgen_wire.py: the one Python wire kit: SIP text, Ethernet/IPv4/UDP frames, classic pcap.
"""Wire helpers shared by the generator (tools/), the tests (tests/) and bench/.

  sip_message   a SIP message: CRLF line ends, exact Content-Length
  inet_checksum the RFC 1071 ones' complement sum
  mac_of        the locally administered MAC the generator gives an IPv4 address
  eth_udp4      an Ethernet II / IPv4 / UDP frame (UDP checksum 0: none, RFC 768)
  udp4_of       the addresses, ports and payload of such a frame
  PcapWriter    classic little-endian microsecond pcap, one record per frame
  PcapReader    the same format read back, record by record

Standard library only; stdlib-only scripts put this directory on sys.path.
"""

import socket
import struct

PCAP_MAGIC = 0xA1B2C3D4          # little-endian, microseconds
PCAP_HEADER = struct.Struct("<IHHiIII")
PCAP_RECORD = struct.Struct("<IIII")
LINKTYPE_ETHERNET = 1
MAX_SNAPLEN = 262144             # libpcap's MAXIMUM_SNAPLEN
SIP_PORT = 5060
US_PER_S = 1_000_000
ETHERTYPE_IPV4 = 0x0800
IPPROTO_UDP = 17
IP_DF = 0x4000                   # IPv4 Don't Fragment (RFC 791)

_IPV4 = struct.Struct("!BBHHHBBH4s4s")
_UDP = struct.Struct("!HHHH")


def sip_message(start_line, headers, body=b"", content_type="application/sdp"):
    """A SIP message: CRLF line ends, exact Content-Length (RFC 3261 7, 20.14).

    headers: (name, value) pairs in order; a body adds Content-Type first."""
    if body:
        headers = headers + [("Content-Type", content_type)]
    headers = headers + [("Content-Length", str(len(body)))]
    head = start_line + "\r\n" + "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    return head.encode() + body


def inet_checksum(data):
    """RFC 1071 ones' complement sum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def mac_of(ip):
    """A locally administered MAC derived from an IPv4 address."""
    return b"\x02\x00" + socket.inet_aton(ip)


def eth_udp4(src, dst, payload, sport=SIP_PORT, dport=SIP_PORT, ip_id=0, flags_off=0):
    """An Ethernet II / IPv4 / UDP frame; UDP checksum 0 (none, RFC 768)."""
    udp = _UDP.pack(sport, dport, 8 + len(payload), 0) + payload
    fields = [0x45, 0, 20 + len(udp), ip_id & 0xFFFF, flags_off, 64, IPPROTO_UDP, 0,
              socket.inet_aton(src), socket.inet_aton(dst)]
    fields[7] = inet_checksum(_IPV4.pack(*fields))
    return (mac_of(dst) + mac_of(src) + struct.pack("!H", ETHERTYPE_IPV4) +
            _IPV4.pack(*fields) + udp)


def udp4_of(frame):
    """(src, sport, dst, dport, payload) of an Ethernet II / IPv4 / UDP frame,
    addresses as 4 packed bytes; None for any other frame."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != IPPROTO_UDP:
        return None
    ihl = (frame[14] & 0x0F) * 4
    udp = 14 + ihl
    sport, dport, ulen = struct.unpack("!HHH", frame[udp:udp + 6])
    return frame[26:30], sport, frame[30:34], dport, frame[udp + 8:udp + ulen]


class PcapWriter:
    """Classic pcap: magic a1b2c3d4, microseconds, version 2.4."""

    def __init__(self, fh, linktype=LINKTYPE_ETHERNET, snaplen=MAX_SNAPLEN):
        """Write the global header."""
        self.fh = fh
        fh.write(PCAP_HEADER.pack(PCAP_MAGIC, 2, 4, 0, 0, snaplen, linktype))

    def write(self, ts_us, frame, caplen=None):
        """One record at ts_us; caplen: record only its first caplen bytes
        (a frame cut by the snapshot length)."""
        sec, usec = divmod(ts_us, US_PER_S)
        if caplen is None:
            self.fh.write(PCAP_RECORD.pack(sec, usec, len(frame), len(frame)) + frame)
        else:
            self.fh.write(PCAP_RECORD.pack(sec, usec, caplen, len(frame)) + frame[:caplen])

    def udp(self, ts_us, src, dst, payload):
        """One SIP-over-UDP datagram between src and dst, port 5060 both."""
        self.write(ts_us, eth_udp4(src, dst, payload))


class PcapReader:
    """Records of a classic little-endian microsecond pcap, in file order.

    Iterating yields (ts_us, frame). A file of another format raises
    ValueError with a message naming it."""

    def __init__(self, fh, name="pcap"):
        """Read and check the global header."""
        self.fh = fh
        head = fh.read(PCAP_HEADER.size)
        if len(head) < PCAP_HEADER.size or \
                struct.unpack("<I", head[:4])[0] != PCAP_MAGIC:
            raise ValueError("%s: not a little-endian microsecond pcap" % name)
        _, _, _, _, _, self.snaplen, self.linktype = PCAP_HEADER.unpack(head)

    def __iter__(self):
        fh, rec = self.fh, PCAP_RECORD
        while True:
            head = fh.read(rec.size)
            if len(head) < rec.size:
                return
            sec, usec, caplen, _ = rec.unpack(head)
            yield sec * US_PER_S + usec, fh.read(caplen)

    def times(self):
        """The time of each record, its data skipped (seek)."""
        fh, rec = self.fh, PCAP_RECORD
        while True:
            head = fh.read(rec.size)
            if len(head) < rec.size:
                return
            sec, usec, caplen, _ = rec.unpack(head)
            fh.seek(caplen, 1)
            yield sec * US_PER_S + usec


def read_udp4(path):
    """(ts_us, src, dst, payload) of each Ethernet/IPv4/UDP record of a pcap,
    addresses as dotted strings."""
    out = []
    with open(path, "rb") as fh:
        for ts_us, frame in PcapReader(fh, path):
            udp = udp4_of(frame)
            if udp is not None:
                out.append((ts_us, socket.inet_ntoa(udp[0]), socket.inet_ntoa(udp[2]),
                            udp[4]))
    return out
