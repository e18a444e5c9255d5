#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# web-config.sh: ccmetrics-web refuses a bad configuration with every
# problem at its file:line:column (exit 2), and --check-config accepts the
# example configuration and an empty file (all defaults).
. "$(dirname "$0")/lib.sh"

WEB="$top_builddir/ccmetrics-web"

# case NAME EXPECTED-OUTPUT: the YAML on stdin is refused with exactly this.
case_() {
	cat >"$TMP/$1.yaml"
	status=0
	"$WEB" -c "$TMP/$1.yaml" --check-config >"$TMP/$1.out" 2>&1 ||
	    status=$?
	expect_eq "$1: exit status" 2 "$status"
	printf '%s\n' "$2" | sed "s|^|$TMP/$1.yaml:|" >"$TMP/$1.want"
	cmp -s "$TMP/$1.want" "$TMP/$1.out" ||
	    fail "$1: expected
$(cat "$TMP/$1.want")
got
$(cat "$TMP/$1.out")"
	echo "ok: $1"
}

printf 'lisen: 127.0.0.1:8080\n' |
    case_ unknown-key '1:1: lisen: unknown key'
printf 'listen: localhost:8080\n' |
    case_ listen-name '1:9: listen: must be ADDRESS:PORT with a numeric address, e.g. 127.0.0.1:8080 or [::1]:8080'
printf 'listen: 127.0.0.1:65536\n' |
    case_ listen-port '1:9: listen: must be ADDRESS:PORT with a numeric address, e.g. 127.0.0.1:8080 or [::1]:8080'
printf 'feeds:\n  - server_key: abc\n    when: now\n' |
    case_ feed-item '2:5: feeds[0].endpoint: must be set
2:17: feeds[0].server_key: must be a CURVE key: 40 characters of Z85 (ccmetrics-sub --keygen makes one)
3:5: feeds[0].when: unknown key'
printf 'feeds: []\n' |
    case_ feeds-empty '1:8: feeds: must list at least one feed'
printf 'feeds: [ { endpoint: "udp://1.2.3.4:5" }, { endpoint: "tcp://h" } ]\n' |
    case_ feed-endpoint '1:22: feeds[0].endpoint: transport must be tcp or ipc
1:55: feeds[1].endpoint: tcp needs HOST:PORT, e.g. tcp://127.0.0.1:5556'
printf 'feeds:\n  - endpoint: tcp://127.0.0.1:5556\n    secret_key: "rq:rM>}U?@Lns47E1%%kR.o@n%%FcmmsL/@{H8]yf7"\n' |
    case_ curve-secret-alone "2:5: feeds[0]: secret_key without server_key: CURVE needs the daemon's key"
printf 'listen: &l 127.0.0.1:8080\nevents: { ring: *l }\n' |
    case_ alias '2:17: (document): aliases are not allowed'
printf 'thresholds:\n  default:\n    longest_wait_s: { amber: 90, red: 60 }\n  queues:\n    - queue: sales\n      service_level: { amber: 0.5, red: 0.7 }\n    - queue: sales\n    - queue: "a b"\n    - service_level: { amber: 2 }\n' |
    case_ thresholds '3:5: thresholds.default: longest_wait_s: red (60) must not be below amber (90)
5:7: thresholds.queues[0]: service_level: red (0.7) must not be above amber (0.5)
7:7: thresholds.queues[1]: queue sales is listed twice
8:7: thresholds.queues[2]: queue: must be set
8:14: thresholds.queues[2].queue: must be a queue name, [A-Za-z0-9_-]+, at most 63 characters
9:7: thresholds.queues[3]: queue: must be set
9:31: thresholds.queues[3].service_level.amber: must be in [0, 1]'
printf 'thresholds:\n  default: { queue: sales }\n' |
    case_ default-queue '2:21: thresholds.default.queue: unknown key (only entries of thresholds.queues name a queue)'
printf 'timezone: Mars/Olympus_Mons\n' |
    case_ timezone '1:11: timezone: unknown time zone (no zoneinfo file for it)'
printf 'timezone: ../../etc/passwd\n' |
    case_ timezone-path '1:11: timezone: must be an IANA time zone name, e.g. Europe/Paris'
printf 'limits:\n  max_clients: 0\n  max_queues: many\nmetrics: { per_agent: yes }\n' |
    case_ bounds '2:16: limits.max_clients: must be between 1 and 65536
3:15: limits.max_queues: must be an integer
4:23: metrics.per_agent: must be true or false'
# The ring keeps at least one event: clients read live events from it.
printf 'events: { ring: 0, ring_bytes: 100 }\n' |
    case_ ring '1:17: events.ring: must be between 1 and 10000000
1:32: events.ring_bytes: must be between 65536 and 4294967296'
printf 'listen: 127.0.0.1:8080\nlisten: 127.0.0.1:8081\n' |
    case_ duplicate '2:1: listen: duplicate key (first at line 1, column 1)'
# 32 MiB + 16 MiB + 256 * (256 KiB + 32 KiB) + 2000 * 32 KiB + 10000 * 4 KiB
# = 232325120 bytes.
printf 'limits: { memory_bytes: 33554432 }\n' |
    case_ memory '1:25: limits.memory_bytes: 33554432 is less than 32 MiB + events.ring_bytes + limits.max_clients * (limits.client_buffer_bytes + 32 KiB) + limits.max_queues_total * 32 KiB + limits.max_agents_total * 4 KiB = 232325120'
# The totals' share, pinned on both sides: 1 queue and 1 agent over 32 MiB +
# 64 KiB ring + 1 * (4 KiB + 32 KiB) = 33656832, + 32 KiB + 4 KiB = 33693696.
printf 'events: { ring_bytes: 65536 }\nlimits: { max_clients: 1, client_buffer_bytes: 4096,\n  max_queues_total: 1, max_agents_total: 1, memory_bytes: 33693695 }\n' |
    case_ memory-totals '3:59: limits.memory_bytes: 33693695 is less than 32 MiB + events.ring_bytes + limits.max_clients * (limits.client_buffer_bytes + 32 KiB) + limits.max_queues_total * 32 KiB + limits.max_agents_total * 4 KiB = 33693696'
printf 'events: { ring_bytes: 65536 }\nlimits: { max_clients: 1, client_buffer_bytes: 4096,\n  max_queues_total: 1, max_agents_total: 1, memory_bytes: 33693696 }\n' \
    >"$TMP/totals-fit.yaml"
"$WEB" -c "$TMP/totals-fit.yaml" --check-config >"$TMP/totals-fit.out" 2>&1 ||
    fail "totals that fit: $(cat "$TMP/totals-fit.out")"
printf 'limits: { max_queues_total: 0, max_agents_total: 10000001 }\n' |
    case_ totals-range '1:29: limits.max_queues_total: must be between 1 and 1000000
1:50: limits.max_agents_total: must be between 1 and 10000000'
printf 'feeds: [ { endpoint: "tcp://127.0.0.1:1" }\n' |
    case_ syntax "2:1: syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 8)"
printf 'listen: 127.0.0.1:8080\n---\nlisten: 127.0.0.1:8081\n' |
    case_ two-documents '2:1: (top level): only one YAML document is allowed'
printf -- '- listen\n' |
    case_ not-a-map '1:1: (top level): must be a map'

for f in "$top_srcdir/conf/ccmetrics-web.yaml" /dev/null; do
	"$WEB" -c "$f" --check-config >"$TMP/ok.out" 2>&1 ||
	    fail "$f: $(cat "$TMP/ok.out")"
	expect_eq "$f" "$f: configuration OK" "$(cat "$TMP/ok.out")"
done
status=0
"$WEB" -c "$TMP/absent.yaml" --check-config 2>"$TMP/absent.err" || status=$?
expect_eq "missing file: exit status" 2 "$status"
expect_eq "missing file" "$TMP/absent.yaml: No such file or directory" \
    "$(cat "$TMP/absent.err")"
