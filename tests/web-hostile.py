#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# web-hostile.py: the HTTP attacks of tests/web-hostile.sh, on real sockets.
"""Usage: web-hostile.py MODE PORT ...

  http PORT MAX_CLIENTS  slowloris, exhaustion by event streams, oversized
                         and odd requests; prints "name value" lines
  metric PORT NAME       the value of an unlabelled sample of /metrics
  get PORT PATH          the body of PATH (HTTP/1.0)
Every socket has a timeout; every loop is bounded.
"""
import socket
import sys
import time

HOST = "127.0.0.1"


def connect(port):
    s = socket.create_connection((HOST, port), timeout=5)
    s.settimeout(5)
    return s


def request(port, raw, limit=1 << 20):
    """Send raw, read the answer to EOF (at most limit bytes)."""
    s = connect(port)
    try:
        s.sendall(raw)
        data = b""
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data
    except OSError as e:
        return ("error: %s" % e).encode()
    finally:
        s.close()


def status(data):
    parts = data.split(b" ", 2)
    if len(parts) < 2 or not data.startswith(b"HTTP/1."):
        return "none"
    return parts[1].decode()


def get(port, path):
    return request(port, b"GET " + path.encode() + b" HTTP/1.0\r\n\r\n")


def body(data):
    return data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""


def metric(port, name):
    for line in body(get(port, "/metrics")).decode().splitlines():
        if line.startswith(name + " "):
            return line.split()[1]
    return "absent"


def closed_by_server(s, deadline):
    """Wait until the server closes s (EOF or reset), or the deadline."""
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, min(1.0, deadline - time.monotonic())))
        try:
            if s.recv(4096) == b"":
                return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False


def sse_open(port, extra=b""):
    s = connect(port)
    s.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n")
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 4096:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    return s, head


def http(port, max_clients):
    out = []
    # 1. Slowloris: as many connections as allowed, each with a request
    # line and half a header, then nothing. A legitimate scrape is still
    # answered: the one that waited longest for its request makes room.
    slow = []
    for _ in range(max_clients):
        s = connect(port)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(s)
    time.sleep(0.3)     # all accepted before the scrape connects
    out.append(("slowloris_scrape", status(get(port, "/metrics"))))
    # Every one of them is shut down (within 10 s: waited for at most 30).
    deadline = time.monotonic() + 30
    out.append(("slowloris_closed",
                sum(closed_by_server(s, deadline) for s in slow)))
    for s in slow:
        s.close()

    # 2. Oversized and odd requests: a clear status each.
    out.append(("huge_header", status(request(
        port, b"GET /metrics HTTP/1.0\r\nX-A: " + b"a" * 100000 +
        b"\r\n\r\n"))))
    out.append(("huge_url", status(request(
        port, b"GET /metrics?" + b"a" * 100000 + b" HTTP/1.0\r\n\r\n"))))
    out.append(("topics_17", status(get(
        port, "/events?topic=" + ",".join("t%d" % i for i in range(17))))))
    out.append(("post", status(request(
        port, b"POST /metrics HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello"))))
    out.append(("options", status(request(
        port, b"OPTIONS * HTTP/1.0\r\n\r\n"))))
    out.append(("traversal", status(request(
        port, b"GET /../../etc/passwd HTTP/1.0\r\n\r\n"))))
    for i, lei in enumerate((b"x:-1", b"east:99999999999999999999999",
                             b"\x01" * 2000 + b":1", b"::::")):
        s, head = sse_open(port, b"Last-Event-ID: " + lei + b"\r\n")
        got = head
        s.settimeout(2)
        try:
            while b"events were lost" not in got and len(got) < 8192:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except OSError:
            pass
        s.close()
        out.append(("last_event_id_%d" % i, "%s %s" % (
            status(head), "lost" if b"events were lost" in got else "-")))

    # A closed stream is noticed at its next keep-alive (keepalive_s 1).
    for _ in range(100):
        if metric(port, "ccmetrics_web_sse_clients") == "0":
            break
        time.sleep(0.1)
    # 3. Event streams take all but 1/8 of the connections; past that a
    # clear 503 with Retry-After, and /metrics and the page still answer.
    share = max_clients - max(1, max_clients // 8)
    streams = []
    for _ in range(share):
        s, head = sse_open(port)
        streams.append((s, status(head)))
    out.append(("streams_ok", sum(st == "200" for _, st in streams)))
    s, head = sse_open(port)
    s.close()
    out.append(("stream_past_share", status(head)))
    out.append(("stream_retry_after", "yes" if b"\r\nRetry-After: 5\r\n" in
                head else "no"))
    out.append(("page_with_streams", status(get(port, "/"))))
    out.append(("scrape_with_streams", status(get(port, "/metrics"))))
    for s, _ in streams:
        s.close()
    for name, value in out:
        print(name, value)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "http":
        http(port, int(sys.argv[3]))
    elif mode == "metric":
        print(metric(port, sys.argv[3]))
    elif mode == "get":
        sys.stdout.write(body(get(port, sys.argv[3])).decode())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
