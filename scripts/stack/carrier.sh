# The carrier simulator (simulators/carrier): our stand-in for JNE/J&T/SiCepat's partner APIs,
# started with the stack so shipments book, travel and report their tracking end to end. Runs from
# this checkout; CARRIER_SPEED (simulator seconds per real second) sets how fast parcels travel.
REPO_DIR="$(cd "$STACK_DIR/../.." && pwd)"

carrier_install() {
  [ -d "$REPO_DIR/node_modules" ] || fail "carrier: run npm ci first (the simulator is part of this repository)"
}

carrier_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$CARRIER_PORT/healthz"; }

carrier_start() {
  pid_alive carrier && carrier_healthy && return 0
  # Bookings and the event log survive a restart, so the shop's stream resumes and replays.
  mkdir -p "$PASAR_STATE_DIR/carrier"
  (cd "$REPO_DIR" && export CARRIER_STATE_FILE="$PASAR_STATE_DIR/carrier/events.jsonl" \
    && spawn carrier node --import tsx simulators/carrier/server.ts)
  wait_healthy carrier 60 carrier_healthy
}

carrier_stop() { stop_pid carrier 10; }
