#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# cli-errors.sh: the command line and start-up errors of ccmetricsd:
# exit statuses and the exact file:line:column messages.
. "$(dirname "$0")/lib.sh"

out=$("$CCMETRICSD" --version)
expect_eq "--version" "ccmetricsd $(ac_version)" "$out"
expect_eq "ccmetrics-sub --version" "ccmetrics-sub $(ac_version)" \
    "$("$CCMETRICS_SUB" --version)"
# Counts are numbers in range, never atol's silent 0.
for a in "-n abc" "-n 0" "-w -1" "-w 86401"; do
	rc=0
	# shellcheck disable=SC2086
	"$CCMETRICS_SUB" $a -r /dev/null 2>"$TMP/err" || rc=$?
	expect_eq "ccmetrics-sub $a: exit status" 1 "$rc"
	grep -q "not a number from" "$TMP/err" ||
	    fail "ccmetrics-sub $a: $(cat "$TMP/err")"
done

"$CCMETRICSD" --check-config -c "$top_srcdir/conf/ccmetricsd.yaml" \
    >/dev/null || fail "the example configuration does not check"
echo "ok: example configuration checks"

# Three mistakes in one file: all reported, each at its place, exit 2.
cat >"$TMP/bad.yaml" <<EOT
pbx:
  addresses: [10.0.0.10]
agents:
  addresses: [10.1.0.0/33]
queues:
  - name: sales
    dnis: ["5100"]
    sl_target: 2
    bogus: 1
EOT
rc=0
"$CCMETRICSD" --check-config -c "$TMP/bad.yaml" 2>"$TMP/err" || rc=$?
expect_eq "exit status of a bad configuration" 2 "$rc"
cat >"$TMP/want" <<EOT
$TMP/bad.yaml:4:15: agents.addresses[0]: "10.1.0.0/33" is not an address or ADDRESS/PREFIX
$TMP/bad.yaml:8:16: queues[0].sl_target: must be in (0, 1]
$TMP/bad.yaml:9:5: queues[0].bogus: unknown key
EOT
diff -u "$TMP/want" "$TMP/err" || fail "configuration errors differ"
echo "ok: configuration errors"

# A capture filter that does not compile is a configuration error too.
cat >"$TMP/filter.yaml" <<EOT
capture: { filter: "udp prot 5060" }
pbx: { addresses: [10.0.0.10] }
agents: { addresses: [10.1.0.0/16] }
EOT
rc=0
"$CCMETRICSD" --check-config -c "$TMP/filter.yaml" 2>"$TMP/err" || rc=$?
expect_eq "exit status of a bad filter" 2 "$rc"
expect_eq "bad filter message" \
    "$TMP/filter.yaml: capture.filter: bad capture filter \"udp prot 5060\": can't parse filter expression: syntax error" \
    "$(cat "$TMP/err")"

rc=0
"$CCMETRICSD" -c "$TMP/missing.yaml" 2>"$TMP/err" || rc=$?
expect_eq "exit status of a missing configuration" 2 "$rc"

# -i and -r together, or a stray argument: usage, exit 2.
rc=0
"$CCMETRICSD" -i lo -r x.pcap 2>/dev/null || rc=$?
expect_eq "exit status of -i with -r" 2 "$rc"

cat >"$TMP/ok.yaml" <<EOT
pbx: { addresses: [10.0.0.10] }
agents: { addresses: [10.1.0.0/16] }
publish: { zmq: ~, jsonl: { path: "-" } }
EOT
# A capture file that does not exist: a clear error, exit 1.
rc=0
"$CCMETRICSD" -c "$TMP/ok.yaml" -r "$TMP/none.pcap" 2>"$TMP/err" || rc=$?
expect_eq "exit status of a missing capture" 1 "$rc"
grep -q "none.pcap" "$TMP/err" || fail "no file name in: $(cat "$TMP/err")"

# Not a capture at all: the message names the file.
printf 'not a capture file, just text\n' >"$TMP/text.pcap"
rc=0
"$CCMETRICSD" -c "$TMP/ok.yaml" -r "$TMP/text.pcap" 2>"$TMP/err" || rc=$?
expect_eq "exit status of a file that is no capture" 1 "$rc"
grep -q "$TMP/text.pcap: unknown file format" "$TMP/err" ||
    fail "no file name in: $(cat "$TMP/err")"

# A capture cut at 96 bytes a packet: warned about, naming the file.
$PYTHON3 - "$TMP/short.pcap" <<'EOT'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 96, 1))
EOT
rc=0
"$CCMETRICSD" -c "$TMP/ok.yaml" -r "$TMP/short.pcap" >/dev/null 2>"$TMP/err" ||
    rc=$?
expect_eq "exit status of a short-snaplen capture" 0 "$rc"
grep -q "warning: $TMP/short.pcap: snaplen 96 is too small for SIP" \
    "$TMP/err" || fail "no snaplen warning: $(cat "$TMP/err")"

# A capture of an unknown link type (USER0, 147): refused at start-up.
$PYTHON3 - "$TMP/user0.pcap" <<'EOT'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
    f.write(struct.pack("<IIII", 1, 0, 4, 4) + b"abcd")
EOT
rc=0
"$CCMETRICSD" -c "$TMP/ok.yaml" -r "$TMP/user0.pcap" 2>"$TMP/err" || rc=$?
expect_eq "exit status of an unknown link type" 1 "$rc"
grep -q "unsupported link type 147" "$TMP/err" ||
    fail "unknown link type message: $(cat "$TMP/err")"
echo "ok: unknown link type refused"

# A truncated capture: what was read is still processed, no crash.
$GEN --seed 5 --duration-s 600 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/day.yaml" 2>/dev/null
size=$(wc -c <"$TMP/day.pcap")
head -c $((size / 2 + 7)) "$TMP/day.pcap" >"$TMP/cut.pcap"
rc=0
"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/cut.pcap" >"$TMP/out.jsonl" \
    2>"$TMP/err" || rc=$?
[ "$rc" -le 1 ] || fail "truncated capture: exit $rc"
# Its error, if any, names the file.
[ ! -s "$TMP/err" ] || grep -q "$TMP/cut.pcap: " "$TMP/err" ||
    fail "no file name in: $(cat "$TMP/err")"
grep -q '"topic":"call.end\.' "$TMP/out.jsonl" ||
    fail "truncated capture: no call published"
echo "ok: truncated capture handled (exit $rc)"
