#!/usr/bin/env bash
# The local stack: PostgreSQL, Redis, ClickHouse, Kafka, Elasticsearch, Temporal (+ Web UI),
# the payment-gateway and carrier simulators and Mailpit (the mail server).
#   stack.sh up [component...]      install what is missing, start, wait until each answers
#   stack.sh down [component...]    stop (all of them by default)
#   stack.sh status [component...]  one line per component; exit 1 if any is unhealthy
#   stack.sh logs <component>       follow a component's log
# TEMPORAL_MODE=dev|postgres picks the Temporal server (temporal.sh); every command follows it.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "$here/lib.sh"
COMPONENTS=(postgres redis clickhouse kafka elasticsearch temporal gateway mailpit zipkin carrier prometheus)
for c in "${COMPONENTS[@]}"; do source "$here/$c.sh"; done

port_of() {
  case $1 in
    postgres) echo "$POSTGRES_PORT" ;; redis) echo "$REDIS_PORT" ;; clickhouse) echo "$CLICKHOUSE_HTTP_PORT" ;;
    kafka) echo "$KAFKA_PORT" ;; elasticsearch) echo "$ELASTICSEARCH_PORT" ;; temporal) echo "$TEMPORAL_PORT (UI $TEMPORAL_UI_PORT, TEMPORAL_MODE=$TEMPORAL_MODE)" ;;
    gateway) echo "$PAYMENT_GATEWAY_PORT" ;; zipkin) echo "$ZIPKIN_PORT" ;; mailpit) echo "$MAILPIT_SMTP_PORT (API $MAILPIT_API_PORT)" ;;
    carrier) echo "$CARRIER_PORT" ;;
    prometheus) echo "$PROMETHEUS_PORT" ;;
  esac
}

up() {
  local started=$SECONDS failed=() pids=() c
  ensure_dirs
  # Shared by several components: made here, once, before the parallel starts (see lib.sh).
  ensure_run_user || return 1
  # Installs run one after another (apt holds a lock); starts run in parallel.
  for c in "$@"; do "${c}_install" || { fail "$c: install failed"; return 1; }; done
  for c in "$@"; do ( "${c}_start" ) & pids+=($!); done
  local i=0
  for c in "$@"; do
    wait "${pids[$i]}" || failed+=("$c")
    i=$((i + 1))
  done
  if [ ${#failed[@]} -gt 0 ]; then
    for c in "${failed[@]}"; do fail "$c failed to start; log: $(log_files_of "$c" | paste -sd " ")"; done
    return 1
  fi
  say "up in $((SECONDS - started))s: $*"
}

down() {
  local c
  for c in "$@"; do "${c}_stop"; done
  say "stopped: $*"
}

# A component's log files: one each, but Temporal's postgres mode runs two processes (temporal.sh).
log_files_of() {
  if [ "$1" = temporal ]; then temporal_log_files; else echo "$LOG_DIR/$1.log"; fi
}

status() {
  local bad=0 c
  for c in "$@"; do
    if "${c}_healthy" >/dev/null 2>&1; then
      printf '%-14s healthy   %s\n' "$c" "127.0.0.1:$(port_of "$c")"
    else
      printf '%-14s DOWN      %s  log: %s\n' "$c" "127.0.0.1:$(port_of "$c")" "$(log_files_of "$c" | paste -sd ' ')"; bad=1
    fi
  done
  return $bad
}

logs() {
  local c=${1:?usage: stack.sh logs <component>}
  # shellcheck disable=SC2046
  tail -n 100 -F $(log_files_of "$c")
}

cmd=${1:-status}; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=("${COMPONENTS[@]}")
for c in "${targets[@]}"; do
  [ "$cmd" = logs ] && break
  [[ " ${COMPONENTS[*]} " == *" $c "* ]] || { fail "unknown component '$c' (known: ${COMPONENTS[*]})"; exit 2; }
done
case $cmd in
  up) up "${targets[@]}" ;;
  down) down "${targets[@]}" ;;
  status) status "${targets[@]}" ;;
  logs) logs "$@" ;;
  *) fail "unknown command '$cmd' (up, down, status, logs)"; exit 2 ;;
esac
