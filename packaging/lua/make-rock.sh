#!/bin/sh
# Makes the LuaRocks source rock of the Lua binding: a source archive with
# bindings/lua and the shared SWIG interface (bindings/polyws.i), and the
# rockspec pointing at it, packed by `luarocks pack` into
# polyws-<version>.src.rock. `luarocks install polyws-<version>.src.rock`
# then builds it against an installed libpolyws (POLYWS_DIR=/prefix if not
# in the usual places).
#   packaging/lua/make-rock.sh OUTPUT-DIR
set -eu
cd "$(dirname "$0")/../.."
out=$(readlink -f "$1")
rockspec=$(ls bindings/lua/polyws-*.rockspec)
rock_version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$rockspec")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/polyws/bindings"
cp -r bindings/lua "$work/polyws/bindings/lua"
rm -rf "$work/polyws/bindings/lua/spec"
cp bindings/polyws.i "$work/polyws/bindings/"
archive=polyws-lua-$rock_version.tar.gz
tar -C "$work" --sort=name --owner=0 --group=0 --mtime=@0 -czf "$work/$archive" polyws
# The same rockspec, its source being the archive packed beside it.
sed "s|^  url = .*|  url = \"file://$work/$archive\",|" "$rockspec" > "$work/$(basename "$rockspec")"
(cd "$work" && luarocks pack "$(basename "$rockspec")" > pack.log) || { cat "$work/pack.log"; exit 1; }
mv "$work"/polyws-"$rock_version".src.rock "$out/"
echo "$out/polyws-$rock_version.src.rock"
