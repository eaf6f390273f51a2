"""Server-initiated close (rules 23, 24)."""
import unittest
from urllib.parse import quote

from harness import CliTestCase, PeerPerTest, close_ev, open_ev, text_ev


class PeerCloseTests(PeerPerTest):
    def check_server_close(self, code, reason):
        path = f"/close?code={code}&reason={quote(reason)}"
        res = self.cli(self.server.url(path), "--jsonl", "--echo")
        self.assertEvents(res, [open_ev(), close_ev(code, reason, True)], rc=0)
        rec = self.conn_record()
        self.assertEqual(rec["close_code"], code, "the client must echo the code in its close frame")

    def test_rule24_server_close_1000_reason(self):
        self.check_server_close(1000, "server bye")

    def test_rule24_server_close_1001(self):
        self.check_server_close(1001, "going away")

    def test_rule24_server_close_4001_utf8_reason(self):
        self.check_server_close(4001, "κόσμε")

    def test_rule24_server_close_3000_empty_reason(self):
        self.check_server_close(3000, "")

    def test_rule24_server_close_without_code_is_1005(self):
        res = self.cli(self.server.url("/close"), "--jsonl", "--echo")
        self.assertEvents(res, [open_ev(), close_ev(1005, "", True)], rc=0)


class NodePeerClose(PeerCloseTests, CliTestCase):
    SERVER = "node"

    def test_rule23_close_after_echo(self):
        res = self.cli(self.server.url("/close-after-echo?code=4002&reason=after"), "--jsonl",
                       "--send", "hello")
        self.assertEvents(res, [open_ev(), text_ev("hello"), close_ev(4002, "after", True)], rc=0)


class PythonPeerClose(PeerCloseTests, CliTestCase):
    SERVER = "python"


if __name__ == "__main__":
    unittest.main()
