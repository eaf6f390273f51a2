#!/bin/sh
# The CLI of the Windows build, run under Wine: a drop-in POLYWS_CLI for the
# integration tests and a --cli for tests/conformance/run.py.
here=$(cd "$(dirname "$0")" && pwd)
build=${POLYWS_WINDOWS_BUILD:-$(cd "$here/../.." && pwd)/build-windows}
exec "$here/wine.sh" "$build/win-x64/bin/polyws.exe" "$@"
