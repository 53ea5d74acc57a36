#!/usr/bin/env bash
# `npm test`: provisions and starts the real stack, migrates, type-checks, lints, then runs
# the whole jest suite (unit + integration) serially against the real components.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
echo "[test] type-checking"
npx tsc --noEmit
echo "[test] linting"
npx eslint --max-warnings 0 .
npx jest --runInBand "$@"
