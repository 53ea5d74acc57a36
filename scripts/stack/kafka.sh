# Kafka in single-node KRaft mode, its jars fetched from Maven Central by Maven.
KAFKA_HOME="$PASAR_CACHE_DIR/kafka-$KAFKA_VERSION"
KAFKA_DIR="$PASAR_STATE_DIR/kafka"

kafka_java() { "$STACK_JAVA_HOME/bin/java" "$@"; }

kafka_install() {
  ensure_apt_packages kcat
  [ -f "$KAFKA_HOME/.complete" ] && return 0
  say "kafka: fetching kafka_2.13 $KAFKA_VERSION and its dependencies from Maven Central"
  mkdir -p "$KAFKA_HOME/libs"
  sed "s/@KAFKA_VERSION@/$KAFKA_VERSION/" "$STACK_DIR/config/kafka-pom.xml" >"$KAFKA_HOME/pom.xml"
  mvn_fetch -f "$KAFKA_HOME/pom.xml" dependency:copy-dependencies -DoutputDirectory="$KAFKA_HOME/libs" \
    -DincludeScope=runtime >>"$LOG_DIR/kafka-install.log" 2>&1 \
    || { fail "kafka: Maven fetch failed; log: $LOG_DIR/kafka-install.log"; return 1; }
  touch "$KAFKA_HOME/.complete"
}

kafka_healthy() { kcat -b "127.0.0.1:$KAFKA_PORT" -L -m 3 >/dev/null 2>&1; }

kafka_start() {
  pid_alive kafka && kafka_healthy && return 0
  mkdir -p "$KAFKA_DIR/data"
  sed -e "s#@DATA_DIR@#$KAFKA_DIR/data#g" -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    "$STACK_DIR/config/kafka-server.properties" >"$KAFKA_DIR/server.properties"
  sed -e "s#@LOG_DIR@#$LOG_DIR#g" "$STACK_DIR/config/kafka-log4j.properties" >"$KAFKA_DIR/log4j.properties"
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$(kafka_java -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    kafka_java -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool \
      format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" >>"$LOG_DIR/kafka.log" 2>&1 \
      || { fail "kafka: storage format failed; log: $LOG_DIR/kafka.log"; return 1; }
  fi
  spawn kafka "$STACK_JAVA_HOME/bin/java" -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$KAFKA_DIR/server.properties"
  wait_healthy kafka 90 kafka_healthy
}

kafka_stop() { stop_pid kafka 30; }
