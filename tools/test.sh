#!/usr/bin/env bash
# The whole test suite: set-up (packages, npm ci, build), then typecheck, lint and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export NX_DAEMON=false NX_NO_CLOUD=true
npm run typecheck
npm run lint
report="$(mktemp -d)/vitest.json"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
node tools/test-summary.mjs "$report"
rm -rf "$(dirname "$report")"
exit "$status"
