"""HTTP CONNECT proxies, against tinyproxy (Debian): by option and by the
environment (opt-in), with Basic authentication, for ws:// and wss://."""
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import (CliResult, CliTestCase, Server, cli_path, close_ev, failed_ev, free_port,
                     open_ev, text_ev)
from test_tls_nginx import make_pki, wait_listening

ECHO = os.environ.get("POLYWS_ECHO", "")
TINYPROXY = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"


class ProxyTests(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.dir = cls.tmp.name
        os.chmod(d, 0o755)
        make_pki(d)
        import harness
        harness.SERVER_COMMANDS["echo"] = [ECHO, "--port", "0"]
        harness.SERVER_COMMANDS["echo-tls"] = [ECHO, "--port", "0", "--cert",
                                               os.path.join(d, "good.pem"), "--key",
                                               os.path.join(d, "good.key")]
        cls.echo = Server("echo")
        cls.echo_tls = Server("echo-tls")
        cls.proxy_port = free_port()
        conf = os.path.join(d, "tinyproxy.conf")
        with open(conf, "w") as f:
            f.write(f"Port {cls.proxy_port}\nListen 127.0.0.1\nTimeout 60\nMaxClients 20\n"
                    f"Allow 127.0.0.1\nLogLevel Connect\nBasicAuth alice s3cret\n")
        cls.proxy = subprocess.Popen([TINYPROXY, "-d", "-c", conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_listening(cls.proxy_port):
            cls.tearDownClass()
            raise RuntimeError("tinyproxy did not start")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "proxy", None) and cls.proxy.poll() is None:
            cls.proxy.terminate()
            cls.proxy.wait(timeout=10)
        for s in (getattr(cls, "echo", None), getattr(cls, "echo_tls", None)):
            if s:
                s.stop()
        cls.tmp.cleanup()

    def proxy_url(self, password="s3cret"):
        return f"http://alice:{password}@127.0.0.1:{self.proxy_port}"

    def run_cli(self, args, env_extra=None):
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("http_proxy", "https_proxy", "no_proxy", "all_proxy")}
        env.update(env_extra or {})
        cmd = [cli_path()] + list(args)
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30, env=env)
        return CliResult(cmd, p.returncode, p.stdout, p.stderr, time.monotonic() - t0)

    def conversation(self, res):
        self.assertEvents(res, [open_ev(), text_ev("proxied"), close_ev(1000)], rc=0)

    def talk(self, url, *args, env=None):
        return self.run_cli([url, "--jsonl", "--send", "proxied", "--close", "1000", *args], env)

    def test_ws_through_proxy_with_basic_auth(self):
        self.conversation(self.talk(self.echo.url(), "--proxy", self.proxy_url()))

    def test_wss_through_proxy_end_to_end_tls(self):
        self.conversation(self.talk(f"wss://localhost:{self.echo_tls.port}/", "--proxy",
                                    self.proxy_url(), "--cacert", os.path.join(self.dir, "ca.pem")))

    def test_rule25_wrong_proxy_password_fails_with_reason(self):
        res = self.talk(self.echo.url(), "--proxy", self.proxy_url("wrong"))
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertIn("refused the tunnel", res.events[0]["message"], res.describe())

    def test_rule25_unreachable_proxy(self):
        res = self.talk(self.echo.url(), "--proxy", f"http://127.0.0.1:{free_port()}")
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertIn("could not reach the proxy", res.events[0]["message"], res.describe())

    def test_environment_is_used_when_asked(self):
        # A wrong password in http_proxy proves the variable was followed...
        res = self.talk(self.echo.url(), "--proxy-from-env",
                        env={"http_proxy": self.proxy_url("wrong")})
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertIn("refused the tunnel", res.events[0]["message"], res.describe())
        # ...and the right one carries the conversation.
        self.conversation(self.talk(self.echo.url(), "--proxy-from-env",
                                    env={"http_proxy": self.proxy_url()}))
        self.conversation(self.talk(f"wss://localhost:{self.echo_tls.port}/", "--proxy-from-env",
                                    "--cacert", os.path.join(self.dir, "ca.pem"),
                                    env={"HTTPS_PROXY": self.proxy_url()}))

    def test_environment_is_ignored_unless_asked(self):
        self.conversation(self.talk(self.echo.url(), env={"http_proxy": self.proxy_url("wrong")}))

    def test_no_proxy_bypasses(self):
        for no_proxy in ("127.0.0.1", "example.com, 127.0.0.1", "*"):
            self.conversation(self.talk(self.echo.url(), "--proxy-from-env",
                                        env={"http_proxy": self.proxy_url("wrong"),
                                             "no_proxy": no_proxy}))

    def test_upper_case_http_proxy_is_ignored(self):
        self.conversation(self.talk(self.echo.url(), "--proxy-from-env",
                                    env={"HTTP_PROXY": self.proxy_url("wrong")}))

    def test_malformed_proxy_url_is_refused_up_front(self):
        for bad in ("https://127.0.0.1:1", "http://127.0.0.1:99999", "http://"):
            res = self.talk(self.echo.url(), "--proxy", bad)
            self.assertEqual(res.rc, 2, res.describe())
            self.assertEqual(res.events, [], res.describe())


if __name__ == "__main__":
    unittest.main()
