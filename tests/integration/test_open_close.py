"""Opening handshake and client-initiated close (rules 2, 5, 19, 21, 24)."""
import unittest

from harness import CliTestCase, PeerPerTest, close_ev, open_ev, text_ev


class ClientCloseTests(PeerPerTest):
    def test_rule21_open_event_keys(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--close", "1000")
        self.assertEvents(res, [open_ev("", ""), close_ev(1000, "", True)], rc=0)

    def test_rule19_client_close_1000_with_reason(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--close", "1000:bye")
        self.assertEvents(res, [open_ev(), close_ev(1000, "bye", True)], rc=0)
        rec = self.conn_record()
        self.assertEqual((rec["close_code"], rec["close_reason"]), (1000, "bye"))

    def test_rule19_client_close_4000(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--close", "4000")
        self.assertEvents(res, [open_ev(), close_ev(4000, "", True)], rc=0)
        rec = self.conn_record()
        self.assertEqual((rec["close_code"], rec["close_reason"]), (4000, ""))

    def test_rule19_client_close_3000_utf8_reason(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--close", "3000:κόσμε ☃")
        self.assertEvents(res, [open_ev(), close_ev(3000, "κόσμε ☃", True)], rc=0)
        rec = self.conn_record()
        self.assertEqual((rec["close_code"], rec["close_reason"]), (3000, "κόσμε ☃"))

    def test_rule19_client_close_reason_123_bytes(self):
        reason = "r" * 123
        res = self.cli(self.server.url("/echo"), "--jsonl", "--close", "4999", "--close-reason", reason)
        self.assertEvents(res, [open_ev(), close_ev(4999, reason, True)], rc=0)
        rec = self.conn_record()
        self.assertEqual((rec["close_code"], rec["close_reason"]), (4999, reason))

    def test_rule20_sends_then_close(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--send", "one", "--send", "two",
                       "--close", "1000:done")
        self.assertEvents(res, [open_ev(), text_ev("one"), text_ev("two"),
                                close_ev(1000, "done", True)], rc=0)
        rec = self.conn_record()
        self.assertEqual(rec["messages"], [{"type": "text", "size": 3}] * 2)
        self.assertEqual(rec["close_code"], 1000)

    def test_stdin_lines_sent_then_close_1000(self):
        # Without --send/--close/--echo each stdin line goes out as text; at
        # the end of input the CLI closes 1000 once the replies have arrived.
        res = self.cli(self.server.url("/echo"), "--jsonl", input="one\ntwo\nκόσμε\n".encode())
        self.assertEvents(res, [open_ev(), text_ev("one"), text_ev("two"), text_ev("κόσμε"),
                                close_ev(1000, "", True)], rc=0)
        rec = self.conn_record()
        self.assertEqual([m["size"] for m in rec["messages"]], [3, 3, len("κόσμε".encode())])
        self.assertEqual(rec["close_code"], 1000)

    def test_rule2_http_scheme_becomes_ws(self):
        res = self.cli(self.server.url("/echo", scheme="http"), "--jsonl", "--close", "1000")
        self.assertEvents(res, [open_ev(), close_ev(1000, "", True)], rc=0)


class NodeClientClose(ClientCloseTests, CliTestCase):
    SERVER = "node"


class PythonClientClose(ClientCloseTests, CliTestCase):
    SERVER = "python"


class SyntaxTests(CliTestCase):
    """Constructor errors: exit 2, reason on stderr, no event, no connection."""

    def assertSyntaxError(self, *args):
        res = self.cli(*args)
        self.assertEqual(res.rc, 2, "want exit 2 (SyntaxError)" + res.describe())
        self.assertEqual(res.events, [], "no event may be printed" + res.describe())
        self.assertNotEqual(res.stderr.strip(), "", "the reason must be on stderr")

    def test_rule1_relative_url(self):
        self.assertSyntaxError("/echo", "--jsonl", "--close", "1000")

    def test_rule1_unparsable_url(self):
        self.assertSyntaxError("ws://[::1", "--jsonl", "--close", "1000")

    def test_rule2_other_scheme(self):
        self.assertSyntaxError("ftp://127.0.0.1:1/", "--jsonl", "--close", "1000")

    def test_rule3_fragment(self):
        self.assertSyntaxError("ws://127.0.0.1:1/#frag", "--jsonl", "--close", "1000")

    def test_rule3_empty_fragment(self):
        self.assertSyntaxError("ws://127.0.0.1:1/#", "--jsonl", "--close", "1000")

    def test_rule4_protocol_not_a_token(self):
        self.assertSyntaxError("ws://127.0.0.1:1/", "-p", "a b", "--jsonl", "--close", "1000")

    def test_rule4_protocol_with_comma(self):
        self.assertSyntaxError("ws://127.0.0.1:1/", "-p", "a,b", "--jsonl", "--close", "1000")

    def test_rule4_duplicate_protocols(self):
        self.assertSyntaxError("ws://127.0.0.1:1/", "-p", "chat", "-p", "chat", "--jsonl",
                               "--close", "1000")

    def test_rule16_close_reason_over_123_bytes(self):
        self.assertSyntaxError("ws://127.0.0.1:1/", "--jsonl", "--close", "1000:" + "r" * 124)


if __name__ == "__main__":
    unittest.main()
