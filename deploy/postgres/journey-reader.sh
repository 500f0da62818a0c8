#!/bin/sh
# Run once by the postgres image when its volume is first initialised
# (/docker-entrypoint-initdb.d): the read-only login Grafana uses. Journey's migrations keep
# journey_reader NOLOGIN and grant it the analytics views; a login of its own gets a password.
# To change the password later: ALTER ROLE grafana PASSWORD '…' (as journey).
set -eu
: "${GRAFANA_POSTGRES_PASSWORD:?set GRAFANA_POSTGRES_PASSWORD to the password Grafana logs in with}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$GRAFANA_POSTGRES_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE journey_reader NOLOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'journey_reader') \gexec
CREATE ROLE grafana LOGIN PASSWORD :'password' IN ROLE journey_reader;
SQL
