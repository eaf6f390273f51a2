"""bench/peers/python_client.py -- Python `websockets` (asyncio; the Python
user's choice) as a client, following bench/README.md.
    /usr/bin/python3 python_client.py URL rtt|mib|pipeline|connect SECONDS
"""
import asyncio
import json
import os
import sys
import time

import websockets


async def main(url, mode, seconds):
    warm = float(os.environ.get("BENCH_WARMUP", "1"))
    size = 32 if mode == "rtt" else 1048576 if mode == "mib" else 64
    data = bytes(97 + i % 26 for i in range(size))
    payload = data.decode() if mode == "rtt" else data

    async def one_connection_cycle():
        async with websockets.connect(url, compression=None, max_size=64 << 20) as ws:
            pass

    async def run(ws, until, window_first):
        ops = 0
        if window_first:
            for _ in range(64 if mode == "pipeline" else 1):
                await ws.send(payload)
        while True:
            echo = await ws.recv()
            if len(echo) != size or (mode == "rtt" and echo != payload):
                sys.exit("python_client: bad echo")
            ops += 1
            if time.monotonic() >= until:
                return ops
            await ws.send(payload)

    if mode == "connect":
        end = time.monotonic() + warm
        while time.monotonic() < end:
            await one_connection_cycle()
        ops, start, cpu = 0, time.monotonic(), time.process_time()
        end = start + seconds
        while True:
            await one_connection_cycle()
            ops += 1
            if time.monotonic() >= end:
                break
    else:
        async with websockets.connect(url, compression=None, max_size=64 << 20) as ws:
            await run(ws, time.monotonic() + warm, True)
            start, cpu = time.monotonic(), time.process_time()
            # The window stays full: the warm-up left it so.
            await ws.send(payload)
            ops = await run(ws, start + seconds, False)
    print(json.dumps({"ops": ops, "seconds": time.monotonic() - start,
                      "cpu_seconds": time.process_time() - cpu}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
