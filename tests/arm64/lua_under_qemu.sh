#!/bin/sh
# The aarch64 Lua modules (Lua 5.4 and 5.1), loaded by Debian's arm64 Lua
# interpreters under QEMU, make a round trip with the x86-64 polyws-echo.
#   lua_under_qemu.sh BUILD_DIR        (packaging/linux-arm64/build.sh's folder)
# POLYWS_ECHO names the echo server. The interpreters (lua5.4:arm64,
# lua5.1:arm64) cannot be installed beside the native ones (the same
# /usr/bin names): they are fetched with apt-get download into
# BUILD_DIR/lua-interpreters once and unpacked there.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "$1")
stage=$build/linux-arm64
interpreters=$build/lua-interpreters
work=$(mktemp -d)
echo_pid=
trap '[ -z "$echo_pid" ] || kill "$echo_pid" 2> /dev/null; rm -rf "$work"' EXIT
for v in 5.4 5.1; do
    if [ ! -x "$interpreters/usr/bin/lua$v" ]; then
        echo "lua_under_qemu: apt-get download lua$v:arm64" >&2
        mkdir -p "$interpreters/debs"
        (cd "$interpreters/debs" && apt-get download -q "lua$v:arm64" > /dev/null 2>&1) ||
            { echo "lua_under_qemu: apt-get download lua$v:arm64 failed" >&2; exit 1; }
        dpkg-deb -x "$interpreters"/debs/lua"$v"_*_arm64.deb "$interpreters"
    fi
done

mkfifo "$work/port"
"${POLYWS_ECHO:?POLYWS_ECHO names the echo server}" --port 0 > "$work/port" &
echo_pid=$!
exec 3< "$work/port"
read -r _ port <&3

for v in 5.4 5.1; do
    lua="$interpreters/usr/bin/lua$v"
    for f in "$lua" "$stage/lua/$v/polyws_core.so"; do
        readelf -h "$f" | grep -q 'Machine: *AArch64' || { echo "$f is not for aarch64" >&2; exit 1; }
    done
    LUA_PATH="$repo/bindings/lua/?.lua" LUA_CPATH="$stage/lua/$v/?.so" \
        LD_LIBRARY_PATH="$stage/lib" timeout 120 qemu-aarch64-static "$lua" \
        "$repo/bindings/lua/spec/echo_client.lua" "ws://127.0.0.1:$port/" "aarch64 Lua $v" "$stage/lua/$v/"
done
