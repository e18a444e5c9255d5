#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# site.sh: the site (DESIGN.md 8) in every published object: as configured,
# the short host name by default, a host name that does not fit made to.
. "$(dirname "$0")/lib.sh"

PCAP="$top_srcdir/samples/sample.pcap"
grep -v '^publish:\|^  zmq:\|^  jsonl:' "$top_srcdir/samples/sample.yaml" \
    >"$TMP/base.yaml"
printf 'publish:\n  zmq: ~\n  jsonl: { path: "-" }\n' >>"$TMP/base.yaml"

# every_site FILE SITE: every line (each topic, stats too) carries exactly
# "site":SITE after its boot, and removing it leaves the other fields.
every_site() {
	$PYTHON3 - "$1" "$2" <<'PYEOF'
import json, sys
n = 0
topics = set()
for line in open(sys.argv[1], encoding="utf-8"):
    obj = json.loads(line)
    keys = list(obj)
    assert obj.get("site") == sys.argv[2], (sys.argv[2], line)
    assert keys.index("site") == keys.index("boot") + 1, line
    assert line.count('"site":') == 1, line
    topics.add(obj["type"])
    n += 1
for t in ("call.end", "interval.queue", "interval.agent", "rt.queue",
          "stats", "leg.end"):
    assert t in topics, "no %s object" % t
print("ok: %d objects carry site %s" % (n, sys.argv[2]))
PYEOF
}

# Configured.
{ echo "site: east-1_b"; cat "$TMP/base.yaml"; } >"$TMP/site.yaml"
"$CCMETRICSD" -c "$TMP/site.yaml" -r "$PCAP" >"$TMP/site.jsonl" \
    2>"$TMP/err" || fail "replay with site: $(cat "$TMP/err")"
every_site "$TMP/site.jsonl" east-1_b || fail "site east-1_b"

# Default: the host name up to its first dot.
host=$(hostname | cut -d. -f1)
"$CCMETRICSD" -c "$TMP/base.yaml" -r "$PCAP" >"$TMP/host.jsonl" \
    2>"$TMP/err" || fail "replay without site: $(cat "$TMP/err")"
every_site "$TMP/host.jsonl" "$host" || fail "default site $host"

# The site is the only difference (the boot id aside).
sed -E 's/"boot":"[0-9a-f]{16}","site":"east-1_b",//' "$TMP/site.jsonl" \
    >"$TMP/a"
sed -E "s/\"boot\":\"[0-9a-f]{16}\",\"site\":\"$host\",//" \
    "$TMP/host.jsonl" >"$TMP/b"
cmp "$TMP/a" "$TMP/b" || fail "the site changed more than the site field"
echo "ok: only the site differs"

# A host name outside [A-Za-z0-9_-]+ (set in a UTS namespace of our own).
if unshare -u true 2>/dev/null; then
	unshare -u $PYTHON3 -c 'import os, socket, sys
socket.sethostname("my host!(x).example.org")
os.execv(sys.argv[1], sys.argv[1:])' "$CCMETRICSD" -c "$TMP/base.yaml" \
	    -r "$PCAP" >"$TMP/odd.jsonl" 2>"$TMP/err" ||
	    fail "replay with an odd host name: $(cat "$TMP/err")"
	every_site "$TMP/odd.jsonl" "my_host__x_" || fail "odd host name"
	grep -q 'warning: site: not set, and the host name does not fit' \
	    "$TMP/err" || fail "no warning: $(cat "$TMP/err")"
	echo "ok: an odd host name is made to fit, with a warning"
else
	echo "no UTS namespace here: the odd host name case is not run"
fi

# Invalid: file:line:column, exit 2 (configuration).
{ cat "$TMP/base.yaml"; echo "site: east.1"; } >"$TMP/bad.yaml"
line=$(wc -l <"$TMP/bad.yaml")
rc=0
"$CCMETRICSD" -c "$TMP/bad.yaml" --check-config 2>"$TMP/err" || rc=$?
[ "$rc" -ne 0 ] || fail "site east.1 accepted"
expect_eq "error" "$TMP/bad.yaml:$line:7: site: must match [A-Za-z0-9_-]+" \
    "$(cat "$TMP/err")"
