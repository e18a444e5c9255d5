#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# early-agent.sh: an agent INVITE seen before the INVITE of its inbound
# leg (HEP and capture are not merged in time order) still joins its call
# by the correlation header: the records equal the truth.
. "$(dirname "$0")/lib.sh"

$GEN --seed 41 --duration-s 1800 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/day.yaml" 2>/dev/null ||
    fail "generator"
# Move every tenth agent INVITE to 1 ms before its inbound INVITE.
moved=$($PYTHON3 - "$TMP/day.pcap" "$TMP/early.pcap" <<'EOT'
import re, struct, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, "rb") as f:
    head, recs = f.read(24), []
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        sec, usec, caplen, wire = struct.unpack("<IIII", h)
        recs.append([sec * 1000000 + usec, f.read(caplen), wire])
invite_at = {}
for r in recs:
    m = re.search(rb"^INVITE .*?\r\nCall-ID: (\S+)", r[1][42:], re.S | re.M)
    if m and b"X-CC-Inbound" not in r[1] and m.group(1) not in invite_at:
        invite_at[m.group(1)] = r[0]
moved, n = 0, 0
for r in recs:
    m = re.search(rb"^INVITE .*?X-CC-Inbound: (\S+)", r[1][42:], re.S | re.M)
    if not m or m.group(1) not in invite_at:
        continue
    n += 1
    if n % 10 == 0:
        r[0] = invite_at[m.group(1)] - 1000
        moved += 1
recs.sort(key=lambda r: r[0])
with open(dst, "wb") as f:
    f.write(head)
    for ts, data, wire in recs:
        f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(data), wire))
        f.write(data)
print(moved)
EOT
)
[ "$moved" -gt 0 ] || fail "no agent INVITE moved"
"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/early.pcap" >"$TMP/out.jsonl" \
    2>"$TMP/err.log" || fail "ccmetricsd: $(cat "$TMP/err.log")"
# The moved legs ring "before" their call arrives; what a call.end says
# about them is unchanged.
$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" || fail "records differ"
expect_eq "agent legs left unmatched" 0 \
    "$(last_stat "$TMP/out.jsonl" contacts.agent_unmatched)"
echo "ok: $moved agent INVITEs seen before their call still joined it"
