#!/usr/bin/env bash
# npm run up: on a fresh machine, installs and builds everything, starts the Fabric network with the
# chaincode, starts the Utility's gateway on embedded defaults (SQLite), and runs the main job.
# Stop it all with: npm run network -- down
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
echo "[up] building"; npm run -s build
bash network/network.sh up
bash network/network.sh gateway start utility
node scripts/main-job.js
