#!/bin/sh
# The netstandard2.1 Polyws.dll under Mono: Smoke.cs compiled with mcs against
# it, run by mono, talking to polyws-echo.
#
# Debian's Mono (6.8) ships no netstandard.dll facade (upstream Mono and Unity
# do: it forwards netstandard's types to mscorlib and friends). The test makes
# one: a type forwarder for each netstandard type Polyws.dll references
# (monodis --typeref), compiled by mcs under netstandard's identity (version
# 2.1.0.0, its public key read from the reference assembly, delay-signed: Mono
# does not verify strong names). Polyws.dll itself is used as built.
# usage: mono_smoke.sh POLYWS_DLL LIBPOLYWS POLYWS_ECHO
set -eu
dll=$1 lib=$2 echo_server=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/polyws-mono.XXXXXX)
echo_pid=""
cleanup() { [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null; [ -n "${POLYWS_KEEP_WORK:-}" ] || rm -rf "$work"; }
trap cleanup EXIT INT TERM
fail() { echo "mono_smoke: FAIL: $*"; exit 1; }

ref=""
for d in "${NUGET_PACKAGES:-}" "$HOME/.nuget/packages" /opt/nuget/packages; do
    [ -n "$d" ] && [ -f "$d/netstandard.library.ref/2.1.0/ref/netstandard2.1/netstandard.dll" ] &&
        { ref=$d/netstandard.library.ref/2.1.0/ref/netstandard2.1/netstandard.dll; break; }
done
[ -n "$ref" ] || fail "NETStandard.Library.Ref 2.1.0 not restored (building Polyws for netstandard2.1 restores it)"

cp "$dll" "$work/Polyws.dll"
cp "$lib" "$work/libpolyws.so"

# netstandard's public key, as the binary blob mcs takes for delay signing.
monodis --assembly "$ref" | sed -n '/Dump:/,/Culture:/p' | sed -n 's/^0x[0-9a-fA-F]*: //p' | tr -d ' \n' > "$work/key.hex"
/usr/bin/python3 -c "import sys; open(sys.argv[2],'wb').write(bytes.fromhex(open(sys.argv[1]).read()))" "$work/key.hex" "$work/netstandard.pub"

{
    echo 'using System.Reflection; using System.Runtime.CompilerServices;'
    echo '[assembly: AssemblyVersion("2.1.0.0")]'
    monodis --typeref "$dll" | sed -n 's/^[0-9]*: \[netstandard\]//p' | grep -v '/' | sort -u |
        while read -r t; do
            base=${t%\`*}
            if [ "$base" != "$t" ]; then
                n=${t##*\`}
                commas=$(/usr/bin/python3 -c "print(','*($n-1))")
                echo "[assembly: TypeForwardedTo(typeof($base<$commas>))]"
            else
                echo "[assembly: TypeForwardedTo(typeof($t))]"
            fi
        done
} > "$work/netstandard.cs"
mcs -nologo -target:library -out:"$work/netstandard.dll" -keyfile:"$work/netstandard.pub" -delaysign+ \
    -r:System.dll -r:System.Core.dll -r:System.Numerics.dll -r:System.Net.Http.dll \
    "$work/netstandard.cs" > "$work/facade.log" 2>&1 || { cat "$work/facade.log"; fail "the netstandard facade does not compile"; }
echo "mono_smoke: netstandard facade with $(grep -c TypeForwardedTo "$work/netstandard.cs") forwarders"

mcs -nologo -out:"$work/Smoke.exe" -r:"$work/Polyws.dll" -r:"$work/netstandard.dll" "$here/Smoke.cs" > "$work/mcs.log" 2>&1 ||
    { cat "$work/mcs.log"; fail "mcs could not compile Smoke.cs against Polyws.dll"; }

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
# No LD_LIBRARY_PATH: Mono finds libpolyws.so beside the assembly.
unset LD_LIBRARY_PATH
(cd "$work" && timeout 60 mono Smoke.exe "ws://127.0.0.1:$port/") > "$work/run.log" 2>&1 || { grep -v '^DBG' "$work/run.log" | tail -30; fail "mono Smoke.exe"; }
grep -v '^DBG' "$work/run.log"
grep -q '^mono smoke: ok' "$work/run.log" || fail "no ok line"
echo "mono_smoke: 1 passed, 0 failed"
