#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# e2e-kamailio-proxy.sh: the scenario of e2e-sipp.sh (see e2e-lib.sh) with a
# real proxy on the trunk side: SIPp callers (127.N.2.x) -> Kamailio
# (stateful, record-routing, 127.N.0.20) -> the ACD emulator (127.N.0.10)
# -> SIPp agents (127.N.1.x). ccmetricsd captures on lo what the PBX sends
# and receives (as on the PBX host or its switch port), with trunks =
# Kamailio; its records must match the emulator's truth.
#
# By default both hops are captured (caller -> Kamailio too), as on a host
# running the proxy and the PBX: the caller's INVITE to the proxy forms the
# leg (neither trunk nor PBX) and the proxy's copy to the PBX then gives it
# its role (leg.c leg_rehop). E2E_PROXY_CAPTURE=pbx captures only the PBX's
# side, as on the PBX's switch port.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e-lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
command -v sipp >/dev/null 2>&1 || skip "sipp not installed (Debian sip-tester)"
command -v kamailio >/dev/null 2>&1 || skip "kamailio not installed"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

NET=$(e2e_net 101 40)
PROXY=$NET.0.20
kamailio_proxy_cfg "$TMP/kamailio.cfg" "$PROXY" "$NET.0.10"
if [ "${E2E_PROXY_CAPTURE:-both}" = both ]; then
	acd_config "udp and net $NET.0.0/16" "$PROXY"
else
	acd_config "udp and host $NET.0.10" "$PROXY"
fi
start=$(date +%s)
kamailio_start "$TMP/kamailio.cfg"
start_daemon "$TMP/ccmetricsd.yaml"
acd_start
acd_call "$PROXY:5060"
stop_daemon
echo "traffic and capture took $(($(date +%s) - start)) s"
acd_check
echo "ok: SIPp callers through Kamailio to the ACD emulator, captured live"
