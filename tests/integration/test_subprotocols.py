"""Subprotocol negotiation (rules 4, 8, 21) and the request the client sends."""
import json
import unittest

from harness import CliTestCase, close_ev, open_ev


class SubprotocolTests:
    SERVER = None

    def setUp(self):
        super().setUp()
        self.server = self.start_server(self.SERVER)

    def test_rule21_selected_protocol_in_open_event(self):
        res = self.cli(self.server.url("/subprotocol"), "-p", "chat", "--jsonl", "--close", "1000")
        self.assertEvents(res, [open_ev("chat"), close_ev(1000, "", True)], rc=0)

    def test_rule21_server_picks_among_several(self):
        res = self.cli(self.server.url("/subprotocol"), "-p", "foo", "-p", "superchat",
                       "--jsonl", "--close", "1000")
        self.assertEvents(res, [open_ev("superchat"), close_ev(1000, "", True)], rc=0)

    def test_rule8_requested_but_none_selected_fails(self):
        res = self.cli(self.server.url("/subprotocol"), "-p", "foo", "-p", "bar", "--jsonl",
                       "--close", "1000")
        self.assertFailed(res)

    def test_rule21_no_protocol_requested_none_selected(self):
        res = self.cli(self.server.url("/subprotocol"), "--jsonl", "--close", "1000")
        self.assertEvents(res, [open_ev(""), close_ev(1000, "", True)], rc=0)

    def test_rule21_request_headers(self):
        res = self.cli(self.server.url("/headers"), "--jsonl", "--send", "x", "--close", "1000")
        self.assertEqual([e.get("event") for e in res.events], ["open", "message", "close"],
                         res.describe())
        headers = json.loads(res.events[1]["data"])
        headers = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(headers.get("upgrade", "").lower(), "websocket")
        self.assertIn("upgrade", [t.strip().lower() for t in headers.get("connection", "").split(",")])
        self.assertEqual(headers.get("sec-websocket-version"), "13")
        self.assertEqual(headers.get("host"), f"127.0.0.1:{self.server.port}")
        self.assertNotIn("sec-websocket-protocol", headers)
        self.assertEqual(res.events[2], close_ev(1000, "", True))


class NodeSubprotocols(SubprotocolTests, CliTestCase):
    SERVER = "node"

    def test_rule21_server_picks_first_offered_supported(self):
        # node_server picks the first offered protocol it supports.
        res = self.cli(self.server.url("/subprotocol"), "-p", "foo", "-p", "superchat", "-p", "chat",
                       "--jsonl", "--close", "1000")
        self.assertEvents(res, [open_ev("superchat"), close_ev(1000, "", True)], rc=0)

    def test_rule21_protocol_with_dot(self):
        res = self.cli(self.server.url("/subprotocol"), "-p", "v2.json", "--jsonl", "--close", "1000")
        self.assertEvents(res, [open_ev("v2.json"), close_ev(1000, "", True)], rc=0)

    def test_rule8_selected_protocol_not_requested_fails(self):
        res = self.cli(self.server.url("/subprotocol-bogus"), "-p", "chat", "--jsonl", "--close", "1000")
        self.assertFailed(res)

    def test_rule8_protocol_selected_when_none_requested_fails(self):
        res = self.cli(self.server.url("/subprotocol-bogus"), "--jsonl", "--close", "1000")
        self.assertFailed(res)


class PythonSubprotocols(SubprotocolTests, CliTestCase):
    SERVER = "python"


class OfferedProtocolsTests(CliTestCase):
    """What the client offers, seen by the raw server."""

    def test_rule4_protocols_offered_in_order(self):
        server = self.start_server("raw")
        res = self.cli(server.url("/hs-subprotocol-ok"), "-p", "chat", "-p", "superchat",
                       "--jsonl", "--echo")
        self.assertEvents(res, [open_ev("superchat"), close_ev(1000, "done", True)], rc=0)
        rec = server.record(timeout=10)
        self.assertIsNotNone(rec)
        self.assertEqual(rec["offered_protocols"], ["chat", "superchat"])
        self.assertEqual(rec["request_problems"], [])


if __name__ == "__main__":
    unittest.main()
