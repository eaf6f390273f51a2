#!/bin/sh
# polyws's Java binding against the JDK's own java.net.http.WebSocket: both
# clients of bench/java/Bench.java against one polyws-echo on loopback, every
# mode of notes/bench-clients.md, pinned (client and server on core 0 with
# taskset: CPU cost) and unpinned (both cores: wake-up latency). Medians of
# RUNS interleaved runs of SECONDS_PER_RUN seconds after BENCH_WARMUP seconds
# of JIT warm-up in each JVM; prints a markdown table. For scale, the C API
# client bench/c_client.c (listeners run by ws_loop_dispatch) runs the modes it
# has (rtt, mib) in the same runs: the "Java / C" column is the binding's cost.
#   bench/java/compare.sh          (after scripts/build.sh release)
#   RUNS=3 SECONDS_PER_RUN=3 BENCH_WARMUP=2 bench/java/compare.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-3}
secs=${SECONDS_PER_RUN:-3}
export BENCH_WARMUP=${BENCH_WARMUP:-2}
build=${POLYWS_BUILD:-$root/build}
export POLYWS_BUILD=$build
[ -x "$build/tools/polyws-echo" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }
work=$(mktemp -d)
echo_pid=
cleanup() { [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cc -O2 -std=c11 -I"$root/capi/include" "$root/bench/c_client.c" -L"$build" -lpolyws \
   -Wl,-rpath,"$build" -o "$work/c_client"

mkfifo "$work/port"
"$build/tools/polyws-echo" --port 0 > "$work/port" &
echo_pid=$!
exec 3< "$work/port"
read -r _ port <&3
url="ws://127.0.0.1:$port/"
all_cpus=$(taskset -p "$$" | sed 's/.*: //')

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

modes="rtt mib pipeline connect"
for pin in pinned unpinned; do
    if [ $pin = pinned ]; then
        taskset -a -p -c 0 "$echo_pid" > /dev/null
        run="taskset -c 0"
    else
        taskset -a -p "$all_cpus" "$echo_pid" > /dev/null
        run=""
    fi
    i=0
    while [ $i -lt "$runs" ]; do
        for mode in $modes; do
            clients="polyws jdk"
            case $mode in rtt|mib) clients="$clients c" ;; esac
            for client in $clients; do
                if [ $client = c ]; then
                    $run "$work/c_client" "$url" $mode "$secs" > "$work/out"
                else
                    $run "$here/client.sh" $client "$url" $mode "$secs" > "$work/out"
                fi
                # ops/s and CPU microseconds per op, from the JSON line or
                # c_client's "ops seconds cpu_seconds"
                awk '{ gsub(/[{},:]/, " "); if ($1 ~ /ops/) { o = $2; s = $4; c = $6 } else { o = $1; s = $2; c = $3 }
                       printf "%.3f %.3f\n", o / s, c / o * 1e6 }' "$work/out" >> "$work/$pin-$mode-$client"
            done
        done
        i=$((i + 1))
    done
done

echo "polyws-echo on 127.0.0.1; Java $(java -version 2>&1 | head -n 1 | sed 's/.*version "\([^"]*\)".*/\1/'); median of $runs interleaved runs of ${secs} s after ${BENCH_WARMUP} s of warm-up per JVM ($(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the end). Pinned: client and server on core 0. CPU: the client process, every thread, per operation."
echo
echo "| mode | pinning | polyws (Java) | java.net.http | polyws / JDK | polyws CPU µs/op | JDK CPU µs/op | C API | Java / C |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for mode in $modes; do
    for pin in pinned unpinned; do
        p=$(cut -d' ' -f1 "$work/$pin-$mode-polyws" | median)
        j=$(cut -d' ' -f1 "$work/$pin-$mode-jdk" | median)
        pc=$(cut -d' ' -f2 "$work/$pin-$mode-polyws" | median)
        jc=$(cut -d' ' -f2 "$work/$pin-$mode-jdk" | median)
        c=0
        [ -f "$work/$pin-$mode-c" ] && c=$(cut -d' ' -f1 "$work/$pin-$mode-c" | median)
        case $mode in
            rtt) label="32 B round trips/s" ;;
            mib) label="1 MiB echo MB/s" ;;
            pipeline) label="64 B pipelined echoes/s" ;;
            connect) label="open+close cycles/s" ;;
        esac
        awk -v m="$label" -v pin="$pin" -v p="$p" -v j="$j" -v pc="$pc" -v jc="$jc" -v mib="$mode" -v c="$c" \
            'BEGIN { s = (mib == "mib") ? 1048576 / 1e6 : 1; f = (mib == "mib") ? "%.1f" : "%.0f";
                     cs = c > 0 ? sprintf(f, c * s) : "-"; r = c > 0 ? sprintf("%.2fx", p / c) : "-";
                     printf "| %s | %s | " f " | " f " | %.2fx | %.1f | %.1f | %s | %s |\n", m, pin, p * s, j * s, p / j, pc, jc, cs, r }'
    done
done
