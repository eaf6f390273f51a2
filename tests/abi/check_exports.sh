#!/bin/sh
# The exported symbols of libpolyws.so must equal the committed list, so any
# change to the ABI is a deliberate edit of tests/abi/exported_symbols.txt.
set -eu
lib=$1
list=$2
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
nm -D --defined-only "$lib" | awk '{print $3}' | sort > "$actual"
if diff -u "$list" "$actual"; then
    echo "exports: $(wc -l < "$actual") symbols match the committed list"
else
    echo "exports differ from $list (see diff above)" >&2
    exit 1
fi
# Nothing from the C++ runtime or libwebsockets may leak out.
if nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^ws_\|^POLYWS_0' ; then
    echo "unexpected exported symbols above" >&2
    exit 1
fi
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libpolyws.so.0" ] || { echo "soname is '$soname', expected libpolyws.so.0" >&2; exit 1; }
echo "soname: $soname"
