#!/bin/sh
# Cross-builds the Windows dependencies that Debian does not ship for mingw
# -- OpenSSL 3.0, libwebsockets 4.1.6 and libidn2, the same versions as the
# Linux build -- from Debian's own source packages, as static libraries.
#
#   packaging/windows/deps.sh DEPS_DIR
#   packaging/windows/deps.sh --source PACKAGE DEPS_DIR   (unpack, print its folder)
#
# Sources are unpacked under DEPS_DIR/src, each library installed under
# DEPS_DIR/<name>. A library already installed there is reused (delete its
# folder to rebuild it). Never writes inside the repository. Progress goes
# to stderr, one short line a step.
set -eu
source_only=
if [ "${1:-}" = "--source" ]; then
    source_only=$2
    shift 2
fi
deps=$(realpath -m "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
host=x86_64-w64-mingw32
jobs=${POLYWS_JOBS:-2}
mkdir -p "$deps/src"

# Debian's source packages need a deb-src entry for the archive this machine
# already uses: mirror each Debian deb822 entry (the .sources files naming
# Debian's archive or keyring) with Types: deb-src, or each legacy "deb" line.
ensure_deb_src() {
    if apt-get source --print-uris openssl > /dev/null 2>&1 &&
       apt-get source --print-uris openssl 2>/dev/null | grep -q '\.dsc'; then
        return 0
    fi
    # apt's own configuration names the folders (APT_CONFIG may move them).
    eval "$(apt-config shell parts Dir::Etc::sourceparts/d list Dir::Etc::sourcelist/f)"
    parts=${parts%/}
    target=$parts/polyws-deb-src.sources
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    tmp=$(mktemp)
    for f in "$parts"/*.sources; do
        [ -f "$f" ] && [ "$f" != "$target" ] || continue
        grep -q 'deb\.debian\.org\|debian-archive-keyring' "$f" || continue
        sed -e 's/^Types:.*/Types: deb-src/' "$f" >> "$tmp"
        echo >> "$tmp"
    done
    for f in "$list" "$parts"/*.list; do
        [ -f "$f" ] || continue
        grep -E '^deb[[:space:]].*debian' "$f" | sed -e 's/^deb[[:space:]]/deb-src /' |
            while read -r line; do
                printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n\n' \
                    "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $3}')" \
                    "$(echo "$line" | cut -d' ' -f4-)" >> "$tmp"
            done
    done
    if [ ! -s "$tmp" ]; then
        echo "deps: no Debian archive entry found in $list or $parts to derive deb-src from" >&2
        exit 1
    fi
    echo "deps: adding $target (deb-src entries for apt-get source), apt-get update" >&2
    $SUDO cp "$tmp" "$target"
    $SUDO chmod 644 "$target"
    rm -f "$tmp"
    $SUDO apt-get update -qq >&2
}

# Unpacks Debian source package $1 (patches applied) into src/, prints its
# dir: the only thing on stdout, which the caller captures (every progress
# line, here and in ensure_deb_src, goes to stderr).
source_dir() {
    dir=$(ls -d "$deps/src/$1"-[0-9]*/ 2>/dev/null | head -n 1 || true)
    if [ -z "$dir" ]; then
        ensure_deb_src
        echo "deps: apt-get source $1" >&2
        # Newest version first; a version whose files the mirror lacks (a
        # security update not yet in it) falls back to the next one.
        for version in $(apt-cache showsrc "$1" | sed -n 's/^Version: //p' | sort -rV); do
            if (cd "$deps/src" && apt-get source -qq "$1=$version" > /dev/null 2>&1); then
                break
            fi
            rm -f "$deps/src/$1"_*
        done
        dir=$(ls -d "$deps/src/$1"-[0-9]*/ 2>/dev/null | head -n 1 || true)
        if [ -z "$dir" ]; then
            echo "deps: apt-get source $1 failed for every version apt-cache showsrc lists" >&2
            exit 1
        fi
    fi
    echo "${dir%/}"
}

now() { date +%s; }

# deps.sh --source PACKAGE DEPS_DIR: only unpack PACKAGE's source and print
# its folder (what the builds below take; tests/packaging/deps_source.sh
# checks it on an apt configuration without deb-src entries).
if [ "${source_only:-}" ]; then
    source_dir "$source_only"
    exit 0
fi

# ---- OpenSSL 3.0 (libcrypto, libssl) ------------------------------------
if [ ! -f "$deps/openssl/lib/libssl.a" ]; then
    src=$(source_dir openssl)
    echo "deps: building OpenSSL from $(basename "$src")" >&2
    t=$(now)
    rm -rf "$deps/build-openssl"
    cp -a "$src" "$deps/build-openssl"
    (cd "$deps/build-openssl" &&
     ./Configure mingw64 --cross-compile-prefix=$host- no-shared no-tests \
         --prefix="$deps/openssl" --libdir=lib > configure.log 2>&1 &&
     make -j"$jobs" build_libs > build.log 2>&1 &&
     make install_dev > install.log 2>&1) || {
        echo "deps: OpenSSL build failed, see $deps/build-openssl/*.log" >&2; exit 1; }
    echo "deps: OpenSSL built in $(( $(now) - t )) s" >&2
fi

# ---- libidn2 (IDNA 2008 / UTS #46 host names, as on Linux) ----------------
if [ ! -f "$deps/idn2/lib/libidn2.a" ]; then
    src=$(source_dir libidn2)
    echo "deps: building libidn2 from $(basename "$src")" >&2
    t=$(now)
    rm -rf "$deps/build-idn2"
    cp -a "$src" "$deps/build-idn2"
    (cd "$deps/build-idn2" &&
     ./configure --host=$host --prefix="$deps/idn2" --disable-shared --enable-static \
         --with-included-libunistring --disable-doc --disable-nls --without-libiconv-prefix \
         --disable-valgrind-tests > configure.log 2>&1 &&
     make -j"$jobs" -C gl > build.log 2>&1 &&
     make -j"$jobs" -C unistring >> build.log 2>&1 &&
     make -j"$jobs" -C lib >> build.log 2>&1 &&
     make -C lib install >> install.log 2>&1) || {
        echo "deps: libidn2 build failed, see $deps/build-idn2/*.log" >&2; exit 1; }
    echo "deps: libidn2 built in $(( $(now) - t )) s" >&2
fi

# ---- libwebsockets 4.1.6 (static, with zlib and OpenSSL) ----------------
if [ ! -f "$deps/lws/lib/libwebsockets_static.a" ] && [ ! -f "$deps/lws/lib/libwebsockets.a" ]; then
    src=$(source_dir libwebsockets)
    echo "deps: building libwebsockets from $(basename "$src")" >&2
    t=$(now)
    rm -rf "$deps/build-lws"
    mkdir -p "$deps/build-lws"
    (cd "$deps/build-lws" &&
     cmake "$src" -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/mingw-w64-x86_64.cmake" \
         -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$deps/lws" \
         -DCMAKE_FIND_ROOT_PATH="$deps/openssl" \
         -DLWS_WITH_STATIC=ON -DLWS_WITH_SHARED=OFF -DDISABLE_WERROR=ON \
         -DLWS_WITH_SSL=ON -DLWS_OPENSSL_INCLUDE_DIRS="$deps/openssl/include" \
         -DLWS_OPENSSL_LIBRARIES="$deps/openssl/lib/libssl.a;$deps/openssl/lib/libcrypto.a" \
         -DLWS_WITH_ZLIB=ON -DLWS_WITH_BUNDLED_ZLIB=OFF \
         -DLWS_WITH_CLIENT=ON -DLWS_WITH_SERVER=ON -DLWS_ROLE_RAW=ON -DLWS_IPV6=ON \
         -DLWS_WITHOUT_TESTAPPS=ON -DLWS_WITH_MINIMAL_EXAMPLES=OFF \
         -DLWS_WITHOUT_TEST_SERVER=ON -DLWS_WITHOUT_TEST_CLIENT=ON \
         -DLWS_WITH_LIBUV=OFF -DLWS_WITH_LIBEV=OFF -DLWS_WITH_GLIB=OFF \
         > configure.log 2>&1 &&
     cmake --build . -j"$jobs" > build.log 2>&1 &&
     cmake --install . > install.log 2>&1) || {
        echo "deps: libwebsockets build failed, see $deps/build-lws/*.log" >&2; exit 1; }
    echo "deps: libwebsockets built in $(( $(now) - t )) s" >&2
fi
