# Chaincode as a service: package once, start the server, install, approve by every org, commit.
# Sourced, not run.

# build_package: writes the CCaaS package with fixed mtimes and owners, so the same connection
# details always give the same bytes and so the same package id.
build_package() {
  local work="$RUN_DIR/ccpkg"
  rm -rf "$work" && mkdir -p "$work/src"
  printf '{"address":"%s","dial_timeout":"10s","tls_required":false}\n' "$CC_ADDRESS" >"$work/src/connection.json"
  printf '{"type":"ccaas","label":"%s_%s"}\n' "$CC_NAME" "$CC_VERSION" >"$work/metadata.json"
  tar -C "$work/src" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - connection.json | gzip -n >"$work/code.tar.gz"
  tar -C "$work" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - code.tar.gz metadata.json | gzip -n >"$RUN_DIR/$CC_NAME.tgz"
  PACKAGE_ID="${CC_NAME}_${CC_VERSION}:$(sha256sum "$RUN_DIR/$CC_NAME.tgz" | cut -d' ' -f1)"
  echo "$PACKAGE_ID" >"$RUN_DIR/package-id"
}

# start_chaincode_server: one server process serves all four peers; a small supervisor restarts it
# if it exits, so a crashed chaincode comes back without an operator.
start_chaincode_server() {
  [ -f "$ROOT_DIR/chaincode/dist/index.js" ] || die "chaincode is not built; run npm run build"
  start_process chaincode "$ROOT_DIR/chaincode" bash "$NETWORK_DIR/lib/supervise.sh" "$LOG_DIR/chaincode.restarts" \
    node "$ROOT_DIR/node_modules/fabric-shim/cli.js" server --chaincode-address="$CC_ADDRESS" --chaincode-id="$PACKAGE_ID" \
    --module-path="$ROOT_DIR/chaincode"
  local i
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/${CC_ADDRESS%:*}/${CC_ADDRESS#*:}") 2>/dev/null && return 0
    sleep 0.1
  done
  die "chaincode server did not listen on $CC_ADDRESS; see $LOG_DIR/chaincode.log"
}

deploy_chaincode() {
  local kind name org rest args=() port
  while IFS=$'\t' read -r kind name org rest; do
    as_org "$org" peer lifecycle chaincode install "$RUN_DIR/$CC_NAME.tgz" >>"$LOG_DIR/admin.log" 2>&1 || die "install on $name failed; see $LOG_DIR/admin.log"
  done < <(nodes peer)
  while IFS=$'\t' read -r kind name org rest; do
    as_org "$org" peer lifecycle chaincode approveformyorg -o 127.0.0.1:7050 --ordererTLSHostnameOverride orderer0.orderer.gridledger.local \
      --tls --cafile "$(orderer_tls_ca)" --channelID "$CHANNEL" --name "$CC_NAME" --version "$CC_VERSION" \
      --package-id "$PACKAGE_ID" --sequence "$CC_SEQUENCE" >>"$LOG_DIR/admin.log" 2>&1 || die "approval by $org failed; see $LOG_DIR/admin.log"
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
