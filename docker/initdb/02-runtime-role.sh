# Run once by the PostgreSQL image on an empty data directory, after the service's init
# script: the service's runtime role (RUNTIME_USER, RUNTIME_PASSWORD from the container's
# environment). It gets no rights here: the service's start-up, as the owner role
# (MIGRATION_DATABASE_URL), gives it DML on the database's tables and nothing more.
if [ -n "${RUNTIME_USER:-}" ]; then
  psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
    --set role="$RUNTIME_USER" --set password="${RUNTIME_PASSWORD:?RUNTIME_PASSWORD is required with RUNTIME_USER}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SQL
fi
