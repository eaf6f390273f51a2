#!/bin/sh
# Installs the build into a scratch prefix, compiles tests/abi/consumer.c
# against the installed header and library with the system C compiler, and
# runs it against a polyws-echo started here.
set -eu
build=$1
src=$2
work=$(mktemp -d)
echo_pid=
cleanup() { [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
libdir=$(find "$work/prefix" -name 'libpolyws.so' -printf '%h\n' | head -n 1)
cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$work/prefix/include" "$src/tests/abi/consumer.c" \
   -L"$libdir" -lpolyws -Wl,-rpath,"$libdir" -o "$work/consumer"
# The installed program must not pick up the build tree's library.
ldd "$work/consumer" | grep -q "$libdir/libpolyws.so.0" || { ldd "$work/consumer"; exit 1; }
"$work/prefix/bin/polyws-echo" --port 0 > "$work/echo.out" &
echo_pid=$!
for _ in $(seq 1 100); do grep -q PORT "$work/echo.out" 2>/dev/null && break; sleep 0.05; done
port=$(awk '/PORT/{print $2}' "$work/echo.out")
[ -n "$port" ] || { echo "polyws-echo did not start" >&2; exit 1; }
"$work/consumer" "ws://127.0.0.1:$port/"
