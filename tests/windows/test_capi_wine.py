"""The C API on Windows, under Wine, against peers on Linux loopback.

    POLYWS_WINDOWS_BUILD=build-windows POLYWS_ECHO=build/tools/polyws-echo \
        /usr/bin/python3 -m unittest -v test_capi_wine      (in tests/windows)

Each test runs one case of polyws_windows_tests.exe (see its source) under
tests/windows/wine.sh; the peers are the project's usual ones: Node `ws`
(tests/peers/node_server.js) and the Linux polyws-echo serving wss:// with a
certificate made here for 127.0.0.1 by a throwaway CA.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402  (Server: a peer on a free port, stopped at cleanup)

BUILD = os.environ.get("POLYWS_WINDOWS_BUILD", os.path.join(ROOT, "build-windows"))
PROGRAM = os.path.join(BUILD, "win-x64", "tests", "polyws_windows_tests.exe")
WINE = os.path.join(HERE, "wine.sh")
CASE_TIMEOUT = 120.0


# A program that returns from main with its work done exits in about a
# second under Wine, 10 s under heavy load; one still running after this
# has hung in its exit.
EXIT_TIMEOUT = 60.0


class Hung(Exception):
    """A case that did not end in time, with its output and where it waits."""


def backtraces(program):
    """The threads of the running `program` (a Windows program name) with
    their backtraces, from winedbg: what a hang report needs."""
    try:
        proc = subprocess.run([WINE, "winedbg", "--command", "bt all"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
                              text=True, errors="replace")
    except subprocess.TimeoutExpired:
        return "(winedbg did not answer)"
    blocks = proc.stdout.split("Backtracing for thread ")
    ours = [b for b in blocks[1:] if program.lower() in b.split("\n", 1)[0].lower()]
    return "".join("Backtracing for thread " + b for b in ours) or proc.stdout[-4000:]


def run_case(*args, timeout=CASE_TIMEOUT):
    """Runs one case; returns (exit status, output). Raises Hung, with the
    program's backtraces, when it has not ended after `timeout` seconds."""
    proc = subprocess.Popen([WINE, PROGRAM, *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        where = backtraces(os.path.basename(PROGRAM))
        proc.kill()
        out, err = proc.communicate(timeout=30)
        raise Hung("%s did not end within %d s; output:\n%s%s\nbacktraces:\n%s"
                   % (" ".join(args), timeout, out, err, where))
    return proc.returncode, out + err


class EchoTls:
    """The Linux polyws-echo serving wss:// with `cert`/`key`."""

    def __init__(self, cert, key):
        echo = os.environ.get("POLYWS_ECHO", "")
        if not echo:
            raise RuntimeError("POLYWS_ECHO (the Linux polyws-echo) is not set")
        self.proc = subprocess.Popen([echo, "--port", "0", "--cert", cert, "--key", key],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()   # bounded: polyws-echo prints it or exits
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError("polyws-echo did not start: " + line + self.proc.stderr.read())
        self.url = "wss://127.0.0.1:%d/" % int(line.split()[1])

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


def make_certificates(folder, name):
    """A CA and a server certificate for 127.0.0.1 it signed, in `folder`."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=" + name)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
            "-subj", "/CN=127.0.0.1")
    with open(os.path.join(folder, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", "srv.pem", "-extfile", "san.ext")
    return tuple(os.path.join(folder, n) for n in ("ca.pem", "srv.pem", "srv.key"))


class CapiUnderWine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(PROGRAM):
            raise RuntimeError(PROGRAM + " is missing: run packaging/windows/build.sh")
        cls.tmp = tempfile.mkdtemp(prefix="polyws-wine-")
        cls.ca, cls.cert, cls.key = make_certificates(
            cls.tmp, "polyws-wine-ca-%d" % os.getpid())
        cls.tls = EchoTls(cls.cert, cls.key)

    @classmethod
    def tearDownClass(cls):
        cls.tls.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def node_url(self, path):
        server = harness.Server("node")
        self.addCleanup(server.stop)
        return "ws://127.0.0.1:%d%s" % (server.port, path)

    def check(self, *args):
        status, output = run_case(*args)
        self.assertEqual(status, 0, "case %s failed:\n%s" % (args[0], output))
        return output

    def test_echo_text_and_binary_up_to_16mib_close_with_code_and_reason(self):
        self.check("echo", self.node_url("/echo"))

    def test_winsock_reference_owned_by_the_library(self):
        self.check("winsock", self.node_url("/echo"))

    def test_ca_file_and_client_certificate_under_a_non_ascii_path(self):
        self.check("tls-utf8-paths", self.tls.url, self.ca, self.cert, self.key)

    def test_default_verification_refuses_an_unknown_ca(self):
        self.check("tls-untrusted", self.tls.url)

    def test_the_system_root_store_is_not_empty(self):
        # Wine fills its ROOT store from the host's CA bundle (Debian's
        # ca-certificates) when the prefix is made: what polyws trusts by
        # default under Wine. On Windows it is the machine's own store.
        output = self.check("count-roots")
        count = int(output.split("ROOT ")[1].split()[0])
        print("system ROOT store: %d certificates" % count, file=sys.stderr)
        self.assertGreater(count, 0)

    def test_default_verification_uses_the_system_root_store(self):
        # Not trusted until the CA is in the prefix's ROOT store, then trusted
        # with no CA option at all: the roots come from CryptoAPI. The CA is
        # new each run (its key is deleted with the temporary folder), and
        # stays in the test prefix: Wine does not persist a deletion made
        # through the merged ROOT view.
        self.check("tls-system", self.tls.url, "fail")
        self.check("trust-add", self.ca)
        self.check("tls-system", self.tls.url, "ok")

    # A host that returns from main without freeing its loop or socket, its
    # I/O thread busy with echoes: polyws.dll's exit code then runs after
    # Windows has killed that thread, and must neither wait for it nor take
    # its locks (platform.h, process_is_terminating). The default loop has
    # exit code of its own (its I/O thread is stopped at exit on Linux); a
    # loop of ws_loop_new has none, but shares the static destructors; over
    # wss:// OpenSSL's exit clean-up runs too.
    def check_exit(self, *args):
        try:
            status, output = run_case("exit-unfreed", *args, timeout=EXIT_TIMEOUT)
        except Hung as hung:
            self.fail("exit-unfreed %s: no exit (hung after returning from main?): %s"
                      % (args[0], hung))
        self.assertIn("RETURNING", output)
        self.assertEqual(status, 0, "exit-unfreed %s exited %d:\n%s" % (args[0], status, output))

    def test_exit_with_the_default_loop_unfreed(self):
        self.check_exit("default", self.node_url("/echo"))

    def test_exit_with_an_own_loop_unfreed(self):
        self.check_exit("own", self.node_url("/echo"))

    def test_exit_with_the_default_loop_unfreed_over_tls(self):
        self.check_exit("default", self.tls.url, self.ca)


if __name__ == "__main__":
    unittest.main()
