#!/usr/bin/env bash
# Install, with apt-get, the Debian packages the sam-local scripts need when any is missing:
# docker.io (dockerd, containerd, runc, docker-proxy), debootstrap, socat, iproute2, and
# the Postgres/Redis server binaries the test-owned services are started from.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# command -> package that provides it
declare -A NEEDED=(
  [dockerd]=docker.io
  [docker-proxy]=docker.io
  [debootstrap]=debootstrap
  [socat]=socat
  [ip]=iproute2
  [redis-server]=redis-server
  [curl]=curl
)

missing_packages() {
  local cmd
  for cmd in "${!NEEDED[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || echo "${NEEDED[$cmd]}"
  done
  # initdb/pg_ctl are not on PATH in Debian's packaging.
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || echo postgresql
}

main() {
  local packages
  packages="$(missing_packages | sort -u | tr '\n' ' ')"
  if [[ -z "${packages// /}" ]]; then
    log "tools present"
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "missing packages ($packages) and not root to install them"
  log "apt-get install $packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086  # a list of package names
  apt-get install -y -qq --no-install-recommends $packages >/dev/null
}

main "$@"
