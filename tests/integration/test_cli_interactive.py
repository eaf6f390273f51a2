"""A person at a terminal (issue 19): polyws run in a real terminal (tmux,
each test with a server of its own) against Node `ws`, driven by keys and
read back from the screen. Interactive: a '> ' prompt, '< ' before what
arrives, colour unless NO_COLOR is set, Ctrl-D closes at once. With stdout
piped (stdin still the terminal): plain lines.
"""
import os
import shlex
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import CliTestCase, cli_path

TMUX = shutil.which("tmux")
SCREEN_TIMEOUT = 15.0   # a hang guard: every wait ends as soon as the screen shows it
ESC = "\x1b["


class Terminal:
    """One tmux server and session (100x30) running `command` under sh."""

    def __init__(self, test, command, env):
        self.test = test
        self.dir = tempfile.TemporaryDirectory()   # holds the server's socket
        test.addCleanup(self.dir.cleanup)
        self.socket = os.path.join(self.dir.name, "tmux")
        subprocess.run([TMUX, "-S", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", "t",
                        "-x", "100", "-y", "30", command], env=env, check=True, timeout=10)
        test.addCleanup(self.close)

    def tmux(self, *args):
        return subprocess.run([TMUX, "-S", self.socket, *args], check=True, timeout=10,
                              stdout=subprocess.PIPE).stdout.decode("utf-8", "replace")

    def screen(self, escapes=False):
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "t")

    def lines(self):
        return [l.rstrip() for l in self.screen().splitlines() if l.strip()]

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def wait_for(self, predicate, what):
        deadline = time.monotonic() + SCREEN_TIMEOUT
        while time.monotonic() < deadline:
            if predicate(self.lines()):
                return
            time.sleep(0.05)
        self.test.fail(f"the screen never showed {what}:\n" + self.screen())

    def wait_for_text(self, text):
        self.wait_for(lambda lines: any(text in l for l in lines), repr(text))

    def wait_for_prompt(self):
        self.wait_for(lambda lines: lines and lines[-1] == ">", "the '> ' prompt on the last line")

    def close(self):
        subprocess.run([TMUX, "-S", self.socket, "kill-server"], timeout=10,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class InteractiveTests(CliTestCase):
    def setUp(self):
        super().setUp()
        if TMUX is None:
            self.fail("tmux is missing: scripts/install-deps.sh installs it")
        self.server = self.start_server("node")

    def terminal(self, shell_command, no_color=None):
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        if no_color is not None:
            env["NO_COLOR"] = no_color
        # The pane stays (sleep) so that the exit status can be read; the
        # cleanup ends the tmux server and with it the sleep.
        return Terminal(self, f"{shell_command}; echo EXIT=$?; exec sleep 600", env)

    def polyws(self, path):
        return f"{shlex.quote(cli_path())} {shlex.quote(self.server.url(path))}"

    def test_wscat_like_session_with_colour(self):
        term = self.terminal(self.polyws("/echo"))
        term.wait_for_text(f"Connected to {self.server.url('/echo')} (Ctrl-D closes, Ctrl-C quits)")
        term.wait_for_prompt()
        term.keys("hello there", "Enter")
        term.wait_for_text("< hello there")
        term.wait_for_prompt()
        lines = term.lines()
        self.assertEqual(lines[-3:], ["> hello there", "< hello there", ">"], term.screen())
        # Colour: the received line is painted, the status line too.
        coloured = term.screen(escapes=True)
        received = next(l for l in coloured.splitlines() if "< hello there" in l)
        self.assertIn(ESC, received.split("< hello there")[0], repr(received))
        self.assertIn(ESC, next(l for l in coloured.splitlines() if "Connected to" in l))
        term.keys("C-d")
        term.wait_for_text("EXIT=0")
        self.assertIn("Disconnected: code 1000, clean", term.lines())
        rec = self.server.record(timeout=10)
        self.assertEqual(rec["messages"], [{"type": "text", "size": 11}], rec)
        self.assertEqual(rec["close_code"], 1000, rec)

    def test_no_color_message_at_the_prompt_and_ctrl_d_closes_at_once(self):
        # /ping sends "pong:x" unasked, while the prompt waits, and never
        # echoes: Ctrl-D closes at once rather than wait for a reply.
        term = self.terminal(self.polyws("/ping?payload=x"), no_color="1")
        term.wait_for_text("< pong:x")
        term.wait_for_prompt()
        lines = term.lines()
        # The bare prompt gave way to the message, then came back.
        self.assertEqual(lines[-2:], ["< pong:x", ">"], term.screen())
        term.keys("unanswered", "Enter")
        term.wait_for(lambda l: l[-2:] == ["> unanswered", ">"], "the prompt after the line")
        term.keys("C-d")
        term.wait_for_text("EXIT=0")
        self.assertNotIn(ESC, term.screen(escapes=True), "NO_COLOR is set: no escape sequence")
        rec = self.server.record(timeout=10)
        self.assertEqual(rec["messages"], [{"type": "text", "size": 10}], rec)
        self.assertEqual(rec["close_code"], 1000, rec)

    def test_piped_stdout_gets_plain_lines(self):
        # stdin is the terminal, stdout a pipe: no prompt, no markers, no
        # colour; status goes to stderr. The shell prints the exit status.
        term = self.terminal(f"{{ {self.polyws('/echo')}; echo STATUS=$? >&2; }} | cat")
        term.wait_for_text("polyws: connected to")
        term.keys("plain", "Enter")
        # The terminal echoes the typed line; cat then prints the reply.
        term.wait_for(lambda l: l.count("plain") == 2, "the typed line and the reply")
        term.keys("C-d")
        term.wait_for_text("STATUS=0")
        lines = term.lines()
        self.assertEqual([l for l in lines if l.startswith(("<", ">"))], [], term.screen())
        self.assertNotIn(ESC, term.screen(escapes=True))
        self.assertIn("polyws: closed: code 1000, clean", lines)


if __name__ == "__main__":
    unittest.main()
