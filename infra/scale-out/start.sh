#!/usr/bin/env bash
# Several OpenVeracruz API instances behind nginx, with PgBouncer in front of PostgreSQL, on this machine (docs/SCALING.md).
#   infra/scale-out/start.sh start    PgBouncer (127.0.0.1:6433), two API instances (5281, 5282) and nginx (5280)
#   infra/scale-out/start.sh stop     stops what start started (by the pids it wrote)
# OV_SCALE_DB: Npgsql connection string of PostgreSQL itself (default: the local cluster's openveracruz database);
# OV_SCALE_INSTANCES (2), OV_SCALE_NGINX_PORT (5280), OV_SCALE_PGBOUNCER_PORT (6433), OV_SCALE_WORK (/tmp/ov-scale-out);
# OV_SCALE_POOL=direct: no PgBouncer, the instances connect to PostgreSQL themselves (with prepared statements), to tell
# what PgBouncer costs or saves from what the extra instance and nginx do.
# OV_SCALE_REPLICA=1: also a streaming hot standby of the primary cluster (pg_basebackup of the WHOLE cluster into
# $OV_SCALE_WORK/replica, port OV_SCALE_REPLICA_PORT, 55434), and the public read doors of the instances read from it
# (ConnectionStrings__OpenVeracruzRead, through PgBouncer's <db>_read pool). The primary needs wal_level replica or logical
# and max_wal_senders > 0 (PostgreSQL's defaults; checked, never changed: that would need a restart) and a pg_hba.conf
# line for replication connections from 127.0.0.1, which start appends when it is missing (to the file the primary names
# in `show hba_file`, as the postgres user) and loads with pg_reload_conf(): no restart. stop stops
# the standby and deletes its copy (a standby left stopped falls behind the WAL the primary keeps).
# The LISTEN connections (turn screens, layer changes) go to PgBouncer's <db>_session pool (session mode):
# ConnectionStrings__OpenVeracruzListen.
# Needs nginx and pgbouncer (apt-get install nginx pgbouncer) and a Release build of the API; the database must be
# migrated already (./ov run once, or the ETL CLI): instances reach it through the transaction pool.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
HERE=infra/scale-out
WORK=${OV_SCALE_WORK:-/tmp/ov-scale-out}
DB=${OV_SCALE_DB:-Host=127.0.0.1;Port=55433;Database=openveracruz;Username=openveracruz}
N=${OV_SCALE_INSTANCES:-2}
NGINX_PORT=${OV_SCALE_NGINX_PORT:-5280}
PGB_PORT=${OV_SCALE_PGBOUNCER_PORT:-6433}
REPLICA=${OV_SCALE_REPLICA:-0}
REPLICA_PORT=${OV_SCALE_REPLICA_PORT:-55434}
PGBIN=${OV_SCALE_PGBIN:-/usr/lib/postgresql/15/bin}
log() { printf '[scale-out] %s\n' "$*" >&2; }
# as root, PostgreSQL's programs run as the postgres user (initdb and postgres refuse root)
as_db() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
npgsql() { tr ';' '\n' <<<"$DB" | awk -F= -v k="$1" 'tolower($1)==tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }

stop() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null && log "nginx stopped"
  for f in "$WORK"/api-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && log "API $(basename "$f" .pid) stopped"; rm -f "$f"; done
  [ -f "$WORK/pgbouncer.pid" ] && kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null && log "pgbouncer stopped"
  if [ -f "$WORK/replica/standby.signal" ]; then
    as_db "$PGBIN/pg_ctl" -D "$WORK/replica" -m fast -w stop >/dev/null 2>&1 && log "replica stopped"
    rm -rf "$WORK/replica"
  fi
  true
}

# A hot standby of the primary on 127.0.0.1:$REPLICA_PORT, streaming from it (no slot: nothing is kept on the primary for
# a standby that is gone). Idempotent: a running standby is left as it is.
start_replica() {
  local host=$1 port=$2 dir="$WORK/replica"
  if [ -f "$dir/standby.signal" ] && as_db "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then log "replica already runs on $REPLICA_PORT"; return; fi
  local psql=("$PGBIN/psql" -h "$host" -p "$port" -U postgres -d postgres -Atq)
  local wal senders
  wal=$(as_db "${psql[@]}" -c "show wal_level") senders=$(as_db "${psql[@]}" -c "show max_wal_senders")
  if [ "$wal" = minimal ] || [ "$senders" = 0 ]; then
    log "the primary has wal_level=$wal and max_wal_senders=$senders: set wal_level=replica and max_wal_senders>0 and restart it (not done here)"; exit 1
  fi
  local hba
  hba=$(as_db "${psql[@]}" -c "show hba_file")
  if ! as_db grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$hba"; then
    [ -f "$hba" ] || { log "cannot read $hba: add 'host replication all 127.0.0.1/32 trust' to the primary's pg_hba.conf"; exit 1; }
    log "allowing replication connections from 127.0.0.1 in $hba (reload, no restart)"
    printf '# streaming replicas on this machine (infra/scale-out/start.sh)\nhost  replication all 127.0.0.1/32 trust\n' | as_db tee -a "$hba" >/dev/null
    as_db "${psql[@]}" -c "select pg_reload_conf()" >/dev/null
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  # the standby's server writes its log beside it
  [ "$(id -u)" -eq 0 ] && chown postgres "$WORK" "$dir"
  chmod 700 "$dir"
  log "base backup of $host:$port into $dir (the whole cluster)"
  # -R: standby.signal and primary_conninfo; -X stream: the WAL of the copy's own time comes along
  as_db "$PGBIN/pg_basebackup" -h "$host" -p "$port" -U postgres -D "$dir" -R -X stream -c fast
  # postgresql.auto.conf comes after postgresql.conf (the primary's, copied): these win
  as_db tee -a "$dir/postgresql.auto.conf" >/dev/null <<CONF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hot_standby = on
# long datastore_search_sql reads are not cancelled by the primary's vacuum of rows they still see
hot_standby_feedback = on
max_standby_streaming_delay = 30s
shared_buffers = 128MB
CONF
  as_db "$PGBIN/pg_ctl" -D "$dir" -l "$WORK/replica.log" -w start >/dev/null
  local state
  state=$(as_db "$PGBIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atq -c "select pg_is_in_recovery()")
  [ "$state" = t ] || { log "the copy on $REPLICA_PORT is not a standby; see $WORK/replica.log"; exit 1; }
  log "replica on 127.0.0.1:$REPLICA_PORT (hot standby, streaming from $host:$port)"
}

start() {
  command -v nginx >/dev/null && command -v pgbouncer >/dev/null || { log "needs nginx and pgbouncer (apt-get install nginx pgbouncer)"; exit 1; }
  local dll=api/OpenVeracruz.Api/bin/Release/net10.0/OpenVeracruz.Api.dll
  [ -f "$dll" ] || dotnet build api/OpenVeracruz.Api -c Release -m:1 -v q
  local host port db user pass
  host=$(npgsql Host) port=$(npgsql Port) db=$(npgsql Database) user=$(npgsql Username) pass=$(npgsql Password)
  mkdir -p "$WORK/tile-cache"
  local pooled read="" listen="" read_host=${host:-127.0.0.1} read_port=${port:-5432}
  if [ "$REPLICA" = 1 ]; then start_replica "${host:-127.0.0.1}" "${port:-5432}"; read_host=127.0.0.1 read_port=$REPLICA_PORT; fi
  if [ "${OV_SCALE_POOL:-pgbouncer}" = direct ]; then
    pooled=$DB
    [ "$REPLICA" = 1 ] && read="Host=127.0.0.1;Port=$REPLICA_PORT;Database=$db;Username=$user${pass:+;Password=$pass}"
    log "no PgBouncer: the instances connect to $host:$port/$db themselves"
  else
    # PgBouncer refuses to run as root: as root it runs as the postgres user
    local run_as=() auth=trust
    [ -n "$pass" ] && auth=scram-sha-256
    if [ "$(id -u)" -eq 0 ]; then run_as=(runuser -u postgres --); chown postgres "$WORK"; fi
    # datastore_search_sql logs in as its own role (DatastoreReader): PgBouncer must know it too
    printf '"%s" "%s"\n"ov_datastore_reader" ""\n' "$user" "$pass" >"$WORK/userlist.txt"
    sed -e "s#@DB@#$db#g" -e "s#@PG_HOST@#${host:-127.0.0.1}#g" -e "s#@PG_PORT@#${port:-5432}#g" -e "s#@PORT@#$PGB_PORT#g" \
        -e "s#@READ_HOST@#$read_host#g" -e "s#@READ_PORT@#$read_port#g" \
        -e "s#@WORK@#$WORK#g" -e "s#@AUTH_TYPE@#$auth#g" "$HERE/pgbouncer.ini" >"$WORK/pgbouncer.ini"
    [ "$(id -u)" -eq 0 ] && chown postgres "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
    "${run_as[@]}" pgbouncer -d "$WORK/pgbouncer.ini"
    log "pgbouncer on 127.0.0.1:$PGB_PORT (transaction pooling) → $host:$port/$db"

    # Npgsql through a transaction pool: no DISCARD ALL when a connection returns to Npgsql's own pool (PgBouncer resets
    # nothing in this mode and the statement would be wasted), and no automatic preparation (PgBouncer 1.18 does not carry
    # prepared statements from one server connection to another)
    pooled="Host=127.0.0.1;Port=$PGB_PORT;Database=$db;Username=$user${pass:+;Password=$pass};No Reset On Close=true;Max Auto Prepare=0"
    # the public read doors: the replica's pool (with OV_SCALE_REPLICA=1); LISTEN: the session-mode pool, never the
    # transaction pool (a LISTEN there is lost when the transaction ends)
    [ "$REPLICA" = 1 ] && read="Host=127.0.0.1;Port=$PGB_PORT;Database=${db}_read;Username=$user${pass:+;Password=$pass};No Reset On Close=true;Max Auto Prepare=0"
    listen="Host=127.0.0.1;Port=$PGB_PORT;Database=${db}_session;Username=$user${pass:+;Password=$pass}"
  fi
  local servers=""
  for i in $(seq 1 "$N"); do
    local p=$((NGINX_PORT + i))
    ConnectionStrings__OpenVeracruz="$pooled" ConnectionStrings__OpenVeracruzRead="$read" ConnectionStrings__OpenVeracruzListen="$listen" \
      Network__TrustedProxies__0=127.0.0.1 \
      Appointments__CitizenWritesPerAddressPerMinute=${Appointments__CitizenWritesPerAddressPerMinute:-30} \
      nohup dotnet "$dll" --urls "http://127.0.0.1:$p" --contentRoot "$ROOT/api/OpenVeracruz.Api" >"$WORK/api-$i.log" 2>&1 &
    echo $! >"$WORK/api-$i.pid"
    servers+="        server 127.0.0.1:$p max_fails=3 fail_timeout=10s;\n"
    # one after the other: the first start checks migrations and bundled datasets, the next ones find nothing to do
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$p/api/layers" >/dev/null && break; sleep 1; done
    curl -sf "http://127.0.0.1:$p/api/layers" >/dev/null || { log "API $i did not start; see $WORK/api-$i.log"; exit 1; }
    log "API $i on 127.0.0.1:$p"
  done

  local nuser=www-data; id "$nuser" >/dev/null 2>&1 || nuser=nobody
  awk -v s="$servers" '/@API1@/ { printf "%s", s; next } /@API2@/ { next } { print }' "$HERE/nginx.conf" \
    | sed -e "s#@WORK@#$WORK#g" -e "s#@PORT@#$NGINX_PORT#g" -e "s#@USER@#$nuser#g" | sed 's/\\n/\n/g' >"$WORK/nginx.conf"
  [ "$(id -u)" -eq 0 ] && chown -R "$nuser" "$WORK/tile-cache"
  nginx -c "$WORK/nginx.conf" -p "$WORK" -e "$WORK/nginx-error.log"
  for _ in $(seq 1 20); do curl -sf "http://127.0.0.1:$NGINX_PORT/api/layers" >/dev/null && break; sleep 0.5; done
  log "nginx on 127.0.0.1:$NGINX_PORT → $N instances"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
