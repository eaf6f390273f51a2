"""wss:// (rules 6 and 25): TLS verification on by default, with the reason a
failure has, against polyws-echo serving certificates made here by openssl."""
import os
import subprocess
import tempfile
import unittest

from harness import (CliResult, CliTestCase, Server, close_ev, cli_path, cli_under_wine, failed_ev,
                     open_ev, text_ev)
import time

ECHO = os.environ.get("POLYWS_ECHO", "")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)


def make_pki(d):
    """A CA, a server certificate it signs for localhost/127.0.0.1, an expired
    one, and a self-signed one."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=polyws test CA", cwd=d)
    with open(os.path.join(d, "san.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name, days in (("good", "2"), ("expired", "-1")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                f"{name}.csr", "-subj", "/CN=localhost", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", days, "-extfile", "san.cnf", cwd=d)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out",
            "self.pem", "-days", "2", "-subj", "/CN=localhost", "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1", cwd=d)


class TlsServer(Server):
    def __init__(self, cert, key, host="127.0.0.1"):
        import harness
        harness.SERVER_COMMANDS["tls-" + cert] = [ECHO, "--port", "0", "--host", host,
                                                  "--cert", cert, "--key", key]
        super().__init__("tls-" + cert)


def run(args, env_extra=None, timeout=30):
    env = dict(os.environ)
    env.pop("SSL_CERT_FILE", None)
    env.pop("SSL_CERT_DIR", None)
    env.update(env_extra or {})
    cmd = [cli_path()] + list(args)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=env)
    return CliResult(cmd, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)


class TlsTests(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        make_pki(cls.dir.name)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def server(self, name, host="127.0.0.1"):
        d = self.dir.name
        s = TlsServer(os.path.join(d, name + ".pem"), os.path.join(d, name + ".key"), host)
        self.addCleanup(s.stop)
        return s

    def trust(self):
        return {"SSL_CERT_FILE": os.path.join(self.dir.name, "ca.pem")}

    def assertTlsFailure(self, res, reason):
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertIn(reason, res.events[0]["message"], res.describe())

    def test_rule25_valid_chain_conversation(self):
        s = self.server("good")
        for host in ("localhost", "127.0.0.1"):
            res = run([f"wss://{host}:{s.port}/", "--jsonl", "--send", "over TLS",
                       "--close", "1000:bye"], self.trust())
            self.assertEvents(res, [open_ev(), text_ev("over TLS"), close_ev(1000, "bye")], rc=0)

    @unittest.skipIf(cli_under_wine(), "Windows: --send of 120,000 characters is over the "
                     "32,767-character command-line limit")
    def test_rule25_large_message_over_tls(self):
        s = self.server("good")
        payload = "x" * 120000   # several TLS records and write batches; the argv limit is 128 KiB
        res = run([f"wss://localhost:{s.port}/", "--jsonl", "--send", payload, "--close", "1000"],
                  self.trust())
        self.assertEvents(res, [open_ev(), text_ev(payload), close_ev(1000)], rc=0)

    def test_rule25_untrusted_root_fails_with_reason(self):
        s = self.server("good")
        self.assertTlsFailure(run([f"wss://localhost:{s.port}/", "--jsonl", "-n"]),
                              "unable to get local issuer certificate")

    def test_rule25_self_signed_fails_with_reason(self):
        s = self.server("self")
        self.assertTlsFailure(run([f"wss://localhost:{s.port}/", "--jsonl", "-n"]),
                              "self-signed certificate")

    def test_rule25_expired_fails_with_reason(self):
        s = self.server("expired")
        self.assertTlsFailure(run([f"wss://localhost:{s.port}/", "--jsonl", "-n"], self.trust()),
                              "certificate has expired")

    def test_rule25_wrong_host_fails_with_reason(self):
        # The certificate names localhost and 127.0.0.1, not 127.0.0.2.
        s = self.server("good", host="127.0.0.2")
        self.assertTlsFailure(run([f"wss://127.0.0.2:{s.port}/", "--jsonl", "-n"], self.trust()),
                              "IP address mismatch")

    def test_rule25_tls_below_1_2_refused(self):
        # openssl s_server speaking only TLS 1.1 (allowed on its side by
        # security level 0): the client's TLS 1.2 floor refuses it.
        from harness import free_port
        port = free_port()
        d = self.dir.name
        server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}",
                                   "-cert", os.path.join(d, "good.pem"), "-key",
                                   os.path.join(d, "good.key"), "-tls1_1", "-cipher",
                                   "DEFAULT@SECLEVEL=0", "-quiet"],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        self.addCleanup(server.wait, 10)
        self.addCleanup(server.kill)
        from test_tls_nginx import wait_listening
        self.assertTrue(wait_listening(port))
        res = run([f"wss://localhost:{port}/", "--jsonl", "-n"], self.trust())
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertIn("protocol version", res.events[0]["message"], res.describe())

    def test_rule25_plain_server_on_wss_fails(self):
        s = self.start_server("node")
        res = run([f"wss://127.0.0.1:{s.port}/echo", "--jsonl", "-n"], self.trust())
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertIn("TLS handshake", res.events[0]["message"], res.describe())


if __name__ == "__main__":
    unittest.main()
