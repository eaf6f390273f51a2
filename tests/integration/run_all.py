#!/usr/bin/python3
"""Run every integration test (tests/integration/test_*.py) against $POLYWS_CLI.

    POLYWS_CLI=build/tools/polyws /usr/bin/python3 tests/integration/run_all.py [-v] [-k PATTERN]

Prints each failure, then a last line exactly `N passed, M failed` (tests
counted; errors count as failed), and exits 1 when any test failed.
"""
import argparse
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only run tests whose name contains this substring (unittest -k)")
    args = ap.parse_args()

    if not os.environ.get("POLYWS_CLI"):
        print("POLYWS_CLI is not set: every test will fail "
              "(export POLYWS_CLI=/path/to/polyws, e.g. build/tools/polyws)", file=sys.stderr)
    elif not os.path.isabs(os.environ["POLYWS_CLI"]):
        os.environ["POLYWS_CLI"] = os.path.abspath(os.environ["POLYWS_CLI"])

    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [f"*{p}*" for p in args.patterns]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    runner = unittest.TextTestRunner(verbosity=2 if args.verbose else 1, stream=sys.stdout)
    t0 = time.monotonic()
    result = runner.run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    if result.skipped:
        failed += len(result.skipped)  # nothing may be skipped
    print(f"({time.monotonic() - t0:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
