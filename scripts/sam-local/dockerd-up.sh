#!/usr/bin/env bash
# Start (or reuse) the private Docker engine that `sam local` runs the functions in.
#
# Its socket, data root, exec root and pidfile live under $SAM_LOCAL_STATE, so the image
# built by build-image.sh survives between runs. Prints the DOCKER_HOST line to eval.
#   eval "$(scripts/sam-local/dockerd-up.sh)"
# Exit codes: 0 up, 3 the engine cannot start here (one line on stderr says why).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT_S="${SAM_LOCAL_DOCKERD_TIMEOUT:-60}"

created_bridge=0

cannot_start() {
  # Leave nothing behind: the bridge this run made goes again.
  if ((created_bridge)); then ip link delete "$SAM_LOCAL_BRIDGE" 2>/dev/null || true; fi
  printf 'dockerd cannot start: %s\n' "$*" >&2
  exit 3
}

# The bridge the daemon attaches containers to; we own it, so its address is fixed.
ensure_bridge() {
  if ! ip link show "$SAM_LOCAL_BRIDGE" >/dev/null 2>&1; then
    ip link add "$SAM_LOCAL_BRIDGE" type bridge 2>/dev/null \
      || cannot_start "cannot create bridge $SAM_LOCAL_BRIDGE (no CAP_NET_ADMIN?)"
    created_bridge=1
  fi
  if ! ip -4 addr show dev "$SAM_LOCAL_BRIDGE" | grep -qF "inet $SAM_LOCAL_BRIDGE_CIDR "; then
    ip addr add "$SAM_LOCAL_BRIDGE_CIDR" dev "$SAM_LOCAL_BRIDGE" \
      || cannot_start "cannot give $SAM_LOCAL_BRIDGE the address $SAM_LOCAL_BRIDGE_CIDR"
  fi
  ip link set "$SAM_LOCAL_BRIDGE" up
}

start_dockerd() {
  mkdir -p "$SAM_LOCAL_STATE"/{data,exec,run,log}
  rm -f "$SAM_LOCAL_PIDFILE" "$SAM_LOCAL_SOCK"
  # --iptables=false: no NAT rules are written into the host's tables, none left behind;
  # containers reach the host on the bridge address and publish ports via docker-proxy.
  setsid dockerd \
    -H "unix://$SAM_LOCAL_SOCK" \
    --data-root "$SAM_LOCAL_STATE/data" \
    --exec-root "$SAM_LOCAL_STATE/exec" \
    --pidfile "$SAM_LOCAL_PIDFILE" \
    --bridge "$SAM_LOCAL_BRIDGE" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --storage-driver "${SAM_LOCAL_STORAGE_DRIVER:-overlay2}" \
    --log-level warn \
    </dev/null >"$SAM_LOCAL_DOCKERD_LOG" 2>&1 &
  echo $! >"$SAM_LOCAL_STATE/run/dockerd.launcher.pid"
}

wait_until_answers() {
  local deadline=$((SECONDS + TIMEOUT_S)) launcher
  launcher="$(<"$SAM_LOCAL_STATE/run/dockerd.launcher.pid")"
  until dockerd_answers; do
    if ! kill -0 "$launcher" 2>/dev/null; then
      rm -f "$SAM_LOCAL_SOCK" "$SAM_LOCAL_STATE/run/dockerd.launcher.pid"
      cannot_start "$(grep -v '^\s*$' "$SAM_LOCAL_DOCKERD_LOG" | tail -n 1 | cut -c1-300)"
    fi
    if ((SECONDS >= deadline)); then
      kill "$launcher" 2>/dev/null || true
      wait "$launcher" 2>/dev/null || true
      rm -f "$SAM_LOCAL_SOCK" "$SAM_LOCAL_STATE/run/dockerd.launcher.pid"
      cannot_start "no answer on $SAM_LOCAL_SOCK within ${TIMEOUT_S}s (log: $SAM_LOCAL_DOCKERD_LOG)"
    fi
    sleep 0.2
  done
}

main() {
  command -v dockerd >/dev/null || cannot_start "dockerd is not installed (run ensure-tools.sh)"
  command -v docker >/dev/null || cannot_start "the docker client is not installed"
  [[ "$(id -u)" == 0 ]] || cannot_start "needs root (a private daemon with its own bridge)"
  local started
  started="$(now_ms)"
  if [[ -n "$(dockerd_pid)" ]] && dockerd_answers; then
    log "dockerd already running (pid $(dockerd_pid)); reusing it"
  else
    [[ -z "$(dockerd_pid)" ]] || cannot_start "dockerd pid $(dockerd_pid) is alive but does not answer; run dockerd-down.sh"
    ensure_bridge
    start_dockerd
    wait_until_answers
    log "dockerd up in $(($(now_ms) - started)) ms (pid $(dockerd_pid), bridge $SAM_LOCAL_BRIDGE $SAM_LOCAL_BRIDGE_CIDR)"
  fi
  echo "export DOCKER_HOST=$DOCKER_HOST"
}

main "$@"
