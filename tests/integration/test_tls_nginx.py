"""TLS options against nginx as the TLS terminator (issue: secure
connections): nginx serves wss:// with certificates made here and proxies to
polyws-echo. Each certificate fault fails with error, then close 1006, and
the verification reason; a CA file, a client certificate (mutual TLS), a
server-name override and the explicit insecure switch each do their job."""
import os
import socket
import subprocess
import tempfile
import time
import unittest

from harness import CliTestCase, Server, close_ev, failed_ev, free_port, open_ev, text_ev

ECHO = os.environ.get("POLYWS_ECHO", "")
NGINX = "/usr/sbin/nginx"

CA_CONFIG = """[ ca ]
default_ca = local
[ local ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
"""


def openssl(d, *args):
    subprocess.run(["openssl", *args], cwd=d, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)


def make_pki(d):
    """CA; server certificates for localhost/127.0.0.1: valid, expired, not yet
    valid, one for another name; a self-signed one; a client certificate."""
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write(CA_CONFIG)
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "3", "-subj", "/CN=polyws nginx test CA")
    openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out",
            "other-ca.pem", "-days", "3", "-subj", "/CN=some other CA")
    sans = {"good": "DNS:localhost,IP:127.0.0.1", "expired": "DNS:localhost,IP:127.0.0.1",
            "future": "DNS:localhost,IP:127.0.0.1", "othername": "DNS:elsewhere.example",
            "client": "DNS:client"}
    dates = {"good": ("20240101000000Z", "20991231000000Z"),
             "expired": ("20200101000000Z", "20200102000000Z"),
             "future": ("20900101000000Z", "20991231000000Z"),
             "othername": ("20240101000000Z", "20991231000000Z"),
             "client": ("20240101000000Z", "20991231000000Z")}
    for name, san in sans.items():
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(f"subjectAltName={san}\n")
        openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                f"{name}.csr", "-subj", f"/CN={name}", "-addext", f"subjectAltName={san}")
        start, end = dates[name]
        openssl(d, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
                "-in", f"{name}.csr", "-out", f"{name}.pem", "-startdate", start, "-enddate", end,
                "-notext")
    openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out",
            "self.pem", "-days", "3", "-subj", "/CN=localhost", "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1")


def nginx_config(d, echo_port, ports):
    servers = []
    for name, port in ports.items():
        cert = "good" if name == "mtls" else name
        mtls = ("ssl_client_certificate ca.pem; ssl_verify_client on;" if name == "mtls" else "")
        servers.append(f"""
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert}.pem;
        ssl_certificate_key {cert}.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        {mtls}
        location / {{
            proxy_pass http://127.0.0.1:{echo_port};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 60s;
        }}
    }}""")
    return f"""daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp;
    proxy_temp_path {d}/tmp;
    fastcgi_temp_path {d}/tmp;
    uwsgi_temp_path {d}/tmp;
    scgi_temp_path {d}/tmp;
{''.join(servers)}
}}
"""


def wait_listening(port, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class NginxTlsTests(CliTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.dir = cls.tmp.name
        os.makedirs(os.path.join(d, "tmp"))
        os.chmod(d, 0o755)
        make_pki(d)
        import harness
        harness.SERVER_COMMANDS["echo"] = [ECHO, "--port", "0"]
        cls.echo = Server("echo")
        cls.ports = {name: free_port() for name in
                     ("good", "self", "expired", "future", "othername", "mtls")}
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_config(d, cls.echo.port, cls.ports))
        cls.nginx = subprocess.Popen([NGINX, "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        if not all(wait_listening(p) for p in cls.ports.values()):
            cls.tearDownClass()
            raise RuntimeError("nginx did not start")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "nginx", None) and cls.nginx.poll() is None:
            cls.nginx.terminate()
            try:
                cls.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.nginx.kill()
                cls.nginx.wait(timeout=10)
        if getattr(cls, "echo", None):
            cls.echo.stop()
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def url(self, name, host="localhost"):
        return f"wss://{host}:{self.ports[name]}/"

    def talk(self, name, *args, host="localhost"):
        return self.cli(self.url(name, host), "--jsonl", "--send", "through nginx",
                        "--close", "1000:done", *args)

    def assertConversation(self, res):
        self.assertEvents(res, [open_ev(), text_ev("through nginx"), close_ev(1000, "done")], rc=0)

    def assertTlsFailure(self, res, reason):
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertIn(reason, res.events[0]["message"], res.describe())

    def test_valid_chain_with_ca_file(self):
        self.assertConversation(self.talk("good", "--cacert", self.path("ca.pem")))
        self.assertConversation(self.talk("good", "--cacert", self.path("ca.pem"), host="127.0.0.1"))

    def test_rule25_untrusted_root_by_default(self):
        # The system store does not know the test CA: verification is on by default.
        self.assertTlsFailure(self.talk("good"), "unable to get local issuer certificate")

    def test_rule25_ca_file_replaces_the_system_store(self):
        self.assertTlsFailure(self.talk("good", "--cacert", self.path("other-ca.pem")),
                              "unable to get local issuer certificate")

    def test_rule25_self_signed(self):
        self.assertTlsFailure(self.talk("self", "--cacert", self.path("ca.pem")),
                              "self-signed certificate")

    def test_rule25_expired(self):
        self.assertTlsFailure(self.talk("expired", "--cacert", self.path("ca.pem")),
                              "certificate has expired")

    def test_rule25_not_yet_valid(self):
        self.assertTlsFailure(self.talk("future", "--cacert", self.path("ca.pem")),
                              "certificate is not yet valid")

    def test_rule25_wrong_host(self):
        self.assertTlsFailure(self.talk("othername", "--cacert", self.path("ca.pem")),
                              "hostname mismatch")

    def test_server_name_override(self):
        # Connect by address, verify (and send SNI) as the certificate's name.
        self.assertConversation(self.talk("othername", "--cacert", self.path("ca.pem"),
                                          "--tls-server-name", "elsewhere.example",
                                          host="127.0.0.1"))

    def test_rule25_mutual_tls_without_client_certificate(self):
        # nginx answers a missing client certificate with HTTP 400 over TLS.
        res = self.talk("mtls", "--cacert", self.path("ca.pem"))
        self.assertEvents(res, failed_ev(), rc=1)
        self.assertIn("400", res.events[0]["message"], res.describe())

    def test_mutual_tls_with_client_certificate(self):
        self.assertConversation(self.talk("mtls", "--cacert", self.path("ca.pem"),
                                          "--cert", self.path("client.pem"),
                                          "--key", self.path("client.key")))

    def test_client_certificate_needs_both_files(self):
        res = self.talk("mtls", "--cacert", self.path("ca.pem"), "--cert", self.path("client.pem"))
        self.assertEqual(res.rc, 2, res.describe())
        self.assertEqual(res.events, [], res.describe())

    def test_unreadable_ca_file_is_refused_up_front(self):
        res = self.talk("good", "--cacert", self.path("missing.pem"))
        self.assertEqual(res.rc, 2, res.describe())
        self.assertIn("could not load the CA file", res.stderr, res.describe())

    def test_insecure_switch_accepts_self_signed_and_says_so(self):
        res = self.talk("self", "--insecure-no-verify")
        self.assertConversation(res)
        self.assertIn("not verified", res.stderr, res.describe())


if __name__ == "__main__":
    unittest.main()
