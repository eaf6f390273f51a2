#!/bin/sh
# Configures and builds one flavour of the tree.
#   scripts/build.sh [release|asan|tsan]   (default: release)
# release -> build/, asan -> build-asan/ (ASan+UBSan, plus the libFuzzer
# targets of tests/fuzz), tsan -> build-tsan/
set -eu
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
    release) dir=build; args="-DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
    # asan also builds the libFuzzer targets (tests/fuzz), which need clang.
    asan) dir=build-asan; args="-DCMAKE_BUILD_TYPE=Debug -DPOLYWS_SANITIZE=address,undefined -DPOLYWS_FUZZ=ON -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14" ;;
    tsan) dir=build-tsan; args="-DCMAKE_BUILD_TYPE=Debug -DPOLYWS_SANITIZE=thread -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14" ;;
    *) echo "usage: scripts/build.sh [release|asan|tsan]" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
cmake -S . -B "$dir" $args > "$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; exit 1; }
cmake --build "$dir" -j"$(nproc)"
