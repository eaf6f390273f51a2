"""Handshake request options: custom headers and the user agent, as the
servers received them, and the headers the client refuses to set."""
import json
import unittest

from harness import CliTestCase, close_ev, open_ev


class RequestHeaderTests(CliTestCase):
    def received_headers(self, kind, *args):
        s = self.start_server(kind)
        res = self.cli(s.url("/headers"), "--jsonl", "--send", "x", "--close", "1000", *args)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertEqual(res.events[0], open_ev(), res.describe())
        self.assertEqual(res.events[-1], close_ev(1000), res.describe())
        return {k.lower(): v for k, v in json.loads(res.events[1]["data"]).items()}

    def test_custom_headers_and_user_agent_reach_node(self):
        h = self.received_headers("node", "-H", "Authorization: Bearer token-1",
                                  "-H", "Cookie: a=1; b=2", "-H", "Origin: https://game.example",
                                  "--user-agent", "my-game/2.0")
        self.assertEqual(h["authorization"], "Bearer token-1")
        self.assertEqual(h["cookie"], "a=1; b=2")
        self.assertEqual(h["origin"], "https://game.example")
        self.assertEqual(h["user-agent"], "my-game/2.0")

    def test_custom_headers_reach_python(self):
        h = self.received_headers("python", "-H", "Authorization: Basic dXNlcjpwYXNz")
        self.assertEqual(h["authorization"], "Basic dXNlcjpwYXNz")
        self.assertTrue(h["user-agent"].startswith("polyws/"), h)

    def test_protocol_owned_headers_are_refused(self):
        for header in ("Host: evil", "Upgrade: h2c", "Connection: close",
                       "Sec-WebSocket-Key: AAAA", "sec-websocket-protocol: chat",
                       "Content-Length: 3"):
            res = self.cli("ws://127.0.0.1:1/", "--jsonl", "-n", "-H", header)
            self.assertEqual(res.rc, 2, res.describe())
            self.assertEqual(res.events, [], res.describe())
            self.assertIn("cannot be set", res.stderr, res.describe())

    def test_malformed_headers_are_refused(self):
        for header in ("Bad Name: x", "X-Split: a\r\nInjected: yes", ": empty"):
            res = self.cli("ws://127.0.0.1:1/", "--jsonl", "-n", "-H", header)
            self.assertEqual(res.rc, 2, res.describe())
            self.assertEqual(res.events, [], res.describe())


if __name__ == "__main__":
    unittest.main()
