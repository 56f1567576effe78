#!/usr/bin/env python3
"""The measurements of bench/run (issue 13); bench/run sets everything up and calls this with its environment.

Sections: bbox (our door, MapServer's OGC API, raw SQL by pgbench, and nginx over two instances with --scale-out),
tiles (our door cold and cached, MapServer's MVT, raw ST_AsMVT), import (our ETL's loader vs ogr2ogr), export (CSV,
GeoJSON, GeoPackage: rows/s and peak RSS of the API process), services (bench/appointments.py, payments.py, wifi.py).
Every server gets the same seeded request list and connection count; rounds interleave the servers; medians are kept.
Figures of this run go to bench/results/<parcels>.json and the report, bench/RESULTS.md, is written from every size kept.
"""
import concurrent.futures, datetime, json, math, os, platform, random, re, shutil, statistics, subprocess, sys, threading, time
import http.client, urllib.error, urllib.parse, urllib.request

E = os.environ
URL, MS, NGINX = E["OV_BENCH_URL"].rstrip("/"), E["OV_BENCH_MS"], E.get("OV_BENCH_NGINX", "")
WORK, SECONDS, ROUNDS = E["OV_BENCH_WORK"], float(E["OV_BENCH_SECONDS"]), int(E["OV_BENCH_ROUNDS"])
CONN, SEED = int(E.get("OV_BENCH_CONNECTIONS", "8")), int(E.get("OV_BENCH_SEED", "13"))
ONLY = set(E.get("OV_BENCH_ONLY", "bbox,tiles,import,export,services").split(","))
PUBLIC = E["OV_BENCH_PUBLIC"].split()
API_PID = E.get("OV_BENCH_API_PID", "")
HERE = os.path.dirname(os.path.abspath(__file__))
THREADS = min(CONN, os.cpu_count() or 2)


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def psql(sql, db=None):
    args = ["psql", "-v", "ON_ERROR_STOP=1", "-qAtc", sql] + (["-d", db] if db else [])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def get(url, timeout=120):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


# ---- load generators ---------------------------------------------------------------------------------------------

WRK_LUA = """-- walks a request list (one path per line) from a per-thread offset; written by bench/suite.py
local paths = {}
for line in io.lines(os.getenv("OV_WRK_PATHS")) do paths[#paths + 1] = line end
local counter = 0
function setup(thread) thread:set("offset", counter); counter = counter + 1 end
function init(args) i = math.floor(offset * #paths / %d) end
function request() i = i + 1; if i > #paths then i = 1 end; return wrk.format("GET", paths[i]) end
"""

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(base, paths_file, seconds=None):
    """requests/s, p50 and p99 in ms, and the non-2xx count of wrk walking the list against base."""
    lua = os.path.join(WORK, "walk.lua")
    with open(lua, "w") as f:
        f.write(WRK_LUA % THREADS)
    out = subprocess.run(["wrk", "-t", str(THREADS), "-c", str(CONN), "-d", f"{int(seconds or SECONDS)}s", "--timeout", "30s",
                          "--latency", "-s", lua, base], env={**E, "OV_WRK_PATHS": paths_file}, capture_output=True, text=True).stdout
    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50": pct(50), "p99": pct(99),
            "non2xx": int(bad.group(1)) if bad else 0, "socket": errors.group(0) if errors else ""}


def pgbench(script, seconds=None):
    """The same figures for a pgbench custom script, same connections; percentiles from its per-transaction log."""
    path = os.path.join(WORK, "pgbench.sql")
    with open(path, "w") as f:
        f.write(script)
    prefix = os.path.join(WORK, "pgblog")
    for name in os.listdir(WORK):
        if name.startswith("pgblog"):
            os.remove(os.path.join(WORK, name))
    out = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", str(CONN), "-j", str(THREADS), "-T", str(int(seconds or SECONDS)),
                          "-f", path, "-l", "--log-prefix", prefix], capture_output=True, text=True, cwd=WORK)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    lat = []
    for name in os.listdir(WORK):
        if name.startswith("pgblog"):
            with open(os.path.join(WORK, name)) as f:
                lat += [int(line.split()[2]) / 1000 for line in f if line.strip()]
    lat.sort()
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    return {"rps": float(m.group(1)) if m else len(lat) / (seconds or SECONDS), "p50": q(0.5), "p99": q(0.99), "non2xx": 0, "socket": ""}


def median_of(runs):
    return {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99")} | {
        "non2xx": sum(r["non2xx"] for r in runs), "runs": [round(r["rps"], 1) for r in runs]} | {
        k: sum(r[k] for r in runs) for k in ("requests", "hits") if all(k in r for r in runs)}


# ---- the parcels and their request lists ---------------------------------------------------------------------------

PARCELS = int(psql("SELECT count(*) FROM cadastre.parcels"))
X1, Y1, X2, Y2 = map(float, psql("SELECT concat_ws(' ', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) FROM "
                                 "(SELECT ST_Extent(geom) e FROM cadastre.parcels) s").split())


def bboxes(km2, n):
    """Seeded bboxes of about km2 inside the parcels' extent, centred on a parcel (so that each one has parcels)."""
    rnd = random.Random(f"{SEED}-{km2}")
    # centres: a seeded sample of parcel centroids, the same for every server (the database picks them by a seeded hash)
    rows = psql(f"SELECT ST_X(c) || ' ' || ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM cadastre.parcels "
                f"ORDER BY md5(clave || '{SEED}-{km2}') LIMIT {n}) s").splitlines()
    side = math.sqrt(km2) * 1000
    out = []
    for r in rows:
        lon, lat = map(float, r.split())
        lon += rnd.uniform(-side, side) / 2 / (111_320 * math.cos(math.radians(lat)))
        lat += rnd.uniform(-side, side) / 2 / 111_320
        dlat = side / 111_320 / 2
        dlon = side / (111_320 * math.cos(math.radians(lat))) / 2
        out.append((lon - dlon, lat - dlat, lon + dlon, lat + dlat))
    return out


def feature_sql(alias="t"):
    """The Feature text our door's LayerSql builds (id, geometry with 7 decimals, the public properties in order)."""
    props = " || ".join(f"'{'{' if i == 0 else ','}\"{p}\":' || COALESCE(to_json({alias}.\"{p}\")::text, 'null')" for i, p in enumerate(PUBLIC))
    return (f"'{{\"type\":\"Feature\",\"id\":' || to_json({alias}.clave)::text || ',\"geometry\":' || "
            f"COALESCE(ST_AsGeoJSON({alias}.geom, 7, 0), 'null') || ',\"properties\":' || {props} || '}}}}'")


def prepare_bbox_lists():
    psql("CREATE SCHEMA IF NOT EXISTS bench; DROP TABLE IF EXISTS bench.bboxes; "
         "CREATE TABLE bench.bboxes (size text, i int, x1 float8, y1 float8, x2 float8, y2 float8, PRIMARY KEY (size, i))")
    lists = {}
    for km2, label in ((1, "1"), (0.01, "0.01")):
        boxes = bboxes(km2, 2000)
        lists[label] = boxes
        with open(os.path.join(WORK, f"bboxes-{label}.csv"), "w") as f:
            for i, b in enumerate(boxes, 1):
                f.write(f"{label},{i},{b[0]:.6f},{b[1]:.6f},{b[2]:.6f},{b[3]:.6f}\n")
        subprocess.run(["psql", "-qc", f"\\copy bench.bboxes FROM '{WORK}/bboxes-{label}.csv' CSV"], check=True)
        q = lambda b: f"bbox={b[0]:.6f},{b[1]:.6f},{b[2]:.6f},{b[3]:.6f}"
        with open(os.path.join(WORK, f"door-{label}.txt"), "w") as f:
            f.writelines(f"/ogc/collections/parcels/items?limit=1000&{q(b)}\n" for b in boxes)
        with open(os.path.join(WORK, f"ms-{label}.txt"), "w") as f:
            f.writelines(f"/cgi-bin/mapserv/parcels/ogcapi/collections/parcels/items?f=json&limit=1000&{q(b)}\n" for b in boxes)
    return lists


def raw_bbox_script(label):
    return (f"\\set i random(1, 2000)\n"
            f"SELECT '{{\"type\":\"FeatureCollection\",\"features\":[' || COALESCE(string_agg(f, ',' ORDER BY k), '') || ']}}' "
            f"FROM (SELECT t.clave k, {feature_sql()} f FROM (SELECT t.* FROM cadastre.parcels t, bench.bboxes b "
            f"WHERE b.size = '{label}' AND b.i = :i AND t.geom && ST_MakeEnvelope(b.x1, b.y1, b.x2, b.y2, 4326) "
            f"AND ST_Intersects(t.geom, ST_MakeEnvelope(b.x1, b.y1, b.x2, b.y2, 4326)) ORDER BY t.clave LIMIT 1000) t) s;\n")


def check_same(lists):
    """The first bbox of each size: how many features each server returns (they must agree)."""
    out = {}
    for label, boxes in lists.items():
        b = boxes[0]
        q = f"limit=1000&bbox={b[0]:.6f},{b[1]:.6f},{b[2]:.6f},{b[3]:.6f}"
        door = json.loads(get(f"{URL}/ogc/collections/parcels/items?{q}")[1])
        ms = json.loads(get(f"{MS}/parcels/ogcapi/collections/parcels/items?f=json&{q}")[1])
        raw = psql(f"SELECT count(*) FROM (SELECT 1 FROM cadastre.parcels t WHERE ST_Intersects(t.geom, "
                   f"ST_MakeEnvelope({b[0]:.6f}, {b[1]:.6f}, {b[2]:.6f}, {b[3]:.6f}, 4326)) LIMIT 1000) s")
        out[label] = {"door": len(door.get("features", [])), "mapserver": len(ms.get("features", [])), "raw": int(raw),
                      "door_props": sorted(door["features"][0]["properties"]) if door.get("features") else [],
                      "ms_props": sorted(ms["features"][0]["properties"]) if ms.get("features") else []}
    return out


def section_bbox(results):
    lists = prepare_bbox_lists()
    results["bbox_check"] = check_same(lists)
    log("bbox: features in the first bbox", results["bbox_check"])
    servers = [("door", lambda label, s=None: wrk(URL, f"{WORK}/door-{label}.txt", s)),
               ("mapserver", lambda label, s=None: wrk(MS.split("/cgi-bin")[0], f"{WORK}/ms-{label}.txt", s)),
               ("raw", lambda label, s=None: pgbench(raw_bbox_script(label), s))]
    if NGINX:
        servers.append(("nginx2", lambda label, s=None: wrk(NGINX, f"{WORK}/door-{label}.txt", s)))
    runs = {(label, s): [] for label in lists for s, _ in servers}
    for label in lists:  # warm-up, not kept: worker start, connections, prepared statements, caches
        for name, run in servers:
            run(label, min(5, SECONDS))
    for r in range(ROUNDS):
        order = servers[r % len(servers):] + servers[:r % len(servers)]
        for label in lists:
            for name, run in order:
                got = run(label)
                runs[(label, name)].append(got)
                log(f"bbox {label} km² round {r + 1} {name}: {got['rps']:.1f} req/s p50 {got['p50']:.1f} ms p99 {got['p99']:.1f} ms"
                    + (f" ({got['non2xx']} non-2xx)" if got["non2xx"] else ""))
    results["bbox"] = {label: {name: median_of(runs[(label, name)]) for name, _ in servers} for label in lists}


# ---- tiles --------------------------------------------------------------------------------------------------------

def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_list(z, n):
    """Distinct tiles holding parcels, in a seeded order: tiles of a seeded sample of parcels."""
    rows = psql(f"SELECT ST_X(c) || ' ' || ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM cadastre.parcels "
                f"ORDER BY md5(clave || '{SEED}-z{z}') LIMIT {n * 20}) s").splitlines()
    seen, out = set(), []
    for r in rows:
        t = tile_of(*map(float, r.split()), z)
        if t not in seen:
            seen.add(t)
            out.append(t)
        if len(out) >= n:
            break
    return out


TILE_TYPES = {k: v.get("type") for k, v in json.loads(get(URL + "/ogc/collections/parcels/queryables")[1])["properties"].items()}
TILE_SETTINGS = json.load(open(os.path.join(os.path.dirname(HERE), "datasets", "predios-sinteticos", "dataset.json")))["layer"].get("tiles") or {}


def raw_tile_script(z):
    """The door's own statement (Tiles/TileSql.cs): buffer 64, feature ids, attributes thinned below fullFromZoom,
    simplified below z16 by 1/512 of the tile; pgbench reads the tile from bench.tiles by a random index."""
    full = TILE_SETTINGS.get("fullFromZoom", 0)
    props = [p for p in PUBLIC if z >= full or p == "clave" or p in TILE_SETTINGS.get("lowZoomProperties", [])]
    cast = {"integer": "bigint", "number": "double precision"}  # as TileSql.Attribute: every other type as text
    cols = "".join(f't."{p}"::{cast.get(TILE_TYPES.get(p), "text")} AS "{p}", ' for p in props)
    geom = "ST_Transform(t.geom, 3857)"
    if z < 16:
        geom = f"ST_Simplify({geom}, {40075016.68557849 / 2 ** z / 512!r}, true)"
    return (f"\\set i random(1, :ntiles)\n"
        f"SELECT COALESCE((SELECT ST_AsMVT(f, 'parcels', 4096, 'g', 'fid') FROM (SELECT (hashtextextended(t.clave::text, 0) & 9007199254740991) AS fid, "
        f"{cols}ST_AsMVTGeom({geom}, ST_TileEnvelope(b.z, b.x, b.y), 4096, 64, true) AS g FROM cadastre.parcels t, bench.tiles b "
        f"WHERE b.z = {z} AND b.i = :i AND t.geom && ST_Transform(ST_TileEnvelope(b.z, b.x, b.y, margin => 64.0 / 4096), 4326)) f "
        f"WHERE f.g IS NOT NULL), ''::bytea);\n")


def hot_count(tiles):
    """How many of a zoom's tiles make the cached working set: 100, or a quarter of the distinct tiles if fewer."""
    return max(1, min(100, len(tiles) // 4))


def cold_pass(host, path_of, z, tiles, seconds):
    """The door building tiles, CONN clients for `seconds`, cycling over the tiles: before each request the client deletes
    that tile from the door's cache (its own psql session, outside the timed request), so every timed request builds its
    tile. A request that still found its tile cached (another client stored it meanwhile) is left out. Throughput by
    Little's law over the timed requests: CONN / mean latency. Also: requests/s, p50, p99 and how many were cold."""
    lat, hits, lock, stop = [], [0], threading.Lock(), time.monotonic() + seconds
    order = iter(tiles * 1000)
    def worker():
        sql = subprocess.Popen(["psql", "-qAtX"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        web = http.client.HTTPConnection(host, timeout=120)  # one keep-alive connection per client, as wrk and pgbench have
        try:
            while time.monotonic() < stop:
                with lock:
                    t = next(order, None)
                if t is None:
                    return
                x, y = t
                sql.stdin.write(f"DELETE FROM tiles.cache WHERE layer = 'parcels' AND z = {z} AND x = {x} AND y = {y}; SELECT 1;\n")
                sql.stdin.flush()
                sql.stdout.readline()
                t0 = time.perf_counter()
                web.request("GET", path_of(x, y))
                r = web.getresponse()
                r.read()
                cached = r.getheader("X-Tile-Cache") == "hit"
                took = (time.perf_counter() - t0) * 1000
                with lock:
                    if cached:
                        hits[0] += 1
                    else:
                        lat.append(took)
        finally:
            web.close()
            sql.stdin.close()
            sql.wait()
    with concurrent.futures.ThreadPoolExecutor(CONN) as pool:
        for f in [pool.submit(worker) for _ in range(CONN)]:
            f.result()
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    rps = CONN * 1000 / statistics.mean(lat) if lat else 0.0
    return {"rps": rps, "p50": q(0.5), "p99": q(0.99), "non2xx": 0, "socket": "", "requests": len(lat), "hits": hits[0]}


def section_tiles(results):
    psql("CREATE SCHEMA IF NOT EXISTS bench; DROP TABLE IF EXISTS bench.tiles; "
         "CREATE TABLE bench.tiles (z int, i int, x int, y int, PRIMARY KEY (z, i))")
    door_tile = lambda z, x, y: f"/ogc/collections/parcels/tiles/WebMercatorQuad/{z}/{y}/{x}"
    tiles, out = {}, {}
    for z in (14, 16):
        tiles[z] = tile_list(z, 4000)
        with open(f"{WORK}/tiles-{z}.csv", "w") as f:
            f.writelines(f"{z},{i},{x},{y}\n" for i, (x, y) in enumerate(tiles[z], 1))
        subprocess.run(["psql", "-qc", f"\\copy bench.tiles FROM '{WORK}/tiles-{z}.csv' CSV"], check=True)
        with open(f"{WORK}/ms-tiles-{z}.txt", "w") as f:
            f.writelines(f"/cgi-bin/mapserv?map=PARCELS&mode=tile&tilemode=gmap&layers=parcels&map.imagetype=mvt&tile={x}+{y}+{z}\n" for x, y in tiles[z])
        # cached: a small working set the door has served already
        with open(f"{WORK}/door-tiles-{z}-hot.txt", "w") as f:
            f.writelines(door_tile(z, x, y) + "\n" for x, y in tiles[z][:hot_count(tiles[z])])
    x, y = tiles[14][0]
    status, body = get(URL + door_tile(14, x, y))
    door_ok = status != 404
    results["tiles_door_status"] = status
    if not door_ok:
        log(f"tiles: our door answers 404 on {door_tile(14, x, y)}: its figures are skipped")
    status, body = get(MS.split("/cgi-bin")[0] + f"/cgi-bin/mapserv?map=PARCELS&mode=tile&tilemode=gmap&layers=parcels&map.imagetype=mvt&tile={x}+{y}+14")
    ms_ok = status == 200 and len(body) > 0
    results["tiles_ms_check"] = {"status": status, "bytes": len(body)}
    runs = {}
    if ms_ok:  # warm-up, not kept: FastCGI workers start, connect and read the table's metadata on their first requests
        for z in (14, 16):
            wrk(MS.split("/cgi-bin")[0], f"{WORK}/ms-tiles-{z}.txt", min(5, SECONDS))
    for r in range(ROUNDS):
        for z in (14, 16):
            ntiles = len(tiles[z])
            jobs = [("raw", lambda: pgbench(raw_tile_script(z).replace(":ntiles", str(ntiles))))]
            if ms_ok:
                jobs.append(("mapserver", lambda: wrk(MS.split("/cgi-bin")[0], f"{WORK}/ms-tiles-{z}.txt")))
            if door_ok:
                def cold(z=z):
                    return cold_pass(urllib.parse.urlsplit(URL).netloc, lambda x, y: door_tile(z, x, y), z, tiles[z][hot_count(tiles[z]):] or tiles[z], SECONDS)
                def hot(z=z):
                    for line in open(f"{WORK}/door-tiles-{z}-hot.txt"):
                        get(URL + line.strip())
                    return wrk(URL, f"{WORK}/door-tiles-{z}-hot.txt")
                jobs += [("door_cold", cold), ("door_cached", hot)]
            jobs = jobs[r % len(jobs):] + jobs[:r % len(jobs)]
            for name, job in jobs:
                got = job()
                runs.setdefault((z, name), []).append(got)
                log(f"tiles z{z} round {r + 1} {name}: {got['rps']:.1f} req/s p50 {got['p50']:.1f} ms p99 {got['p99']:.1f} ms")
    for (z, name), rs in runs.items():
        out.setdefault(str(z), {})[name] = median_of(rs)
    results["tiles"] = out


# ---- import -------------------------------------------------------------------------------------------------------

IMPORT_N = 200_000


def synthetic_geojson(path, n):
    """n synthetic parcels, deterministically: a grid of small quadrilaterals over the cadastre's extent."""
    rnd = random.Random(SEED)
    side = math.ceil(math.sqrt(n))
    dx, dy = (X2 - X1) / side, (Y2 - Y1) / side
    uses = ["habitacional", "comercial", "mixto", "industrial", "equipamiento", "baldio"]
    with open(path, "w") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        for i in range(n):
            cx, cy = X1 + (i % side + 0.5) * dx, Y1 + (i // side + 0.5) * dy
            w, h = dx * rnd.uniform(0.3, 0.45), dy * rnd.uniform(0.3, 0.45)
            ring = [[round(cx - w, 7), round(cy - h, 7)], [round(cx + w, 7), round(cy - h, 7)], [round(cx + w, 7), round(cy + h, 7)],
                    [round(cx - w, 7), round(cy + h, 7)], [round(cx - w, 7), round(cy - h, 7)]]
            props = {"clave": f"{900 + i // 1_000_000:03d}-{i // 1000 % 1000:04d}-{i % 1000:03d}", "zone": 900 + i // 1_000_000,
                     "block": i // 1000 % 1000, "lot": i % 1000, "land_use": uses[rnd.randrange(len(uses))],
                     "land_area_m2": round(rnd.uniform(90, 900), 2), "built_area_m2": round(rnd.uniform(0, 600), 2) if rnd.random() < 0.8 else None,
                     "locality": "Veracruz"}
            f.write(("," if i else "") + json.dumps({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": props},
                                                    separators=(",", ":")) + "\n")
        f.write("]}\n")


def section_import(results):
    repo = os.path.dirname(HERE)
    root = os.path.join(WORK, "import")
    ds = os.path.join(root, "datasets", "bench-import")
    os.makedirs(ds, exist_ok=True)
    open(os.path.join(root, "OpenVeracruz.sln"), "w").close()  # the ETL finds datasets/ next to a solution file
    shutil.copy(os.path.join(repo, "datasets", "organizations.json"), os.path.join(root, "datasets"))  # the catalog sync reads it
    path = os.path.join(ds, "parcels.geojson")
    if not os.path.exists(path):
        log(f"import: writing {IMPORT_N:,} synthetic parcels as GeoJSON")
        synthetic_geojson(path, IMPORT_N)
    props = [("clave", "text"), ("zone", "integer"), ("block", "integer"), ("lot", "integer"), ("land_use", "text"),
             ("land_area_m2", "number"), ("built_area_m2", "number"), ("locality", "text")]
    # the synthetic cadastre's manifest (every catalog field the sync needs), with a layer of its own in a scratch table
    manifest = json.load(open(os.path.join(repo, "datasets", "predios-sinteticos", "dataset.json")))
    manifest |= {"id": "bench-import", "title": "Bench import (synthetic)", "description": "bench/run", "generator": None, "tags": [], "groups": []}
    manifest["layer"] = {"id": "bench_import", "title": "Bench import", "table": "bench.import_etl", "geometryType": "Polygon", "key": "clave",
                         "kind": "reference", "minZoom": 0, "defaultVisible": False, "files": [{"path": "parcels.geojson", "format": "geojson"}],
                         "join": None, "properties": [{"name": n, "type": t, "source": n, "title": n} for n, t in props]}
    with open(os.path.join(ds, "dataset.json"), "w") as f:
        json.dump(manifest, f)
    psql("CREATE SCHEMA IF NOT EXISTS bench")
    cs = f"Host={E['PGHOST']};Port={E['PGPORT']};Database={E['PGDATABASE']};Username={E['PGUSER']}"
    etl = os.path.join(repo, "etl", "bin", "Release", "net10.0", "OpenVeracruz.Etl.dll")
    runs = {"etl": [], "ogr2ogr": []}
    pg = f"PG:host={E.get('PGHOST')} port={E.get('PGPORT')} dbname={E.get('PGDATABASE')} user={E.get('PGUSER')}"
    for r in range(ROUNDS):
        for name in (["etl", "ogr2ogr"] if r % 2 == 0 else ["ogr2ogr", "etl"]):
            if name == "etl":
                # the loader skips a dataset whose table is there with the same hash; the catalog sync made a datastore view on it
                psql("DROP TABLE IF EXISTS bench.import_etl CASCADE")
                t0 = time.perf_counter()
                p = subprocess.run(["dotnet", etl, "import", "datasets/bench-import"], cwd=root, capture_output=True, text=True,
                                   env={**E, "ConnectionStrings__OpenVeracruz": cs})
                took = time.perf_counter() - t0
                if p.returncode != 0:
                    raise RuntimeError(p.stdout[-1500:] + p.stderr[:1500])
                rows = int(psql("SELECT count(*) FROM bench.import_etl"))
            else:
                t0 = time.perf_counter()
                subprocess.run(["ogr2ogr", "-f", "PostgreSQL", pg, path, "-nln", "bench.import_ogr", "-overwrite", "-lco", "GEOMETRY_NAME=geom",
                                "-lco", "SPATIAL_INDEX=GIST", "-nlt", "POLYGON", "--config", "PG_USE_COPY", "YES"], check=True, capture_output=True)
                took = time.perf_counter() - t0
                rows = int(psql("SELECT count(*) FROM bench.import_ogr"))
            runs[name].append({"seconds": took, "rows": rows})
            log(f"import round {r + 1} {name}: {rows:,} rows in {took:.1f} s ({rows / took:,.0f} rows/s)")
    results["import"] = {k: {"seconds": statistics.median(x["seconds"] for x in v), "rows": v[0]["rows"]} for k, v in runs.items()}


# ---- export -------------------------------------------------------------------------------------------------------

def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def section_export(results):
    out = {}
    for fmt in ("csv", "geojson", "gpkg"):
        peak, done = [0], threading.Event()
        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], status_kb(API_PID, "VmRSS"))
                time.sleep(0.05)
        before = status_kb(API_PID, "VmRSS")
        th = threading.Thread(target=sample)
        th.start()
        t0, size = time.perf_counter(), 0
        with urllib.request.urlopen(f"{URL}/downloads/parcels.{fmt}", timeout=3600) as r:
            while chunk := r.read(1 << 20):
                size += len(chunk)
        took = time.perf_counter() - t0
        done.set()
        th.join()
        out[fmt] = {"seconds": took, "rows_per_s": PARCELS / took, "bytes": size, "rss_before_mb": before / 1024,
                    "rss_peak_mb": peak[0] / 1024, "hwm_mb": status_kb(API_PID, "VmHWM") / 1024}
        log(f"export {fmt}: {PARCELS / took:,.0f} rows/s, {size / 1e6:.1f} MB, RSS {before / 1024:.0f} → peak {peak[0] / 1024:.0f} MB")
    results["export"] = out


# ---- services -----------------------------------------------------------------------------------------------------

def section_services(results):
    out = {}
    for script, args in (("appointments.py", ["16", "3"]), ("payments.py", []), ("wifi.py", [])):
        path = os.path.join(HERE, script)
        if not os.path.exists(path):
            out[script] = "not present on this branch"
            continue
        p = subprocess.run([sys.executable, path] + args, capture_output=True, text=True, timeout=1800,
                           env={**E, "OV_URL": URL, "OV_DB": E["PGDATABASE"], "OV_PG_PORT": E.get("PGPORT", "55433")})
        out[script] = (p.stdout.strip() or "") + (f"\n(exit {p.returncode}: {p.stderr.strip()[-600:]})" if p.returncode else "")
        log(f"services {script}:\n{out[script]}")
    results["services"] = out


# ---- report -------------------------------------------------------------------------------------------------------

def main():
    started = datetime.datetime.now(datetime.timezone.utc)
    results = {"parcels": PARCELS, "date": started.strftime("%Y-%m-%d %H:%M UTC"), "seconds": SECONDS, "rounds": ROUNDS,
               "connections": CONN, "seed": SEED, "mapserver_workers": int(E.get("OV_BENCH_MS_WORKERS", "8")),
               "nproc": os.cpu_count(), "free_g": subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.strip(),
               "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor()),
               "load": os.getloadavg(), "note": E.get("OV_BENCH_NOTE", ""), "scale_out": bool(NGINX),
               "scale_out_replica": bool(NGINX) and E.get("OV_SCALE_REPLICA") == "1"}
    keep = os.path.join(HERE, "results", f"{PARCELS}.json")
    previous = json.load(open(keep)) if os.path.exists(keep) else {}
    os.makedirs(os.path.dirname(keep), exist_ok=True)
    for name, fn in (("bbox", section_bbox), ("tiles", section_tiles), ("import", section_import), ("export", section_export), ("services", section_services)):
        if name in ONLY:
            log(f"— {name} —")
            fn(results)
        elif name in previous:
            results[name] = previous[name]
            results |= {k: previous[k] for k in ("bbox_check", "tiles_door_status", "tiles_ms_check") if k in previous and k.startswith(name)}
        save(results, keep)  # after every section: a later failure keeps what was measured


def save(results, keep):
    results["load_after"] = os.getloadavg()
    with open(keep, "w") as f:
        json.dump(results, f, indent=1)
    import report
    out = E.get("OV_BENCH_OUT", os.path.join(HERE, "RESULTS.md"))
    with open(out, "w") as f:
        f.write(report.render(os.path.dirname(keep)))
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
