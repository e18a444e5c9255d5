#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# same-call-id.sh: two inbound INVITEs sharing a Call-ID (different
# From-tags) to two queues are two contacts: each waits in its own queue's
# real-time count until its caller cancels, and each gets its call.end.
# (Found by fuzz/pipeline-fuzzer: the second one's waiter was unlinked
# from the wrong queue, a use-after-free and a crash.)
. "$(dirname "$0")/lib.sh"

cat >"$TMP/cfg.yaml" <<EOT
pbx: { addresses: [10.0.0.10] }
trunks: { addresses: [192.0.2.0/24] }
agents: { addresses: [10.1.0.0/16] }
queues:
  - { name: sales, dnis: ["+18005550100"] }
  - { name: support, dnis: ["+18005550200"] }
publish: { zmq: ~, jsonl: { path: "-" } }
EOT
PYTHONPATH="$top_srcdir/tests" $PYTHON3 - "$TMP/dup.pcap" <<'PY' ||
import sys
from sippcap import Leg, PBX, TRUNK, START_US
from ccmgen_wire import PcapWriter
a = Leg("dup@192.0.2.1", TRUNK, PBX, "+15552220001", "+18005550100", "d1")
b = Leg("dup@192.0.2.1", TRUNK, PBX, "+15552220002", "+18005550200", "d2")
with open(sys.argv[1], "wb") as fh:
    w = PcapWriter(fh)
    for ms, src, dst, msg in [
            (0, TRUNK, PBX, a.invite()), (100, PBX, TRUNK, a.ringing()),
            (1000, TRUNK, PBX, b.invite()), (1100, PBX, TRUNK, b.ringing()),
            (12000, TRUNK, PBX, a.cancel()),
            (12010, PBX, TRUNK, a.reject(487, "Request Terminated")),
            (24000, TRUNK, PBX, b.cancel()),
            (24010, PBX, TRUNK, b.reject(487, "Request Terminated"))]:
        w.udp(START_US + ms * 1000, src, dst, msg)
PY
    fail "writing the capture"
"$CCMETRICSD" -c "$TMP/cfg.yaml" -r "$TMP/dup.pcap" >"$TMP/out.jsonl" \
    2>"$TMP/err.log" || fail "ccmetricsd: exit $?: $(cat "$TMP/err.log")"

# waiting of QUEUE in the real-time snapshot at TIME
waiting() {
	grep "\"topic\":\"rt.queue.$1\"" "$TMP/out.jsonl" | grep "\"ts\":\"$2\"" |
	    sed 's/.*"waiting":\([0-9]*\).*/\1/'
}
expect_eq "sales waiting at 12 s" 1 "$(waiting sales 2026-11-23T09:00:12.000Z)"
expect_eq "support waiting at 12 s" 1 \
    "$(waiting support 2026-11-23T09:00:12.000Z)"
expect_eq "sales waiting at 24 s" 0 "$(waiting sales 2026-11-23T09:00:24.000Z)"
expect_eq "support waiting at 24 s" 1 \
    "$(waiting support 2026-11-23T09:00:24.000Z)"
for q in sales support; do
	expect_eq "call.end.$q of dup@192.0.2.1" 1 \
	    "$(grep "\"topic\":\"call.end.$q\"" "$TMP/out.jsonl" |
	    grep '"contact_id":"dup@192.0.2.1"' |
	    grep -c '"outcome":"abandoned"')"
done
