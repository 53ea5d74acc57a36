#!/usr/bin/env bash
# The dashboard page's test (tests/integration/dashboard-page.test.ts) drives Debian's chromium
# headless; install it once per machine (no browser download of puppeteer's own: these machines
# reach Debian's packages, not browser builds).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "[test] installing chromium for the dashboard page test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
