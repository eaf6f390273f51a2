#!/bin/sh
# The cost of the Lua binding: the same client in C (bench/c_client.c: "C",
# the C API with listeners run by ws_loop_dispatch; "C pull", events taken
# with ws_loop_next_event as the bindings do) and in Lua (bench/lua_client.lua,
# `require "polyws"`, under each Lua built) against one polyws-echo on
# loopback: 32-byte round trips per second and 1 MiB echo throughput, one
# message in flight. Medians of RUNS runs of SECONDS_PER_RUN seconds each;
# prints a markdown table.
#   bench/lua_vs_c.sh            (after scripts/build.sh release)
#   RUNS=3 SECONDS_PER_RUN=3 bench/lua_vs_c.sh
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${RUNS:-3}
secs=${SECONDS_PER_RUN:-3}
build=$root/build
[ -x "$build/tools/polyws-echo" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }
work=$(mktemp -d)
echo_pid=
cleanup() { [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cc -O2 -std=c11 -Wall -Wextra -I"$root/capi/include" "$root/bench/c_client.c" \
   -L"$build" -lpolyws -Wl,-rpath,"$build" -o "$work/c_client"

mkfifo "$work/port"
"$build/tools/polyws-echo" --port 0 > "$work/port" &
echo_pid=$!
exec 3< "$work/port"
read -r _ port <&3
url="ws://127.0.0.1:$port/"

# client name -> command
run_client() { # name mode
    case $1 in
        C) "$work/c_client" "$url" "$2" "$secs" ;;
        "C pull") "$work/c_client" "$url" "$2" "$secs" pull ;;
        *) dir=$build/bindings/lua/$(case $1 in "Lua 5.4") echo 5.4 ;; "Lua 5.1") echo 5.1 ;; LuaJIT) echo luajit ;; esac)
           interp=$(case $1 in "Lua 5.4") echo lua5.4 ;; "Lua 5.1") echo lua5.1 ;; LuaJIT) echo luajit ;; esac)
           LUA_PATH="$dir/?.lua" LUA_CPATH="$dir/?.so" "$interp" "$root/bench/lua_client.lua" "$url" "$2" "$secs" ;;
    esac
}

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

clients="C|C pull"
for c in "Lua 5.4:lua5.4:5.4" "Lua 5.1:lua5.1:5.1" "LuaJIT:luajit:luajit"; do
    name=${c%%:*}; rest=${c#*:}; interp=${rest%%:*}; dir=${rest#*:}
    if command -v "$interp" > /dev/null && [ -f "$build/bindings/lua/$dir/polyws_core.so" ]; then
        clients="$clients|$name"
    fi
done

# Runs are interleaved (run 1 of every client, then run 2, ...) so that a
# change in the machine's load does not favour one client.
i=0
while [ $i -lt "$runs" ]; do
    for mode in rtt mib; do
        IFS='|'
        for name in $clients; do
            unset IFS
            run_client "$name" "$mode" > "$work/out"
            key=$(echo "$name" | tr -d ' .')
            awk '{ printf "%.3f\n", $1 / $2 }' "$work/out" >> "$work/$key-$mode"
            awk '{ printf "%.3f\n", $3 / $1 * 1e6 }' "$work/out" >> "$work/$key-$mode-cpu"
            IFS='|'
        done
        unset IFS
    done
    i=$((i + 1))
done

echo "polyws-echo on 127.0.0.1, one connection, one message in flight; median of $runs interleaved runs of ${secs} s ($(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the end). CPU: the client process, every thread."
echo
echo "| client | 32 B round trips/s | vs C | CPU µs per round trip | 1 MiB echo MB/s | vs C | CPU µs per 1 MiB echo |"
echo "|---|---:|---:|---:|---:|---:|---:|"
c_rtt= c_mib=
IFS='|'
for name in $clients; do
    unset IFS
    key=$(echo "$name" | tr -d ' .')
    rtt=$(median < "$work/$key-rtt")
    mib=$(median < "$work/$key-mib")
    rcpu=$(median < "$work/$key-rtt-cpu")
    mcpu=$(median < "$work/$key-mib-cpu")
    mbs=$(awk -v r="$mib" 'BEGIN { printf "%.1f", r * 1048576 / 1e6 }')
    [ -z "$c_rtt" ] && c_rtt=$rtt && c_mib=$mib
    awk -v n="$name" -v r="$rtt" -v m="$mbs" -v cr="$c_rtt" -v mr="$mib" -v cm="$c_mib" -v rc="$rcpu" -v mc="$mcpu" \
        'BEGIN { printf "| %s | %.0f | %.2fx | %.1f | %s | %.2fx | %.0f |\n", n, r, r / cr, rc, m, mr / cm, mc }'
    IFS='|'
done
unset IFS
