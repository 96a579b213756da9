# Fabric binaries: built once with `go install` at the pinned commit into network/.bin/<commit>,
# or taken from FABRIC_BIN (a folder holding prebuilt peer, orderer, configtxgen, cryptogen,
# osnadmin and configtxlator of the same release). Sourced, not run.
FABRIC_TOOLS="peer orderer configtxgen cryptogen osnadmin configtxlator"

have_all_tools() {
  local dir=$1 t
  for t in $FABRIC_TOOLS; do [ -x "$dir/$t" ] || return 1; done
}

# ensure_binaries: sets BIN_DIR to a folder with every tool, building them if needed.
ensure_binaries() {
  # A running network keeps using the binaries it was started with.
  if [ -z "${FABRIC_BIN:-}" ] && [ -f "$RUN_DIR/bin-dir" ] && have_all_tools "$(cat "$RUN_DIR/bin-dir")"; then
    BIN_DIR=$(cat "$RUN_DIR/bin-dir")
  elif [ -n "${FABRIC_BIN:-}" ]; then
    have_all_tools "$FABRIC_BIN" || die "FABRIC_BIN=$FABRIC_BIN does not hold all of: $FABRIC_TOOLS"
    BIN_DIR=$FABRIC_BIN
  else
    BIN_DIR="$NETWORK_DIR/.bin/$FABRIC_COMMIT"
    if ! have_all_tools "$BIN_DIR"; then
      command -v go >/dev/null || die "Go is needed to build the Fabric binaries (go install); install Go 1.22+ or set FABRIC_BIN to a folder of prebuilt Fabric $FABRIC_VERSION binaries"
      log "building Fabric $FABRIC_VERSION ($FABRIC_COMMIT) binaries into $BIN_DIR (about 5 minutes the first time)"
      mkdir -p "$BIN_DIR.tmp"
      local pkgs="" t
      for t in $FABRIC_TOOLS; do pkgs="$pkgs github.com/hyperledger/fabric/cmd/$t@$FABRIC_COMMIT"; done
      # shellcheck disable=SC2086
      if ! (cd "$NETWORK_DIR" && GOBIN="$BIN_DIR.tmp" CGO_ENABLED=0 GOFLAGS=-mod=mod go install $pkgs); then
        rm -rf "$BIN_DIR.tmp"
        die "go install of Fabric $FABRIC_VERSION at $FABRIC_COMMIT failed (see above). Set FABRIC_BIN to a folder of prebuilt Fabric $FABRIC_VERSION binaries to run the network without building them."
      fi
      rm -rf "$BIN_DIR" && mv "$BIN_DIR.tmp" "$BIN_DIR"
    fi
  fi
  export PATH="$BIN_DIR:$PATH"
}

# binaries_available: true when ensure_binaries would succeed without a build.
binaries_available() {
  if [ -n "${FABRIC_BIN:-}" ]; then have_all_tools "$FABRIC_BIN"; else have_all_tools "$NETWORK_DIR/.bin/$FABRIC_COMMIT"; fi
}
