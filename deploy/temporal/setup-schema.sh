#!/bin/sh
# One-shot job (temporalio/admin-tools): create the Temporal persistence and
# visibility databases in PostgreSQL and bring their schemas up to the version
# shipped with the admin-tools image. Idempotent, so it runs on every
# `docker compose up`; keep admin-tools and server images at the same version.
#
# Environment: POSTGRES_SEEDS (host), DB_PORT, POSTGRES_USER, SQL_PASSWORD
# (read by temporal-sql-tool), DBNAME, VISIBILITY_DBNAME.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (PostgreSQL host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
if [ -z "${SQL_PASSWORD:-}" ]; then
  echo "POSTGRES_PASSWORD is not set: put it in .env next to docker-compose.yml" >&2
  exit 1
fi
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

attempt=0
until nc -z -w 2 "$POSTGRES_SEEDS" "$DB_PORT"; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "PostgreSQL at $POSTGRES_SEEDS:$DB_PORT is not reachable" >&2
    exit 1
  fi
  sleep 2
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

setup() {
  db="$1"
  kind="$2"
  echo "Temporal schema: database '$db' ($kind)"
  # `create` ignores an existing database; `setup-schema -v 0.0` skips a schema
  # that is already versioned; `update-schema` applies only missing versions.
  sql_tool --db "$db" create
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$kind/versioned"
}

setup "$DBNAME" temporal
setup "$VISIBILITY_DBNAME" visibility
echo "Temporal schema setup complete"
