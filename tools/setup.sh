#!/usr/bin/env bash
# Brings a fresh Debian 12 machine with Node 20 (as root) to a built flannel-ts checkout:
# the Debian packages the daemon and its tests use, the locked npm dependencies, and every
# binary and native addon. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(etcd-server etcd-client iproute2 iputils-ping iperf3 iptables nftables tcpdump ethtool valgrind containernetworking-plugins procps curl python3 make g++ pkg-config libnl-3-dev libnl-route-3-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's etcd-server package starts a system etcd on 2379; flannel-ts never uses it, and the
# lab and tests run their own. Leave it as the package set it up.

export NX_DAEMON=false NX_NO_CLOUD=true
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
npm run build
