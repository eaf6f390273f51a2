"""Keepalive pings, a silent peer (SIGSTOP), and IPv6 loopback."""
import os
import signal
import subprocess
import time
import unittest

from harness import CliResult, CliTestCase, cli_path, close_ev, failed_ev, open_ev, text_ev


class KeepaliveTests(CliTestCase):
    def test_pings_are_sent_and_answered(self):
        # The server tells us once it has seen three pings; ws answers each.
        s = self.start_server("node")
        res = self.cli(s.url("/count-pings?n=3"), "--jsonl", "--ping-interval", "50",
                       "--pong-timeout", "5000", "--send", "x", "--close", "1000")
        # --close waits for as many messages as were sent: the "pings:3".
        self.assertEvents(res, [open_ev(), text_ev("pings:3"), close_ev(1000)], rc=0)

    def test_rule25_silent_peer_fails_after_pong_timeout(self):
        s = self.start_server("node")
        cmd = [cli_path(), s.url("/echo"), "--jsonl", "-n", "--ping-interval", "100",
               "--pong-timeout", "500"]
        t0 = time.monotonic()
        cli = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        self.addCleanup(lambda: cli.poll() is None and cli.kill())
        first = cli.stdout.readline()   # the open event; the server is alive
        self.assertIn(b'"open"', first)
        os.kill(s.proc.pid, signal.SIGSTOP)   # the peer goes silent, TCP stays up
        self.addCleanup(lambda: s.proc.poll() is None and os.kill(s.proc.pid, signal.SIGCONT))
        try:
            out, err = cli.communicate(timeout=30)
        finally:
            os.kill(s.proc.pid, signal.SIGCONT)
        res = CliResult(cmd, cli.returncode, first + out, err, time.monotonic() - t0)
        self.assertEvents(res, [open_ev()] + failed_ev(), rc=1)
        self.assertIn("did not answer a ping", res.events[1]["message"], res.describe())


class Ipv6Tests(CliTestCase):
    def test_ipv6_loopback_conversation(self):
        s = self.start_server("node-ipv6")
        res = self.cli(f"ws://[::1]:{s.port}/echo", "--jsonl", "--send", "over IPv6",
                       "--close", "1000:v6")
        self.assertEvents(res, [open_ev(), text_ev("over IPv6"), close_ev(1000, "v6")], rc=0)


if __name__ == "__main__":
    unittest.main()
