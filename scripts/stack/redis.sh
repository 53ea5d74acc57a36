# Redis from Debian, persisted to an RDB file under the state dir.
REDIS_DATA="$PASAR_STATE_DIR/redis"

redis_install() { ensure_apt_packages redis-server redis-tools; }

redis_healthy() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

redis_start() {
  mkdir -p "$REDIS_DATA"
  redis_healthy && return 0
  spawn redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DATA" \
    --save 60 1 --appendonly no --daemonize no --maxmemory 256mb --maxmemory-policy noeviction
  wait_healthy redis 30 redis_healthy
}

redis_stop() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
  stop_pid redis 10
}
