#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# nats-replay.sh: a generated day replayed (-r) into a real JetStream: one
# message per published object, subject <prefix>.<site>.<topic>, header
# Nats-Msg-Id <site>-<boot>-<seq>, body the JSON-lines line without its
# topic; the same Msg-Ids published again are de-duplicated.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
nats_require

$GEN --seed 7 --duration-s 7200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
nats_start local
# The operator owns the stream (docs/deployment.md): the daemon adds none.
nats_tool local add-stream CCM 'ccm.>' >/dev/null || fail "add stream"
{
	echo "site: east-1"
	sed '/^publish:/,$d' "$TMP/gen.yaml"
	cat <<EOT
publish:
  zmq: ~
  jsonl: { path: "$TMP/out.jsonl" }
  nats: { url: "$(nats_url local)", subject_prefix: ccm }
EOT
} >"$TMP/day.yaml"
"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" 2>"$TMP/err.log" ||
    fail "ccmetricsd: $(cat "$TMP/err.log")"
$COMPARE "$TMP/truth.jsonl" "$TMP/out.jsonl" || fail "records differ"
n=$(wc -l <"$TMP/out.jsonl")
[ "$n" -gt 1000 ] || fail "only $n objects"
grep -q "nats: $n objects published (0 duplicates), 0 dropped (queue full), 0 refused, 0 unsent at exit; 0 reconnects" \
    "$TMP/err.log" || fail "summary: $(grep 'nats:' "$TMP/err.log")"
expect_eq "messages in the stream" "$n" "$(nats_tool local count CCM)"

# Message by message, in order: subject, Msg-Id and body from the line.
nats_tool local dump CCM >"$TMP/dump.tsv" || fail "dump"
$PYTHON3 - "$TMP/out.jsonl" "$TMP/dump.tsv" <<'PYEOF' || fail "stream content"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
msgs = [l.split("\t", 2) for l in
        open(sys.argv[2], encoding="utf-8").read().splitlines()]
assert len(lines) == len(msgs), (len(lines), len(msgs))
boots = set()
for line, (subject, msgid, body) in zip(lines, msgs):
    obj = json.loads(line)
    topic = obj.pop("topic")
    assert subject == "ccm.east-1." + topic, (subject, topic)
    assert msgid == "east-1-%s-%d" % (obj["boot"], obj["seq"]), msgid
    # The body is the line without its topic, byte for byte.
    want = "{" + line[len('{"topic":') + len(json.dumps(topic)) + 1:]
    assert body == want, (body, want)
    assert json.loads(body) == obj
    boots.add(obj["boot"])
assert len(boots) == 1, boots
seqs = [json.loads(b)["seq"] for _, _, b in msgs]
assert seqs == list(range(1, len(msgs) + 1)), "seq not 1..n in order"
print("ok: %d messages: subjects, Msg-Ids and bodies" % len(msgs))
PYEOF

# De-duplication: the first, a middle and the last message again, with
# their Msg-Ids, change nothing; a new Msg-Id is stored.
for k in 1 $((n / 2)) "$n"; do
	sed -n "${k}p" "$TMP/dump.tsv" >"$TMP/one"
	subject=$(cut -f1 "$TMP/one")
	id=$(cut -f2 "$TMP/one")
	body=$(cut -f3- "$TMP/one")
	got=$(nats_tool local publish "$subject" "$id" "$body") ||
	    fail "publish again"
	expect_eq "message $k published again" "duplicate $k" "$got"
done
expect_eq "messages after the duplicates" "$n" "$(nats_tool local count CCM)"
got=$(nats_tool local publish "$subject" "$id-new" "$body") || fail "publish"
expect_eq "a new Msg-Id" "stored $((n + 1))" "$got"
expect_eq "messages after a new one" "$((n + 1))" \
    "$(nats_tool local count CCM)"

# The stats objects count the publishes.
expect_eq "stats: nats_published of the last stats" \
    "$(($(grep -n '"topic":"stats"' "$TMP/out.jsonl" | tail -n 1 | cut -d: -f1) - 1))" \
    "$(($(last_stat "$TMP/out.jsonl" publish.nats_published) + \
    $(last_stat "$TMP/out.jsonl" publish.nats_pending)))"
expect_eq "stats: nats_dropped" 0 \
    "$(last_stat "$TMP/out.jsonl" publish.nats_dropped)"

# The objects, stats with publish.nats_* too, still match their schemas.
if $PYTHON3 -c 'import jsonschema' 2>/dev/null; then
	$PYTHON3 "$top_srcdir/tests/validate-schema.py" --no-coverage \
	    "$top_srcdir/schema" "$TMP/out.jsonl" >/dev/null ||
	    fail "stats with publish.nats_* do not match schema/stats"
	echo "ok: stats with publish.nats_* match their schema"
fi
