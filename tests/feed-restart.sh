#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# feed-restart.sh: every object names its run (boot, the same within a run,
# new on each start); an interval the run did not observe from start to
# end says so (partial, observed_from, observed_to), one it did does not.
. "$(dirname "$0")/lib.sh"

$GEN --seed 41 --duration-s 2000 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
sed '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/day.yaml"
printf 'publish:\n  zmq: ~\n  jsonl: { path: "-" }\n' >>"$TMP/day.yaml"
for run in 1 2; do
	"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/day.pcap" \
	    >"$TMP/run$run.jsonl" 2>"$TMP/run$run.err" ||
	    fail "replay $run: $(cat "$TMP/run$run.err")"
done

$PYTHON3 - "$TMP/day.pcap" "$TMP/run1.jsonl" "$TMP/run2.jsonl" <<'EOT' ||
import datetime, json, re, struct, sys

# First and last packet time, read from the pcap's own record headers.
data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
assert magic in (0xa1b2c3d4, 0xa1b23c4d), hex(magic)
div = 1 if magic == 0xa1b2c3d4 else 1000
off, times = 24, []
while off + 16 <= len(data):
    sec, frac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
    times.append(sec * 1000000 + frac // div)
    off += 16 + incl
first, last = times[0], max(times)

def fmt(us):
    t = datetime.datetime.fromtimestamp(us // 1000000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (us % 1000000 // 1000)

def parse(s):
    t = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    t = t.replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1000000 + t.microsecond

boots = []
for path in sys.argv[2:]:
    objs = [json.loads(l) for l in open(path)]
    run = {o["boot"] for o in objs}
    assert len(run) == 1, "several boot ids in one run: %s" % run
    boot = run.pop()
    assert re.fullmatch("[0-9a-f]{16}", boot), boot
    boots.append(boot)
    npartial = nfull = 0
    for o in objs:
        if not o["type"].startswith("interval."):
            continue
        start, end = parse(o["start"]), parse(o["end"])
        if first > start or last < end:
            assert o.get("partial") is True, (o["start"], fmt(first))
            assert o["observed_from"] == fmt(max(first, start)), \
                (o["observed_from"], fmt(first))
            assert o["observed_to"] == fmt(min(last, end)), \
                (o["observed_to"], fmt(last))
            npartial += 1
        else:
            assert "partial" not in o and "observed_from" not in o, o["start"]
            nfull += 1
    # The day starts inside its first interval and ends inside its last.
    assert npartial > 0 and nfull > 0, (npartial, nfull)
assert boots[0] != boots[1], "two runs, one boot id"
print("ok: boot ids %s, %s; %d partial, %d whole intervals" % (
    boots[0], boots[1], npartial, nfull))
EOT
    fail "boot and partial intervals"
