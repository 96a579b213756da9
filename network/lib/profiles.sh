# Connection profiles for the gateway and the CLI: network/.run/profiles/<org>.json, in the shape of
# core/src/connection-profile.ts. Sourced, not run.
write_profiles() {
  mkdir -p "$RUN_DIR/profiles"
  node "$NETWORK_DIR/lib/write-profiles.js" "$CONFIG_DIR/nodes.tsv" "$CRYPTO_DIR" "$RUN_DIR/profiles" "$CHANNEL" "$CC_NAME"
}
