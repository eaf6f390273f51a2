#!/bin/sh
# `luarocks make` of the rockspec into a scratch tree, for Lua 5.4 and 5.1,
# then a script run by lua5.4, lua5.1 and luajit that requires the installed
# module and talks to a polyws-echo started here.
#   luarocks_make.sh <source dir> <dir of polyws.h> <dir of libpolyws.so> <polyws-echo>
set -eu
src=$1
incdir=$2
libdir=$3
echo_bin=$4
work=$(mktemp -d)
echo_pid=
cleanup() { [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# luarocks make builds in the rockspec's directory: use a copy of bindings/.
cp -r "$src/bindings" "$work/bindings"
rockspec=$(cd "$work/bindings/lua" && ls polyws-*.rockspec)
for v in 5.4 5.1; do
    if ! (cd "$work/bindings/lua" && rm -rf build.luarocks &&
          luarocks --lua-version="$v" --tree="$work/tree" make "$rockspec" \
              POLYWS_INCDIR="$incdir" POLYWS_LIBDIR="$libdir") > "$work/make-$v.log" 2>&1; then
        cat "$work/make-$v.log"
        echo "luarocks make failed for Lua $v" >&2
        exit 1
    fi
    test -f "$work/tree/lib/lua/$v/polyws_core.so"
    test -f "$work/tree/share/lua/$v/polyws.lua"
    # every module of the Lua layer, none forgotten by the install rules
    for m in "$work"/bindings/lua/polyws/*.lua; do
        test -f "$work/tree/share/lua/$v/polyws/$(basename "$m")" ||
            { echo "luarocks make: polyws/$(basename "$m") not installed for Lua $v" >&2; exit 1; }
    done
    echo "luarocks make: Lua $v installed into the tree"
done
luarocks --lua-version=5.4 --tree="$work/tree" list | grep -q '^polyws'

mkfifo "$work/port"
"$echo_bin" --port 0 > "$work/port" &
echo_pid=$!
exec 3< "$work/port"
read -r _ port <&3

for interp in lua5.4 lua5.1 luajit; do
    command -v "$interp" > /dev/null || { echo "$interp: not installed, skipped"; continue; }
    case $interp in lua5.4) v=5.4 ;; *) v=5.1 ;; esac
    # Only the tree and the system's directories: never the build tree.
    (eval "$(luarocks --lua-version="$v" --tree="$work/tree" path)"
     unset LUA_PATH_5_4 LUA_CPATH_5_4
     timeout 30 "$interp" "$src/bindings/lua/spec/echo_client.lua" "ws://127.0.0.1:$port/" rock "$work/tree")
done
