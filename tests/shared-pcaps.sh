#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# shared-pcaps.sh: every capture of ../shared/pcaps replays without a crash
# and the SIP messages seen equal the count its INDEX.md gives. "Seen" is
# every payload the SIP stage got that is not a keep-alive: parsed, skipped
# as untracked (OPTIONS, REGISTER ...), or refused by libosip2 (docs/capture.md).
. "$(dirname "$0")/lib.sh"

[ -d "$SHARED_PCAPS" ] || skip "no $SHARED_PCAPS"
[ -f "$SHARED_PCAPS/INDEX.md" ] || skip "no $SHARED_PCAPS/INDEX.md"
# The default filter (fragments, IP-in-IP, VLAN tags) on the usual SIP ports.
cat >"$TMP/any.yaml" <<EOT
capture: { sip_ports: [5060, 5061, 5062, 5080, 5090] }
pbx: { addresses: [10.0.0.10] }
agents: { addresses: [10.1.0.0/16] }
publish: { zmq: ~, jsonl: { path: "-" } }
EOT
# "file count" per capture row of the INDEX.md table.
$PYTHON3 - "$SHARED_PCAPS/INDEX.md" >"$TMP/index.txt" <<'PYEOF'
import sys
head = None
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if head is None and "sip messages" in cells:
        head = cells.index("sip messages")
    elif head is not None and cells and cells[0].endswith((".pcap", ".pcapng")):
        print(cells[0], cells[head])
PYEOF
[ -s "$TMP/index.txt" ] || fail "INDEX.md has no capture rows"

n=0
while read -r name want; do
	pcap="$SHARED_PCAPS/$name"
	[ -f "$pcap" ] || fail "$name: listed in INDEX.md, not in $SHARED_PCAPS"
	n=$((n + 1))
	rc=0
	timeout 60 "$CCMETRICSD" -c "$TMP/any.yaml" -r "$pcap" \
	    >"$TMP/out.jsonl" 2>"$TMP/err.log" || rc=$?
	[ "$rc" -eq 0 ] || fail "$name: exit $rc: $(cat "$TMP/err.log")"
	seen=0
	for k in messages ignored_methods missing_fields parse_errors; do
		seen=$((seen + $(last_stat "$TMP/out.jsonl" "sip.$k")))
	done
	expect_eq "SIP messages seen in $name" "$want" "$seen"
done <"$TMP/index.txt"
[ "$n" -gt 0 ] || skip "no capture in $SHARED_PCAPS"

# 100 plain calls over UDP and over one TCP connection: 100 legs each.
for t in udp tcp; do
	"$CCMETRICSD" -c "$TMP/any.yaml" \
	    -r "$SHARED_PCAPS/sipp-$t-100calls.pcap" >"$TMP/$t.jsonl"
	expect_eq "legs in sipp-$t-100calls" 100 \
	    "$(last_stat "$TMP/$t.jsonl" legs.created)"
done
expect_eq "SIP messages framed from TCP" 600 \
    "$(last_stat "$TMP/tcp.jsonl" decode.tcp.messages)"
