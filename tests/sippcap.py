# SPDX-License-Identifier: BSD-2-Clause
# sippcap.py: the SIP text of simple calls for the robustness tests (stdlib only).
"""Helpers shared by tests/malformed.py, tests/soak.py and fuzz/mkcorpus.py.

A Leg builds the messages of one dialog (inbound leg trunk -> PBX, agent
legs PBX -> agent phone correlated by X-CC-Inbound) so a test can write
its truth by hand. The wire (SIP message text, Ethernet/IPv4/UDP frames,
pcap writing and reading) is tools/ccmgen_wire.py, the generator's own:
importing this module puts tools/ on sys.path for it.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "tools"))
from ccmgen_wire import SIP_PORT, sip_message  # noqa: E402

PBX = "10.0.0.10"
TRUNK = "192.0.2.1"
START_US = 1795424400 * 1000000        # 2026-11-23T09:00:00Z


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
