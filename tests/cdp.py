# SPDX-License-Identifier: BSD-2-Clause
# cdp.py: a headless Chromium driven over the DevTools protocol (stdlib only).
"""Start chromium --headless with a DevTools port, open one page, evaluate
JavaScript in it and capture screenshots. The WebSocket client is the small
subset of RFC 6455 the DevTools endpoint needs: a client handshake, masked
text frames out, text/continuation/ping/close frames in."""

import base64
import json
import os
import select
import socket
import struct
import subprocess
import time
import urllib.request


class CdpError(Exception):
    pass


class WebSocket:
    def __init__(self, url, timeout=30):
        assert url.startswith("ws://"), url
        hostport, _, path = url[5:].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key))
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise CdpError("websocket handshake: connection closed")
            head += chunk
        head, _, self.buf = head.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise CdpError("websocket handshake: %r" % head[:200])

    def send(self, text):
        data = text.encode()
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(hdr + mask + body)

    def _read(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("websocket: timed out")
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise CdpError("websocket: connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self, timeout=30):
        deadline = time.monotonic() + timeout
        parts = []
        while True:
            b0, b1 = self._read(2, deadline)
            op, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2, deadline))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8, deadline))[0]
            mask = self._read(4, deadline) if b1 & 0x80 else None
            data = self._read(n, deadline)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if op == 0x8:
                raise CdpError("websocket: closed by the browser")
            if op == 0x9:                       # ping: answer, go on
                self.sock.sendall(struct.pack("!BB", 0x8A, 0x80 | len(data))
                                  + b"\0\0\0\0" + data)
                continue
            if op in (0x1, 0x0):
                parts.append(data)
                if b0 & 0x80:
                    return b"".join(parts).decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Browser:
    """One headless Chromium and one page of it."""

    def __init__(self, chromium, profile, width=1920, height=1080, log=None):
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions",
                "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + profile,
                "--window-size=%d,%d" % (width, height),
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=log or subprocess.DEVNULL,
                                     stderr=log or subprocess.DEVNULL)
        self.width, self.height = width, height
        self.ws = None
        self.next_id = 0
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise CdpError("chromium exited with %d" % self.proc.returncode)
            try:
                with open(port_file) as fh:
                    port = int(fh.readline().strip())
                break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise CdpError("chromium: no DevTools port within 60 s")
            time.sleep(0.1)
        self.base = "http://127.0.0.1:%d" % port
        targets = self._json("/json/list")
        pages = [t for t in targets if t.get("type") == "page"]
        if not pages:
            raise CdpError("chromium: no page target")
        self.ws = WebSocket(pages[0]["webSocketDebuggerUrl"])
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width,
                  height=height, deviceScaleFactor=1, mobile=False)

    def _json(self, path):
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return json.loads(r.read().decode())

    def call(self, method, timeout=30, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method,
                                 "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(max(0.1, deadline -
                                              time.monotonic())))
            if msg.get("id") == mid:
                if "error" in msg:
                    raise CdpError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            # Events (Page.*, Runtime.*) are not needed: dropped.

    def navigate(self, url):
        self.call("Page.navigate", url=url)

    def eval(self, expr):
        """The value of a JavaScript expression (JSON-serialisable)."""
        r = self.call("Runtime.evaluate", expression=expr,
                      returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise CdpError("evaluate: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", format="png",
                      captureBeyondViewport=False)
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(r["data"]))

    def close(self):
        if self.ws is not None:
            try:
                self.call("Browser.close", timeout=5)
            except (CdpError, OSError):
                pass
            self.ws.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
