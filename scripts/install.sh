#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: Node packages from the lockfile, and a running
# PostgreSQL for the gateway's replicated-store tests. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[install] npm ci"
  npm ci --no-audit --no-fund
fi

bash scripts/ensure-postgres.sh || echo "[install] PostgreSQL is not available; its store tests will say so and skip"

# Chromium for the web console's end-to-end tests (Debian's package; playwright-core drives it, and
# never downloads a browser of its own).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "[install] apt-get install chromium"
    { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "[install] chromium could not be installed; the console e2e tests will say so and skip"
  else
    echo "[install] chromium is missing and this is not root: the console e2e tests will skip (as root: apt-get install -y chromium)"
  fi
fi
