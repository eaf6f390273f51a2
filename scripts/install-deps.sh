#!/bin/sh
# Installs everything polyws needs to build and test on Debian 12, then the
# npm packages pinned by package-lock.json. Safe to run again.
set -eu
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages="build-essential cmake pkg-config libwebsockets-dev libssl-dev libidn2-dev zlib1g-dev libcmocka-dev
  python3 python3-websockets clang-14 libclang-rt-14-dev valgrind ca-certificates openssl
  nginx-light tinyproxy lintian rpm strace tmux
  swig lua5.4 liblua5.4-dev lua5.1 liblua5.1-0-dev luajit libluajit-5.1-dev lua-busted lua-dkjson
  lua-luv luarocks
  openjdk-17-jdk-headless junit5
  mono-runtime mono-mcs mono-utils libmono-cil-dev
  gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev libz-mingw-w64-dev
  wine64 dpkg-dev
  crossbuild-essential-arm64 qemu-user-static binfmt-support
  libwebsockets17:arm64 libssl-dev:arm64 libidn2-dev:arm64 zlib1g-dev:arm64 libcmocka-dev:arm64
  liblua5.4-dev:arm64 liblua5.1-0-dev:arm64 libreadline8:arm64
  unzip iproute2 cpio dpkg-repack
  libboost-dev libboost-system-dev libwebsocketpp-dev python3-matplotlib"
# The aarch64 cross build (packaging/linux-arm64/build.sh) links against
# Debian's arm64 libraries, installed beside the native ones (multiarch).
# libwebsockets-dev:arm64 cannot be: its lws_config.h clashes with the
# native one's, so the cross build takes libwebsockets17:arm64 and the
# native headers (cmake/cross-libwebsockets.cmake).
update_needed=""
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "install-deps: dpkg --add-architecture arm64" >&2
    $SUDO dpkg --add-architecture arm64
    update_needed=1
fi
command -v node > /dev/null 2>&1 || packages="$packages nodejs"
command -v npm > /dev/null 2>&1 || packages="$packages npm"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ] || [ -n "$update_needed" ]; then
    echo "install-deps: apt-get update" >&2
    $SUDO apt-get update -qq
fi
if [ -n "$missing" ]; then
    echo "install-deps: installing$missing (apt-get: several minutes on a new machine)" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi
if [ ! -d node_modules/ws ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
# The .NET SDK (the C# binding, its tests, the NuGet package) is not in
# Debian's archive: the machine image brings it, or docs/platforms.md's one
# step installs it. Without it the C# binding is off and
# scripts/make-packages.sh stops at its start.
command -v dotnet > /dev/null 2>&1 ||
    echo "install-deps: no .NET SDK (dotnet): the C# binding is off and scripts/make-packages.sh" \
         "will stop; docs/platforms.md says how to install it" >&2
