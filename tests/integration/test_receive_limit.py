"""Receive flow control through the CLI: a polyws whose stdout is not read
stops reading the connection at --receive-limit, so the server's writes block
(Node `ws` /flood reports the stall) and polyws's memory stays small; once
stdout is read again every message arrives, in order."""
import asyncio
import base64
import json
import subprocess
import time
import unittest

import websockets

from harness import CliTestCase, cli_path

COUNT, SIZE = 768, 65536        # 48 MiB: far more than the kernel's buffers hold
LIMIT = 1024 * 1024
# What polyws may add to its resident memory while stalled, over the same
# binary connected and idle: the limit, one message being assembled and one
# printed (base64), a read, and room for the allocator (and for a sanitizer
# build's redzones and quarantine, which is why the baseline is measured
# rather than assumed). Without flow control it would hold most of the 48 MiB.
RSS_MARGIN = 14 * 1024 * 1024


async def flood_status(url):
    async with websockets.connect(url) as ws:
        await ws.send("status?")
        return json.loads(await ws.recv())


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class ReceiveLimitTests(CliTestCase):
    def setUp(self):
        super().setUp()
        self.server = self.start_server("node")

    def wait_for_stall(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status = asyncio.run(flood_status(self.server.url("/flood-status")))
            if status["count"] == COUNT and status["stalled"]:
                return status
        self.fail(f"the server never stalled: {status}")

    def idle_rss(self):
        """Resident memory of the CLI under test once connected, doing nothing."""
        proc = subprocess.Popen([cli_path(), "--jsonl", "--exit-on-eof", self.server.url("/")],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            opened = json.loads(proc.stdout.readline())
            self.assertEqual(opened["event"], "open")
            return rss_bytes(proc.pid)
        finally:
            proc.communicate(timeout=60)   # closes stdin: the CLI closes and exits

    def test_unread_stdout_stalls_the_server_and_loses_nothing(self):
        # Under Wine or QEMU, /proc shows the emulator's memory, not polyws's.
        measure_rss = not any(e in cli_path() for e in ("wine", "qemu"))
        rss_bound = self.idle_rss() + RSS_MARGIN if measure_rss else None
        url = self.server.url(f"/flood?count={COUNT}&size={SIZE}")
        # --jsonl prints binary messages in base64 (87 KiB each): stdout's pipe is full at once.
        proc = subprocess.Popen([cli_path(), "--jsonl", "--receive-limit", str(LIMIT), url],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            status = self.wait_for_stall()
            self.assertLess(status["sent"], COUNT)
            if measure_rss:
                self.assertLess(rss_bytes(proc.pid), rss_bound)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 0, err.decode(errors="replace"))
        events = [json.loads(line) for line in out.decode().splitlines()]
        messages = [e for e in events if e.get("event") == "message"]
        binary = [m for m in messages if m.get("type") == "binary"]
        self.assertEqual(len(binary), COUNT)
        for i, m in enumerate(binary):
            data = base64.b64decode(m["data"])
            self.assertEqual((int.from_bytes(data[:4], "big"), len(data)), (i, SIZE))
        final = json.loads(messages[-1]["data"])
        self.assertEqual(final, {"sent": COUNT, "stalls": final["stalls"], "pong": "flood-ping"})
        self.assertGreater(final["stalls"], 0)
        close = events[-1]
        self.assertEqual((close["event"], close["code"], close["reason"]), ("close", 1000, "done"))


if __name__ == "__main__":
    unittest.main()
