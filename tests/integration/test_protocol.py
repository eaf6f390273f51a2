"""Protocol duties after open, seen on the wire by tests/peers/raw_server.py
(rules 25, 26 and the "Protocol duties" of docs/contract.md). The full set of
cases is graded by tests/conformance/run.py; these are one per duty."""
import unittest

from harness import (CliTestCase, binary_ev, binary_pattern, close_ev, failed_ev, open_ev,
                     text_ev)


class RawProtocolTests(CliTestCase):
    def setUp(self):
        super().setUp()
        self.server = self.start_server("raw")

    def run_case(self, case, *args, timeout=60):
        res = self.cli(self.server.url("/" + case), "--jsonl", "--echo", *args, timeout=timeout)
        rec = self.server.record(timeout=15, match=lambda r: r.get("case") == case)
        self.assertIsNotNone(rec, f"raw server reported no connection for {case}" + res.describe())
        self.assertTrue(rec["client_masked"], "every client frame must be masked")
        self.assertEqual(rec["request_problems"], [])
        return res, rec

    def check_violation(self, case, wire_code, *args):
        res, rec = self.run_case(case, *args)
        self.assertEvents(res, [open_ev()] + failed_ev(), rc=1)
        self.assertTrue(rec["client_close_frame"], "the client must send a close frame" + res.describe())
        self.assertEqual(rec["client_close_code"], wire_code,
                         f"close frame on the wire must say {wire_code}")

    # 1007
    def test_duty_invalid_utf8_text_1007(self):
        self.check_violation("utf8-invalid-single", 1007)

    def test_duty_invalid_utf8_across_fragments_1007(self):
        self.check_violation("utf8-invalid-split", 1007)

    def test_duty_invalid_utf8_fail_fast_1007(self):
        self.check_violation("utf8-fail-fast", 1007)

    def test_duty_close_reason_not_utf8_1007(self):
        self.check_violation("close-bad-utf8-reason", 1007)

    # 1002
    def test_duty_close_one_byte_payload_1002(self):
        self.check_violation("close-1byte", 1002)

    def test_duty_close_invalid_code_1005_1002(self):
        self.check_violation("close-invalid-1005", 1002)

    def test_duty_close_invalid_code_2999_1002(self):
        self.check_violation("close-invalid-2999", 1002)

    def test_duty_reserved_bit_1002(self):
        self.check_violation("rsv1-text", 1002)

    def test_duty_reserved_opcode_1002(self):
        self.check_violation("opcode-3", 1002)

    def test_duty_fragmented_ping_1002(self):
        self.check_violation("ping-fragmented", 1002)

    def test_duty_oversized_ping_1002(self):
        self.check_violation("ping-126", 1002)

    def test_duty_masked_server_frame_1002(self):
        self.check_violation("masked-server-frame", 1002)

    def test_duty_continuation_without_message_1002(self):
        self.check_violation("continuation-no-message", 1002)

    def test_duty_data_frame_inside_fragmented_message_1002(self):
        self.check_violation("data-during-fragmented-text", 1002)

    # 1009
    def test_duty_message_over_max_size_1009(self):
        self.check_violation("limit-over-fragmented", 1009, "--max-message-size", "1024")

    # valid traffic
    def test_rule26_ping_answered_with_same_payload(self):
        res, rec = self.run_case("ping-payload")
        self.assertEvents(res, [open_ev(), close_ev(1000, "done", True)], rc=0)
        self.assertEqual(rec["pongs"], [b"hello-ping".hex()])

    def test_rule26_ping_inside_fragmented_message(self):
        res, rec = self.run_case("ping-inside-fragmented")
        self.assertEvents(res, [open_ev(), text_ev("Hello, world!"), close_ev(1000, "done", True)],
                          rc=0)
        self.assertEqual(rec["pongs"], [b"mid".hex()])

    def test_rule26_unsolicited_pong_ignored(self):
        res, rec = self.run_case("pong-unsolicited")
        self.assertEvents(res, [open_ev(), text_ev("after-pong"), close_ev(1000, "done", True)], rc=0)

    def test_rule22_echo_keeps_binary_type(self):
        res, rec = self.run_case("binary-126")
        self.assertEvents(res, [open_ev(), binary_ev(binary_pattern(126)),
                                close_ev(1000, "done", True)], rc=0)
        self.assertEqual([(m["type"], m["size"]) for m in rec["received"]], [("binary", 126)])

    def test_rule22_echo_keeps_text_type(self):
        res, rec = self.run_case("text-utf8-split-codepoint")
        self.assertEqual([(m["type"], m.get("text")) for m in rec["received"]],
                         [("text", "κόσμε😀")], res.describe())
        self.assertEqual(res.rc, 0, res.describe())

    def test_rule22_binary_16mib_single_frame_echoed(self):
        res, rec = self.run_case("binary-16mib", timeout=120)
        self.assertEvents(res, [open_ev(), binary_ev(binary_pattern(16 * 1024 * 1024)),
                                close_ev(1000, "done", True)], rc=0)
        self.assertEqual([(m["type"], m["size"]) for m in rec["received"]],
                         [("binary", 16 * 1024 * 1024)])

    def test_rule24_valid_close_code_echoed(self):
        res, rec = self.run_case("close-4999")
        self.assertEvents(res, [open_ev(), close_ev(4999, "reason 4999", True)], rc=0)
        self.assertEqual(rec["client_close_code"], 4999)

    def test_rule24_empty_close_frame_is_1005(self):
        res, rec = self.run_case("close-empty")
        self.assertEvents(res, [open_ev(), close_ev(1005, "", True)], rc=0)
        self.assertTrue(rec["client_close_frame"])


if __name__ == "__main__":
    unittest.main()
