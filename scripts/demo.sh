#!/bin/sh
# Sets up, builds, starts the local echo server and holds a short live
# conversation with it through the polyws CLI.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release > /dev/null
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
