#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# fuzz-input.py: turn a fuzz target's input into a capture (and configuration) the daemon replays.
"""Usage: fuzz-input.py TARGET INPUT OUT.pcap OUT.yaml

TARGET is decode, sipmsg or pipeline; INPUT is in that fuzz target's format
(fuzz/*-fuzzer.c). Writes a classic pcap carrying the same bytes and a
configuration like the target's, so an input that once broke a target
(fuzz/regress/TARGET/) is replayed by the daemon in `make check`:
  decode    the first byte picks the link type (decode-fuzzer.c's table);
  sipmsg    one UDP datagram 192.0.2.1 -> 10.0.0.10, port 5060;
  pipeline  each "@DELTA_MS SD" message a UDP datagram between the lettered
            endpoints; '!' picks configuration B; "@R" reloads are skipped
            (a replay cannot send SIGHUP between two packets).
Exit status 3: the input cannot be put in a capture (a payload too large
for one UDP datagram).
"""

import sys

import sippcap  # also puts tools/ on sys.path, for ccmgen_wire
from sippcap import START_US
from ccmgen_wire import PcapWriter

# decode-fuzzer.c: DLT_EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4,
# IPV6, as pcap file link types.
LINKTYPES = [1, 113, 276, 0, 108, 101, 228, 229]
# pipeline-fuzzer.c's endpoints; any other letter is 'o'.
ENDPOINTS = {"t": "192.0.2.1", "u": "192.0.2.2", "p": "10.0.0.10", "a": "10.1.0.1",
             "b": "10.1.0.2", "o": "198.51.100.7"}
DELTA_MS_DAY = 86400000
DELTA_MS_GAP = 8 * DELTA_MS_DAY
UDP_MAX = 65507

# pipeline-fuzzer.c's configurations A and B (JSON-lines output added).
CONFIG_A = """\
pbx: { addresses: [10.0.0.10] }
trunks: { addresses: [192.0.2.0/24] }
agents: { addresses: [10.1.0.0/16], user_pattern: "^[0-9]{4}$" }
queues:
  - { name: sales, dnis: ["+18005550100", "5100"] }
  - { name: support, dnis: ["+18005550200"], sl_threshold_s: 30 }
correlation: { headers: [X-CC-Inbound], caller_window_s: 600 }
metrics: { interval_s: 900, realtime_s: 5, short_abandon_s: 5, repeat_window_s: 3600 }
limits: { max_legs: 16, max_callers: 3, unanswered_leg_timeout_s: 60,
  answered_leg_timeout_s: 600 }
"""
CONFIG_B = """\
pbx: { addresses: [10.0.0.10] }
agents: { addresses: [10.1.0.0/16] }
queues:
  - { name: sales, dnis: ["5100"] }
default_queue: sales
correlation: { caller_window_s: 7200 }
metrics: { interval_s: 300, realtime_s: 1, short_abandon_s: 0, repeat_window_s: 0 }
limits: { max_legs: 2, unanswered_leg_timeout_s: 5, answered_leg_timeout_s: 10 }
"""
OUTPUT = 'publish: { zmq: ~, jsonl: { path: "-" } }\n'
# decode-fuzzer.c's SIP and HEP ports.
DECODE_CAPTURE = "capture: { sip_ports: [5060, 5080], hep_ports: [9060] }\n"


def pipeline_messages(data):
    """(delta_ms, src, dst, payload) as pipeline-fuzzer.c's run() reads them."""
    starts = [i for i in range(len(data)) if data[i:i + 1] == b"@" and
              (i == 0 or data[i - 1:i] == b"\n")]
    if not starts:
        return [(0, "t", "p", data)]
    out = []
    for n, i in enumerate(starts):
        eol = data.find(b"\n", i)
        eol = len(data) if eol < 0 else eol
        body = min(eol + 1, len(data))
        end = starts[n + 1] if n + 1 < len(starts) else len(data)
        head = data[i + 1:eol]
        if len(head) >= 1 and eol - i >= 2 and head[:1] == b"R":
            continue                        # a reload: not in a capture
        j, delta = 0, 0
        while j < len(head) and 48 <= head[j] <= 57:
            delta = delta * 10 + head[j] - 48
            if delta > DELTA_MS_DAY:
                delta = DELTA_MS_GAP
            j += 1
        if j < len(head) and head[j:j + 1] == b" ":
            j += 1
        src = chr(head[j]) if j < len(head) else "t"
        dst = chr(head[j + 1]) if j + 1 < len(head) else "p"
        out.append((delta, src, dst, data[body:end]))
    return out


def main(argv):
    if len(argv) != 5 or argv[1] not in ("decode", "sipmsg", "pipeline"):
        sys.stderr.write(__doc__)
        return 2
    target, data = argv[1], open(argv[2], "rb").read()
    config = CONFIG_A
    if target == "decode":
        config = DECODE_CAPTURE + CONFIG_A
        if not data:
            return 3
        with open(argv[3], "wb") as fh:
            PcapWriter(fh, LINKTYPES[data[0] % len(LINKTYPES)]).write(START_US, data[1:])
    elif target == "sipmsg":
        if len(data) > UDP_MAX:
            return 3
        with open(argv[3], "wb") as fh:
            PcapWriter(fh).udp(START_US, sippcap.TRUNK, sippcap.PBX, data)
    else:
        if data[:1] == b"!":
            config = CONFIG_B
        msgs = pipeline_messages(data)
        if any(len(m[3]) > UDP_MAX for m in msgs):
            return 3
        t = START_US
        with open(argv[3], "wb") as fh:
            w = PcapWriter(fh)
            for delta, src, dst, payload in msgs:
                t += delta * 1000
                w.udp(t, ENDPOINTS.get(src, ENDPOINTS["o"]), ENDPOINTS.get(dst, ENDPOINTS["o"]),
                      payload)
    with open(argv[4], "w") as fh:
        fh.write(config + OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
