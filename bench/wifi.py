#!/usr/bin/env python3
"""WiFi hourly reports accepted per second from S simulated sites (default 500).

Creates S bench sites (code BENCH-0001 …) with one controller key each, written straight into the database (the key's
SHA-256 as the platform stores it), then every site's controller sends its hourly reports for the last H hours
(default 24) concurrently with C workers (default 32): S × H reports. Reports accepted per second, p50/p99 latency,
and a check that the database holds exactly S × H rows for the bench sites (resent hours replace, never add). A second
pass resends every report (all must answer 200 "replaced") and the count must not move.

Needs the platform on $OV_URL and psql access to its database ($OV_DB, default the local cluster's openveracruz).
The bench sites are removed at the end (their reports go with them).
Usage: bench/wifi.py [sites=500] [hours=24] [workers=32]
"""
import concurrent.futures, datetime, hashlib, json, os, secrets, statistics, subprocess, sys, time, urllib.error, urllib.request

URL = os.environ.get("OV_URL", "http://localhost:5080")
DB = os.environ.get("OV_DB", "openveracruz")
SITES = int(sys.argv[1]) if len(sys.argv) > 1 else 500
HOURS = int(sys.argv[2]) if len(sys.argv) > 2 else 24
WORKERS = int(sys.argv[3]) if len(sys.argv) > 3 else 32


def psql(sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", os.environ.get("OV_PG_PORT", "55433"), "-U", "openveracruz", "-d", DB, "-qAtc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def make_sites():
    keys = {}
    rows = []
    for i in range(1, SITES + 1):
        code = f"BENCH-{i:04d}"
        key = "ovw_" + secrets.token_hex(24)
        keys[code] = key
        rows.append((code, hashlib.sha256(key.encode()).hexdigest().upper(), key[:12]))
    values = ",".join(f"('{c}', 'Sitio de prueba {c}', 'plaza', 'Banco de pruebas', 'operating', now(), 100, '08:00–20:00', 1, 'aproximada', "
                      f"ST_SetSRID(ST_MakePoint(-96.14, 19.18), 4326), now())" for c, _, _ in rows)
    psql("INSERT INTO wifi.sites (code, name, place, address, status, status_since, coverage_radius_m, hours, access_points, location, geom, monitored_since) "
         f"VALUES {values} ON CONFLICT (code) DO NOTHING")
    keyvalues = ",".join(f"(gen_random_uuid(), (SELECT id FROM wifi.sites WHERE code = '{c}'), '{h}', '{p}', now(), 'bench')" for c, h, p in rows)
    psql(f"INSERT INTO wifi.site_keys (id, site_id, hash, prefix, created, created_by) VALUES {keyvalues}")
    return keys


def send(key, hour, sessions):
    body = json.dumps({"hour": hour, "sessions": sessions, "uniqueDevices": sessions // 2, "bytesIn": sessions * 1000, "bytesOut": sessions * 100}).encode()
    req = urllib.request.Request(URL + "/api/wifi/reports", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    return status, time.perf_counter() - t


def run(keys, hours):
    jobs = [(key, h, 1 + (i * 7 + j) % 40) for i, key in enumerate(keys.values()) for j, h in enumerate(hours)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda a: send(*a), jobs))
    elapsed = time.perf_counter() - started
    latencies = sorted(r[1] for r in results)
    statuses = {}
    for s, _ in results:
        statuses[s] = statuses.get(s, 0) + 1
    return len(jobs), elapsed, latencies, statuses


def main():
    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
    hours = [(now - datetime.timedelta(hours=h + 1)).strftime("%Y-%m-%dT%H:%M:%SZ") for h in range(HOURS)]
    keys = make_sites()
    try:
        for label in ("first pass", "resent"):
            n, elapsed, lat, statuses = run(keys, hours)
            rows = int(psql("SELECT count(*) FROM wifi.hourly_reports r JOIN wifi.sites s ON s.id = r.site_id WHERE s.code LIKE 'BENCH-%'"))
            print(f"{label}: {n} reports from {SITES} sites in {elapsed:.1f} s = {n / elapsed:.0f} reports/s; "
                  f"p50 {statistics.median(lat) * 1000:.0f} ms, p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.0f} ms; statuses {statuses}; rows {rows} (expected {SITES * HOURS})")
            if rows != SITES * HOURS:
                sys.exit("row count is wrong: a report was lost or double counted")
    finally:
        psql("DELETE FROM wifi.sites WHERE code LIKE 'BENCH-%'")


if __name__ == "__main__":
    main()
