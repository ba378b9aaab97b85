#!/usr/bin/env bash
# Write the `sam local --env-vars` file pointing every function at the Postgres/Redis of
# services-up.sh (on the bridge gateway, reachable from the containers), and the same
# values as a dotenv file for host-side tools.
# Usage: env-file.sh [JSON_OUT] [DOTENV_OUT]   (defaults under $SAM_LOCAL_STATE)
# Extra variables: SAM_LOCAL_ENV_EXTRA="NAME=value NAME2=value2" (SAM only sets the ones the
# template declares; a later duplicate wins).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JSON_OUT="${1:-$SAM_LOCAL_STATE/env.json}"
DOTENV_OUT="${2:-$SAM_LOCAL_STATE/env.dotenv}"

random_secret() { head -c 36 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-48; }

main() {
  local -a pairs=(
    "ENV=test"
    "DATABASE_URL=$SAM_LOCAL_DATABASE_URL"
    "REDIS_URL=$SAM_LOCAL_REDIS_URL"
    "JWT_SECRET_KEY=${SAM_LOCAL_JWT_SECRET_KEY:-$(random_secret)}"
    "BCRYPT_ROUNDS=${SAM_LOCAL_BCRYPT_ROUNDS:-4}"
    # As tests/conftest.py's app_env: every HTTP test client shares one IP (127.0.0.1 as
    # SAM's sourceIp), so the per-IP limits would turn the suite's signups into 429s.
    "SIGNUP_IP_MAX=${SAM_LOCAL_SIGNUP_IP_MAX:-100000}"
    "LOGIN_IP_MAX_FAILURES=${SAM_LOCAL_LOGIN_IP_MAX_FAILURES:-100000}"
  )
  local extra pair sep="" name value
  read -r -a extra <<<"${SAM_LOCAL_ENV_EXTRA:-}"
  pairs+=("${extra[@]}")
  mkdir -p "$(dirname "$JSON_OUT")" "$(dirname "$DOTENV_OUT")"
  {
    printf '{\n  "Parameters": {'
    for pair in "${pairs[@]}"; do
      name="${pair%%=*}" value="${pair#*=}"
      [[ "$value" != *[\"\\]* ]] || die "value of $name must not contain a quote or backslash"
      printf '%s\n    "%s": "%s"' "$sep" "$name" "$value"
      sep=","
    done
    printf '\n  }\n}\n'
  } >"$JSON_OUT"
  printf '%s\n' "${pairs[@]}" >"$DOTENV_OUT"
  chmod 600 "$JSON_OUT" "$DOTENV_OUT"
  log "env vars: $JSON_OUT (sam --env-vars), $DOTENV_OUT (dotenv)"
  echo "$JSON_OUT"
}

main "$@"
