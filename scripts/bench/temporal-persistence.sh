#!/usr/bin/env bash
# The Temporal server's two modes (TEMPORAL_MODE=dev: the CLI's dev server on SQLite; postgres: the
# Temporal server on the stack's PostgreSQL) under the same load: for each, a fresh server started
# by the stack script (scripts/stack/stack.sh up temporal) on ports, a state dir and databases of
# this run's own, an API and a worker of this run's own (compiled, from an image directory made by
# `npm run image:runtime -- <dir>`; ports and task queue of their own, so the shop's own processes
# and servers are untouched), and the bench's flash sale (`npm run bench -- --only flash_sale`)
# against them. Prints, per mode, the bench's figures and the CPU seconds the Temporal server
# spent during the sale (with postgres, also the Postgres backends serving it), then stops and
# removes everything it started.
# Usage: bash scripts/bench/temporal-persistence.sh <image dir> [shoppers] [units] [modes]
#   modes: "dev postgres" by default, in that order
set -euo pipefail
IMAGE=$(cd "${1:?usage: $0 <image dir> [shoppers] [units] [modes]}" && pwd)
SHOPPERS=${2:-60}
UNITS=${3:-30}
MODES=${4:-dev postgres}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${PASAR_STATE_DIR:=/var/lib/pasar}"
# Under the stack's state dir, so SQLite's file sits on the same disk as Postgres's data.
RUN_STATE=$(mktemp -d "$PASAR_STATE_DIR/bench-temporal.XXXXXX")
LOGS=$(mktemp -d)
DB="temporal_bench_$$"
CLK_TCK=$(getconf CLK_TCK)

# The bench's own server: ports 7333 (+1..3, +10, -300..-297), UI 8333, metrics 9466.
server_env() {
  env PASAR_STATE_DIR="$RUN_STATE/$1" TEMPORAL_MODE="$1" TEMPORAL_PORT=7333 TEMPORAL_UI_PORT=8333 \
    TEMPORAL_METRICS_PORT=9466 TEMPORAL_POSTGRES_DB="$DB" "${@:2}"
}
psql_admin() {
  PGOPTIONS=--client-min-messages=warning PGPASSWORD="${POSTGRES_PASSWORD:-pasar}" psql -h 127.0.0.1 -p "${POSTGRES_PORT:-5432}" -U "${POSTGRES_USER:-pasar}" \
    -d postgres -v ON_ERROR_STOP=1 -tA "$@"
}
drop_databases() { psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${DB}_visibility WITH (FORCE)" >/dev/null; }

# CPU seconds (user + system) of the given processes, from /proc/<pid>/stat.
cpu_seconds() {
  local total=0 pid t
  for pid in "$@"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  awk -v t="$total" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz }'
}
# The mode's persistence processes: the server itself, and with postgres the backends on its databases.
persistence_pids() {
  local mode=$1 pidfile
  [ "$mode" = postgres ] && pidfile="$RUN_STATE/$mode/run/temporal-postgres.pid" || pidfile="$RUN_STATE/$mode/run/temporal.pid"
  cat "$pidfile"
  [ "$mode" = postgres ] && psql_admin -c "select pid from pg_stat_activity where datname in ('$DB', '${DB}_visibility')"
  return 0
}

pids=()
load=
cleanup() {
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null && wait "${pids[@]}" 2>/dev/null
  pids=()
  local mode
  for mode in $MODES; do server_env "$mode" bash "$ROOT/scripts/stack/stack.sh" down temporal >/dev/null 2>&1 || true; done
  drop_databases || true
}
finish() {
  cleanup
  local d
  for d in "$RUN_STATE"/*/; do [ -d "$d/logs" ] && cp -r "$d/logs" "$LOGS/$(basename "$d")-server-logs"; done
  rm -rf "$RUN_STATE"
  echo "logs and results: $LOGS"
}
trap finish EXIT

run_against() {
  local mode=$1 before after
  server_env "$mode" bash "$ROOT/scripts/stack/stack.sh" up temporal >"$LOGS/$mode-stack.log" 2>&1 \
    || { cat "$LOGS/$mode-stack.log" >&2; return 1; }
  export TEMPORAL_PORT=7333 API_PORT=3290 WORKER_HEALTH_PORT=3291 WORKER_TEMPORAL_METRICS_PORT=9491 \
    TEMPORAL_TASK_QUEUE="bench-$mode-$$" RECONCILE_SCHEDULE=off LOG_LEVEL=warn TRACING=off \
    PAYMENT_WEBHOOK_URL=http://127.0.0.1:3290/payments/webhook
  (cd "$IMAGE" && exec node dist/workers/api.js >"$LOGS/$mode-api.log" 2>&1) & pids+=($!)
  (cd "$IMAGE" && exec node dist/workers/temporal-worker.js >"$LOGS/$mode-worker.log" 2>&1) & pids+=($!)
  for _ in $(seq 1 60); do curl -sf -o /dev/null http://127.0.0.1:3291/readyz && break; sleep 1; done
  echo "== TEMPORAL_MODE=$mode (fresh server on 127.0.0.1:7333)"
  # shellcheck disable=SC2046
  before=$(cpu_seconds $(persistence_pids "$mode"))
  load=$(cut -d' ' -f1 /proc/loadavg)
  (cd "$ROOT" && npx tsx scripts/bench/run.ts --only flash_sale --shoppers "$SHOPPERS" --units "$UNITS" \
    --out "$LOGS/$mode-bench.json") || true
  # Set-up (sign-ups, carts) included: it touches no workflow, so the difference is the sale's.
  # shellcheck disable=SC2046
  after=$(cpu_seconds $(persistence_pids "$mode"))
  echo "  Temporal server$([ "$mode" = postgres ] && echo ' + its Postgres backends') CPU during the run: $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", a - b }') s"
  # The machine's 1-minute load average when the run began and ended: others' work skews a run.
  echo "  load average: $load at the start, $(cut -d' ' -f1 /proc/loadavg) at the end ($(nproc) cores)"
  cleanup
}

drop_databases
for mode in $MODES; do run_against "$mode"; done
