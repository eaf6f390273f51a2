#!/bin/sh
# Runs one libFuzzer target the way CI does:
#   run_fuzz.sh FUZZER CORPUS_DIR CRASH_DIR SECONDS
# 1. replays the committed corpus and every committed crash reproducer (a
#    regression test: each must run clean);
# 2. fuzzes for SECONDS from a scratch copy of the corpus (the committed
#    corpus is never modified by CI), failing on any crash, leak, sanitizer
#    report or timeout. New reproducers are left in the scratch directory,
#    whose path is printed.
set -eu
fuzzer=$1 corpus=$2 crashes=$3 seconds=$4
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1"
# Logs per target: CTest runs several targets at once in one directory.
name=$(basename "$fuzzer")
inputs=$(find "$corpus" "$crashes" -type f ! -name README.md 2>/dev/null | sort)
if [ -n "$inputs" ]; then
    echo "replaying $(echo "$inputs" | wc -l) inputs"
    # shellcheck disable=SC2086
    "$fuzzer" -runs=1 $inputs > "$name.replay.log" 2>&1 || { tail -50 "$name.replay.log"; echo "REPLAY FAILED"; exit 1; }
fi
[ "$seconds" -gt 0 ] || exit 0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/polyws-fuzz.XXXXXX")
mkdir -p "$scratch/corpus"
cp -r "$corpus"/. "$scratch/corpus/" 2>/dev/null || true
echo "fuzzing for ${seconds}s (scratch $scratch)"
if "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$scratch/" -print_final_stats=1 "$scratch/corpus" > "$name.fuzz.log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$name.fuzz.log" | tail -3
    rm -rf "$scratch"
    exit 0
fi
tail -60 "$name.fuzz.log"
echo "FUZZER FOUND A PROBLEM: reproducer (crash-*, leak-*, timeout-*) in $scratch/"
exit 1
