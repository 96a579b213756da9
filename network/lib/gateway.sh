# The Utility's REST gateway as a process of the local network, on embedded defaults: SQLite store in
# the run folder, API keys generated on first start into gateway/<org>-api-keys.json. Sourced, not run.
GATEWAY_PORT=${GRIDLEDGER_PORT:-3000}

# gateway_keys <org>: creates (once) an API key for the org's admin role and one for relaying users,
# and prints GRIDLEDGER_API_KEYS for the gateway (hashes only).
gateway_keys() {
  local org=$1 dir="$RUN_DIR/gateway" admin
  case "$org" in utility) admin=utility-admin ;; guarantora|guarantorb) admin=guarantor-admin ;; *) admin=operator-admin ;; esac
  mkdir -p "$dir"
  if [ ! -f "$dir/$org-api-keys.json" ]; then
    (umask 077 && node -e '
      const { randomBytes } = require("crypto");
      const roles = [process.argv[1], "user-relay"];
      const keys = Object.fromEntries(roles.map((r) => [r, "glk_" + randomBytes(24).toString("base64url")]));
      process.stdout.write(JSON.stringify(keys, null, 2) + "\n");' "$admin" >"$dir/$org-api-keys.json")
  fi
  node -e '
    const { createHash } = require("crypto");
    const keys = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const entries = Object.entries(keys).map(([role, key]) => ({ id: "dev-" + role, role, sha256: createHash("sha256").update(key).digest("hex") }));
    process.stdout.write(JSON.stringify(entries));' "$dir/$org-api-keys.json"
}

gateway_start() {
  local org=${1:-utility}
  [ -f "$RUN_DIR/ready" ] || die "the network is not running; run network.sh up first"
  if pid_alive "$(cat "$PID_DIR/gateway.pid" 2>/dev/null || true)"; then log "the gateway is already running on port $GATEWAY_PORT"; return 0; fi
  port_in_use "$GATEWAY_PORT" && die "port $GATEWAY_PORT (for the gateway) is already in use by another program; set GRIDLEDGER_PORT or free it"
  [ -f "$ROOT_DIR/gateway-api/dist/main.js" ] || die "the gateway is not built; run npm run build"
  local keys
  keys=$(gateway_keys "$org")
  start_process gateway "$ROOT_DIR" env GRIDLEDGER_PROFILE="$RUN_DIR/profiles/$org.json" GRIDLEDGER_PORT="$GATEWAY_PORT" \
    GRIDLEDGER_HOST="${GRIDLEDGER_HOST:-127.0.0.1}" GRIDLEDGER_SQLITE_PATH="$RUN_DIR/gateway/$org.db" GRIDLEDGER_API_KEYS="$keys" \
    node "$ROOT_DIR/gateway-api/dist/main.js"
  wait_http "http://127.0.0.1:$GATEWAY_PORT/readyz" 30 || die "the gateway did not become ready; see $LOG_DIR/gateway.log"
  log "gateway for $org on http://127.0.0.1:$GATEWAY_PORT (API keys in $RUN_DIR/gateway/$org-api-keys.json)"
}

gateway_stop() { stop_processes gateway; log "gateway stopped"; }
