#!/usr/bin/env bash
# The part of the official PostgreSQL image's entrypoint contract this project relies on:
# - on an empty $PGDATA: initdb with POSTGRES_USER (default postgres) as the superuser and
#   POSTGRES_PASSWORD as its password (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#   POSTGRES_INITDB_ARGS passed on; POSTGRES_DB (default: the user's name) created; every
#   /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh run once, in name order, with
#   psql -v ON_ERROR_STOP=1 as that user on that database, on a server reachable only
#   through its Unix socket meanwhile;
# - then the server in the foreground, logging to stderr (docker logs), listening on every
#   interface, local connections trusted and TCP ones by password (scram-sha-256);
# - started as root, it runs the server as the postgres user; arguments starting with '-'
#   are options for postgres.
set -Eeuo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

initialise() {
  local user=${POSTGRES_USER:-postgres}
  local database=${POSTGRES_DB:-$user}
  local method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$method" != trust ]; then
    echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set" >&2
    echo "       (set it, or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection unchecked)" >&2
    exit 1
  fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as in the official image
  initdb --username="$user" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") --auth-local=trust \
    --auth-host="$method" ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
  printf '\nhost all all all %s\n' "$method" >> "$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"

  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start
  local psql=(psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$user")
  if [ "$database" != postgres ]; then
    "${psql[@]}" --dbname postgres --set db="$database" <<<'CREATE DATABASE :"db";'
  fi
  local file
  for file in /docker-entrypoint-initdb.d/*; do
    [ -e "$file" ] || continue
    echo "running $file"
    case "$file" in
      *.sh) if [ -x "$file" ]; then "$file"; else . "$file"; fi ;;
      *.sql) "${psql[@]}" --dbname "$database" -f "$file" ;;
      *.sql.gz) gunzip -c "$file" | "${psql[@]}" --dbname "$database" ;;
      *) echo "ignoring $file" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "PostgreSQL init process complete; ready for start up."
}

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  initialise
fi
exec "$@"
