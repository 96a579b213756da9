#!/usr/bin/env bash
# GridLedger's local Fabric network: 3 Raft orderers, 4 peer orgs, channel `energy`, and the
# TypeScript chaincode as a service (one server per org), all as plain processes on 127.0.0.1.
#
#   network.sh up        build what is missing, start everything, deploy the chaincode
#   network.sh down      stop exactly the processes `up` started and remove the run state
#   network.sh status    what runs, with PIDs and health
#   network.sh logs [name] [-f]   the log of one process (or the list of logs)
#   network.sh build     only build the Fabric binaries
#   network.sh gateway start [org] | stop   the org's REST gateway (default utility) on port 3000
#   network.sh reload-chaincode   recompile the chaincode and restart its servers (development)
#   network.sh kill <name> | restart <node|chaincode[.<org>]>   crash one process with SIGKILL; start it again
#
# Environment: FABRIC_BIN (prebuilt Fabric binaries instead of go install), GRIDLEDGER_RUN_DIR
# (run state, default network/.run).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
. "$NETWORK_DIR/lib/binaries.sh"
. "$NETWORK_DIR/lib/nodes.sh"
. "$NETWORK_DIR/lib/chaincode.sh"
. "$NETWORK_DIR/lib/profiles.sh"
. "$NETWORK_DIR/lib/gateway.sh"

all_ports() {
  local kind name org msp a b c
  while IFS=$'\t' read -r kind name org msp a b c; do echo "$name $a"; echo "$name $b"; echo "$name $c"; done < <(nodes orderer; nodes peer)
  local org
  for org in $(cc_orgs); do echo "chaincode.$org $(cc_address "$org" | cut -d: -f2)"; done
}

cmd_up() {
  local started
  started=$(date +%s.%N)
  if [ -n "$(running_pids)" ]; then
    if [ -f "$RUN_DIR/ready" ]; then log "the network is already running (network.sh status shows it)"; return 0; fi
    die "a network from an unfinished start is still running; run network.sh down first"
  fi
  local name port
  while read -r name port; do
    port_in_use "$port" && die "port $port (for $name) is already in use by another program; free it and try again"
  done < <(all_ports)
  ensure_binaries
  if [ ! -f "$ROOT_DIR/chaincode/dist/index.js" ] || [ -n "${GRIDLEDGER_REBUILD:-}" ]; then
    log "compiling the chaincode"
    (cd "$ROOT_DIR" && npx tsc -b core chaincode)
  fi
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR" "$PID_DIR" "$LOG_DIR"
  echo "$BIN_DIR" >"$RUN_DIR/bin-dir"
  generate_artifacts
  log "starting 3 orderers"; start_orderers; wait_healthy orderer
  join_orderers
  log "starting 4 peers"; start_peers; wait_healthy peer
  join_peers
  log "packaging the chaincode and starting one server per org"; start_chaincode_servers
  log "installing, approving (4 orgs) and committing $CC_NAME"; deploy_chaincode; wait_committed
  write_profiles
  touch "$RUN_DIR/ready"
  log "network up in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}') s; package ids in $RUN_DIR/package-id.<org>"
}

cmd_down() {
  local names
  names=$(running_pids | cut -d' ' -f1 | tr '\n' ' ')
  if [ -d "$PID_DIR" ]; then
    # Clients first, then peers, then orderers, so no process logs errors about the ones before it.
    stop_processes gateway $(cc_orgs | sed 's/^/chaincode./')
    stop_processes $(nodes peer | cut -f2)
    stop_processes $(nodes orderer | cut -f2)
    stop_processes $(ls "$PID_DIR" 2>/dev/null | sed -n 's/\.pid$//p')
  fi
  rm -rf "$RUN_DIR"
  if [ -n "$names" ]; then log "stopped $names and removed the run state"; else log "no network was running"; fi
}

cmd_status() {
  local json=${1:-} name pid kind org msp port x ops health address up=0
  if [ ! -d "$PID_DIR" ]; then
    [ "$json" = --json ] && echo '{"running":false,"processes":[]}' || echo "network: not running"
    return 3
  fi
  local rows=()
  while IFS=$'\t' read -r kind name org msp port x ops; do
    pid=$(cat "$PID_DIR/$name.pid" 2>/dev/null || true)
    if pid_alive "$pid"; then
      health=$(curl -fsS -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ops/healthz" 2>/dev/null || echo down); up=$((up + 1))
    else health=stopped; fi
    rows+=("$name	$kind	${pid:--}	127.0.0.1:$port	$health")
  done < <(nodes orderer; nodes peer)
  for name in $(cc_orgs | sed 's/^/chaincode./') gateway; do
    pid=$(cat "$PID_DIR/$name.pid" 2>/dev/null || true)
    [ -z "$pid" ] && continue
    if pid_alive "$pid"; then health=running; up=$((up + 1)); else health=stopped; fi
    kind=${name%%.*}
    address=-
    [ "$kind" = chaincode ] && address=$(cc_address "${name#chaincode.}")
    rows+=("$name	$kind	$pid	$address	$health")
  done
  if [ "$json" = --json ]; then
    printf '%s\n' "${rows[@]}" | node -e '
      const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => l.split("\t"));
      const processes = rows.map(([name, kind, pid, address, health]) => ({ name, kind, pid: Number(pid) || null, address, health }));
      console.log(JSON.stringify({ running: processes.some((p) => p.health !== "stopped"), processes }));'
  else
    printf '%-21s %-10s %-8s %-17s %s\n' NAME KIND PID ADDRESS HEALTH
    printf '%s\n' "${rows[@]}" | awk -F'\t' '{printf "%-21s %-10s %-8s %-17s %s\n", $1, $2, $3, $4, $5}'
  fi
  [ "$up" -gt 0 ]
}

# Recompiles the chaincode and restarts every org's server; the package ids and the definition stay
# the same, and peers reconnect on their next call. For development: a new definition is not needed.
cmd_reload_chaincode() {
  [ -f "$RUN_DIR/ready" ] || die "the network is not running"
  (cd "$ROOT_DIR" && npx tsc -b core chaincode)
  local org old=() i
  for org in $(cc_orgs); do
    old+=("$(pgrep -P "$(cat "$PID_DIR/chaincode.$org.pid")" -f fabric-shim | head -1 || true)")
  done
  for i in "${old[@]}"; do [ -n "$i" ] && kill -TERM "$i"; done
  # The supervisors start new servers; wait until each listens with a new process.
  i=0
  for org in $(cc_orgs); do
    local n pid address
    address=$(cc_address "$org")
    for n in $(seq 1 100); do
      sleep 0.1
      pid=$(pgrep -P "$(cat "$PID_DIR/chaincode.$org.pid")" -f fabric-shim | head -1 || true)
      [ -n "$pid" ] && [ "$pid" != "${old[$i]}" ] && (exec 3<>"/dev/tcp/${address%:*}/${address#*:}") 2>/dev/null && break
      [ "$n" = 100 ] && die "the chaincode server of $org did not come back; see $LOG_DIR/chaincode.$org.log"
    done
    i=$((i + 1))
  done
  log "chaincode reloaded ($(cc_orgs | wc -l) servers)"
}

cmd_logs() {
  local name=${1:-}
  if [ -z "$name" ]; then ls "$LOG_DIR" 2>/dev/null | sed 's/\.log$//' || echo "network: not running"; return 0; fi
  [ -f "$LOG_DIR/$name.log" ] || die "no log named $name (network.sh logs lists them)"
  if [ "${2:-}" = -f ]; then tail -f "$LOG_DIR/$name.log"; else tail -n 200 "$LOG_DIR/$name.log"; fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) shift; cmd_status "$@" ;;
  logs) shift; cmd_logs "$@" ;;
  build) ensure_binaries; log "Fabric binaries ready in $BIN_DIR" ;;
  reload-chaincode) cmd_reload_chaincode ;;
  restart)
    [ -n "${2:-}" ] || die "usage: network.sh restart <node|chaincode|chaincode.<org>>"
    if [ "$2" = chaincode ] || [ "${2%%.*}" = chaincode ]; then
      # `chaincode` restarts every org's server that is not running; `chaincode.<org>` that org's.
      started=0
      for org in $(cc_orgs); do
        [ "$2" = chaincode ] || [ "$2" = "chaincode.$org" ] || continue
        pid_alive "$(cat "$PID_DIR/chaincode.$org.pid" 2>/dev/null || true)" && continue
        start_chaincode_server "$org"; wait_chaincode_listening "$org"; started=$((started + 1))
      done
      log "$started chaincode server(s) restarted"
    else
      ensure_binaries; restart_node "$2"
    fi ;;
  kill)
    # Fault injection: SIGKILL one process (and its group), as a crash would.
    [ -f "$PID_DIR/${2:-}.pid" ] || die "usage: network.sh kill <name> (one of: $(ls "$PID_DIR" | sed 's/\.pid$//' | tr '\n' ' '))"
    kill -KILL -- "-$(cat "$PID_DIR/$2.pid")" 2>/dev/null || true
    log "killed $2 (kill -9)" ;;
  gateway)
    case "${2:-}" in
      start) gateway_start "${3:-utility}" ;;
      stop) gateway_stop ;;
      *) die "usage: network.sh gateway start [org] | stop" ;;
    esac ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
