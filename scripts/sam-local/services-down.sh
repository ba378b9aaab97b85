#!/usr/bin/env bash
# Stop what services-up.sh started (by the pids it recorded) and delete the test-owned data.
# Never touches the machine's own Postgres/Redis. Safe to run when nothing is up.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PGDATA="$SAM_LOCAL_SERVICES_DIR/pg"

stop_pidfile() {
  local pidfile="$1" pid deadline
  [[ -s "$pidfile" ]] || return 0
  pid="$(head -n 1 "$pidfile")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null; then
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

main() {
  [[ -d "$SAM_LOCAL_SERVICES_DIR" ]] || return 0
  if [[ -f "$PGDATA/postmaster.pid" ]]; then
    runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$PGDATA" -m fast -w -t 20 stop >/dev/null 2>&1 \
      || stop_pidfile "$PGDATA/postmaster.pid"
  fi
  stop_pidfile "$SAM_LOCAL_SERVICES_DIR/redis.pid"
  stop_pidfile "$SAM_LOCAL_SERVICES_DIR/socat-postgres.pid"
  stop_pidfile "$SAM_LOCAL_SERVICES_DIR/socat-redis.pid"
  rm -rf "$SAM_LOCAL_SERVICES_DIR"
  log "services down"
}

main "$@"
