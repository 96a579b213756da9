# Shared paths, logging and process helpers for network/ scripts. Sourced, not run.
NETWORK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT_DIR=$(cd "$NETWORK_DIR/.." && pwd)
CONFIG_DIR="$ROOT_DIR/test-network-config"
RUN_DIR=${GRIDLEDGER_RUN_DIR:-$NETWORK_DIR/.run}
PID_DIR="$RUN_DIR/pids"
LOG_DIR="$RUN_DIR/logs"
CRYPTO_DIR="$RUN_DIR/crypto"
CHANNEL=energy
CC_NAME=gridledger
CC_VERSION=1.0
CC_SEQUENCE=1
# First chaincode server port; one server per org from here (see lib/chaincode.sh).
CC_BASE_PORT=${GRIDLEDGER_CC_PORT:-9999}
# shellcheck source=/dev/null
. "$NETWORK_DIR/fabric.version"

log() { printf '[network %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'network: %s\n' "$*" >&2; exit 1; }

# nodes <kind>: the rows of nodes.tsv for orderers or peers, without comments.
nodes() { grep -v '^#' "$CONFIG_DIR/nodes.tsv" | awk -v k="$1" -F'\t' '$1 == k'; }

org_domain() { echo "$1.gridledger.local"; }

# start_process <name> <cwd> <command...>: runs a command in its own session, in the background,
# with its PID in pids/<name>.pid and its output in logs/<name>.log.
start_process() {
  local name=$1 cwd=$2; shift 2
  mkdir -p "$PID_DIR" "$LOG_DIR"
  (cd "$cwd" && exec setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null) &
  echo $! >"$PID_DIR/$name.pid"
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# running_pids: "name pid" for every recorded process that is still alive.
running_pids() {
  local f pid
  [ -d "$PID_DIR" ] || return 0
  for f in "$PID_DIR"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    pid_alive "$pid" && echo "$(basename "$f" .pid) $pid"
  done
  return 0
}

# stop_processes <name...>: TERM each process group together, then KILL what is left after 5 s.
stop_processes() {
  local name f pid i alive pids=()
  for name in "$@"; do
    f="$PID_DIR/$name.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f"); rm -f "$f"
    pid_alive "$pid" || continue
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  for i in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do pid_alive "$pid" && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    pid_alive "$pid" && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
  done
  return 0
}

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# wait_http <url> <seconds>: until the URL answers 200.
wait_http() {
  local url=$1 limit=$2 i
  for i in $(seq 1 $((limit * 10))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
