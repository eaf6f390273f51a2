"""Runs one example of examples/ against polyws-echo started as README says
(no options but a free port), and checks that it printed the echo, closed
cleanly and exited 0.

    run_example.py LANGUAGE COMMAND...   (the echo server's URL is appended)

The server is $POLYWS_ECHO.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

RUN_TIMEOUT = 120   # a hang guard: the C# and Java runtimes start slowly on a loaded machine


def main():
    language, command = sys.argv[1], sys.argv[2:]
    echo = os.environ.get("POLYWS_ECHO")
    if not echo or not command:
        sys.exit("usage: POLYWS_ECHO=... run_example.py LANGUAGE COMMAND...")
    server = harness.Server("echo")   # $POLYWS_ECHO --port 0
    try:
        res = subprocess.run(command + [server.url("/")], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=RUN_TIMEOUT)
    finally:
        server.stop()
    print(res.stdout, end="")
    print(res.stderr, end="", file=sys.stderr)
    expected = [f"echo: Hello from {language}", "closed: 1000 clean=true"]
    lines = res.stdout.splitlines()
    if res.returncode != 0 or lines != expected:
        sys.exit(f"example failed: exit {res.returncode}, printed {lines}, expected {expected}")


if __name__ == "__main__":
    main()
