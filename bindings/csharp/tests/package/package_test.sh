#!/bin/sh
# The NuGet package Polyws, as a user gets it:
#   1. `dotnet pack` (with a stand-in win-x64 polyws.dll unless a real one is
#      given, to check where the property puts it), then the content checks:
#      runtimes/linux-x64/native/libpolyws.so present and loadable, win-x64
#      present exactly when asked for, both target frameworks.
#   2. a fresh console project (dotnet new console) adds the package from a
#      local folder feed, builds, and runs a conversation with polyws-echo
#      with no LD_LIBRARY_PATH: the runtime finds the library in runtimes/.
# usage: package_test.sh DOTNET SWIG INCLUDE_DIR LIBPOLYWS POLYWS_ECHO VERSION [WIN_X64_DLL]
set -eu
dotnet=$1 swig=$2 include=$3 lib=$4 echo_server=$5 version=$6 win_dll=${7:-}
here=$(cd "$(dirname "$0")" && pwd)
csproj=$here/../../Polyws/Polyws.csproj
work=$(mktemp -d /tmp/polyws-nuget.XXXXXX)
echo_pid=""
cleanup() { [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
unset LD_LIBRARY_PATH
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

fail() { echo "package_test: FAIL: $*"; exit 1; }

# ---- 1. pack, without and with the win-x64 library
common="-c Release -nologo -v:minimal -p:SwigExecutable=$swig -p:PolywsIncludeDir=$include -p:PolywsLinuxX64Native=$lib -p:Version=$version"
"$dotnet" pack "$csproj" $common -o "$work/plain" > "$work/pack1.log" 2>&1 || { cat "$work/pack1.log"; fail "dotnet pack"; }
if [ -z "$win_dll" ]; then
    # A stand-in: this test checks placement, not the Windows build.
    win_dll=$work/polyws.dll
    printf 'MZ stand-in for polyws.dll\n' > "$win_dll"
fi
"$dotnet" pack "$csproj" $common -p:PolywsWinX64Native="$win_dll" -o "$work/feed" > "$work/pack2.log" 2>&1 || { cat "$work/pack2.log"; fail "dotnet pack with PolywsWinX64Native"; }

plain=$work/plain/Polyws.$version.nupkg
full=$work/feed/Polyws.$version.nupkg
[ -f "$plain" ] || fail "no $plain"
[ -f "$full" ] || fail "no $full"
unzip -Z1 "$plain" > "$work/plain.txt"
unzip -Z1 "$full" > "$work/full.txt"
for f in runtimes/linux-x64/native/libpolyws.so lib/netstandard2.1/Polyws.dll lib/net8.0/Polyws.dll README.md; do
    grep -qx "$f" "$work/plain.txt" || fail "$f missing from the package"
    grep -qx "$f" "$work/full.txt" || fail "$f missing from the package with win-x64"
done
grep -q '^runtimes/win-x64/' "$work/plain.txt" && fail "win-x64 packed without PolywsWinX64Native"
grep -qx 'runtimes/win-x64/native/polyws.dll' "$work/full.txt" || fail "runtimes/win-x64/native/polyws.dll missing with PolywsWinX64Native"
unzip -p "$full" runtimes/win-x64/native/polyws.dll | cmp -s - "$win_dll" || fail "win-x64 polyws.dll is not the file given"
# The packed library is the real one (not a symlink's text) and loads by its
# path whatever its soname (libpolyws.so.0): dlopen by path never looks the
# soname up.
mkdir -p "$work/extract"
(cd "$work/extract" && unzip -q "$plain" runtimes/linux-x64/native/libpolyws.so)
packed=$work/extract/runtimes/linux-x64/native/libpolyws.so
cmp -s "$packed" "$lib" || fail "packed libpolyws.so differs from $lib"
/usr/bin/python3 -c "import ctypes,sys; l=ctypes.CDLL(sys.argv[1]); l.ws_version.restype=ctypes.c_char_p; print('package_test: packed library loads, version', l.ws_version().decode())" "$packed" \
    || fail "packed libpolyws.so does not load by path"
echo "package_test: content ok (linux-x64, win-x64 when asked, netstandard2.1 + net8.0)"

# ---- 2. a fresh console project consumes the package from the folder feed
app=$work/app
mkdir -p "$app"
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
XML
(cd "$app" && "$dotnet" new console --force -o . > "$work/new.log" 2>&1) || { cat "$work/new.log"; fail "dotnet new console"; }
cp "$here/Program.cs" "$app/Program.cs"
cp "$work/nuget.config" "$app/nuget.config"
export NUGET_PACKAGES=$work/packages   # a clean cache: the package comes from the feed
(cd "$app" && "$dotnet" add package Polyws --version "$version" > "$work/add.log" 2>&1) || { cat "$work/add.log"; fail "dotnet add package"; }
(cd "$app" && "$dotnet" build -c Release -nologo -v:minimal > "$work/build.log" 2>&1) || { cat "$work/build.log"; fail "dotnet build of the consumer"; }

"$echo_server" --port 0 > "$work/echo.out" 2>&1 &
echo_pid=$!
port=""
i=0
while [ $i -lt 100 ]; do
    port=$(sed -n 's/^PORT \([0-9]*\).*/\1/p' "$work/echo.out" | head -n1)
    [ -n "$port" ] && break
    i=$((i + 1)); sleep 0.1
done
[ -n "$port" ] || fail "polyws-echo printed no port"
out=$(cd "$app" && timeout 60 "$dotnet" bin/Release/*/app.dll "ws://127.0.0.1:$port/") || { echo "$out"; fail "the consumer failed"; }
echo "$out"
echo "$out" | grep -q '^consumer: ok' || fail "the consumer did not finish its conversation"
echo "package_test: 2 passed, 0 failed"
