#!/usr/bin/env bash
# Local PostgreSQL 15 + PostGIS 3 cluster for OpenVeracruz, kept under .data/pg (git-ignored).
#   infra/postgis.sh ensure   install packages if missing, create the cluster and databases, start it
#   infra/postgis.sh stop     stop the cluster
#   infra/postgis.sh status   print whether it runs
# Safe to call again: every step checks first. Listens on 127.0.0.1 only, port $OV_PG_PORT (55433).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${OV_PG_PORT:-55433}
DATA="$ROOT/.data/pg"
LOG="$ROOT/.data/pg.log"
PGBIN=/usr/lib/postgresql/15/bin
DB_ROLE=openveracruz
DATABASES=(openveracruz openveracruz_test)

log() { printf '[postgis] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  if [ -x "$PGBIN/postgres" ] && [ -f /usr/share/postgresql/15/extension/postgis.control ]; then return; fi
  log "installing postgresql-15-postgis-3 (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
  # Debian starts its own cluster on 5432; ours is separate and the default one is left alone.
}

# initdb refuses to run as root: as root the cluster belongs to the unprivileged 'postgres' user
# that the Debian package creates; otherwise to the calling user.
db_user() { if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi; }
as_db() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

make_reachable() {
  # the cluster owner must be able to traverse every parent folder of .data (e.g. a clone in /root)
  [ "$(id -u)" -eq 0 ] || return 0
  local dir="$ROOT"
  while [ "$dir" != "/" ]; do
    if ! runuser -u postgres -- test -x "$dir"; then
      log "granting traverse (o+x) on $dir so the postgres user can reach .data"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}

init_cluster() {
  mkdir -p "$ROOT/.data"
  if [ -f "$DATA/PG_VERSION" ]; then return; fi
  make_reachable
  log "creating cluster in $DATA"
  mkdir -p "$DATA"
  [ "$(id -u)" -eq 0 ] && chown "$(db_user)" "$DATA" "$ROOT/.data"
  chmod 700 "$DATA"
  as_db "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
max_connections = 300
shared_buffers = 256MB
work_mem = 16MB
max_wal_size = 4GB
fsync = on
CONF
  # loopback only; local development cluster
  cat > "$DATA/pg_hba.conf" <<HBA
local all all trust
host  all all 127.0.0.1/32 trust
HBA
}

running() { as_db "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start_cluster() {
  if running; then return; fi
  [ "$(id -u)" -eq 0 ] && touch "$LOG" && chown "$(db_user)" "$LOG"
  log "starting on 127.0.0.1:$PORT"
  as_db "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
}

psql_su() { as_db "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

create_databases() {
  if [ "$(psql_su -d postgres -c "select 1 from pg_roles where rolname='$DB_ROLE'")" != 1 ]; then
    psql_su -d postgres -c "create role $DB_ROLE login createdb"
  fi
  # datastore_search_sql logs in as this role (its own session user, so SET ROLE cannot climb back):
  # it can read the datastore views and nothing else
  if [ "$(psql_su -d postgres -c "select 1 from pg_roles where rolname='ov_datastore_reader'")" != 1 ]; then
    psql_su -d postgres -c "create role ov_datastore_reader login"
  fi
  psql_su -d postgres -c "alter role ov_datastore_reader login nocreatedb nocreaterole; revoke ov_datastore_reader from $DB_ROLE" 2>/dev/null
  # limits the server enforces on every session of the reader, whatever a query sets (temp_file_limit needs a superuser)
  psql_su -d postgres -c "alter role ov_datastore_reader set statement_timeout = '5s'; alter role ov_datastore_reader set idle_in_transaction_session_timeout = '10s';
    alter role ov_datastore_reader set work_mem = '16MB'; alter role ov_datastore_reader set temp_file_limit = '256MB';
    alter role ov_datastore_reader set max_parallel_workers_per_gather = 0" >/dev/null
  harden template1 # databases created later (the tests' own) are copies of it
  for db in "${DATABASES[@]}"; do
    if [ "$(psql_su -d postgres -c "select 1 from pg_database where datname='$db'")" != 1 ]; then
      log "creating database $db"
      psql_su -d postgres -c "create database $db owner $DB_ROLE"
    fi
    psql_su -d "$db" -c "set client_min_messages = warning; create extension if not exists postgis" >/dev/null
    psql_su -d "$db" -c "grant create on database $db to $DB_ROLE" >/dev/null
    harden "$db"
  done
}

harden() {
  # Functions every role may call by default, taken from all but the platform's role: the datastore reader (anonymous
  # SQL) must not cancel or end other sessions' queries, nor take advisory locks the platform's imports wait on.
  # The platform refuses datastore_search_sql while the reader can still call them.
  psql_su -d "$1" -c "do \$\$ declare f regprocedure; begin
    for f in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'pg_catalog'::regnamespace
        and (p.proname in ('pg_cancel_backend', 'pg_terminate_backend') or p.proname like 'pg\\_%advisory%') loop
      execute format('revoke execute on function %s from public', f);
      execute format('grant execute on function %s to $DB_ROLE', f);
    end loop;
  end \$\$" >/dev/null
}

case "${1:-ensure}" in
  ensure)
    install_packages
    init_cluster
    start_cluster
    create_databases
    ;;
  stop) running && as_db "$PGBIN/pg_ctl" -D "$DATA" -w stop >/dev/null; true ;;
  status) if running; then echo "running on 127.0.0.1:$PORT"; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: $0 ensure|stop|status" >&2; exit 2 ;;
esac
