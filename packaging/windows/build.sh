#!/bin/sh
# Builds polyws for 64-bit Windows on Debian 12, from Debian's own parts:
# the mingw-w64 toolchain (posix threads), mingw zlib, and OpenSSL 3.0,
# libwebsockets 4.1.6 and libidn2 cross-built from Debian's source packages
# (packaging/windows/deps.sh; built once, then reused).
#
#   packaging/windows/build.sh [BUILD_DIR]       (default: build-windows)
#
# The result, at stable paths (the NuGet win-x64 runtime takes the DLL here):
#   BUILD_DIR/win-x64/bin/polyws.dll        the library (no DLL of its own
#                                           beyond what every Windows has)
#   BUILD_DIR/win-x64/bin/polyws.exe        the CLI
#   BUILD_DIR/win-x64/bin/polyws-echo.exe   the echo server
#   BUILD_DIR/win-x64/lib/libpolyws.dll.a   import library (mingw; MSVC: lib /def:polyws.def)
#   BUILD_DIR/win-x64/lib/polyws.def        the exported functions
#   BUILD_DIR/win-x64/include/polyws.h
#   BUILD_DIR/win-x64/tests/                the Wine test program, with a copy of the DLL
# Sources and intermediate builds stay in BUILD_DIR/deps and BUILD_DIR/polyws.
# Progress goes to stderr, a short line a step; the tools' output to logs.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$repo/build-windows}")
jobs=${POLYWS_JOBS:-2}
for tool in x86_64-w64-mingw32-gcc-posix x86_64-w64-mingw32-g++-posix cmake; do
    command -v "$tool" > /dev/null || {
        echo "build.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
[ -f /usr/x86_64-w64-mingw32/lib/libz.a ] || {
    echo "build.sh: libz-mingw-w64-dev is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
mkdir -p "$out"
start=$(date +%s)
POLYWS_JOBS=$jobs "$repo/packaging/windows/deps.sh" "$out/deps"
deps_done=$(date +%s)
echo "build.sh: cross-building polyws for Windows x64 in $out/polyws" >&2

cmake -S "$repo" -B "$out/polyws" \
    -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/mingw-w64-x86_64.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DPOLYWS_WINDOWS_DEPS="$out/deps" \
    > "$out/polyws.configure.log" 2>&1 || { cat "$out/polyws.configure.log" >&2; exit 1; }
cmake --build "$out/polyws" -j"$jobs" > "$out/polyws.build.log" 2>&1 || {
    tail -n 60 "$out/polyws.build.log" >&2; exit 1; }

stage="$out/win-x64"
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/lib" "$stage/include" "$stage/tests"
cp "$out/polyws/polyws.dll" "$out/polyws/tools/polyws.exe" "$out/polyws/tools/polyws-echo.exe" \
    "$stage/bin/"
cp "$out/polyws/libpolyws.dll.a" "$out/polyws/polyws.def" "$stage/lib/"
cp "$repo/capi/include/polyws.h" "$stage/include/"
cp "$out/polyws/tests/windows/programs/polyws_windows_tests.exe" "$stage/bin/polyws.dll" \
    "$stage/tests/"
echo "build.sh: $stage/bin/polyws.dll ready (dependencies $((deps_done - start)) s," \
     "polyws $(( $(date +%s) - deps_done )) s)" >&2
