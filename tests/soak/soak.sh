#!/bin/sh
# Soak: many connect/close cycles, then many messages on one socket, with
# RSS, descriptors and threads watched, and the server's own count and
# sequence check of every message.
#   tests/soak/soak.sh [--short] [BUILD_DIR]
# Long form: 100,000 cycles against polyws-echo and 1,000,000 messages to
# tests/soak/counting_server.py. --short (CTest: soak_short): 2,000 cycles
# and 50,000 messages. BUILD_DIR defaults to build/.
# Prints the FIGURES lines of tests/soak/soak.c and a verdict; exit 0 only
# if both runs pass and the server counted every message, in order.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cycles=100000 messages=1000000
if [ "${1:-}" = "--short" ]; then cycles=2000 messages=50000; shift; fi
build=${1:-$root/build}
soak=$build/tests/soak/soak
echo_bin=$build/tools/polyws-echo
[ -x "$soak" ] && [ -x "$echo_bin" ] || { echo "soak.sh: build $build first" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/polyws-soak.XXXXXX")
: > "$work/echo.out"
: > "$work/count.out"
echo_pid= count_pid=
cleanup() {
    [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null || true
    [ -n "$count_pid" ] && kill "$count_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$echo_bin" --port 0 > "$work/echo.out" 2> "$work/echo.err" &
echo_pid=$!
/usr/bin/python3 "$here/counting_server.py" --port 0 > "$work/count.out" 2> "$work/count.err" &
count_pid=$!
port_of() {   # waits (bounded) for the "PORT n" line
    i=0
    while [ $i -lt 200 ]; do
        p=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$1" | head -1)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.05; i=$((i + 1))
    done
    echo "soak.sh: no PORT line in $1" >&2; return 1
}
echo_port=$(port_of "$work/echo.out")
count_port=$(port_of "$work/count.out")

status=0
echo "soak: $cycles connect/close cycles against polyws-echo"
"$soak" cycles "$cycles" "ws://127.0.0.1:$echo_port/" 8 || status=1
echo "soak: $messages messages on one socket to the counting server"
"$soak" messages "$messages" "ws://127.0.0.1:$count_port/count?id=soak" || status=1
# The server's verdict: every message, in order, then the client's close.
i=0
while ! grep -q '^END id=soak ' "$work/count.out" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
end=$(grep '^END id=soak ' "$work/count.out" || true)
echo "server: ${end:-no report}"
case "$end" in
    *"messages=$messages "*"in_order=1 end=close code=1000"*) ;;
    *) echo "soak.sh: the server did not count every message in order" >&2; status=1 ;;
esac
[ $status -eq 0 ] && echo "soak: PASS" || echo "soak: FAIL"
exit $status
