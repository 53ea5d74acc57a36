# Mailpit: a real SMTP server that keeps every message it receives and shows them through a REST
# API (/api/v1/messages, /api/v1/search), so the shop's mail is delivered and tests can read it.
# Built with `go install` like the temporal CLI. A build from the module has no web UI assets (they
# are not in the module); SMTP and the REST API, which is all the shop and its tests use, work.
MAILPIT_BIN="$PASAR_CACHE_DIR/bin/mailpit"
MAILPIT_DIR="$PASAR_STATE_DIR/mailpit"

mailpit_install() {
  # `mailpit version` says "dev" in a go-install build (and asks GitHub); the build info has the module version.
  [ -x "$MAILPIT_BIN" ] && go version -m "$MAILPIT_BIN" 2>/dev/null | grep -qE "mod\s+github.com/axllent/mailpit\s+$MAILPIT_VERSION\s" && return 0
  say "mailpit: building mailpit $MAILPIT_VERSION with go install (takes a few minutes once)"
  go_build mailpit "$PASAR_CACHE_DIR/bin" "github.com/axllent/mailpit@$MAILPIT_VERSION"
}

# The REST API answering means the SMTP listener is up too: mailpit opens both before serving.
mailpit_healthy() {
  curl -sf -m 3 -o /dev/null "http://127.0.0.1:$MAILPIT_API_PORT/api/v1/info" \
    && (exec 3<>"/dev/tcp/127.0.0.1/$MAILPIT_SMTP_PORT") 2>/dev/null
}

mailpit_start() {
  pid_alive mailpit && mailpit_healthy && return 0
  mkdir -p "$MAILPIT_DIR"
  # The database file keeps messages across restarts; 50,000 kept (oldest pruned) is plenty for
  # tests and benches. Any SMTP login is accepted: it listens on loopback only. No reverse DNS or
  # update checks: nothing outside this machine is reached.
  spawn mailpit "$MAILPIT_BIN" --listen "127.0.0.1:$MAILPIT_API_PORT" --smtp "127.0.0.1:$MAILPIT_SMTP_PORT" \
    --database "$MAILPIT_DIR/mailpit.db" --max 50000 --smtp-auth-accept-any --smtp-auth-allow-insecure \
    --smtp-disable-rdns --disable-version-check
  wait_healthy mailpit 60 mailpit_healthy
}

mailpit_stop() { stop_pid mailpit 10; }
