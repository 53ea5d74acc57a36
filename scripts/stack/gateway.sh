# The payment-gateway simulator (simulators/payment-gateway): our stand-in for Midtrans/Xendit/
# Stripe, started with the stack so the whole shop runs end to end. Runs from this checkout.
# Its records survive a restart, as a real sandbox's do (reconciliation relies on asking it).

gateway_install() { simulator_install gateway; }

gateway_healthy() { simulator_healthy "$PAYMENT_GATEWAY_PORT"; }

gateway_start() {
  simulator_start gateway "$PAYMENT_GATEWAY_PORT" PAYMENT_GATEWAY_LEDGER_FILE ledger.jsonl \
    simulators/payment-gateway/server.ts
}

gateway_stop() { stop_pid gateway 10; }
