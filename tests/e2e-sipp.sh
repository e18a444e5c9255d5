#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# e2e-sipp.sh: real SIP stacks on loopback. SIPp callers (trunk side,
# 127.N.2.x) call the ACD emulator (tests/acd-emu.py, the PBX, 127.N.0.10),
# which queues them and rings SIPp agent phones (127.N.1.x); ccmetricsd
# captures it all live on lo (only 127.N/16; N is drawn per run). Its
# call.end records must match the truth the emulator wrote (times within
# 20 ms, e2e-lib.sh), and its interval.queue counts the truth's counts. The scenario,
# 13 calls in about 20 s, is described in e2e-lib.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e-lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root (CAP_NET_RAW)"
command -v sipp >/dev/null 2>&1 || skip "sipp not installed (Debian sip-tester)"
ip link show lo >/dev/null 2>&1 || skip "no loopback interface"

NET=$(e2e_net 21 40)
acd_config "udp and net $NET.0.0/16" "$NET.2.0/24"
start=$(date +%s)
start_daemon "$TMP/ccmetricsd.yaml"
acd_start
acd_call "$NET.0.10:5060"
stop_daemon
echo "traffic and capture took $(($(date +%s) - start)) s"
acd_check
echo "ok: SIPp callers and agents through the ACD emulator, captured live"
