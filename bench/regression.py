"""bench/regression.py -- the CTest guard `bench_regression`: fails on a large
regression of polyws's hot path against bench/regression_baseline.json.

Timings on a shared 2-core machine swing 2x, so the guard rests on what does
not swing:
  1. instructions per operation, counted by callgrind in the client process
     (every thread) running exactly N and then M operations (BENCH_OPS): the
     difference divided by M - N leaves out start-up and shut-down. Fails
     when a figure passes its baseline by more than INSTR_TOLERANCE.
  2. system calls per round trip of the default loop, by ws_loop_dispatch
     and pulled as the bindings do (strace -f, N and M
     operations, futex left out: its count follows time, not round trips),
     failing above SYSCALL_TOLERANCE of the baseline;
  2b. futex calls of the host thread alone per round trip, same runs
     (strace without -f follows only the program's first thread): the
     default loop's standby must not make the host wake it per round trip;
     fails above HOST_FUTEX_LIMIT (absolute: the baseline is about 0);
  3. voluntary context switches per round trip of the default loop, pinned
     (each one a thread going to sleep: the wake-ups its design costs),
     median of the timed runs, failing above SWITCH_TOLERANCE;
  3b. the same with the client on the second core, the server on the first:
     a thread waiting for an answer that comes within the spin budget
     polls for it instead of sleeping (core/spin_policy.h), so it goes to
     sleep far less than once per round trip; fails above APART_SWITCH_LIMIT
     (absolute; skipped on one core);
  4. timed ratios, as a backstop: polyws round trips/s over raw TCP round
     trips/s, both pinned to one core, medians of interleaved runs, and the
     default loop over the host-driven loop. Fail only when a ratio falls
     below RATIO_FLOOR of its baseline.

    regression.py --bin DIR --echo SERVER [ARGS...] [--update]
SERVER is an echo server that prints "PORT n" (beast_echo, or polyws-echo --port 0).
--update rewrites the baseline from this machine (after a deliberate change).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "regression_baseline.json")
INSTR_TOLERANCE = 1.3   # fail above 1.3x the baseline's instructions per op (they repeat to 0.3%)
SYSCALL_TOLERANCE = 1.3
HOST_FUTEX_LIMIT = 0.02  # per op: 0.000-0.001 now; 0.07 when the standby and a busy host woke each other
SWITCH_TOLERANCE = 1.6  # switches per op repeat to ~10% on a quiet machine
APART_SWITCH_LIMIT = 0.3  # per op: ~0.005 with the spin, 1.0 without
RATIO_FLOOR = 0.3       # fail below 0.3x the baseline's timed ratio

# name -> (client options, mode, N, M)
COUNTED = {
    "rtt_dispatch_instructions_per_op": ([], "rtt", 200, 1200),
    "rtt_io_thread_instructions_per_op": (["--io-thread"], "rtt", 200, 1200),
    "rtt_host_driven_instructions_per_op": (["--host-driven"], "rtt", 200, 1200),
    # the bindings' path: ws_loop_next_event, then again with timeout 0
    "rtt_pull_instructions_per_op": (["--pull"], "rtt", 200, 1200),
    "mib_dispatch_instructions_per_op": ([], "mib", 2, 6),
}


def start_server(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    m = re.match(r"PORT (\d+)", proc.stdout.readline() or "")
    if not m:
        proc.kill()
        sys.exit("regression: %s did not start" % cmd[0])
    return proc, int(m.group(1))


def instructions(client, opts, url, mode, ops, tmp):
    out = os.path.join(tmp, "cg.out")
    env = dict(os.environ, BENCH_OPS=str(ops), BENCH_WARMUP="0")
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, client] + opts +
                       [url, mode, "1"], env=env, capture_output=True, text=True, timeout=300)
    m = re.search(r"Collected : (\d+)", r.stderr)
    if r.returncode != 0 or not m:
        sys.exit("regression: callgrind run failed: %s" % r.stderr[-500:])
    return int(m.group(1))


def strace_counts(client, opts, url, mode, ops, tmp, strace_opts):
    """Calls per system call name under `strace -c STRACE_OPTS` for `ops` operations."""
    out = os.path.join(tmp, "strace.out")
    env = dict(os.environ, BENCH_OPS=str(ops), BENCH_WARMUP="0")
    r = subprocess.run(["strace", "-c"] + strace_opts + ["-o", out, client] + opts + [url, mode, "1"],
                       env=env, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        sys.exit("regression: strace run failed: %s" % r.stderr[-500:])
    counts = {}
    for line in open(out):
        f = line.split()
        if len(f) >= 5 and f[-1] not in ("total", "syscall") and f[3].isdigit():
            counts[f[-1]] = int(f[3])
    return counts


def syscalls(client, opts, url, mode, ops, tmp):
    """System calls but futex, every thread (strace -f), for `ops` operations."""
    counts = strace_counts(client, opts, url, mode, ops, tmp, ["-f"])
    return sum(n for name, n in counts.items() if name != "futex")


def host_futexes(client, opts, url, mode, ops, tmp):
    """futex calls of the client's first thread (the host: strace without -f) for `ops` operations."""
    return strace_counts(client, opts, url, mode, ops, tmp, ["-e", "trace=futex"]).get("futex", 0)


def timed(cmd, cpu="0", switches=None):
    """Round trips/s of `cmd` run on `cpu` (the server's core by default)."""
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", cpu] + cmd
    r = subprocess.run(cmd, env=dict(os.environ, BENCH_WARMUP="0.3"), capture_output=True, text=True, timeout=60)
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            j = json.loads(line)
            if switches is not None and "switches" in j:
                switches.append(j["switches"] / j["ops"])
            return j["ops"] / j["seconds"]
    sys.exit("regression: %s failed: %s" % (cmd, r.stderr[-300:]))


def main():
    if "--update" in sys.argv:   # --echo takes the rest of the line
        sys.argv.remove("--update")
        sys.argv.insert(1, "--update")
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="directory with c_client and raw_tcp")
    ap.add_argument("--echo", required=True, nargs="+", help="echo server command")
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    client = os.path.join(args.bin, "c_client")
    raw = os.path.join(args.bin, "raw_tcp")
    baseline = json.load(open(BASELINE)) if os.path.exists(BASELINE) else {}
    measured = {}
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    echo, port = start_server(pin + args.echo)
    tcp, tcp_port = start_server(pin + [raw, "server"])
    url = "ws://127.0.0.1:%d/" % port
    try:
        if shutil.which("valgrind"):
            with tempfile.TemporaryDirectory() as tmp:
                for name, (opts, mode, n, m) in COUNTED.items():
                    a = instructions(client, opts, url, mode, n, tmp)
                    b = instructions(client, opts, url, mode, m, tmp)
                    measured[name] = round((b - a) / (m - n))
        else:
            print("regression: valgrind not found: instruction counts skipped")
        if shutil.which("strace"):
            with tempfile.TemporaryDirectory() as tmp:
                for name, opts in (("rtt_dispatch_syscalls_per_op", []),
                                   ("rtt_pull_syscalls_per_op", ["--pull"])):
                    a = syscalls(client, opts, url, "rtt", 200, tmp)
                    b = syscalls(client, opts, url, "rtt", 2200, tmp)
                    measured[name] = round((b - a) / 2000, 2)
                    a = host_futexes(client, opts, url, "rtt", 200, tmp)
                    b = host_futexes(client, opts, url, "rtt", 2200, tmp)
                    measured[name.replace("_syscalls_", "_host_futex_")] = round(max(0, b - a) / 2000, 3)
        else:
            print("regression: strace not found: system call counts skipped")
        polyws, host_driven, tcp_rtt, switches = [], [], [], []
        for _ in range(5):
            polyws.append(timed([client, url, "rtt", "1"], switches=switches))
            host_driven.append(timed([client, "--host-driven", url, "rtt", "1"]))
            tcp_rtt.append(timed([raw, "client", "127.0.0.1:%d" % tcp_port, "rtt", "1"]))
        tcp_median = statistics.median(tcp_rtt)
        measured["rtt_ratio_to_raw_tcp"] = round(statistics.median(polyws) / tcp_median, 3)
        measured["rtt_host_driven_ratio_to_raw_tcp"] = round(statistics.median(host_driven) / tcp_median, 3)
        measured["rtt_dispatch_ratio_to_host_driven"] = round(statistics.median(polyws) / statistics.median(host_driven), 3)
        if switches:
            measured["rtt_dispatch_switches_per_op"] = round(statistics.median(switches), 2)
        if pin and (os.cpu_count() or 1) >= 2:
            apart = []
            for _ in range(5):
                timed([client, url, "rtt", "1"], cpu="1", switches=apart)
            measured["rtt_dispatch_apart_switches_per_op"] = round(statistics.median(apart), 3)
        print("regression: polyws rtt/s %s, host-driven %s, raw TCP rtt/s %s (pinned, 1 s runs)" %
              ([round(x) for x in polyws], [round(x) for x in host_driven], [round(x) for x in tcp_rtt]))
    finally:
        echo.kill()
        tcp.kill()
    if args.update:
        json.dump(measured, open(BASELINE, "w"), indent=1, sort_keys=True)
        print("regression: baseline written:", measured)
        return 0
    failed = 0
    for name, value in sorted(measured.items()):
        base = baseline.get(name)
        if base is None and "_host_futex_" not in name and "_apart_switches_" not in name:
            print("%-36s %12s  (no baseline)" % (name, value))
            continue
        if "_host_futex_" in name:
            bad = value > HOST_FUTEX_LIMIT
            limit = "at most %.2f" % HOST_FUTEX_LIMIT
        elif "_apart_switches_" in name:
            bad = value > APART_SWITCH_LIMIT
            limit = "at most %.2f" % APART_SWITCH_LIMIT
        elif name.endswith("_per_op"):
            tolerance = (SYSCALL_TOLERANCE if "syscalls" in name else
                         SWITCH_TOLERANCE if "switches" in name else INSTR_TOLERANCE)
            bad = value > base * tolerance
            limit = "at most %.2f" % (base * tolerance)
        else:
            bad = value < base * RATIO_FLOOR
            limit = "at least %.3f" % (base * RATIO_FLOOR)
        failed += bad
        print("%-36s %12s  baseline %-10s %s  %s" % (name, value, base, limit, "FAIL" if bad else "ok"))
    print("%d passed, %d failed" % (len(measured) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
