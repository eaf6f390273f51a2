#!/bin/sh
# packaging/windows/deps.sh on a fresh machine, whose apt has no deb-src
# entries: it must add them and unpack a source package, and print nothing
# on stdout but the source folder (callers capture it: a progress line there
# once became the path, "cp: cannot stat 'deps: adding ...'"). Runs on an
# apt configuration of its own (APT_CONFIG: sources, lists and cache in a
# scratch folder, with this machine's Debian entries as plain "deb" ones),
# so the machine's apt is left as it is. Needs Debian's archive.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
chmod 755 "$scratch"   # apt downloads as its own user, _apt
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/etc/sources.list.d" "$scratch/lists/partial" "$scratch/cache/archives/partial"
: > "$scratch/etc/sources.list"
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$(basename "$f")" != polyws-deb-src.sources ] || continue
    grep -q 'deb\.debian\.org\|debian-archive-keyring' "$f" || continue
    sed -e 's/^Types:.*/Types: deb/' "$f" >> "$scratch/etc/sources.list.d/debian.sources"
    echo >> "$scratch/etc/sources.list.d/debian.sources"
done
[ -s "$scratch/etc/sources.list.d/debian.sources" ] ||
    { echo "deps_source: no Debian .sources entry on this machine to start from" >&2; exit 1; }
cat > "$scratch/apt.conf" <<CONF
Dir::Etc::sourcelist "$scratch/etc/sources.list";
Dir::Etc::sourceparts "$scratch/etc/sources.list.d";
Dir::State::lists "$scratch/lists";
Dir::Cache "$scratch/cache";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
CONF
export APT_CONFIG="$scratch/apt.conf"
if apt-get source --print-uris libidn2 2> /dev/null | grep -q '\.dsc'; then
    echo "deps_source: the scratch apt configuration already has deb-src entries" >&2; exit 1
fi
"$repo/packaging/windows/deps.sh" --source libidn2 "$scratch/deps" > "$scratch/out" 2> "$scratch/err" ||
    { cat "$scratch/err" >&2; exit 1; }
cat "$scratch/err"
[ "$(wc -l < "$scratch/out")" -eq 1 ] ||
    { echo "deps.sh printed more than the folder on stdout:" >&2; cat "$scratch/out" >&2; exit 1; }
dir=$(cat "$scratch/out")
case "$dir" in
    "$scratch/deps/src/libidn2-"[0-9]*) ;;
    *) echo "deps.sh printed '$dir', not the libidn2 source folder" >&2; exit 1 ;;
esac
[ -f "$dir/configure" ] || { echo "$dir holds no unpacked libidn2 source" >&2; exit 1; }
grep -q '^Types: deb-src' "$scratch/etc/sources.list.d/polyws-deb-src.sources"
echo "deps_source: deb-src added, $(basename "$dir") unpacked, only its folder on stdout"
