#!/usr/bin/python3
"""A WebSocket server that counts what it receives and checks the order.

    /usr/bin/python3 tests/soak/counting_server.py --port 0

For the fault-injection tests (tests/unit/test_faults.c) and the soak
(tests/soak/soak.sh): "no message accepted by send() is lost silently" needs
a peer that says exactly which messages arrived. Written on raw sockets
(no WebSocket library), one thread per connection, so it can be stopped
(SIGSTOP) and killed (SIGKILL) like any real peer.

Every message's payload starts with its sequence number in ASCII decimal
(optionally followed by ':' and any padding): 0, 1, 2, ... per connection.

The request path picks the behaviour, with `?id=NAME` naming the connection
in the report and `&each` asking for one line per message:
  /count      read and count; answer pings; answer the close frame and close
  /slow       as /count, but read only 16 KiB every 10 ms (a slow reader)
  /reset?after=N   after N messages, reset the connection (SO_LINGER 0)
  /flood?n=N  as /count, and also send N text messages "<seq>" to the client

Output (stdout, line-buffered), first `PORT <n>`, then:
  MSG id=<id> seq=<n>            (with &each) a message arrived
  END id=<id> messages=<n> bytes=<b> in_order=<0|1> end=<close|eof|reset> code=<c>
     once per connection: messages counted, payload bytes, whether the
     sequence was exactly 0..n-1, how it ended (the client's close frame,
     EOF without one, or our reset), the client's close code (0: none).
"""
import argparse
import base64
import hashlib
import os
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_out = threading.Lock()


def say(line):
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def unmask(payload, key):
    n = len(payload)
    if n == 0:
        return b""
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(k, "little")).to_bytes(n, "little")


def frame(opcode, payload=b""):
    n = len(payload)
    if n < 126:
        return struct.pack("!BB", 0x80 | opcode, n) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x80 | opcode, 126, n) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, n) + payload


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.id = "-"
        self.each = False
        self.messages = 0
        self.bytes = 0
        self.in_order = True
        self.end = "eof"
        self.code = 0
        self.read_size = 1 << 20
        self.read_pause = 0.0
        self.reset_after = None
        self.frag = None

    def recv_more(self):
        if self.read_pause:
            time.sleep(self.read_pause)
        data = self.sock.recv(self.read_size)
        if not data:
            raise EOFError
        self.buf += data

    def handshake(self):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536:
                raise EOFError
            self.recv_more()
        end = self.buf.index(b"\r\n\r\n")
        head = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[:end + 4]
        lines = head.split("\r\n")
        target = lines[0].split(" ")[1]
        key = ""
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                key = value.strip()
        accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        self.sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
                           "\r\n\r\n").encode())
        url = urllib.parse.urlsplit(target)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self.id = q.get("id", ["-"])[0]
        self.each = "each" in q
        return url.path, q

    def message(self, payload):
        head = bytes(payload[:24]).split(b":", 1)[0]
        try:
            seq = int(head)
        except ValueError:
            seq = -1
        if seq != self.messages:
            self.in_order = False
        self.messages += 1
        self.bytes += len(payload)
        if self.each:
            say(f"MSG id={self.id} seq={seq}")

    def serve(self):
        """Reads frames until close or EOF. Returns normally at the end."""
        buf = self.buf
        while True:
            # Parse every complete frame in the buffer.
            pos = 0
            n_buf = len(buf)
            while n_buf - pos >= 2:
                b0, b1 = buf[pos], buf[pos + 1]
                n = b1 & 0x7F
                h = pos + 2
                if n == 126:
                    if n_buf - pos < 4:
                        break
                    n = (buf[pos + 2] << 8) | buf[pos + 3]
                    h = pos + 4
                elif n == 127:
                    if n_buf - pos < 10:
                        break
                    n = struct.unpack_from("!Q", buf, pos + 2)[0]
                    h = pos + 10
                masked = b1 & 0x80
                if masked:
                    h += 4
                if n_buf < h + n:
                    break
                payload = bytes(buf[h:h + n])
                if masked:
                    payload = unmask(payload, bytes(buf[h - 4:h]))
                pos = h + n
                op, fin = b0 & 0x0F, b0 & 0x80
                if op == 0x8:
                    self.end = "close"
                    self.code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 0
                    self.sock.sendall(frame(0x8, payload[:2]))
                    del buf[:pos]
                    return
                if op == 0x9:
                    self.sock.sendall(frame(0xA, payload))
                elif op in (0x1, 0x2):
                    if fin:
                        self.message(payload)
                    else:
                        self.frag = bytearray(payload)
                elif op == 0x0 and self.frag is not None:
                    self.frag += payload
                    if fin:
                        self.message(self.frag)
                        self.frag = None
                if self.reset_after is not None and self.messages >= self.reset_after:
                    self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                         struct.pack("ii", 1, 0))
                    self.end = "reset"
                    return
            if pos:
                del buf[:pos]
            self.recv_more()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        c = Conn(self.request)
        try:
            path, q = c.handshake()
            if path == "/slow":
                c.read_size, c.read_pause = 16384, 0.01
            elif path == "/reset":
                c.reset_after = int(q.get("after", ["1"])[0])
            elif path == "/flood":
                n = int(q.get("n", ["1000"])[0])
                threading.Thread(target=self.flood, args=(n,), daemon=True).start()
            c.serve()
        except (EOFError, OSError):
            pass
        say(f"END id={c.id} messages={c.messages} bytes={c.bytes} in_order={int(c.in_order)} "
            f"end={c.end} code={c.code}")
        try:
            if c.end == "close":
                self.request.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def flood(self, n):
        try:
            for i in range(n):
                self.request.sendall(frame(0x1, str(i).encode()))
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    say(f"PORT {server.server_address[1]}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
