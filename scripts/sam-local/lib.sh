# shellcheck shell=bash
# shellcheck disable=SC2034  # settings used by the scripts that source this file
# Shared settings of the scripts/sam-local/ scripts; sourced, never run.
# Every path and name can be overridden from the environment.

SAM_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SAM_LOCAL_DIR/../.." && pwd)"

# Survives between CI runs on purpose: the docker data root (the image cache) lives here.
SAM_LOCAL_STATE="${SAM_LOCAL_STATE:-/var/tmp/mdcreator-sam-local}"
SAM_LOCAL_SOCK="${SAM_LOCAL_SOCK:-$SAM_LOCAL_STATE/run/docker.sock}"
SAM_LOCAL_PIDFILE="$SAM_LOCAL_STATE/run/dockerd.pid"
SAM_LOCAL_DOCKERD_LOG="$SAM_LOCAL_STATE/log/dockerd.log"
# The daemon's own bridge and its address: the function containers reach the host there.
SAM_LOCAL_BRIDGE="${SAM_LOCAL_BRIDGE:-mdcsam0}"
SAM_LOCAL_BRIDGE_CIDR="${SAM_LOCAL_BRIDGE_CIDR:-172.29.0.1/24}"
SAM_LOCAL_GATEWAY="${SAM_LOCAL_BRIDGE_CIDR%/*}"
SAM_LOCAL_IMAGE="${SAM_LOCAL_IMAGE:-public.ecr.aws/lambda/python:3.12-x86_64}"
SAM_LOCAL_PYTHON_PREFIX="${SAM_LOCAL_PYTHON_PREFIX:-$(pyenv root 2>/dev/null || echo /root/.pyenv)/versions/3.12.1}"

# The machine's own Docker (Docker Desktop, a system dockerd), as the caller's shell names it,
# kept before DOCKER_HOST is pointed at the private engine.
export SAM_LOCAL_MACHINE_DOCKER_HOST="${SAM_LOCAL_MACHINE_DOCKER_HOST-${DOCKER_HOST-}}"
# AWS's own Lambda image, used with the machine's Docker when the registry can be reached.
SAM_LOCAL_AWS_IMAGE="${SAM_LOCAL_AWS_IMAGE:-public.ecr.aws/lambda/python:3.12}"
# The compose project (docker-compose.yml `name:`): its network lets containers reach the services.
SAM_LOCAL_COMPOSE_NETWORK="${SAM_LOCAL_COMPOSE_NETWORK:-mdcreator_default}"
export DOCKER_HOST="unix://$SAM_LOCAL_SOCK"

# `docker` against the machine's own engine rather than the private one.
machine_docker() {
  if [[ -n "$SAM_LOCAL_MACHINE_DOCKER_HOST" ]]; then
    DOCKER_HOST="$SAM_LOCAL_MACHINE_DOCKER_HOST" docker "$@"
  else
    env -u DOCKER_HOST docker "$@"
  fi
}

log() { printf '[sam-local] %s\n' "$*" >&2; }
die() { printf '[sam-local] ERROR: %s\n' "$*" >&2; exit 1; }

# Milliseconds since the epoch, for the timings the scripts print.
now_ms() { date +%s%3N; }

# True when the private daemon answers on its socket.
dockerd_answers() { docker info >/dev/null 2>&1; }

# PID of the private dockerd when it is alive, else nothing.
dockerd_pid() {
  local pid
  [[ -s "$SAM_LOCAL_PIDFILE" ]] || return 0
  pid="$(<"$SAM_LOCAL_PIDFILE")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]]; then
    echo "$pid"
  fi
}

# Postgres and Redis the function containers use, on the bridge address (see services-up.sh).
#   owned:   test-owned servers started from the installed binaries, fresh every run;
#   forward: socat forwards the gateway ports to the machine's own 127.0.0.1:5432 / :6379.
SAM_LOCAL_SERVICES="${SAM_LOCAL_SERVICES:-owned}"
SAM_LOCAL_PG_PORT="${SAM_LOCAL_PG_PORT:-55432}"
SAM_LOCAL_REDIS_PORT="${SAM_LOCAL_REDIS_PORT:-56379}"
SAM_LOCAL_DB_USER="${SAM_LOCAL_DB_USER:-mdcreator}"
SAM_LOCAL_DB_PASSWORD="${SAM_LOCAL_DB_PASSWORD:-mdcreator}"
SAM_LOCAL_DB_NAME="${SAM_LOCAL_DB_NAME:-mdcreator_test}"
SAM_LOCAL_SERVICES_DIR="$SAM_LOCAL_STATE/services"
SAM_LOCAL_DATABASE_URL="postgresql+psycopg2://$SAM_LOCAL_DB_USER:$SAM_LOCAL_DB_PASSWORD@$SAM_LOCAL_GATEWAY:$SAM_LOCAL_PG_PORT/$SAM_LOCAL_DB_NAME"
SAM_LOCAL_REDIS_URL="redis://$SAM_LOCAL_GATEWAY:$SAM_LOCAL_REDIS_PORT/0"

# Directory of the installed Postgres server binaries (initdb, pg_ctl) of the newest major.
pg_bindir() {
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" ]] || die "no Postgres server binaries under /usr/lib/postgresql"
  echo "$dir"
}

# Wait until a TCP port accepts connections (bash's /dev/tcp), or fail after $3 seconds.
wait_tcp() {
  local host="$1" port="$2" deadline=$((SECONDS + ${3:-20}))
  until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}
