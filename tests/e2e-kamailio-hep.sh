#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# e2e-kamailio-hep.sh: the scenario of e2e-sipp.sh (see e2e-lib.sh) behind
# Kamailio as in e2e-kamailio-proxy.sh, but the trunk side reaches the
# daemon only as HEPv3: Kamailio's siptrace mirrors what it exchanges with
# the PBX (the hop a PBX-side capture would see) to the daemon's
# capture.hep_listen, while the agent side (PBX <-> phones) is captured
# live on lo as usual. Records must match the emulator's truth; times
# within 20 ms (HEP carries Kamailio's time of tracing; e2e-lib.sh).
#
# What Kamailio mirrors: requests from the PBX and replies from the PBX
# (request_route, onreply_route), requests it sends to the PBX
# (onsend_route), and CANCELs as it receives them (tm builds the CANCEL to
# the PBX itself, past onsend_route). Not mirrored, not needed: its own
# ACKs to the PBX's non-2xx answers, and its replies to the PBX's BYEs.
# Skips (77) while ccmetricsd does not bind capture.hep_listen.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e-lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
command -v sipp >/dev/null 2>&1 || skip "sipp not installed (Debian sip-tester)"
command -v kamailio >/dev/null 2>&1 || skip "kamailio not installed"
[ -n "$(dpkg -L kamailio 2>/dev/null | grep '/siptrace\.so$')" ] ||
    skip "kamailio has no siptrace module"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

NET=$(e2e_net 181 37)
PROXY=$NET.0.20
PBX=$NET.0.10
HEP=$NET.0.1:9060
kamailio_proxy_cfg "$TMP/kamailio.cfg" "$PROXY" "$PBX" "
loadmodule \"siptrace.so\"
modparam(\"siptrace\", \"duplicate_uri\", \"sip:$HEP\")
modparam(\"siptrace\", \"hep_mode_on\", 1)
modparam(\"siptrace\", \"hep_version\", 3)
modparam(\"siptrace\", \"trace_on\", 1)
modparam(\"siptrace\", \"trace_to_database\", 0)" "
	if (\$si == \"$PBX\" || is_method(\"CANCEL\"))
		sip_trace();" "
onreply_route {
	if (\$si == \"$PBX\")
		sip_trace();
}
onsend_route {
	if (\$sndto(ip) == \"$PBX\")
		sip_trace();
}"
# The trunk side comes as HEP and the agent side from the capture, two
# inputs the daemon does not put back in time order: an agent INVITE that
# reaches it before the HEP copy of its caller's INVITE is counted
# unmatched (seen once in four runs, the PBX ringing the agent 1.5 ms after
# the caller's INVITE). So the PBX waits 200 ms before ringing an agent,
# as a real ACD does while its first announcement plays.
ACD_QUEUE_DELAY_S=0.2
acd_config "udp and host $PBX and net $NET.1.0/24" "$PROXY" \
    "  hep_listen: \"$HEP\""
start=$(date +%s)
start_daemon "$TMP/ccmetricsd.yaml"
# A daemon that listens holds the port: binding it here must fail.
$PYTHON3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(0)
sys.exit(1)' "${HEP%:*}" "${HEP#*:}" ||
    skip "ccmetricsd does not listen on capture.hep_listen (no HEP listener yet)"
kamailio_start "$TMP/kamailio.cfg"
acd_start
acd_call "$PROXY:5060"
stop_daemon
echo "traffic and capture took $(($(date +%s) - start)) s"
acd_check
echo "ok: the trunk side as HEPv3 from Kamailio's siptrace, the agent side live"
