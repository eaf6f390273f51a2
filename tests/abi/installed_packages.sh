#!/bin/sh
# Installs the build into a scratch prefix and builds the C consumer
# (tests/abi/consumer.c, strict C) the two ways users do: with pkg-config,
# checking it links the installed library, and as a CMake project with
# find_package(polyws) (whose version check is same-major). Both programs
# then talk to a polyws-echo started here.
set -eu
build=$1
src=$2
work=$(mktemp -d)
echo_pid=
cleanup() { [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
pc_dir=$(dirname "$(find "$prefix" -name polyws.pc | head -n 1)")
libdir=$(find "$prefix" -name 'libpolyws.so' -printf '%h\n' | head -n 1)

# pkg-config
version=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --modversion polyws)
echo "pkg-config: polyws $version"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -pedantic -Werror "$src/tests/abi/consumer.c" -o "$work/consumer-pc" \
   $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs polyws) -Wl,-rpath,"$libdir"
# The program must use the installed library, not the build tree's.
ldd "$work/consumer-pc" | grep -q "$libdir/libpolyws.so.0" || { ldd "$work/consumer-pc"; exit 1; }

# CMake find_package: the installed version is accepted, a next major is not.
cmake -S "$src/tests/abi/cmake_consumer" -B "$work/cm" -DCMAKE_PREFIX_PATH="$prefix" \
      -DWANT_VERSION="$version" -DCONSUMER_SOURCE="$src/tests/abi/consumer.c" \
      -DCMAKE_BUILD_RPATH="$libdir" > "$work/cm.log"
cmake --build "$work/cm" > "$work/cm-build.log"
major=${version%%.*}
if cmake -S "$src/tests/abi/cmake_consumer" -B "$work/cm-next" -DCMAKE_PREFIX_PATH="$prefix" \
      -DWANT_VERSION="$((major + 1)).0" -DCONSUMER_SOURCE="$src/tests/abi/consumer.c" \
      > "$work/cm-next.log" 2>&1; then
    echo "find_package accepted version $((major + 1)).0 for polyws $version" >&2
    exit 1
fi
echo "find_package: $version accepted, $((major + 1)).0 refused"

"$prefix/bin/polyws-echo" --port 0 > "$work/echo.out" &
echo_pid=$!
for _ in $(seq 1 100); do grep -q PORT "$work/echo.out" 2>/dev/null && break; sleep 0.05; done
port=$(awk '/PORT/{print $2}' "$work/echo.out")
[ -n "$port" ] || { echo "polyws-echo did not start" >&2; exit 1; }
"$work/consumer-pc" "ws://127.0.0.1:$port/"
"$work/cm/consumer" "ws://127.0.0.1:$port/"
