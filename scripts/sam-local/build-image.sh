#!/usr/bin/env bash
# Build, offline, a Lambda-like python3.12 base image and tag it with the AWS name, so that
# `sam local ... --skip-pull-image` finds it without a registry.
#
# Debian bookworm (debootstrap --variant=minbase) + pyenv's CPython 3.12 as /var/lang +
# awslambdaric under /var/runtime + /var/runtime/bootstrap, laid out like
# public.ecr.aws/lambda/python:3.12. Skipped when an image built from the same inputs exists
# (the input hash is the tag of $SAM_LOCAL_CACHE_REPO and a label). Needs dockerd-up.sh first.
# Usage: build-image.sh [--force]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE=bookworm
MIRROR="${SAM_LOCAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Shared libraries CPython's extension modules link against (checked after the build).
INCLUDE="ca-certificates,libssl3,libffi8,libsqlite3-0,libbz2-1.0,liblzma5,libreadline8,libncursesw6,libtinfo6,libuuid1,zlib1g,libexpat1,libnsl2,libtirpc3,libcrypt1,libgdbm6"
CACHE_REPO="${SAM_LOCAL_CACHE_REPO:-mdcreator/sam-local-python}"
HASH_LABEL=org.mdcreator.sam-local.input-hash
PY="$SAM_LOCAL_PYTHON_PREFIX"
RIE="$REPO_ROOT/.venv-sam/lib/python3.12/site-packages/samcli/local/rapid/aws-lambda-rie-x86_64"

awslambdaric_spec() {
  local pin
  pin="$(grep -iE '^awslambdaric==' "$REPO_ROOT/requirements-runtime.txt" 2>/dev/null | head -n 1 || true)"
  echo "${pin:-awslambdaric}"
}

input_hash() {
  {
    cat "${BASH_SOURCE[0]}"
    echo "$SUITE $MIRROR $INCLUDE $(awslambdaric_spec)"
    sha256sum "$PY/bin/python3.12" "$PY/lib/libpython3.12.so.1.0"
    [[ ! -f "$RIE" ]] || sha256sum "$RIE"
  } | sha256sum | cut -c1-16
}

debootstrap_rootfs() {
  local rootfs="$1"
  mkdir -p "$SAM_LOCAL_STATE/cache/debs"
  log "debootstrap --variant=minbase $SUITE (packages cached in $SAM_LOCAL_STATE/cache/debs)"
  debootstrap --variant=minbase --include="$INCLUDE" --cache-dir="$SAM_LOCAL_STATE/cache/debs" \
    "$SUITE" "$rootfs" "$MIRROR" >"$SAM_LOCAL_STATE/log/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $SAM_LOCAL_STATE/log/debootstrap.log"
  # Only the files matter: drop apt lists and docs, which the image never needs.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/{doc,man,info}/*
}

install_python() {
  local rootfs="$1"
  log "copying CPython $("$PY/bin/python3.12" -V 2>&1 | cut -d' ' -f2) from $PY to /var/lang"
  mkdir -p "$rootfs/var/lang"
  # Byte-compiled stdlib kept (every container would compile it anew). No site-packages (the
  # functions must get their dependencies from the layer), no tests,
  # no Tk (the AWS image has none either).
  tar -C "$PY" -c \
    --exclude='./lib/python3.12/site-packages/*' --exclude='./lib/python3.12/test' \
    --exclude='./lib/python3.12/idlelib' --exclude='./lib/python3.12/tkinter' \
    --exclude='./lib/python3.12/lib-dynload/_tkinter*' . \
    | tar -C "$rootfs/var/lang" -x
  # The pyenv build carries an rpath to its own prefix: make /var/lang/lib a system path.
  echo /var/lang/lib >"$rootfs/etc/ld.so.conf.d/var-lang.conf"
  chroot "$rootfs" /sbin/ldconfig
  # Lambda's sys.path ends with /var/runtime (after site-packages).
  echo /var/runtime >"$rootfs/var/lang/lib/python3.12/site-packages/lambda-runtime.pth"
}

install_runtime() {
  local rootfs="$1"
  log "pip install --target /var/runtime $(awslambdaric_spec)"
  "$PY/bin/python3.12" -m pip install -q --target "$rootfs/var/runtime" \
    "$(awslambdaric_spec)" >"$SAM_LOCAL_STATE/log/pip-runtime.log" 2>&1 \
    || die "pip install awslambdaric failed; see $SAM_LOCAL_STATE/log/pip-runtime.log"
  cat >"$rootfs/var/runtime/bootstrap" <<'BOOT'
#!/bin/bash
# The runtime's bootstrap, as the AWS python3.12 image has it: the RIE execs this.
export AWS_EXECUTION_ENV="${AWS_EXECUTION_ENV:-AWS_Lambda_python3.12}"
export PYTHONPATH="/opt/python/lib/python3.12/site-packages:/opt/python${PYTHONPATH:+:$PYTHONPATH}"
exec /var/lang/bin/python3.12 -m awslambdaric "$_HANDLER"
BOOT
  chmod 755 "$rootfs/var/runtime/bootstrap"
  mkdir -p "$rootfs/var/task" "$rootfs/opt" "$rootfs/usr/local/bin"
  # Standalone use (docker run IMAGE app.handler) as with the AWS image: RIE + entrypoint.
  if [[ -f "$RIE" ]]; then install -m 755 "$RIE" "$rootfs/usr/local/bin/aws-lambda-rie"; fi
  cat >"$rootfs/lambda-entrypoint.sh" <<'ENTRY'
#!/bin/sh
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie /var/runtime/bootstrap
else
  exec /var/runtime/bootstrap
fi
ENTRY
  chmod 755 "$rootfs/lambda-entrypoint.sh"
}

# Fail the build, not the first invoke, when a shared library is missing.
check_rootfs() {
  local rootfs="$1" missing
  # shellcheck disable=SC2016  # expanded by the shell inside the rootfs
  missing="$(chroot "$rootfs" /bin/sh -c \
    'for f in /var/lang/bin/python3.12 /var/lang/lib/python3.12/lib-dynload/*.so; do
       ldd "$f" | sed -n "s|^\s*\(\S*\) => not found|$f: \1|p"; done')"
  [[ -z "$missing" ]] || die "shared libraries missing in the image: $missing"
  chroot "$rootfs" /usr/bin/env -i PATH=/var/lang/bin:/usr/bin:/bin /var/lang/bin/python3.12 -c \
    'import ssl, sqlite3, ctypes, bz2, lzma, readline, uuid, zlib, awslambdaric.bootstrap' \
    || die "python3.12 in the image cannot import its standard modules or awslambdaric"
}

import_image() {
  local rootfs="$1" hash="$2"
  log "docker import -> $SAM_LOCAL_IMAGE ($CACHE_REPO:$hash)"
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change 'ENV LANG=en_US.UTF-8' \
    --change 'ENV TZ=:/etc/localtime' \
    --change 'ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin' \
    --change 'ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib' \
    --change 'ENV LAMBDA_TASK_ROOT=/var/task' \
    --change 'ENV LAMBDA_RUNTIME_DIR=/var/runtime' \
    --change "LABEL $HASH_LABEL=$hash" \
    --change 'WORKDIR /var/task' \
    --change 'ENTRYPOINT ["/lambda-entrypoint.sh"]' \
    - "$CACHE_REPO:$hash" >/dev/null
  docker tag "$CACHE_REPO:$hash" "$SAM_LOCAL_IMAGE"
}

main() {
  local force=0 hash started rootfs
  [[ "${1:-}" != --force ]] || force=1
  dockerd_answers || die "no docker engine at $DOCKER_HOST; run dockerd-up.sh first"
  [[ -x "$PY/bin/python3.12" ]] || die "no CPython 3.12 at $PY (set SAM_LOCAL_PYTHON_PREFIX)"
  started="$(now_ms)"
  hash="$(input_hash)"
  if ((!force)) && docker image inspect "$CACHE_REPO:$hash" >/dev/null 2>&1; then
    docker tag "$CACHE_REPO:$hash" "$SAM_LOCAL_IMAGE"
    log "image cached: $SAM_LOCAL_IMAGE = $CACHE_REPO:$hash ($(($(now_ms) - started)) ms)"
    return 0
  fi
  mkdir -p "$SAM_LOCAL_STATE"/{build,log}
  rootfs="$(mktemp -d "$SAM_LOCAL_STATE/build/rootfs.XXXXXX")"
  # shellcheck disable=SC2064  # expand now: the path is fixed
  trap "rm -rf '$rootfs'" EXIT
  debootstrap_rootfs "$rootfs"
  install_python "$rootfs"
  install_runtime "$rootfs"
  check_rootfs "$rootfs"
  import_image "$rootfs" "$hash"
  # Older builds of the cache repo are dead weight now.
  docker images --format '{{.Repository}}:{{.Tag}}' "$CACHE_REPO" | grep -vxF "$CACHE_REPO:$hash" \
    | xargs -r docker rmi >/dev/null 2>&1 || true
  log "image built: $SAM_LOCAL_IMAGE = $CACHE_REPO:$hash in $(($(now_ms) - started)) ms"
}

main "$@"
