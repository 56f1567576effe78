#!/usr/bin/env python3
"""Multipagos throughput: kiosk payments per second by N concurrent clients, and the duplicate count (must be 0).

Three runs against a running platform:
  1. distinct references: each client pays its own orders (one Idempotency-Key per payment, each sent twice: the retry
     must replay, not charge again) — payments per second, p50/p99 latency;
  2. one key: N clients send the same payment with the same Idempotency-Key — one charge;
  3. one reference: N clients pay the same reference with different keys — one applied payment, N-1 listed for refund.
Duplicates = references with more than one applied payment (must be 0), and charges beyond one per key (must be 0).

Needs the platform on $OV_URL and psql access to its database ($OV_DB, default openveracruz) to issue a kiosk key and
pick parcels that owe this year. Usage: bench/payments.py [clients=64] [payments=640]
"""
import concurrent.futures, hashlib, json, os, secrets, statistics, subprocess, sys, time, urllib.error, urllib.request, uuid

URL = os.environ.get("OV_URL", "http://localhost:5080")
DB = os.environ.get("OV_DB", "openveracruz")
CLIENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 64
PAYMENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 640


def psql(sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", os.environ.get("OV_PG_PORT", "55433"), "-U", "openveracruz", "-d", DB, "-qAtc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def post(path, body, headers=None):
    req = urllib.request.Request(URL + path, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def kiosk_key():
    key = "ovk_" + secrets.token_hex(24)
    digest = hashlib.sha256(key.encode()).hexdigest().upper()
    psql(f"INSERT INTO payments.kiosk_keys (id, kiosk_id, hash, prefix, created, created_by) "
         f"SELECT '{uuid.uuid4()}', id, '{digest}', '{key[:12]}', now(), 'bench' FROM payments.kiosks WHERE code = 'KIO-01'")
    return key


def orders(n):
    claves = psql(f"""SELECT clave FROM cadastre.parcels p WHERE NOT EXISTS (SELECT 1 FROM payments.settled_years s
                      WHERE s.clave = p.clave AND s.year = extract(year FROM now() AT TIME ZONE 'America/Mexico_City'))
                      AND NOT EXISTS (SELECT 1 FROM payments.orders o WHERE o.clave = p.clave) ORDER BY random() LIMIT {n}""").split()
    made = []
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        for status, body in pool.map(lambda c: post("/api/payments/orders", {"clave": c}), claves):
            if status in (200, 201):
                made.append((body["reference"], body["amount"]))
    return made


def main():
    key = kiosk_key()
    auth = {"Authorization": f"Bearer {key}"}
    todo = orders(PAYMENTS + 1)
    if len(todo) < 2:
        sys.exit("no parcel left that owes this year and has no order: load more parcels")
    single, todo = todo[0], todo[1:]
    print(f"{len(todo)} orders, {CLIENTS} concurrent clients")

    def pay(order):
        reference, amount = order
        headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
        t = time.perf_counter()
        first = post("/api/payments/kiosk/pay", {"reference": reference, "amount": amount, "method": "cash"}, headers)
        elapsed = time.perf_counter() - t
        retry = post("/api/payments/kiosk/pay", {"reference": reference, "amount": amount, "method": "cash"}, headers)
        return first[0], retry[0], first[1] == retry[1], elapsed

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(pay, todo))
    wall = time.perf_counter() - start
    latencies = sorted(r[3] for r in results)
    ok = sum(1 for r in results if r[0] == 201)
    replays = sum(1 for r in results if r[1] == 201 and r[2])
    refs = "','".join(r for r, _ in todo)
    duplicates = int(psql(f"SELECT count(*) FROM (SELECT reference FROM payments.payments WHERE reference IN ('{refs}') AND status = 'applied' "
                          f"GROUP BY reference HAVING count(*) > 1) d"))
    charges = int(psql(f"SELECT count(*) FROM payments.payments WHERE reference IN ('{refs}')"))
    print(f"1. distinct references: {ok}/{len(todo)} paid in {wall:.1f} s = {ok / wall:.1f} payments/s (each also retried once: {replays} replays); "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms; "
          f"charges {charges} for {len(todo)} payments; duplicates {duplicates}")

    same_key = {**auth, "Idempotency-Key": str(uuid.uuid4())}
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(lambda _: post("/api/payments/kiosk/pay", {"reference": single[0], "amount": single[1], "method": "cash"}, same_key)[0], range(CLIENTS)))
    one_key = int(psql(f"SELECT count(*) FROM payments.payments WHERE reference = '{single[0]}'"))
    print(f"2. one key, {CLIENTS} requests: statuses {sorted(set(statuses))}, charges {one_key} (must be 1): duplicates {one_key - 1}")

    target = orders(1)[0]
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(lambda _: post("/api/payments/kiosk/pay", {"reference": target[0], "amount": target[1], "method": "cash"},
                                     {**auth, "Idempotency-Key": str(uuid.uuid4())}), range(CLIENTS)))
    applied, refund = psql(f"SELECT count(*) FILTER (WHERE status = 'applied'), count(*) FILTER (WHERE status = 'refund') FROM payments.payments "
                           f"WHERE reference = '{target[0]}'").split("|")
    print(f"3. one reference, {CLIENTS} keys: applied {applied} (must be 1), listed for refund {refund}: duplicates {int(applied) - 1}")


if __name__ == "__main__":
    main()
