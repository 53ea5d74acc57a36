#!/usr/bin/env bash
# A Temporal server as production runs it, persisted in PostgreSQL (the stack's own cluster,
# databases temporal and temporal_visibility), beside the dev server and on ports of its own, so
# it never disturbs the default stack:
#
#   bash scripts/stack/temporal-postgres.sh up|down|status
#   TEMPORAL_PORT=7333 npm run worker     # point any process at it
#
# `go install go.temporal.io/server/cmd/server` (no replace directive) and its SQL schema tool
# build from the Go module proxy; the schema files come from the same module, applied with
# temporal-sql-tool's setup-schema / update-schema, as Temporal's operators do it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${TEMPORAL_SERVER_VERSION:=v1.29.1}"
: "${TEMPORAL_PG_FRONTEND_PORT:=7333}"
: "${TEMPORAL_PG_HTTP_PORT:=7343}"
: "${TEMPORAL_PG_METRICS_PORT:=9466}"
: "${TEMPORAL_PG_UI_PORT:=8333}"
: "${TEMPORAL_UI_SERVER_VERSION:=v2.42.1}"
NAME=temporal-postgres
# Both commands are called `server` / `sql` by go install: a directory per version keeps them apart.
SERVER_DIR="$PASAR_CACHE_DIR/temporal-server-$TEMPORAL_SERVER_VERSION"
SERVER_BIN="$SERVER_DIR/temporal-server"
SQL_TOOL="$SERVER_DIR/temporal-sql-tool"
SCHEMA_DIR="$PASAR_CACHE_DIR/go/mod/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"
UI_DIR="$PASAR_CACHE_DIR/temporal-ui-server-$TEMPORAL_UI_SERVER_VERSION"
UI_BIN="$UI_DIR/temporal-ui-server"
CONFIG_DIR="$PASAR_STATE_DIR/temporal-postgres/config"
UI_CONFIG_DIR="$PASAR_STATE_DIR/temporal-postgres/ui/config"
CLI="$PASAR_CACHE_DIR/bin/temporal"
ADDRESS="127.0.0.1:$TEMPORAL_PG_FRONTEND_PORT"

# The Web UI is its own Go module (the dev server embeds the same one), also without a replace directive.
install_ui() {
  [ -x "$UI_BIN" ] && return 0
  say "$NAME: building the Temporal Web UI server $TEMPORAL_UI_SERVER_VERSION with go install"
  go_build "$NAME" "$UI_DIR" "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_SERVER_VERSION" || return 1
  mv "$UI_DIR/server" "$UI_BIN"
}

install() {
  install_ui
  [ -x "$SERVER_BIN" ] && [ -x "$SQL_TOOL" ] && return 0
  say "$NAME: building the Temporal server $TEMPORAL_SERVER_VERSION and its SQL tool with go install (minutes, once)"
  go_build "$NAME" "$SERVER_DIR" "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
    "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION" || return 1
  mv "$SERVER_DIR/server" "$SERVER_BIN" && mv "$SERVER_DIR/sql" "$SQL_TOOL"
}

sql_tool() {
  "$SQL_TOOL" --plugin postgres12 --ep 127.0.0.1 -p "$POSTGRES_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PASSWORD" "$@"
}

# Idempotent: create-database and setup-schema only the first time; update-schema brings an
# existing database to this server version's schema.
migrate_schema() {
  local db=$1 dir=$2
  if ! PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -tAc \
    "select 1 from pg_database where datname = '$db'" | grep -q 1; then
    sql_tool --db "$db" create-database >>"$LOG_DIR/$NAME-schema.log" 2>&1
    sql_tool --db "$db" setup-schema -v 0.0 >>"$LOG_DIR/$NAME-schema.log" 2>&1
  fi
  sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$dir/versioned" >>"$LOG_DIR/$NAME-schema.log" 2>&1 \
    || { fail "$NAME: schema update of $db failed; log: $LOG_DIR/$NAME-schema.log"; return 1; }
}

write_config() {
  mkdir -p "$CONFIG_DIR/dynamicconfig"
  : >"$CONFIG_DIR/dynamicconfig/development.yaml"
  store() {
    cat <<EOF
      sql:
        pluginName: postgres12
        databaseName: $1
        connectAddr: 127.0.0.1:$POSTGRES_PORT
        connectProtocol: tcp
        user: $POSTGRES_USER
        password: $POSTGRES_PASSWORD
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: 1h
EOF
  }
  # Every service in one process, on ports beside the dev server's (7233-7239, 6933-6939).
  cat >"$CONFIG_DIR/development.yaml" <<EOF
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
$(store temporal 20)
    visibility:
$(store temporal_visibility 4)
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: 127.0.0.1:$TEMPORAL_PG_METRICS_PORT
services:
  frontend:
    rpc: { grpcPort: $TEMPORAL_PG_FRONTEND_PORT, membershipPort: 6943, bindOnLocalHost: true, httpPort: $TEMPORAL_PG_HTTP_PORT }
  matching:
    rpc: { grpcPort: 7335, membershipPort: 6945, bindOnLocalHost: true }
  history:
    rpc: { grpcPort: 7334, membershipPort: 6944, bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: 7339, membershipPort: 6949, bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: $ADDRESS
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $CONFIG_DIR/dynamicconfig/development.yaml
  pollInterval: 10s
EOF
}

write_ui_config() {
  mkdir -p "$UI_CONFIG_DIR"
  cat >"$UI_CONFIG_DIR/development.yaml" <<EOF
temporalGrpcAddress: $ADDRESS
host: 127.0.0.1
port: $TEMPORAL_PG_UI_PORT
enableUi: true
defaultNamespace: default
refreshInterval: 1m
cors:
  allowOrigins: [http://127.0.0.1:$TEMPORAL_PG_UI_PORT]
EOF
}

healthy() { "$CLI" operator cluster health --address "$ADDRESS" 2>/dev/null | grep -q SERVING; }
ui_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$TEMPORAL_PG_UI_PORT/"; }

# The namespace and the search attributes the app uses (the dev server takes them as flags).
register() {
  "$CLI" operator namespace describe --address "$ADDRESS" --namespace default >/dev/null 2>&1 \
    || "$CLI" operator namespace create --address "$ADDRESS" --namespace default --retention 72h >/dev/null
  local attr
  for attr in OrderNumber=Keyword UserId=Keyword OrderStatus=Keyword ShipmentStatus=Keyword AirwayBill=Keyword \
    ShipmentStuck=Bool ComplaintState=Keyword ComplaintDeadline=Datetime; do
    "$CLI" operator search-attribute create --address "$ADDRESS" --namespace default \
      --name "${attr%%=*}" --type "${attr#*=}" >/dev/null 2>&1 || true
  done
}

up() {
  ensure_dirs
  install
  [ -x "$CLI" ] || { fail "$NAME: the temporal CLI is missing: npm run stack:up -- temporal first"; return 1; }
  migrate_schema temporal temporal
  migrate_schema temporal_visibility visibility
  write_config
  if ! (pid_alive "$NAME" && healthy); then
    spawn "$NAME" "$SERVER_BIN" --root "$PASAR_STATE_DIR/temporal-postgres" --config config --env development \
      --allow-no-auth start
    wait_healthy "$NAME" 120 healthy
  fi
  register
  write_ui_config
  if ! (pid_alive "$NAME-ui" && ui_healthy); then
    spawn "$NAME-ui" "$UI_BIN" --root "$PASAR_STATE_DIR/temporal-postgres/ui" --config config --env development start
    wait_healthy "$NAME-ui" 60 ui_healthy
  fi
  say "$NAME: up at $ADDRESS (TEMPORAL_PORT=$TEMPORAL_PG_FRONTEND_PORT), persisted in Postgres databases temporal, temporal_visibility; Web UI http://127.0.0.1:$TEMPORAL_PG_UI_PORT"
}

case "${1:-status}" in
  up) up ;;
  down) stop_pid "$NAME-ui" 10 && stop_pid "$NAME" 30 ;;
  status)
    if healthy && ui_healthy; then say "$NAME: up at $ADDRESS, Web UI http://127.0.0.1:$TEMPORAL_PG_UI_PORT"; else
      say "$NAME: down"
      exit 1
    fi
    ;;
  *) fail "usage: $0 up|down|status" ;;
esac
