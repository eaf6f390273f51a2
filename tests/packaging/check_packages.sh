#!/bin/sh
# Checks the packages scripts/make-packages.sh made (in dist/):
#  - lintian reports no errors on the debs;
#  - the debs install on this machine, a C program builds against them with
#    pkg-config and with CMake's find_package, and talks to the installed
#    polyws-echo; then they are removed and leave nothing behind;
#  - the rpms hold the expected files and requirements and install into a
#    scratch root.
# Needs root (dpkg -i); CI runs as root.
set -eu
cd "$(dirname "$0")/../.."
src=$(pwd)
work=$(mktemp -d)
echo_pid=
cleanup() {
    [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null
    dpkg -r libpolyws-java lua-polyws polyws-tools libpolyws-dev libpolyws0 > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "== every artifact"
version=$(sed -n 's/^#define POLYWS_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' capi/include/polyws.h |
          paste -sd.)
for f in "libpolyws0_$version-1_amd64.deb" "libpolyws-dev_$version-1_amd64.deb" \
         "polyws-tools_$version-1_amd64.deb" "lua-polyws_$version-1_amd64.deb" \
         "libpolyws-java_$version-1_amd64.deb" "polyws-$version-1.x86_64.rpm" \
         "polyws-devel-$version-1.x86_64.rpm" "polyws-tools-$version-1.x86_64.rpm" \
         "lua-polyws-$version-1.x86_64.rpm" "polyws-java-$version-1.x86_64.rpm" \
         "polyws-$version-1.src.rock" "polyws-$version.jar" "polyws-$version-sources.jar" \
         "polyws-$version.pom" "Polyws.$version.nupkg" SHA256SUMS; do
    [ -f "dist/$f" ] || { echo "dist/$f missing" >&2; exit 1; }
done
(cd dist && sha256sum --quiet -c SHA256SUMS)
unzip -Z1 "dist/Polyws.$version.nupkg" | grep -qx 'runtimes/linux-x64/native/libpolyws.so'
# Both runtimes, the Windows one being the cross build's DLL.
unzip -p "dist/Polyws.$version.nupkg" runtimes/win-x64/native/polyws.dll > "$work/polyws.dll"
cmp "$work/polyws.dll" "${POLYWS_WIN_X64_DLL:-build-windows/win-x64/bin/polyws.dll}"
x86_64-w64-mingw32-objdump -f "$work/polyws.dll" | grep -q 'file format pei-x86-64'
unzip -Z1 "dist/polyws-$version.jar" | grep -qx 'native/linux-x86_64/libpolyws_jni.so'

echo "== lintian"
lintian --fail-on error dist/*.deb

echo "== control and documentation files"
# The ABI list ships as the library's Debian symbols file.
dpkg-deb --ctrl-tarfile dist/libpolyws0_*.deb | tar -xO ./symbols > "$work/symbols"
cmp "$work/symbols" packaging/libpolyws0.symbols

echo "== lua-polyws holds the whole Lua layer (polyws.lua and polyws/*.lua) for 5.4 and 5.1"
dpkg-deb -c dist/lua-polyws_*.deb > "$work/lua-deb.list"
for v in 5.4 5.1; do
    for m in polyws.lua $(cd bindings/lua && ls polyws/*.lua); do
        grep -q "/usr/share/lua/$v/$m\$" "$work/lua-deb.list" ||
            { echo "lua-polyws lacks /usr/share/lua/$v/$m" >&2; exit 1; }
    done
done

echo "== install the debs"
dpkg -i dist/libpolyws0_*.deb dist/libpolyws-dev_*.deb dist/polyws-tools_*.deb \
    dist/libpolyws-java_*.deb > "$work/dpkg.log"
ldconfig -p | grep -q 'libpolyws.so.0 ' || { echo "ldconfig does not know libpolyws.so.0" >&2; exit 1; }
cc -std=c99 -Wall -Werror "$src/tests/abi/consumer.c" -o "$work/consumer-pc" $(pkg-config --cflags --libs polyws)
cmake -S "$src/tests/abi/cmake_consumer" -B "$work/cm" -DWANT_VERSION="$(pkg-config --modversion polyws)" \
      -DCONSUMER_SOURCE="$src/tests/abi/consumer.c" > "$work/cm.log"
cmake --build "$work/cm" > "$work/cm-build.log"
polyws-echo --port 0 > "$work/echo.out" &
echo_pid=$!
for _ in $(seq 1 100); do grep -q PORT "$work/echo.out" 2>/dev/null && break; sleep 0.05; done
port=$(awk '/PORT/{print $2}' "$work/echo.out")
"$work/consumer-pc" "ws://127.0.0.1:$port/"
"$work/cm/consumer" "ws://127.0.0.1:$port/"
for page in polyws polyws-echo; do
    gzip -t "/usr/share/man/man1/$page.1.gz" ||
        { echo "man page $page not installed" >&2; exit 1; }
done
polyws "ws://127.0.0.1:$port/" --jsonl --send "from the installed CLI" --close 1000 > "$work/cli.out"
grep -q '"from the installed CLI"' "$work/cli.out"

echo "== the Java package: the jar from /usr/share/java, its JNI library from the JVM's path"
# No writable temporary directory: the JNI library cannot come out of the jar.
timeout 60 java -Djava.io.tmpdir=/nonexistent -cp /usr/share/java/polyws.jar \
    bindings/java/examples/Hello.java "ws://127.0.0.1:$port/" > "$work/java.out"
grep -q '^echo: Hello from Java$' "$work/java.out"

echo "== the LuaRocks rock, built against the installed libpolyws-dev"
luarocks --lua-version=5.4 --tree="$work/rocks" install dist/polyws-*.src.rock > "$work/rock.log" 2>&1 ||
    { cat "$work/rock.log"; exit 1; }
cat > "$work/rock.lua" <<'LUA'
local polyws = require "polyws"
local got = polyws.run(function()
  local ws = assert(polyws.connect(arg[1]))
  assert(ws:send("from the rock"))
  local data = assert(ws:receive(5))
  assert(ws:close(1000))
  assert(ws:wait("close", 5))
  return data
end)
assert(got == "from the rock", tostring(got))
print("rock: " .. package.searchpath("polyws_core", package.cpath))
LUA
(eval "$(luarocks --lua-version=5.4 --tree="$work/rocks" path)"
 timeout 30 lua5.4 "$work/rock.lua" "ws://127.0.0.1:$port/") | grep -q "rock: $work/rocks/"
kill "$echo_pid"; echo_pid=

echo "== remove the debs"
dpkg -r libpolyws-java polyws-tools libpolyws-dev libpolyws0 > "$work/dpkg-r.log"
for f in /usr/include/polyws.h /usr/bin/polyws /usr/bin/polyws-echo /usr/share/man/man1/polyws.1.gz \
         /usr/share/java/polyws.jar /usr/lib/x86_64-linux-gnu/jni/libpolyws_jni.so; do
    [ ! -e "$f" ] || { echo "$f left behind" >&2; exit 1; }
done
if ldconfig -p | grep -q 'libpolyws.so.0 '; then echo "libpolyws.so.0 left in the cache" >&2; exit 1; fi

echo "== rpms"
rpm -qpl dist/polyws-0*.rpm | grep -q '/libpolyws.so.0$'
rpm -qpl dist/polyws-devel-*.rpm | grep -q '/include/polyws.h$'
rpm -qpl dist/polyws-devel-*.rpm | grep -q '/pkgconfig/polyws.pc$'
rpm -qpl dist/polyws-tools-*.rpm | grep -q '/bin/polyws$'
rpm -qpl dist/polyws-java-*.rpm | grep -q '/share/java/polyws-.*\.jar$'
rpm -qpR dist/polyws-0*.rpm | grep -q 'libwebsockets.so.17'
rpm -qpR dist/polyws-0*.rpm | grep -q 'libssl.so.3'
rpm -qpR dist/polyws-devel-*.rpm | grep -q 'polyws = '
mkdir -p "$work/root"
rpm --root "$work/root" --dbpath /var/lib/rpm --initdb
rpm --root "$work/root" --dbpath /var/lib/rpm -i --nodeps --noscripts dist/polyws-0*.rpm \
    dist/polyws-devel-*.rpm dist/polyws-tools-*.rpm
[ -e "$work/root/usr/include/polyws.h" ] && [ -e "$work/root/usr/bin/polyws" ]
rpm --root "$work/root" --dbpath /var/lib/rpm -qa | sort
echo "packages: all checks passed"
