#!/bin/sh
# Runs every test: installs what is missing, builds, runs the whole CTest
# suite (unit, ABI, integration against Node ws / Python websockets /
# polyws-echo, conformance), then the suite again under ASan+UBSan.
#   scripts/test.sh            everything
#   scripts/test.sh --quick    the release build only
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
status=0
scripts/build.sh release
(cd build && ctest --output-on-failure -j2) || status=1
if [ "${1:-}" != "--quick" ]; then
    scripts/build.sh asan
    # Leak checking stays on; lws's one-time OpenSSL init is not a leak of ours.
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j2 -E 'abi_installed_consumer') || status=1
fi
[ $status -eq 0 ] && echo "scripts/test.sh: all suites passed" || echo "scripts/test.sh: FAILURES above"
exit $status
