#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# privacy-day.sh: one generated day replayed with privacy.caller clear,
# hash and mask. Hash: every published caller number is the keyed
# HMAC-SHA256 of the clear one (equal numbers, equal hashes); mask: the
# last N digits stay; both: repeat flags and every other field as in
# clear mode, and no clear caller number anywhere in the output.
. "$(dirname "$0")/lib.sh"

$GEN --seed 21 --duration-s 7200 --out "$TMP/day.pcap" \
    --truth "$TMP/truth.jsonl" --config "$TMP/gen.yaml" 2>/dev/null ||
    fail "generator"
secret="a day's secret, 16+ characters"

# run MODE: the day's output with privacy.caller MODE in $TMP/MODE.jsonl
run() {
	cp "$TMP/gen.yaml" "$TMP/$1.yaml"
	cat >>"$TMP/$1.yaml" <<EOT
privacy:
  caller: $1
  secret: "$secret"
  mask_digits: 3
EOT
	"$CCMETRICSD" -c "$TMP/$1.yaml" -r "$TMP/day.pcap" >"$TMP/$1.jsonl" \
	    2>"$TMP/$1.err" || fail "ccmetricsd ($1): $(cat "$TMP/$1.err")"
}
run clear
run hash
run mask
$COMPARE "$TMP/truth.jsonl" "$TMP/clear.jsonl" || fail "clear records differ"

$PYTHON3 - "$TMP" "$secret" <<'EOT' || fail "privacy checks"
import hashlib, hmac, json, re, sys
tmp, secret = sys.argv[1], sys.argv[2].encode()
ANON = {"", "anonymous", "restricted", "unavailable"}

def load(mode):
    with open("%s/%s.jsonl" % (tmp, mode)) as f:
        return [json.loads(line) for line in f]

def h(n):
    return hmac.new(secret, n.encode(), hashlib.sha256).hexdigest()

def mask(n):
    out, keep = [], 3
    for i in range(len(n) - 1, -1, -1):
        c = n[i]
        if keep > 0 and c.isdigit():
            out.append(c); keep -= 1
        elif i == 0 and c == "+":
            out.append(c)
        else:
            out.append("x")
    return "".join(reversed(out))

clear = load("clear")
numbers = set()
for rec in clear:
    for k in ("caller",):
        if rec.get(k) and rec[k].lower() not in ANON:
            numbers.add(rec[k])
    if rec["topic"] == "leg.end" and rec["role"] == "other":
        numbers.add(rec["dialed"])
assert len(numbers) > 20, numbers
repeats = sum(1 for r in clear if r["topic"].startswith("call.end.") and r["repeat"])
assert repeats > 0, "the day has no repeat caller"

for mode, f in (("hash", h), ("mask", mask)):
    out = load(mode)
    assert len(out) == len(clear), (mode, len(out), len(clear))
    seen = {}
    for a, b in zip(clear, out):
        assert a["topic"] == b["topic"] and a["seq"] == b["seq"], (a, b)
        want = dict(a)
        want["boot"] = b["boot"]    # each run has its own
        for k in ("caller", "dialed"):
            if k not in a or a[k].lower() in ANON:
                continue
            if k == "dialed" and a.get("role") != "other":
                continue
            want[k] = f(a[k])
            if mode == "hash":
                # One number, one hash: equal numbers stay countable.
                assert seen.setdefault(a[k], b[k]) == b[k]
        if a["topic"] == "stats":
            continue
        assert b == want, "%s: %s\n!= %s" % (mode, json.dumps(b), json.dumps(want))
    text = open("%s/%s.jsonl" % (tmp, mode)).read()
    leaked = [n for n in numbers if n in text]
    assert not leaked, "%s: clear numbers published: %s" % (mode, leaked[:5])
    print("ok: %s: %d objects equal to clear mode but for the numbers, "
          "%d numbers hidden, %d repeat calls kept" % (mode, len(out),
          len(numbers), repeats))
EOT
