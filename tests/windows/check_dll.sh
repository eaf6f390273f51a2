#!/bin/sh
# What polyws.dll shows the world, read with x86_64-w64-mingw32-objdump -p:
#
#   check_dll.sh exports DLL DEF LIST   the export table and the .def equal the
#                                       committed list (tests/abi/exported_symbols.txt,
#                                       without its Linux version tags)
#   check_dll.sh imports FILE...        each file imports only DLLs that every
#                                       Windows has (no libstdc++, libgcc,
#                                       winpthread, OpenSSL, zlib or lws DLL)
set -eu
objdump=x86_64-w64-mingw32-objdump
mode=$1
shift
case "$mode" in
exports)
    dll=$1 def=$2 list=$3
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    sed -n 's/@@POLYWS_0$//p' "$list" | sort > "$tmp/expected"
    # The name table: lines "[ n] name" after "[Ordinal/Name Pointer] Table".
    $objdump -p "$dll" | awk '/\[Ordinal\/Name Pointer\] Table/ {on=1; next}
        on && /^[[:space:]]*\[ *[0-9]+\]/ {print $NF; next} on && NF == 0 {on=0}' |
        sort > "$tmp/dll"
    sed -n '/^EXPORTS/,$p' "$def" | sed '1d' | awk '{print $1}' | sed 's/@[0-9]*$//' |
        grep -v '^$' | sort > "$tmp/def"
    status=0
    diff -u "$tmp/expected" "$tmp/dll" || { echo "polyws.dll exports differ from $list" >&2; status=1; }
    diff -u "$tmp/expected" "$tmp/def" || { echo "polyws.def differs from $list" >&2; status=1; }
    [ $status -eq 0 ] && echo "exports: $(wc -l < "$tmp/dll") functions in polyws.dll and polyws.def match the list"
    exit $status
    ;;
imports)
    # Case-insensitive names of DLLs shipped with every Windows since 7.
    allowed="kernel32.dll ws2_32.dll crypt32.dll advapi32.dll user32.dll iphlpapi.dll
             msvcrt.dll bcrypt.dll userenv.dll shell32.dll"
    status=0
    for file in "$@"; do
        for dll in $($objdump -p "$file" | sed -n 's/^[[:space:]]*DLL Name: //p'); do
            lower=$(echo "$dll" | tr 'A-Z' 'a-z')
            ok=0
            for a in $allowed; do [ "$lower" = "$a" ] && ok=1; done
            [ "$lower" = "polyws.dll" ] && ok=1   # the programs use the library
            if [ $ok -eq 1 ]; then
                echo "$(basename "$file"): $dll"
            else
                echo "$(basename "$file"): $dll is not a system DLL" >&2
                status=1
            fi
        done
    done
    exit $status
    ;;
*)
    echo "usage: check_dll.sh exports DLL DEF LIST | imports FILE..." >&2
    exit 2
    ;;
esac
