#!/usr/bin/env bash
# `npm test`: provisions and starts the real stack, migrates, type-checks, lints, then runs
# the whole jest suite (unit + integration) serially against the real components.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
bash scripts/ensure-chromium.sh
echo "[test] type-checking"
npx tsc --noEmit
echo "[test] linting"
npx eslint --max-warnings 0 .
# --forceExit: a test that fails mid-way can leave a Temporal worker or Kafka consumer holding the
# event loop; a failed run must end with its report, never hang CI until its time limit.
# One worker (serial, as the tests share the stack), recycled past jest.config.cjs's memory limit.
npx jest --maxWorkers=1 --forceExit "$@"
