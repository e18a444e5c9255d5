#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# zmtp-peer.py: a raw ZMTP 3.0 (NULL) SUB peer that misbehaves on purpose.
"""Usage: zmtp-peer.py MODE PORT [ARG] [--timeout S]

Modes, each on tcp://127.0.0.1:PORT, bounded by --timeout seconds:
  bomb SIZE  subscribe with one frame of SIZE bytes; print "closed" when the
             daemon drops the connection, "open" when it still holds it.
  stuck [N]  N connections (default 1), each subscribed to everything with
             a 4 KiB receive buffer, never read; print "subscribed" once
             all are, then sleep until killed.
  hold       complete the handshake, subscribe to "stats", print "open"
             or "closed" after ARG seconds (default 1). With --ready
             FILE, FILE is created once the subscription is sent.
  flood N SIZE
             send N distinct subscriptions of SIZE bytes each (the
             subscribe flag byte included), print the bytes sent before the
             daemon cut the connection and "closed", or the total and
             "open" when it still holds it one second later.
             With --hold S, it then prints "closed" or "open" again once
             the daemon cut it or S more seconds passed.
  heartbeat answer|mute
             complete the handshake, subscribe to everything, then read
             (and drop) what comes for --timeout seconds, answering each
             PING command with a PONG (answer) or never sending anything
             again (mute); print the PINGs seen and "closed" when the
             daemon dropped the connection, or "open". With --ready FILE,
             FILE is created once the subscription is sent.
  read       subscribe to everything with a 4 KiB receive buffer and print
             each message's last frame (the JSON object), one a line,
             until the daemon closes the connection or --timeout passes;
             answers PINGs. With --ready FILE, FILE is created once the
             subscription is sent.
  --source ADDR connects from ADDR (another loopback address).
Exit 0; 1 when a stuck peer's handshake fails (a connection refused or cut
in bomb and hold modes prints "closed").
"""
import socket
import struct
import sys
import time

SIGNATURE = b"\xff" + b"\x00" * 8 + b"\x7f"


def greeting():
    # Signature, version 3.0, mechanism NULL, as-server 0, filler.
    return SIGNATURE + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" + \
        b"\x00" * 31


def frame(body, command=False, more=False):
    flags = (0x04 if command else 0) | (0x01 if more else 0)
    if len(body) > 255:
        return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def ready():
    prop = b"\x0bSocket-Type" + struct.pack(">I", 3) + b"SUB"
    return frame(b"\x05READY" + prop, command=True)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def handshake(port, rcvbuf=None, timeout=10, source=None):
    # The daemon may still be starting: retry a refused connection.
    attempts = int(timeout * 10)
    for attempt in range(attempts):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if source is not None:
            s.bind((source, 0))
        s.settimeout(timeout)
        try:
            s.connect(("127.0.0.1", port))
            break
        except ConnectionRefusedError:
            s.close()
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)
    s.sendall(greeting())
    g = recv_exact(s, 64)
    if g[0] != 0xff or g[9] != 0x7f:
        raise ConnectionError("not a ZMTP greeting")
    s.sendall(ready())
    # The daemon's READY command.
    flags = recv_exact(s, 1)[0]
    size = struct.unpack(">Q", recv_exact(s, 8))[0] if flags & 0x02 else \
        recv_exact(s, 1)[0]
    recv_exact(s, size)
    return s


def closed_within(s, seconds):
    """True when the peer closes (or resets) within seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return True
        if not data:
            return True
    return False


def heartbeat(s, answer, seconds, out=None):
    """Read frames for seconds; PINGs answered or not. (pings, closed).
    With out, the last frame of each message is written to it, a line."""
    deadline = time.monotonic() + seconds
    buf, pings = b"", 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return pings, False
        s.settimeout(left)
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return pings, True
        if not data:
            return pings, True
        buf += data
        while len(buf) >= 2:
            flags = buf[0]
            head = 9 if flags & 0x02 else 2
            if len(buf) < head:
                break
            size = struct.unpack(">Q", buf[1:9])[0] if flags & 0x02 \
                else buf[1]
            if len(buf) < head + size:
                break
            body, buf = buf[head:head + size], buf[head + size:]
            # RFC 37 (ZMTP 3.1): PING is name, 2-byte TTL, context.
            if flags & 0x04 and body[:5] == b"\x04PING":
                pings += 1
                if answer:
                    s.sendall(frame(b"\x04PONG" + body[7:], command=True))
            elif out is not None and not flags & 0x05:
                out.write(body + b"\n")


def main():
    args = sys.argv[1:]
    timeout = 30.0
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    source, hold = None, 0.0
    if "--hold" in args:
        i = args.index("--hold")
        hold = float(args[i + 1])
        del args[i:i + 2]
    ready = None
    if "--ready" in args:
        i = args.index("--ready")
        ready = args[i + 1]
        del args[i:i + 2]
    if "--source" in args:
        i = args.index("--source")
        source = args[i + 1]
        del args[i:i + 2]
    mode, port = args[0], int(args[1])
    try:
        if mode == "bomb":
            s = handshake(port)
            size = int(args[2])
            try:
                s.sendall(frame(b"\x01" + b"A" * (size - 1)))
            except OSError:
                print("closed", flush=True)
                return 0
            print("closed" if closed_within(s, timeout) else "open",
                  flush=True)
        elif mode == "flood":
            s = handshake(port, timeout=timeout, source=source)
            count, size = int(args[2]), int(args[3])
            sent = 0
            deadline = time.monotonic() + timeout
            try:
                for i in range(count):
                    if time.monotonic() > deadline:
                        break
                    # Distinct from the first byte: a trie branch each.
                    body = (b"%08d" % i)[::-1]
                    body = b"\x01" + (body + b"A" * size)[:size - 1]
                    s.sendall(frame(body))
                    sent += len(body)
            except OSError:
                print(sent, "closed", flush=True)
                return 0
            cut = closed_within(s, 1.0)
            print(sent, "closed" if cut else "open", flush=True)
            if hold > 0:
                print("closed" if cut or closed_within(s, hold) else "open",
                      flush=True)
        elif mode == "stuck":
            peers = []
            for i in range(int(args[2]) if len(args) > 2 else 1):
                peers.append(handshake(port, rcvbuf=4096, timeout=timeout))
                peers[-1].sendall(frame(b"\x01"))
            print("subscribed", flush=True)
            time.sleep(timeout)
        elif mode == "heartbeat":
            s = handshake(port)
            s.sendall(frame(b"\x01"))
            if ready is not None:
                open(ready, "w").close()
            pings, closed = heartbeat(s, args[2] == "answer", timeout)
            print(pings, "closed" if closed else "open", flush=True)
        elif mode == "read":
            s = handshake(port, rcvbuf=4096, timeout=timeout)
            s.sendall(frame(b"\x01"))
            if ready is not None:
                open(ready, "w").close()
            heartbeat(s, True, timeout, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        elif mode == "hold":
            s = handshake(port)
            s.sendall(frame(b"\x01stats"))
            if ready is not None:
                open(ready, "w").close()
            wait = float(args[2]) if len(args) > 2 else 1.0
            print("closed" if closed_within(s, min(wait, timeout)) else
                  "open", flush=True)
        else:
            sys.exit(__doc__)
    except (OSError, ConnectionError) as e:
        if mode in ("bomb", "hold"):
            print("closed", flush=True)     # refused before the handshake
            return 0
        print("handshake failed: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
