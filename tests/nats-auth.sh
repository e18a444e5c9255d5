#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# nats-auth.sh: publish.nats over TLS (a CA of the test's own, a client
# certificate the server verifies) with user and password, and with a
# token: every object arrives; a wrong password or an unknown CA gets
# nothing stored and the objects counted as unsent, not lost silently.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/nats-lib.sh"
nats_require
command -v openssl >/dev/null 2>&1 || skip "openssl not installed"

# A CA, a server certificate for 127.0.0.1, a client certificate.
cd "$TMP"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca \
    -keyout ca.key -out ca.pem 2>/dev/null || fail "CA"
for who in server client; do
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" \
	    -keyout "$who.key" -out "$who.csr" 2>/dev/null || fail "$who key"
	printf 'subjectAltName=IP:127.0.0.1\n' >"$who.ext"
	openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile "$who.ext" -out "$who.pem" \
	    2>/dev/null || fail "$who certificate"
done
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca \
    -keyout other.key -out other.pem 2>/dev/null || fail "other CA"
cd - >/dev/null

nats_start tls "" "tls { cert_file: \"$TMP/server.pem\"
  key_file: \"$TMP/server.key\"
  ca_file: \"$TMP/ca.pem\"
  verify: true }
authorization { user: ccm, password: \"s3cret-pass_1\" }"
nats_start tok "" "authorization { token: \"t0ken-123\" }"

PCAP="$top_srcdir/samples/sample.pcap"
n=$("$CCMETRICSD" -c "$top_srcdir/samples/sample.yaml" -r "$PCAP" 2>/dev/null |
    wc -l)
[ "$n" -gt 1000 ] || fail "sample: $n objects"

# run NAME NATS_MAP: replay the sample publishing with that publish.nats.
run() {
	{
		grep -v '^publish:\|^  zmq:\|^  jsonl:' \
		    "$top_srcdir/samples/sample.yaml"
		printf 'site: auth\npublish:\n  zmq: ~\n  jsonl: { path: "-" }\n'
		printf '  nats: %s\n' "$2"
	} >"$TMP/$1.yaml"
	"$CCMETRICSD" -c "$TMP/$1.yaml" -r "$PCAP" >/dev/null \
	    2>"$TMP/$1.err" || fail "$1: $(cat "$TMP/$1.err")"
}

TLSURL="tls://127.0.0.1:$(cat "$TMP/nats-tls/port")"
tls_tool() {
	"$NATS_TOOL" -s "tls://ccm:s3cret-pass_1@127.0.0.1:$(cat "$TMP/nats-tls/port")" \
	    -a "$TMP/ca.pem" -c "$TMP/client.pem" -k "$TMP/client.key" "$@"
}
tok_tool() {
	nats_tool tok -t t0ken-123 "$@"
}
tls_tool add-stream CCM 'ccmetrics.>' >/dev/null || fail "TLS stream"
tok_tool add-stream CCM 'ccmetrics.>' >/dev/null || fail "token stream"
CERTS="tls_ca: \"$TMP/ca.pem\", tls_cert: \"$TMP/client.pem\", tls_key: \"$TMP/client.key\""

# TLS, verified both ways, with user and password.
run tls "{ url: \"$TLSURL\", $CERTS, user: ccm, password: \"s3cret-pass_1\" }"
grep -q "nats: $n objects published (0 duplicates), 0 dropped" "$TMP/tls.err" ||
    fail "TLS: $(grep nats: "$TMP/tls.err")"
expect_eq "messages over TLS with user and password" "$n" \
    "$(tls_tool count CCM)"

# A token.
run tok "{ url: \"$(nats_url tok)\", token: t0ken-123 }"
expect_eq "messages with a token" "$n" "$(tok_tool count CCM)"

# A wrong password, a CA that did not sign the server's certificate:
# nothing stored, every object reported unsent.
run badpass "{ url: \"$TLSURL\", $CERTS, user: ccm, password: wrong }"
grep -q "nats: 0 objects published (0 duplicates), 0 dropped (queue full), 0 refused, $n unsent at exit" \
    "$TMP/badpass.err" || fail "wrong password: $(grep nats: "$TMP/badpass.err")"
run badca "{ url: \"$TLSURL\", tls_ca: \"$TMP/other.pem\", tls_cert: \"$TMP/client.pem\", tls_key: \"$TMP/client.key\", user: ccm, password: \"s3cret-pass_1\" }"
grep -q "nats: 0 objects published (0 duplicates), 0 dropped (queue full), 0 refused, $n unsent at exit" \
    "$TMP/badca.err" || fail "unknown CA: $(grep nats: "$TMP/badca.err")"
expect_eq "messages after the refused runs" "$n" "$(tls_tool count CCM)"
echo "ok: refused logins store nothing and say so"

# A file that cannot be used stops start-up (exit 1), naming its key.
{
	grep -v '^publish:\|^  zmq:\|^  jsonl:' "$top_srcdir/samples/sample.yaml"
	printf 'publish:\n  zmq: ~\n  nats: { url: "%s", tls_ca: "%s" }\n' \
	    "$TLSURL" "$TMP/none.pem"
} >"$TMP/nofile.yaml"
rc=0
"$CCMETRICSD" -c "$TMP/nofile.yaml" -r "$PCAP" >/dev/null 2>"$TMP/nofile.err" ||
    rc=$?
expect_eq "exit status with a missing CA file" 1 "$rc"
grep -q "error: publish.nats.tls_ca: " "$TMP/nofile.err" ||
    fail "missing CA file: $(cat "$TMP/nofile.err")"
echo "ok: a missing CA file stops start-up"

# --check-config reads and checks the same files, as start-up does, and
# connects to nothing: a missing CA, a certificate that is no PEM and a
# missing credentials file each fail the check (exit 2) naming their key;
# the files of the TLS run pass it.
check() {	# check NAME NATS-MAP: exit status, stderr in $TMP/NAME.cerr
	{
		grep -v '^publish:\|^  zmq:\|^  jsonl:' \
		    "$top_srcdir/samples/sample.yaml"
		printf 'publish:\n  zmq: ~\n  nats: %s\n' "$2"
	} >"$TMP/$1.cyaml"
	rc=0
	"$CCMETRICSD" -c "$TMP/$1.cyaml" --check-config >/dev/null \
	    2>"$TMP/$1.cerr" || rc=$?
	echo $rc
}
# refused WHAT MAP KEY: the check fails (exit 2) with an error naming KEY.
refused() {
	expect_eq "--check-config, $1" 2 "$(check c "$2")"
	grep -q "error: .*$3" "$TMP/c.cerr" ||
	    fail "--check-config, $1: $(cat "$TMP/c.cerr")"
}
echo "not a certificate" >"$TMP/junk.pem"
refused "missing CA file" "{ url: \"$TLSURL\", tls_ca: \"$TMP/none.pem\" }" \
    "publish.nats.tls_ca: $TMP/none.pem"
refused "a certificate that is no PEM" \
    "{ url: \"$TLSURL\", tls_ca: \"$TMP/ca.pem\", tls_cert: \"$TMP/junk.pem\", tls_key: \"$TMP/client.key\" }" \
    "publish.nats.tls_cert: "
refused "missing credentials file" \
    "{ url: \"$TLSURL\", creds: \"$TMP/none.creds\" }" \
    "publish.nats.creds: $TMP/none.creds"
expect_eq "--check-config, the TLS run's files" 0 \
    "$(check cgood "{ url: \"$TLSURL\", $CERTS, user: ccm, password: \"s3cret-pass_1\" }")"
echo "ok: --check-config checks publish.nats's files as start-up does"
