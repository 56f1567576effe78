#!/usr/bin/env bash
# OGC items throughput against raw SQL on 1,000-feature pages of the parcels layer.
# Needs the platform running (./ov run) on $OV_URL and the local cluster. Prints pages/second for both.
set -euo pipefail
URL=${OV_URL:-http://localhost:5080}
PAGES=${PAGES:-40}
PSQL=(psql -h 127.0.0.1 -p "${OV_PG_PORT:-55433}" -U openveracruz -d openveracruz -qAt)
props=$(curl -s "$URL/ogc/collections/parcels/queryables" | python3 -c "import json,sys; print(','.join(k for k in json.load(sys.stdin)['properties'] if k!='geom'))")
build=""
for p in ${props//,/ }; do build+="'$p', t.\"$p\", "; done
sql_for() { echo "SELECT json_build_object('type','Feature','id',t.clave,'geometry',ST_AsGeoJSON(t.geom,7)::json,'properties',json_build_object(${build%, }))::text FROM (SELECT * FROM cadastre.parcels ORDER BY clave LIMIT 1000 OFFSET $1) t ORDER BY t.clave;"; }
# one psql session for every page: the baseline pays no process start-up per page
for i in $(seq 0 $((PAGES-1))); do sql_for $((i*1000)); done > /tmp/ov-bench.sql
t0=$(date +%s.%N)
"${PSQL[@]}" -f /tmp/ov-bench.sql > /dev/null
t1=$(date +%s.%N)
# one curl for every page: a single keep-alive connection, like the single psql session
args=(); for i in $(seq 0 $((PAGES-1))); do args+=("$URL/ogc/collections/parcels/items?limit=1000&offset=$((i*1000))" -o /dev/null); done
curl -sf "${args[@]}"
t2=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" "$PAGES" <<'PY'
import sys
t0, t1, t2, n = map(float, sys.argv[1:])
raw, ogc = n / (t1 - t0), n / (t2 - t1)
print(f"raw SQL (psql): {raw:.1f} pages/s   OGC items: {ogc:.1f} pages/s   ratio {ogc/raw:.2f}")
PY
