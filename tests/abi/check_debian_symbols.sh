#!/bin/sh
# The Debian symbols file shipped in libpolyws0 (packaging/libpolyws0.symbols)
# must describe the built library exactly: dpkg-gensymbols at its strictest
# level (-c4) fails on a symbol missing from either side.
#   check_debian_symbols.sh LIBRARY SYMBOLS-FILE VERSION
set -eu
lib=$(readlink -f "$1")
symbols=$(readlink -f "$2")
version=$3
command -v dpkg-gensymbols > /dev/null || { echo "dpkg-gensymbols not found (dpkg-dev)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/debian"
# dpkg-gensymbols reads the package's name and version from these two files.
printf 'Source: polyws\n\nPackage: libpolyws0\nArchitecture: any\n' > "$work/debian/control"
printf 'polyws (%s-1) unstable; urgency=medium\n\n  * check\n\n -- polyws <maintainers@polyws.org>  Thu, 26 Nov 2026 00:00:00 +0000\n' \
    "$version" > "$work/debian/changelog"
cd "$work"
dpkg-gensymbols -plibpolyws0 -v"$version-1" -I"$symbols" -e"$lib" -O"$work/generated" -c4
echo "debian symbols: $(grep -c '^ ' "$symbols") symbols match $lib"
