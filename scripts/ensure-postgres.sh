#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432: starts the local cluster if it is stopped, and
# installs Debian's server if there is none (as root). Exits non-zero if it still cannot.
set -uo pipefail
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

# The store tests use database `test` as user postgres over 127.0.0.1 (trust auth, as Debian's local
# setup here has it); create the database when it is missing.
ensure_db() {
  psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    su postgres -c "createdb test" 2>/dev/null || true
  else
    createdb -h 127.0.0.1 -U postgres test 2>/dev/null || true
  fi
  psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1 || echo "[postgres] cannot reach database test as postgres@127.0.0.1; the PostgreSQL store tests will say so and skip"
  return 0
}
command -v pg_isready >/dev/null && ready && { ensure_db; exit 0; }

if ! command -v pg_ctlcluster >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "[postgres] not installed, and installing it needs root"; exit 1; }
  echo "[postgres] installing Debian's postgresql"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || exit 1
fi
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
[ -n "$version" ] || { echo "[postgres] no cluster found"; exit 1; }
echo "[postgres] starting cluster $version/main"
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do ready && { ensure_db; exit 0; }; sleep 0.5; done
echo "[postgres] did not become ready"; exit 1
