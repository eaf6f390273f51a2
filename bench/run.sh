#!/bin/sh
# The benchmark, one command: builds the clients and peers of bench/ (into
# build/bench-bin), then bench/harness.py runs each against one common echo
# server and writes docs/benchmarks.md and docs/benchmarks.png.
#   scripts/build.sh release && bench/run.sh
#   RUNS=1 SECONDS_PER_RUN=1 bench/run.sh            (a quick look)
#   bench/run.sh --only 'polyws C|Beast' --modes rtt  (options: bench/harness.py --help)
# Needs the packages of scripts/install-deps.sh (Boost, websocketpp,
# python3-matplotlib); a peer whose tools are missing is skipped with a note.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD:-$root/build}
bin=$build/bench-bin
[ -f "$build/libpolyws.so" ] || { echo "bench/run.sh: build first: scripts/build.sh release" >&2; exit 1; }
mkdir -p "$bin"
# 10,000 open connections need as many descriptors, in the client and the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 20100 ] ||
    echo "bench/run.sh: ulimit -n is $(ulimit -n): the 10,000-connection figure may fail" >&2

# Rebuilds $2 from $1 when the source is newer (the C++ peers take a while).
fresh() { [ -x "$2" ] && [ "$2" -nt "$1" ]; }
cc -O2 -std=c11 -Wall -Wextra -I"$root/capi/include" bench/c_client.c -L"$build" -lpolyws \
    -Wl,-rpath,"$build" -lpthread -o "$bin/c_client"
fresh bench/raw_tcp.c "$bin/raw_tcp" || cc -O2 -Wall -Wextra bench/raw_tcp.c -lpthread -o "$bin/raw_tcp"
fresh bench/lws_floor.c "$bin/lws_floor" ||
    cc -O2 -std=c11 -Wall -Wextra bench/lws_floor.c -lwebsockets -o "$bin/lws_floor"
if [ -f /usr/include/boost/beast.hpp ]; then
    for p in beast_echo beast_client; do
        fresh bench/peers/$p.cpp "$bin/$p" ||
            c++ -O2 -std=c++17 -DNDEBUG bench/peers/$p.cpp -lpthread -o "$bin/$p"
    done
fi
if [ -f /usr/include/websocketpp/client.hpp ]; then
    fresh bench/peers/websocketpp_client.cpp "$bin/websocketpp_client" ||
        c++ -O2 -std=c++17 -DNDEBUG bench/peers/websocketpp_client.cpp -lpthread -o "$bin/websocketpp_client"
fi
# The C# clients (bench/csharp, from the C# work): built against this build's library.
if command -v dotnet > /dev/null && [ -f bench/csharp/PolywsBench.csproj ]; then
    dotnet build -c Release -nologo -v q bench/csharp/PolywsBench.csproj \
        -p:PolywsLinuxX64Native="$build/libpolyws.so" > "$bin/csharp-build.log" 2>&1 ||
        echo "bench/run.sh: the C# clients did not build (see $bin/csharp-build.log); skipped" >&2
fi
server=polyws
[ -x "$bin/beast_echo" ] && server=beast
exec /usr/bin/python3 bench/harness.py --bin "$bin" --build "$build" --server "$server" \
    --runs "${RUNS:-3}" --seconds "${SECONDS_PER_RUN:-5}" "$@"
