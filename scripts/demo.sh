#!/bin/sh
# Sets up, builds, starts the local echo server and holds a short live
# conversation with it through the polyws CLI.
set -eu
cd "$(dirname "$0")/.."

# Runs a long, quiet step with its output in a log, and says on stderr every
# 15 s that it is still going (with the build's percentage when there is
# one). On failure the log's end is shown.
#   long_step LABEL NOTE COMMAND...
long_step() {
    label=$1; note=$2; shift 2
    log=$(mktemp)
    "$@" > "$log" 2>&1 &
    pid=$!
    start=$(date +%s)
    echo "demo: $label ($note)..." >&2
    while kill -0 "$pid" 2>/dev/null; do
        for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        kill -0 "$pid" 2>/dev/null || break
        percent=$(grep -o '^\[ *[0-9]*%\]' "$log" | tail -n 1 | tr -d '[] ')
        echo "demo: $label: $(( $(date +%s) - start )) s${percent:+, $percent built}" >&2
    done
    if ! wait "$pid"; then
        tail -n 40 "$log" >&2
        rm -f "$log"
        echo "demo: $label failed" >&2
        exit 1
    fi
    rm -f "$log"
    echo "demo: $label: done in $(( $(date +%s) - start )) s" >&2
}

long_step installing "apt-get and npm, minutes on a fresh machine; sudo may ask for a password" \
    scripts/install-deps.sh
long_step building "release build, several minutes on 2 cores" scripts/build.sh release
out=$(mktemp)
build/tools/polyws-echo --port 0 > "$out" &
echo_pid=$!
trap 'kill $echo_pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 1 100); do grep -q PORT "$out" && break; sleep 0.05; done
port=$(awk '/PORT/{print $2}' "$out")
echo "polyws-echo listening on ws://127.0.0.1:$port/"
echo "--- a conversation (each stdin line is a message; the echo comes back):"
printf 'Hello from polyws\nThe browser WebSocket API, in C\n' | build/tools/polyws "ws://127.0.0.1:$port/"
echo "--- the same as JSON events, with a close code and reason:"
build/tools/polyws "ws://127.0.0.1:$port/" --jsonl --send "hi" --send "there" --close 1000:bye
