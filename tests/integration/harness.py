"""Shared helpers for the polyws CLI integration tests.

Run the tests with /usr/bin/python3 (Debian's, which has `websockets` 10.4):

    POLYWS_CLI=build/tools/polyws /usr/bin/python3 tests/integration/run_all.py

The CLI under test is $POLYWS_CLI; when it is unset every test fails with a
message saying so (nothing is skipped).

- Server(kind): starts a test peer ("node", "python", "raw" or "echo") on a free
  port, waits (bounded) for its `PORT <n>` line, collects its JSON report
  lines, and is stopped by the test's cleanup.
- run_cli(args): runs the CLI with stdin at /dev/null and a timeout, parses
  its JSONL; returns a CliResult.
- CliTestCase: a TestCase with the two above plus assertEvents().
"""
import base64
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEERS = os.path.join(ROOT, "tests", "peers")
PYTHON = "/usr/bin/python3"
NODE = shutil.which("node") or "node"

SERVER_COMMANDS = {
    "node": [NODE, os.path.join(PEERS, "node_server.js"), "--port", "0"],
    "node-deflate": [NODE, os.path.join(PEERS, "node_server.js"), "--port", "0", "--deflate"],
    "python-deflate": [PYTHON, os.path.join(PEERS, "py_server.py"), "--port", "0", "--deflate"],
    "node-ipv6": [NODE, os.path.join(PEERS, "node_server.js"), "--port", "0", "--host", "::1"],
    "python": [PYTHON, os.path.join(PEERS, "py_server.py"), "--port", "0"],
    "raw": [PYTHON, os.path.join(PEERS, "raw_server.py"), "--port", "0"],
    # the project's own echo server (tools/polyws-echo; ctest sets POLYWS_ECHO)
    "echo": [os.environ.get("POLYWS_ECHO", "polyws-echo"), "--port", "0"],
}
START_TIMEOUT = 15.0
CLI_TIMEOUT = 30.0

ALPHABET = b"abcdefghijklmnopqrstuvwxyz0123456789"


def text_pattern(n):
    """The text /send?type=text sends (both servers)."""
    return (ALPHABET * (n // len(ALPHABET) + 1))[:n].decode("ascii")


def binary_pattern(n):
    """The bytes /send?type=binary sends: byte i is i % 256."""
    return (bytes(range(256)) * (n // 256 + 1))[:n]


def cli_path():
    return os.environ.get("POLYWS_CLI", "")


def cli_under_wine():
    """True when POLYWS_CLI is the Windows build's CLI run under Wine
    (tests/windows/polyws-wine.sh): a few cases then meet Windows limits."""
    return "wine" in os.path.basename(cli_path())


def free_port():
    """A loopback port that nothing listens on (bound, then released)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """A test peer process. Its stdout: `PORT <n>`, then JSON report lines."""

    def __init__(self, kind):
        self.kind = kind
        # polyws-echo does not read its stdin: it stops on SIGTERM (closing
        # its clients with 1001); the other peers stop when stdin closes.
        self.stops_on_sigterm = os.path.basename(SERVER_COMMANDS[kind][0]).startswith("polyws-echo")
        self.proc = subprocess.Popen(SERVER_COMMANDS[kind], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        try:
            first = self.lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            first = None
        if not first or not first.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"{kind} server did not print PORT within {START_TIMEOUT}s: "
                               f"{first!r}; stderr: {self.stderr_text()}")
        self.port = int(first.split()[1])

    def _read_stdout(self):
        for line in self.proc.stdout:
            self.lines.put(line.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace"))

    def stderr_text(self):
        return "".join(self.stderr)[-2000:]

    def url(self, path="/", scheme="ws"):
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def record(self, timeout=10.0, match=None):
        """The next JSON report line (optionally the next one matching
        `match(rec)`), or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                return None
            if line is None:
                return None
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if match is None or match(rec):
                return rec

    def records_for(self, seconds):
        """Every report line that arrives within `seconds` (bounded wait)."""
        out = []
        deadline = time.monotonic() + seconds
        while True:
            rec = self.record(timeout=max(0.0, deadline - time.monotonic()))
            if rec is None:
                return out
            out.append(rec)

    def kill(self):
        """SIGKILL the server (the kernel then closes its sockets)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            if self.stops_on_sigterm:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass


class CliResult:
    def __init__(self, args, rc, stdout, stderr, elapsed):
        self.args = args
        self.rc = rc  # None: killed after the timeout
        self.stdout = stdout
        self.stderr = stderr.decode("utf-8", "replace")
        self.elapsed = elapsed
        self.events = []
        self.bad_lines = []
        for line in stdout.decode("utf-8", "replace").splitlines():
            if not line.strip():
                continue
            try:
                self.events.append(json.loads(line))
            except ValueError:
                self.bad_lines.append(line[:200])

    def summary(self):
        return summarize(self.events)

    def describe(self):
        return (f"\n  command: {' '.join(self.args)[:300]}\n  exit: {self.rc} after {self.elapsed:.2f}s"
                f"\n  events: {self.summary()}\n  stderr: {self.stderr.strip()[:600]}")


def summarize(events):
    """Short forms of the events, runs of equal ones as `event x N`."""
    out = []
    for s in (short(e) for e in events):
        if out and out[-1][0] == s:
            out[-1][1] += 1
        else:
            out.append([s, 1])
    return " ".join(s if n == 1 else f"{s} x{n}" for s, n in out)


def short(ev):
    e = ev.get("event")
    if e == "message":
        return f"message({ev.get('type')},{ev.get('size')})"
    if e == "close":
        return f"close({ev.get('code')},{ev.get('reason')!r},{'clean' if ev.get('wasClean') else 'unclean'})"
    if e == "open":
        return f"open({ev.get('protocol')!r},{ev.get('extensions')!r})"
    if e == "error":
        return f"error({str(ev.get('message'))[:60]!r})"
    return json.dumps(ev)[:80]


def run_cli(args, timeout=CLI_TIMEOUT, input=None, env=None):
    """Run $POLYWS_CLI with `args`; stdin is /dev/null, or a pipe fed `input`
    (bytes) and then closed. `env`: variables to add to the environment."""
    cmd = [cli_path()] + [str(a) for a in args]
    t0 = time.monotonic()
    kwargs = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
    if env:
        kwargs["env"] = dict(os.environ, **env)
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                           **kwargs)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, e.stdout or b"", e.stderr or b""
    except OSError as e:
        rc, out, err = None, b"", f"could not run the CLI: {e}".encode()
    return CliResult(cmd, rc, out, err, time.monotonic() - t0)


# Expected events. assertEvents compares every key exactly, except that an
# error's message only has to be a non-empty string.
def open_ev(protocol="", extensions=""):
    return {"event": "open", "protocol": protocol, "extensions": extensions}


def text_ev(data):
    return {"event": "message", "type": "text", "size": len(data.encode("utf-8")), "data": data}


def binary_ev(data):
    return {"event": "message", "type": "binary", "size": len(data),
            "data": base64.b64encode(data).decode("ascii")}


def error_ev():
    return {"event": "error"}


def close_ev(code, reason="", clean=True):
    return {"event": "close", "code": code, "reason": reason, "wasClean": clean}


def failed_ev():
    """error, then close 1006 wasClean false: a failed connection (rule 25)."""
    return [error_ev(), close_ev(1006, "", False)]


class CliTestCase(unittest.TestCase):
    maxDiff = 4000

    def setUp(self):
        cli = cli_path()
        if not cli:
            self.fail("POLYWS_CLI is not set: export POLYWS_CLI=/path/to/polyws "
                      "(for example build/tools/polyws)")
        if not (os.path.isfile(cli) and os.access(cli, os.X_OK)):
            self.fail(f"POLYWS_CLI={cli!r} is not an executable file")

    def start_server(self, kind):
        server = Server(kind)
        self.addCleanup(server.stop)
        return server

    def cli(self, *args, timeout=CLI_TIMEOUT, input=None, env=None):
        return run_cli(args, timeout=timeout, input=input, env=env)

    def assertEvents(self, res, expected, rc=None):
        """The CLI's events are exactly `expected` (and it exited with rc)."""
        self.assertIsNotNone(res.rc, "CLI did not exit within the timeout (or did not run)"
                             + res.describe())
        self.assertEqual(res.bad_lines, [], "stdout has lines that are not JSON" + res.describe())
        ok = len(res.events) == len(expected)
        if ok:
            for got, want in zip(res.events, expected):
                if want == {"event": "error"}:
                    ok = (set(got) == {"event", "message"} and got["event"] == "error"
                          and isinstance(got["message"], str) and got["message"] != "")
                else:
                    ok = got == want
                if not ok:
                    break
        if not ok:
            self.fail("events differ\n  want: " + summarize(expected)
                      + res.describe() + self._first_difference(res.events, expected))
        if rc is not None:
            self.assertEqual(res.rc, rc, f"exit status {res.rc}, want {rc}" + res.describe())

    @staticmethod
    def _first_difference(got, want):
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w and w != {"event": "error"}:
                gs, ws = json.dumps(g)[:300], json.dumps(w)[:300]
                return f"\n  first difference at event {i}:\n    got  {gs}\n    want {ws}"
        return ""

    def assertFailed(self, res, opened=False):
        """Rule 25: [open,] error, close 1006 wasClean false, exit 1."""
        expected = ([open_ev()] if opened else []) + failed_ev()
        if opened and res.events and res.events[0].get("event") == "open":
            expected[0] = res.events[0]  # protocol is checked elsewhere
        self.assertEvents(res, expected, rc=1)


class PeerPerTest:
    """Mixin before CliTestCase: a fresh SERVER peer for each test as
    self.server, and conn_record() for its next report line."""
    SERVER = None

    def setUp(self):
        super().setUp()
        self.server = self.start_server(self.SERVER)

    def conn_record(self):
        rec = self.server.record(timeout=10)
        self.assertIsNotNone(rec, f"{self.SERVER} server reported no connection; "
                                  f"stderr: {self.server.stderr_text()}")
        return rec
