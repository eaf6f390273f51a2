#!/usr/bin/python3
"""Raw-socket WebSocket server (no WebSocket library) that misbehaves on purpose.

    /usr/bin/python3 tests/peers/raw_server.py --port 0 [--list]

It performs the opening handshake itself (Sec-WebSocket-Accept from hashlib and
base64), then plays the script of the case named by the request path
(`ws://127.0.0.1:PORT/<case>`), then records what the client did on the wire.

Output on stdout: first exactly one line `PORT <n>`, then one JSON line per
finished connection, for example

    {"event": "conn", "case": "close-1byte", "client_close_code": 1002,
     "client_close_frame": true, "closed_by": "server", "client_masked": true,
     "received": [], "pongs": [], "request_problems": [], ...}

Fields:
  case                 the case name (the request path without "/"), or "unknown"
  request_problems     what is wrong with the client's opening handshake request
  client_frames        number of frames the client sent after our response
  client_masked        false if any client frame was unmasked
  client_close_frame   true if the client sent a close frame
  client_close_code    code in that frame (null: none, or empty close frame)
  client_close_reason  its reason (text, replacement characters if bad UTF-8)
  closed_by            "client": the client closed TCP; "server": we closed
                       TCP after the closing handshake; "timeout": the client
                       did nothing within the wait, we dropped it
  failed_fast          (fail-fast cases) the client failed before the final
                       fragment was sent
  received             messages the client sent: {"type","size","sha256","text"}
  pongs                payloads of the pongs the client sent (hex)
  client_errors        protocol errors in the client's own frames
  tcp_error            (only when it happened) the error that ended reading,
                       e.g. ConnectionResetError: the client reset the
                       connection, and Linux then drops data not yet read

The case table CASES (name -> Case) also carries the expected client behaviour
from docs/contract.md, which tests/conformance/run.py imports to grade the client.
`--list` prints the case names and descriptions as JSON lines and exits.
"""
import argparse
import base64
import functools
import hashlib
import json
import os
import socket
import socketserver
import stat
import struct
import sys
import threading
import time
import zlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
IO_TIMEOUT = 30.0          # longest single send/recv
HANDSHAKE_TIMEOUT = 10.0   # time allowed for the client's request
FINISH_TIMEOUT = 6.0       # time given to the client to close after the script
ECHO_TIMEOUT = 15.0        # time given to the client to echo / pong
FAIL_FAST_WAIT = 2.0       # time given to fail fast before the final fragment
MAX_REQUEST = 16384
MAX_CLIENT_FRAME = 64 * 1024 * 1024 + 1024

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10

_print_lock = threading.Lock()


def emit(obj):
    with _print_lock:
        sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
        sys.stdout.flush()


# ---------------------------------------------------------------------------
# Frames


def xor_mask(payload, key):
    if not payload:
        return b""
    n = len(payload)
    rep = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(rep, "big")).to_bytes(n, "big")


def build_frame(opcode, payload=b"", fin=True, rsv=0, mask=False, ext_len=None):
    b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0x0F)
    n = len(payload)
    mbit = 0x80 if mask else 0
    if ext_len == 126:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    elif ext_len == 127:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    elif n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if mask:
        key = os.urandom(4)
        return head + key + xor_mask(payload, key)
    return head + payload


def close_payload(code, reason=b""):
    if isinstance(reason, str):
        reason = reason.encode()
    return struct.pack("!H", code) + reason


# ---------------------------------------------------------------------------
# Cases: steps the server plays, and what the client must do (docs/contract.md)


class F:
    """One frame to send: F(opcode, payload, fin=True, rsv=0, mask=False)."""

    def __init__(self, opcode, payload=b"", fin=True, rsv=0, mask=False, ext_len=None):
        self.opcode, self.payload, self.fin, self.rsv, self.mask = opcode, payload, fin, rsv, mask
        self.ext_len = ext_len   # force the 16-bit (126) or 64-bit (127) length form


class RawBytes:
    """Bytes sent as they are (for example half a frame)."""

    def __init__(self, data):
        self.data = data


class AwaitFailFast:
    """Wait up to `seconds` for the client to fail; if it does, stop the script."""

    def __init__(self, seconds):
        self.seconds = seconds


class Case:
    """A conformance case.

    kind, the expected client behaviour:
      "fail"            protocol violation: client close frame `code`; events
                        open, error, close 1006 wasClean false; exit 1.
      "handshake_fail"  events error, close 1006 wasClean false; no open; no
                        frame from the client; exit 1.
      "close"           the server closes with `code`/`reason`: events open,
                        close(code, reason, wasClean true); the client's close
                        frame echoes `client_code` (None: empty close frame).
      "ok"              the client echoes `messages` (list of (type, bytes)) and
                        answers with `pongs`; then the server closes 1000
                        "done": events open(protocol), message..., close 1000.
    """

    def __init__(self, name, group, desc, kind, steps=(), code=None, reason="",
                 client_code=None, messages=(), pongs=(), args=(), hs="ok",
                 protocol="", fail_fast=False, extensions=None):
        self.name, self.group, self.desc, self.kind = name, group, desc, kind
        self.steps = list(steps)
        self.code, self.reason, self.client_code = code, reason, client_code
        self.messages = list(messages)
        self.pongs = list(pongs)
        self.args = list(args)
        self.hs = hs
        self.protocol = protocol
        self.fail_fast = fail_fast
        self.extensions = extensions   # expected open extensions (None: not checked)


def text(s, **kw):
    return F(OP_TEXT, s.encode() if isinstance(s, str) else s, **kw)


def binary(b, **kw):
    return F(OP_BINARY, b, **kw)


def cont(b, **kw):
    return F(OP_CONT, b.encode() if isinstance(b, str) else b, **kw)


@functools.lru_cache(maxsize=None)
def pattern(n):
    return (bytes(range(256)) * (n // 256 + 1))[:n]


@functools.lru_cache(maxsize=None)
def ascii_pattern(n):
    a = b"abcdefghijklmnopqrstuvwxyz0123456789"
    return (a * (n // len(a) + 1))[:n]


KOSME = "κόσμε".encode()  # ce ba e1 bd b9 cf 83 ce bc ce b5

CASES = {}


def add(case):
    assert case.name not in CASES, case.name
    CASES[case.name] = case


# -- handshake -------------------------------------------------------------
add(Case("hs-ok", "handshake", "plain handshake, server closes 1000", "ok"))
add(Case("hs-frame-with-101", "handshake",
         "a text frame in the same TCP segment as the 101 response", "ok",
         hs="ok-with-frame", messages=[("text", b"in-the-101-packet")]))
add(Case("hs-subprotocol-ok", "handshake", "-p chat -p superchat, server selects superchat",
         "ok", args=["-p", "chat", "-p", "superchat"], hs="protocol:superchat",
         protocol="superchat"))
add(Case("hs-bad-accept", "handshake", "wrong Sec-WebSocket-Accept", "handshake_fail",
         hs="bad-accept"))
add(Case("hs-missing-accept", "handshake", "no Sec-WebSocket-Accept", "handshake_fail",
         hs="missing-accept"))
add(Case("hs-status-200", "handshake", "HTTP 200 instead of 101", "handshake_fail",
         hs="status-200"))
add(Case("hs-no-upgrade", "handshake", "101 without Upgrade header", "handshake_fail",
         hs="no-upgrade"))
add(Case("hs-wrong-upgrade", "handshake", "101 with Upgrade: h2c", "handshake_fail",
         hs="wrong-upgrade"))
add(Case("hs-no-connection", "handshake", "101 without Connection header", "handshake_fail",
         hs="no-connection"))
add(Case("hs-wrong-connection", "handshake", "101 with Connection: keep-alive",
         "handshake_fail", hs="wrong-connection"))
add(Case("hs-unrequested-subprotocol", "handshake",
         "no protocol requested, response selects chat", "handshake_fail",
         hs="protocol:chat"))
add(Case("hs-other-subprotocol", "handshake",
         "-p chat, response selects superchat (not requested)", "handshake_fail",
         args=["-p", "chat"], hs="protocol:superchat"))
add(Case("hs-no-subprotocol", "handshake",
         "-p chat, response selects none (rule 8)", "handshake_fail",
         args=["-p", "chat"], hs="ok"))
add(Case("hs-unrequested-extension", "handshake",
         "response has Sec-WebSocket-Extensions: permessage-deflate", "handshake_fail",
         hs="extension"))
add(Case("hs-redirect-301", "handshake", "301 redirect to a working endpoint (not followed)",
         "handshake_fail", hs="redirect"))
add(Case("hs-redirect-target", "handshake", "target of hs-redirect-301 (must not be reached)",
         "ok"))

# -- framing ---------------------------------------------------------------
for bit, rsv in (("rsv1", 4), ("rsv2", 2), ("rsv3", 1)):
    add(Case(f"{bit}-text", "framing", f"text frame with {bit.upper()} set", "fail",
             [text("reserved", rsv=rsv)], code=1002))
add(Case("rsv1-ping", "framing", "ping with RSV1 set", "fail",
         [F(OP_PING, b"x", rsv=4)], code=1002))
for op in (3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF):
    add(Case(f"opcode-{op}", "framing", f"reserved opcode {op:#x}", "fail",
             [F(op, b"reserved")], code=1002))
add(Case("masked-server-frame", "framing", "server text frame with the mask bit", "fail",
         [text("masked", mask=True)], code=1002))
add(Case("continuation-no-message", "framing", "continuation frame with no message started",
         "fail", [cont("orphan")], code=1002))
add(Case("continuation-no-message-nonfinal", "framing",
         "non-final continuation with no message started", "fail",
         [cont("orphan", fin=False), cont("end")], code=1002))
add(Case("data-during-fragmented-text", "framing",
         "new text frame while a fragmented message is unfinished", "fail",
         [text("frag-1", fin=False), text("new")], code=1002))
add(Case("data-during-fragmented-binary", "framing",
         "new binary frame while a fragmented message is unfinished", "fail",
         [binary(b"frag-1", fin=False), binary(b"new")], code=1002))

# -- control frames --------------------------------------------------------
add(Case("ping-payload", "control", "ping with payload: pong with the same payload", "ok",
         [F(OP_PING, b"hello-ping")], pongs=[b"hello-ping"]))
add(Case("ping-empty", "control", "empty ping: empty pong", "ok",
         [F(OP_PING, b"")], pongs=[b""]))
add(Case("ping-125", "control", "ping with 125-byte binary payload (largest allowed)", "ok",
         [F(OP_PING, pattern(125))], pongs=[pattern(125)]))
add(Case("ping-10", "control", "ten pings in a row: ten pongs in order", "ok",
         [F(OP_PING, b"p%d" % i) for i in range(10)], pongs=[b"p%d" % i for i in range(10)]))
add(Case("ping-126", "control", "ping with 126-byte payload (extended length)", "fail",
         [F(OP_PING, pattern(126))], code=1002))
add(Case("ping-fragmented", "control", "ping with FIN clear", "fail",
         [F(OP_PING, b"frag", fin=False), cont(b"ment")], code=1002))
add(Case("pong-unsolicited", "control",
         "unsolicited pong with payload, then a text message (ignored pong)", "ok",
         [F(OP_PONG, b"unsolicited"), text("after-pong")],
         messages=[("text", b"after-pong")]))
add(Case("ping-inside-fragmented", "control",
         "ping between the fragments of a text message", "ok",
         [text("Hello, ", fin=False), F(OP_PING, b"mid"), cont("world!")],
         messages=[("text", b"Hello, world!")], pongs=[b"mid"]))
add(Case("close-payload-126", "control", "close frame with 126-byte payload", "fail",
         [F(OP_CLOSE, close_payload(1000, b"x" * 124))], code=1002))

# -- close frames ------------------------------------------------------------
for c in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
          3999, 4000, 4999):
    add(Case(f"close-{c}", "close", f"server closes with valid code {c}", "close",
             [F(OP_CLOSE, close_payload(c, f"reason {c}"))], code=c,
             reason=f"reason {c}", client_code=c))
add(Case("close-empty", "close", "empty close frame: close event 1005", "close",
         [F(OP_CLOSE, b"")], code=1005, reason="", client_code=None))
add(Case("close-reason-123", "close", "close 1000 with a 123-byte reason (largest)", "close",
         [F(OP_CLOSE, close_payload(1000, b"r" * 123))], code=1000, reason="r" * 123,
         client_code=1000))
add(Case("close-reason-utf8", "close", "close 4000 with a multi-byte UTF-8 reason", "close",
         [F(OP_CLOSE, close_payload(4000, "κόσμε ☃".encode()))], code=4000,
         reason="κόσμε ☃", client_code=4000))
add(Case("close-after-message", "close", "text message, then close 1000", "close",
         [text("last words"), F(OP_CLOSE, close_payload(1000, b"bye"))], code=1000,
         reason="bye", client_code=1000, messages=[("text", b"last words")]))
add(Case("close-1byte", "close", "close frame with a 1-byte payload", "fail",
         [F(OP_CLOSE, b"\x03")], code=1002))
for c in (0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535):
    add(Case(f"close-invalid-{c}", "close", f"close frame with invalid code {c}", "fail",
             [F(OP_CLOSE, close_payload(c, b"bad"))], code=1002))
add(Case("close-bad-utf8-reason", "close", "close 1000 with a non-UTF-8 reason", "fail",
         [F(OP_CLOSE, close_payload(1000, b"bad \xff\xfe reason"))], code=1007))

# -- messages (the client echoes) ------------------------------------------------
for n in (0, 1, 125, 126, 127, 65535, 65536):
    add(Case(f"text-{n}", "messages", f"{n}-byte text message", "ok",
             [text(ascii_pattern(n))], messages=[("text", ascii_pattern(n))]))
    add(Case(f"binary-{n}", "messages", f"{n}-byte binary message", "ok",
             [binary(pattern(n))], messages=[("binary", pattern(n))]))
add(Case("binary-16mib", "messages", "16 MiB binary message in one frame", "ok",
         [binary(pattern(16 * 1024 * 1024))],
         messages=[("binary", pattern(16 * 1024 * 1024))]))
add(Case("text-fragmented", "messages", "text in 3 fragments", "ok",
         [text("Hello, ", fin=False), cont("fragmented ", fin=False), cont("world!")],
         messages=[("text", b"Hello, fragmented world!")]))
add(Case("text-fragmented-empty", "messages", "text with empty first, middle, last fragments",
         "ok", [text("", fin=False), cont("a", fin=False), cont("", fin=False), cont("b", fin=False),
                cont("")], messages=[("text", b"ab")]))
add(Case("binary-fragmented", "messages", "100000-byte binary in 1000-byte fragments", "ok",
         [binary(pattern(100000)[:1000], fin=False)]
         + [cont(pattern(100000)[i:i + 1000], fin=(i + 1000 >= 100000))
            for i in range(1000, 100000, 1000)],
         messages=[("binary", pattern(100000))]))
add(Case("text-utf8-valid", "utf8", "valid 2-, 3- and 4-byte UTF-8", "ok",
         [text("κόσμε ☃ 𝄞 😀 \u0000 \U0010ffff")],
         messages=[("text", "κόσμε ☃ 𝄞 😀 \u0000 \U0010ffff".encode())]))
add(Case("text-utf8-split-codepoint", "utf8",
         "valid UTF-8 with code points split across fragments", "ok",
         [text(KOSME[:1], fin=False), cont(KOSME[1:4], fin=False), cont(KOSME[4:] + b"\xf0\x9f",
                                                                         fin=False),
          cont(b"\x98\x80")],
         messages=[("text", KOSME + "😀".encode())]))
add(Case("text-utf8-bytewise", "utf8", "valid UTF-8, one byte per fragment", "ok",
         [text(KOSME[:1], fin=False)]
         + [cont(KOSME[i:i + 1], fin=(i == len(KOSME) - 1)) for i in range(1, len(KOSME))],
         messages=[("text", KOSME)]))

# -- invalid UTF-8 ---------------------------------------------------------------
add(Case("utf8-invalid-single", "utf8", "text frame with a surrogate (ED A0 80)", "fail",
         [text(KOSME + b"\xed\xa0\x80edited")], code=1007))
add(Case("utf8-invalid-overlong", "utf8", "overlong encoding C0 AF", "fail",
         [text(b"ab\xc0\xafcd")], code=1007))
add(Case("utf8-invalid-too-large", "utf8", "code point above U+10FFFF (F4 90 80 80)", "fail",
         [text(b"ab\xf4\x90\x80\x80")], code=1007))
add(Case("utf8-invalid-ff", "utf8", "byte FF", "fail", [text(b"ab\xffcd")], code=1007))
add(Case("utf8-invalid-truncated", "utf8", "message ends inside a code point", "fail",
         [text(b"abc\xe2\x82")], code=1007))
add(Case("utf8-invalid-split", "utf8",
         "invalid sequence split across two fragments (E2 82 | 28)", "fail",
         [text(b"Hello \xe2\x82", fin=False), cont(b"( world")], code=1007))
add(Case("utf8-invalid-truncated-fragmented", "utf8",
         "fragmented message ends inside a code point", "fail",
         [text(b"Hello", fin=False), cont(b" \xf0\x9f\x98")], code=1007))
add(Case("utf8-fail-fast", "utf8",
         "invalid byte in the first fragment; final fragment only after 2 s", "fail",
         [text(KOSME + b"\xf4\x90\x80\x80", fin=False), AwaitFailFast(FAIL_FAST_WAIT),
          cont(b"edited")], code=1007, fail_fast=True))

# -- limits (--max-message-size) ----------------------------------------------
add(Case("limit-at-max", "limits", "1024-byte message with --max-message-size 1024", "ok",
         [binary(pattern(1024))], messages=[("binary", pattern(1024))],
         args=["--max-message-size", "1024"]))
add(Case("limit-over-single", "limits", "1025-byte frame with --max-message-size 1024", "fail",
         [binary(pattern(1025))], code=1009, args=["--max-message-size", "1024"]))
add(Case("limit-over-fragmented", "limits",
         "3 x 512-byte fragments with --max-message-size 1024", "fail",
         [binary(pattern(512), fin=False), cont(pattern(512), fin=False), cont(pattern(512))],
         code=1009, args=["--max-message-size", "1024"]))
add(Case("limit-over-text", "limits", "2000-byte text with --max-message-size 1024", "fail",
         [text(ascii_pattern(2000))], code=1009, args=["--max-message-size", "1024"]))


# -- added for the reliability work: the remaining RFC 6455 corners --------
add(Case("rsv1-continuation", "framing", "RSV1 on a continuation frame (no extension)", "fail",
         [text("frag-", fin=False), cont("ment", rsv=4)], code=1002))
add(Case("rsv2-close", "framing", "close frame with RSV2 set", "fail",
         [F(OP_CLOSE, close_payload(1000), rsv=2)], code=1002))
add(Case("masked-server-ping", "framing", "server ping with the mask bit", "fail",
         [F(OP_PING, b"masked", mask=True)], code=1002))
add(Case("masked-server-continuation", "framing", "masked continuation of an unmasked start",
         "fail", [text("a", fin=False), cont("b", mask=True)], code=1002))
add(Case("ping-extended-length", "control",
         "ping of 5 bytes announced with the 16-bit length form (126)", "fail",
         [F(OP_PING, b"hello", ext_len=126)], code=1002))
add(Case("ping-65536", "control", "ping with a 65536-byte payload (64-bit length)", "fail",
         [F(OP_PING, pattern(65536))], code=1002))
add(Case("pong-unsolicited-empty", "control", "unsolicited empty pong, then a message", "ok",
         [F(OP_PONG, b""), binary(b"after")], messages=[("binary", b"after")]))
add(Case("pong-inside-fragmented", "control", "pong between the fragments of a binary message",
         "ok", [binary(b"ab", fin=False), F(OP_PONG, b"p"), cont(b"cd")],
         messages=[("binary", b"abcd")]))
add(Case("pings-inside-fragmented", "control",
         "a ping between every fragment of a 4-fragment text", "ok",
         [text("a", fin=False), F(OP_PING, b"1"), cont("b", fin=False), F(OP_PING, b"2"),
          cont("c", fin=False), F(OP_PING, b"3"), cont("d")],
         messages=[("text", b"abcd")], pongs=[b"1", b"2", b"3"]))
add(Case("close-inside-fragmented", "close",
         "close 1000 between the fragments of a text (message never completed)", "close",
         [text("never ", fin=False), F(OP_CLOSE, close_payload(1000, b"mid"))], code=1000,
         reason="mid", client_code=1000))
add(Case("data-after-close", "close", "a text frame after the server's close frame (ignored)",
         "close", [F(OP_CLOSE, close_payload(1000, b"bye")), text("too late")], code=1000,
         reason="bye", client_code=1000))
add(Case("garbage-after-close", "close", "a reserved opcode after the close frame (ignored)",
         "close", [F(OP_CLOSE, close_payload(1001)), F(0x3, b"junk")], code=1001, reason="",
         client_code=1001))
add(Case("close-reason-split-codepoint", "close",
         "close reason ending in a truncated code point (invalid UTF-8)", "fail",
         [F(OP_CLOSE, close_payload(1000, "κό".encode()[:-1]))], code=1007))
BOUNDARY = "\u007f\u0080\u07ff\u0800\ud7ff\ue000\ufffd\uffff\U00010000\U0010ffff".encode()
add(Case("text-utf8-boundaries", "utf8",
         "boundary code points U+007F U+0080 U+07FF U+0800 U+D7FF U+E000 U+FFFD U+FFFF "
         "U+10000 U+10FFFF", "ok", [text(BOUNDARY)], messages=[("text", BOUNDARY)]))
add(Case("text-utf8-boundaries-bytewise", "utf8", "the boundary code points, one byte per fragment",
         "ok", [text(BOUNDARY[:1], fin=False)]
         + [cont(BOUNDARY[i:i + 1], fin=(i == len(BOUNDARY) - 1)) for i in range(1, len(BOUNDARY))],
         messages=[("text", BOUNDARY)]))
for name, bad, desc in (
        ("overlong-c1", b"\xc1\xbf", "overlong 2-byte C1 BF"),
        ("overlong-3", b"\xe0\x80\xaf", "overlong 3-byte E0 80 AF"),
        ("overlong-4", b"\xf0\x80\x80\xaf", "overlong 4-byte F0 80 80 AF"),
        ("overlong-nul", b"\xc0\x80", "overlong NUL C0 80"),
        ("low-surrogate", b"\xed\xb0\x80", "low surrogate ED B0 80"),
        ("surrogate-pair", b"\xed\xa0\x80\xed\xb0\x80", "UTF-16 surrogate pair in UTF-8"),
        ("lone-continuation", b"\x80", "lone continuation byte 80"),
        ("f5", b"\xf5\x80\x80\x80", "lead byte F5"),
        ("fe", b"\xfe", "byte FE"),
        ("missing-continuation", b"\xe2\x82A", "3-byte sequence cut by an ASCII byte")):
    add(Case(f"utf8-invalid-{name}", "utf8", desc, "fail", [text(b"ok " + bad + b" tail")],
             code=1007))
add(Case("utf8-fail-fast-second-fragment", "utf8",
         "valid first fragment, invalid second; the final one only after 2 s", "fail",
         [text(b"valid ", fin=False), cont(b"\xed\xa0\x80", fin=False),
          AwaitFailFast(FAIL_FAST_WAIT), cont(b"edited")], code=1007, fail_fast=True))
add(Case("utf8-fail-fast-mid-frame", "utf8",
         "invalid byte early in a 1 MB text frame whose tail comes only after 2 s", "fail",
         [RawBytes(build_frame(OP_TEXT, b"x" * 10 + b"\xff" + b"y" * (1 << 20))[:4096]),
          AwaitFailFast(FAIL_FAST_WAIT),
          RawBytes(build_frame(OP_TEXT, b"x" * 10 + b"\xff" + b"y" * (1 << 20))[4096:])],
         code=1007, fail_fast=True))
add(Case("binary-invalid-utf8-ok", "utf8", "invalid UTF-8 in a binary message is fine", "ok",
         [binary(b"\xff\xfe\xed\xa0\x80")], messages=[("binary", b"\xff\xfe\xed\xa0\x80")]))
add(Case("binary-16mib-fragmented", "messages", "16 MiB binary in 16 frames of 1 MiB", "ok",
         [binary(pattern(16 << 20)[:1 << 20], fin=False)]
         + [cont(pattern(16 << 20)[i << 20:(i + 1) << 20], fin=(i == 15)) for i in range(1, 16)],
         messages=[("binary", pattern(16 << 20))]))
add(Case("text-many-small", "messages", "100 text messages in a row, echoed in order", "ok",
         [text(f"message {i}") for i in range(100)],
         messages=[("text", f"message {i}".encode()) for i in range(100)]))
add(Case("text-fragmented-65536", "messages", "65536-byte text in fragments of 125, 126, 127, 65158",
         "ok", [text(ascii_pattern(65536)[:125], fin=False), cont(ascii_pattern(65536)[125:251], fin=False),
                cont(ascii_pattern(65536)[251:378], fin=False), cont(ascii_pattern(65536)[378:])],
         messages=[("text", ascii_pattern(65536))]))

# -- handshake faults (more) ---------------------------------------------------
for status in (302, 307, 308):
    add(Case(f"hs-redirect-{status}", "handshake", f"{status} redirect (not followed)",
             "handshake_fail", hs=f"redirect:{status}"))
for status in (400, 403, 404, 426, 500, 503):
    add(Case(f"hs-status-{status}", "handshake", f"HTTP {status} instead of 101",
             "handshake_fail", hs=f"status:{status}"))
add(Case("hs-not-http", "handshake", "a response that is not HTTP", "handshake_fail",
         hs="raw:SSH-2.0-OpenSSH_9.2\r\n\r\n"))
add(Case("hs-two-subprotocols", "handshake",
         "-p chat -p superchat, response selects both", "handshake_fail",
         args=["-p", "chat", "-p", "superchat"], hs="protocol:chat, superchat"))
add(Case("hs-subprotocol-case", "handshake",
         "-p chat, response selects CHAT (protocols are case-sensitive)", "handshake_fail",
         args=["-p", "chat"], hs="protocol:CHAT"))
add(Case("hs-unrequested-extension-other", "handshake",
         "response accepts x-webkit-deflate-frame (never offered)", "handshake_fail",
         hs="ext:x-webkit-deflate-frame"))
add(Case("hs-accept-of-other-key", "handshake", "Sec-WebSocket-Accept computed for another key",
         "handshake_fail", hs="raw-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
add(Case("hs-upgrade-case", "handshake", "Upgrade: WebSocket, Connection: upgrade (any case)",
         "ok", hs="case"))
add(Case("hs-connection-list", "handshake", "Connection: keep-alive, Upgrade", "ok",
         hs="connection-list"))

# -- permessage-deflate (RFC 7692), offered with --deflate -------------------------


def deflate_messages(*messages, takeover=True):
    """Compressed payloads, one per message, as a server compresses them."""
    out, c = [], zlib.compressobj(wbits=-15)
    for m in messages:
        if not takeover:
            c = zlib.compressobj(wbits=-15)
        data = c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH)
        assert data.endswith(b"\x00\x00\xff\xff")
        out.append(data[:-4])
    return out


DFL = ["--deflate"]
HELLO_Z = deflate_messages(b"Hello, compressed world")[0]
add(Case("pmd-text", "deflate", "compressed text message, echoed", "ok",
         [text(HELLO_Z, rsv=4)], messages=[("text", b"Hello, compressed world")], args=DFL,
         hs="deflate", extensions="permessage-deflate"))
add(Case("pmd-binary-65536", "deflate", "compressed 65536-byte binary message", "ok",
         [binary(deflate_messages(pattern(65536))[0], rsv=4)],
         messages=[("binary", pattern(65536))], args=DFL, hs="deflate",
         extensions="permessage-deflate"))
add(Case("pmd-empty", "deflate", "compressed empty message (one empty block)", "ok",
         [binary(b"\x00", rsv=4)], messages=[("binary", b"")], args=DFL, hs="deflate",
         extensions="permessage-deflate"))
Z3 = deflate_messages(ascii_pattern(3000))[0]
add(Case("pmd-fragmented", "deflate", "compressed text in 3 fragments (RSV1 on the first only)",
         "ok", [text(Z3[:10], rsv=4, fin=False), F(OP_PING, b"mid"), cont(Z3[10:20], fin=False),
                cont(Z3[20:])], messages=[("text", ascii_pattern(3000))], pongs=[b"mid"],
         args=DFL, hs="deflate", extensions="permessage-deflate"))
TK = [b"the same words again and again " * 10] * 3
add(Case("pmd-context-takeover", "deflate",
         "three messages compressed with a shared window (later ones refer back)", "ok",
         [text(z, rsv=4) for z in deflate_messages(*TK)], messages=[("text", m) for m in TK],
         args=DFL, hs="deflate", extensions="permessage-deflate"))
add(Case("pmd-no-context-takeover", "deflate",
         "server_no_context_takeover agreed; each message compressed alone", "ok",
         [text(z, rsv=4) for z in deflate_messages(*TK, takeover=False)],
         messages=[("text", m) for m in TK], args=["--deflate-no-context-takeover"],
         hs="deflate:server_no_context_takeover; client_no_context_takeover",
         extensions="permessage-deflate; server_no_context_takeover; client_no_context_takeover"))
add(Case("pmd-uncompressed-message", "deflate",
         "deflate agreed, a message sent uncompressed (RSV1 clear)", "ok",
         [text("plain"), text(HELLO_Z, rsv=4)],
         messages=[("text", b"plain"), ("text", b"Hello, compressed world")], args=DFL,
         hs="deflate", extensions="permessage-deflate"))
add(Case("pmd-rsv1-continuation", "deflate", "RSV1 on a continuation frame", "fail",
         [text(Z3[:10], rsv=4, fin=False), cont(Z3[10:], rsv=4)], code=1002, args=DFL,
         hs="deflate"))
add(Case("pmd-rsv1-ping", "deflate", "RSV1 on a ping", "fail",
         [F(OP_PING, b"x", rsv=4)], code=1002, args=DFL, hs="deflate"))
add(Case("pmd-corrupt", "deflate", "RSV1 message that is not deflate data", "fail",
         [binary(b"\xff\xff\xff\xff\xff", rsv=4)], code=1002, args=DFL, hs="deflate"))
add(Case("pmd-invalid-utf8", "deflate", "compressed text that inflates to invalid UTF-8", "fail",
         [text(deflate_messages(b"ok \xed\xa0\x80")[0], rsv=4)], code=1007, args=DFL,
         hs="deflate"))
add(Case("pmd-bomb", "deflate",
         "1 KB that inflates to 10 MB, with --max-message-size 1048576", "fail",
         [binary(deflate_messages(b"\0" * (10 << 20))[0], rsv=4)], code=1009,
         args=DFL + ["--max-message-size", "1048576"], hs="deflate"))
add(Case("pmd-rsv1-not-agreed", "deflate", "offered, not accepted, then an RSV1 frame", "fail",
         [text(HELLO_Z, rsv=4)], code=1002, args=DFL, hs="ok"))
add(Case("pmd-not-accepted", "deflate", "offered, server declines: plain messages", "ok",
         [text("plain")], messages=[("text", b"plain")], args=DFL, hs="ok", extensions=""))
add(Case("hs-pmd-unoffered-client-bits", "deflate",
         "response sets client_max_window_bits, which the offer did not include",
         "handshake_fail", args=DFL, hs="deflate:client_max_window_bits=10"))
add(Case("hs-pmd-unknown-param", "deflate", "response with an unknown parameter",
         "handshake_fail", args=DFL, hs="deflate:mystery=1"))
add(Case("hs-pmd-bad-bits", "deflate", "server_max_window_bits=7 (out of range)",
         "handshake_fail", args=DFL, hs="deflate:server_max_window_bits=7"))
add(Case("hs-pmd-repeated-param", "deflate", "server_no_context_takeover twice",
         "handshake_fail", args=DFL,
         hs="deflate:server_no_context_takeover; server_no_context_takeover"))
add(Case("hs-pmd-twice", "deflate", "permessage-deflate accepted twice", "handshake_fail",
         args=DFL, hs="ext:permessage-deflate, permessage-deflate"))
add(Case("hs-pmd-server-bits-ok", "deflate", "server_max_window_bits=10 (the server's own choice)",
         "ok", [text(HELLO_Z, rsv=4)], messages=[("text", b"Hello, compressed world")], args=DFL,
         hs="deflate:server_max_window_bits=10",
         extensions="permessage-deflate; server_max_window_bits=10"))


# ---------------------------------------------------------------------------
# The connection


class Timeout(Exception):
    pass


class Eof(Exception):
    pass


def accept_key(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def parse_request(raw):
    """Return (method, target, version, headers{lower: [values]}) or None."""
    try:
        text_ = raw.decode("iso-8859-1")
    except UnicodeDecodeError:
        return None
    lines = text_.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    headers = {}
    for line in lines[1:]:
        if not line:
            continue
        if ":" not in line:
            return None
        k, v = line.split(":", 1)
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return parts[0], parts[1], parts[2], headers


def request_problems(req):
    method, _target, version, h = req
    problems = []
    if method != "GET":
        problems.append(f"method {method}")
    if version != "HTTP/1.1":
        problems.append(f"version {version}")
    if "host" not in h:
        problems.append("no Host")
    if [v.lower() for v in h.get("upgrade", [])] != ["websocket"]:
        problems.append(f"Upgrade {h.get('upgrade')}")
    conn_tokens = [t.strip().lower() for v in h.get("connection", []) for t in v.split(",")]
    if "upgrade" not in conn_tokens:
        problems.append(f"Connection {h.get('connection')}")
    if h.get("sec-websocket-version") != ["13"]:
        problems.append(f"Sec-WebSocket-Version {h.get('sec-websocket-version')}")
    keys = h.get("sec-websocket-key", [])
    try:
        if len(keys) != 1 or len(base64.b64decode(keys[0], validate=True)) != 16:
            problems.append(f"Sec-WebSocket-Key {keys}")
    except ValueError:
        problems.append(f"Sec-WebSocket-Key {keys}")
    return problems


def offered_protocols(h):
    return [t.strip() for v in h.get("sec-websocket-protocol", []) for t in v.split(",") if t.strip()]


class Conn:
    def __init__(self, sock, port):
        self.sock = sock
        self.port = port
        self.buf = bytearray()
        self.close_sent = False
        self.close_rcvd = False
        self.eof = False
        self.frag_op = None
        self.frag = bytearray()
        self.frag_compressed = False
        self.deflate = False        # permessage-deflate agreed in our response
        self.inflater = None
        self.rec = {"event": "conn", "case": None, "request_problems": [],
                    "client_frames": 0, "client_masked": True,
                    "client_close_frame": False, "client_close_code": None,
                    "client_close_reason": None, "closed_by": None,
                    "received": [], "pongs": [], "client_errors": []}
        self.messages = []  # (type, bytes)

    # -- low level
    def _fill(self, n, deadline):
        while len(self.buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout()
            self.sock.settimeout(min(remaining, IO_TIMEOUT))
            try:
                data = self.sock.recv(max(65536, min(n - len(self.buf), 1 << 20)))
            except socket.timeout:
                raise Timeout()
            except OSError as e:
                self.rec["tcp_error"] = e.__class__.__name__
                data = b""
            if not data:
                self.eof = True
                raise Eof()
            self.buf += data

    def _take(self, n):
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def send(self, data):
        self.sock.settimeout(IO_TIMEOUT)
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def read_request(self):
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > MAX_REQUEST:
                return None
            self._fill(len(self.buf) + 1, deadline)
        end = self.buf.index(b"\r\n\r\n")
        raw = self._take(end + 4)
        return parse_request(raw[:-4])

    def read_frame(self, deadline):
        self._fill(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        fin, rsv, opcode = bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F
        masked, n = bool(b1 & 0x80), b1 & 0x7F
        hlen = 2
        if n == 126:
            self._fill(4, deadline)
            n = struct.unpack("!H", self.buf[2:4])[0]
            hlen = 4
        elif n == 127:
            self._fill(10, deadline)
            n = struct.unpack("!Q", self.buf[2:10])[0]
            hlen = 10
        if n > MAX_CLIENT_FRAME:
            self.rec["client_errors"].append(f"frame of {n} bytes")
            raise Eof()
        klen = 4 if masked else 0
        self._fill(hlen + klen + n, deadline)
        self._take(hlen)
        key = self._take(klen)
        payload = self._take(n)
        if masked:
            payload = xor_mask(payload, key)
        return fin, rsv, opcode, masked, payload

    # -- frames from the client
    def handle(self, frame):
        fin, rsv, opcode, masked, payload = frame
        self.rec["client_frames"] += 1
        if not masked:
            self.rec["client_masked"] = False
        first_data = opcode in (OP_TEXT, OP_BINARY)
        if rsv and not (rsv == 4 and self.deflate and first_data):
            self.rec["client_errors"].append(f"rsv {rsv} on opcode {opcode}")
        if opcode == OP_CLOSE:
            self.rec["client_close_frame"] = True
            if len(payload) >= 2:
                self.rec["client_close_code"] = struct.unpack("!H", payload[:2])[0]
                self.rec["client_close_reason"] = payload[2:].decode("utf-8", "replace")
            elif len(payload) == 1:
                self.rec["client_errors"].append("1-byte close payload")
            self.close_rcvd = True
            if not self.close_sent:
                self.close_sent = True
                self.send(build_frame(OP_CLOSE, payload[:2] if len(payload) >= 2 else b""))
        elif opcode == OP_PING:
            self.send(build_frame(OP_PONG, payload))
        elif opcode == OP_PONG:
            self.rec["pongs"].append(payload.hex())
        elif opcode in (OP_TEXT, OP_BINARY):
            if self.frag_op is not None:
                self.rec["client_errors"].append("data frame inside fragmented message")
            compressed = bool(rsv & 4) and self.deflate
            if fin:
                self._message(opcode, self._inflate(payload) if compressed else payload)
            else:
                self.frag_op, self.frag = opcode, bytearray(payload)
                self.frag_compressed = compressed
        elif opcode == OP_CONT:
            if self.frag_op is None:
                self.rec["client_errors"].append("continuation with no message")
            else:
                self.frag += payload
                if fin:
                    whole = bytes(self.frag)
                    if self.frag_compressed:
                        whole = self._inflate(whole)
                    self._message(self.frag_op, whole)
                    self.frag_op, self.frag = None, bytearray()
        else:
            self.rec["client_errors"].append(f"opcode {opcode}")

    def _inflate(self, payload):
        # The client may keep its window between messages: one decompressor
        # per connection serves both context takeover and none.
        if self.inflater is None:
            self.inflater = zlib.decompressobj(wbits=-15)
        try:
            return self.inflater.decompress(payload + b"\x00\x00\xff\xff")
        except zlib.error as e:
            self.rec["client_errors"].append(f"bad compressed data: {e}")
            return b""

    def _message(self, opcode, payload):
        kind = "text" if opcode == OP_TEXT else "binary"
        self.messages.append((kind, payload))
        entry = {"type": kind, "size": len(payload),
                 "sha256": hashlib.sha256(payload).hexdigest()[:16]}
        if kind == "text" and len(payload) <= 256:
            entry["text"] = payload.decode("utf-8", "replace")
        self.rec["received"].append(entry)

    def pump(self, done, timeout):
        """Handle client frames until done() holds, or close/EOF/timeout."""
        deadline = time.monotonic() + timeout
        while not done():
            if self.eof or self.close_rcvd:
                return done()
            try:
                self.handle(self.read_frame(deadline))
            except Timeout:
                return done()
            except Eof:
                return done()
        return True

    def finish(self, timeout=FINISH_TIMEOUT):
        """Wait for the client's close (or EOF), then end the TCP connection."""
        if not self.eof and not self.close_rcvd:
            self.pump(lambda: False, timeout)
        if self.eof:
            self.rec["closed_by"] = "client"
        elif self.close_rcvd and self.close_sent:
            # Closing handshake done: the server closes TCP first (RFC 6455 7.1.1),
            # then waits briefly for the client's FIN.
            self.rec["closed_by"] = "server"
            try:
                self.sock.shutdown(socket.SHUT_WR)
                self.sock.settimeout(2.0)
                for _ in range(64):
                    if not self.sock.recv(65536):
                        break
            except OSError:
                pass
        else:
            self.rec["closed_by"] = "timeout"

    # -- handshake responses
    def respond(self, hs, key, protocols):
        accept = accept_key(key)
        lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Accept: {accept}"]
        extra = b""
        if hs == "bad-accept":
            lines[3] = "Sec-WebSocket-Accept: " + accept_key(key + "x")
        elif hs == "missing-accept":
            del lines[3]
        elif hs == "status-200":
            lines = ["HTTP/1.1 200 OK", "Content-Type: text/plain", "Content-Length: 2"]
            extra = b"ok"
        elif hs == "no-upgrade":
            del lines[1]
        elif hs == "wrong-upgrade":
            lines[1] = "Upgrade: h2c"
        elif hs == "no-connection":
            del lines[2]
        elif hs == "wrong-connection":
            lines[2] = "Connection: keep-alive"
        elif hs == "extension":
            lines.append("Sec-WebSocket-Extensions: permessage-deflate")
        elif hs.startswith("redirect:"):
            lines = [f"HTTP/1.1 {hs.split(':')[1]} Redirect",
                     f"Location: ws://127.0.0.1:{self.port}/hs-redirect-target",
                     "Content-Length: 0"]
        elif hs.startswith("status:"):
            lines = [f"HTTP/1.1 {hs.split(':')[1]} Refused", "Content-Length: 0"]
        elif hs.startswith("raw:"):
            return self.send(hs[4:].encode())
        elif hs.startswith("raw-accept:"):
            lines[3] = "Sec-WebSocket-Accept: " + hs.split(":", 1)[1]
        elif hs.startswith("ext:"):
            lines.append("Sec-WebSocket-Extensions: " + hs.split(":", 1)[1])
            self.deflate = hs.split(":", 1)[1].startswith("permessage-deflate")
        elif hs == "deflate" or hs.startswith("deflate:"):
            params = hs.split(":", 1)[1] if ":" in hs else ""
            lines.append("Sec-WebSocket-Extensions: permessage-deflate" +
                         ("; " + params if params else ""))
            self.deflate = True
        elif hs == "case":
            lines[1] = "Upgrade: WebSocket"
            lines[2] = "Connection: upgrade"
        elif hs == "connection-list":
            lines[2] = "Connection: keep-alive, Upgrade"
        elif hs == "redirect":
            lines = ["HTTP/1.1 301 Moved Permanently",
                     f"Location: ws://127.0.0.1:{self.port}/hs-redirect-target",
                     "Content-Length: 0"]
        elif hs.startswith("protocol:"):
            lines.append("Sec-WebSocket-Protocol: " + hs.split(":", 1)[1])
        elif hs == "ok-with-frame":
            extra = build_frame(OP_TEXT, b"in-the-101-packet")
        return self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + extra)

    # -- one connection
    def run(self):
        try:
            req = self.read_request()
        except (Timeout, Eof):
            req = None
        if req is None:
            self.rec["case"] = "bad-request"
            self.send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return self.rec
        name = req[1].split("?", 1)[0].lstrip("/")
        self.rec["request_problems"] = request_problems(req)
        case = CASES.get(name)
        self.rec["case"] = name if case else "unknown"
        if case is None:
            self.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return self.rec
        h = req[3]
        key = (h.get("sec-websocket-key") or [""])[0]
        self.rec["offered_protocols"] = offered_protocols(h)
        if not self.respond(case.hs, key, offered_protocols(h)):
            self.rec["closed_by"] = "client"
            return self.rec
        if case.kind == "handshake_fail":
            # The client must not use the connection; record anything it sends.
            self.finish(FINISH_TIMEOUT)
            return self.rec
        for step in case.steps:
            if isinstance(step, AwaitFailFast):
                failed = self.pump(lambda: False, step.seconds) or self.close_rcvd or self.eof
                self.rec["failed_fast"] = bool(failed)
                if failed:
                    break
                continue
            if self.eof or self.close_rcvd:
                break
            if isinstance(step, RawBytes):
                if not self.send(step.data):
                    break
                continue
            if step.opcode == OP_CLOSE:
                self.close_sent = True
            if not self.send(build_frame(step.opcode, step.payload, step.fin, step.rsv, step.mask,
                                         step.ext_len)):
                break
        if case.kind == "ok":
            want_m, want_p = len(case.messages), len(case.pongs)
            self.pump(lambda: len(self.messages) >= want_m and len(self.rec["pongs"]) >= want_p,
                      ECHO_TIMEOUT)
            if not self.close_sent and not self.eof:
                self.close_sent = True
                self.send(build_frame(OP_CLOSE, close_payload(1000, b"done")))
        self.finish()
        return self.rec


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = Conn(self.request, self.server.server_address[1])
        try:
            rec = conn.run()
        except Exception as e:  # report, never hang
            rec = conn.rec
            rec["server_exception"] = repr(e)
        emit(rec)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--list", action="store_true", help="print the cases and exit")
    args = ap.parse_args()
    if args.list:
        for c in CASES.values():
            print(json.dumps({"case": c.name, "group": c.group, "kind": c.kind,
                              "desc": c.desc, "args": c.args}))
        return 0
    server = Server(("127.0.0.1", args.port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdout.write(f"PORT {server.server_address[1]}\n")
    sys.stdout.flush()
    try:
        is_pipe = stat.S_ISFIFO(os.fstat(0).st_mode)
    except OSError:
        is_pipe = False
    try:
        if is_pipe:
            while os.read(0, 4096):
                pass
        else:
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
