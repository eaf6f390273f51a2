#!/bin/sh
# Builds every release artifact into dist/, with SHA256SUMS:
#   - deb and rpm packages, for amd64/x86_64 and arm64/aarch64: libpolyws0 /
#     polyws, libpolyws-dev / polyws-devel, polyws-tools, lua-polyws,
#     libpolyws-java / polyws-java (CPack; the arm64 ones from the cross
#     build, packaging/linux-arm64/build.sh);
#   - the LuaRocks source rock (polyws-<v>-1.src.rock);
#   - the Maven artifacts: polyws-<v>.jar (native libraries inside, for
#     native/linux-x86_64/ and native/linux-aarch64/), its POM and sources jar;
#   - the NuGet package Polyws.<v>.nupkg, with runtimes/linux-x64,
#     runtimes/linux-arm64 and runtimes/win-x64 (the cross build,
#     packaging/windows/build.sh, or the DLL POLYWS_WIN_X64_DLL names).
# Uses its own build folder (prefix /usr, Release); the cross builds reuse
# build-windows/ and build-arm64/ (the Windows dependencies are built once).
# Progress: one short line a phase on stderr; each tool's output in a log.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
build=build-packages
started=$(date +%s)
say() { echo "make-packages: [$(( $(date +%s) - started )) s] $*" >&2; }

# What the whole run needs, checked before minutes of building.
# Debian's archive has no .NET SDK: docs/platforms.md says how to add it.
dotnet=${POLYWS_DOTNET:-$(command -v dotnet || true)}
if [ -z "$dotnet" ] || [ ! -x "$dotnet" ]; then
    say "the .NET SDK (dotnet) is not installed${POLYWS_DOTNET:+ at $POLYWS_DOTNET}: the NuGet package needs it." \
        "Debian's archive has none; install it as docs/platforms.md says (one step), then run again."
    exit 1
fi
tools="swig javac jar cpack rpmbuild aarch64-linux-gnu-g++"
[ -n "${POLYWS_WIN_X64_DLL:-}" ] || tools="$tools x86_64-w64-mingw32-g++-posix"
for tool in $tools; do
    command -v "$tool" > /dev/null ||
        { say "$tool is missing: run scripts/install-deps.sh first"; exit 1; }
done

say "native build ($build)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DPOLYWS_BUILD_TESTS=OFF > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j"$(nproc)" > "$build/build.log" 2>&1 || { tail -n 60 "$build/build.log"; exit 1; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
rm -rf "$build/dist" dist
mkdir -p dist
say "deb and rpm packages (amd64, x86_64)"
(cd "$build" && cpack -G DEB > cpack-deb.log 2>&1 && cpack -G RPM > cpack-rpm.log 2>&1) ||
    { cat "$build"/cpack-*.log; exit 1; }
cp "$build"/dist/*.deb "$build"/dist/*.rpm dist/
packaging/lua/make-rock.sh dist > /dev/null

java_dir=$build/bindings/java
if [ ! -f "$java_dir/polyws-$version.jar" ]; then
    say "the Java binding was not built (no JDK/junit5?): no jar"
    exit 1
fi
cp "$java_dir/polyws-$version.jar" "$java_dir/polyws-$version-sources.jar" \
   "$java_dir/polyws-$version.pom" dist/

# The aarch64 cross build: its own debs and rpms, and the native libraries
# the jar and the NuGet package carry for linux-aarch64 / linux-arm64.
arm64=$root/build-arm64
say "aarch64 cross build ($arm64)"
packaging/linux-arm64/build.sh "$arm64" > "$build/arm64-build.log" ||
    { tail -n 40 "$build/arm64-build.log"; exit 1; }
say "deb and rpm packages (arm64, aarch64)"
rm -rf "$arm64/polyws/dist"
(cd "$arm64/polyws" && DEB_HOST_ARCH=arm64 cpack -G DEB > cpack-deb.log 2>&1 && cpack -G RPM > cpack-rpm.log 2>&1) ||
    { cat "$arm64"/polyws/cpack-*.log; exit 1; }
cp "$arm64"/polyws/dist/*.deb "$arm64"/polyws/dist/*.rpm dist/
jar_native=$build/jar-native
rm -rf "$jar_native"
mkdir -p "$jar_native/native/linux-aarch64"
cp "$arm64/linux-arm64/lib/libpolyws.so.0" "$arm64/linux-arm64/lib/libpolyws_jni.so" \
   "$jar_native/native/linux-aarch64/"
jar uf "dist/polyws-$version.jar" -C "$jar_native" native/linux-aarch64

# The NuGet package carries Windows x64 too: the cross build's DLL
# (packaging/windows/build.sh; its dependencies are built once and reused),
# or the one POLYWS_WIN_X64_DLL names.
win_dll=${POLYWS_WIN_X64_DLL:-$root/build-windows/win-x64/bin/polyws.dll}
if [ -z "${POLYWS_WIN_X64_DLL:-}" ]; then
    [ -d build-windows/deps/lws ] ||
        say "Windows x64 cross build: the first run builds OpenSSL, libidn2 and libwebsockets (several minutes)"
    say "Windows x64 cross build (build-windows)"
    packaging/windows/build.sh build-windows > "$build/windows-build.log" ||
        { tail -n 40 "$build/windows-build.log"; exit 1; }
fi
[ -f "$win_dll" ] || { say "no $win_dll"; exit 1; }
say "NuGet package (dotnet pack)"
DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 "$dotnet" pack bindings/csharp/Polyws/Polyws.csproj \
    -c Release -nologo -v:minimal -p:SwigExecutable="$(command -v swig)" \
    -p:PolywsIncludeDir="$root/capi/include" -p:PolywsLinuxX64Native="$root/$build/libpolyws.so.$version" \
    -p:PolywsLinuxArm64Native="$arm64/linux-arm64/lib/libpolyws.so.0" \
    -p:PolywsWinX64Native="$win_dll" -p:Version="$version" -o dist > "$build/dotnet-pack.log" 2>&1 ||
    { cat "$build/dotnet-pack.log"; exit 1; }
(cd dist && sha256sum -- * > SHA256SUMS)
ls -1 dist
