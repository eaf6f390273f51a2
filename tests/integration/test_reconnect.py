"""Automatic reconnect (opt-in): drops are followed by reconnect events and
new connections, with backoff, a bounded number of attempts, and no
reconnect after a clean 1000 close or when not asked for."""
import json
import subprocess
import time
import unittest

from harness import CliResult, CliTestCase, cli_path, close_ev, free_port, open_ev, text_ev


def will(ev):
    return dict(ev, willReconnect=True)


class ReconnectTests(CliTestCase):
    def test_not_by_default(self):
        s = self.start_server("node")
        res = self.cli(s.url("/drop-after-open"), "--jsonl", "-n")
        self.assertEvents(res, [open_ev(), close_ev(1006, "", False)], rc=1)

    def test_drops_then_server_gone_then_give_up(self):
        s = self.start_server("node")
        cmd = [cli_path(), s.url("/drop-after-open"), "--jsonl", "-n", "--reconnect", "20",
               "--reconnect-max", "100", "--reconnect-attempts", "3"]
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        lines = []
        # Two drops after open, each followed by a reconnect; then the server goes.
        while sum(1 for l in lines if b'"reconnect"' in l) < 2:
            line = p.stdout.readline()
            self.assertTrue(line, b"".join(lines))
            lines.append(line)
        s.kill()
        out, err = p.communicate(timeout=30)
        res = CliResult(cmd, p.returncode, b"".join(lines) + out, err, time.monotonic() - t0)
        ev = res.events
        dropped = [open_ev(), will(close_ev(1006, "", False))]
        self.assertEqual(ev[:6], dropped + [{"event": "reconnect", "attempt": 1}] + dropped
                         + [{"event": "reconnect", "attempt": 1}], res.describe())
        # After the last open: the drop, then three failed attempts counted
        # 1, 2, 3 (each error then close), then a final close without a
        # reconnect.
        last_open = max(i for i, e in enumerate(ev) if e == open_ev())
        after = ev[last_open + 1:]
        self.assertEqual(after[0], will(close_ev(1006, "", False)), res.describe())
        self.assertEqual([e["attempt"] for e in after if e["event"] == "reconnect"], [1, 2, 3],
                         res.describe())
        self.assertEqual(sum(1 for e in after if e["event"] == "error"), 3, res.describe())
        self.assertEqual(after[-1], close_ev(1006, "", False), res.describe())
        self.assertEqual(res.rc, 1)

    def test_no_reconnect_after_a_clean_1000_close(self):
        s = self.start_server("node")
        res = self.cli(s.url("/close?code=1000&reason=bye"), "--jsonl", "-n", "--reconnect", "20")
        self.assertEvents(res, [open_ev(), close_ev(1000, "bye")], rc=0)

    def test_reconnect_after_a_server_close_other_than_1000(self):
        s = self.start_server("node")
        cmd = [cli_path(), s.url("/close?code=1012&reason=restart"), "--jsonl", "-n",
               "--reconnect", "20", "--reconnect-attempts", "1"]
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        first = [p.stdout.readline() for _ in range(4)]
        p.kill()
        p.wait(timeout=10)
        res = CliResult(cmd, 0, b"".join(first), b"", time.monotonic() - t0)
        self.assertEqual(res.events, [open_ev(), will(close_ev(1012, "restart")),
                                      {"event": "reconnect", "attempt": 1}, open_ev()], res.describe())

    def test_sends_after_reconnect_reach_the_new_connection(self):
        # The echo path: a refused first attempt, then the server appears.
        port = free_port()
        import harness
        harness.SERVER_COMMANDS["node-fixed"] = harness.SERVER_COMMANDS["node"][:-1] + [str(port)]
        cmd = [cli_path(), f"ws://127.0.0.1:{port}/echo", "--jsonl", "--send", "hello again",
               "--close", "1000", "--reconnect", "50", "--reconnect-max", "200"]
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        first = p.stdout.readline()   # the refused attempt's error
        self.assertIn(b'"error"', first)
        self.start_server("node-fixed")
        out, err = p.communicate(timeout=30)
        res = CliResult(cmd, p.returncode, first + out, err, time.monotonic() - t0)
        ev = res.events
        self.assertEqual(ev[-3:], [open_ev(), text_ev("hello again"), close_ev(1000)], res.describe())
        self.assertTrue(all(e["event"] in ("error", "close", "reconnect") for e in ev[:-3]))
        self.assertEqual(res.rc, 0)


if __name__ == "__main__":
    unittest.main()
