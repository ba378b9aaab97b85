#!/usr/bin/env bash
# Create the compose-style role and database on a local Postgres that trusts `postgres`
# (what docker-compose.yml would give you), idempotently.
set -euo pipefail
PSQL=(psql -h "${PGHOST:-127.0.0.1}" -U postgres -v ON_ERROR_STOP=1 -qtA)
"${PSQL[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'mdcreator'" | grep -q 1 ||
  "${PSQL[@]}" -c "CREATE ROLE mdcreator LOGIN PASSWORD 'mdcreator'"
"${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'mdcreator_dev'" | grep -q 1 ||
  "${PSQL[@]}" -c "CREATE DATABASE mdcreator_dev OWNER mdcreator"
echo "database mdcreator_dev and role mdcreator ready"
