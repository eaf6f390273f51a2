#!/usr/bin/python3
"""A stand-in for the `polyws` CLI built on Python `websockets` 10.4.

It follows the CLI contract (options, JSONL events, exit status) closely
enough to validate the test peers, the conformance runner and the
integration tests before (or independently of) the real CLI:

    POLYWS_CLI=tests/conformance/reference_cli.py /usr/bin/python3 tests/integration/run_all.py
    /usr/bin/python3 tests/conformance/run.py --cli tests/conformance/reference_cli.py

It is not polyws and not a browser: where `websockets` differs from the
contract (for example it does not report errors the browser way), the
mapping below approximates the contract.
"""
import argparse
import asyncio
import base64
import json
import sys

import websockets
from websockets.exceptions import InvalidHandshake, RedirectHandshake
from websockets.legacy.client import WebSocketClientProtocol

FAIL_CODES = {1002, 1007, 1009, 1011}


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class NoRedirect(WebSocketClientProtocol):
    async def handshake(self, *args, **kwargs):
        try:
            return await super().handshake(*args, **kwargs)
        except RedirectHandshake as exc:
            raise InvalidHandshake(f"redirect to {exc.uri} not followed")


async def run(args):
    jsonl = args.jsonl

    def fail(message):
        if jsonl:
            emit({"event": "error", "message": message})
            emit({"event": "close", "code": 1006, "reason": "", "wasClean": False})
        else:
            sys.stderr.write(f"error: {message}\n")
        return 1

    timeout = args.connect_timeout / 1000 if args.connect_timeout else None
    try:
        ws = await websockets.connect(
            args.url, subprotocols=args.protocol or None, max_size=args.max_message_size,
            open_timeout=timeout, compression=None, close_timeout=5,
            create_protocol=NoRedirect, ping_interval=None)
    except asyncio.TimeoutError:
        return fail("connect timeout")
    except (OSError, InvalidHandshake, ValueError) as exc:
        return fail(f"{type(exc).__name__}: {exc}")
    if args.protocol and not ws.subprotocol:
        ws.transport.abort()
        return fail("no subprotocol selected")

    if jsonl:
        emit({"event": "open", "protocol": ws.subprotocol or "", "extensions": ""})
    sent = 0
    received = 0
    closing = False
    for text in args.send:
        await ws.send(text)
        sent += 1
    if args.close is not None and sent == 0:
        closing = True
        await close(ws, args.close)

    stdin_task = None
    if not args.echo and args.close is None and not args.send and not sys.stdin.isatty():
        stdin_task = asyncio.ensure_future(pump_stdin(ws))

    try:
        async for message in ws:
            received += 1
            if jsonl:
                if isinstance(message, str):
                    emit({"event": "message", "type": "text", "size": len(message.encode()),
                          "data": message})
                else:
                    emit({"event": "message", "type": "binary", "size": len(message),
                          "data": base64.b64encode(message).decode()})
            elif isinstance(message, str):
                print(message, flush=True)
            if args.echo:
                try:
                    await ws.send(message)
                except websockets.ConnectionClosed:
                    pass  # closing: the echo is discarded, as in a browser
            if args.close is not None and not closing and received >= sent:
                closing = True
                asyncio.ensure_future(close(ws, args.close))
    except websockets.ConnectionClosed:
        pass
    await ws.wait_closed()
    if stdin_task:
        stdin_task.cancel()

    rcvd, snt = ws.close_rcvd, ws.close_sent
    if rcvd is None and snt is not None and snt.code in FAIL_CODES:
        return fail(f"protocol error, sent close {snt.code}")
    if rcvd is None or snt is None:
        code, reason, clean = 1006, "", False
    else:
        code, reason, clean = rcvd.code, rcvd.reason, True
    if jsonl:
        emit({"event": "close", "code": code, "reason": reason, "wasClean": clean})
    return 0 if clean else 1


async def close(ws, spec):
    """spec: the CLI's --close CODE[:REASON] and --close-reason TEXT."""
    code, _, reason = spec[0].partition(":")
    await ws.close(int(code), spec[1] or reason)


async def pump_stdin(ws):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            await ws.close(1000, "")
            return
        await ws.send(line.rstrip("\n"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("-p", "--protocol", action="append", default=[])
    ap.add_argument("--echo", action="store_true")
    ap.add_argument("--jsonl", action="store_true")
    ap.add_argument("--send", action="append", default=[])
    ap.add_argument("--close", metavar="CODE[:REASON]")
    ap.add_argument("--close-reason", default="")
    ap.add_argument("--connect-timeout", type=int, default=30000)
    ap.add_argument("--max-message-size", type=int, default=64 * 1024 * 1024)
    args = ap.parse_args()
    if args.close is not None:
        args.close = (args.close, args.close_reason)
    if args.url.startswith("http://"):
        args.url = "ws://" + args.url[7:]
    if not args.url.startswith(("ws://", "wss://")) or "#" in args.url:
        sys.stderr.write("SyntaxError: bad URL\n")
        return 2
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
