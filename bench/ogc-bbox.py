#!/usr/bin/env python3
"""OGC door bbox throughput: 8 connections, seeded random bboxes of ~1 km² and ~0.01 km² over the cadastre's extent, limit 1000.

  python3 bench/ogc-bbox.py http://localhost:5196 [seconds per size, default 20] [seed, default 13]

Prints requests/s and p50/p99 latency per bbox size. Run it against a host with a realistic cadastre
(Data__ParcelCount=50000 or more) on a database of its own; a benchmark, never a test (issue 13).
"""
import http.client, json, math, random, sys, threading, time, urllib.parse

base = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:5196"
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 13
CONNECTIONS = 8
u = urllib.parse.urlsplit(base)

def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise RuntimeError(f"{r.status} {path}: {body[:200]!r}")
    return body

c0 = http.client.HTTPConnection(u.hostname, u.port or 80)
x1, y1, x2, y2 = json.loads(get(c0, "/ogc/collections/parcels"))["extent"]["spatial"]["bbox"][0]

def boxes(km2, n, rnd):
    side = math.sqrt(km2) * 1000  # metres
    for _ in range(n):
        lon, lat = rnd.uniform(x1, x2), rnd.uniform(y1, y2)
        dlat = side / 111_320 / 2
        dlon = side / (111_320 * math.cos(math.radians(lat))) / 2
        yield f"/ogc/collections/parcels/items?limit=1000&bbox={lon - dlon:.6f},{lat - dlat:.6f},{lon + dlon:.6f},{lat + dlat:.6f}"

def run(km2):
    rnd = random.Random(seed)
    paths = list(boxes(km2, 20_000, rnd))
    latencies, lock, stop = [], threading.Lock(), time.monotonic() + seconds
    def worker(i):
        conn = http.client.HTTPConnection(u.hostname, u.port or 80)
        k = i
        while time.monotonic() < stop:
            t = time.perf_counter()
            get(conn, paths[k % len(paths)])
            with lock: latencies.append(time.perf_counter() - t)
            k += CONNECTIONS
    for p in paths[:CONNECTIONS * 4]: get(c0, p)  # warm-up
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    start = time.monotonic()
    for t in threads: t.start()
    for t in threads: t.join()
    took = time.monotonic() - start
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
    print(f"bbox {km2:g} km²: {len(latencies) / took:,.0f} req/s  p50 {q(0.50):.1f} ms  p99 {q(0.99):.1f} ms  ({len(latencies)} requests)")

for size in (1, 0.01):
    run(size)
