#!/usr/bin/env bash
# `npm start`: the whole shop on this machine. Stack up, migrations applied, admin and demo
# catalog seeded, then the API, the Temporal worker, the outbox relay, the Kafka consumers
# (search, recommendations, shipments...) and the carrier link in the foreground
# (Ctrl-C stops them; the stack keeps running until `npm run stack:down`).
#
# The processes run compiled, as the image runs them (`node dist/workers/<x>.js`), not under tsx,
# whose loader hooks and source-map handling sat in the consumers' and relay's hot paths. The build
# runs at every start and is incremental (scripts/build.ts --incremental: about a second when the
# workflows did not change, 3-4 s when they did), so the worker always runs the tree's workflow
# code. `npm run api|worker|relay|consumers|carrier-link` still run one process from source.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh
npx tsx scripts/seed.ts
npx tsx scripts/build.ts --incremental

: "${API_PORT:=3000}" "${TEMPORAL_UI_PORT:=8233}" "${API_HOST:=127.0.0.1}"
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

declare -A names=()
# Starts one process in the background: `launch <name> <entry> [VAR=value...]` runs
# dist/workers/<entry>.js with those variables set for it alone (another replica's ports, say).
launch() {
  local name=$1 entry=$2
  shift 2
  env "$@" node --enable-source-maps "dist/workers/$entry.js" &
  pids+=($!)
  names[$!]=$name
}

launch worker temporal-worker
launch relay outbox-relay
launch consumers consumers
launch carrier-link carrier-link
launch api api

# PASAR_REPLICAS=2: the shape production runs, on one machine: another of each process on the same
# stack, its ports REPLICA_PORT_STEP above the first's (scripts/bench/parts/scale-out.ts reads them).
# The workers share the task queue, the consumers join the same groups, the relay and the carrier
# link wait as standbys behind their advisory locks.
: "${PASAR_REPLICAS:=1}"
REPLICA_PORT_STEP=10
for ((r = 1; r < PASAR_REPLICAS; r++)); do
  off=$((r * REPLICA_PORT_STEP))
  launch "worker#$((r + 1))" temporal-worker WORKER_HEALTH_PORT=$((${WORKER_HEALTH_PORT:-3001} + off)) \
    WORKER_TEMPORAL_METRICS_PORT=$((${WORKER_TEMPORAL_METRICS_PORT:-9464} + off))
  launch "relay#$((r + 1))" outbox-relay RELAY_HEALTH_PORT=$((${RELAY_HEALTH_PORT:-3002} + off))
  launch "consumers#$((r + 1))" consumers CONSUMERS_HEALTH_PORT=$((${CONSUMERS_HEALTH_PORT:-3003} + off))
  launch "carrier-link#$((r + 1))" carrier-link CARRIER_LINK_HEALTH_PORT=$((${CARRIER_LINK_HEALTH_PORT:-3004} + off))
  launch "api#$((r + 1))" api API_PORT=$((API_PORT + off)) API_METRICS_PORT=$((${API_METRICS_PORT:-3005} + off))
  echo "[start] replica $((r + 1)): API http://$API_HOST:$((API_PORT + off)), health ports $((${WORKER_HEALTH_PORT:-3001} + off))-$((${API_METRICS_PORT:-3005} + off))"
done

for _ in $(seq 1 60); do
  curl -sf -o /dev/null "http://$API_HOST:$API_PORT/readyz" && break
  sleep 1
done
curl -sf -o /dev/null "http://$API_HOST:$API_PORT/readyz" || echo "[start] WARNING: /readyz is not 200 yet: curl http://$API_HOST:$API_PORT/readyz" >&2

cat <<URLS

  Pasar is running
  API               http://$API_HOST:$API_PORT
  API docs          http://$API_HOST:$API_PORT/docs   (OpenAPI: /openapi.json)
  Readiness         http://$API_HOST:$API_PORT/readyz
  Consumers         http://$API_HOST:${CONSUMERS_HEALTH_PORT:-3003}/readyz   (lag: npm run consumers:lag; parked events: npm run dlq -- list)
  Temporal Web UI   http://127.0.0.1:$TEMPORAL_UI_PORT
  Operator dashboard http://$API_HOST:$API_PORT/dashboard   (admin sign-in)
  Payment gateway   http://127.0.0.1:${PAYMENT_GATEWAY_PORT:-4010}   (simulator; deliveries: /_sim/deliveries)
  Carrier           http://127.0.0.1:${CARRIER_PORT:-4020}   (courier simulator; link probes http://$API_HOST:${CARRIER_LINK_HEALTH_PORT:-3004}/readyz)
  Traces (Zipkin)   http://127.0.0.1:${ZIPKIN_PORT:-9411}   (search pasar.request_id=<X-Request-Id>)
  Metrics           http://127.0.0.1:${PROMETHEUS_PORT:-9090}   (Prometheus: /alerts, /targets; every process serves /metrics)
  Mail (Mailpit)    SMTP 127.0.0.1:${MAILPIT_SMTP_PORT:-1025}, API http://127.0.0.1:${MAILPIT_API_PORT:-8025}/api/v1/messages
  Stack status      npm run stack:status    (logs: npm run stack:logs -- <component>)

  Admin account     printed by [seed] above (local default password: README, "Try it")

  Ctrl-C stops the API, worker, relay, consumers and carrier link; npm run stack:down stops the stack.

URLS
exited=
wait -n -p exited "${pids[@]}" || true
# Ctrl-C: the trap already stopped them, and wait names no process (bash unsets the variable).
if [[ -n "${exited:-}" ]]; then
  echo "[start] ${names[$exited]:-a process} exited; stopping the others" >&2
fi
exit 1
