# Zipkin, where every process's OpenTelemetry spans go (platform/telemetry): the server's
# executable jar from Maven Central (io.zipkin:zipkin-server, classifier exec), run on the
# machine's Java 17. Spans are kept in memory, bounded: a trace is for looking at a recent
# request, and Elasticsearch stays the catalog's alone (no zipkin index templates to migrate).
ZIPKIN_HOME="$PASAR_CACHE_DIR/zipkin-$ZIPKIN_VERSION"
ZIPKIN_JAR="$ZIPKIN_HOME/zipkin-server-$ZIPKIN_VERSION-exec.jar"

zipkin_install() {
  [ -f "$ZIPKIN_JAR" ] && return 0
  say "zipkin: fetching zipkin-server $ZIPKIN_VERSION (exec jar) from Maven Central"
  mkdir -p "$ZIPKIN_HOME"
  mvn_fetch dependency:copy -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" \
    -DoutputDirectory="$ZIPKIN_HOME" >>"$LOG_DIR/zipkin-install.log" 2>&1 \
    || { fail "zipkin: Maven fetch failed; log: $LOG_DIR/zipkin-install.log"; return 1; }
}

zipkin_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$ZIPKIN_PORT/health"; }

zipkin_start() {
  pid_alive zipkin && zipkin_healthy && return 0
  # MEM_MAX_SPANS bounds the heap: the oldest traces are dropped first.
  spawn zipkin env STORAGE_TYPE=mem MEM_MAX_SPANS="$ZIPKIN_MAX_SPANS" QUERY_PORT="$ZIPKIN_PORT" \
    "$STACK_JAVA_HOME/bin/java" -Xms128m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Darmeria.ports[0].port="$ZIPKIN_PORT" -Darmeria.ports[0].ip=127.0.0.1 -Darmeria.ports[0].protocols=http -jar "$ZIPKIN_JAR"
  wait_healthy zipkin 90 zipkin_healthy
}

zipkin_stop() { stop_pid zipkin 20; }
