# SPDX-License-Identifier: BSD-2-Clause
# sippcap.py: SIP text and Ethernet/IPv4/UDP pcap framing for the robustness tests (stdlib only).
"""Helpers shared by tests/malformed.py, tests/soak.py and fuzz/mkcorpus.py.

A Call builds the messages of one simple call (inbound leg trunk -> PBX,
agent legs PBX -> agent phone correlated by X-CC-Inbound) so a test can
write its truth by hand; PcapWriter writes classic pcap (EN10MB) with one
UDP datagram per record, fast enough for hundreds of thousands of records.
"""

import os
import socket
import struct
import sys

# The generator's wire helpers: one RFC 1071 checksum, one MAC rule.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "tools"))
from ccmgen_encap import inet_checksum, mac_of  # noqa: E402

SIP_PORT = 5060
PBX = "10.0.0.10"
TRUNK = "192.0.2.1"
START_US = 1795424400 * 1000000        # 2026-11-23T09:00:00Z


def sip_message(start_line, headers, body=b""):
    """A SIP message with CRLF line ends and an exact Content-Length."""
    if body:
        headers = headers + [("Content-Type", "application/sdp")]
    headers = headers + [("Content-Length", str(len(body)))]
    head = start_line + "\r\n" + "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    return head.encode() + body


def sdp(ip, mode="sendrecv", version=1):
    """A minimal audio SDP offer/answer with direction `mode`."""
    lines = ["v=0", "o=- 1000 %d IN IP4 %s" % (version, ip), "s=-", "c=IN IP4 %s" % ip,
             "t=0 0", "m=audio 20000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=" + mode]
    return ("\r\n".join(lines) + "\r\n").encode()


class Leg:
    """One dialog: its INVITE transaction and in-dialog requests, as SIP text."""

    def __init__(self, call_id, uac, uas, from_user, ruri_user, tag, headers=()):
        self.call_id, self.uac, self.uas = call_id, uac, uas
        self.from_user, self.ruri_user = from_user, ruri_user
        self.tag_uac, self.tag_uas = tag + "a", tag + "b"
        self.cseq = 1
        self.extra = list(headers)
        self.branch = 0

    def _via(self, ip):
        self.branch += 1
        return "SIP/2.0/UDP %s:%d;branch=z9hG4bK%s-%d" % (ip, SIP_PORT, self.tag_uac,
                                                         self.branch)

    def _from(self):
        return "<sip:%s@%s>;tag=%s" % (self.from_user, self.uac, self.tag_uac)

    def _to(self, tagged):
        to = "<sip:%s@%s>" % (self.ruri_user, self.uas)
        return to + (";tag=%s" % self.tag_uas if tagged else "")

    def invite(self):
        """The dialog-forming INVITE (uac -> uas)."""
        self.invite_via = self._via(self.uac)
        headers = [("Via", self.invite_via), ("Max-Forwards", "70"), ("From", self._from()),
                   ("To", self._to(False)), ("Call-ID", self.call_id),
                   ("CSeq", "%d INVITE" % self.cseq),
                   ("Contact", "<sip:%s@%s>" % (self.from_user, self.uac))] + self.extra
        return sip_message("INVITE sip:%s@%s SIP/2.0" % (self.ruri_user, self.uas),
                           headers, sdp(self.uac))

    def response(self, code, reason, method="INVITE", cseq=None, tagged=True, body=b""):
        """A response (uas -> uac) to the INVITE or to the request of `cseq`."""
        headers = [("Via", self.invite_via), ("From", self._from()), ("To", self._to(tagged)),
                   ("Call-ID", self.call_id),
                   ("CSeq", "%d %s" % (cseq or 1, method))]
        return sip_message("SIP/2.0 %d %s" % (code, reason), headers, body)

    def ringing(self):
        return self.response(180, "Ringing")

    def ok(self):
        return self.response(200, "OK", body=sdp(self.uas))

    def reject(self, code, reason):
        return self.response(code, reason)

    def request(self, method, by_uac=True, cseq=None):
        """An in-dialog request (BYE, ACK) from either side."""
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        src = self.uac if by_uac else self.uas
        frm = self._from() if by_uac else self._to(True)
        to = self._to(True) if by_uac else self._from()
        headers = [("Via", self._via(src)), ("Max-Forwards", "70"), ("From", frm),
                   ("To", to), ("Call-ID", self.call_id), ("CSeq", "%d %s" % (cseq, method))]
        ruri = "sip:%s@%s" % ((self.ruri_user, self.uas) if by_uac else
                              (self.from_user, self.uac))
        return sip_message("%s %s SIP/2.0" % (method, ruri), headers)

    def ack(self):
        return self.request("ACK", cseq=1)

    def cancel(self):
        """CANCEL of the INVITE: same branch and CSeq number (RFC 3261 9.1)."""
        headers = [("Via", self.invite_via), ("Max-Forwards", "70"), ("From", self._from()),
                   ("To", self._to(False)), ("Call-ID", self.call_id), ("CSeq", "1 CANCEL")]
        return sip_message("CANCEL sip:%s@%s SIP/2.0" % (self.ruri_user, self.uas), headers)


def eth_udp4(src, dst, payload, sport=SIP_PORT, dport=SIP_PORT, ip_id=0):
    """An Ethernet II / IPv4 / UDP frame (UDP checksum 0: not computed)."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    fields = [0x45, 0, 20 + len(udp), ip_id & 0xFFFF, 0, 64, 17, 0,
              socket.inet_aton(src), socket.inet_aton(dst)]
    header = struct.pack("!BBHHHBBH4s4s", *fields)
    fields[7] = inet_checksum(header)
    ip = struct.pack("!BBHHHBBH4s4s", *fields)
    return mac_of(dst) + mac_of(src) + b"\x08\x00" + ip + udp


class PcapWriter:
    """Classic pcap: magic a1b2c3d4, microseconds, snaplen 262144, EN10MB."""

    def __init__(self, fh, linktype=1):
        self.fh = fh
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))

    def frame(self, ts_us, frame):
        sec, usec = divmod(ts_us, 1000000)
        self.fh.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
        self.fh.write(frame)

    def udp(self, ts_us, src, dst, payload):
        """One SIP-over-UDP datagram between src and dst, port 5060 both."""
        self.frame(ts_us, eth_udp4(src, dst, payload))


def read_pcap(path):
    """(ts_us, src, dst, udp payload) of each EN10MB/IPv4/UDP record of a classic pcap."""
    out = []
    with open(path, "rb") as fh:
        data = fh.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        raise ValueError("%s: not a little-endian microsecond pcap" % path)
    off = 24
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
            continue
        ihl = (frame[14] & 0x0F) * 4
        src, dst = socket.inet_ntoa(frame[26:30]), socket.inet_ntoa(frame[30:34])
        ulen = struct.unpack("!H", frame[14 + ihl + 4:14 + ihl + 6])[0]
        out.append((sec * 1000000 + usec, src, dst, frame[14 + ihl + 8:14 + ihl + ulen]))
    return out
