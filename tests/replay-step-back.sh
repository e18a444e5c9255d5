#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# replay-step-back.sh: a capture whose host clock steps back 1 h in the
# middle: no published duration, wait, talk, hold or handle time is
# negative, and every call over before the step is exactly the truth.
. "$(dirname "$0")/lib.sh"

$GEN --mode full --seed 31 --duration-s 7200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>"$TMP/gen.log" ||
    fail "generator: $(cat "$TMP/gen.log")"
sed '/^publish:/,$d' "$TMP/gen.yaml" >"$TMP/day.yaml"
printf 'publish:\n  zmq: ~\n  jsonl: { path: "-" }\n' >>"$TMP/day.yaml"

# The capture host's clock steps back 1 h, 4000 s into the capture: every
# packet from then on is stamped 3600 s early. Prints the step's time.
step=$($PYTHON3 - "$TMP/day.pcap" "$TMP/step.pcap" <<'EOT'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
magic = struct.unpack("<I", data[:4])[0]
assert magic in (0xa1b2c3d4, 0xa1b23c4d), hex(magic)
unit = 1 if magic == 0xa1b2c3d4 else 1000      # fraction units per us
off, step, shifted = 24, None, 0
while off + 16 <= len(data):
    sec, frac, incl = struct.unpack("<III", data[off:off + 12])
    us = sec * 1000000 + frac // unit
    if step is None:
        step = us + 4000 * 1000000
    if us >= step:
        us -= 3600 * 1000000
        struct.pack_into("<II", data, off, us // 1000000,
                         us % 1000000 * unit + frac % unit)
        shifted += 1
    off += 16 + incl
assert off == len(data) and shifted > 0, (off, len(data), shifted)
open(sys.argv[2], "wb").write(data)
print(step)
EOT
) || fail "rewriting the capture"

"$CCMETRICSD" -c "$TMP/day.yaml" -r "$TMP/step.pcap" >"$TMP/out.jsonl" \
    2>"$TMP/err.log" || fail "replay: $(cat "$TMP/err.log")"

$PYTHON3 - "$TMP/truth.jsonl" "$TMP/out.jsonl" "$step" "$TMP/before" \
    <<'EOT' || fail "published times"
import calendar, json, re, sys

def us(text):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", text)
    sec = calendar.timegm(tuple(map(int, re.split("[-T:]", m.group(1)))))
    return sec * 1000000 + round(float(m.group(2) or 0) * 1000000)

step = int(sys.argv[3])
TIMED = re.compile(r"(_s|_ms)$|dur|wait|talk|hold|handle")
checked = 0
def walk(o, where):
    global checked
    if isinstance(o, dict):
        for k, v in o.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) \
                    and TIMED.search(k):
                assert v >= 0, "%s.%s = %s" % (where, k, v)
                checked += 1
            walk(v, where + "." + k)
    elif isinstance(o, list):
        for v in o:
            walk(v, where)

out = [json.loads(l) for l in open(sys.argv[2])]
for o in out:
    walk(o, "%s seq %d" % (o["type"], o["seq"]))
truth = [json.loads(l) for l in open(sys.argv[1])]
# Calls the step cuts through: the ones whose times it could turn negative.
across = [t for t in truth if us(t["arrival"]) < step <= us(t["ended_at"])]
assert across, "no call spans the step"
# Calls over (their last responses and retransmissions included: 60 s)
# before the step.
before = [t for t in truth if us(t["ended_at"]) + 60000000 < step]
ids = {t["contact_id"] for t in before}
with open(sys.argv[4] + ".truth", "w") as fh:
    for t in before:
        fh.write(json.dumps(t) + "\n")
with open(sys.argv[4] + ".out", "w") as fh:
    for o in out:
        if o.get("topic", "").startswith("call.end.") and \
                o["contact_id"] in ids:
            fh.write(json.dumps(o) + "\n")
print("ok: %d times checked, none negative; %d calls across the step, "
      "%d before it" % (checked, len(across), len(before)))
EOT
$COMPARE "$TMP/before.truth" "$TMP/before.out" >"$TMP/cmp.txt" ||
    { cat "$TMP/cmp.txt"; fail "calls before the step differ from the truth"; }
echo "ok: calls before the step: $(tail -n 1 "$TMP/cmp.txt")"
