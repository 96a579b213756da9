# Crypto material, genesis block, and the orderer and peer processes. Sourced, not run.

generate_artifacts() {
  log "generating crypto material and the $CHANNEL genesis block"
  mkdir -p "$RUN_DIR"
  cp "$CONFIG_DIR/configtx.yaml" "$CONFIG_DIR/core.yaml" "$CONFIG_DIR/orderer.yaml" "$RUN_DIR/"
  cryptogen generate --config="$CONFIG_DIR/crypto-config.yaml" --output="$CRYPTO_DIR" >/dev/null
  (cd "$RUN_DIR" && FABRIC_CFG_PATH="$RUN_DIR" configtxgen -profile EnergyChannel -channelID "$CHANNEL" \
    -outputBlock "$RUN_DIR/$CHANNEL.block" 2>"$RUN_DIR/configtxgen.log") || { cat "$RUN_DIR/configtxgen.log" >&2; die "configtxgen failed"; }
}

orderer_dir() { echo "$CRYPTO_DIR/ordererOrganizations/orderer.gridledger.local/orderers/$1.orderer.gridledger.local"; }
orderer_admin_dir() { echo "$CRYPTO_DIR/ordererOrganizations/orderer.gridledger.local/users/Admin@orderer.gridledger.local"; }
peer_dir() { local org=$2; echo "$CRYPTO_DIR/peerOrganizations/$(org_domain "$org")/peers/$1.$(org_domain "$org")"; }
peer_admin_msp() { echo "$CRYPTO_DIR/peerOrganizations/$(org_domain "$1")/users/Admin@$(org_domain "$1")/msp"; }

start_orderers() {
  local kind name org msp port admin ops
  while IFS=$'\t' read -r kind name org msp port admin ops; do
    start_orderer "$name" "$msp" "$port" "$admin" "$ops"
  done < <(nodes orderer)
}

# start_orderer <name> <msp> <port> <admin port> <operations port>; its ledger and Raft log survive a restart.
start_orderer() {
  local name=$1 msp=$2 port=$3 admin=$4 ops=$5 dir data
  dir=$(orderer_dir "$name"); data="$RUN_DIR/data/$name"
  mkdir -p "$data"
  start_process "$name" "$RUN_DIR" env FABRIC_CFG_PATH="$RUN_DIR" \
    ORDERER_GENERAL_LISTENPORT="$port" \
    ORDERER_GENERAL_LOCALMSPDIR="$dir/msp" ORDERER_GENERAL_LOCALMSPID="$msp" \
    ORDERER_GENERAL_TLS_PRIVATEKEY="$dir/tls/server.key" ORDERER_GENERAL_TLS_CERTIFICATE="$dir/tls/server.crt" \
    ORDERER_GENERAL_TLS_ROOTCAS="[$dir/tls/ca.crt]" \
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE="$dir/tls/server.crt" ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY="$dir/tls/server.key" \
    ORDERER_GENERAL_CLUSTER_ROOTCAS="[$dir/tls/ca.crt]" \
    ORDERER_FILELEDGER_LOCATION="$data/ledger" \
    ORDERER_CONSENSUS_WALDIR="$data/etcdraft/wal" ORDERER_CONSENSUS_SNAPDIR="$data/etcdraft/snapshot" \
    ORDERER_OPERATIONS_LISTENADDRESS="127.0.0.1:$ops" \
    ORDERER_ADMIN_LISTENADDRESS="127.0.0.1:$admin" \
    ORDERER_ADMIN_TLS_CERTIFICATE="$dir/tls/server.crt" ORDERER_ADMIN_TLS_PRIVATEKEY="$dir/tls/server.key" \
    ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$dir/tls/ca.crt]" \
    FABRIC_LOGGING_SPEC="${FABRIC_LOGGING_SPEC:-info}" \
    orderer
}

start_peers() {
  local kind name org msp port ccport ops
  while IFS=$'\t' read -r kind name org msp port ccport ops; do
    start_peer "$name" "$org" "$msp" "$port" "$ccport" "$ops"
  done < <(nodes peer)
}

# start_peer <name> <org> <msp> <port> <chaincode port> <operations port>; its ledger survives a restart.
start_peer() {
  local name=$1 org=$2 msp=$3 port=$4 ccport=$5 ops=$6 dir data builders
  builders="[{name: ccaas, path: $NETWORK_DIR/builders/ccaas}]"
  dir=$(peer_dir peer0 "$org"); data="$RUN_DIR/data/$name"
  mkdir -p "$data"
  start_process "$name" "$RUN_DIR" env FABRIC_CFG_PATH="$RUN_DIR" \
    CORE_PEER_ID="$name" CORE_PEER_LOCALMSPID="$msp" CORE_PEER_MSPCONFIGPATH="$dir/msp" \
    CORE_PEER_LISTENADDRESS="127.0.0.1:$port" CORE_PEER_ADDRESS="127.0.0.1:$port" \
    CORE_PEER_CHAINCODELISTENADDRESS="127.0.0.1:$ccport" CORE_PEER_CHAINCODEADDRESS="127.0.0.1:$ccport" \
    CORE_PEER_GOSSIP_BOOTSTRAP="127.0.0.1:$port" CORE_PEER_GOSSIP_EXTERNALENDPOINT="127.0.0.1:$port" \
    CORE_PEER_GOSSIP_ENDPOINT="127.0.0.1:$port" \
    CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_CERT_FILE="$dir/tls/server.crt" CORE_PEER_TLS_KEY_FILE="$dir/tls/server.key" \
    CORE_PEER_TLS_ROOTCERT_FILE="$dir/tls/ca.crt" \
    CORE_PEER_FILESYSTEMPATH="$data/production" CORE_LEDGER_SNAPSHOTS_ROOTDIR="$data/snapshots" \
    CORE_OPERATIONS_LISTENADDRESS="127.0.0.1:$ops" \
    CORE_VM_ENDPOINT= CORE_CHAINCODE_EXTERNALBUILDERS="$builders" \
    FABRIC_LOGGING_SPEC="${FABRIC_LOGGING_SPEC:-info}" \
    peer node start
}

# restart_node <name>: starts one stopped orderer or peer again with its data (fault recovery).
restart_node() {
  local row kind
  row=$(grep -v '^#' "$CONFIG_DIR/nodes.tsv" | awk -F'\t' -v n="$1" '$2 == n')
  [ -n "$row" ] || die "no node named $1 (see test-network-config/nodes.tsv)"
  pid_alive "$(cat "$PID_DIR/$1.pid" 2>/dev/null || true)" && { log "$1 is already running"; return 0; }
  IFS=$'\t' read -r kind name org msp port x ops <<<"$row"
  if [ "$kind" = orderer ]; then start_orderer "$name" "$msp" "$port" "$x" "$ops"; else start_peer "$name" "$org" "$msp" "$port" "$x" "$ops"; fi
  wait_http "http://127.0.0.1:$ops/healthz" 30 || die "$1 did not become healthy; see $LOG_DIR/$1.log"
  log "$1 restarted"
}

wait_healthy() {
  local kind name org msp port x ops
  while IFS=$'\t' read -r kind name org msp port x ops; do
    wait_http "http://127.0.0.1:$ops/healthz" 30 || die "$name did not become healthy; see $LOG_DIR/$name.log"
  done < <(nodes "$1")
}

join_orderers() {
  local kind name org msp port admin ops dir adm
  adm=$(orderer_admin_dir)
  while IFS=$'\t' read -r kind name org msp port admin ops; do
    dir=$(orderer_dir "$name")
    osnadmin channel join --channelID "$CHANNEL" --config-block "$RUN_DIR/$CHANNEL.block" -o "127.0.0.1:$admin" \
      --ca-file "$dir/tls/ca.crt" --client-cert "$adm/tls/client.crt" --client-key "$adm/tls/client.key" >/dev/null \
      || die "osnadmin could not join $name to $CHANNEL"
  done < <(nodes orderer)
}

# peer_env <org>: environment for the peer CLI acting as the org's admin against its own peer.
peer_env() {
  local org=$1 row port msp
  row=$(nodes peer | awk -F'\t' -v o="$org" '$3 == o')
  port=$(cut -f5 <<<"$row"); msp=$(cut -f4 <<<"$row")
  echo FABRIC_CFG_PATH="$RUN_DIR" CORE_PEER_LOCALMSPID="$msp" CORE_PEER_MSPCONFIGPATH="$(peer_admin_msp "$org")" \
    CORE_PEER_ADDRESS="127.0.0.1:$port" CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_ROOTCERT_FILE="$(peer_dir peer0 "$org")/tls/ca.crt"
}

as_org() { local org=$1; shift; env $(peer_env "$org") "$@"; }

orderer_tls_ca() { echo "$(orderer_dir orderer0)/tls/ca.crt"; }

join_peers() {
  local kind name org rest
  while IFS=$'\t' read -r kind name org rest; do
    as_org "$org" peer channel join -b "$RUN_DIR/$CHANNEL.block" >>"$LOG_DIR/admin.log" 2>&1 || die "$name could not join $CHANNEL; see $LOG_DIR/admin.log"
  done < <(nodes peer)
}
