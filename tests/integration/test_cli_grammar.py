"""The CLI's command-line grammar, table-driven (issue 19).

ACCEPTED: command lines in every order, each run against a real peer (Node
`ws` on /echo and /close) and checked by the events it gives, so what was
parsed is seen in what happened. REFUSED: command lines that must exit 2
before connecting, with the message that names what is wrong and the usage
line. Plus --help and --version.
"""
import os
import re
import unittest

from harness import (ROOT, CliTestCase, Server, binary_ev, close_ev, open_ev, run_cli, text_ev)

USAGE_LINE = "usage: polyws [options] URL"
NOWHERE = "ws://127.0.0.1:1/"   # refused lines never connect

# (arguments with {url} for the server's /echo and {close} for its
# /close?code=4001&reason=server, expected events)
ACCEPTED = [
    (["--jsonl", "--close", "1000:bye", "{url}"], [open_ev(), close_ev(1000, "bye")]),
    (["{url}", "--jsonl", "--close", "1000:bye"], [open_ev(), close_ev(1000, "bye")]),
    (["--close", "1000:bye", "{url}", "--jsonl"], [open_ev(), close_ev(1000, "bye")]),
    (["--jsonl", "--close", "1000", "--close-reason", "bye", "{url}"],
     [open_ev(), close_ev(1000, "bye")]),
    (["--close-reason", "bye", "{url}", "--jsonl", "--close", "3000"],
     [open_ev(), close_ev(3000, "bye")]),
    (["--close=4999:a:b", "--jsonl", "{url}"], [open_ev(), close_ev(4999, "a:b")]),
    (["--jsonl", "--close", "1000:", "{url}"], [open_ev(), close_ev(1000, "")]),
    (["--jsonl", "--close", "1000:κόσμε ☃", "{url}"], [open_ev(), close_ev(1000, "κόσμε ☃")]),
    # an option's value is always the next argument, whatever it looks like
    (["--jsonl", "--send", "--close", "--close", "1000", "{url}"],
     [open_ev(), text_ev("--close"), close_ev(1000)]),
    (["--jsonl", "--send=a=b", "--send", "-", "{url}", "--close", "1000"],
     [open_ev(), text_ev("a=b"), text_ev("-"), close_ev(1000)]),
    (["--jsonl", "--close", "1000", "--", "{url}"], [open_ev(), close_ev(1000)]),
    (["-c", "{url}", "--jsonl", "--close", "4000"], [open_ev(), close_ev(4000)]),
    (["--jsonl", "--connect={url}", "--close", "1000"], [open_ev(), close_ev(1000)]),
    (["--jsonl", "--connect", "{url}", "-b", "--send", "hi", "--close", "1000"],
     [open_ev(), binary_ev(b"hi"), close_ev(1000)]),
    (["--jsonl", "-n", "{close}"], [open_ev(), close_ev(4001, "server")]),
    (["--no-stdin", "{close}", "--jsonl"], [open_ev(), close_ev(4001, "server")]),
    (["--jsonl", "--ping-interval=60000", "--pong-timeout", "5000", "{url}", "--close=1000"],
     [open_ev(), close_ev(1000)]),
]

# (arguments, what stderr must say)
REFUSED = [
    (["--jsonl", "--close", "1000", "bye", NOWHERE],
     "'bye' after --close 1000 was taken for the URL): a close reason goes as --close 1000:bye"),
    ([NOWHERE, "--jsonl", "--close", "1000", "bye"],
     "unexpected argument 'bye': a close reason goes as --close 1000:bye"),
    (["--close"], "--close needs a value: --close CODE[:REASON]"),
    (["--close", "abc", NOWHERE], "--close: 'abc' is not CODE or CODE:REASON"),
    (["--close", "-1", NOWHERE], "--close: '-1' is not CODE or CODE:REASON"),
    (["--close", "999", NOWHERE], "--close: code 999 is neither 1000 nor in 3000-4999"),
    (["--close", "5000:x", NOWHERE], "--close: code 5000 is neither 1000 nor in 3000-4999"),
    (["--close", "1000:" + "r" * 124, NOWHERE], "--close: the reason is 124 bytes; at most 123"),
    (["--close", "1000", "--close-reason", "r" * 124, NOWHERE], "at most 123 are allowed"),
    (["--close-reason", "x", NOWHERE], "--close-reason: needs --close CODE"),
    (["--close", "1000:a", "--close-reason", "b", NOWHERE], "--close-reason: the reason is given twice"),
    (["--close-reason", "b", "--close", "1000:a", NOWHERE], "--close: the reason is given twice"),
    (["--close", "1000", "--close", "3000", NOWHERE], "--close: given twice"),
    (["--frobnicate", NOWHERE], "unknown option '--frobnicate'"),
    (["-x", NOWHERE], "unknown option '-x'"),
    (["-pchat", NOWHERE], "unknown option '-pchat'"),
    (["--echo=1", NOWHERE], "--echo takes no value"),
    (["--ping-interval", "soon", NOWHERE], "--ping-interval: 'soon' is not a whole number"),
    (["--connect-timeout", "4294967296", NOWHERE], "--connect-timeout: '4294967296' is not a whole number"),
    (["--max-message-size", "-1", NOWHERE], "--max-message-size: '-1' is not a number of bytes"),
    (["--deflate-window-bits", "9", NOWHERE], "--deflate-window-bits: '9 ws://127.0.0.1:1/' are not"),
    (["--deflate-window-bits=9", NOWHERE], "--deflate-window-bits takes 2 values"),
    (["--deflate-window-bits", "8", "8", NOWHERE], "--deflate-window-bits:"),
    (["-p"], "--protocol needs a value: --protocol NAME"),
    ([NOWHERE, "ws://127.0.0.1:2/"], "unexpected argument 'ws://127.0.0.1:2/' (the URL is 'ws://127.0.0.1:1/')"),
    ([NOWHERE, "-c", "ws://127.0.0.1:2/"], "--connect: the URL is given twice"),
    ([], "no URL given"),
    (["--jsonl", "--close", "1000"], "no URL given"),
    (["--hex", "--base64", NOWHERE], "--hex and --base64: choose one"),
    (["--no-close", "--exit-on-eof", NOWHERE], "--no-close and --exit-on-eof: choose one"),
    (["--whole-stdin", "--send", "x", NOWHERE], "--whole-stdin: standard input is not read with --send"),
    (["--exit-on-eof", "-n", NOWHERE], "--exit-on-eof: standard input is not read with --no-stdin"),
    (["--no-close", "--echo", NOWHERE], "--no-close: standard input is not read with --echo"),
    (["-H", "NoColon", NOWHERE], "--header: 'NoColon' is not 'Name: value'"),
    (["-H", "Upgrade: x", NOWHERE], "--header: header 'Upgrade' belongs to the WebSocket handshake"),
    (["--pong-timeout", "0", NOWHERE], "--pong-timeout:"),
    (["--proxy", "ftp://proxy/", NOWHERE], "--proxy:"),
    (["--cert", "c.pem", NOWHERE], "--cert:"),
    (["ftp://127.0.0.1:1/"], "URL 'ftp://127.0.0.1:1/': "),
    (["/echo"], "URL '/echo': not an absolute URL"),
    (["--", "--jsonl"], "URL '--jsonl': "),   # after --, "--jsonl" is the URL
    ([NOWHERE, "-p", "a b"], "--protocol: invalid character in subprotocol 'a b'"),
    ([NOWHERE, "-p", "chat", "--protocol=chat"], "--protocol: subprotocol 'chat' is listed twice"),
    (["--cacert", "/nonexistent/ca.pem", "wss://127.0.0.1:1/"],
     "could not load the CA file '/nonexistent/ca.pem'"),
]


class GrammarTests(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("node")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_accepted_command_lines(self):
        urls = {"url": self.server.url("/echo"),
                "close": self.server.url("/close?code=4001&reason=server")}
        for args, events in ACCEPTED:
            line = [a.format(**urls) for a in args]
            with self.subTest(args=" ".join(args)):
                self.assertEvents(self.cli(*line), events, rc=0)

    def test_refused_command_lines(self):
        for args, message in REFUSED:
            with self.subTest(args=" ".join(args)[:80]):
                res = self.cli(*args)
                self.assertEqual(res.rc, 2, "want exit 2 (usage)" + res.describe())
                self.assertEqual(res.stdout, b"", "nothing on stdout" + res.describe())
                self.assertIn(message, res.stderr, res.describe())
                self.assertTrue(res.stderr.startswith("polyws: "), res.describe())
                self.assertIn(USAGE_LINE, res.stderr.splitlines(), res.describe())


def header_version():
    with open(os.path.join(ROOT, "capi", "include", "polyws.h")) as f:
        text = f.read()
    parts = [re.search(rf"#define POLYWS_VERSION_{p} (\d+)", text).group(1)
             for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


class HelpTests(CliTestCase):
    def test_help_groups_examples_and_exit_statuses(self):
        for flag in ("--help", "-h"):
            res = run_cli([flag, "--jsonl", "ws://ignored/"])   # --help wins, at once
            self.assertEqual(res.rc, 0, res.describe())
            out = res.stdout.decode()
            self.assertTrue(out.startswith(USAGE_LINE + "\n"), out[:200])
            for title in ("Connecting:", "TLS (wss://):", "Compression:", "What to send:",
                          "Closing:", "Output:", "Limits and keepalive:", "Help:", "Examples:",
                          "Exit status:"):
                self.assertIn("\n" + title + "\n", out)
            statuses = out.split("Exit status:\n", 1)[1]
            self.assertRegex(statuses, r"\n?  0  the connection closed cleanly\n")
            self.assertRegex(statuses, r"  1  the connection failed, or closed without a clean")
            self.assertRegex(statuses, r"  2  bad usage")
            self.assertEqual([l for l in out.splitlines() if len(l) > 80], [], "lines over 80 columns")

    def test_help_after_a_usage_error_is_not_reached(self):
        res = run_cli(["--frobnicate", "--help"])
        self.assertEqual(res.rc, 2, res.describe())

    def test_version_names_the_library(self):
        res = run_cli(["--version"])
        self.assertEqual(res.rc, 0, res.describe())
        v = header_version()
        self.assertEqual(res.stdout.decode().strip(), f"polyws {v} (libpolyws {v})")


if __name__ == "__main__":
    unittest.main()
