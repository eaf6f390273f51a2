#!/bin/sh
# C# clients against one polyws-echo, in one run: Polyws (the C# binding) and
# .NET's System.Net.WebSockets.ClientWebSocket, every mode of bench-clients,
# median of 3 runs, the client pinned to CPU 0 (taskset -c 0) and unpinned.
# Prints a markdown table.
#   bench/csharp/run.sh [BUILD_DIR]       (default: build; its libpolyws.so and polyws-echo)
#   SECONDS_PER_RUN=3 BENCH_WARMUP=2 RUNS=3 MODES="rtt mib pipeline connect"
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
secs=${SECONDS_PER_RUN:-3}
runs=${RUNS:-3}
modes=${MODES:-rtt mib pipeline connect}
export BENCH_WARMUP=${BENCH_WARMUP:-2}   # JIT: more than the default 1 s
lib=$build/libpolyws.so

dotnet build "$here/PolywsBench.csproj" -c Release -nologo -v:quiet -p:PolywsLinuxX64Native="$lib" > /tmp/polyws-csbench-build.log 2>&1 ||
    { cat /tmp/polyws-csbench-build.log; exit 1; }
cp -L "$lib" "$here/bin/Release/net10.0/libpolyws.so"   # this build's library, whatever was copied before

out=$(mktemp -d /tmp/polyws-csbench.XXXXXX)
"$build/tools/polyws-echo" --port 0 > "$out/echo.out" 2>&1 &
echo_pid=$!
trap 'kill $echo_pid 2>/dev/null; rm -rf "$out"' EXIT INT TERM
i=0; port=""
while [ $i -lt 100 ] && [ -z "$port" ]; do
    port=$(sed -n 's/^PORT \([0-9]*\).*/\1/p' "$out/echo.out" | head -n1); i=$((i + 1)); sleep 0.1
done
[ -n "$port" ] || { echo "polyws-echo printed no port" >&2; exit 1; }
url=ws://127.0.0.1:$port/

for pin in pinned unpinned; do
    for mode in $modes; do
        for client in polyws clientwebsocket; do
            r=0
            while [ $r -lt "$runs" ]; do
                if [ $pin = pinned ]; then
                    taskset -c 0 "$here/cs-$client" "$url" "$mode" "$secs" > "$out/one" 2> "$out/err" || { cat "$out/err" >&2; exit 1; }
                else
                    "$here/cs-$client" "$url" "$mode" "$secs" > "$out/one" 2> "$out/err" || { cat "$out/err" >&2; exit 1; }
                fi
                printf '%s %s %s %s\n' "$pin" "$mode" "$client" "$(grep '^{' "$out/one" | tail -n1)" >> "$out/results"
                r=$((r + 1))
            done
        done
    done
done

/usr/bin/python3 - "$out/results" "$secs" "$runs" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    pin, mode, client, js = line.split(" ", 3)
    d = json.loads(js)
    rows.setdefault((pin, mode, client), []).append(d)
size = {"rtt": 32, "mib": 1 << 20, "pipeline": 64, "connect": 0}
print(f"C# clients against one polyws-echo; {sys.argv[3]} runs of {sys.argv[2]} s each (median), warm-up per run.")
print("Pinned: the client process on CPU 0 (taskset -c 0); the server unpinned.\n")
print("| mode | pinning | Polyws ops/s | ClientWebSocket ops/s | Polyws / ClientWebSocket | Polyws CPU s/s | ClientWebSocket CPU s/s |")
print("|---|---|---:|---:|---:|---:|---:|")
for mode in ["rtt", "mib", "pipeline", "connect"]:
    for pin in ["pinned", "unpinned"]:
        if (pin, mode, "polyws") not in rows: continue
        def med(client, key):
            runs = rows[(pin, mode, client)]
            return statistics.median(r["ops"] / r["seconds"] if key == "rate" else r["cpu_seconds"] / r["seconds"] for r in runs)
        p, c = med("polyws", "rate"), med("clientwebsocket", "rate")
        unit = lambda v: f"{v:,.0f}" + (f" ({v * size[mode] / 1e6:,.0f} MB/s)" if mode == "mib" else "")
        print(f"| {mode} | {pin} | {unit(p)} | {unit(c)} | {p / c:.2f}x | {med('polyws', 'cpu'):.2f} | {med('clientwebsocket', 'cpu'):.2f} |")
PY
