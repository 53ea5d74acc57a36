# ClickHouse from Debian (18.16 there), with its own config so it binds to loopback
# and keeps its data under the state dir.
CH_DIR="$PASAR_STATE_DIR/clickhouse"

clickhouse_install() { ensure_apt_packages clickhouse-server clickhouse-client; }

clickhouse_healthy() {
  [ "$(curl -s -m 3 "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/?query=SELECT%201")" = 1 ]
}

clickhouse_write_config() {
  mkdir -p "$CH_DIR/data" "$CH_DIR/tmp" "$CH_DIR/format_schemas"
  sed -e "s#@CH_DIR@#$CH_DIR#g" -e "s#@LOG_DIR@#$LOG_DIR#g" \
    -e "s#@HTTP_PORT@#$CLICKHOUSE_HTTP_PORT#g" -e "s#@TCP_PORT@#$CLICKHOUSE_TCP_PORT#g" \
    "$STACK_DIR/config/clickhouse.xml" >"$CH_DIR/config.xml"
  cp "$STACK_DIR/config/clickhouse-users.xml" "$CH_DIR/users.xml"
}

clickhouse_start() {
  clickhouse_healthy && return 0
  clickhouse_write_config
  spawn clickhouse clickhouse-server --config-file="$CH_DIR/config.xml"
  wait_healthy clickhouse 60 clickhouse_healthy
}

clickhouse_stop() { stop_pid clickhouse 30; }
