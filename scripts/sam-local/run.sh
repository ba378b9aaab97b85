#!/usr/bin/env bash
# The whole `make sam-local-test` flow: the real `sam local invoke` / `sam local start-api`
# against a private, offline Docker engine.
#
#   engine -> base image -> Postgres/Redis for the containers -> sam build (when stale)
#   -> sam local invoke of every function with events/<name>.json
#   -> sam local start-api --warm-containers EAGER -> smoke check + tests/integration
#   -> SIGTERM start-api -> services down -> dockerd down (always, by trap).
#
# The engine (SAM_LOCAL_ENGINE=auto|machine|private):
#   machine: the machine's own Docker with AWS's image $SAM_LOCAL_AWS_IMAGE (pulled), the
#     docker-compose.yml services, function containers on the compose network;
#   private: a private, offline dockerd (tools installed by apt), a locally built Lambda-like
#     image and test-owned Postgres/Redis: for machines without Docker or registry access.
#   auto (default): machine when its Docker answers and the image is there or can be pulled.
#
# Options:
#   --skip-if-no-docker  exit 0 printing "SKIPPED: <reason>" when dockerd cannot start here
#                        (default: exit 3). Also SAM_LOCAL_SKIP_IF_NO_DOCKER=1.
#   --rebuild            run `sam build` even when the private build looks current (the build
#                        goes to $SAM_LOCAL_STATE/aws-sam/build, never the work tree's .aws-sam).
#   --keep-up            leave dockerd and the services running afterwards (debugging).
#   --no-invoke | --no-api   skip that stage.
# Settings (environment): SAM_LOCAL_ENGINE, SAM_LOCAL_STATE, SAM_LOCAL_SERVICES=owned|forward,
# SAM_LOCAL_PYTEST_ARGS (added to the tests/integration run, e.g. "-k 'not huge_bodies'"),
# and the rest of lib.sh. Exit: 0 all passed (or skipped), 1 a check failed, 3 dockerd cannot start.
# Closing line: "sam-local: N passed, N failed" (invokes + HTTP checks; pytest prints its own).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SAM="${SAM:-$REPO_ROOT/.venv-sam/bin/sam}"
PYTEST_PY="${PYTEST_PY:-$REPO_ROOT/.venv/bin/python}"
# A build of its own: start-api watches the built code and reloads a function's container
# whenever a `sam build` in the work tree rewrites .aws-sam/build under it.
BUILD_DIR="${SAM_LOCAL_BUILD_DIR:-$SAM_LOCAL_STATE/aws-sam/build}"
BUILD_CACHE_DIR="${SAM_LOCAL_BUILD_CACHE_DIR:-$SAM_LOCAL_STATE/aws-sam/cache}"
WARM_REQUESTS="${SAM_LOCAL_WARM_REQUESTS:-20}"
API_TIMEOUT_S="${SAM_LOCAL_API_TIMEOUT:-300}"
EXPECTED_ROOT='{"message": "MD Creator API", "status": "running"}'

# SAM keeps its image-build locks in the temp dir and, after a SAM process is killed while
# building, waits 300 s for the stale lock. A temp dir of our own is cleared at each start
# (under the run lock, so no SAM of ours is running) and is shared with no other SAM user.
SAM_TMPDIR="$SAM_LOCAL_STATE/tmp"
export SAM_CLI_TELEMETRY=0 SAM_CLI_CONTEXTS_DISABLED=1
# `sam build` (BuildMethod python3.12) needs python3.12 on PATH.
export PATH="$SAM_LOCAL_PYTHON_PREFIX/bin:$PATH"

skip_if_no_docker="${SAM_LOCAL_SKIP_IF_NO_DOCKER:-0}" rebuild=0 keep_up=0 do_invoke=1 do_api=1
passed=0 failed=0 api_pid="" dockerd_started=0 first_latency="" gave_up=""
engine="" network=""
declare -a image_args=()
declare -a timings=()

parse_args() {
  while (($#)); do
    case "$1" in
      --skip-if-no-docker) skip_if_no_docker=1 ;;
      --rebuild) rebuild=1 ;;
      --keep-up) keep_up=1 ;;
      --no-invoke) do_invoke=0 ;;
      --no-api) do_api=0 ;;
      -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) die "unknown option $1 (see --help)" ;;
    esac
    shift
  done
}

sam_cli() { TMPDIR="$SAM_TMPDIR" "$SAM" "$@"; }

timing() { timings+=("$(printf '%-44s %s' "$1" "$2")"); log "timing: $1 = $2"; }
ok() { passed=$((passed + 1)); log "PASS $*"; }
fail() { failed=$((failed + 1)); log "FAIL $*"; }

stop_api() {
  [[ -n "$api_pid" ]] || return 0
  if kill -0 "$api_pid" 2>/dev/null; then
    # SIGINT is ignored by a background job; SIGTERM makes SAM remove its containers.
    kill -TERM "$api_pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$api_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$api_pid" 2>/dev/null || true
  fi
  wait "$api_pid" 2>/dev/null || true
  api_pid=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_api
  if ((dockerd_started && !keep_up)); then
    "$SAM_LOCAL_DIR/services-down.sh" || true
    "$SAM_LOCAL_DIR/dockerd-down.sh" || true
  elif ((keep_up)); then
    log "--keep-up: left running; stop with services-down.sh and dockerd-down.sh"
  fi
  exit "$rc"
}

# Whether the machine's own Docker can run the functions with AWS's image (pulled if absent).
machine_engine_usable() {
  machine_docker info >/dev/null 2>&1 || return 1
  machine_docker image inspect "$SAM_LOCAL_AWS_IMAGE" >/dev/null 2>&1 && return 0
  log "docker pull $SAM_LOCAL_AWS_IMAGE"
  timeout "${SAM_LOCAL_PULL_TIMEOUT:-300}" env ${SAM_LOCAL_MACHINE_DOCKER_HOST:+DOCKER_HOST="$SAM_LOCAL_MACHINE_DOCKER_HOST"} \
    docker pull -q "$SAM_LOCAL_AWS_IMAGE" >/dev/null 2>&1
}

choose_engine() {
  engine="${SAM_LOCAL_ENGINE:-auto}"
  if [[ "$engine" == auto ]]; then
    if machine_engine_usable; then engine=machine; else engine=private; fi
  elif [[ "$engine" == machine ]]; then
    machine_engine_usable || die "the machine's Docker cannot run $SAM_LOCAL_AWS_IMAGE (SAM_LOCAL_ENGINE=machine)"
  fi
  [[ "$engine" == machine || "$engine" == private ]] || die "SAM_LOCAL_ENGINE must be auto, machine or private"
  log "engine: $engine"
}

# The machine's Docker: compose's Postgres and Redis, a migrated test database on them, and
# the function containers on compose's network (they reach "postgres" and "redis" by name).
machine_engine_up() {
  local t0 admin test_url
  t0="$(now_ms)"
  if [[ -n "$SAM_LOCAL_MACHINE_DOCKER_HOST" ]]; then export DOCKER_HOST="$SAM_LOCAL_MACHINE_DOCKER_HOST"; else unset DOCKER_HOST; fi
  (cd "$REPO_ROOT" && docker compose up -d --wait 9>&-) || die "docker compose up failed"
  admin="postgresql://$SAM_LOCAL_DB_USER:$SAM_LOCAL_DB_PASSWORD@127.0.0.1:5432/mdcreator_dev"
  test_url="postgresql://$SAM_LOCAL_DB_USER:$SAM_LOCAL_DB_PASSWORD@127.0.0.1:5432/$SAM_LOCAL_DB_NAME"
  (cd "$REPO_ROOT" && POSTGRES_ADMIN_URL="$admin" "$PYTEST_PY" -c \
    'import sys; from tools.services import ensure_database; from tools.database import migrate; ensure_database(sys.argv[1]); migrate(sys.argv[1])' \
    "$test_url") || die "cannot prepare $SAM_LOCAL_DB_NAME on the compose Postgres"
  SAM_LOCAL_DATABASE_URL="postgresql+psycopg2://$SAM_LOCAL_DB_USER:$SAM_LOCAL_DB_PASSWORD@postgres:5432/$SAM_LOCAL_DB_NAME"
  SAM_LOCAL_REDIS_URL="redis://redis:6379/0"
  export SAM_LOCAL_DATABASE_URL SAM_LOCAL_REDIS_URL
  network="$SAM_LOCAL_COMPOSE_NETWORK"
  image_args=(--invoke-image "$SAM_LOCAL_AWS_IMAGE" --skip-pull-image --docker-network "$network")
  timing "compose services + test database" "$(($(now_ms) - t0)) ms"
}

engine_up() {
  local out rc=0 started
  started="$(now_ms)"
  # 9>&-: the daemon must not inherit (and hold) the run lock.
  out="$("$SAM_LOCAL_DIR/dockerd-up.sh" 2>"$SAM_LOCAL_STATE/log/dockerd-up.err" 9>&-)" || rc=$?
  if ((rc == 3)); then
    local reason
    reason="$(tail -n 1 "$SAM_LOCAL_STATE/log/dockerd-up.err")"
    if ((skip_if_no_docker)); then
      echo "SKIPPED: sam local tests: $reason"
      exit 0
    fi
    echo "sam-local: $reason" >&2
    exit 3
  fi
  cat "$SAM_LOCAL_STATE/log/dockerd-up.err" >&2
  ((rc == 0)) || die "dockerd-up.sh failed ($rc)"
  dockerd_started=1
  eval "$out"
  timing "dockerd up" "$(($(now_ms) - started)) ms"
}

# Whether .aws-sam/build is older than the templates (the stack's and the nested alarms')
# or any source of a function or the layer.
build_is_stale() {
  [[ -f "$BUILD_DIR/template.yaml" ]] || return 0
  [[ -n "$(find "$REPO_ROOT/template.yaml" "$REPO_ROOT/alarms" "$REPO_ROOT/functions" "$REPO_ROOT/layers" \
    -newer "$BUILD_DIR/template.yaml" -type f -not -name '*.pyc' -print -quit)" ]]
}

sam_build() {
  local started
  if ((!rebuild)) && ! build_is_stale; then
    log "sam build: .aws-sam/build is current"
    return 0
  fi
  started="$(now_ms)"
  (cd "$REPO_ROOT" && sam_cli build --cached --build-dir "$BUILD_DIR" --cache-dir "$BUILD_CACHE_DIR" \
    >"$SAM_LOCAL_STATE/log/sam-build.log" 2>&1) \
    || { tail -n 30 "$SAM_LOCAL_STATE/log/sam-build.log" >&2; die "sam build failed"; }
  timing "sam build" "$(($(now_ms) - started)) ms"
}

# "LogicalId events/<CodeUri folder>.json" per function, from the one template reader.
function_events() {
  (cd "$REPO_ROOT" && "$PYTEST_PY" -c '
from tools.template import functions
for logical_id, spec in functions().items():
    print(logical_id, f"events/{spec.name}.json", "api" if spec.routes else "plain")')
}

invoke_all() {
  local fn event kind out started ms code
  while read -r fn event kind; do
    event="$REPO_ROOT/$event"
    [[ -f "$event" ]] || { log "no ${event#"$REPO_ROOT"/}: $fn not invoked"; continue; }
    started="$(now_ms)"
    out="$(cd "$REPO_ROOT" && sam_cli local invoke "$fn" -t "$BUILD_DIR/template.yaml" -e "$event" \
      "${image_args[@]}" --env-vars "$ENV_JSON" \
      2>"$SAM_LOCAL_STATE/log/invoke-$fn.log")" || true
    ms=$(($(now_ms) - started))
    timing "sam local invoke $fn" "$ms ms"
    if [[ "$kind" == plain ]]; then
      # Not behind the API (MigrateFunction): any JSON answer that is not a Lambda error.
      if [[ "$out" == "{"* && "$out" != *'"errorType"'* ]]; then ok "invoke $fn -> $out"; else
        fail "invoke $fn -> $(tail -c 300 <<<"$out")"; tail -n 20 "$SAM_LOCAL_STATE/log/invoke-$fn.log" >&2; fi
      continue
    fi
    code="$(sed -n 's/.*"statusCode": *\([0-9]*\).*/\1/p' <<<"$out" | tail -n 1)"
    # A function answers with its own status (401 for the placeholder token is fine);
    # a 5xx, an unhandled error or no answer at all is a failure.
    if [[ "$code" =~ ^[1-4][0-9][0-9]$ ]]; then
      ok "invoke $fn -> $code"
    else
      fail "invoke $fn -> ${code:-no statusCode}: $(tail -c 300 <<<"$out")"
      tail -n 20 "$SAM_LOCAL_STATE/log/invoke-$fn.log" >&2
    fi
  done < <(function_events)
}

# SAM tags one "rapid" image per layer content (samcli/lambda-python:…-<hash>); in the kept
# data root they would pile up, one per layer change. Keep the newest, drop dangling ones.
prune_rapid_images() {
  docker images --filter 'reference=samcli/*' --format '{{.Repository}}:{{.Tag}}' | tail -n +2 \
    | xargs -r docker rmi >/dev/null 2>&1 || true
  docker image prune -f >/dev/null 2>&1 || true
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Poll GET / on port $1 until it answers 200, while process $2 lives and for at most
# API_TIMEOUT_S. Sets first_latency (of the first request answered at all), or gave_up (why)
# and returns 1. Call it directly, not in $(...): its variables must reach the caller.
await_first_200() {
  local port="$1" pid="$2" deadline=$((SECONDS + API_TIMEOUT_S)) code="" t=0 probe=""
  until [[ "$code" == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || { gave_up="it exited"; return 1; }
    ((SECONDS < deadline)) || { gave_up="no 200 on GET / within ${API_TIMEOUT_S}s"; return 1; }
    probe="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 30 "http://127.0.0.1:$port/" || true)"
    read -r code t <<<"$probe"
    [[ "$code" == 200 ]] || sleep 0.05
  done
  first_latency="$(awk -v t="$t" 'BEGIN {printf "%.1f ms", t * 1000}')"
}

start_api() {
  local port="$1" started
  started="$(now_ms)"
  (cd "$REPO_ROOT" && exec env TMPDIR="$SAM_TMPDIR" "$SAM" local start-api -t "$BUILD_DIR/template.yaml" \
    --warm-containers EAGER --no-watch "${image_args[@]}" \
    --env-vars "$ENV_JSON" --host 127.0.0.1 --port "$port" \
    </dev/null >"$SAM_LOCAL_STATE/log/start-api.log" 2>&1 9>&-) &
  api_pid=$!
  if ! await_first_200 "$port" "$api_pid"; then
    tail -n 30 "$SAM_LOCAL_STATE/log/start-api.log" >&2
    die "sam local start-api: $gave_up"
  fi
  timing "start-api launch -> first 200 on GET /" "$(($(now_ms) - started)) ms"
  timing "first request GET / (latency)" "$first_latency"
}

# Whether the JSON document in file $1 equals the JSON text $2 (key order and spacing aside).
json_equals() {
  python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.loads(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

# Seconds (curl's time_total) of one GET, the body to $2.
timed_get() { curl -s -o "$2" -w '%{time_total}' --max-time 10 "$1"; }

# Median latency of $WARM_REQUESTS GETs of URL $1, as "12.3 ms".
warm_median() {
  local i
  local -a samples=()
  for ((i = 0; i < WARM_REQUESTS; i++)); do samples+=("$(timed_get "$1" /dev/null)"); done
  printf '%s\n' "${samples[@]}" | sort -g \
    | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f ms", m * 1000}'
}

# Our Docker-free emulation on the same build, env file and requests, for the comparison.
emulator_timings() {
  local port="$1" started pid t
  started="$(now_ms)"
  (cd "$REPO_ROOT" && exec "$REPO_ROOT/.venv-sam/bin/python" -m emulator start-api --build-dir "$BUILD_DIR" \
    --env-vars "$ENV_JSON" --host 127.0.0.1 --port "$port" --log-level WARNING \
    </dev/null >"$SAM_LOCAL_STATE/log/emulator.log" 2>&1 9>&-) &
  pid=$!
  if await_first_200 "$port" "$pid"; then
    timing "emulator: launch -> first 200 on GET /" "$(($(now_ms) - started)) ms"
    timing "emulator: first request GET / (latency)" "$first_latency"
    t="$(timed_get "http://127.0.0.1:$port/" /dev/null)"
    timing "emulator: second request GET / (latency)" "$(awk -v t="$t" 'BEGIN {printf "%.1f ms", t * 1000}')"
    timing "emulator: median of $WARM_REQUESTS warm GET /" "$(warm_median "http://127.0.0.1:$port/")"
  else
    fail "emulator: $gave_up: $(tail -n 5 "$SAM_LOCAL_STATE/log/emulator.log")"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || true
}

smoke_and_time() {
  local base="$1" body="$SAM_LOCAL_STATE/run/body.json" t i
  t="$(timed_get "$base/" "$body")"
  timing "second request GET / (latency)" "$(awk -v t="$t" 'BEGIN {printf "%.1f ms", t * 1000}')"
  if json_equals "$body" "$EXPECTED_ROOT"; then ok "GET / -> $EXPECTED_ROOT"; else fail "GET / body: $(<"$body")"; fi
  timing "median of $WARM_REQUESTS warm GET /" "$(warm_median "$base/")"
  t="$(curl -s -o "$body" -w '%{http_code}' --max-time 10 "$base/healthz" || true)"
  if [[ "$t" == 200 ]]; then ok "GET /healthz -> 200 (Postgres + Redis reached from the container)"; else fail "GET /healthz -> $t: $(<"$body")"; fi
}

integration_suite() {
  local base="$1" rc=0
  if ! compgen -G "$REPO_ROOT/tests/integration/test_*.py" >/dev/null \
    && ! compgen -G "$REPO_ROOT/tests/integration/*_test.py" >/dev/null; then
    log "tests/integration has no tests yet: only the smoke checks ran"
    return 0
  fi
  local -a extra=()
  read -r -a extra <<<"${SAM_LOCAL_PYTEST_ARGS:-}"
  (cd "$REPO_ROOT" && SAM_LOCAL_DATABASE_URL="$SAM_LOCAL_DATABASE_URL" SAM_LOCAL_REDIS_URL="$SAM_LOCAL_REDIS_URL" \
    "$PYTEST_PY" -m pytest tests/integration --base-url "$base" --gateway sam-local "${extra[@]}") || rc=$?
  if ((rc == 0)); then ok "pytest tests/integration"; else fail "pytest tests/integration (exit $rc)"; fi
}

main() {
  parse_args "$@"
  local started port
  started="$(now_ms)"
  mkdir -p "$SAM_LOCAL_STATE"/{log,run}
  # One run at a time per state dir: they would share the engine, the bridge and the ports.
  exec 9>"$SAM_LOCAL_STATE/run.lock"
  flock -w "${SAM_LOCAL_LOCK_TIMEOUT:-900}" 9 || die "another run.sh holds $SAM_LOCAL_STATE/run.lock"
  rm -rf "$SAM_TMPDIR"
  mkdir -p "$SAM_TMPDIR"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  [[ -x "$SAM" ]] || die "no SAM CLI at $SAM (make venv)"
  choose_engine
  local t0
  if [[ "$engine" == machine ]]; then
    machine_engine_up
  else
    # A failed install is not fatal here: dockerd-up.sh says whether the engine can run.
    "$SAM_LOCAL_DIR/ensure-tools.sh" || log "ensure-tools.sh failed; going on with what is installed"
    engine_up
    t0="$(now_ms)"
    "$SAM_LOCAL_DIR/build-image.sh"
    timing "base image (build or cache hit)" "$(($(now_ms) - t0)) ms"
    t0="$(now_ms)"
    "$SAM_LOCAL_DIR/services-up.sh" 9>&-
    timing "Postgres + Redis for the containers" "$(($(now_ms) - t0)) ms"
    image_args=(--invoke-image "$SAM_LOCAL_IMAGE" --skip-pull-image)
  fi
  ENV_JSON="$("$SAM_LOCAL_DIR/env-file.sh")"
  sam_build
  ((!do_invoke)) || invoke_all
  if ((do_api)); then
    port="$(free_port)"
    start_api "$port"
    smoke_and_time "http://127.0.0.1:$port"
    integration_suite "http://127.0.0.1:$port"
    t0="$(now_ms)"
    stop_api
    timing "start-api stop (SIGTERM)" "$(($(now_ms) - t0)) ms"
    # The private engine's services are on an address this machine reaches too; compose's
    # names ("postgres", "redis") resolve only inside its network.
    if [[ "$engine" == private ]]; then
      emulator_timings "$(free_port)"
      local left
      left="$(docker ps -aq | wc -l)"
      ((left == 0)) || log "start-api left $left container(s) behind; dockerd-down.sh removes them"
    fi
  fi
  [[ "$engine" != private ]] || prune_rapid_images
  timing "total" "$(($(now_ms) - started)) ms"
  printf '%s\n' "--- sam-local timings" "${timings[@]}" | tee "$SAM_LOCAL_STATE/log/timings.txt"
  echo "sam-local: $passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
