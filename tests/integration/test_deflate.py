"""permessage-deflate (RFC 7692), opt-in, against Node ws and Python
websockets with compression on: negotiation, messages both ways at every
size, the size limit applied after inflating, and the lws 4.1.6 fault
(unsolicited pongs with payload while deflate is active) kept away."""
import unittest

from harness import (CliTestCase, binary_ev, binary_pattern, close_ev, failed_ev, open_ev,
                     text_ev, text_pattern)


class DeflateMixin:
    kind = None

    def setUp(self):
        super().setUp()
        self.server = self.start_server(self.kind)

    def test_negotiated_and_reported_in_extensions(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--deflate", "--close", "1000")
        self.assertEqual(res.rc, 0, res.describe())
        self.assertTrue(res.events[0]["extensions"].startswith("permessage-deflate"), res.describe())

    def test_not_offered_by_default(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--send", "plain", "--close", "1000")
        self.assertEvents(res, [open_ev(), text_ev("plain"), close_ev(1000)], rc=0)

    def test_compressed_echo_both_ways(self):
        texts = ["", "a", "hello hello hello hello", "wörld ✓ κόσμε", text_pattern(125),
                 text_pattern(70000)]
        args = []
        for t in texts:
            args += ["--send", t]
        res = self.cli(self.server.url("/echo"), "--jsonl", "--deflate", *args, "--close", "1000")
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual([e.get("data") for e in res.events[1:-1]], texts, res.describe())

    def test_compressed_messages_from_the_server(self):
        for size, kind in ((0, "binary"), (1, "text"), (65536, "binary"), (1 << 20, "text"),
                           (16 << 20, "binary")):
            url = self.server.url(f"/send?count=2&size={size}&type={kind}")
            res = self.cli(url, "--jsonl", "--deflate")
            ev = (text_ev(text_pattern(size)) if kind == "text" else binary_ev(binary_pattern(size)))
            self.assertEqual(res.rc, 0, res.describe())
            self.assertEqual(res.events[1:3], [ev, ev], f"size {size}")
            self.assertEqual(res.events[-1], close_ev(1000, "done"))

    def test_parameters_offered_and_honoured(self):
        texts = ["alpha " * 50, "beta " * 3000, "alpha " * 50]
        for args in (["--deflate-no-context-takeover"], ["--deflate-window-bits", "10", "9"],
                     ["--deflate-window-bits", "9", "15", "--deflate-no-context-takeover"]):
            sends = []
            for t in texts:
                sends += ["--send", t]
            res = self.cli(self.server.url("/echo"), "--jsonl", *args, *sends, "--close", "1000")
            self.assertEqual(res.rc, 0, res.describe())
            ext = res.events[0]["extensions"]
            self.assertTrue(ext.startswith("permessage-deflate"), res.describe())
            if "--deflate-no-context-takeover" in args:
                self.assertIn("server_no_context_takeover", ext, res.describe())
            self.assertEqual([e.get("data") for e in res.events[1:-1]], texts, res.describe())

    def test_bad_window_bits_refused_up_front(self):
        res = self.cli(self.server.url("/echo"), "--jsonl", "--deflate-window-bits", "8", "15")
        self.assertEqual(res.rc, 2, res.describe())

    def test_rule25_limit_applies_after_inflating(self):
        # 1 MB of repetitive text compresses to a few KB: the limit still holds.
        url = self.server.url("/send?count=1&size=1000000&type=text")
        res = self.cli(url, "--jsonl", "--deflate", "--max-message-size", "100000")
        self.assertEvents(res, [open_ev(res.events[0]["protocol"], res.events[0]["extensions"])]
                          + failed_ev(), rc=1)
        self.assertIn("after decompression", res.events[1]["message"], res.describe())


class NodeDeflateTests(DeflateMixin, CliTestCase):
    kind = "node-deflate"

    def test_unsolicited_pongs_with_payload_while_deflating(self):
        res = self.cli(self.server.url("/pong-unsolicited"), "--jsonl", "--deflate", "--send", "x",
                       "--close", "1000", timeout=20)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(res.events[1:], [text_ev("after pongs"), close_ev(1000)], res.describe())


class PythonDeflateTests(DeflateMixin, CliTestCase):
    kind = "python-deflate"


if __name__ == "__main__":
    unittest.main()
