#!/bin/sh
# Runs every test: installs what is missing, builds, runs the whole CTest
# suite (unit, ABI, integration against Node ws / Python websockets /
# polyws-echo, conformance), then the suite again under ASan+UBSan and
# under TSan (clang 14).
#   scripts/test.sh            everything
#   scripts/test.sh --quick    the release build only
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
status=0
scripts/build.sh release
(cd build && ctest --output-on-failure -j2) || status=1
# Distribution packages: built, checked with lintian, installed, used, removed.
if [ "$(id -u)" -eq 0 ]; then
    (scripts/make-packages.sh > build-packages.log 2>&1 || { cat build-packages.log; exit 1; }) &&
        tests/packaging/check_packages.sh || status=1
else
    echo "scripts/test.sh: package install checks skipped (they need root for dpkg -i)"
fi
if [ "${1:-}" != "--quick" ]; then
    scripts/build.sh asan
    # The installed-library tests link with the system compiler and no
    # sanitizer runtime, so it runs in the release build only.
    asan_skip='abi_installed_'
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j2 -E "$asan_skip") || status=1
    # ThreadSanitizer over the same suite: the loops, dispatch, ws_free from
    # other threads and concurrent sends are what it is for.
    scripts/build.sh tsan
    (cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        ctest --output-on-failure -j2 -E "$asan_skip") || status=1
fi
[ $status -eq 0 ] && echo "scripts/test.sh: all suites passed" || echo "scripts/test.sh: FAILURES above"
exit $status
