#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432: starts the local cluster if it is stopped, and
# installs Debian's server if there is none (as root). Exits non-zero if it still cannot.
set -uo pipefail
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
command -v pg_isready >/dev/null && ready && exit 0

if ! command -v pg_ctlcluster >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "[postgres] not installed, and installing it needs root"; exit 1; }
  echo "[postgres] installing Debian's postgresql"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || exit 1
fi
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
[ -n "$version" ] || { echo "[postgres] no cluster found"; exit 1; }
echo "[postgres] starting cluster $version/main"
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do ready && exit 0; sleep 0.5; done
echo "[postgres] did not become ready"; exit 1
