"""Network failures and dropped connections (rules 6, 7, 24, 25)."""
import json
import subprocess
import threading
import unittest

from harness import CliTestCase, close_ev, cli_path, cli_under_wine, failed_ev, free_port, open_ev, summarize


class NetworkFailureTests(CliTestCase):
    def test_rule25_refused_connection(self):
        res = self.cli(f"ws://127.0.0.1:{free_port()}/", "--jsonl", "--close", "1000")
        self.assertEvents(res, failed_ev(), rc=1)

    def test_rule25_unknown_host(self):
        res = self.cli("ws://nonexistent.invalid/", "--jsonl", "--close", "1000",
                       "--connect-timeout", "10000")
        self.assertEvents(res, failed_ev(), rc=1)

    def test_rule6_unknown_host_is_not_a_syntax_error(self):
        res = self.cli("ws://nonexistent.invalid/", "--jsonl", "--close", "1000",
                       "--connect-timeout", "10000")
        self.assertNotEqual(res.rc, 2, "a network failure is not a SyntaxError" + res.describe())


class NodeFailureTests(CliTestCase):
    def setUp(self):
        super().setUp()
        self.server = self.start_server("node")

    def test_rule25_connect_timeout_slow_handshake(self):
        res = self.cli(self.server.url("/slow-handshake"), "--jsonl", "--close", "1000",
                       "--connect-timeout", "500")
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertGreaterEqual(res.elapsed, 0.45, "failed before the timeout")
        self.assertLess(res.elapsed, 10.0, "--connect-timeout 500 was not applied")

    def test_rule7_http_403(self):
        res = self.cli(self.server.url("/status?code=403"), "--jsonl", "--close", "1000")
        self.assertEvents(res, failed_ev(), rc=1)

    def test_rule7_http_500(self):
        res = self.cli(self.server.url("/status?code=500"), "--jsonl", "--close", "1000")
        self.assertEvents(res, failed_ev(), rc=1)

    def test_rule7_http_200(self):
        res = self.cli(self.server.url("/status?code=200"), "--jsonl", "--close", "1000")
        self.assertEvents(res, failed_ev(), rc=1)

    def test_rule7_redirect_not_followed(self):
        res = self.cli(self.server.url("/redirect"), "--jsonl", "--close", "1000")
        self.assertEvents(res, failed_ev(), rc=1)
        # Following the redirect would have opened /echo: the server reports
        # each WebSocket connection when it ends.
        followed = [r for r in self.server.records_for(0.5) if r.get("path") == "/echo"]
        self.assertEqual(followed, [], "the client followed the redirect")

    def test_rule24_drop_after_open_no_error(self):
        res = self.cli(self.server.url("/drop-after-open"), "--jsonl", "--echo")
        self.assertEvents(res, [open_ev(), close_ev(1006, "", False)], rc=1)

    # Under Wine this once hung about 1 run in 7 (open, then no close): a
    # reset arriving with the last data is reported once by Winsock
    # (FD_READ | FD_CLOSE together), and libwebsockets 4.1.6's Windows loop
    # reads and drops the FD_CLOSE. The transport now asks the socket after
    # each read on Windows (platform.h, peer_ended_stream); this case checks
    # that the reset still ends the connection with 1006.
    def test_rule24_reset_after_open_no_error(self):
        res = self.cli(self.server.url("/drop-after-open?mode=rst"), "--jsonl", "--echo")
        if cli_under_wine() and res.events and res.events[0].get("event") == "error":
            # Windows discards data received but not yet read when a reset
            # arrives (recv fails with WSAECONNRESET), so the 101 sent just
            # before the RST may never reach the client: the opening
            # handshake then fails, which the browser reports as error and
            # 1006 without open. Linux delivers the 101 first.
            self.assertEvents(res, failed_ev(), rc=1)
            return
        self.assertEvents(res, [open_ev(), close_ev(1006, "", False)], rc=1)

    def test_rule24_drop_mid_message_no_error(self):
        res = self.cli(self.server.url("/drop-mid-message"), "--jsonl", "--echo")
        self.assertEvents(res, [open_ev(), close_ev(1006, "", False)], rc=1)

    def test_rule25_message_over_max_size(self):
        res = self.cli(self.server.url("/send?count=1&size=2000&type=binary"), "--jsonl", "--echo",
                       "--max-message-size", "1000")
        self.assertEvents(res, [open_ev()] + failed_ev(), rc=1)
        rec = self.server.record(timeout=10)
        self.assertIsNotNone(rec)
        self.assertEqual(rec["close_code"], 1009, "the client's close frame must say 1009")

    def test_max_message_size_exact_limit_accepted(self):
        res = self.cli(self.server.url("/send?count=1&size=1000&type=text"), "--jsonl", "--echo",
                       "--max-message-size", "1000")
        self.assertEqual([e.get("event") for e in res.events], ["open", "message", "close"],
                         res.describe())
        self.assertEqual(res.events[1]["size"], 1000)
        self.assertEqual(res.events[2], close_ev(1000, "done", True))
        self.assertEqual(res.rc, 0)


class KilledServerTests:
    """The server process dies after open: the kernel closes its socket."""
    SERVER = None

    def test_rule24_server_killed_after_open_no_error(self):
        server = self.start_server(self.SERVER)
        proc = subprocess.Popen([cli_path(), server.url("/echo"), "--jsonl", "--echo"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        lines = []
        opened = threading.Event()

        def read():
            for line in proc.stdout:
                lines.append(line)
                if b'"open"' in line:
                    opened.set()
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            self.assertTrue(opened.wait(15), "no open event within 15 s")
            server.kill()
            rc = proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
        reader.join(timeout=5)
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        events = [json.loads(l) for l in lines if l.strip()]
        self.assertEqual(events, [open_ev(), close_ev(1006, "", False)],
                         summarize(events) + "\nstderr: " + err)
        self.assertEqual(rc, 1)


class NodeKilled(KilledServerTests, CliTestCase):
    SERVER = "node"


class PythonKilled(KilledServerTests, CliTestCase):
    SERVER = "python"


if __name__ == "__main__":
    unittest.main()
