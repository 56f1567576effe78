"""Writes bench/RESULTS.md from bench/results/<parcels>.json (every cadastre size measured so far); used by suite.py.

  python3 bench/report.py > bench/RESULTS.md     (again, from the kept figures, without measuring)
"""
import glob, json, math, os, sys

SIZES = {"1": "~1 km²", "0.01": "~0.01 km²"}


def f(x, d=1):
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{d}f}"


def verdict(ok):
    return "met" if ok else "**missed**"


def ratio(a, b):
    return a / b if a and b else float("nan")


def render(folder):
    runs = sorted((json.load(open(p)) for p in glob.glob(os.path.join(folder, "*.json"))), key=lambda r: r["parcels"])
    if not runs:
        return "# Benchmarks\n\nNo figures yet: run `bench/run`.\n"
    main = min(runs, key=lambda r: abs(r["parcels"] - 50_000))
    L = ["# Benchmarks (issue 13)", "",
         "Written by `bench/run` (see its header and docs/SCALING.md); do not edit by hand — run it again.", ""]
    for r in runs:
        if r.get("note"):
            L += [f"> **{r['note']}** ({r['parcels']:,} parcels, {r['date']})", ""]
    m = main
    L += [f"**Run**: {m['date']} · {m['parcels']:,} parcels · {m['connections']} connections · {m['rounds']} rounds of "
          f"{m['seconds']:g} s per server, interleaved, medians · seed {m['seed']} · MapServer: {m['mapserver_workers']} FastCGI workers under lighttpd", "",
          f"**Machine**: {m['nproc']} CPUs ({m['cpu']}), load average {m['load'][0]:.1f} at the start and {m.get('load_after', [float('nan')])[0]:.1f} at the end", "",
          "```", m["free_g"], "```", ""]

    # 1. bbox
    if "bbox" in m:
        L += ["## 1. bbox items (`limit=1000`)", "",
              "Same seeded list of 2,000 bboxes per size for every server (centred near a parcel, inside the cadastre), walked by wrk "
              "(a Lua script) or drawn by pgbench from a table of the same bboxes; raw SQL builds the same FeatureCollection text "
              "(the door's Feature expression, `ORDER BY clave LIMIT 1000`) in one statement.", ""]
        chk = m.get("bbox_check", {})
        if chk:
            L += ["Features in the first bbox: " + "; ".join(
                f"{SIZES[k]}: door {v['door']}, MapServer {v['mapserver']}, SQL {v['raw']}" for k, v in chk.items()), ""]
        L += ["| bbox | server | req/s | p50 ms | p99 ms | req/s per round |", "|---|---|--:|--:|--:|---|"]
        names = {"door": "our door", "mapserver": "MapServer 8", "raw": "raw SQL (pgbench)", "nginx2": "nginx → 2 API instances → PgBouncer"}
        for k, servers in m["bbox"].items():
            for s, v in servers.items():
                L.append(f"| {SIZES[k]} | {names[s]} | {f(v['rps'])} | {f(v['p50'])} | {f(v['p99'])} | {', '.join(map(str, v['runs']))}"
                         + (f" ({v['non2xx']} non-2xx)" if v["non2xx"] else "") + " |")
        L += ["", "| target | figure | |", "|---|--:|---|"]
        for k, want in (("1", 3), ("0.01", 5)):
            b = m["bbox"][k]
            r = ratio(b["door"]["rps"], b["mapserver"]["rps"])
            L.append(f"| {SIZES[k]}: door ≥ {want}× MapServer | {f(r, 2)}× | {verdict(r >= want)} |")
        for k in m["bbox"]:
            b = m["bbox"][k]
            r = ratio(b["door"]["rps"], b["raw"]["rps"])
            p = ratio(b["door"]["p99"], b["raw"]["p99"])
            L.append(f"| {SIZES[k]}: door ≥ 0.7× raw SQL req/s | {f(r, 2)}× | {verdict(r >= 0.7)} |")
            L.append(f"| {SIZES[k]}: door p99 ≤ 1.5× raw SQL's | {f(p, 2)}× | {verdict(p <= 1.5)} |")
        L.append("")
        if any("nginx2" in v for v in m["bbox"].values()):
            replica = m.get("scale_out_replica")
            L += ["**Scale-out** (two API processes behind nginx, one PgBouncer in transaction mode, on the same machine"
                  + (", the public doors reading from a streaming hot standby on the same machine" if replica else "") + "):", ""]
            for k, b in m["bbox"].items():
                L.append(f"- {SIZES[k]}: {f(ratio(b['nginx2']['rps'], b['door']['rps']), 2)}× the requests/s of one instance direct, "
                         f"p99 {f(b['nginx2']['p99'])} ms vs {f(b['door']['p99'])} ms")
            L += ["", "On one machine the two instances share its cores with PostgreSQL and the load generator: the figure shows the cost "
                  "of the extra hop (nginx, PgBouncer) more than any gain; the gain comes from instances on machines of their own "
                  "(docs/SCALING.md). The instances behind PgBouncer also run without prepared statements (`Max Auto Prepare=0`: "
                  "PgBouncer 1.18, Debian 12's, cannot carry them), so every items statement is parsed and planned again — "
                  "visible on the cheap 0.01 km² requests; PgBouncer ≥ 1.21 with `max_prepared_statements` removes that cost.", ""]

    # 2. tiles
    L += ["## 2. MVT tiles (z14, z16)", ""]
    if "tiles" in m:
        if m.get("tiles_door_status") == 404:
            L += [f"Our door's tile endpoint (`/ogc/collections/parcels/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}`) answered 404 on this "
                  "build: its figures (cold and cached) are skipped until it lands; run `bench/run --only tiles` then.", ""]
        L += ["Tiles: distinct tiles holding parcels, in a seeded order. Raw: the door's own statement (`Tiles/TileSql.cs`: "
              "`ST_AsMVT` over `ST_AsMVTGeom`, extent 4096, buffer 64, feature ids, attributes thinned below z15, simplified below "
              "z16) by pgbench; MapServer: `mode=tile&tilemode=gmap&map.imagetype=mvt`; door cold: the tiles outside the cached "
              "set, cycled by the clients, each one deleted from the door's cache just before it is asked (in the client's own "
              "psql session, outside the timed request), tiles/s by Little's law (clients ÷ mean latency); door cached: a "
              "working set of 100 tiles (a quarter of the distinct tiles if fewer) already served, walked by wrk.", "",
              "| zoom | server | tiles/s | p50 ms | p99 ms |", "|---|---|--:|--:|--:|"]
        for z, servers in m["tiles"].items():
            for s, v in servers.items():
                L.append(f"| z{z} | {s.replace('_', ' ')} | {f(v['rps'])} | {f(v['p50'])} | {f(v['p99'])} |")
        L.append("")
        for z, t in m["tiles"].items():
            if "door_cold" in t:
                L.append(f"- z{z}: cold {f(ratio(t['door_cold']['rps'], t['raw']['rps']), 2)}× raw (target ≥ 0.9), "
                         f"{f(ratio(t['door_cold']['rps'], t.get('mapserver', {}).get('rps')), 2)}× MapServer (≥ 1), "
                         f"{t['door_cold'].get('requests', '?')} cold requests in all rounds, "
                         f"cached {f(ratio(t['door_cached']['rps'], t['raw']['rps']), 2)}× raw (≥ 10)")
        L.append("")
    else:
        L += ["Not run.", ""]

    # 3. import
    L += ["## 3. Import of 200,000 parcels from GeoJSON", ""]
    if "import" in m:
        i = m["import"]
        L += ["| loader | rows | seconds | rows/s |", "|---|--:|--:|--:|"]
        for k, v in i.items():
            L.append(f"| {'our ETL (`etl -- import`: streaming reader, binary COPY, indexes after, swap, catalog sync)' if k == 'etl' else '`ogr2ogr -f PostgreSQL` (COPY, GiST index)'} "
                     f"| {v['rows']:,} | {f(v['seconds'])} | {f(v['rows'] / v['seconds'], 0)} |")
        r = ratio(i["ogr2ogr"]["seconds"], i["etl"]["seconds"])
        L += ["", f"Target: no slower than ogr2ogr — {f(r, 2)}× its speed, {verdict(r >= 1)}. The ETL's time includes the .NET start "
              "and the migration check (about 1–2 s), as ogr2ogr's includes its own start.", ""]
    else:
        L += ["Not run.", ""]

    # 4. export
    L += ["## 4. Full exports", ""]
    if "export" in m:
        L += [f"All {m['parcels']:,} parcels; peak RSS of the API process sampled every 50 ms from /proc/<pid>/status (VmRSS), "
              "and its lifetime high-water mark (VmHWM) after the export.", "",
              "| format | seconds | rows/s | MB | RSS before MB | RSS peak MB | growth MB | VmHWM MB |", "|---|--:|--:|--:|--:|--:|--:|--:|"]
        for k, v in m["export"].items():
            L.append(f"| {k} | {f(v['seconds'])} | {f(v['rows_per_s'], 0)} | {f(v['bytes'] / 1e6)} | {f(v['rss_before_mb'], 0)} | "
                     f"{f(v['rss_peak_mb'], 0)} | {f(v['rss_peak_mb'] - v['rss_before_mb'], 0)} | {f(v['hwm_mb'], 0)} |")
        L += ["", "Target: flat memory, < 200 MB peak RSS at 1,000,000 rows (run `bench/run --parcels 1000000`); the growth "
              "during an export (peak − before) is what the target is about.", ""]
    else:
        L += ["Not run.", ""]

    # 5. scale
    L += ["## 5. How cost grows with the cadastre", ""]
    with_bbox = [r for r in runs if "bbox" in r]
    if len(with_bbox) > 1:
        L += ["| parcels | bbox | door req/s | door p50 ms | MapServer req/s | raw req/s |", "|--:|---|--:|--:|--:|--:|"]
        for r in with_bbox:
            for k, b in r["bbox"].items():
                L.append(f"| {r['parcels']:,} | {SIZES[k]} | {f(b['door']['rps'])} | {f(b['door']['p50'])} | {f(b['mapserver']['rps'])} | {f(b['raw']['rps'])} |")
        small, big = with_bbox[0], with_bbox[-1]
        for k in small["bbox"]:
            r = ratio(big["bbox"][k]["door"]["p50"], small["bbox"][k]["door"]["p50"])
            L.append(f"\n- {SIZES[k]}: door p50 at {big['parcels']:,} is {f(r, 2)}× that at {small['parcels']:,} (target ≤ 1.5: {verdict(r <= 1.5)})")
        L.append("")
        L += ["Features per page differ: the synthetic cadastre of 1,000,000 parcels is also denser in the centre, so the same "
              "bboxes return more features (see *Why* below).", ""]
        tiled = [r for r in runs if "tiles" in r]
        if len(tiled) > 1:
            L += ["| parcels | zoom | raw tiles/s | MapServer tiles/s | door cold tiles/s | door cached tiles/s |", "|--:|---|--:|--:|--:|--:|"]
            for r in tiled:
                for z, t in r["tiles"].items():
                    L.append(f"| {r['parcels']:,} | z{z} | {f(t['raw']['rps'])} | {f(t.get('mapserver', {}).get('rps'))} | "
                             f"{f(t.get('door_cold', {}).get('rps'))} | {f(t.get('door_cached', {}).get('rps'))} |")
            L.append("")
        exported = [r for r in runs if "export" in r]
        if len(exported) > 1:
            L += ["| parcels | format | rows/s | MB | RSS before MB | RSS peak MB | growth MB |", "|--:|---|--:|--:|--:|--:|--:|"]
            for r in exported:
                for fmt, e in r["export"].items():
                    if isinstance(e, dict) and "rows_per_s" in e:
                        L.append(f"| {r['parcels']:,} | {fmt} | {f(e['rows_per_s'], 0)} | {f(e.get('bytes', 0) / 1e6)} | {f(e.get('rss_before_mb'), 0)} | "
                                 f"{f(e.get('rss_peak_mb'), 0)} | {f(e.get('rss_peak_mb', 0) - e.get('rss_before_mb', 0), 0)} |")
            L.append("")
    else:
        L += ["Only one size measured so far; `bench/run --parcels 1000000` adds the 1M column (its own database and API process).", ""]

    # 6. services
    L += ["## 6. Service benchmarks", ""]
    if "services" in m:
        for k, v in m["services"].items():
            L += [f"`bench/{k}`:", "", "```", v, "```", ""]
    else:
        L += ["Not run.", ""]
    L += ["## Why a target is missed and what would close it", "",
          "- **The machine.** Two cores run the API, PostgreSQL, MapServer and the load generator at once, and the VM's speed "
          "varies between runs: the same build and settings measured twice in a row gave 1,808 and 923 req/s on 0.01 km² "
          "pages. Only ratios within one interleaved run mean anything; absolute figures do not carry from run to run.",
          "- **bbox vs raw SQL**: the door runs the same statement (prepared) and copies each feature's UTF-8 from PostgreSQL "
          "into the response without decoding it; the properties' SQL is built once per layer and the links are written "
          "without a JSON document. What is left is spread thin (perf, 0.01 km² pages): Kestrel and the middleware "
          "(authentication, the static-file probe, status pages) about a third, Npgsql about a third (it parses the "
          "named-parameter SQL on every execution, ~3 %), the handler and the stream the rest — about 0.5 ms of CPU per "
          "request that raw pgbench does not spend, on the same two cores as PostgreSQL. p99: each request hops "
          "wrk → Kestrel → Npgsql → a PostgreSQL backend and back, on two cores shared by 8 backends, the API's threads "
          "and wrk; pgbench has one hop. Tried without a consistent gain beyond the VM's variance: workstation GC, no "
          "thread-pool spinning, a larger gen0. What would close it: the API on cores of its own (the scale-out deployment), "
          "Npgsql multiplexing (fewer hops), positional parameters (no SQL parsing).",
          "- **`ORDER BY clave` before `LIMIT`** (stable offset paging): the inner page query reads, tests and sorts every "
          "match of the bbox — for a 1 km² bbox of the 50,000-parcel cadastre ~1,500 matches: ~6.5–9.8 ms ordered by clave, "
          "~6.5 ms by the integer id, ~3 ms unordered (stops at 1,001 rows). Any total order needs every match and GiST gives "
          "no order, so clave stays (a cheaper comparator does not help); keyset paging (`clave > last`) saves only what "
          "OFFSET skips on later pages.",
          "- **bbox vs MapServer**: MapServer builds each feature in C from the rows; every server is CPU-starved here and "
          "ratios drift towards 1.",
          "- **tiles cold**: the door runs the same statement as raw, then sends the tile (hundreds of kB at z14 through "
          "Kestrel), hashes it for the ETag, and writes it to `tiles.cache` after answering — the client does not wait for "
          "the write, but on two cores it takes CPU the next builds need; plus one look-up before each build. On a machine "
          "where PostgreSQL has cores of its own the build dominates and the ratio nears 1.",
          "- **tiles cached**: hot tiles are served from the instance's memory (rechecked against `tiles.cache` once a "
          "second); what is left per request is Kestrel.",
          "- **import**: the loader streams the file (Utf8JsonReader over a 1 MiB window) into binary COPY, builds the key "
          "and GiST index after it and proves simple rings valid before NTS's full check; what remains against ogr2ogr is "
          "the catalog sync's EF Core model and first queries (~2.5 s of CPU: a compiled EF model would remove most of it) "
          "and the .NET start.",
          "- **exports**: the exports stream (the growth during one is a few MB); the peak RSS is the process's baseline, "
          "~190 MB right after the start whatever the GC (server, workstation, or a 96 MB managed-heap limit): JIT'd code "
          "(mapped twice under W^X), the runtime and the libraries (EF Core, OData, Swagger, NTS, Hangfire). What would "
          "close it: loading less at start (Swagger and the OData model on first use), ReadyToRun/composite images, or the "
          "exports in a lean worker process of their own. At 1,000,000 parcels the instance had served the tile benchmark "
          "first: its hot tiles in memory (up to `Tiles:MemoryMaxBytes`, 64 MB) and multi-MB z14 tiles raised the "
          "baseline to ~375 MB; the growth during each export stayed at 15 MB or less.",
          "- **p50 at 1M**: the synthetic cadastre of 1,000,000 parcels is not only larger but denser in the centre "
          "(a 1.1 km² box near the centre holds 2,813 parcels at 50,000 and 16,180 at 1,000,000): the same bboxes return up "
          "to 6× more features and the 1 km² page sorts ~6× more matches. The growth in the table is the data per page; "
          "the index look-up itself grows with log n.", ""]
    return "\n".join(L)


if __name__ == "__main__":
    sys.stdout.write(render(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")))
