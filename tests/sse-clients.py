#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# sse-clients.py: the Server-Sent Events clients of tests/web-sse.sh, in one process.
"""Clients of ccmetrics-web's /events, driven by one selector loop:

- watcher: every event, read as fast as they come;
- reconnector: every event; it disconnects after --drop-after events and
  reconnects with Last-Event-ID once the watcher has --gap more;
- idle: --idle clients of --idle-topic only (few events, mostly silence);
- slow: asks for every event with a tiny receive buffer and never reads
  (--slow 0: none, for a control run).

The watcher's arrival time of each event (time.monotonic(), the system's
CLOCK_MONOTONIC) goes to the results too: a run beside the idle and slow
clients is compared with a control run without them.

It writes --ready once every client has its response headers, then runs
until the file --done names appears (the ids every event should have, one
a line, then the ids of the --idle-topic events after a line "--") and
every reading client has them all, or 120 s pass. Results go to --out as
JSON: ids per client, and whether the server closed the slow one.
"""
import argparse
import errno
import json
import os
import selectors
import socket
import sys
import time


class Client:
    def __init__(self, name, port, path, last_id=None, rcvbuf=None):
        self.name = name
        self.ids = []
        self.topics = []
        self.times = []
        self.buf = b""
        self.headers_done = False
        self.closed = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect(("127.0.0.1", port))
        req = "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n" % path
        if last_id is not None:
            req += "Last-Event-ID: %s\r\n" % last_id
        self.sock.sendall((req + "\r\n").encode())
        self.sock.setblocking(False)

    def feed(self, data):
        self.buf += data
        if not self.headers_done:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode()
            if not head.startswith("HTTP/1.") or " 200 " not in head.split("\r\n")[0]:
                sys.exit("%s: %s" % (self.name, head.split("\r\n")[0]))
            if "text/event-stream" not in head:
                sys.exit("%s: not an event stream: %s" % (self.name, head))
            self.headers_done = True
            self.buf = self.buf[end + 4:]
        while True:
            end = self.buf.find(b"\n\n")
            if end < 0:
                return
            block, self.buf = self.buf[:end].decode(), self.buf[end + 2:]
            eid = None
            data = None
            for line in block.split("\n"):
                if line.startswith("id: "):
                    eid = line[4:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
            if data is not None:
                if eid is None:
                    sys.exit("%s: event without id" % self.name)
                self.ids.append(eid)
                self.topics.append(data["topic"])
                self.times.append(time.monotonic())

    def close(self, sel):
        if not self.closed:
            sel.unregister(self.sock)
            self.sock.close()
            self.closed = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--done", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--idle", type=int, default=200)
    ap.add_argument("--idle-topic", default="interval.queue.")
    ap.add_argument("--drop-after", type=int, default=50)
    ap.add_argument("--gap", type=int, default=300)
    ap.add_argument("--slow", type=int, default=1)
    a = ap.parse_args()

    sel = selectors.DefaultSelector()
    watcher = Client("watcher", a.port, "/events")
    first = Client("reconnector", a.port, "/events")
    idle = [Client("idle%d" % i, a.port, "/events?topic=" + a.idle_topic)
            for i in range(a.idle)]
    slow = (Client("slow", a.port, "/events", rcvbuf=2048) if a.slow
            else None)
    for c in [watcher, first] + idle:
        sel.register(c.sock, selectors.EVENT_READ, c)
    second = None
    drop_at = None
    expected = expected_idle = None
    deadline = time.monotonic() + 600
    ready_written = False

    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            c = key.data
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                sys.exit("%s: the server closed the stream" % c.name)
            c.feed(data)
        if not ready_written and all(c.headers_done for c in
                                     [watcher, first] + idle):
            with open(a.ready, "w") as f:
                f.write("ready\n")
            ready_written = True
        if drop_at is None and len(first.ids) >= a.drop_after:
            # One read may hold more events: those past drop_after are
            # ones it never handled (what it asks for again).
            del first.ids[a.drop_after:]
            del first.topics[a.drop_after:]
            first.close(sel)
            drop_at = len(watcher.ids)
        if expected is None and os.path.exists(a.done):
            lines = open(a.done).read().split("\n")
            sep = lines.index("--")
            expected = lines[:sep]
            expected_idle = [x for x in lines[sep + 1:] if x]
            deadline = time.monotonic() + 120
        if (second is None and drop_at is not None and
                (len(watcher.ids) >= drop_at + a.gap or expected is not None)):
            second = Client("reconnected", a.port, "/events",
                            last_id=first.ids[-1])
            sel.register(second.sock, selectors.EVENT_READ, second)
        if (expected is not None and second is not None and
                len(watcher.ids) >= len(expected) and
                len(first.ids) + len(second.ids) >= len(expected) and
                all(len(c.ids) >= len(expected_idle) for c in idle)):
            break

    # The slow client: the server shut its socket; reading drains the
    # little that was in flight, then sees the end (or a reset).
    slow_closed = None
    if slow is not None:
        slow.sock.setblocking(True)
        slow.sock.settimeout(10)
        slow_closed = False
        try:
            while True:
                data = slow.sock.recv(65536)
                if not data:
                    slow_closed = True
                    break
        except ConnectionResetError:
            slow_closed = True
        except socket.timeout:
            slow_closed = False

    res = {
        "watcher": watcher.ids,
        "watcher_times": watcher.times,
        "before": first.ids,
        "after": second.ids if second is not None else [],
        "dropped_when_watcher_had": drop_at,
        "idle_ok": sum(1 for c in idle if c.ids == expected_idle),
        "idle": len(idle),
        "slow_closed": slow_closed,
    }
    with open(a.out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
