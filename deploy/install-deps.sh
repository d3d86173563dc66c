#!/usr/bin/env bash
# Installs, idempotently, the Debian packages skiff's tests and local cluster
# use: etcd (the HA store backend, started by the tests on loopback ports).
# Later parts add docker.io, iptables and conntrack here.
set -euo pipefail

PACKAGES=(etcd-server etcd-client)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "skiff: missing packages: ${missing[*]}; run this script as root (or with sudo) to install them" >&2
    exit 1
  fi
  echo "skiff: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's package may start an etcd on the default ports; the tests use
# their own members on other loopback ports, so it is left alone.
