#!/usr/bin/env bash
# Make Postgres and Redis reachable from the function containers, on the bridge gateway
# address ($SAM_LOCAL_GATEWAY), without touching the machine's own servers.
#
# SAM 1.170's `--docker-network host` does not give the containers the host's network, and
# the machine's Postgres/Redis listen on 127.0.0.1 only. Two modes ($SAM_LOCAL_SERVICES):
#   owned (default): a fresh Postgres (initdb, run as user postgres, fsync off) and Redis
#     listening on the gateway only; the role and database are created and the alembic
#     migrations applied. Nothing persists between runs.
#   forward: socat relays gateway:$SAM_LOCAL_PG_PORT -> 127.0.0.1:5432 and
#     gateway:$SAM_LOCAL_REDIS_PORT -> 127.0.0.1:6379 (role and database must exist there).
# Needs dockerd-up.sh first (the gateway address is the bridge's). Stop with services-down.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PGDATA="$SAM_LOCAL_SERVICES_DIR/pg"

start_owned_postgres() {
  local bindir
  bindir="$(pg_bindir)"
  rm -rf "$PGDATA"
  mkdir -p "$PGDATA"
  chown postgres: "$PGDATA"
  # Postgres refuses to run as root.
  runuser -u postgres -- "$bindir/initdb" -D "$PGDATA" -U postgres --auth=trust --no-sync \
    -E UTF8 --locale=C.UTF-8 >"$SAM_LOCAL_STATE/log/initdb.log" 2>&1 \
    || die "initdb failed; see $SAM_LOCAL_STATE/log/initdb.log"
  echo "host all all $SAM_LOCAL_BRIDGE_CIDR trust" >>"$PGDATA/pg_hba.conf"
  install -o postgres -m 644 /dev/null "$SAM_LOCAL_STATE/log/postgres.log"
  runuser -u postgres -- "$bindir/pg_ctl" -D "$PGDATA" -w -t 30 -l "$SAM_LOCAL_STATE/log/postgres.log" \
    -o "-c listen_addresses=$SAM_LOCAL_GATEWAY -p $SAM_LOCAL_PG_PORT -c unix_socket_directories=$PGDATA \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    start >/dev/null || die "Postgres did not start; see $SAM_LOCAL_STATE/log/postgres.log"
  # The role and database, as docker-compose.yml makes them (no psql needed).
  (cd "$REPO_ROOT" && POSTGRES_ADMIN_URL="postgresql://postgres@$SAM_LOCAL_GATEWAY:$SAM_LOCAL_PG_PORT/postgres" \
    "$REPO_ROOT/.venv/bin/python" -c 'import sys; from tools.services import ensure_database; ensure_database(sys.argv[1])' \
    "$SAM_LOCAL_DATABASE_URL" >/dev/null) || die "creating $SAM_LOCAL_DB_USER/$SAM_LOCAL_DB_NAME failed"
}

start_owned_redis() {
  redis-server --bind "$SAM_LOCAL_GATEWAY" --port "$SAM_LOCAL_REDIS_PORT" --protected-mode no \
    --save '' --appendonly no --daemonize yes --dir "$SAM_LOCAL_SERVICES_DIR" \
    --pidfile "$SAM_LOCAL_SERVICES_DIR/redis.pid" --logfile "$SAM_LOCAL_STATE/log/redis.log" \
    || die "redis-server did not start; see $SAM_LOCAL_STATE/log/redis.log"
}

# socat in the background, its pid recorded for services-down.sh.
start_forward() {
  local name="$1" port="$2" target="$3"
  setsid socat "TCP-LISTEN:$port,bind=$SAM_LOCAL_GATEWAY,reuseaddr,fork" "TCP:$target" \
    </dev/null >>"$SAM_LOCAL_STATE/log/socat-$name.log" 2>&1 &
  echo $! >"$SAM_LOCAL_SERVICES_DIR/socat-$name.pid"
}

migrate() {
  local alembic="$REPO_ROOT/.venv/bin/alembic"
  if [[ ! -f "$REPO_ROOT/alembic.ini" || ! -x "$alembic" ]]; then
    log "no alembic.ini or .venv/bin/alembic: database left without migrations"
    return 0
  fi
  # ENV=test: outside development and test the settings would refuse the SPA defaults.
  (cd "$REPO_ROOT" && ENV=test DATABASE_URL="$SAM_LOCAL_DATABASE_URL" "$alembic" -c alembic.ini upgrade head \
    >"$SAM_LOCAL_STATE/log/alembic.log" 2>&1) \
    || die "alembic upgrade head failed; see $SAM_LOCAL_STATE/log/alembic.log"
}

main() {
  local started
  started="$(now_ms)"
  ip -4 addr show dev "$SAM_LOCAL_BRIDGE" 2>/dev/null | grep -qF "inet $SAM_LOCAL_GATEWAY/" \
    || die "bridge $SAM_LOCAL_BRIDGE with $SAM_LOCAL_GATEWAY is not up; run dockerd-up.sh first"
  "$SAM_LOCAL_DIR/services-down.sh" >/dev/null 2>&1 || true
  mkdir -p "$SAM_LOCAL_SERVICES_DIR" "$SAM_LOCAL_STATE/log"
  echo "$SAM_LOCAL_SERVICES" >"$SAM_LOCAL_SERVICES_DIR/mode"
  case "$SAM_LOCAL_SERVICES" in
    owned)
      start_owned_postgres
      start_owned_redis
      ;;
    forward)
      start_forward postgres "$SAM_LOCAL_PG_PORT" 127.0.0.1:5432
      start_forward redis "$SAM_LOCAL_REDIS_PORT" 127.0.0.1:6379
      ;;
    *) die "SAM_LOCAL_SERVICES must be owned or forward, not '$SAM_LOCAL_SERVICES'" ;;
  esac
  wait_tcp "$SAM_LOCAL_GATEWAY" "$SAM_LOCAL_PG_PORT" || die "Postgres not reachable at $SAM_LOCAL_GATEWAY:$SAM_LOCAL_PG_PORT"
  wait_tcp "$SAM_LOCAL_GATEWAY" "$SAM_LOCAL_REDIS_PORT" || die "Redis not reachable at $SAM_LOCAL_GATEWAY:$SAM_LOCAL_REDIS_PORT"
  [[ "$SAM_LOCAL_SERVICES" != owned ]] || migrate
  log "services ($SAM_LOCAL_SERVICES) up in $(($(now_ms) - started)) ms: $SAM_LOCAL_GATEWAY:$SAM_LOCAL_PG_PORT (postgres), $SAM_LOCAL_GATEWAY:$SAM_LOCAL_REDIS_PORT (redis)"
}

main "$@"
