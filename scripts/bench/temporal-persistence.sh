#!/usr/bin/env bash
# The Temporal server's two modes (TEMPORAL_MODE=dev: the CLI's dev server on SQLite; postgres: the
# Temporal server on the stack's PostgreSQL) under the same load: for each, a fresh server started
# by the stack script (scripts/stack/stack.sh up temporal) on ports, a state dir and databases of
# this run's own, an API and a worker of this run's own (compiled, from an image directory made by
# `npm run image:runtime -- <dir>`; ports and task queue of their own, so the shop's own processes
# and servers are untouched), and the bench's flash sale (`npm run bench -- --only flash_sale`)
# against them. Prints, per mode, the bench's figures and the CPU seconds the Temporal server
# spent idle and during the sale (with postgres, also the Postgres backends serving it), then
# stops and removes everything it started.
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

# CPU ticks (user + system) of the given processes, from /proc/<pid>/stat.
cpu_ticks() {
  local total=0 pid t
  for pid in "$@"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}
# The mode's persistence processes: the server itself, and with postgres the backends on its databases.
persistence_pids() {
  local mode=$1 pidfile
  [ "$mode" = postgres ] && pidfile="$RUN_STATE/$mode/run/temporal-postgres.pid" || pidfile="$RUN_STATE/$mode/run/temporal.pid"
  cat "$pidfile"
  [ "$mode" = postgres ] && psql_admin -c "select pid from pg_stat_activity where datname in ('$DB', '${DB}_visibility')"
  return 0
}

# Every second until killed: "<epoch seconds> <CPU ticks of the mode's persistence processes>".
sample_cpu() {
  # shellcheck disable=SC2046
  while :; do echo "$(date +%s.%N) $(cpu_ticks $(persistence_pids "$1"))"; sleep 1; done
}

# From the samples and the bench's JSON: the persistence's CPU during the set-up (sign-ups and
# carts: no workflow runs, so it is what the server costs idle with a worker polling), during the
# sale (its first checkout to its last paid order, from the bench's all_paid_s back from the time
# the part ended; one sample either side), and per paid order.
report_cpu() {
  local samples=$1 json=$2 ended all_paid paid
  read -r ended all_paid paid < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const f = r.parts.flash_sale.figures ?? {};
    console.log(Date.parse(r.at) / 1000, f.all_paid_s ?? 0, f.paid ?? 0);' "$json") || return 0
  awk -v hz="$CLK_TCK" -v ended="$ended" -v start="$(awk -v e="$ended" -v p="$all_paid" 'BEGIN { printf "%.3f", e - p - 1 }')" -v paid="$paid" '
    NR == 1 { t0 = $1; c0 = $2 }
    $1 <= start { ts = $1; cs = $2 }
    $1 <= ended + 1 { te = $1; ce = $2 }
    END {
      printf "  CPU, set-up (%.0f s): %.1f s (%.2f s a minute)\n", ts - t0, (cs - c0) / hz, (cs - c0) / hz / (ts - t0) * 60
      printf "  CPU, sale (%.0f s): %.1f s, %.0f ms per paid order\n", te - ts, (ce - cs) / hz, paid ? (ce - cs) / hz * 1000 / paid : 0
    }' "$samples"
}

pids=()
load=
cleanup() {
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
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
  local mode=$1 sampler
  server_env "$mode" bash "$ROOT/scripts/stack/stack.sh" up temporal >"$LOGS/$mode-stack.log" 2>&1 \
    || { cat "$LOGS/$mode-stack.log" >&2; return 1; }
  export TEMPORAL_PORT=7333 API_PORT=3290 API_METRICS_PORT=3295 WORKER_HEALTH_PORT=3291 WORKER_TEMPORAL_METRICS_PORT=9491 \
    TEMPORAL_TASK_QUEUE="bench-$mode-$$" RECONCILE_SCHEDULE=off LOG_LEVEL=warn TRACING=off \
    PAYMENT_WEBHOOK_URL=http://127.0.0.1:3290/payments/webhook LOGIN_RATE_LIMIT=1000000
  # (The bench logs in as the admin once per run; the limit's counter is in the shared Redis, so
  # every bench run on this machine counts against the default 10 per 15 minutes.)
  (cd "$IMAGE" && exec node dist/workers/api.js >"$LOGS/$mode-api.log" 2>&1) & pids+=($!)
  (cd "$IMAGE" && exec node dist/workers/temporal-worker.js >"$LOGS/$mode-worker.log" 2>&1) & pids+=($!)
  for _ in $(seq 1 60); do curl -sf -o /dev/null http://127.0.0.1:3291/readyz && break; sleep 1; done
  echo "== TEMPORAL_MODE=$mode (fresh server on 127.0.0.1:7333)"
  sample_cpu "$mode" >"$LOGS/$mode-cpu.txt" & sampler=$!
  load=$(cut -d' ' -f1 /proc/loadavg)
  (cd "$ROOT" && npx tsx scripts/bench/run.ts --only flash_sale --shoppers "$SHOPPERS" --units "$UNITS" \
    --out "$LOGS/$mode-bench.json") || true
  sleep 1
  kill "$sampler"
  wait "$sampler" 2>/dev/null || true
  echo "  Temporal server$([ "$mode" = postgres ] && echo ' and the Postgres backends on its databases'):"
  report_cpu "$LOGS/$mode-cpu.txt" "$LOGS/$mode-bench.json"
  # The machine's 1-minute load average when the run began and ended: others' work skews a run.
  echo "  load average: $load at the start, $(cut -d' ' -f1 /proc/loadavg) at the end ($(nproc) cores)"
  cleanup
}

drop_databases
for mode in $MODES; do run_against "$mode"; done
