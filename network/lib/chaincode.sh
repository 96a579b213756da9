# Chaincode as a service: package once, start the server, install, approve by every org, commit.
# Sourced, not run.

# One chaincode server per org, as a consortium runs it: each org's peer endorses with the org's own
# process (no org depends on a server another org runs, and endorsements run in parallel). The
# servers of the orgs, in nodes.tsv's peer order, listen on CC_BASE_PORT, CC_BASE_PORT + 1, ...

# cc_orgs: the orgs with a peer (and so a chaincode server), in nodes.tsv order.
cc_orgs() { nodes peer | cut -f3; }

# cc_address <org>: the org's chaincode server address.
cc_address() {
  local i=0 o
  for o in $(cc_orgs); do
    [ "$o" = "$1" ] && { echo "127.0.0.1:$((CC_BASE_PORT + i))"; return 0; }
    i=$((i + 1))
  done
  die "no org named $1"
}

# package_id <org>: the package id recorded for the org's package.
package_id() { cat "$RUN_DIR/package-id.$1"; }

# build_package <org>: writes the org's CCaaS package (its server's address) with fixed mtimes and
# owners, so the same connection details always give the same bytes and so the same package id.
build_package() {
  local org=$1 work="$RUN_DIR/ccpkg/$1"
  rm -rf "$work" && mkdir -p "$work/src"
  printf '{"address":"%s","dial_timeout":"10s","tls_required":false}\n' "$(cc_address "$org")" >"$work/src/connection.json"
  printf '{"type":"ccaas","label":"%s_%s"}\n' "$CC_NAME" "$CC_VERSION" >"$work/metadata.json"
  tar -C "$work/src" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - connection.json | gzip -n >"$work/code.tar.gz"
  tar -C "$work" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - code.tar.gz metadata.json | gzip -n >"$RUN_DIR/$CC_NAME.$org.tgz"
  echo "${CC_NAME}_${CC_VERSION}:$(sha256sum "$RUN_DIR/$CC_NAME.$org.tgz" | cut -d' ' -f1)" >"$RUN_DIR/package-id.$org"
}

# start_chaincode_server <org>: the org's server, under a small supervisor that restarts it if it
# exits, so a crashed chaincode comes back without an operator.
start_chaincode_server() {
  local org=$1 address
  address=$(cc_address "$org")
  [ -f "$ROOT_DIR/chaincode/dist/index.js" ] || die "chaincode is not built; run npm run build"
  start_process "chaincode.$org" "$ROOT_DIR/chaincode" bash "$NETWORK_DIR/lib/supervise.sh" "$LOG_DIR/chaincode.$org.restarts" \
    node "$ROOT_DIR/node_modules/fabric-shim/cli.js" server --chaincode-address="$address" --chaincode-id="$(package_id "$org")" \
    --module-path="$ROOT_DIR/chaincode"
}

# wait_chaincode_listening <org>: until the org's server accepts connections.
wait_chaincode_listening() {
  local address i
  address=$(cc_address "$1")
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/${address%:*}/${address#*:}") 2>/dev/null && return 0
    sleep 0.1
  done
  die "the chaincode server of $1 did not listen on $address; see $LOG_DIR/chaincode.$1.log"
}

# start_chaincode_servers: every org's package and server (started together, then waited for).
start_chaincode_servers() {
  local org
  for org in $(cc_orgs); do build_package "$org"; start_chaincode_server "$org"; done
  for org in $(cc_orgs); do wait_chaincode_listening "$org"; done
}

deploy_chaincode() {
  local kind name org rest args=() port
  while IFS=$'\t' read -r kind name org rest; do
    as_org "$org" peer lifecycle chaincode install "$RUN_DIR/$CC_NAME.$org.tgz" >>"$LOG_DIR/admin.log" 2>&1 || die "install on $name failed; see $LOG_DIR/admin.log"
  done < <(nodes peer)
  # The definition does not name a package: each org approves with its own package's id.
  while IFS=$'\t' read -r kind name org rest; do
    as_org "$org" peer lifecycle chaincode approveformyorg -o 127.0.0.1:7050 --ordererTLSHostnameOverride orderer0.orderer.gridledger.local \
      --tls --cafile "$(orderer_tls_ca)" --channelID "$CHANNEL" --name "$CC_NAME" --version "$CC_VERSION" \
      --package-id "$(package_id "$org")" --sequence "$CC_SEQUENCE" >>"$LOG_DIR/admin.log" 2>&1 || die "approval by $org failed; see $LOG_DIR/admin.log"
  done < <(nodes peer)
  while IFS=$'\t' read -r kind name org rest; do
    port=$(cut -f2 <<<"$rest")
    args+=(--peerAddresses "127.0.0.1:$port" --tlsRootCertFiles "$(peer_dir peer0 "$org")/tls/ca.crt")
  done < <(nodes peer)
  # Endorsement policy: the channel default, MAJORITY Endorsement (3 of the 4 orgs).
  as_org utility peer lifecycle chaincode commit -o 127.0.0.1:7050 --ordererTLSHostnameOverride orderer0.orderer.gridledger.local \
    --tls --cafile "$(orderer_tls_ca)" --channelID "$CHANNEL" --name "$CC_NAME" --version "$CC_VERSION" \
    --sequence "$CC_SEQUENCE" "${args[@]}" >>"$LOG_DIR/admin.log" 2>&1 || die "commit of the chaincode definition failed; see $LOG_DIR/admin.log"
}

# wait_committed: until every peer reports the definition committed.
wait_committed() {
  local kind name org rest i
  while IFS=$'\t' read -r kind name org rest; do
    for i in $(seq 1 100); do
      as_org "$org" peer lifecycle chaincode querycommitted --channelID "$CHANNEL" --name "$CC_NAME" >/dev/null 2>&1 && break
      sleep 0.2
    done
  done < <(nodes peer)
}
