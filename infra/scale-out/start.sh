#!/usr/bin/env bash
# Several OpenVeracruz API instances behind nginx, with PgBouncer in front of PostgreSQL, on this machine (docs/SCALING.md).
#   infra/scale-out/start.sh start    PgBouncer (127.0.0.1:6433), two API instances (5281, 5282) and nginx (5280)
#   infra/scale-out/start.sh stop     stops what start started (by the pids it wrote)
# OV_SCALE_DB: Npgsql connection string of PostgreSQL itself (default: the local cluster's openveracruz database);
# OV_SCALE_INSTANCES (2), OV_SCALE_NGINX_PORT (5280), OV_SCALE_PGBOUNCER_PORT (6433), OV_SCALE_WORK (/tmp/ov-scale-out);
# OV_SCALE_POOL=direct: no PgBouncer, the instances connect to PostgreSQL themselves (with prepared statements), to tell
# what PgBouncer costs or saves from what the extra instance and nginx do.
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
log() { printf '[scale-out] %s\n' "$*" >&2; }
npgsql() { tr ';' '\n' <<<"$DB" | awk -F= -v k="$1" 'tolower($1)==tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }

stop() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null && log "nginx stopped"
  for f in "$WORK"/api-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && log "API $(basename "$f" .pid) stopped"; rm -f "$f"; done
  [ -f "$WORK/pgbouncer.pid" ] && kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null && log "pgbouncer stopped"
  true
}

start() {
  command -v nginx >/dev/null && command -v pgbouncer >/dev/null || { log "needs nginx and pgbouncer (apt-get install nginx pgbouncer)"; exit 1; }
  local dll=api/OpenVeracruz.Api/bin/Release/net10.0/OpenVeracruz.Api.dll
  [ -f "$dll" ] || dotnet build api/OpenVeracruz.Api -c Release -m:1 -v q
  local host port db user pass
  host=$(npgsql Host) port=$(npgsql Port) db=$(npgsql Database) user=$(npgsql Username) pass=$(npgsql Password)
  mkdir -p "$WORK/tile-cache"
  local pooled
  if [ "${OV_SCALE_POOL:-pgbouncer}" = direct ]; then
    pooled=$DB
    log "no PgBouncer: the instances connect to $host:$port/$db themselves"
  else
    # PgBouncer refuses to run as root: as root it runs as the postgres user
    local run_as=() auth=trust
    [ -n "$pass" ] && auth=scram-sha-256
    if [ "$(id -u)" -eq 0 ]; then run_as=(runuser -u postgres --); chown postgres "$WORK"; fi
    printf '"%s" "%s"\n' "$user" "$pass" >"$WORK/userlist.txt"
    sed -e "s#@DB@#$db#g" -e "s#@PG_HOST@#${host:-127.0.0.1}#g" -e "s#@PG_PORT@#${port:-5432}#g" -e "s#@PORT@#$PGB_PORT#g" \
        -e "s#@WORK@#$WORK#g" -e "s#@AUTH_TYPE@#$auth#g" "$HERE/pgbouncer.ini" >"$WORK/pgbouncer.ini"
    [ "$(id -u)" -eq 0 ] && chown postgres "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
    "${run_as[@]}" pgbouncer -d "$WORK/pgbouncer.ini"
    log "pgbouncer on 127.0.0.1:$PGB_PORT (transaction pooling) → $host:$port/$db"

    # Npgsql through a transaction pool: no DISCARD ALL when a connection returns to Npgsql's own pool (PgBouncer resets
    # nothing in this mode and the statement would be wasted), and no automatic preparation (PgBouncer 1.18 does not carry
    # prepared statements from one server connection to another)
    pooled="Host=127.0.0.1;Port=$PGB_PORT;Database=$db;Username=$user${pass:+;Password=$pass};No Reset On Close=true;Max Auto Prepare=0"
  fi
  local servers=""
  for i in $(seq 1 "$N"); do
    local p=$((NGINX_PORT + i))
    ConnectionStrings__OpenVeracruz="$pooled" Network__TrustedProxies__0=127.0.0.1 \
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
