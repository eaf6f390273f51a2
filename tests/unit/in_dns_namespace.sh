#!/bin/sh
# Runs a test program in network and mount namespaces of its own, where the
# loopback interface is up and /etc/resolv.conf names 127.0.0.1 (where the
# program plays the DNS server), so that name lookups are real and under the
# test's control without touching the machine's own resolver settings.
#   in_dns_namespace.sh PROGRAM [ARGS...]
# Needs root (or unprivileged user namespaces); exits 77 (skipped) without.
set -eu
if [ -z "${POLYWS_IN_DNS_NAMESPACE:-}" ]; then
    if ! unshare --net --mount true 2> /dev/null; then
        echo "in_dns_namespace: cannot create namespaces here (not root?): skipped" >&2
        exit 77
    fi
    POLYWS_IN_DNS_NAMESPACE=1 exec unshare --net --mount sh "$0" "$@"
fi
export POLYWS_IN_DNS_NAMESPACE
ip link set lo up
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
# One attempt with a long timeout: the test decides when each query is answered.
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' > "$conf"
mount --bind "$conf" /etc/resolv.conf
"$@"
