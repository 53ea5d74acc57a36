# Shared settings and helpers for the local stack scripts. Sourced, never run.
# Every port, directory and version can be overridden from the environment; the
# same variable names are read by platform/config.ts so the app and the stack agree.

: "${PASAR_CACHE_DIR:=/var/cache/pasar}"   # downloads and builds, kept across clones
: "${PASAR_STATE_DIR:=/var/lib/pasar}"     # data, logs and pid files of the running stack
: "${PASAR_RUN_USER:=pasar}"               # Postgres and Elasticsearch refuse to run as root

: "${POSTGRES_PORT:=5432}"
: "${POSTGRES_USER:=pasar}"
: "${POSTGRES_PASSWORD:=pasar}"
: "${POSTGRES_DB:=pasar}"
: "${REDIS_PORT:=6379}"
: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
: "${TEMPORAL_PORT:=7233}"
: "${TEMPORAL_UI_PORT:=8233}"
: "${ELASTICSEARCH_PORT:=9200}"
: "${ELASTICSEARCH_TRANSPORT_PORT:=9300}"
: "${CLICKHOUSE_HTTP_PORT:=8123}"
: "${CLICKHOUSE_TCP_PORT:=9000}"
: "${PAYMENT_GATEWAY_PORT:=4010}"
: "${CARRIER_PORT:=4020}"
: "${MAILPIT_SMTP_PORT:=1025}"
: "${MAILPIT_API_PORT:=8025}"
# Prometheus and what it scrapes (the processes' ports are platform/config.ts's defaults too).
: "${PROMETHEUS_PORT:=9090}"
# 5 s: each scrape costs every shop process a few ms of CPU (~4-6 ms measured for the API and the
# relay) and Prometheus its parsing; at 2 s that was ~10% of an idle shop's CPU. Alerts still fire
# within seconds (PROMETHEUS_ALERT_FOR), and production scrapes every 15-30 s.
: "${PROMETHEUS_SCRAPE_INTERVAL:=5s}"
: "${PROMETHEUS_ALERT_FOR:=4s}"
: "${API_PORT:=3000}"
: "${WORKER_HEALTH_PORT:=3001}"
: "${RELAY_HEALTH_PORT:=3002}"
: "${CONSUMERS_HEALTH_PORT:=3003}"
: "${CARRIER_LINK_HEALTH_PORT:=3004}"
: "${API_METRICS_PORT:=3005}"
: "${WORKER_TEMPORAL_METRICS_PORT:=9464}"
: "${TEMPORAL_METRICS_PORT:=9465}"
: "${ZIPKIN_PORT:=9411}"

: "${KAFKA_VERSION:=3.9.2}"
: "${ELASTICSEARCH_VERSION:=8.19.21}"
: "${TEMPORAL_CLI_VERSION:=v1.5.1}"
: "${MAILPIT_VERSION:=v1.33.1}"
: "${ZIPKIN_VERSION:=3.5.1}"
: "${ZIPKIN_MAX_SPANS:=200000}"
: "${POSTGRES_MAJOR:=15}"
: "${STACK_JAVA_HOME:=/usr/lib/jvm/java-17-openjdk-amd64}"

LOG_DIR="$PASAR_STATE_DIR/logs"
RUN_DIR="$PASAR_STATE_DIR/run"
STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { printf '[stack] %s\n' "$*"; }
fail() { printf '[stack] ERROR: %s\n' "$*" >&2; return 1; }

ensure_dirs() {
  mkdir -p "$PASAR_CACHE_DIR" "$PASAR_STATE_DIR" "$LOG_DIR" "$RUN_DIR"
  chmod 755 "$PASAR_CACHE_DIR" "$PASAR_STATE_DIR"
}

# Called once by `stack.sh up` before any component starts: components start in parallel, and
# two concurrent useradd runs once left Postgres's data directory owned by a vanished uid.
# The lock makes a stray concurrent call (a component started on its own) safe too.
ensure_run_user() {
  id -u "$PASAR_RUN_USER" >/dev/null 2>&1 && return 0
  (
    flock 9
    id -u "$PASAR_RUN_USER" >/dev/null 2>&1 && exit 0
    say "creating the system user $PASAR_RUN_USER"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PASAR_RUN_USER"
  ) 9>"$RUN_DIR/.useradd.lock" || { fail "could not create the system user $PASAR_RUN_USER"; return 1; }
}

# Debian packages are installed in one apt run, and only when one is missing.
ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || { fail "missing Debian packages (${missing[*]}); run as root or install them"; return 1; }
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq >"$LOG_DIR/apt.log" 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 \
    || { fail "apt-get install failed; see $LOG_DIR/apt.log"; return 1; }
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

pid_alive() {
  local f; f=$(pid_file "$1")
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# Starts a long-running server detached from this shell, stdio to its log file,
# so neither npm nor CI waits on it.
spawn() {
  local name=$1; shift
  setsid nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
}

# Sends SIGTERM to the process recorded for a component, then SIGKILL after a grace period.
stop_pid() {
  local name=$1 grace=${2:-30} f pid
  f=$(pid_file "$name")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 "$grace"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f"
}

# Polls a health function (with any further arguments) until it succeeds or the timeout (seconds) runs out.
wait_healthy() {
  local name=$1 timeout=$2 fn=$3 waited=0
  shift 3
  until "$fn" "$@" >/dev/null 2>&1; do
    if [ "$waited" -ge "$timeout" ]; then
      fail "$name did not become healthy within ${timeout}s; log: $LOG_DIR/$name.log"
      tail -n 20 "$LOG_DIR/$name.log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 1; waited=$((waited + 1))
  done
}

# Fetches Maven artifacts with the ordinary Maven client into the local repository cache.
mvn_fetch() { mvn -q -B -ntp "$@"; }

# Builds Go commands from the Go module proxy with the ordinary Go client into the directory $2,
# sharing one module and build cache across components; the build's output goes to
# $LOG_DIR/<name>-install.log. Usage: go_build NAME DIR PACKAGE@VERSION...
go_build() {
  local name=$1 bin=$2
  shift 2
  mkdir -p "$bin" "$PASAR_CACHE_DIR/go"
  (cd /tmp && GOBIN="$bin" GOMODCACHE="$PASAR_CACHE_DIR/go/mod" GOCACHE="$PASAR_CACHE_DIR/go/build" \
    GOFLAGS=-mod=mod go install "$@") >>"$LOG_DIR/$name-install.log" 2>&1 \
    || { fail "$name: go install failed; log: $LOG_DIR/$name-install.log"; return 1; }
}

# The repository's own simulators (payment gateway, carrier) run from this checkout, each keeping
# its records in a file under $PASAR_STATE_DIR/<name> that survives a restart. They run compiled,
# not under tsx (whose loader hooks and source-map handling cost CPU at every request, counted as
# the shop's by the bench): each start bundles the entry's own modules into one file with esbuild
# (about 0.1 s; packages stay in node_modules, as under tsx), so a simulator always runs the
# checkout's code. The file goes under node_modules/.cache, out of dist/ and so out of the image.
# A simulator already running is kept only if it runs the bundle this checkout compiles now (its
# digest is kept beside its pid): after a pull or an edit, a stack left up would otherwise go on
# answering with the old code (a gateway that sends an old webhook scheme, a carrier without COD).
REPO_DIR="$(cd "$STACK_DIR/../.." && pwd)"
simulator_install() {
  [ -d "$REPO_DIR/node_modules" ] || fail "$1: run npm ci first (the simulator is part of this repository)"
}
simulator_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$1/healthz"; }
# Usage: simulator_start NAME PORT STATE_FILE_VARIABLE STATE_FILE_NAME ENTRY
simulator_start() {
  local name=$1 port=$2 state_var=$3 state_file=$4 entry=$5
  mkdir -p "$PASAR_STATE_DIR/$name"
  # The path keeps the entry's (simulators/<x>/server): the bench tells processes apart by it.
  # Compiled beside it first (same depth, so the source map's relative paths hold after the move).
  local compiled="node_modules/.cache/pasar/${entry%.ts}.mjs" running="$RUN_DIR/$name.build" digest
  local next="node_modules/.cache/pasar-next/${entry%.ts}.mjs"
  (cd "$REPO_DIR" && node_modules/.bin/esbuild "$entry" --bundle --packages=external --platform=node \
    --format=esm --target=node20 --sourcemap --log-level=warning --outfile="$next") >>"$LOG_DIR/$name.log" 2>&1 \
    || { fail "$name: could not compile $entry; log: $LOG_DIR/$name.log"; return 1; }
  digest=$(sha256sum "$REPO_DIR/$next" | cut -d' ' -f1)
  if pid_alive "$name" && simulator_healthy "$port"; then
    [ "$(cat "$running" 2>/dev/null)" = "$digest" ] && return 0
    say "$name: this checkout's code is not the one running; restarting it"
    stop_pid "$name" 10
  fi
  mkdir -p "$(dirname "$REPO_DIR/$compiled")"
  mv "$REPO_DIR/$next" "$REPO_DIR/$compiled" && mv "$REPO_DIR/$next.map" "$REPO_DIR/$compiled.map"
  (cd "$REPO_DIR" && export "$state_var=$PASAR_STATE_DIR/$name/$state_file" \
    && spawn "$name" node --enable-source-maps "$compiled")
  echo "$digest" >"$running"
  wait_healthy "$name" 60 simulator_healthy "$port"
}
