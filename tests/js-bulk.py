#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# js-bulk.py: JetStream in bulk for the recorder's tests and benchmark: a JSON-lines file published, a consumer's state (standard library only).
"""Usage: js-bulk.py URL publish FILE [--prefix P] [--site S] [--sites N] [--id-prefix X]
       js-bulk.py URL consumer-info STREAM NAME

(tests/nats-tool adds streams and counts their messages.) publish sends every line of a JSON-lines FILE (the daemon's sink:
{"topic": ..., ...}) to "<prefix>.<site>.<topic>", the object without its
"topic" as payload, a Nats-Msg-Id header per message, and waits for every
JetStream acknowledgement (exit 1 if one is an error). The site is the
object's own, else --site; with --sites N each line goes out N times, for
sites <site>0..<site>N-1, its "site" field rewritten (a benchmark backlog).
consumer-info prints the server's JSON answer.
"""

import json
import socket
import sys
import urllib.parse

ACK_WINDOW = 2000


class Nats:
    """One connection, requests by a private inbox."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname or "127.0.0.1", u.port or 4222),
                                             timeout=30)
        self.buf = b""
        self.sid = 1
        self.inbox = "_INBOX.jsbulk%d" % id(self)
        line = self.readline()
        if not line.startswith(b"INFO "):
            raise SystemExit("not a NATS server: %r" % line[:80])
        self.send(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,'
                  b'"no_responders":true,"protocol":1,"name":"js-bulk"}\r\n'
                  b"SUB " + self.inbox.encode() + b".* 1\r\nPING\r\n")
        self.expect_pong()
        self.next = 0

    def send(self, data):
        """Write all of data."""
        self.sock.sendall(data)

    def readline(self):
        """One protocol line, without CRLF."""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def readn(self, n):
        """n bytes of payload and its CRLF."""
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def expect_pong(self):
        """Read until PONG, answering PINGs."""
        while True:
            line = self.readline()
            if line == b"PONG":
                return
            if line == b"PING":
                self.send(b"PONG\r\n")
            elif line.startswith(b"-ERR"):
                raise SystemExit(line.decode())

    def message(self):
        """The next MSG or HMSG: (subject, headers, payload)."""
        while True:
            line = self.readline()
            if line == b"PING":
                self.send(b"PONG\r\n")
                continue
            if line.startswith(b"-ERR"):
                raise SystemExit(line.decode())
            parts = line.split()
            if parts[0] == b"MSG":
                return parts[1], b"", self.readn(int(parts[-1]))
            if parts[0] == b"HMSG":
                data = self.readn(int(parts[-1]))
                hlen = int(parts[-2])
                return parts[1], data[:hlen], data[hlen:]

    def request(self, subject, payload):
        """Publish with a reply inbox; the answer's payload (JSON)."""
        reply = "%s.%d" % (self.inbox, self.next)
        self.next += 1
        body = json.dumps(payload).encode() if payload is not None else b""
        self.send(b"PUB %s %s %d\r\n%s\r\n" % (subject.encode(), reply.encode(),
                                             len(body), body))
        _, headers, data = self.message()
        if b"503" in headers:
            raise SystemExit("no responders for %s (JetStream enabled?)" % subject)
        return json.loads(data)


def publish(nc, path, prefix, site, sites, id_prefix):
    """Send a JSON-lines file; wait for every JetStream ack."""
    sent = acked = 0
    errors = []
    reply = nc.inbox + ".ack"
    with open(path) as fh:
        lines = [line for line in fh if line.strip()]
    for copy in range(sites if sites else 1):
        for number, line in enumerate(lines, 1):
            obj = json.loads(line)
            topic = obj.pop("topic")
            s = obj.get("site") or site
            if sites:
                s = "%s%d" % (site, copy)
                obj["site"] = s
            payload = json.dumps(obj, separators=(",", ":")).encode()
            header = ("NATS/1.0\r\nNats-Msg-Id: %s-%s-%d\r\n\r\n"
                      % (id_prefix, s, number)).encode()
            subject = "%s.%s.%s" % (prefix, s, topic)
            nc.send(b"HPUB %s %s %d %d\r\n%s%s\r\n" % (
                subject.encode(), reply.encode(), len(header),
                len(header) + len(payload), header, payload))
            sent += 1
            while sent - acked >= ACK_WINDOW:
                acked += read_ack(nc, errors)
    while acked < sent:
        acked += read_ack(nc, errors)
    if errors:
        print("%d publish errors, first: %s" % (len(errors), errors[0]), file=sys.stderr)
        return 1
    print("published %d" % sent)
    return 0


def read_ack(nc, errors):
    """One JetStream publish acknowledgement."""
    _, headers, data = nc.message()
    if b"503" in headers:
        errors.append("no stream for the subject")
    else:
        ack = json.loads(data)
        if "error" in ack:
            errors.append(ack["error"])
    return 1


def main(argv):
    """Dispatch."""
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    nc = Nats(argv[0])
    cmd, args = argv[1], argv[2:]
    if cmd == "publish":
        opts = {"--prefix": "ccmetrics", "--site": "site", "--sites": "0",
                "--id-prefix": "tool"}
        rest = args[1:]
        while rest:
            opts[rest[0]] = rest[1]
            rest = rest[2:]
        return publish(nc, args[0], opts["--prefix"], opts["--site"], int(opts["--sites"]),
                       opts["--id-prefix"])
    if cmd == "consumer-info":
        print(json.dumps(nc.request("$JS.API.CONSUMER.INFO.%s.%s" % (args[0], args[1]),
                                    None)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
