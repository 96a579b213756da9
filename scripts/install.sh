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
