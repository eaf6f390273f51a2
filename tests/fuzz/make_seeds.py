#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

    /usr/bin/python3 tests/fuzz/make_seeds.py

Seeds are small, hand-picked inputs that reach each parser's interesting
paths (valid and invalid); the fuzzers grow from them. Re-running rewrites
the seed-* files only; inputs the fuzzers added (if someone merged them)
stay.
"""
import base64
import hashlib
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = base64.b64encode(hashlib.sha1((KEY + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                       .encode()).digest()).decode()


def frame(op, payload=b"", fin=True, rsv=0, mask=False, length=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload) if length is None else length
    m = 0x80 if mask else 0
    if n < 126:
        head = bytes([b0, m | n])
    elif n < 65536:
        head = bytes([b0, m | 126]) + struct.pack("!H", n)
    else:
        head = bytes([b0, m | 127]) + struct.pack("!Q", n)
    return head + (b"\x01\x02\x03\x04" if mask else b"") + payload


def deflate(data):
    c = zlib.compressobj(wbits=-15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4] if out.endswith(b"\x00\x00\xff\xff") else out


KOSME = "κόσμε".encode()
FRAMES = {
    "text": frame(1, b"Hello"),
    "binary-126": frame(2, bytes(range(126))),
    "binary-65536": frame(2, b"\xab" * 65536),
    "fragmented": frame(1, b"Hel", fin=False) + frame(9, b"ping") + frame(0, b"lo"),
    "utf8-split": frame(1, KOSME[:3], fin=False) + frame(0, KOSME[3:]),
    "utf8-bad": frame(1, b"\xed\xa0\x80"),
    "overlong": frame(1, b"\xc0\xaf"),
    "ping-pong": frame(9, b"p") + frame(10, b"unsolicited") + frame(9),
    "close-1000": frame(8, struct.pack("!H", 1000) + b"bye"),
    "close-empty": frame(8),
    "close-1byte": frame(8, b"\x03"),
    "masked": frame(1, b"x", mask=True),
    "rsv": frame(1, b"x", rsv=2),
    "opcode-3": frame(3, b"x"),
    "ping-126": frame(9, b"x" * 126),
    "continuation-orphan": frame(0, b"x"),
    "len-msb": bytes([0x82, 127]) + b"\x80" + b"\0" * 7,
    "len-16mib": bytes([0x82, 127]) + struct.pack("!Q", 16 << 20) + b"abc",
    "data-after-close": frame(8, struct.pack("!H", 1000)) + frame(1, b"late"),
    "compressed": frame(1, deflate(b"Hello, compressed world"), rsv=4),
    "compressed-fragmented": frame(2, deflate(b"x" * 3000)[:5], fin=False, rsv=4)
    + frame(0, deflate(b"x" * 3000)[5:]),
    "compressed-bomb": frame(2, deflate(b"\0" * 200000), rsv=4),
    "compressed-garbage": frame(1, b"\xff\xff\xff\xff", rsv=4),
}

RESPONSE = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {ACCEPT}\r\n")


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def main():
    for name, url in {
        "plain": "ws://example.com/chat?x=1\nchat\nsuperchat",
        "https": "https://user@EXAMPLE.com:443/a/../b/%7e?q#",
        "ipv6": "wss://[::ffff:127.0.0.1]:9001/",
        "ipv4-hex": "ws://0x7f.1/",
        "idna": "ws://xn--nxasmq6b.example/\xce\xba",
        "unicode": "ws://κόσμε.example/π?π".encode().decode("latin-1"),
        "bad-protocols": "ws://h/\n\nchat\nchat\na b\n(x)",
        "relative": "/relative",
        "fragment": "ws://h/#frag",
        "ftp": "ftp://h/",
        "port": "ws://h:65536/",
        "backslash": "ws:\\\\h\\path",
    }.items():
        write("url", name, url.encode("latin-1"))
    for name, text in {
        "ascii": b"\x00hello", "kosme": b"\x03" + KOSME, "boundaries":
        b"\x05" + "\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\U00010000\U0010ffff".encode("utf-8"),
        "surrogate": b"\x07\xed\xa0\x80", "overlong": b"\x09\xe0\x80\xaf\xf0\x80\x80\xaf",
        "too-big": b"\x0b\xf4\x90\x80\x80", "truncated": b"\x0d\xe2\x82", "ff": b"\x0f\xff",
        "lone-continuation": b"\x11\x80\xbf",
    }.items():
        write("utf8", name, text)
    for name, payload in {
        "empty": b"", "one": b"\x03", "1000": struct.pack("!H", 1000) + b"bye",
        "4999": struct.pack("!H", 4999), "1005": struct.pack("!H", 1005),
        "1015": struct.pack("!H", 1015), "bad-utf8": struct.pack("!H", 1000) + b"\xff",
        "utf8": struct.pack("!H", 3000) + "κόσμε ☃".encode(), "long": struct.pack("!H", 1000) + b"r" * 123,
    }.items():
        write("close_frame", name, payload)
    for name, data in FRAMES.items():
        flags = 0x19 if name.startswith("compressed") else 0x18 | 0x06
        if name == "binary-65536":
            flags = 0x1C
        write("frame", name, bytes([flags]) + data)
    for name, (flags, resp) in {
        "ok": (0, RESPONSE + "\r\n"),
        "ok-with-frame": (0, RESPONSE + "\r\n\x81\x02hi"),
        "protocol": (3, RESPONSE + "Sec-WebSocket-Protocol: superchat\r\n\r\n"),
        "protocol-unrequested": (0, RESPONSE + "Sec-WebSocket-Protocol: chat\r\n\r\n"),
        "two-protocols": (3, RESPONSE + "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n"),
        "deflate": (4, RESPONSE + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
        "deflate-params": (4 | 8 | 16 | 32, RESPONSE + "Sec-WebSocket-Extensions: permessage-deflate; "
                           "client_max_window_bits=9; server_max_window_bits=9; "
                           "server_no_context_takeover; client_no_context_takeover\r\n\r\n"),
        "deflate-unoffered": (0, RESPONSE + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
        "lf-only": (0, RESPONSE.replace("\r\n", "\n") + "\n"),
        "status-200": (0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        "redirect": (0, "HTTP/1.1 301 Moved\r\nLocation: ws://h/\r\n\r\n"),
        "short": (0, "HTTP/1.1 1\r\n\r\n"),
        "bad-accept": (0, RESPONSE.replace(ACCEPT, "x") + "\r\n"),
        "folded": (0, RESPONSE + " folded\r\n\r\n"),
    }.items():
        write("handshake", name, bytes([flags]) + resp.encode())
    for name, (flags, answer, rest) in {
        "plain": (0, b"permessage-deflate", b"Hello\0world\0" + b"a" * 100),
        "params": (0x47, b"permessage-deflate; client_max_window_bits=9; server_max_window_bits=8",
                   b"xyz" * 50),
        "quoted": (0x03, b'permessage-deflate; client_max_window_bits="10"', deflate(b"hello")),
        "unknown-param": (0, b"permessage-deflate; foo", b""),
        "two": (0, b"permessage-deflate, permessage-deflate", b""),
        "raw-bomb": (0xff, b"", deflate(b"\0" * 100000)),
        "raw-garbage": (0, b"", b"\x07\xff\x00\x13"),
    }.items():
        write("deflate", name, bytes([flags]) + answer + b"\n" + rest)
    for name, (url, answer) in {
        "ok": ("http://proxy:3128", b"HTTP/1.1 200 Connection established\r\n\r\n\x81\x02hi"),
        "auth": ("http://user:p%40ss@[::1]:8080/", b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"),
        "tiny": ("socks5://x", b"H\r\n\r\n"),
        "http10": ("http://p:1", b"HTTP/1.0 200 OK\r\nVia: x\r\n\r\n"),
        "bad-port": ("http://p:99999", b"HTTP/1.1 502 Bad Gateway\r\n\r\n"),
    }.items():
        write("proxy", name, url.encode() + b"\n\x05" + answer)
    for name, fields in {
        "ok": ["Authorization", "Bearer x", "agent/1", "http://p:3128", "ws://h/", "chat"],
        "reserved": ["Sec-WebSocket-Key", "x", "", "", "wss://h:1/", "a", "a"],
        "crlf": ["X-A", "a\rb", "ua\r\nX: y", "http://u:p@h", "http://h/#", "chat"],
        "bad-name": ["X A", "v", "", "ftp://x", "ws://[::1/", ""],
        "nul": ["X-N\0x", "v\0w", "", "", "ws://h/", "\x80"],
    }.items():
        write("options", name, "\n".join(fields).encode("latin-1"))
    for name, data in FRAMES.items():
        flags = 0x0D if name.startswith("compressed") else 0x0C
        if name == "binary-65536":
            continue
        write("stream", name, bytes([flags]) + data)
    write("stream", "handshake-raw", bytes([0x10]) + b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\r\n")
    write("stream", "close-on-message", bytes([0x24]) + frame(1, b"a") + frame(1, b"b"))
    write("stream", "limit", bytes([0x06]) + frame(2, b"x" * 2000))


if __name__ == "__main__":
    main()
