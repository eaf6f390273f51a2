#!/usr/bin/python3
"""Conformance runner: the polyws CLI against tests/peers/raw_server.py.

    /usr/bin/python3 tests/conformance/run.py --cli build/tools/polyws \
        [--report report.md] [--markdown] [--label NAME] [--case GLOB ...] [-v]

--cli may also be tests/conformance/capi_echo (the same cases through the C
API directly, see capi_echo.c), with `--io-thread` passed through by
`--cli-arg=--io-thread`.

For every case of raw_server.py it runs

    CLI [case args] --echo --jsonl ws://127.0.0.1:PORT/<case>

and grades it as Autobahn does:
  pass        the exact behaviour docs/contract.md asks for (events, exit status,
              and what the client put on the wire)
  non-strict  the page-visible behaviour is right, the wire is not ideal
              (another close code, no close frame, UTF-8 failure detected
              late instead of fail-fast)
  fail        anything else
Non-strict counts as passed. The last line is exactly `N passed, M failed`;
the exit status is 1 when any case failed.
"""
import argparse
import base64
import fnmatch
import hashlib
import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RAW_SERVER = os.path.join(ROOT, "tests", "peers", "raw_server.py")
PYTHON = "/usr/bin/python3"


def load_cases():
    spec = importlib.util.spec_from_file_location("raw_server", RAW_SERVER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.CASES


class RawServer:
    def __init__(self):
        self.proc = subprocess.Popen([PYTHON, RAW_SERVER, "--port", "0"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()
        try:
            first = self.lines.get(timeout=15)
        except queue.Empty:
            first = None
        if not first or not first.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"raw_server did not start: {first!r} {''.join(self.stderr)}")
        self.port = int(first.split()[1])

    @staticmethod
    def _read(stream, q):
        for line in stream:
            q.put(line.rstrip("\n"))
        q.put(None)

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def records(self, name, timeout):
        """The record of case `name`, plus the other records seen meanwhile."""
        deadline = time.monotonic() + timeout
        others = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, others
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                return None, others
            if line is None:
                return None, others
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("case") == name:
                return rec, others
            others.append(rec)

    def drain_records(self, seconds):
        got = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            try:
                got.append(json.loads(line))
            except ValueError:
                pass
        return got

    def stop(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def run_cli(cli, args, url, timeout):
    cmd = [cli] + list(args) + ["--echo", "--jsonl", url]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out, err, rc = e.stdout or b"", e.stderr or b"", None
    except OSError as e:
        out, err, rc = b"", f"could not run the CLI: {e}".encode(), None
    events, bad = [], []
    for line in out.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except ValueError:
            bad.append(line[:80])
    return events, bad, rc, err.decode("utf-8", "replace")


def short(ev):
    e = ev.get("event")
    if e == "message":
        return f"message({ev.get('type')},{ev.get('size')})"
    if e == "close":
        return f"close({ev.get('code')},{'clean' if ev.get('wasClean') else 'unclean'})"
    if e == "open":
        return f"open({ev.get('protocol')!r})" if ev.get("protocol") else "open"
    return str(e)


def message_matches(ev, kind, data):
    if ev.get("event") != "message" or ev.get("type") != kind or ev.get("size") != len(data):
        return False
    if kind == "text":
        return ev.get("data") == data.decode("utf-8")
    try:
        return base64.b64decode(ev.get("data", "")) == data
    except ValueError:
        return False


def wire_close(rec):
    if not rec.get("client_close_frame"):
        return "no close frame"
    c = rec.get("client_close_code")
    return f"close frame {c}" if c is not None else "empty close frame"


def grade(case, events, bad, rc, rec, others):
    """Return (verdict, detail)."""
    seq = " ".join(short(e) for e in events)
    if rc is None:
        return "fail", f"CLI timed out or did not run; events: {seq}"
    if bad:
        return "fail", f"non-JSON output: {bad[0]!r}"
    if rec is None:
        return "fail", f"no server record; events: {seq}"
    if rec.get("request_problems"):
        return "fail", f"bad handshake request: {rec['request_problems']}"
    if not rec.get("client_masked", True):
        return "fail", "client sent an unmasked frame"
    if rec.get("server_exception"):
        return "fail", f"server exception {rec['server_exception']}"
    types = [e.get("event") for e in events]
    last = events[-1] if events else {}
    failed_close = (last.get("event") == "close" and last.get("code") == 1006
                    and last.get("wasClean") is False)

    if case.kind == "fail":
        if types != ["open", "error", "close"] or not failed_close:
            return "fail", f"events: {seq} (want open error close(1006,unclean))"
        if rc != 1:
            return "fail", f"exit status {rc}, want 1"
        notes = []
        if rec.get("client_close_code") != case.code:
            notes.append(f"{wire_close(rec)}, want {case.code}")
        if case.fail_fast and not rec.get("failed_fast"):
            notes.append("failed only after the final fragment (not fail-fast)")
        if notes:
            return "non-strict", "; ".join(notes)
        return "pass", f"close frame {case.code}"

    if case.kind == "handshake_fail":
        if types != ["error", "close"] or not failed_close:
            return "fail", f"events: {seq} (want error close(1006,unclean))"
        if rc != 1:
            return "fail", f"exit status {rc}, want 1"
        followed = [r.get("case") for r in others if r.get("case") != case.name]
        if followed:
            return "fail", f"client made another connection: {followed}"
        if rec.get("client_frames"):
            return "non-strict", f"client sent {rec['client_frames']} frame(s) after a failed handshake"
        return "pass", "handshake rejected"

    if case.kind == "close":
        want = ["open"] + ["message"] * len(case.messages) + ["close"]
        if types != want:
            return "fail", f"events: {seq}"
        for ev, (kind, data) in zip(events[1:], case.messages):
            if not message_matches(ev, kind, data):
                return "fail", f"message differs: {short(ev)}"
        if (last.get("code"), last.get("reason"), last.get("wasClean")) != (case.code, case.reason, True):
            return "fail", (f"close event {last.get('code')} {last.get('reason')!r} "
                            f"wasClean={last.get('wasClean')}, want {case.code} {case.reason!r} clean")
        if rc != 0:
            return "fail", f"exit status {rc}, want 0"
        if not rec.get("client_close_frame") or rec.get("client_close_code") != case.client_code:
            want_wire = case.client_code if case.client_code is not None else "empty"
            return "non-strict", f"{wire_close(rec)}, want {want_wire}"
        return "pass", f"close {case.code}"

    # "ok"
    want = ["open"] + ["message"] * len(case.messages) + ["close"]
    if types != want:
        return "fail", f"events: {seq}"
    if events[0].get("protocol") != case.protocol:
        return "fail", f"open protocol {events[0].get('protocol')!r}, want {case.protocol!r}"
    if case.extensions is not None and events[0].get("extensions") != case.extensions:
        return "fail", (f"open extensions {events[0].get('extensions')!r}, "
                        f"want {case.extensions!r}")
    for ev, (kind, data) in zip(events[1:], case.messages):
        if not message_matches(ev, kind, data):
            return "fail", f"message event differs: {short(ev)}"
    if (last.get("code"), last.get("reason"), last.get("wasClean")) != (1000, "done", True):
        return "fail", f"close event {short(last)} {last.get('reason')!r}, want close(1000,'done',clean)"
    if rc != 0:
        return "fail", f"exit status {rc}, want 0"
    got = [(m["type"], m["size"], m["sha256"]) for m in rec.get("received", [])]
    exp = [(k, len(d), hashlib.sha256(d).hexdigest()[:16]) for k, d in case.messages]
    if got != exp:
        return "fail", f"echo on the wire differs: {got[:3]} want {exp[:3]}"
    exp_p = [p.hex() for p in case.pongs]
    got_p = rec.get("pongs") or []
    if got_p != exp_p:
        # RFC 6455 5.5.3: a pong for only the most recent of several pings
        # not yet answered is allowed.
        if got_p and got_p[-1] == exp_p[-1] and all(p in exp_p for p in got_p):
            return "non-strict", f"answered {len(got_p)} of {len(exp_p)} pings (the latest)"
        return "fail", f"pongs {got_p} want {exp_p}"
    if rec.get("client_close_code") != 1000:
        return "non-strict", f"{wire_close(rec)}, want 1000"
    return "pass", "ok"


# Report categories (the case groups of raw_server.py), in table order.
CATEGORIES = [
    ("messages", "Length boundaries (0-65536 B, 16 MiB) and fragmentation"),
    ("control", "Ping/pong and control frames"),
    ("framing", "Reserved bits and opcodes, masking, bad continuations"),
    ("utf8", "UTF-8 (valid, invalid, split, fail-fast)"),
    ("close", "Close codes, reasons, data after close"),
    ("handshake", "Handshake faults"),
    ("limits", "Maximum message size"),
    ("deflate", "permessage-deflate (offered)"),
]


def summary_markdown(results, driver):
    """Per category: cases, strict pass, non-strict pass, fail."""
    rows, totals = [], [0, 0, 0, 0]
    names = dict(CATEGORIES)
    order = [g for g, _ in CATEGORIES] + sorted({r[0].group for r in results} - set(names))
    for group in order:
        rs = [r for r in results if r[0].group == group]
        if not rs:
            continue
        counts = [len(rs), sum(r[1] == "pass" for r in rs), sum(r[1] == "non-strict" for r in rs),
                  sum(r[1] == "fail" for r in rs)]
        totals = [a + b for a, b in zip(totals, counts)]
        rows.append(f"| {names.get(group, group)} | " + " | ".join(map(str, counts)) + " |")
    out = [f"Conformance ({driver}): tests/conformance/run.py against tests/peers/raw_server.py",
           "", "| category | cases | strict pass | non-strict pass | fail |", "|---|---|---|---|---|"]
    out += rows
    out.append("| **total** | " + " | ".join(f"**{n}**" for n in totals) + " |")
    nonstrict = [r for r in results if r[1] == "non-strict"]
    if nonstrict:
        out += ["", "Non-strict passes (page-visible behaviour right, wire not ideal):", ""]
        out += [f"- `{r[0].name}`: {r[2]}" for r in nonstrict]
    failed = [r for r in results if r[1] == "fail"]
    if failed:
        out += ["", "Failures:", ""] + [f"- `{r[0].name}`: {r[2]}" for r in failed]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description="polyws conformance runner")
    ap.add_argument("--cli", required=True, help="path of the polyws CLI")
    ap.add_argument("--report", help="write a markdown table of every case here")
    ap.add_argument("--markdown", action="store_true",
                    help="print the per-category summary table as markdown at the end")
    ap.add_argument("--label", help="what the table calls the client (default: the CLI's name)")
    ap.add_argument("--case", action="append", default=[], help="run only cases matching this glob")
    ap.add_argument("--cli-arg", action="append", default=[],
                    help="an extra argument put before every case's own arguments")
    ap.add_argument("-v", "--verbose", action="store_true", help="show events and stderr of failures")
    args = ap.parse_args()

    cli = os.path.abspath(args.cli)
    if not (os.path.isfile(cli) and os.access(cli, os.X_OK)):
        print(f"CLI not found or not executable: {cli}", file=sys.stderr)
        return 2
    cases = load_cases()
    selected = [c for c in cases.values()
                if c.name != "hs-redirect-target"
                and (not args.case or any(fnmatch.fnmatch(c.name, g) for g in args.case))]
    server = RawServer()
    results = []
    try:
        for case in selected:
            url = f"ws://127.0.0.1:{server.port}/{case.name}"
            big = any(len(d) > 1 << 20 for _, d in case.messages)
            t0 = time.monotonic()
            events, bad, rc, err = run_cli(cli, args.cli_arg + case.args, url, 90 if big else 40)
            rec, others = server.records(case.name, 15)
            if case.hs.startswith("redirect"):
                others += server.drain_records(0.5)
            verdict, detail = grade(case, events, bad, rc, rec, others)
            dt = time.monotonic() - t0
            results.append((case, verdict, detail, dt))
            print(f"{case.name:36} {verdict:10} {dt:6.2f}s  {detail}", flush=True)
            if args.verbose and verdict == "fail":
                print(f"    events: {[short(e) for e in events]} exit={rc}")
                print(f"    server: {json.dumps(rec)[:400]}")
                if err.strip():
                    print("    stderr: " + err.strip().replace("\n", "\n            ")[:800])
    finally:
        server.stop()

    passed = sum(1 for r in results if r[1] in ("pass", "non-strict"))
    failed = len(results) - passed
    strict = sum(1 for r in results if r[1] == "pass")
    if args.report:
        with open(args.report, "w") as f:
            f.write("# polyws conformance (tests/peers/raw_server.py)\n\n")
            f.write(f"CLI: `{args.cli}`. {strict} pass, {passed - strict} non-strict, "
                    f"{failed} fail.\n\n")
            f.write("| case | group | description | result | detail |\n")
            f.write("|---|---|---|---|---|\n")
            for case, verdict, detail, _ in results:
                cells = [case.name, case.group, case.desc, verdict.upper(), detail]
                f.write("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |\n")
    if args.markdown:
        print()
        print(summary_markdown(results, args.label or os.path.basename(args.cli)))
    print(f"strict {strict}, non-strict {passed - strict}, fail {failed}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
