"""Handshake faults played by tests/peers/raw_server.py (rules 7, 8, 25)."""
import unittest

from harness import CliTestCase, close_ev, failed_ev, open_ev, text_ev


class RawHandshakeTests(CliTestCase):
    def setUp(self):
        super().setUp()
        self.server = self.start_server("raw")

    def record(self, case):
        rec = self.server.record(timeout=10, match=lambda r: r.get("case") == case)
        self.assertIsNotNone(rec, f"raw server reported no connection for {case}")
        self.assertEqual(rec["request_problems"], [], "the client's request is not RFC 6455")
        return rec

    def check_fault(self, case, *args):
        res = self.cli(self.server.url("/" + case), "--jsonl", "--echo", *args)
        self.assertEvents(res, failed_ev(), rc=1)
        rec = self.record(case)
        self.assertEqual(rec["client_frames"], 0, "no frame may follow a failed handshake")

    def test_rule25_bad_accept_key(self):
        self.check_fault("hs-bad-accept")

    def test_rule25_missing_accept_key(self):
        self.check_fault("hs-missing-accept")

    def test_rule7_status_200(self):
        self.check_fault("hs-status-200")

    def test_rule25_missing_upgrade_header(self):
        self.check_fault("hs-no-upgrade")

    def test_rule25_wrong_upgrade_header(self):
        self.check_fault("hs-wrong-upgrade")

    def test_rule25_missing_connection_header(self):
        self.check_fault("hs-no-connection")

    def test_rule25_wrong_connection_header(self):
        self.check_fault("hs-wrong-connection")

    def test_rule8_unrequested_subprotocol(self):
        self.check_fault("hs-unrequested-subprotocol")

    def test_rule8_subprotocol_not_among_requested(self):
        self.check_fault("hs-other-subprotocol", "-p", "chat")

    def test_rule8_requested_subprotocol_none_selected(self):
        self.check_fault("hs-no-subprotocol", "-p", "chat")

    def test_rule8_unrequested_extension(self):
        self.check_fault("hs-unrequested-extension")

    def test_rule7_redirect_301_not_followed(self):
        self.check_fault("hs-redirect-301")
        followed = [r for r in self.server.records_for(0.5) if r.get("case") == "hs-redirect-target"]
        self.assertEqual(followed, [], "the client followed the redirect")

    def test_rule21_valid_handshake(self):
        res = self.cli(self.server.url("/hs-ok"), "--jsonl", "--echo")
        self.assertEvents(res, [open_ev(), close_ev(1000, "done", True)], rc=0)
        rec = self.record("hs-ok")
        self.assertEqual(rec["client_close_code"], 1000)
        self.assertTrue(rec["client_masked"])

    def test_rule22_frame_in_same_segment_as_101(self):
        res = self.cli(self.server.url("/hs-frame-with-101"), "--jsonl", "--echo")
        self.assertEvents(res, [open_ev(), text_ev("in-the-101-packet"),
                                close_ev(1000, "done", True)], rc=0)


if __name__ == "__main__":
    unittest.main()
