#!/usr/bin/env bash
# Write the `sam local --env-vars` file: every setting of mdcreator.core.config.Settings (see
# tools/settings.py, profile "test"), with Postgres/Redis of services-up.sh on the bridge
# gateway, reachable from the containers, and a key pair of its own. Prints its path.
# Usage: env-file.sh [JSON_OUT]   (default $SAM_LOCAL_STATE/env.json)
# Extra settings: SAM_LOCAL_ENV_EXTRA="NAME=value NAME2=value2" (a later duplicate wins).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JSON_OUT="${1:-$SAM_LOCAL_STATE/env.json}"

main() {
  local -a sets=(
    --set "DATABASE_URL=$SAM_LOCAL_DATABASE_URL"
    --set "REDIS_URL=$SAM_LOCAL_REDIS_URL"
  )
  [[ -z "${SAM_LOCAL_BCRYPT_ROUNDS:-}" ]] || sets+=(--set "BCRYPT_ROUNDS=$SAM_LOCAL_BCRYPT_ROUNDS")
  local extra pair
  read -r -a extra <<<"${SAM_LOCAL_ENV_EXTRA:-}"
  for pair in "${extra[@]}"; do sets+=(--set "$pair"); done
  (cd "$REPO_ROOT" && "$REPO_ROOT/.venv/bin/python" -m tools.settings env-vars --profile test --hermetic \
    "${sets[@]}" -o "$JSON_OUT")
  log "env vars: $JSON_OUT (sam --env-vars)"
  echo "$JSON_OUT"
}

main "$@"
