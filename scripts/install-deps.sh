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
  libboost-dev libboost-system-dev libwebsocketpp-dev python3-matplotlib"
command -v node > /dev/null 2>&1 || packages="$packages nodejs"
command -v npm > /dev/null 2>&1 || packages="$packages npm"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "install-deps: installing$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi
if [ ! -d node_modules/ws ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
