#!/usr/bin/env bash
# supervise.sh <restart-log> <command...>: runs the command and starts it again whenever it exits,
# with a short pause, appending each restart to <restart-log>. Stopped by signalling its group.
restarts=$1; shift
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
while true; do
  "$@" &
  child=$!
  wait "$child"
  code=$?
  echo "$(date -u +%FT%TZ) exited with $code; restarting" >>"$restarts"
  sleep 1
done
