#!/bin/sh
# Builds polyws for 64-bit ARM Linux (aarch64) on Debian 12 (x86-64), with
# Debian's cross toolchain (crossbuild-essential-arm64) against Debian's own
# arm64 libraries installed beside the native ones (multiarch; see
# scripts/install-deps.sh and cmake/linux-aarch64.cmake). The libdir is
# Debian's multiarch one, which GNUInstallDirs picks only when not
# cross-compiling.
#
#   packaging/linux-arm64/build.sh [BUILD_DIR]      (default: build-arm64)
#
# The build (BUILD_DIR/polyws, Release, prefix /usr) is the one
# scripts/make-packages.sh packs into the arm64 debs and aarch64 rpms. The
# result, at stable paths (the jar and NuGet packages take them here):
#   BUILD_DIR/linux-arm64/lib/libpolyws.so.0         the library
#   BUILD_DIR/linux-arm64/lib/libpolyws_jni.so       the JNI library
#   BUILD_DIR/linux-arm64/lua/{5.4,5.1}/polyws_core.so  the Lua modules
#   BUILD_DIR/linux-arm64/bin/polyws, polyws-echo    the CLI and echo server
#   BUILD_DIR/linux-arm64/tests/                     the C API test programs
#                                                    (run under QEMU by tests/arm64)
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$repo/build-arm64}")
jobs=${POLYWS_JOBS:-2}
for tool in aarch64-linux-gnu-gcc aarch64-linux-gnu-g++ cmake; do
    command -v "$tool" > /dev/null || {
        echo "build.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
for lib in libwebsockets.so.17 libssl.so libidn2.so libz.so libcmocka.so; do
    [ -e "/usr/lib/aarch64-linux-gnu/$lib" ] || {
        echo "build.sh: /usr/lib/aarch64-linux-gnu/$lib is missing (scripts/install-deps.sh" \
             "installs the arm64 libraries)" >&2; exit 1; }
done
mkdir -p "$out"
start=$(date +%s)
echo "build.sh: cross-building polyws for aarch64 in $out/polyws" >&2
# The C# binding is arch-independent (its native part is libpolyws.so);
# the Java and Lua bindings build their JNI library and modules for aarch64.
cmake -S "$repo" -B "$out/polyws" \
    -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/linux-aarch64.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_INSTALL_LIBDIR=lib/aarch64-linux-gnu \
    -DPOLYWS_BUILD_TESTS=OFF -DPOLYWS_BUILD_CSHARP=OFF \
    > "$out/polyws.configure.log" 2>&1 || { cat "$out/polyws.configure.log" >&2; exit 1; }
cmake --build "$out/polyws" -j"$jobs" > "$out/polyws.build.log" 2>&1 || {
    tail -n 60 "$out/polyws.build.log" >&2; exit 1; }

b="$out/polyws"
stage="$out/linux-arm64"
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/lib" "$stage/tests"
cp -P "$b"/libpolyws.so.0* "$stage/lib/"
cp "$b/tools/polyws" "$b/tools/polyws-echo" "$stage/bin/"
[ ! -f "$b/bindings/java/libpolyws_jni.so" ] || cp "$b/bindings/java/libpolyws_jni.so" "$stage/lib/"
for v in 5.4 5.1; do
    [ ! -f "$b/bindings/lua/$v/polyws_core.so" ] || {
        mkdir -p "$stage/lua/$v"; cp "$b/bindings/lua/$v/polyws_core.so" "$stage/lua/$v/"; }
done
cp "$b"/tests/arm64/programs/test_* "$b/tests/arm64/programs/capi_echo" "$stage/tests/"
echo "build.sh: $stage/lib/libpolyws.so.0 ready ($(( $(date +%s) - start )) s)" >&2
