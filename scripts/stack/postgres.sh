# PostgreSQL from Debian, its own cluster under the state dir, run as the stack user.
PG_BIN="/usr/lib/postgresql/$POSTGRES_MAJOR/bin"
PG_DATA="$PASAR_STATE_DIR/postgres"

postgres_install() { ensure_apt_packages "postgresql-$POSTGRES_MAJOR" postgresql-client; }

postgres_healthy() {
  PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
    -tAc 'select 1' 2>/dev/null | grep -q 1
}

postgres_start() {
  ensure_run_user
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "postgres: initialising cluster in $PG_DATA"
    mkdir -p "$PG_DATA" && chown "$PASAR_RUN_USER" "$PG_DATA" && chmod 700 "$PG_DATA"
    local pwfile; pwfile=$(mktemp) && echo "$POSTGRES_PASSWORD" >"$pwfile" && chmod 644 "$pwfile"
    runuser -u "$PASAR_RUN_USER" -- "$PG_BIN/initdb" -D "$PG_DATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >>"$LOG_DIR/postgres.log" 2>&1 \
      || { rm -f "$pwfile"; fail "postgres initdb failed; log: $LOG_DIR/postgres.log"; return 1; }
    rm -f "$pwfile"
  fi
  touch "$LOG_DIR/postgres.log" && chown "$PASAR_RUN_USER" "$LOG_DIR/postgres.log"
  if ! runuser -u "$PASAR_RUN_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    runuser -u "$PASAR_RUN_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$LOG_DIR/postgres.log" -w -t 60 \
      -o "-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -k $PG_DATA -c shared_buffers=128MB -c max_connections=200" \
      start >/dev/null || { fail "postgres failed to start; log: $LOG_DIR/postgres.log"; return 1; }
  fi
  # The application database is created once; the cluster's default database is "postgres".
  if ! PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -tAc \
      "select 1 from pg_database where datname = '$POSTGRES_DB'" | grep -q 1; then
    PGPASSWORD="$POSTGRES_PASSWORD" createdb -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER" "$POSTGRES_DB"
  fi
  wait_healthy postgres 60 postgres_healthy
}

postgres_stop() {
  [ -f "$PG_DATA/PG_VERSION" ] || return 0
  runuser -u "$PASAR_RUN_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
}
