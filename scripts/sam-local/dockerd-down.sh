#!/usr/bin/env bash
# Stop the private Docker engine of dockerd-up.sh: remove every container on it, stop the
# daemon (and its containerd), wait for them to exit, and leave no mounts and no bridge
# behind. The data root (the image cache) stays. Safe to run when nothing is up.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TIMEOUT_S="${SAM_LOCAL_DOCKERD_TIMEOUT:-30}"

remove_containers() {
  local ids
  ids="$(docker ps -aq 2>/dev/null || true)"
  [[ -z "$ids" ]] && return 0
  log "removing $(wc -w <<<"$ids") container(s)"
  # shellcheck disable=SC2086  # a list of ids
  docker rm -f $ids >/dev/null 2>&1 || true
}

# Wait for a pid to exit; SIGKILL it after the timeout.
wait_exit() {
  local pid="$1" deadline=$((SECONDS + TIMEOUT_S))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "pid $pid still alive after ${TIMEOUT_S}s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      return 0
    fi
    sleep 0.1
  done
}

# Processes whose command line names our state dir (containerd, shims), oldest first.
leftover_pids() {
  local pid
  for pid in $(pgrep -f -- "$SAM_LOCAL_STATE/" || true); do
    [[ "$pid" != "$$" ]] && grep -qa -- "$SAM_LOCAL_STATE/" "/proc/$pid/cmdline" 2>/dev/null \
      && echo "$pid"
  done
}

unmount_leftovers() {
  local mnt
  # Deepest first; mountinfo escapes spaces, which our paths do not have.
  awk -v s="$SAM_LOCAL_STATE/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r \
    | while read -r mnt; do
      log "unmounting leftover $mnt"
      umount -l "$mnt" 2>/dev/null || true
    done
}

main() {
  local pid started
  started="$(now_ms)"
  pid="$(dockerd_pid)"
  if [[ -n "$pid" ]]; then
    dockerd_answers && remove_containers
    kill -TERM "$pid" 2>/dev/null || true
    wait_exit "$pid"
  fi
  for pid in $(leftover_pids); do
    log "stopping leftover process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-80))"
    kill -TERM "$pid" 2>/dev/null || true
    wait_exit "$pid"
  done
  unmount_leftovers
  rm -f "$SAM_LOCAL_PIDFILE" "$SAM_LOCAL_SOCK" "$SAM_LOCAL_STATE/run/dockerd.launcher.pid"
  if ip link show "$SAM_LOCAL_BRIDGE" >/dev/null 2>&1; then
    ip link delete "$SAM_LOCAL_BRIDGE" type bridge 2>/dev/null || true
  fi
  log "dockerd down ($(($(now_ms) - started)) ms)"
}

main "$@"
