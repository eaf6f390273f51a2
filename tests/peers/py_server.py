#!/usr/bin/python3
"""Python `websockets` (10.4, asyncio API) test server for polyws.

    /usr/bin/python3 tests/peers/py_server.py --port 0

Prints one line `PORT <n>` once listening, then serves until killed or until
its stdin (when a pipe) closes. After that line it prints one JSON line per
finished connection: {"event": "conn", "path": ..., "close_code": ...,
"close_reason": ..., "messages": [{"type":..., "size":...}], "pong": ...}.

Paths: /echo, /close?code=&reason= (no code: empty close frame),
/subprotocol (supports "chat", "superchat"), /send?count=&size=&type=,
/ping?payload=, /headers. Anything else echoes.
"""
import argparse
import asyncio
import json
import os
import stat
import sys
from urllib.parse import parse_qs, urlsplit

import websockets
from websockets.frames import Close

SUPPORTED_PROTOCOLS = ["chat", "superchat"]
ALPHABET = b"abcdefghijklmnopqrstuvwxyz0123456789"


def report(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def pattern(size, kind):
    if kind == "binary":
        return (bytes(range(256)) * (size // 256 + 1))[:size]
    reps = size // len(ALPHABET) + 1
    return (ALPHABET * reps)[:size].decode("ascii")


def int_param(params, name, default):
    try:
        return int(params.get(name, [str(default)])[0])
    except ValueError:
        return default


async def close_with(ws, params):
    code = params.get("code", [""])[0]
    if code == "":
        # websockets has no API for an empty close frame: write it directly.
        await ws.write_close_frame(Close(1005, ""), b"")
        await ws.close()
    else:
        await ws.close(int(code), params.get("reason", [""])[0])


async def handler(ws, path):
    parts = urlsplit(path)
    route = parts.path
    params = parse_qs(parts.query, keep_blank_values=True)
    info = {"event": "conn", "path": route, "close_code": None,
            "close_reason": None, "messages": [], "pong": None}
    try:
        if route == "/close":
            await close_with(ws, params)
        elif route == "/send":
            count = max(0, min(int_param(params, "count", 1), 100000))
            size = max(0, min(int_param(params, "size", 0), 64 * 1024 * 1024))
            kind = "binary" if params.get("type", ["text"])[0] == "binary" else "text"
            data = pattern(size, kind)
            for _ in range(count):
                await ws.send(data)
            await ws.close(1000, "done")
        elif route == "/ping":
            payload = params.get("payload", [""])[0]
            waiter = await ws.ping(payload.encode())
            await asyncio.wait_for(waiter, 10)
            info["pong"] = payload
            await ws.send("pong:" + payload)
        elif route == "/headers":
            await ws.send(json.dumps({k.lower(): v for k, v in ws.request_headers.raw_items()}))
        if route not in ("/close", "/send"):
            async for message in ws:
                kind = "binary" if isinstance(message, bytes) else "text"
                size = len(message) if kind == "binary" else len(message.encode())
                info["messages"].append({"type": kind, "size": size})
                if route not in ("/ping", "/headers"):
                    await ws.send(message)
    except (websockets.ConnectionClosed, asyncio.TimeoutError):
        pass
    finally:
        try:
            await asyncio.wait_for(ws.wait_closed(), 15)
        except asyncio.TimeoutError:
            pass
        info["close_code"] = ws.close_code
        info["close_reason"] = ws.close_reason
        report(info)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--deflate", action="store_true", help="accept permessage-deflate")
    args = ap.parse_args()
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    try:
        stdin_is_pipe = stat.S_ISFIFO(os.fstat(0).st_mode)
    except OSError:
        stdin_is_pipe = False
    if stdin_is_pipe:
        def on_stdin():
            if not os.read(0, 4096) and not stop.done():
                stop.set_result(None)
        loop.add_reader(0, on_stdin)

    async with websockets.serve(handler, "127.0.0.1", args.port, max_size=None,
                                subprotocols=SUPPORTED_PROTOCOLS,
                                compression="deflate" if args.deflate else None) as server:
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write(f"PORT {port}\n")
        sys.stdout.flush()
        await stop


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
