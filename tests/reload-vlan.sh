#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# reload-vlan.sh: a SIGHUP that only adds capture.hep_ports, in the middle
# of a paced replay of an 802.1Q-tagged day, keeps the default filter
# VLAN-aware (it once re-applied it untagged and lost 2/3 of the calls);
# one that changes capture.sip_ports is warned about and not applied.
. "$(dirname "$0")/lib.sh"

$GEN --seed 23 --duration-s 3600 --encap vlan-frag4 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/day.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
cp "$TMP/day.yaml" "$TMP/orig.yaml"
"$CCMETRICSD" -c "$TMP/orig.yaml" -r "$TMP/day.pcap" >"$TMP/plain.jsonl" \
    2>/dev/null || fail "plain run"

"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" --replay-speed 900 \
    >"$TMP/out.jsonl" 2>"$TMP/err.log" &
pid=$!
sleep 1
# Only HEP ports added (reloadable), and SIP ports changed (restart).
sed -e "s#^capture:#capture:\\n  hep_ports: [9060]#" \
    -e 's/^\(  sip_ports:\).*/\1 [5070]/' "$TMP/orig.yaml" >"$TMP/day.yaml"
grep -q '^  sip_ports: \[5070\]' "$TMP/day.yaml" ||
    printf 'capture:\n  sip_ports: [5070]\n' >>"$TMP/day.yaml"
kill -HUP "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "exit status" 0 "$rc"
expect_eq "successful reloads" 1 "$(grep -c "info: reloaded $TMP/day.yaml" \
    "$TMP/err.log")"
grep -q "reload: capture.sip_ports changed: it takes effect at the next restart" \
    "$TMP/err.log" || fail "no restart warning: $(cat "$TMP/err.log")"
grep -q "hep_ports.*restart" "$TMP/err.log" &&
    fail "hep_ports is reloadable: $(cat "$TMP/err.log")"

# Every call as without the reload.
for f in plain out; do
	grep '"topic":"call.end\.' "$TMP/$f.jsonl" |
	    sed -e 's/"seq":[0-9]*,//' -e 's/"boot":"[0-9a-f]*",//' | sort >"$TMP/$f.ends"
done
expect_eq "call.end records" "$(wc -l <"$TMP/plain.ends")" \
    "$(wc -l <"$TMP/out.ends")"
cmp -s "$TMP/plain.ends" "$TMP/out.ends" ||
    fail "the reload changed call records"
echo "ok: VLAN day reloaded mid-way: $(wc -l <"$TMP/out.ends") calls as without it"
