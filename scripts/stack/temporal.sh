# Temporal (server + Web UI) on TEMPORAL_PORT / TEMPORAL_UI_PORT, in one of two modes (TEMPORAL_MODE):
#   dev       the temporal CLI's dev server, built with `go install`, persisted to a SQLite file so a
#             restart keeps every workflow (the default)
#   postgres  the Temporal server as production runs it, persisted in the stack's Postgres
#             (temporal-postgres.sh)
# Either way the namespace `default` carries the search attributes below. `down` stops whichever runs.
# Its ports (TEMPORAL_PORT, TEMPORAL_UI_PORT, TEMPORAL_METRICS_PORT) are lib.sh's, shared by both modes.
: "${TEMPORAL_MODE:=dev}"
: "${TEMPORAL_POSTGRES_DB:=temporal}"       # postgres mode: its databases, <this> and <this>_visibility
: "${TEMPORAL_SERVER_VERSION:=v1.29.1}"     # postgres mode; the CLI (lib.sh) embeds the same server
: "${TEMPORAL_UI_SERVER_VERSION:=v2.42.1}"
TEMPORAL_BIN="$PASAR_CACHE_DIR/bin/temporal"
TEMPORAL_DIR="$PASAR_STATE_DIR/temporal"

# The one list of the search attributes the workflows upsert (workflows/search-attributes.ts; a unit
# test keeps the two and temporal-dev.yml in step): operators find a checkout, a parcel or a complaint
# by them in the Web UI. Both modes register exactly these.
TEMPORAL_SEARCH_ATTRIBUTES=(OrderNumber=Keyword UserId=Keyword OrderStatus=Keyword ShipmentStatus=Keyword AirwayBill=Keyword ShipmentStuck=Bool ComplaintState=Keyword ComplaintDeadline=Datetime)

case $TEMPORAL_MODE in
  dev | postgres) ;;
  *) fail "TEMPORAL_MODE=$TEMPORAL_MODE: expected dev or postgres"; exit 2 ;;
esac
# shellcheck source=/dev/null
source "$STACK_DIR/temporal-postgres.sh"

# The process names of each mode (pid and log files): a mode refuses to start while the other's run.
temporal_processes() { if [ "$TEMPORAL_MODE" = postgres ]; then echo temporal-postgres temporal-postgres-ui; else echo temporal; fi; }
temporal_other_processes() { if [ "$TEMPORAL_MODE" = postgres ]; then echo temporal; else echo temporal-postgres temporal-postgres-ui; fi; }
temporal_log_files() { local p; for p in $(temporal_processes); do echo "$LOG_DIR/$p.log"; done; }

temporal_install() {
  if [ ! -x "$TEMPORAL_BIN" ]; then
    say "temporal: building the temporal CLI $TEMPORAL_CLI_VERSION with go install (takes several minutes once)"
    go_build temporal "$PASAR_CACHE_DIR/bin" "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" || return 1
  fi
  # The postgres mode uses the CLI too: health checks, the namespace and the search attributes.
  [ "$TEMPORAL_MODE" = dev ] || temporal_postgres_install
}

# Answers on the frontend and the Web UI, and is the configured mode's server (its persistence store).
temporal_serving() {
  "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" 2>/dev/null | grep -q SERVING
}
temporal_store_is() {
  "$TEMPORAL_BIN" operator cluster describe --address "127.0.0.1:$TEMPORAL_PORT" -o json 2>/dev/null \
    | grep -q "\"persistenceStore\": \"$1\""
}
temporal_ui_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$TEMPORAL_UI_PORT/"; }
temporal_healthy() {
  local store=sqlite
  [ "$TEMPORAL_MODE" = postgres ] && store=postgres12
  temporal_serving && temporal_store_is "$store" && temporal_ui_healthy
}

temporal_start() {
  local p
  for p in $(temporal_other_processes); do
    if pid_alive "$p"; then
      fail "temporal: the other mode's server ($p) runs on this state dir; switch with: npm run stack:down -- temporal, then TEMPORAL_MODE=$TEMPORAL_MODE npm run stack:up"
      return 1
    fi
  done
  if [ "$TEMPORAL_MODE" = postgres ]; then temporal_postgres_start; else temporal_dev_start; fi
}

temporal_dev_start() {
  pid_alive temporal && temporal_healthy && return 0
  mkdir -p "$TEMPORAL_DIR"
  local attr flags=()
  for attr in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do flags+=(--search-attribute "$attr"); done
  # WAL with synchronous=normal: one fsync per checkpoint instead of per commit (a flash sale
  # settled 22% faster); a crash of the process loses nothing, a power cut may lose the last commits.
  spawn temporal "$TEMPORAL_BIN" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
    --ui-port "$TEMPORAL_UI_PORT" --metrics-port "$TEMPORAL_METRICS_PORT" --db-filename "$TEMPORAL_DIR/temporal.db" --log-level warn \
    "${flags[@]}" --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal
  wait_healthy temporal 90 temporal_healthy
}

# Whichever mode runs (so switching modes is down, then up with the other TEMPORAL_MODE).
temporal_stop() {
  stop_pid temporal-postgres-ui 10
  stop_pid temporal-postgres 30
  stop_pid temporal 30
  # A dev server whose pid file was lost, or named another process by then (a reused pid), still
  # holds this state dir's database: found by it, so `down` leaves no server behind (one did).
  local stray _
  stray=$(pgrep -f -- "--db-filename $TEMPORAL_DIR/temporal.db" || true)
  [ -n "$stray" ] || return 0
  say "temporal: stopping a dev server on $TEMPORAL_DIR that no pid file named (pid $stray)"
  # shellcheck disable=SC2086
  kill -TERM $stray 2>/dev/null || true
  for _ in $(seq 1 30); do pgrep -f -- "--db-filename $TEMPORAL_DIR/temporal.db" >/dev/null || return 0; sleep 1; done
  # shellcheck disable=SC2086
  kill -KILL $stray 2>/dev/null || true
}
