#!/bin/sh
# The Java benchmark clients (bench/java/Bench.java) with the common calling
# convention of notes/bench-clients.md:
#   bench/java/client.sh polyws|polyws-inline|jdk URL rtt|mib|pipeline|connect SECONDS
# Uses the jar of the release build (POLYWS_BUILD, default build/); compiles
# Bench.java into $POLYWS_BUILD/bench-java when it changed. JAVA_OPTS are
# passed to the JVM; BENCH_WARMUP (seconds) as for every client.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${POLYWS_BUILD:-$root/build}
jar=$(ls "$build"/bindings/java/polyws-*.jar 2>/dev/null | grep -v -- '-sources.jar$' | head -n 1)
[ -n "$jar" ] || { echo "no polyws jar under $build/bindings/java: build first (scripts/build.sh release)" >&2; exit 1; }
classes=$build/bench-java
if [ ! -f "$classes/Bench.class" ] || [ "$here/Bench.java" -nt "$classes/Bench.class" ] || [ "$jar" -nt "$classes/Bench.class" ]; then
    mkdir -p "$classes"
    javac --release 11 -encoding UTF-8 -cp "$jar" -d "$classes" "$here/Bench.java" >&2
fi
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -cp "$jar:$classes" Bench "$@"
