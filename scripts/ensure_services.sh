#!/usr/bin/env bash
# Make sure Postgres (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer: use the running ones,
# else start the locally installed servers, else docker compose; otherwise say how.
set -uo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 -t 2 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 0.5; done; return 1; }

if ! pg_up && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  echo "starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_for pg_up
fi
if ! redis_up && command -v redis-server >/dev/null; then
  echo "starting the local Redis server"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_for redis_up
fi
if { ! pg_up || ! redis_up; } && docker info >/dev/null 2>&1; then
  echo "starting Postgres and Redis with docker compose"
  docker compose up -d --wait
fi

pg_up || { echo "PostgreSQL does not answer on 127.0.0.1:5432: run 'docker compose up -d --wait' or start your local server." >&2; exit 1; }
redis_up || { echo "Redis does not answer on 127.0.0.1:6379: run 'docker compose up -d --wait' or start your local server." >&2; exit 1; }
