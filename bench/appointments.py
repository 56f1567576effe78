#!/usr/bin/env python3
"""Cero Filas booking throughput: hold + proof of work + confirmation by N concurrent clients.

Two runs: every client on its own slot (distinct slots), then every client on the same slot (one slot, D desks).
Reports bookings per second, p50/p99 latency of a whole booking (hold + confirm, proof of work solved beforehand
is not possible: the challenge comes with the hold, so its solving time is measured apart and left out), and
overbookings (confirmed bookings beyond a slot's desks; must be 0).

Needs the platform on $OV_URL started with a citizen rate limit that a benchmark does not hit, e.g.
  Appointments__CitizenWritesPerAddressPerMinute=1000000 dotnet run --project api/OpenVeracruz.Api -c Release
and psql access to its database ($OV_DB, default the local cluster's openveracruz) to create the bench office.
Usage: bench/appointments.py [clients=64] [desks=3]
"""
import concurrent.futures, datetime, hashlib, json, os, random, statistics, subprocess, sys, time, urllib.error, urllib.request

URL = os.environ.get("OV_URL", "http://localhost:5080")
DB = os.environ.get("OV_DB", "openveracruz")
CLIENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 64
DESKS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
ALPHA = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def psql(sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", os.environ.get("OV_PG_PORT", "55433"), "-U", "openveracruz", "-d", DB, "-qAtc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def curp():
    r = random.Random()
    first = "".join([r.choice("ABCDEFGHJKLMNPRSTUVZ"), r.choice("AEIOU"), r.choice("ABCDEFGHJKLMNPRSTUVZ"), r.choice("ABCDEFGHJKLMNPRSTUVZ"),
                     f"{r.randint(50, 99):02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}", r.choice("HM"), "VZ",
                     "".join(r.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(3)), str(r.randint(0, 9))])
    s = sum(ALPHA.index(c) * (18 - i) for i, c in enumerate(first))
    return first + str((10 - s % 10) % 10)


def solve(challenge, bits):
    n = 0
    while True:
        h = int.from_bytes(hashlib.sha256(f"{challenge}:{n}".encode()).digest(), "big")
        if h >> (256 - bits) == 0:
            return str(n)
        n += 1


def post(path, body):
    req = urllib.request.Request(URL + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def book(service, start):
    t0 = time.perf_counter()
    s, hold = post("/api/appointments/holds", {"serviceId": service, "start": start})
    t1 = time.perf_counter()
    if s != 201:
        return s, t1 - t0, 0.0
    p0 = time.perf_counter()
    nonce = solve(hold["challenge"], hold["challengeBits"])
    pow_time = time.perf_counter() - p0
    t2 = time.perf_counter()
    s, _ = post(f"/api/appointments/holds/{hold['holdKey']}/confirm",
                {"givenNames": "Prueba", "surname1": "Carga", "curp": curp(), "nonce": nonce})
    return s, (t1 - t0) + (time.perf_counter() - t2), pow_time


def run(label, service, starts):
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda st: book(service, st), starts))
    wall = time.perf_counter() - t0
    ok = [r for r in results if r[0] == 201]
    lat = sorted(r[1] * 1000 for r in results)
    p99 = lat[max(0, int(len(lat) * 0.99) - 1)]
    over = int(psql(f"SELECT coalesce(sum(greatest(n - {DESKS}, 0)), 0) FROM (SELECT starts_at, count(*) n FROM appointments.bookings "
                    f"WHERE service_id = {service} AND state = 'booked' GROUP BY starts_at) x"))
    statuses = {s: sum(1 for r in results if r[0] == s) for s in sorted({r[0] for r in results})}
    print(f"{label}: {len(results)} attempts by {CLIENTS} clients, {len(ok)} booked, statuses {statuses}; "
          f"{len(ok) / wall:.1f} bookings/s ({len(results) / wall:.1f} attempts/s); latency p50 {statistics.median(lat):.0f} ms, p99 {p99:.0f} ms "
          f"(proof of work solved apart, mean {statistics.mean(r[2] for r in ok) * 1000 if ok else 0:.0f} ms); overbookings {over}")


code = "bench-" + format(random.getrandbits(32), "08x")
office = psql(f"INSERT INTO appointments.offices (code, name, dependency, address, approximate, geom, active) VALUES ('{code}', 'Oficina de carga', 'Pruebas', '-', true, "
              f"ST_SetSRID(ST_MakePoint(-96.15, 19.18), 4326), false) RETURNING id")
service = psql(f"INSERT INTO appointments.services (office_id, procedure, name, prefix, duration_minutes, requirements, cost, legal_basis, online, valid_from, active) "
               f"VALUES ({office}, '{code}', 'Carga', 'B', 5, '', 0, '', false, DATE '2020-01-01', true) RETURNING id")
psql(f"INSERT INTO appointments.services (office_id, procedure, name, prefix, duration_minutes, requirements, cost, legal_basis, online, valid_from, active) "
     f"VALUES ({office}, '{code}-2', 'Carga 2', 'C', 5, '', 0, '', false, DATE '2020-01-01', true)")
service2 = psql(f"SELECT id FROM appointments.services WHERE procedure = '{code}-2'")
for s in (service, service2):
    psql(f"INSERT INTO appointments.schedules (service_id, weekday, starts, ends, desks) SELECT {s}, d, '00:00', '23:55', {DESKS} FROM generate_series(0, 6) d")
psql(f"UPDATE appointments.offices SET active = true WHERE id = {office}")
holidays = set(psql("SELECT string_agg(day::text, ',') FROM appointments.holidays").split(","))
day = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=6)).date() + datetime.timedelta(days=2)
while day.isoformat() in holidays:
    day += datetime.timedelta(days=1)
# distinct slots: one 5-minute slot per attempt (spread over days), every desk of it; the same slot: 10:00 of one day
distinct = []
d = day
while len(distinct) < CLIENTS * 4:
    if d.isoformat() not in holidays:
        distinct += [f"{d.isoformat()}T{m // 60:02d}:{m % 60:02d}:00-06:00" for m in range(0, 24 * 60 - 5, 5)]
    d += datetime.timedelta(days=1)
distinct = distinct[:CLIENTS * 4]
try:
    run("distinct slots", service, distinct)
    run("one slot", service2, [f"{day.isoformat()}T10:00:00-06:00"] * (CLIENTS * 4))
finally:
    psql(f"UPDATE appointments.offices SET active = false WHERE id = {office}")
