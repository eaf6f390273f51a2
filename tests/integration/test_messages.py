"""Text and binary messages, fragmentation, ping/pong (rules 10, 22, 26)."""
import unittest

from harness import (CliTestCase, cli_under_wine, binary_ev, binary_pattern, close_ev, open_ev, text_ev,
                     text_pattern)

SIZES = [0, 1, 125, 126, 65535, 65536, 1024 * 1024, 16 * 1024 * 1024]


def size_name(n):
    if n >= 1024 * 1024:
        return f"{n // (1024 * 1024)}mib"
    return str(n)


class MessageTests:
    SERVER = None

    def setUp(self):
        super().setUp()
        self.server = self.start_server(self.SERVER)

    def check_receive(self, kind, size, count=1):
        path = f"/send?count={count}&size={size}&type={kind}"
        res = self.cli(self.server.url(path), "--jsonl", "--echo", timeout=120)
        ev = text_ev(text_pattern(size)) if kind == "text" else binary_ev(binary_pattern(size))
        self.assertEvents(res, [open_ev()] + [ev] * count + [close_ev(1000, "done", True)], rc=0)

    def test_rule22_many_messages_in_order(self):
        self.check_receive("text", 10, count=100)

    def test_rule10_send_text_echoed(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--send", "hello", "--send", "",
                       "--send", "κόσμε 😀", "--close", "1000:bye")
        self.assertEvents(res, [open_ev(), text_ev("hello"), text_ev(""), text_ev("κόσμε 😀"),
                                close_ev(1000, "bye", True)], rc=0)
        rec = self.server.record(timeout=10)
        self.assertIsNotNone(rec)
        self.assertEqual(rec["messages"], [{"type": "text", "size": 5}, {"type": "text", "size": 0},
                                           {"type": "text", "size": len("κόσμε 😀".encode())}])

    @unittest.skipIf(cli_under_wine(), "Windows: --send of 100,000 characters is over the "
                     "32,767-character command-line limit (larger messages: test_rule10_sizes)")
    def test_rule10_send_large_text_echoed(self):
        data = text_pattern(100000)
        res = self.cli(self.server.url("/echo"), "--jsonl", "--send", data, "--close", "1000")
        self.assertEvents(res, [open_ev(), text_ev(data), close_ev(1000, "", True)], rc=0)

    def test_rule26_server_ping_gets_pong(self):
        res = self.cli(self.server.url("/ping?payload=hello-ping"), "--jsonl", "--send", "x",
                       "--close", "1000")
        self.assertEvents(res, [open_ev(), text_ev("pong:hello-ping"), close_ev(1000, "", True)],
                          rc=0)
        rec = self.server.record(timeout=10)
        self.assertIsNotNone(rec)
        self.assertEqual(rec["pong"], "hello-ping")


def _add_size_tests(cls):
    for kind in ("text", "binary"):
        for size in SIZES:
            def test(self, kind=kind, size=size):
                self.check_receive(kind, size)
            test.__name__ = f"test_rule22_receive_{kind}_{size_name(size)}"
            test.__doc__ = f"a {size}-byte {kind} message arrives whole with its type"
            setattr(cls, test.__name__, test)
    return cls


_add_size_tests(MessageTests)


class NodeMessages(MessageTests, CliTestCase):
    SERVER = "node"

    def test_rule22_fragmented_messages(self):
        res = self.cli(self.server.url("/fragmented"), "--jsonl", "--send", "a", "--send", "b",
                       "--close", "1000")
        self.assertEvents(res, [open_ev(), text_ev("Hello, fragmented world!"),
                                binary_ev(binary_pattern(100000)), close_ev(1000, "", True)], rc=0)


class PythonMessages(MessageTests, CliTestCase):
    SERVER = "python"


if __name__ == "__main__":
    unittest.main()
