"""bench/harness.py -- runs every benchmark client (bench/README.md) against
one common echo server in the same run and writes docs/benchmarks.md and
docs/benchmarks.png. Started by bench/run.sh, which builds the clients.

Each client is a command that follows the calling convention; this file
only knows how to start each one, when it is present.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODES = {
    # mode: (title, unit, ops -> unit factor)
    "rtt": ("32 B round trips/s (one in flight)", "round trips/s", 1.0),
    "mib": ("1 MiB echo throughput (one in flight)", "MB/s", 1048576 / 1e6),
    "pipeline": ("64 B messages/s, 64 in flight", "messages/s", 1.0),
    "connect": ("connect + handshake + close cycles/s", "cycles/s", 1.0),
}


def start_server(cmd, pinned):
    """Starts a server that prints "PORT n"; returns (process, port)."""
    if pinned:
        cmd = ["taskset", "-c", "0"] + cmd
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.match(r"PORT (\d+)", line or "")
    if not m:
        proc.kill()
        raise SystemExit("harness: server did not start: %s" % " ".join(cmd))
    return proc, int(m.group(1))


class Client:
    def __init__(self, name, kind, cmd, modes, warmup=1.0, env=None, server="ws"):
        self.name, self.kind, self.cmd, self.modes = name, kind, cmd, modes
        self.warmup, self.env, self.server = warmup, env or {}, server


def discover(bin_dir, build):
    """The clients present on this machine, and notes on those skipped."""
    clients, notes = [], []
    b = lambda name: os.path.join(bin_dir, name)
    all4 = ["rtt", "mib", "pipeline", "connect"]
    clients.append(Client("raw TCP (C, blocking)", "limit", [b("raw_tcp"), "client", "{hostport}"],
                          ["rtt", "mib"], server="tcp"))
    if os.path.exists(b("lws_floor")):
        clients.append(Client("libwebsockets 4.1.6 floor (bench/lws_floor.c)", "limit",
                              [b("lws_floor"), "{url}"], ["rtt"]))
    c = [b("c_client")]
    clients.append(Client("polyws C, default loop (dispatch)", "polyws", c + ["{url}"], all4))
    clients.append(Client("polyws C, I/O-thread delivery", "polyws", c + ["--io-thread", "{url}"],
                          ["rtt", "mib", "pipeline"]))
    clients.append(Client("polyws C, default loop, pull (bindings' path)", "polyws", c + ["--pull", "{url}"],
                          ["rtt", "mib", "pipeline"]))
    clients.append(Client("polyws C, host-driven loop", "polyws", c + ["--host-driven", "{url}"], all4))
    clients.append(Client("polyws C, host-driven pull", "polyws", c + ["--host-driven", "--pull", "{url}"],
                          ["rtt", "mib", "pipeline"]))
    for label, interp, sub in (("Lua 5.4", "lua5.4", "5.4"), ("LuaJIT", "luajit", "luajit")):
        d = os.path.join(build, "bindings", "lua", sub)
        if shutil.which(interp) and os.path.exists(os.path.join(d, "polyws_core.so")):
            env = {"LUA_PATH": d + "/?.lua", "LUA_CPATH": d + "/?.so"}
            lua_client = os.path.join(ROOT, "bench", "lua_client.lua")
            clients.append(Client("polyws %s (default)" % label, "polyws", [interp, lua_client, "{url}"], all4, env=env))
            clients.append(Client("polyws %s, host-driven" % label, "polyws",
                                  [interp, lua_client, "--host-driven", "{url}"], all4, env=env))
        else:
            notes.append("polyws %s: skipped (%s or the Lua binding is not built)" % (label, interp))
    # The C# work's launchers (bench/csharp/cs-polyws, cs-clientwebsocket),
    # usable once bench/run.sh has built PolywsBench.
    cs = os.path.join(ROOT, "bench", "csharp")
    if os.path.exists(os.path.join(cs, "bin", "Release", "net10.0", "PolywsBench.dll")):
        clients.append(Client("polyws C# (default)", "polyws", ["sh", os.path.join(cs, "cs-polyws"), "{url}"], all4, warmup=3))
        clients.append(Client("polyws C#, host-driven", "polyws",
                              ["sh", os.path.join(cs, "cs-polyws"), "--host-driven", "{url}"], all4, warmup=3))
        clients.append(Client(".NET ClientWebSocket", "peer", ["sh", os.path.join(cs, "cs-clientwebsocket"), "{url}"],
                              all4, warmup=3))
    else:
        notes.append("polyws C# and .NET ClientWebSocket: skipped (bench/csharp not built: dotnet missing or failed)")
    # The Java work's bench/java/client.sh taking `polyws|jdk URL MODE SECONDS`.
    for lang, label, peer, words in (("java", "Java", "Java java.net.http.WebSocket", ("jdk", "peer")),):
        script = next((os.path.join(ROOT, "bench", lang, f) for f in ("client.sh", "client")
                       if os.path.isfile(os.path.join(ROOT, "bench", lang, f))), None)
        if not script:
            notes.append("polyws %s and %s: skipped (no bench/%s/client.sh yet)" % (label, peer, lang))
            continue
        text = open(script, errors="replace").read()
        word = next((w for w in words if w in text), words[0])
        env = {"POLYWS_BUILD": build}
        clients.append(Client("polyws %s (default)" % label, "polyws", ["sh", script, "polyws", "{url}"], all4, warmup=3, env=env))
        if "polyws-inline" in text:
            clients.append(Client("polyws %s, host-driven" % label, "polyws", ["sh", script, "polyws-inline", "{url}"],
                                  all4, warmup=3, env=env))
        clients.append(Client(peer, "peer", ["sh", script, word, "{url}"], all4, warmup=3, env=env))
    for name, exe in (("Boost.Beast 1.74 (sync)", "beast_client"), ("websocketpp 0.8", "websocketpp_client")):
        if os.access(b(exe), os.X_OK):
            clients.append(Client(name, "peer", [b(exe), "{url}"], all4))
        else:
            notes.append("%s: skipped (not built: Boost / websocketpp headers missing?)" % name)
    node_modules = os.path.join(ROOT, "node_modules", "ws")
    if shutil.which("node") and os.path.isdir(node_modules):
        clients.append(Client("Node ws", "peer", ["node", os.path.join(ROOT, "bench", "peers", "node_client.js"), "{url}"],
                              all4, warmup=2, env={"NODE_PATH": os.path.join(ROOT, "node_modules")}))
    else:
        notes.append("Node ws: skipped (node or node_modules/ws missing)")
    if os.path.exists("/usr/bin/python3"):
        clients.append(Client("Python websockets", "peer",
                              ["/usr/bin/python3", os.path.join(ROOT, "bench", "peers", "python_client.py"), "{url}"], all4))
    return clients, notes


def run_client(client, mode, seconds, urls, pinned):
    cmd = [a.format(url=urls["ws"], hostport=urls["tcp"]) for a in client.cmd] + [mode, str(seconds)]
    if pinned:
        cmd = ["taskset", "-c", "0"] + cmd
    env = dict(os.environ)
    env.update(client.env)
    env["BENCH_WARMUP"] = str(client.warmup)
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True,
                             timeout=client.warmup + seconds + 60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            try:
                r = json.loads(line)
                return r, None
            except ValueError:
                pass
    return None, (out.stderr.strip().splitlines() or ["exit %d" % out.returncode])[-1]


def hold(cmd, n, url):
    out = subprocess.run(cmd + [url, "hold", str(n)], capture_output=True, text=True, timeout=300)
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(out.stderr.strip()[-300:])


def fmt(v):
    return "%.1f" % v if v < 100 else "{:,.0f}".format(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--server", default="beast", choices=["beast", "polyws"])
    ap.add_argument("--modes", default="rtt,mib,pipeline,connect")
    ap.add_argument("--unpinned-modes", default="rtt,mib")
    ap.add_argument("--memory", default="1,100,10000")
    ap.add_argument("--only", default="", help="regex: only clients whose name matches")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    args = ap.parse_args()

    clients, notes = discover(args.bin, args.build)
    if args.only:
        clients = [c for c in clients if re.search(args.only, c.name) or c.kind == "limit"]
    server_cmd = ([os.path.join(args.bin, "beast_echo")] if args.server == "beast"
                  else [os.path.join(args.build, "tools", "polyws-echo"), "--port", "0"])
    results = {}   # (pinned, mode, client) -> [values]
    cpu = {}
    failures = []
    plan = [(True, m) for m in args.modes.split(",") if m] + \
           [(False, m) for m in args.unpinned_modes.split(",") if m]
    for pinned in (True, False):
        modes = [m for p, m in plan if p == pinned]
        if not modes:
            continue
        ws_server, ws_port = start_server(server_cmd, pinned)
        tcp_server, tcp_port = start_server([os.path.join(args.bin, "raw_tcp"), "server"], pinned)
        urls = {"ws": "ws://127.0.0.1:%d/" % ws_port, "tcp": "127.0.0.1:%d" % tcp_port}
        try:
            # Interleaved: run 1 of every client, then run 2, ... so that a
            # change in the machine's load does not favour one client.
            for run in range(args.runs):
                for mode in modes:
                    for c in clients:
                        if mode not in c.modes:
                            continue
                        r, err = run_client(c, mode, args.seconds, urls, pinned)
                        tag = "pinned" if pinned else "unpinned"
                        if r is None:
                            failures.append("%s %s %s: %s" % (c.name, mode, tag, err))
                            print("  FAILED %-34s %-8s %s: %s" % (c.name, mode, tag, err), file=sys.stderr)
                            continue
                        v = r["ops"] / r["seconds"] * MODES[mode][2]
                        results.setdefault((pinned, mode, c.name), []).append(v)
                        cpu.setdefault((pinned, mode, c.name), []).append(r["cpu_seconds"] / max(r["ops"], 1) * 1e6)
                        print("  run %d %-8s %-34s %-8s %12s %s" % (run + 1, tag, c.name, mode, fmt(v), MODES[mode][1]),
                              file=sys.stderr)
        finally:
            ws_server.kill()
            tcp_server.kill()
            ws_server.wait()
            tcp_server.wait()

    memory = []
    counts = [int(x) for x in args.memory.split(",") if x]
    if counts:
        server, port = start_server(server_cmd, False)
        url = "ws://127.0.0.1:%d/" % port
        holders = [("polyws C (one loop)", [os.path.join(args.bin, "c_client")])]
        if os.access(os.path.join(args.bin, "beast_client"), os.X_OK):
            holders.append(("Boost.Beast (one io_context)", [os.path.join(args.bin, "beast_client")]))
        try:
            for name, cmd in holders:
                for n in counts:
                    try:
                        m = hold(cmd, n, url)
                        memory.append((name, n, m["base_rss_kib"], m["peak_rss_kib"]))
                        print("  memory %-30s %6d connections: peak RSS %d KiB" % (name, n, m["peak_rss_kib"]),
                              file=sys.stderr)
                    except Exception as e:   # reported in the table
                        failures.append("%s hold %d: %s" % (name, n, e))
        finally:
            server.kill()
            server.wait()

    write_report(args, clients, results, cpu, memory, notes, failures)


def write_report(args, clients, results, cpu, memory, notes, failures):
    os.makedirs(args.out, exist_ok=True)
    kind = {c.name: c.kind for c in clients}
    lines = ["# Benchmarks", "",
             "Generated by `bench/run.sh` on %s (%d cores, load average %s at the end). "
             "Echo server: %s on 127.0.0.1, the same for every client. Median of %d interleaved runs of %g s "
             "each after a warm-up; spread is min-max. *Pinned*: `taskset -c 0` on both ends (one core: "
             "CPU cost); *unpinned*: free to use both cores (wake-up latency dominates, noisy). "
             "CPU µs/op: the client process, every thread. Ratios: to the best peer (a client that is "
             "neither polyws nor raw TCP) and to raw TCP, from the same run."
             % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(),
                open("/proc/loadavg").read().split()[0],
                "Boost.Beast (bench/peers/beast_echo.cpp)" if args.server == "beast" else "polyws-echo",
                args.runs, args.seconds), ""]
    chart = []
    for pinned in (True, False):
        for mode in MODES:
            rows = [(name, vals) for (p, m, name), vals in results.items() if p == pinned and m == mode]
            if not rows:
                continue
            med = {name: statistics.median(vals) for name, vals in rows}
            peers = [v for n, v in med.items() if kind.get(n) == "peer"]
            best_peer = max(peers) if peers else None
            best_name = max((n for n in med if kind.get(n) == "peer"), key=lambda n: med[n], default="")
            raw = med.get("raw TCP (C, blocking)")
            # The ceiling of anything built on lws's service loop, when measured.
            floor = next((v for n, v in med.items() if n.startswith("libwebsockets")), None)
            title, unit, _ = MODES[mode]
            lines += ["## %s, %s" % (title, "pinned" if pinned else "unpinned"), "",
                      "| client | median %s | spread | CPU µs/op | vs best peer (%s) | vs raw TCP |%s" % (
                          unit, best_name, " vs lws floor |" if floor else ""),
                      "|---|---:|---:|---:|---:|---:|" + ("---:|" if floor else "")]
            for name, vals in sorted(rows, key=lambda r: -med[r[0]]):
                v = med[name]
                lines.append("| %s | %s | %s-%s | %.1f | %s | %s |%s" % (
                    name, fmt(v), fmt(min(vals)), fmt(max(vals)),
                    statistics.median(cpu[(pinned, mode, name)]),
                    "%.2fx" % (v / best_peer) if best_peer else "-",
                    "%.0f%%" % (100 * v / raw) if raw else "-",
                    " %.0f%% |" % (100 * v / floor) if floor else ""))
            lines.append("")
            if pinned:
                chart.append((title + " (pinned)", unit, med, rows))
    if memory:
        lines += ["## Memory: peak RSS with N open connections on one loop", "",
                  "Per connection: (peak RSS after opening N - RSS before the first) / N.", "",
                  "| client | connections | RSS before | peak RSS | per connection |", "|---|---:|---:|---:|---:|"]
        for name, n, base, peak in memory:
            lines.append("| %s | %d | %d KiB | %d KiB | %.1f KiB |" % (name, n, base, peak, (peak - base) / n))
        lines.append("")
    if notes or failures:
        lines += ["## Notes", ""] + ["- " + n for n in notes] + ["- FAILED: " + f for f in failures] + [""]
    with open(os.path.join(args.out, "benchmarks.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(args.out, "benchmarks.json"), "w") as f:
        json.dump({"%s|%s|%s" % ("pinned" if p else "unpinned", m, n): v for (p, m, n), v in results.items()},
                  f, indent=1, sort_keys=True)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("harness: matplotlib missing (python3-matplotlib); no chart", file=sys.stderr)
        return
    fig, axes = plt.subplots(len(chart), 1, figsize=(9, 2.2 + 0.45 * len(clients) * len(chart)))
    if len(chart) == 1:
        axes = [axes]
    colours = {"polyws": "#1f77b4", "peer": "#999999", "limit": "#2ca02c"}
    for ax, (title, unit, med, rows) in zip(axes, chart):
        names = sorted(med, key=lambda n: med[n])
        vals = [med[n] for n in names]
        lo = [med[n] - min(dict(rows)[n]) for n in names]
        hi = [max(dict(rows)[n]) - med[n] for n in names]
        ax.barh(names, vals, xerr=[lo, hi], color=[colours.get(kind.get(n), "#999999") for n in names])
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(unit, fontsize=8)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "benchmarks.png"), dpi=90)


if __name__ == "__main__":
    main()
