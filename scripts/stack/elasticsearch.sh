# Elasticsearch single node from Maven Central's integ-test-zip (no bundled JDK: runs on the
# machine's Java 17), security off because it binds to loopback only. Runs as the stack user.
ES_HOME="$PASAR_CACHE_DIR/elasticsearch-$ELASTICSEARCH_VERSION"
ES_DIR="$PASAR_STATE_DIR/elasticsearch"

elasticsearch_install() {
  ensure_apt_packages unzip
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  say "elasticsearch: fetching $ELASTICSEARCH_VERSION from Maven Central"
  local tmp; tmp=$(mktemp -d)
  mvn_fetch dependency:copy \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ELASTICSEARCH_VERSION:zip" \
    -DoutputDirectory="$tmp" >>"$LOG_DIR/elasticsearch-install.log" 2>&1 \
    || { fail "elasticsearch: Maven fetch failed; log: $LOG_DIR/elasticsearch-install.log"; return 1; }
  unzip -q "$tmp"/elasticsearch-*.zip -d "$tmp/unpacked" && mv "$tmp/unpacked/elasticsearch-$ELASTICSEARCH_VERSION" "$ES_HOME"
  rm -rf "$tmp"
}

elasticsearch_healthy() {
  curl -sf -m 5 "http://127.0.0.1:$ELASTICSEARCH_PORT/_cluster/health?wait_for_status=yellow&timeout=3s" >/dev/null
}

elasticsearch_start() {
  pid_alive elasticsearch && elasticsearch_healthy && return 0
  ensure_run_user
  mkdir -p "$ES_DIR/config" "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp"
  cp "$ES_HOME/config/jvm.options" "$ES_HOME/config/log4j2.properties" "$ES_DIR/config/"
  sed -e "s#@DATA_DIR@#$ES_DIR/data#g" -e "s#@LOGS_DIR@#$ES_DIR/logs#g" \
    -e "s#@PORT@#$ELASTICSEARCH_PORT#g" -e "s#@TRANSPORT_PORT@#$ELASTICSEARCH_TRANSPORT_PORT#g" \
    "$STACK_DIR/config/elasticsearch.yml" >"$ES_DIR/config/elasticsearch.yml"
  chown -R "$PASAR_RUN_USER" "$ES_DIR"
  touch "$LOG_DIR/elasticsearch.log" && chown "$PASAR_RUN_USER" "$LOG_DIR/elasticsearch.log"
  spawn elasticsearch runuser -u "$PASAR_RUN_USER" -- env ES_JAVA_HOME="$STACK_JAVA_HOME" ES_PATH_CONF="$ES_DIR/config" \
    ES_TMPDIR="$ES_DIR/tmp" ES_JAVA_OPTS="-Xms512m -Xmx512m" "$ES_HOME/bin/elasticsearch"
  wait_healthy elasticsearch 180 elasticsearch_healthy
}

elasticsearch_stop() { stop_pid elasticsearch 60; }
