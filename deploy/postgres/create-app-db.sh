#!/bin/sh
# One-shot job (postgres image): create the application's login role and
# database in the shared PostgreSQL server, or update the role's password.
# Idempotent, so it runs on every `docker compose up`. The application itself
# creates its tables (TypeORM migrations run on start).
#
# Environment: PGHOST, PGPORT, PGUSER, PGPASSWORD (superuser connection),
#              APP_DB_NAME, APP_DB_USER, APP_DB_PASSWORD.
set -eu

if [ -z "${PGPASSWORD:-}" ]; then
  echo "POSTGRES_PASSWORD is not set: put it in .env next to docker-compose.yml" >&2
  exit 1
fi
if [ -z "${APP_DB_PASSWORD:-}" ]; then
  echo "CLEARANCE_DB_PASSWORD is not set: put it in .env next to docker-compose.yml" >&2
  exit 1
fi
: "${APP_DB_NAME:=clearance}"
: "${APP_DB_USER:=clearance}"

attempt=0
until pg_isready -q -d postgres; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "PostgreSQL at ${PGHOST:-localhost}:${PGPORT:-5432} is not ready" >&2
    exit 1
  fi
  sleep 2
done

psql -X -v ON_ERROR_STOP=1 -d postgres \
  -v app_db="$APP_DB_NAME" -v app_user="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'app_user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'app_user', :'app_password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'app_db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'app_db') \gexec
SQL

echo "Database '$APP_DB_NAME' and role '$APP_DB_USER' are ready"
