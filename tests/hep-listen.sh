#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# hep-listen.sh: a generated day sent as HEPv3 to ccmetricsd's live HEP
# listener on 127.0.0.1 (no capture at all): HEP's own timestamps and
# addresses rebuild the same call records as the offline replay, exactly.
. "$(dirname "$0")/lib.sh"

$GEN --mode full --seed 5 --duration-s 3600 --encap hep3 \
    --out "$TMP/hep.pcap" --truth "$TMP/truth.jsonl" \
    --config "$TMP/gen.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
port=$($PYTHON3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# The generated configuration, listening instead of reading the capture.
sed -e "s#^capture:#capture:\\n  hep_listen: \"127.0.0.1:$port\"#" \
    -e '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/live.yaml"
cat >>"$TMP/live.yaml" <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
EOT
"$CCMETRICSD" -c "$TMP/gen.yaml" -r "$TMP/hep.pcap" >"$TMP/offline.jsonl" \
    2>"$TMP/err.log" || fail "offline replay: $(cat "$TMP/err.log")"

"$CCMETRICSD" -f -c "$TMP/live.yaml" 2>"$TMP/err.log" &
daemon=$!
# Listening once the port is taken (bounded wait).
wait_hep_listener "$port" "$daemon" "$TMP/err.log"
sent=$(timeout 120 $PYTHON3 "$top_srcdir/tests/hep-send.py" "$TMP/hep.pcap" \
    127.0.0.1 "$port") || { kill "$daemon"; fail "hep-send"; }
sleep 1
kill -TERM "$daemon"
rc=0
wait "$daemon" || rc=$?
expect_eq "exit status after SIGTERM" 0 "$rc"

expect_eq "HEP datagrams received" "$sent" \
    "$(last_stat "$TMP/out.jsonl" hep_listen.packets)"
expect_eq "HEP of other protocols" \
    "$(last_stat "$TMP/offline.jsonl" decode.hep.not_sip)" \
    "$(last_stat "$TMP/out.jsonl" hep_listen.not_sip)"
expect_eq "SIP messages" "$(last_stat "$TMP/offline.jsonl" sip.messages)" \
    "$(last_stat "$TMP/out.jsonl" sip.messages)"
$COMPARE --min-match 0.995 "$TMP/truth.jsonl" "$TMP/out.jsonl" \
    >"$TMP/cmp.txt" || { cat "$TMP/cmp.txt"; fail "live HEP records differ"; }
echo "ok: live HEP: $(tail -n 1 "$TMP/cmp.txt")"
# Exactly the offline replay's call records.
for f in offline out; do
	grep '"topic":"call.end\.' "$TMP/$f.jsonl" |
	    sed -E 's/"seq":[0-9]*,"boot":"[0-9a-f]*",//' | sort >"$TMP/$f.ends"
done
cmp -s "$TMP/offline.ends" "$TMP/out.ends" ||
    fail "live HEP and offline replay publish different call records"
echo "ok: live HEP gives the offline replay's $(wc -l <"$TMP/out.ends") call records"
