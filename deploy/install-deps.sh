#!/usr/bin/env bash
# Installs, idempotently, the Debian packages skiff's tests and local cluster
# use: etcd (the HA store backend; tests start members on loopback ports),
# Debian's Docker engine (one dockerd per node, started inside the node's
# network namespace), iptables and conntrack (the service proxy), iproute2 and
# util-linux (network namespaces, nsenter), busybox-static (the sample images'
# userland), docker-registry (the local registry nodes pull from) and curl
# (`skiff up` asks its sample app through the service IP).
set -euo pipefail

PACKAGES=(etcd-server etcd-client docker.io iptables conntrack busybox-static docker-registry iproute2 util-linux curl)

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
# Nothing is started here: each test (and `skiff up`) starts the etcd members,
# dockerds and registry it needs, and stops them.
