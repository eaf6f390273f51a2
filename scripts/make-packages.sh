#!/bin/sh
# Builds every release artifact into dist/, with SHA256SUMS:
#   - deb and rpm packages: libpolyws0 / polyws, libpolyws-dev / polyws-devel,
#     polyws-tools, lua-polyws, libpolyws-java / polyws-java (CPack);
#   - the LuaRocks source rock (polyws-<v>.src.rock);
#   - the Maven artifacts: polyws-<v>.jar (native libraries inside), its POM
#     and sources jar;
#   - the NuGet package Polyws.<v>.nupkg, with runtimes/linux-x64 and
#     runtimes/win-x64 (the cross build, packaging/windows/build.sh, or the
#     DLL POLYWS_WIN_X64_DLL names).
# Uses its own build folder (prefix /usr, Release).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
build=build-packages
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DPOLYWS_BUILD_TESTS=OFF > "$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j"$(nproc)"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
rm -rf "$build/dist" dist
(cd "$build" && cpack -G DEB > cpack-deb.log && cpack -G RPM > cpack-rpm.log) ||
    { cat "$build"/cpack-*.log; exit 1; }
mkdir -p dist
cp "$build"/dist/*.deb "$build"/dist/*.rpm dist/
packaging/lua/make-rock.sh dist > /dev/null

java_dir=$build/bindings/java
if [ -f "$java_dir/polyws-$version.jar" ]; then
    cp "$java_dir/polyws-$version.jar" "$java_dir/polyws-$version-sources.jar" \
       "$java_dir/polyws-$version.pom" dist/
else
    echo "make-packages: the Java binding was not built (no JDK/junit5?): no jar" >&2
    exit 1
fi

# The NuGet package carries Windows x64 too: the cross build's DLL
# (packaging/windows/build.sh; its dependencies are built once and reused),
# or the one POLYWS_WIN_X64_DLL names.
win_dll=${POLYWS_WIN_X64_DLL:-$root/build-windows/win-x64/bin/polyws.dll}
if [ -z "${POLYWS_WIN_X64_DLL:-}" ]; then
    packaging/windows/build.sh build-windows > "$build/windows-build.log" 2>&1 ||
        { tail -n 40 "$build/windows-build.log"; exit 1; }
fi
[ -f "$win_dll" ] || { echo "make-packages: no $win_dll" >&2; exit 1; }
command -v dotnet > /dev/null || { echo "make-packages: dotnet not found: no NuGet package" >&2; exit 1; }
DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet pack bindings/csharp/Polyws/Polyws.csproj \
    -c Release -nologo -v:minimal -p:SwigExecutable="$(command -v swig)" \
    -p:PolywsIncludeDir="$root/capi/include" -p:PolywsLinuxX64Native="$root/$build/libpolyws.so.$version" \
    -p:PolywsWinX64Native="$win_dll" -p:Version="$version" -o dist > "$build/dotnet-pack.log" 2>&1 ||
    { cat "$build/dotnet-pack.log"; exit 1; }
(cd dist && sha256sum -- * > SHA256SUMS)
ls -1 dist
