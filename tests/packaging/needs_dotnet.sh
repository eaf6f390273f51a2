#!/bin/sh
# scripts/make-packages.sh on a machine without the .NET SDK must stop at
# its start, before building anything, and say what to do (it used to skip
# the C# binding silently and fail only at its end). POLYWS_DOTNET names a
# dotnet that is not there.
set -eu
cd "$(dirname "$0")/../.."
err=$(mktemp)
trap 'rm -f "$err"' EXIT
if POLYWS_DOTNET=/nonexistent/dotnet timeout 60 scripts/make-packages.sh > /dev/null 2> "$err"; then
    echo "make-packages.sh succeeded without dotnet" >&2; exit 1
fi
cat "$err"
grep -q 'the .NET SDK (dotnet) is not installed' "$err" || { echo "no .NET SDK message" >&2; exit 1; }
grep -q 'docs/platforms.md' "$err" || { echo "the message does not say where to read more" >&2; exit 1; }
if grep -q 'make-packages: native build' "$err"; then
    echo "make-packages.sh started building before checking for dotnet" >&2; exit 1
fi
echo "needs_dotnet: make-packages.sh stops at its start with a clear message"
