# TEMPORAL_MODE=postgres (sourced by temporal.sh, never run): the Temporal server as production runs
# it, persisted in the stack's Postgres (databases $TEMPORAL_POSTGRES_DB and ${TEMPORAL_POSTGRES_DB}_visibility),
# all four services in one process, serving gRPC on TEMPORAL_PORT, its Prometheus metrics on
# TEMPORAL_METRICS_PORT, and the Web UI (a process of its own) on TEMPORAL_UI_PORT, like the dev server.
# Besides those it binds, on 127.0.0.1, TEMPORAL_PORT+1..+3 (history, matching, worker), +10 (HTTP API)
# and TEMPORAL_PORT-300..-297 (membership).
#
# `go install go.temporal.io/server/cmd/server` (no replace directive) and its SQL schema tool build
# from the Go module proxy; the schema files come from the same module, applied with
# temporal-sql-tool's setup-schema / update-schema, as Temporal's operators do it. The Web UI is its
# own module (github.com/temporalio/ui-server/v2, the one the dev server embeds).
#
# A second server beside the stack's (a test, a bench): another state dir and ports, its own databases:
#   PASAR_STATE_DIR=/tmp/t TEMPORAL_MODE=postgres TEMPORAL_PORT=7333 TEMPORAL_UI_PORT=8333 \
#     TEMPORAL_METRICS_PORT=9466 TEMPORAL_POSTGRES_DB=temporal_bench bash scripts/stack/stack.sh up temporal

# Both commands are called `server` / `sql` by go install: a directory per version keeps them apart.
TEMPORAL_PG_SERVER_DIR="$PASAR_CACHE_DIR/temporal-server-$TEMPORAL_SERVER_VERSION"
TEMPORAL_PG_SERVER_BIN="$TEMPORAL_PG_SERVER_DIR/temporal-server"
TEMPORAL_PG_SQL_TOOL="$TEMPORAL_PG_SERVER_DIR/temporal-sql-tool"
TEMPORAL_PG_SCHEMA_DIR="$PASAR_CACHE_DIR/go/mod/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"
TEMPORAL_PG_UI_DIR="$PASAR_CACHE_DIR/temporal-ui-server-$TEMPORAL_UI_SERVER_VERSION"
TEMPORAL_PG_UI_BIN="$TEMPORAL_PG_UI_DIR/temporal-ui-server"
TEMPORAL_PG_ROOT="$PASAR_STATE_DIR/temporal-postgres"

temporal_postgres_install() {
  if [ ! -x "$TEMPORAL_PG_SERVER_BIN" ] || [ ! -x "$TEMPORAL_PG_SQL_TOOL" ]; then
    say "temporal: building the Temporal server $TEMPORAL_SERVER_VERSION and its SQL tool with go install (minutes, once)"
    go_build temporal "$TEMPORAL_PG_SERVER_DIR" "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
      "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION" || return 1
    mv "$TEMPORAL_PG_SERVER_DIR/server" "$TEMPORAL_PG_SERVER_BIN" && mv "$TEMPORAL_PG_SERVER_DIR/sql" "$TEMPORAL_PG_SQL_TOOL"
  fi
  if [ ! -x "$TEMPORAL_PG_UI_BIN" ]; then
    say "temporal: building the Temporal Web UI server $TEMPORAL_UI_SERVER_VERSION with go install"
    go_build temporal "$TEMPORAL_PG_UI_DIR" "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_SERVER_VERSION" || return 1
    mv "$TEMPORAL_PG_UI_DIR/server" "$TEMPORAL_PG_UI_BIN"
  fi
}

temporal_postgres_psql() {
  PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -v ON_ERROR_STOP=1 -tA "$@"
}
temporal_postgres_sql_tool() {
  "$TEMPORAL_PG_SQL_TOOL" --plugin postgres12 --ep 127.0.0.1 -p "$POSTGRES_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PASSWORD" "$@"
}

# Idempotent: create-database and setup-schema only the first time; update-schema brings an
# existing database to this server version's schema.
temporal_postgres_migrate() {
  local db=$1 dir=$2 log="$LOG_DIR/temporal-postgres-schema.log"
  if ! temporal_postgres_psql -c "select 1 from pg_database where datname = '$db'" | grep -q 1; then
    { temporal_postgres_sql_tool --db "$db" create-database && temporal_postgres_sql_tool --db "$db" setup-schema -v 0.0; } >>"$log" 2>&1 \
      || { fail "temporal: creating the database $db failed; log: $log"; return 1; }
  fi
  temporal_postgres_sql_tool --db "$db" update-schema -d "$TEMPORAL_PG_SCHEMA_DIR/$dir/versioned" >>"$log" 2>&1 \
    || { fail "temporal: schema update of $db failed; log: $log"; return 1; }
}

# One datastore of the server's config: a database and its connection pool size.
temporal_postgres_store_yaml() {
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

temporal_postgres_write_config() {
  local dir="$TEMPORAL_PG_ROOT/config" p=$TEMPORAL_PORT m=$((TEMPORAL_PORT - 300))
  mkdir -p "$dir/dynamicconfig"
  # The dev server's own overrides that matter here: visibility queries at 100/s per namespace
  # (the default, 10, throttles the operator's and the suite's searches).
  cat >"$dir/dynamicconfig/development.yaml" <<EOF
frontend.namespaceRPS.visibility:
  - value: 100
EOF
  cat >"$dir/development.yaml" <<EOF
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
$(temporal_postgres_store_yaml "$TEMPORAL_POSTGRES_DB" 20)
    visibility:
$(temporal_postgres_store_yaml "${TEMPORAL_POSTGRES_DB}_visibility" 4)
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: 127.0.0.1:$TEMPORAL_METRICS_PORT
services:
  frontend:
    rpc: { grpcPort: $p, membershipPort: $m, bindOnLocalHost: true, httpPort: $((p + 10)) }
  history:
    rpc: { grpcPort: $((p + 1)), membershipPort: $((m + 1)), bindOnLocalHost: true }
  matching:
    rpc: { grpcPort: $((p + 2)), membershipPort: $((m + 2)), bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: $((p + 3)), membershipPort: $((m + 3)), bindOnLocalHost: true }
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
      rpcAddress: 127.0.0.1:$p
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $dir/dynamicconfig/development.yaml
  pollInterval: 10s
EOF
  mkdir -p "$TEMPORAL_PG_ROOT/ui/config"
  cat >"$TEMPORAL_PG_ROOT/ui/config/development.yaml" <<EOF
temporalGrpcAddress: 127.0.0.1:$p
host: 127.0.0.1
port: $TEMPORAL_UI_PORT
enableUi: true
defaultNamespace: default
refreshInterval: 1m
cors:
  allowOrigins: [http://127.0.0.1:$TEMPORAL_UI_PORT]
EOF
}

# The server answers and is the one on Postgres (not a dev server left on the port).
temporal_postgres_server_healthy() { temporal_serving && temporal_store_is postgres12; }

# A visibility query naming every search attribute: the frontend refuses one it does not know yet
# (it reads new attributes from its namespace cache, refreshed every 2 s).
temporal_postgres_query_all_attributes() {
  local attr name clauses=()
  for attr in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do
    name=${attr%%=*}
    case ${attr#*=} in
      Bool) clauses+=("$name = true") ;;
      Datetime) clauses+=("$name > '2000-01-01T00:00:00Z'") ;;
      Int | Double) clauses+=("$name = 0") ;;
      *) clauses+=("$name = 'probe'") ;;
    esac
  done
  local query="${clauses[0]}" c
  for c in "${clauses[@]:1}"; do query="$query AND $c"; done
  "$TEMPORAL_BIN" workflow count --address "127.0.0.1:$TEMPORAL_PORT" --namespace default --query "$query" >/dev/null 2>&1
}

# The namespace and the search attributes the app uses (the dev server takes them as flags): each
# one missing is created, then every one must be usable in a query.
temporal_postgres_register() {
  local address="127.0.0.1:$TEMPORAL_PORT" attr name type existing
  "$TEMPORAL_BIN" operator namespace describe --address "$address" --namespace default >/dev/null 2>&1 \
    || "$TEMPORAL_BIN" operator namespace create --address "$address" --namespace default --retention 72h >/dev/null \
    || { fail "temporal: could not create the namespace default"; return 1; }
  # A new namespace reaches the frontend's cache within seconds.
  wait_healthy temporal-postgres 30 "$TEMPORAL_BIN" operator search-attribute list --address "$address" --namespace default || return 1
  existing=$("$TEMPORAL_BIN" operator search-attribute list --address "$address" --namespace default -o json)
  for attr in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do
    name=${attr%%=*} type=${attr#*=}
    # The listing names types INDEXED_VALUE_TYPE_KEYWORD, ..._KEYWORD_LIST.
    grep -q "\"$name\": \"INDEXED_VALUE_TYPE_$(sed -E 's/([a-z])([A-Z])/\1_\2/g' <<<"$type" | tr '[:lower:]' '[:upper:]')\"" <<<"$existing" && continue
    "$TEMPORAL_BIN" operator search-attribute create --address "$address" --namespace default --name "$name" --type "$type" \
      >>"$LOG_DIR/temporal-postgres.log" 2>&1 || { fail "temporal: could not create the search attribute $attr"; return 1; }
  done
  wait_healthy temporal-postgres 30 temporal_postgres_query_all_attributes
}

temporal_postgres_start() {
  [ -x "$TEMPORAL_PG_SERVER_BIN" ] || { fail "temporal: the Temporal server is not built: run stack.sh up temporal with TEMPORAL_MODE=postgres"; return 1; }
  temporal_postgres_write_config
  if ! (pid_alive temporal-postgres && temporal_postgres_server_healthy); then
    # Started beside Postgres by stack.sh up: the schema needs it answering first.
    wait_healthy postgres 120 postgres_healthy \
      || { fail "temporal: TEMPORAL_MODE=postgres needs the stack's Postgres on $POSTGRES_PORT (npm run stack:up -- postgres)"; return 1; }
    temporal_postgres_migrate "$TEMPORAL_POSTGRES_DB" temporal || return 1
    temporal_postgres_migrate "${TEMPORAL_POSTGRES_DB}_visibility" visibility || return 1
    spawn temporal-postgres "$TEMPORAL_PG_SERVER_BIN" --root "$TEMPORAL_PG_ROOT" --config config --env development \
      --allow-no-auth start
    wait_healthy temporal-postgres 120 temporal_postgres_server_healthy || return 1
  fi
  temporal_postgres_register || return 1
  if ! (pid_alive temporal-postgres-ui && temporal_ui_healthy); then
    spawn temporal-postgres-ui "$TEMPORAL_PG_UI_BIN" --root "$TEMPORAL_PG_ROOT/ui" --config config --env development start
    wait_healthy temporal-postgres-ui 60 temporal_ui_healthy || return 1
  fi
}
