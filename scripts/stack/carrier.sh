# The carrier simulator (simulators/carrier): our stand-in for JNE/J&T/SiCepat's partner APIs,
# started with the stack so shipments book, travel and report their tracking end to end. Runs from
# this checkout; CARRIER_SPEED (simulator seconds per real second) sets how fast parcels travel.
# Bookings and the event log survive a restart, so the shop's stream resumes and replays.

carrier_install() { simulator_install carrier; }

carrier_healthy() { simulator_healthy "$CARRIER_PORT"; }

carrier_start() {
  simulator_start carrier "$CARRIER_PORT" CARRIER_STATE_FILE events.jsonl simulators/carrier/server.ts
}

carrier_stop() { stop_pid carrier 10; }
