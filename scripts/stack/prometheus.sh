# Prometheus from Debian (2.42), run as the stack's own process (never the Debian service: the
# package's unit is not started here, policy-rc.d or not), with the config rendered under the
# state dir. It scrapes Pasar's processes and the Temporal SDK/server metrics and evaluates the
# alert rules of config/prometheus/alerts.yml; the local copy of the rules waits PROMETHEUS_ALERT_FOR
# instead of each rule's own `for:` so an alert fires in seconds on this machine.
PROM_DIR="$PASAR_STATE_DIR/prometheus"

prometheus_install() { ensure_apt_packages prometheus; }

prometheus_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"; }

prometheus_write_config() {
  mkdir -p "$PROM_DIR/data" "$PROM_DIR/targets"
  sed -e "s#@API_METRICS_PORT@#$API_METRICS_PORT#g" -e "s#@WORKER_HEALTH_PORT@#$WORKER_HEALTH_PORT#g" \
    -e "s#@RELAY_HEALTH_PORT@#$RELAY_HEALTH_PORT#g" -e "s#@CONSUMERS_HEALTH_PORT@#$CONSUMERS_HEALTH_PORT#g" \
    -e "s#@CARRIER_LINK_HEALTH_PORT@#$CARRIER_LINK_HEALTH_PORT#g" \
    -e "s#@WORKER_TEMPORAL_METRICS_PORT@#$WORKER_TEMPORAL_METRICS_PORT#g" \
    -e "s#@TEMPORAL_METRICS_PORT@#$TEMPORAL_METRICS_PORT#g" -e "s#@PROM_DIR@#$PROM_DIR#g" \
    -e "s#@SCRAPE_INTERVAL@#$PROMETHEUS_SCRAPE_INTERVAL#g" \
    "$STACK_DIR/config/prometheus/prometheus.yml" >"$PROM_DIR/prometheus.yml"
  sed -E "s#^( +for: ).*#\1$PROMETHEUS_ALERT_FOR#" "$STACK_DIR/config/prometheus/alerts.yml" >"$PROM_DIR/alerts.yml"
  promtool check config "$PROM_DIR/prometheus.yml" >>"$LOG_DIR/prometheus.log" 2>&1 \
    || { fail "prometheus: invalid config; log: $LOG_DIR/prometheus.log"; return 1; }
}

prometheus_start() {
  prometheus_write_config || return 1
  if pid_alive prometheus && prometheus_healthy; then
    # Running already: take the (possibly changed) config and rules without a restart.
    curl -sf -m 5 -X POST "http://127.0.0.1:$PROMETHEUS_PORT/-/reload" >/dev/null
    return 0
  fi
  spawn prometheus /usr/bin/prometheus --config.file="$PROM_DIR/prometheus.yml" \
    --storage.tsdb.path="$PROM_DIR/data" --storage.tsdb.retention.time=7d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle
  wait_healthy prometheus 60 prometheus_healthy
}

prometheus_stop() { stop_pid prometheus 30; }
