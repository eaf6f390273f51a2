#!/bin/sh
# The CLI of the aarch64 build, run under QEMU user mode: a drop-in
# POLYWS_CLI for the integration tests and a --cli for tests/conformance/run.py.
here=$(cd "$(dirname "$0")" && pwd)
build=${POLYWS_ARM64_BUILD:-$(cd "$here/../.." && pwd)/build-arm64}
exec qemu-aarch64-static "$build/linux-arm64/bin/polyws" "$@"
