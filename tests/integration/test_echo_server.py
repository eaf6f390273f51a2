"""polyws-echo itself: where it listens, its --help, and how it stops.

The server is $POLYWS_ECHO; the client is Python's `websockets`, so these
tests do not depend on polyws being right.
"""
import asyncio
import os
import signal
import subprocess
import unittest

import websockets

import harness

ECHO = os.environ.get("POLYWS_ECHO", "")
LISTEN = "0A"   # the TCP state of a listening socket in /proc/net/tcp*


def listening_addresses(port):
    """The local addresses (as /proc/net shows them) of the sockets that
    listen on `port`, IPv4 and IPv6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                address, hex_port = fields[1].split(":")
                if int(hex_port, 16) == port and fields[3] == LISTEN:
                    found.append(address)
    return found


def echo_server(test, *args):
    """polyws-echo with `args` on a free port; stopped by the test's cleanup."""
    harness.SERVER_COMMANDS["echo-with-args"] = [ECHO, "--port", "0", *args]
    server = harness.Server("echo-with-args")
    test.addCleanup(server.stop)
    return server


async def talk(url, text):
    async with websockets.connect(url) as ws:
        await ws.send(text)
        return await asyncio.wait_for(ws.recv(), 10)


class EchoServerTest(unittest.TestCase):
    def setUp(self):
        if not ECHO:
            self.fail("POLYWS_ECHO is not set (CTest sets it)")

    def test_listens_on_loopback_only_by_default(self):
        server = echo_server(self)
        self.assertEqual(listening_addresses(server.port), ["0100007F"])   # 127.0.0.1
        self.assertEqual(asyncio.run(talk(server.url(), "hi")), "hi")

    def test_host_ipv6_loopback(self):
        server = echo_server(self, "--host", "::1")
        self.assertEqual(listening_addresses(server.port),
                         ["00000000000000000000000001000000"])   # ::1
        self.assertEqual(asyncio.run(talk(f"ws://[::1]:{server.port}/", "over IPv6")), "over IPv6")

    def test_host_every_interface(self):
        server = echo_server(self, "--host", "0.0.0.0")
        self.assertEqual(listening_addresses(server.port), ["00000000"])
        self.assertEqual(asyncio.run(talk(server.url(), "hi")), "hi")

    def test_bad_arguments_say_what_is_wrong(self):
        cases = [(["--host", "localhost"], "numeric IPv4 or IPv6"),
                 (["--host", "300.1.1.1"], "numeric IPv4 or IPv6"),
                 (["--port", "70000"], "0 to 65535"),
                 (["--port", "12x"], "0 to 65535"),
                 (["--bogus", "1"], "unknown option"),
                 (["--port"], "missing value"),
                 (["--cert", "a.pem"], "--cert and --key go together")]
        for args, message in cases:
            res = subprocess.run([ECHO, *args], capture_output=True, text=True, timeout=10)
            self.assertEqual(res.returncode, 2, args)
            self.assertIn(message, res.stderr, args)
            self.assertIn("usage: polyws-echo", res.stderr, args)
            self.assertEqual(res.stdout, "", args)

    def test_help_shows_the_defaults(self):
        res = subprocess.run([ECHO, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(res.returncode, 0)
        self.assertIn("usage: polyws-echo [--host ADDR] [--port N]", res.stdout)
        self.assertIn("default 9001", res.stdout)
        self.assertIn("default 127.0.0.1", res.stdout)

    def test_sigterm_closes_clients_with_1001(self):
        server = echo_server(self)

        async def conversation():
            async with websockets.connect(server.url()) as first, \
                    websockets.connect(server.url()) as second:
                for ws in (first, second):
                    await ws.send("before")
                    self.assertEqual(await asyncio.wait_for(ws.recv(), 10), "before")
                server.proc.send_signal(signal.SIGTERM)
                closes = []
                for ws in (first, second):
                    with self.assertRaises(websockets.ConnectionClosedOK) as cm:
                        await asyncio.wait_for(ws.recv(), 10)
                    closes.append((cm.exception.rcvd.code, cm.exception.rcvd.reason))
                return closes

        self.assertEqual(asyncio.run(conversation()), [(1001, "server shutting down")] * 2)
        self.assertEqual(server.proc.wait(timeout=10), 0)

    def test_sigterm_without_clients_exits(self):
        server = echo_server(self)
        server.proc.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(timeout=10), 0)


if __name__ == "__main__":
    unittest.main()
