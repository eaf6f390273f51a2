#!/bin/sh
# Checks the packages scripts/make-packages.sh made (in dist/):
#  - every artifact is there, for amd64/x86_64 and arm64/aarch64, with the
#    right architecture fields, and every native file in every package is
#    an ELF (or PE) file of the machine its place names, with no run path
#    into a build folder;
#  - the jar's loader picks its native folder by os.arch;
#  - lintian reports no errors and no warnings on the debs (but the one every
#    package made outside Debian's archive gets: no bug closed by its upload);
#  - the debs install on this machine, a C program builds against them with
#    pkg-config and with CMake's find_package, and talks to the installed
#    polyws-echo; then they are removed and leave nothing behind, and what
#    was installed before (a user's own libpolyws0, say) is put back as it was;
#  - the rpms hold the expected files and requirements and install into a
#    scratch root.
# Needs root (dpkg -i); CI runs as root.
set -eu
cd "$(dirname "$0")/../.."
src=$(pwd)
work=$(mktemp -d)
echo_pid=
ours="libpolyws-java lua-polyws polyws-tools libpolyws-dev libpolyws0"

# What dpkg knows of our packages now: "name:arch version status" lines.
dpkg_state() {
    for p in $ours; do
        dpkg-query -W -f='${binary:Package} ${Version} ${db:Status-Abbrev}\n' "$p" 2>/dev/null || true
    done | grep -v '^$' | sort
}
# Before installing anything: the installed copies, repacked (dpkg-repack)
# so that the end puts them back as they were.
dpkg_state > "$work/state-before"
mkdir "$work/saved"
while read -r pkg _ status; do
    case "$status" in
        ii*) (cd "$work/saved" && dpkg-repack "$pkg" > /dev/null 2>&1) ||
                 { echo "cannot save the installed $pkg (dpkg-repack)" >&2; exit 1; } ;;
    esac
done < "$work/state-before"
restore() {
    # Purged unless dpkg knew it before (removal would leave it "rc").
    for p in $ours; do
        if grep -q "^$p[: ]" "$work/state-before"; then
            dpkg -r "$p" > /dev/null 2>&1 || true
        else
            dpkg -P "$p" > /dev/null 2>&1 || true
        fi
    done
    if ls "$work"/saved/*.deb > /dev/null 2>&1; then
        dpkg -i "$work"/saved/*.deb > "$work/dpkg-restore.log" 2>&1 ||
            { cat "$work/dpkg-restore.log" >&2; return 1; }
    fi
    dpkg_state > "$work/state-after"
    diff -u "$work/state-before" "$work/state-after" ||
        { echo "the polyws packages installed before the check are not as they were" >&2; return 1; }
}
cleanup() {
    status=$?
    [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null
    restore || status=1
    rm -rf "$work"
    exit $status
}
trap cleanup EXIT

echo "== every artifact"
version=$(sed -n 's/^#define POLYWS_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' capi/include/polyws.h |
          paste -sd.)
deb_arch() { dpkg-deb -f "$1" Architecture; }
rpm_arch() { rpm -qp --qf '%{ARCH}' "$1" 2> /dev/null; }
# check_arch FILE ARCH READER: FILE is there and READER says it is for ARCH.
check_arch() {
    [ -f "$1" ] || { echo "$1 missing" >&2; exit 1; }
    [ "$($3 "$1")" = "$2" ] || { echo "$1: architecture $($3 "$1"), not $2" >&2; exit 1; }
}
for arch in amd64 arm64; do
    for p in libpolyws0 libpolyws-dev polyws-tools lua-polyws libpolyws-java; do
        check_arch "dist/${p}_$version-1_$arch.deb" $arch deb_arch
    done
done
for arch in x86_64 aarch64; do
    for p in polyws polyws-devel polyws-tools lua-polyws polyws-java; do
        check_arch "dist/$p-$version-1.$arch.rpm" $arch rpm_arch
    done
done
for f in "polyws-$version-1.src.rock" "polyws-$version.jar" "polyws-$version-sources.jar" \
         "polyws-$version.pom" "Polyws.$version.nupkg" SHA256SUMS; do
    [ -f "dist/$f" ] || { echo "dist/$f missing" >&2; exit 1; }
done
(cd dist && sha256sum --quiet -c SHA256SUMS)

echo "== the machine of every native file, and no run path into a build folder"
# Each package unpacked under $work/unpacked/<file name>.
mkdir "$work/unpacked"
for f in dist/*.deb; do dpkg-deb -x "$f" "$work/unpacked/$(basename "$f")"; done
for f in dist/*.rpm; do
    mkdir "$work/unpacked/$(basename "$f")"
    (cd "$work/unpacked/$(basename "$f")" && rpm2cpio "$src/$f" | cpio -idm --quiet)
done
for f in dist/*.jar dist/*.nupkg; do unzip -q "$f" -d "$work/unpacked/$(basename "$f")"; done
# The ELF machine readelf names for a package or folder: where the path
# says arm64/aarch64, AArch64; else x86-64.
expected_machine() {
    case "$1" in
        *arm64*|*aarch64*) echo AArch64 ;;
        *) echo "Advanced Micro Devices X86-64" ;;
    esac
}
elves=0
for pkg in "$work"/unpacked/*; do
    for file in $(find "$pkg" -type f); do
        head -c 4 "$file" | grep -q 'ELF' || continue
        elves=$((elves + 1))
        where=${file#"$work"/unpacked/}
        # In the jar and the NuGet package the folder names the machine; in
        # a deb or rpm, the package's own name does.
        case "$where" in
            *.jar/*|*.nupkg/*) want=$(expected_machine "${where#*/}") ;;
            *) want=$(expected_machine "${where%%/*}") ;;
        esac
        machine=$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')
        [ "$machine" = "$want" ] || { echo "$where: machine $machine, expected $want" >&2; exit 1; }
        # Only $ORIGIN-relative run paths: a path into the build folder (or
        # any absolute one) would make the library look there first.
        runpath=$(readelf -d "$file" | sed -n 's/.*(\(RPATH\|RUNPATH\)).*\[\(.*\)\]/\2/p')
        case "$runpath" in
            ''|'$ORIGIN'*) ;;
            *) echo "$where: run path $runpath" >&2; exit 1 ;;
        esac
    done
done
echo "native files: $elves ELF files, each of its package's machine, no build run path"
for p in linux-x86_64/libpolyws_jni.so linux-x86_64/libpolyws.so.0 linux-aarch64/libpolyws_jni.so \
         linux-aarch64/libpolyws.so.0; do
    [ -f "$work/unpacked/polyws-$version.jar/native/$p" ] || { echo "jar: no native/$p" >&2; exit 1; }
done
for p in linux-x64/native/libpolyws.so linux-arm64/native/libpolyws.so win-x64/native/polyws.dll; do
    [ -f "$work/unpacked/Polyws.$version.nupkg/runtimes/$p" ] || { echo "nupkg: no runtimes/$p" >&2; exit 1; }
done
# The Windows runtime is the cross build's DLL.
cmp "$work/unpacked/Polyws.$version.nupkg/runtimes/win-x64/native/polyws.dll" \
    "${POLYWS_WIN_X64_DLL:-build-windows/win-x64/bin/polyws.dll}"
x86_64-w64-mingw32-objdump -f "$work/unpacked/Polyws.$version.nupkg/runtimes/win-x64/native/polyws.dll" |
    grep -q 'file format pei-x86-64'

echo "== the jar's loader picks its native folder by os.arch"
# Nothing on java.library.path, so the loader takes the jar's folder: on
# this x86-64 JVM the aarch64 one must be the one it tried (and the JVM
# refuses it for its machine), for os.arch aarch64 and arm64 alike.
for arch in aarch64 arm64; do
    if timeout 60 java -Dos.arch=$arch -Djava.library.path=/nonexistent \
            -cp "dist/polyws-$version.jar" examples/java/Hello.java ws://127.0.0.1:9/ \
            > "$work/loader-$arch.out" 2>&1; then
        echo "os.arch=$arch: the x86-64 JVM loaded a native library" >&2; exit 1
    fi
    grep -q 'polyws-native.*/libpolyws.so.0.*AARCH64' "$work/loader-$arch.out" ||
        { cat "$work/loader-$arch.out" >&2; echo "os.arch=$arch: not the aarch64 library" >&2; exit 1; }
done

echo "== lintian"
lintian --fail-on error,warning --suppress-tags initial-upload-closes-no-bugs dist/*.deb

echo "== control and documentation files"
# The ABI list ships as the library's Debian symbols file, on each architecture.
for f in dist/libpolyws0_*.deb; do
    dpkg-deb --ctrl-tarfile "$f" | tar -xO ./symbols > "$work/symbols"
    cmp "$work/symbols" packaging/libpolyws0.symbols
done

echo "== lua-polyws holds the whole Lua layer (polyws.lua and polyws/*.lua) for 5.4 and 5.1"
for deb in dist/lua-polyws_*.deb; do   # one per architecture
    dpkg-deb -c "$deb" > "$work/lua-deb.list"
    for v in 5.4 5.1; do
        for m in polyws.lua $(cd bindings/lua && ls polyws/*.lua); do
            grep -q "/usr/share/lua/$v/$m\$" "$work/lua-deb.list" ||
                { echo "$deb lacks /usr/share/lua/$v/$m" >&2; exit 1; }
        done
    done
done

echo "== install the debs"
dpkg -i dist/libpolyws0_*_amd64.deb dist/libpolyws-dev_*_amd64.deb dist/polyws-tools_*_amd64.deb \
    dist/libpolyws-java_*_amd64.deb > "$work/dpkg.log"
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
    examples/java/Hello.java "ws://127.0.0.1:$port/" > "$work/java.out"
grep -q '^echo: Hello from Java$' "$work/java.out"

echo "== the LuaRocks rock, built against the installed libpolyws-dev"
luarocks --lua-version=5.4 --tree="$work/rocks" install dist/polyws-*.src.rock > "$work/rock.log" 2>&1 ||
    { cat "$work/rock.log"; exit 1; }
(eval "$(luarocks --lua-version=5.4 --tree="$work/rocks" path)"
 timeout 30 lua5.4 bindings/lua/spec/echo_client.lua "ws://127.0.0.1:$port/" "from the rock" "$work/rocks/")
kill "$echo_pid"; echo_pid=

echo "== remove the debs"
dpkg -r libpolyws-java polyws-tools libpolyws-dev libpolyws0 > "$work/dpkg-r.log"
for f in /usr/include/polyws.h /usr/bin/polyws /usr/bin/polyws-echo /usr/share/man/man1/polyws.1.gz \
         /usr/share/java/polyws.jar /usr/lib/x86_64-linux-gnu/jni/libpolyws_jni.so; do
    [ ! -e "$f" ] || { echo "$f left behind" >&2; exit 1; }
done
if ldconfig -p | grep -q 'libpolyws.so.0 '; then echo "libpolyws.so.0 left in the cache" >&2; exit 1; fi

echo "== rpms"
for arch in x86_64 aarch64; do
    rpm -qpl dist/polyws-0*.$arch.rpm | grep -q '/libpolyws.so.0$'
    rpm -qpl dist/polyws-devel-*.$arch.rpm | grep -q '/include/polyws.h$'
    rpm -qpl dist/polyws-devel-*.$arch.rpm | grep -q '/pkgconfig/polyws.pc$'
    rpm -qpl dist/polyws-tools-*.$arch.rpm | grep -q '/bin/polyws$'
    rpm -qpl dist/polyws-java-*.$arch.rpm | grep -q '/share/java/polyws-.*\.jar$'
    rpm -qpR dist/polyws-0*.$arch.rpm | grep -q 'libwebsockets.so.17'
    rpm -qpR dist/polyws-0*.$arch.rpm | grep -q 'libssl.so.3'
    rpm -qpR dist/polyws-devel-*.$arch.rpm | grep -q 'polyws = '
    mkdir -p "$work/root-$arch"
    rpm --root "$work/root-$arch" --dbpath /var/lib/rpm --initdb
    rpm --root "$work/root-$arch" --dbpath /var/lib/rpm -i --nodeps --noscripts --ignorearch \
        dist/polyws-0*.$arch.rpm dist/polyws-devel-*.$arch.rpm dist/polyws-tools-*.$arch.rpm
    [ -e "$work/root-$arch/usr/include/polyws.h" ] && [ -e "$work/root-$arch/usr/bin/polyws" ]
    rpm --root "$work/root-$arch" --dbpath /var/lib/rpm -qa | sort
done
echo "packages: all checks passed"
