"""What websocat and wscat users reach for (issue 19), each against real
peers: binary messages from stdin (--binary, --whole-stdin), binary output
in hex or base64, --no-close and --exit-on-eof, --connect, -v (the
handshake on stderr), plain lines when piped, and the exit statuses.
"""
import base64
import hashlib
import json
import unittest

from harness import (CliTestCase, PeerPerTest, binary_ev, binary_pattern, close_ev, free_port,
                     open_ev, text_ev)

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Features(PeerPerTest):
    PROTOCOLS = []   # what to offer on /headers (Node's selects none there: then none)

    # ---- sending binary -------------------------------------------------
    def test_binary_sends_each_line_as_a_binary_message(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--binary",
                       input=b"ab\ncd\r\n\x00\xff\n")
        self.assertEvents(res, [open_ev(), binary_ev(b"ab"), binary_ev(b"cd"),
                                binary_ev(b"\x00\xff"), close_ev(1000)], rc=0)
        rec = self.conn_record()
        self.assertEqual(rec["messages"], [{"type": "binary", "size": 2}] * 3)

    def test_binary_whole_stdin_is_one_message_byte_for_byte(self):
        data = bytes(range(256)) * 300 + b"\n\n\x00end without newline"
        res = self.cli(self.server.url("/echo"), "--jsonl", "-b", "--whole-stdin", input=data)
        self.assertEvents(res, [open_ev(), binary_ev(data), close_ev(1000)], rc=0)
        self.assertEqual(self.conn_record()["messages"], [{"type": "binary", "size": len(data)}])

    def test_whole_stdin_without_binary_is_one_text_message(self):
        text = "line one\nκόσμε\n\nlast\n"
        res = self.cli(self.server.url("/echo"), "--jsonl", "--whole-stdin", input=text.encode())
        self.assertEvents(res, [open_ev(), text_ev(text), close_ev(1000)], rc=0)

    def test_text_that_is_not_utf8_is_refused_and_polyws_still_closes(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--whole-stdin", input=b"ok \xff")
        self.assertEvents(res, [open_ev(), close_ev(1000)], rc=0)
        self.assertIn("polyws: send: ", res.stderr)
        self.assertIn("not valid UTF-8", res.stderr)
        self.assertEqual(self.conn_record()["messages"], [])

    def test_binary_applies_to_send(self):
        res = self.cli("--jsonl", "--binary", "--send", "é", "--close", "1000", self.server.url("/echo"))
        self.assertEvents(res, [open_ev(), binary_ev("é".encode()), close_ev(1000)], rc=0)

    # ---- printing binary ------------------------------------------------
    def test_binary_printed_as_hex_base64_or_size(self):
        url = self.server.url("/send?count=2&size=300&type=binary")
        data = binary_pattern(300)
        for flag, line in (("--hex", data.hex()), ("--base64", base64.b64encode(data).decode()),
                           (None, "[binary message, 300 bytes]")):
            with self.subTest(flag=flag):
                res = self.cli(*([flag] if flag else []), "-n", url)
                self.assertEqual(res.rc, 0, res.describe())
                self.assertEqual(res.stdout.decode(), f"{line}\n{line}\n", res.describe())
                self.assertIn("polyws: closed: code 1000, reason done, clean", res.stderr)

    def test_piped_output_is_plain_lines(self):
        # stdout is a pipe: no prompt, no '<' marker, no colour, whatever the
        # terminal variables say.
        res = self.cli(self.server.url("/echo"), input="hi\nκόσμε\n".encode(),
                       env={"TERM": "xterm-256color", "NO_COLOR": ""})
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(res.stdout, "hi\nκόσμε\n".encode(), res.describe())

    # ---- the end of stdin -------------------------------------------------
    def test_no_close_leaves_the_closing_to_the_server(self):
        # The server sends 3 messages and closes 1000 "done": with --no-close
        # polyws does not close after the first reply to its one line, so
        # it sees all three and the server's own close.
        res = self.cli(self.server.url("/send?count=3&size=5&type=text"), "--jsonl", "--no-close",
                       input=b"x\n")
        self.assertEvents(res, [open_ev()] + [text_ev("abcde")] * 3 + [close_ev(1000, "done")], rc=0)

    def test_no_close_with_empty_stdin_waits_for_the_server(self):
        res = self.cli(self.server.url("/close?code=4002&reason=later"), "--jsonl", "--no-close")
        self.assertEvents(res, [open_ev(), close_ev(4002, "later")], rc=0)

    # ---- handshake on stderr --------------------------------------------
    def test_verbose_prints_the_request_as_sent_and_the_response(self):
        args = ["-v", "--jsonl", *self.PROTOCOLS, "-H", "X-Test: one",
                "-H", "Cookie: a=b", "--user-agent", "agent/1.0", "--deflate-no-context-takeover",
                "--deflate-window-bits", "10", "12", "--send", "x", "--close", "1000"]
        res = self.cli(self.server.url("/headers?q=1"), *args)
        self.assertEqual(res.rc, 0, res.describe())
        received = {k.lower(): v for k, v in json.loads(res.events[1]["data"]).items()}
        request = [l[2:] for l in res.stderr.splitlines() if l.startswith("> ")]
        response = [l[2:] for l in res.stderr.splitlines() if l.startswith("< ")]
        self.assertEqual(request[0], "GET /headers?q=1 HTTP/1.1")
        printed = dict(l.split(": ", 1) for l in request[1:])
        self.assertEqual(printed["Sec-WebSocket-Key"], "(16 random bytes in base64)")
        printed.pop("Sec-WebSocket-Key")
        key = received.pop("sec-websocket-key")
        # Everything else polyws printed is what the server received, and
        # the server received nothing polyws did not print.
        self.assertEqual({k.lower(): v for k, v in printed.items()}, received, res.stderr)
        self.assertEqual(printed["Sec-WebSocket-Extensions"],
                         "permessage-deflate; client_no_context_takeover; "
                         "server_no_context_takeover; client_max_window_bits=10; "
                         "server_max_window_bits=12")
        self.assertEqual(response[0], "HTTP/1.1 101 Switching Protocols")
        headers = dict(l.split(": ", 1) for l in response[1:])
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.assertEqual(headers["sec-websocket-accept"], accept)
        self.assertEqual(headers["upgrade"].lower(), "websocket")
        if self.PROTOCOLS:
            self.assertEqual(printed["Sec-WebSocket-Protocol"], "chat, superchat")
            self.assertEqual(headers["sec-websocket-protocol"], res.events[0]["protocol"])

    def test_verbose_prints_the_request_when_the_connection_fails(self):
        res = self.cli("-v", "--jsonl", f"ws://127.0.0.1:{free_port()}/x", "--close", "1000")
        self.assertEqual(res.rc, 1, res.describe())
        self.assertIn("> GET /x HTTP/1.1", res.stderr.splitlines())
        self.assertNotIn("< HTTP/1.1", res.stderr)

    # ---- --connect ----------------------------------------------------------
    def test_connect_alias(self):
        res = self.cli("--jsonl", "--send", "via -c", "--close", "1000", "-c", self.server.url("/echo"))
        self.assertEvents(res, [open_ev(), text_ev("via -c"), close_ev(1000)], rc=0)


class NodeFeatures(Features, CliTestCase):
    SERVER = "node"

    # ---- a ping on demand ------------------------------------------------
    def test_slash_ping_sends_pings_between_the_messages(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--slash",
                       input=b"/ping\n/ping are you there\nhello\n/pingpong\n")
        self.assertEvents(res, [open_ev(), text_ev("hello"), text_ev("/pingpong"), close_ev(1000)], rc=0)
        rec = self.conn_record()
        self.assertEqual(rec["pings"], 2)   # Node ws counted and answered both
        self.assertEqual(rec["messages"], [{"type": "text", "size": 5}, {"type": "text", "size": 9}])
        self.assertIn("ping sent (0 bytes)", res.stderr)
        self.assertIn("ping sent (13 bytes)", res.stderr)

    def test_slash_ping_longer_than_125_bytes_is_refused(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--slash",
                       input=b"/ping " + b"x" * 126 + b"\nok\n")
        self.assertEvents(res, [open_ev(), text_ev("ok"), close_ev(1000)], rc=0)
        self.assertIn("125", res.stderr)
        self.assertEqual(self.conn_record()["pings"], 0)

    def test_exit_on_eof_closes_without_waiting_for_replies(self):
        # /count-pings never answers a message: without --exit-on-eof polyws
        # would wait for two replies; with it, it closes once stdin ends.
        res = self.cli(self.server.url("/count-pings?n=99"), "--jsonl", "--exit-on-eof",
                       input=b"a\nb\n")
        self.assertEvents(res, [open_ev(), close_ev(1000)], rc=0)
        rec = self.conn_record()
        self.assertEqual(rec["messages"], [{"type": "text", "size": 1}] * 2)
        self.assertEqual(rec["close_code"], 1000)

    def test_exit_on_eof_with_empty_stdin_closes_at_once(self):
        res = self.cli(self.server.url("/count-pings?n=99"), "--jsonl", "-E")
        self.assertEvents(res, [open_ev(), close_ev(1000)], rc=0)
        self.assertEqual(self.conn_record()["messages"], [])


class PythonFeatures(Features, CliTestCase):
    SERVER = "python"
    PROTOCOLS = ["-p", "chat", "-p", "superchat"]

    def test_exit_on_eof_closes_without_waiting_for_replies(self):
        # /headers sends one message and never echoes: polyws sent two lines,
        # so without --exit-on-eof it would still wait for a reply.
        res = self.cli(self.server.url("/headers"), "--jsonl", "--exit-on-eof", input=b"a\nb\n")
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(res.events[0], open_ev(), res.describe())
        self.assertEqual(res.events[-1], close_ev(1000), res.describe())
        rec = self.conn_record()
        self.assertEqual(rec["messages"], [{"type": "text", "size": 1}] * 2)
        self.assertEqual(rec["close_code"], 1000)


class EchoServerFeatures(CliTestCase):
    """Against the project's polyws-echo (no report lines of its own)."""

    def setUp(self):
        super().setUp()
        self.server = self.start_server("echo")

    def test_binary_lines_and_whole_stdin(self):
        res = self.cli(self.server.url("/"), "--jsonl", "-b", input=b"\x01\x02\n\x03\n")
        self.assertEvents(res, [open_ev(), binary_ev(b"\x01\x02"), binary_ev(b"\x03"),
                                close_ev(1000)], rc=0)
        data = bytes(range(256)) * 1000
        res = self.cli(self.server.url("/"), "--jsonl", "-b", "--whole-stdin", input=data)
        self.assertEvents(res, [open_ev(), binary_ev(data), close_ev(1000)], rc=0)

    def test_hex_and_base64_of_echoed_binary(self):
        for flag, line in (("--hex", "000aff"), ("--base64", "AAr/")):
            with self.subTest(flag=flag):
                res = self.cli(self.server.url("/"), flag, "-b", "--whole-stdin", input=b"\x00\n\xff")
                self.assertEqual(res.rc, 0, res.describe())
                self.assertEqual(res.stdout.decode(), line + "\n", res.describe())

    def test_exit_on_eof(self):
        res = self.cli("-E", "--jsonl", self.server.url("/"), input=b"one\n")
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(res.events[0], open_ev(), res.describe())
        self.assertEqual(res.events[-1], close_ev(1000), res.describe())


class ExitStatusTests(CliTestCase):
    """0 clean close, 1 failure or unclean close, 2 usage (as --help, the man
    page and docs/cli.md say)."""

    def test_0_after_a_clean_close(self):
        s = self.start_server("node")
        res = self.cli(s.url("/echo"), "--close", "1000")
        self.assertEqual(res.rc, 0, res.describe())

    def test_1_when_the_connection_fails(self):
        res = self.cli(f"ws://127.0.0.1:{free_port()}/", "--close", "1000")
        self.assertEqual(res.rc, 1, res.describe())
        self.assertIn("polyws: error:", res.stderr)

    def test_1_after_an_unclean_close(self):
        s = self.start_server("node")
        res = self.cli(s.url("/drop-after-open"), "-n")
        self.assertEqual(res.rc, 1, res.describe())
        self.assertIn("polyws: closed: code 1006, not clean", res.stderr)

    def test_2_for_bad_usage(self):
        res = self.cli("--no-such-option", "ws://127.0.0.1:1/")
        self.assertEqual(res.rc, 2, res.describe())


if __name__ == "__main__":
    unittest.main()
