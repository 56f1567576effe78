#!/usr/bin/env bash
# Vector tiles of the parcels layer at z14 and z16: the door cold (cache emptied), the door cached, and the raw
# ST_AsMVT statement in psql (the same shape as Tiles/TileSql.cs: thinned to the clave and simplified at z14).
# Every tile that covers the parcels' extent at that zoom (at most $MAX_TILES), one keep-alive curl / one psql session.
# Needs the platform on $OV_URL and psql access to its database ($OV_DB, default openveracruz); it empties tiles.cache
# for the parcels layer (the cache refills on the next requests). Prints tiles/second.
set -euo pipefail
URL=${OV_URL:-http://localhost:5080}
DB=${OV_DB:-openveracruz}
MAX_TILES=${MAX_TILES:-400}
PSQL=(psql -h 127.0.0.1 -p "${OV_PG_PORT:-55433}" -U openveracruz -d "$DB" -qAt)
props=$(curl -sf "$URL/ogc/collections/parcels/queryables" | python3 -c "import json,sys; print(' '.join(k for k in json.load(sys.stdin)['properties'] if k!='geom'))")
types=$(curl -sf "$URL/ogc/collections/parcels/queryables" | python3 -c "
import json,sys
for k,v in json.load(sys.stdin)['properties'].items():
    if k!='geom': print(k, v.get('type','string'))")
extent=$("${PSQL[@]}" -c "SELECT concat_ws(' ', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) FROM (SELECT ST_Extent(geom) e FROM cadastre.parcels) s")

for z in 14 16; do
  tiles=$(python3 - "$z" "$MAX_TILES" $extent <<'PY'
import math, sys
z, most = int(sys.argv[1]), int(sys.argv[2])
w, s, e, n = map(float, sys.argv[3:7])
def tile(lon, lat):
    k = 2 ** z
    return int((lon + 180) / 360 * k), int((1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * k)
(x1, y1), (x2, y2) = tile(w, n), tile(e, s)
out = [(x, y) for y in range(y1, y2 + 1) for x in range(x1, x2 + 1)][:most]
print(" ".join(f"{x},{y}" for x, y in out))
PY
)
  count=$(wc -w <<< "$tiles")
  # the raw statement: every public property from z15 on, the clave alone below; simplification below z16
  cols="(hashtextextended(t.clave::text, 0) & 9007199254740991) AS fid, t.clave::text AS clave, "
  if (( z >= 15 )); then
    cols=""; cols="(hashtextextended(t.clave::text, 0) & 9007199254740991) AS fid, "
    while read -r name type; do
      case $type in integer) cast=bigint;; number) cast="double precision";; *) cast=text;; esac
      cols+="t.\"$name\"::$cast AS \"$name\", "
    done <<< "$types"
  fi
  geom="ST_Transform(t.geom, 3857)"
  (( z < 16 )) && geom="ST_Simplify($geom, (40075016.68557849 / 2 ^ $z) / 512, true)"
  : > /tmp/ov-bench-tiles.sql
  args=()
  for xy in $tiles; do
    x=${xy%,*}; y=${xy#*,}
    echo "WITH b AS (SELECT ST_TileEnvelope($z, $x, $y) AS env, ST_Transform(ST_TileEnvelope($z, $x, $y, margin => 0.0625), 4326) AS area), f AS (SELECT ${cols}ST_AsMVTGeom($geom, b.env, 4096, 256, true) AS g FROM cadastre.parcels t, b WHERE t.geom && b.area) SELECT length(COALESCE((SELECT ST_AsMVT(f, 'parcels', 4096, 'g', 'fid') FROM f WHERE g IS NOT NULL), ''::bytea));" >> /tmp/ov-bench-tiles.sql
    args+=("$URL/ogc/collections/parcels/tiles/WebMercatorQuad/$z/$y/$x" -o /dev/null)
  done
  t0=$(date +%s.%N)
  "${PSQL[@]}" -f /tmp/ov-bench-tiles.sql > /dev/null
  t1=$(date +%s.%N)
  "${PSQL[@]}" -c "DELETE FROM tiles.cache WHERE layer = 'parcels'" > /dev/null
  t2=$(date +%s.%N)
  curl -sf "${args[@]}"
  t3=$(date +%s.%N)
  curl -sf "${args[@]}"
  t4=$(date +%s.%N)
  bytes=$("${PSQL[@]}" -c "SELECT coalesce(sum(size), 0) FROM tiles.cache WHERE layer = 'parcels' AND z = $z")
  python3 - "$z" "$count" "$bytes" "$t0" "$t1" "$t2" "$t3" "$t4" <<'PY'
import sys
z, n, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t0, t1, t2, t3, t4 = map(float, sys.argv[4:])
raw, cold, cached = n / (t1 - t0), n / (t3 - t2), n / (t4 - t3)
print(f"z{z}: {n} tiles, {size / max(n, 1) / 1024:.1f} KiB average | raw ST_AsMVT (psql) {raw:.0f} tiles/s | door cold {cold:.0f} tiles/s "
      f"({cold / raw:.2f}x raw) | door cached {cached:.0f} tiles/s ({cached / raw:.1f}x raw)")
PY
done
