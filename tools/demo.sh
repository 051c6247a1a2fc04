#!/usr/bin/env bash
# The demo: set-up (packages, npm ci, build), then a 3-host namespace lab with etcd and flanneld.
# Options: --backend host-gw|vxlan|udp (default host-gw).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec npx tsx --tsconfig tsconfig.base.json tools/lab/demo.ts "$@"
