#!/usr/bin/env bash
# Checkout throughput on the dev server (SQLite) against the Temporal server on PostgreSQL
# (scripts/stack/temporal-postgres.sh up): for each, an API and a worker of this run's own
# (compiled, from an image directory made by `npm run image:runtime -- <dir>`; ports and task
# queue of their own, so the shop's own processes are untouched) and the bench's flash sale
# (`npm run bench -- --only flash_sale`) against them.
# Usage: bash scripts/bench/temporal-persistence.sh <image dir> [shoppers] [units]
set -euo pipefail
IMAGE=${1:?usage: $0 <image dir> [shoppers] [units]}
SHOPPERS=${2:-60}
UNITS=${3:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOGS=$(mktemp -d)

run_against() {
  local label=$1 temporal_port=$2 pids=()
  export TEMPORAL_PORT=$temporal_port API_PORT=3290 WORKER_HEALTH_PORT=3291 WORKER_TEMPORAL_METRICS_PORT=9491 \
    TEMPORAL_TASK_QUEUE="bench-$label-$$" RECONCILE_SCHEDULE=off LOG_LEVEL=warn TRACING=off \
    PAYMENT_WEBHOOK_URL=http://127.0.0.1:3290/payments/webhook
  (cd "$IMAGE" && exec node dist/workers/api.js >"$LOGS/$label-api.log" 2>&1) & pids+=($!)
  (cd "$IMAGE" && exec node dist/workers/temporal-worker.js >"$LOGS/$label-worker.log" 2>&1) & pids+=($!)
  for _ in $(seq 1 60); do curl -sf -o /dev/null http://127.0.0.1:3291/readyz && break; sleep 1; done
  echo "== $label (TEMPORAL_PORT=$temporal_port)"
  (cd "$ROOT" && npx tsx scripts/bench/run.ts --only flash_sale --shoppers "$SHOPPERS" --units "$UNITS" \
    --out "$LOGS/$label-bench.json") || true
  kill -TERM "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true
}

run_against sqlite-dev-server "${TEMPORAL_DEV_PORT:-7233}"
run_against postgres-server "${TEMPORAL_PG_FRONTEND_PORT:-7333}"
echo "logs: $LOGS"
