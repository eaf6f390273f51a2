#!/bin/sh
# Runs a program of the Windows build under Wine, in the build's own prefix:
#
#   tests/windows/wine.sh PROGRAM.exe [ARGS...]
#   tests/windows/wine.sh --start     make the prefix if needed, keep a wineserver running
#   tests/windows/wine.sh --stop      stop that wineserver (and whatever still runs in the prefix)
#
# POLYWS_WINDOWS_BUILD names the Windows build folder (default: build-windows
# at the repository root); the prefix is POLYWS_WINDOWS_BUILD/wine-prefix.
# Only the 64-bit loader (Debian's wine64) is needed. The first start makes
# the prefix (about 7 s on an idle machine); a persistent wineserver then
# saves each program start the server's own start-up.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${POLYWS_WINDOWS_BUILD:-$repo/build-windows}
export WINEPREFIX="$build/wine-prefix"
export WINEDEBUG=-all
# No Mono or Gecko installer dialogs: nothing here needs .NET or HTML.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
wine=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver64)
case "${1:-}" in
    --start)
        mkdir -p "$build"
        # The wineserver outlives this command: its standard streams must
        # not be the caller's pipes, or CTest would wait for them to close.
        # (It refuses to start when one already serves the prefix: fine.)
        mkdir -p "$WINEPREFIX"
        "$wineserver" -p < /dev/null > /dev/null 2>&1 || true
        if [ ! -f "$WINEPREFIX/system.reg" ]; then
            "$wine" wineboot --init < /dev/null > "$build/wineboot.log" 2>&1 || {
                cat "$build/wineboot.log" >&2; exit 1; }
        fi
        # Start the session's Wine services (services.exe, winedevice.exe,
        # plugplay, svchost, rpcss) here, with our streams at /dev/null.
        # Otherwise the first test program of the session starts them and
        # they inherit its stdout/stderr: a test that waits for the end of
        # those pipes (subprocess.run, communicate) then waits until the
        # wineserver stops, although the program itself has exited. That
        # was the "printed its last event and did not exit" of the Wine
        # tests.
        "$wine" wineboot < /dev/null > /dev/null 2>&1 || true
        ;;
    --stop)
        "$wineserver" -k 2> /dev/null || true
        ;;
    *)
        exec "$wine" "$@"
        ;;
esac
