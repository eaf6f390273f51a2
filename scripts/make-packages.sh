#!/bin/sh
# Builds every distribution artifact into dist/: the deb and rpm packages
# (libpolyws0 / polyws, -dev / -devel, polyws-tools, lua-polyws) and the
# LuaRocks source rock, with SHA256SUMS. Uses its own build folder (prefix
# /usr, Release).
set -eu
cd "$(dirname "$0")/.."
build=build-packages
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DPOLYWS_BUILD_TESTS=OFF > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j"$(nproc)"
rm -rf "$build/dist" dist
(cd "$build" && cpack -G DEB > cpack-deb.log && cpack -G RPM > cpack-rpm.log) ||
    { cat "$build"/cpack-*.log; exit 1; }
mkdir -p dist
cp "$build"/dist/*.deb "$build"/dist/*.rpm dist/
packaging/lua/make-rock.sh dist > /dev/null
(cd dist && sha256sum -- * > SHA256SUMS)
ls -1 dist
