# The payment-gateway simulator (simulators/payment-gateway): our stand-in for Midtrans/Xendit/
# Stripe, started with the stack so the whole shop runs end to end. Runs from this checkout.
REPO_DIR="$(cd "$STACK_DIR/../.." && pwd)"

gateway_install() {
  [ -d "$REPO_DIR/node_modules" ] || fail "gateway: run npm ci first (the simulator is part of this repository)"
}

gateway_healthy() { curl -sf -m 3 -o /dev/null "http://127.0.0.1:$PAYMENT_GATEWAY_PORT/healthz"; }

gateway_start() {
  pid_alive gateway && gateway_healthy && return 0
  # Its records survive a restart, as a real sandbox's do (reconciliation relies on asking it).
  mkdir -p "$PASAR_STATE_DIR/gateway"
  (cd "$REPO_DIR" && export PAYMENT_GATEWAY_LEDGER_FILE="$PASAR_STATE_DIR/gateway/ledger.jsonl" \
    && spawn gateway node --import tsx simulators/payment-gateway/server.ts)
  wait_healthy gateway 60 gateway_healthy
}

gateway_stop() { stop_pid gateway 10; }
