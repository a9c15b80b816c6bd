"""Parts benchmark: `python -m bench.parts [--scale 1.0] [--reseed] [--repeat 3] [--workers 2]`.

Seeds its own PostgreSQL database (aftersales_bench_parts) with generate_series: 50,000 parts,
200 warehouses (20 bins each), 500,000 balances and lots, 2,000,000 ledger rows (a receipt and
three issues per lot). Then measures:
  - on-hand lookup of one part across the network: the selector in-process, and
    GET /api/v1/stock/on-hand through gunicorn (p50/p99);
  - issues with FIFO lot consumption through POST /api/v1/stock/issues on gunicorn (req/s),
    driven by `wrk` (Debian package; a C client, so the load generator does not eat the
    Python workers' core) with a Lua script, else by Python client threads;
  - the statements one issue and one on-hand lookup make (CaptureQueriesContext);
  - the ageing report (P-5): the page (network summary + first page of rows), one outlet's
    full report, and the whole network's rows streamed as CSV, one outlet's as XLSX.
Each measured phase runs `--repeat` times; the table quotes the median run and every run's
load average. Writes bench/out/parts.json and bench/out/parts.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import threading
import time
from typing import Any

DB_URL = os.environ.get(
    "PARTS_BENCH_DATABASE_URL",
    "postgres://aftersales:aftersales@127.0.0.1:5432/aftersales_bench_parts",
)
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

from . import pg, procs, wrk  # noqa: E402
from .config import HOST, OUT  # noqa: E402
from .loadgen import summary_ms  # noqa: E402
from .report import machine, machine_line  # noqa: E402

PORT = 8794  # not the suite's 8765: other benchmarks may run beside this one
TARGETS = {
    "on_hand_p99_ms": ("<=", 20.0),
    "on_hand_api_p99_ms": ("<=", 20.0),
    "issue_rps": (">=", 300.0),
    "ageing_outlet_s": ("<=", 2.0),
}


def log(msg: str) -> None:
    print(msg, flush=True)


def setup_django() -> None:
    import django

    django.setup()


def sizes(scale: float) -> dict[str, int]:
    parts = max(100, int(50_000 * scale))
    warehouses = max(4, int(200 * scale))
    per_wh = max(20, int(2_500 * scale))
    per_wh -= per_wh % 20
    return {
        "parts": parts,
        "warehouses": warehouses,
        "outlets": max(1, warehouses // 4),
        "bins_per_wh": 20,
        "balances_per_wh": per_wh,
        "balances": warehouses * per_wh,
    }


SEED_SQL = """
INSERT INTO accounts_outlet (code, name, region, market_tier)
  SELECT 'bp-' || lpad(o::text, 3, '0'), 'Bench outlet ' || o, 'Bench', 1 + o %% 4
  FROM generate_series(1, %(outlets)s) o;

INSERT INTO parts_part (id, code, name, model, spec, fits_models, use, unit_cost, list_price,
                        currency, barcode, active)
  SELECT p, 'BP-' || lpad(p::text, 6, '0'), 'Bench part ' || p, 'M-' || (p %% 500), '', '[]'::jsonb,
         '', (1 + p %% 200)::numeric(14,2), (3 + p %% 400)::numeric(14,2), 'CNY', '69' || lpad(p::text, 11, '0'), true
  FROM generate_series(1, %(parts)s) p;

INSERT INTO parts_warehouse (id, code, name, outlet_id, kind, technician_id)
  SELECT w, 'bw-' || lpad(w::text, 4, '0'), 'Bench store ' || w,
         (SELECT id FROM accounts_outlet WHERE code = 'bp-' || lpad((1 + (w - 1) / 4)::text, 3, '0')),
         'outlet', NULL
  FROM generate_series(1, %(warehouses)s) w;

INSERT INTO parts_bin (id, warehouse_id, zone, shelf, level, position, area)
  SELECT (w - 1) * 20 + k + 1, w, chr(65 + k / 5), lpad((k %% 5)::text, 2, '0'), '1', '01', 'stock'
  FROM generate_series(1, %(warehouses)s) w, generate_series(0, 19) k;

-- b = balance/lot number; warehouse w, slot k; 10 balances (same warehouse) per receipt doc.
CREATE TEMP TABLE seed_b AS
  SELECT b, w, k,
         ((w - 1) * %(per_wh)s + k) %% %(parts)s + 1 AS part_id,
         (w - 1) * 20 + (k %% 20) + 1 AS bin_id,
         10 + (b * 7) %% 20 AS qty_in,
         now() - make_interval(days => 10 + (b * 37) %% 300) AS received_at
  FROM (SELECT b, (b - 1) / %(per_wh)s + 1 AS w, (b - 1) %% %(per_wh)s AS k
        FROM generate_series(1, %(balances)s) b) s;

INSERT INTO parts_stockdoc (id, kind, warehouse_id, at, actor_id, order_id, issued_to_id, note)
  SELECT (b - 1) / 10 + 1, 'receipt', w, received_at, NULL, NULL, NULL, 'bench'
  FROM seed_b WHERE (b - 1) %% 10 = 0;
INSERT INTO parts_stockdoc (id, kind, warehouse_id, at, actor_id, order_id, issued_to_id, note)
  SELECT %(balances)s / 10 + d + 1, 'issue', d * 10 / 3 / %(per_wh)s + 1,
         now() - interval '30 days', NULL, NULL, NULL, 'bench'
  FROM generate_series(0, %(balances)s * 3 / 10 - 1) d;

INSERT INTO parts_stocklot (id, part_id, bin_id, received_at, qty_in, qty_left, unit_cost)
  SELECT b, part_id, bin_id, received_at, qty_in, qty_in - 3, (1 + part_id %% 200)::numeric(14,2)
  FROM seed_b;

INSERT INTO parts_stockbalance (id, part_id, bin_id, warehouse_id, qty, aged_from)
  SELECT b, part_id, bin_id, w, qty_in - 3, received_at + interval '3 days' FROM seed_b;

INSERT INTO parts_stockmove (id, doc_id, at, kind, part_id, bin_id, warehouse_id, lot_id, qty,
                             unit_cost, actor_id, reason)
  SELECT b, (b - 1) / 10 + 1, received_at, 'receipt', part_id, bin_id, w, b, qty_in,
         (1 + part_id %% 200)::numeric(14,2), NULL, ''
  FROM seed_b;

INSERT INTO parts_stockmove (id, doc_id, at, kind, part_id, bin_id, warehouse_id, lot_id, qty,
                             unit_cost, actor_id, reason)
  SELECT %(balances)s + (b - 1) * 3 + j + 1, %(balances)s / 10 + ((b - 1) * 3 + j) / 10 + 1,
         received_at + make_interval(days => j + 1), 'issue', part_id, bin_id, w, b, -1,
         (1 + part_id %% 200)::numeric(14,2), NULL, ''
  FROM seed_b, generate_series(0, 2) j;
"""


RESTOCK_SQL = """
UPDATE parts_stocklot SET qty_left = qty_in - 3
 WHERE id <= %(balances)s AND qty_left < qty_in - 3;
UPDATE parts_stockbalance b SET qty = s.q
  FROM (SELECT part_id, bin_id, SUM(qty_left) AS q FROM parts_stocklot
        GROUP BY part_id, bin_id) s
 WHERE s.part_id = b.part_id AND s.bin_id = b.bin_id AND b.qty <> s.q
"""


def restock(n: dict[str, int]) -> None:
    """Put the seeded lots back to their seeded quantities (each run issues thousands of
    parts; repeated runs would otherwise empty the measured warehouses and measure
    refusals). This synthetic database only: the ledger keeps the issues it recorded."""
    with pg.connect(autocommit=True) as conn:
        for stmt in RESTOCK_SQL.split(";"):
            conn.execute(stmt % {"balances": n["balances"]})  # type: ignore[arg-type]


def seed(n: dict[str, int]) -> float:
    t = time.perf_counter()
    with pg.connect(autocommit=False) as conn:
        sql = SEED_SQL
        params = {
            "outlets": n["outlets"],
            "parts": n["parts"],
            "warehouses": n["warehouses"],
            "per_wh": n["balances_per_wh"],
            "balances": n["balances"],
        }
        for stmt in [s.strip() for s in sql.split(";\n") if s.strip()]:
            stmt = "\n".join(x for x in stmt.splitlines() if not x.lstrip().startswith("--"))
            if not stmt.strip():
                continue
            conn.execute(stmt % params)  # type: ignore[arg-type]
        for table in (
            "parts_part",
            "parts_warehouse",
            "parts_bin",
            "parts_stockdoc",
            "parts_stocklot",
            "parts_stockbalance",
            "parts_stockmove",
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
        conn.execute("ANALYZE")
    return time.perf_counter() - t


def reset_db() -> None:
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = conninfo_to_dict(DB_URL)["dbname"]
    admin = make_conninfo(DB_URL, dbname="postgres")
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def people(n: dict[str, int]) -> dict[str, Any]:
    """A keeper per outlet (issues) and a manager (network-wide lookups), with tokens."""
    from aftersales.accounts.models import ApiToken, Outlet, User

    out: dict[str, Any] = {"keepers": []}
    mgr, _ = User.objects.get_or_create(
        username="bench-manager", defaults={"roles": ["manager"], "is_active": True}
    )
    out["manager"] = mgr
    out["manager_token"] = ApiToken.issue(mgr, name="bench")[1]
    for o in Outlet.objects.filter(code__startswith="bp-").order_by("code"):
        k, _ = User.objects.get_or_create(
            username=f"keeper-{o.code}", defaults={"roles": ["parts_keeper"], "outlet": o}
        )
        out["keepers"].append((k, ApiToken.issue(k, name="bench")[1], o))
    return out


def stocked_code(n: dict[str, int], rnd: random.Random) -> str:
    b = rnd.randint(0, n["balances"] - 1)
    w, k = b // n["balances_per_wh"] + 1, b % n["balances_per_wh"]
    return f"BP-{((w - 1) * n['balances_per_wh'] + k) % n['parts'] + 1:06d}"


def bench_on_hand(n: dict[str, int], who: dict[str, Any], runs: int) -> dict[str, Any]:
    from django.utils import timezone

    from aftersales.parts.models import current_rules
    from aftersales.parts.selectors import on_hand

    rnd = random.Random(1)
    rules = current_rules()
    lat = []
    for _ in range(runs):
        code = stocked_code(n, rnd)
        t = time.perf_counter()
        rows = on_hand(who["manager"], part=code, now=timezone.now(), rules=rules)
        lat.append(time.perf_counter() - t)
        assert rows, code
    return summary_ms(lat)


class Http:
    def __init__(self, token: str) -> None:
        self.token = token
        self.conn = http.client.HTTPConnection(HOST, PORT, timeout=60)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Host": HOST}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def bench_on_hand_api(n: dict[str, int], who: dict[str, Any], runs: int) -> dict[str, Any]:
    rnd = random.Random(2)
    c = Http(who["manager_token"])
    lat = []
    for _ in range(runs):
        code = stocked_code(n, rnd)
        t = time.perf_counter()
        status, body = c.call("GET", f"/api/v1/stock/on-hand?part={code}")
        lat.append(time.perf_counter() - t)
        assert status == 200, body[:300]
    return summary_ms(lat)


def bench_issues(
    n: dict[str, int], who: dict[str, Any], total: int, threads: int
) -> dict[str, Any]:
    """Each thread is one outlet's keeper issuing one unit of a random part of its stores."""
    per_wh = n["balances_per_wh"]
    keepers = who["keepers"]
    lat: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    left = [total]

    def work(i: int) -> None:
        keeper, token, outlet = keepers[i % len(keepers)]
        rnd = random.Random(100 + i)
        c = Http(token)
        wh_first = (int(outlet.code[3:]) - 1) * 4 + 1
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            w = wh_first + rnd.randint(0, 3)
            k = rnd.randint(0, per_wh - 1)
            part = ((w - 1) * per_wh + k) % n["parts"] + 1
            body = {
                "warehouse": f"bw-{w:04d}",
                "lines": [{"part": f"BP-{part:06d}", "qty": 1}],
            }
            t = time.perf_counter()
            status, _ = c.call("POST", "/api/v1/stock/issues", body)
            dt = time.perf_counter() - t
            with lock:
                lat.append(dt)
                codes[status] = codes.get(status, 0) + 1

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    return {
        **summary_ms(lat),
        "rps": round(len(lat) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(codes.items())},
        "threads": threads,
    }


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


WRK_LUA = """
local keepers = {
%(keepers)s
}
local per_wh, parts = %(per_wh)d, %(parts)d
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed * 7919 + os.time()) end
request = function()
  local k = keepers[math.random(#keepers)]
  local w = k[2] + math.random(0, 3)
  local slot = math.random(0, per_wh - 1)
  local part = ((w - 1) * per_wh + slot) %% parts + 1
  local body = string.format(
    '{"warehouse": "bw-%%04d", "lines": [{"part": "BP-%%06d", "qty": 1}]}', w, part)
  return wrk.format("POST", "/api/v1/stock/issues", {
    ["Authorization"] = "Bearer " .. k[1], ["Content-Type"] = "application/json",
    ["Host"] = "%(host)s"}, body)
end
"""


def bench_issues_wrk(
    n: dict[str, int], who: dict[str, Any], seconds: int, connections: int
) -> dict[str, Any]:
    """wrk (2 threads) keeps `connections` connections busy for `seconds`; each request is
    one outlet keeper issuing one unit of a random part of that outlet's stores."""
    keepers = ",\n".join(
        f'{{"{token}", {(int(o.code[3:]) - 1) * 4 + 1}}}' for _k, token, o in who["keepers"]
    )
    script = WRK_LUA % {
        "keepers": keepers,
        "per_wh": n["balances_per_wh"],
        "parts": n["parts"],
        "host": HOST,
    }
    res = wrk.run("parts_issue", script, seconds=seconds, connections=connections, port=PORT)
    res["threads"] = connections
    return res


def bench_issue_service(n: dict[str, int], who: dict[str, Any], total: int) -> dict[str, Any]:
    """The issue service alone (no HTTP), one thread: what the ledger path costs."""
    from django.utils import timezone

    from aftersales.parts import inputs, services

    keeper, _token, outlet = who["keepers"][1]
    per_wh = n["balances_per_wh"]
    wh_first = (int(outlet.code[3:]) - 1) * 4 + 1
    rnd = random.Random()
    lat = []
    t0 = time.perf_counter()
    for _ in range(total):
        w = wh_first + rnd.randint(0, 3)
        k = rnd.randint(0, per_wh - 1)
        part = ((w - 1) * per_wh + k) % n["parts"] + 1
        data = inputs.IssueIn(
            warehouse=f"bw-{w:04d}", lines=[inputs.IssueLine(part=f"BP-{part:06d}", qty=1)]
        )
        t = time.perf_counter()
        services.stock_issue(actor=keeper, data=data, now=timezone.now())
        lat.append(time.perf_counter() - t)
    return {**summary_ms(lat), "rps": round(total / (time.perf_counter() - t0), 1)}


def statements(n: dict[str, int], who: dict[str, Any]) -> dict[str, Any]:
    """What one issue and one on-hand lookup send to the database (through the API handler's
    code path: the service / selector; the bearer-token lookup and Django's connection health
    check come on top, once per request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from aftersales.parts import inputs, services
    from aftersales.parts.models import current_rules
    from aftersales.parts.selectors import on_hand

    keeper = who["keepers"][2][0]
    w = (int(who["keepers"][2][2].code[3:]) - 1) * 4 + 1
    part = ((w - 1) * n["balances_per_wh"] + 7) % n["parts"] + 1
    data = inputs.IssueIn(
        warehouse=f"bw-{w:04d}", lines=[inputs.IssueLine(part=f"BP-{part:06d}", qty=1)]
    )
    rules = current_rules()
    services.stock_issue(actor=keeper, data=data, now=timezone.now())  # warm: caches, PREPARE
    on_hand(who["manager"], part=f"BP-{part:06d}", now=timezone.now(), rules=rules)
    with CaptureQueriesContext(connection) as issue_q:
        services.stock_issue(actor=keeper, data=data, now=timezone.now())
    with CaptureQueriesContext(connection) as on_hand_q:
        on_hand(who["manager"], part=f"BP-{part:06d}", now=timezone.now(), rules=rules)
    return {
        "issue": [q["sql"].split()[0] for q in issue_q.captured_queries],
        "on_hand": [q["sql"].split()[0] for q in on_hand_q.captured_queries],
    }


def bench_ageing(who: dict[str, Any]) -> dict[str, Any]:
    """P-5. "The ageing report" is what the page shows: the summary per warehouse and the
    first page of rows, oldest first (the rest page by page or as a streamed export)."""
    from django.utils import timezone

    from aftersales.core import export
    from aftersales.parts import reports
    from aftersales.parts.models import current_rules
    from aftersales.parts.selectors import ageing_rows, ageing_summary

    rules = current_rules()
    now = timezone.now()
    keeper, mgr = who["keepers"][0][0], who["manager"]
    out: dict[str, Any] = {"load": load()}

    def report(user: Any) -> int:
        rows = reports.ageing_dicts(ageing_rows(user, now=now, rules=rules)[:500], now=now,
                                    rules=rules)  # fmt: skip
        ageing_summary(user, now=now, rules=rules)
        return len(rows)

    t = time.perf_counter()
    report(mgr)
    out["ageing_network_page_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    out["ageing_outlet_rows"] = len(
        reports.ageing_dicts(
            ageing_rows(keeper, now=now, rules=rules).iterator(chunk_size=5000), now=now,
            rules=rules,
        )
    )  # fmt: skip
    ageing_summary(keeper, now=now, rules=rules)
    out["ageing_outlet_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    out["ageing_network_summary_rows"] = len(ageing_summary(mgr, now=now, rules=rules))
    out["ageing_network_summary_s"] = round(time.perf_counter() - t, 3)
    OUT.mkdir(parents=True, exist_ok=True)
    for who_, fmt, key in ((mgr, "csv", "network_csv"), (keeper, "xlsx", "outlet_xlsx")):
        path = OUT / f"parts_ageing.{fmt}"
        t = time.perf_counter()
        headers, rows = reports.ageing_table(
            ageing_rows(who_, now=now, rules=rules).iterator(chunk_size=5000), now=now, rules=rules
        )
        out[f"ageing_{key}_rows"] = export.write(fmt, str(path), headers, rows, sheet="ageing")
        out[f"ageing_{key}_s"] = round(time.perf_counter() - t, 3)
        path.unlink(missing_ok=True)
    return out


def median_run(runs: list[dict[str, Any]], key: str, *, high: bool = False) -> dict[str, Any]:
    """The run with the median value of `key` (3 runs: the middle one)."""
    ordered = sorted(runs, key=lambda r: r[key], reverse=high)
    return {**ordered[len(ordered) // 2], "runs": [r[key] for r in runs],
            "loads": [r["load"] for r in runs]}  # fmt: skip


def table(results: dict[str, Any]) -> str:
    f = results["figures"]
    oh, api, iss, svc, age = (f["on_hand"], f["on_hand_api"], f["issues"], f["issue_service"],
                              f["ageing"])  # fmt: skip

    def runs(x: dict[str, Any]) -> str:
        return ", ".join(str(v) for v in x["runs"])

    lines = [
        "| Figure | Median run | All runs | Load average (1/5/15 min) at the median run | Target |",
        "|---|---|---|---|---|",
        f"| On-hand lookup, selector in-process (p50 / p99) | {oh['p50_ms']} / {oh['p99_ms']} ms "
        f"| p99 {runs(oh)} | {oh['load']} | p99 ≤ 20 ms |",
        f"| On-hand lookup, GET /api/v1/stock/on-hand via gunicorn, one request at a time "
        f"(p50 / p99) | {api['p50_ms']} / {api['p99_ms']} ms | p99 {runs(api)} | {api['load']} "
        f"| p99 ≤ 20 ms |",
        f"| Issue with FIFO, POST /api/v1/stock/issues via gunicorn ({results['workers']} "
        f"workers, {iss.get('client', 'python')} {iss['threads']} connections) | {iss['rps']} req/s "
        f"(p50 {iss['p50_ms']} ms, p99 {iss['p99_ms']} ms; non-2xx {iss.get('non_2xx', 0)}) "
        f"| {runs(iss)} req/s | {iss['load']} | ≥ 300/s |",
        f"| Issue with FIFO, service in-process, one thread | {svc['rps']}/s (p50 {svc['p50_ms']}"
        f" / p99 {svc['p99_ms']} ms) | {runs(svc)}/s | {svc['load']} | — |",
        f"| Ageing report page, whole network (summary of {age['ageing_network_summary_rows']} "
        f"warehouses + first 500 rows) | {age['ageing_network_page_s']} s "
        f"| {runs(age)} s | {age['load']} | ≤ 2 s |",
        f"| Ageing report, one outlet in full (4 stores, {age['ageing_outlet_rows']} rows + "
        f"summary) | {age['ageing_outlet_s']} s | | | ≤ 2 s |",
        f"| Ageing summary alone, whole network | {age['ageing_network_summary_s']} s | | | — |",
        f"| Ageing export, whole network, CSV ({age['ageing_network_csv_rows']:,} rows, "
        f"streamed) | {age['ageing_network_csv_s']} s | | | — |",
        f"| Ageing export, one outlet, XLSX ({age['ageing_outlet_xlsx_rows']:,} rows) | "
        f"{age['ageing_outlet_xlsx_s']} s | | | — |",
        f"| Statements per issue (service) | {len(f['statements']['issue'])}: "
        f"{' '.join(f['statements']['issue'])} | | | — |",
        f"| Statements per on-hand lookup (selector) | {len(f['statements']['on_hand'])}: "
        f"{' '.join(f['statements']['on_hand'])} | | | ≤ 3 with the token |",
        f"| Seed ({results['sizes']['balances']:,} balances/lots, "
        f"{results['ledger_rows']:,} ledger rows) | "
        f"{'reused' if results['seed_s'] == 'reused' else str(results['seed_s']) + ' s'} "
        f"| | | — |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.parts", description=__doc__)
    p.add_argument("--scale", type=float, default=1.0, help="1.0 = the issue's full size")
    p.add_argument("--reseed", action="store_true")
    p.add_argument("--repeat", type=int, default=3, help="runs of each phase (median quoted)")
    p.add_argument("--seconds", type=int, default=20, help="wrk duration per run")
    p.add_argument("--issues", type=int, default=2000, help="without wrk: issues per run")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--runs", type=int, default=500)
    a = p.parse_args(argv)
    n = sizes(a.scale)
    if a.reseed:
        reset_db()
    pg.ensure_database()
    log("migrate")
    pg.migrate()
    setup_django()
    from aftersales.parts.models import Part, StockMove

    results: dict[str, Any] = {
        "machine": machine(pg.server_version(), pg.server_settings()),
        "sizes": n,
        "workers": a.workers,
        "figures": {},
    }
    if Part.objects.count() < n["parts"]:
        log(f"seeding {n}")
        results["seed_s"] = round(seed(n), 1)
        log(f"seeded in {results['seed_s']} s")
    else:
        results["seed_s"] = "reused"
    results["ledger_rows"] = StockMove.objects.count()
    restock(n)
    who = people(n)
    results["figures"]["statements"] = statements(n, who)
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in
                                              ("on_hand", "on_hand_api", "issues", "issue_service",
                                               "ageing")}  # fmt: skip
    procs.PORT = PORT  # type: ignore[attr-defined]
    g = procs.Gunicorn(workers=a.workers)
    g.log = OUT / "parts_gunicorn.log"
    g.start()
    try:
        bench_on_hand_api(n, who, 30)  # warm-up
        bench_issues(n, who, 100, a.connections)
        for i in range(a.repeat):
            restock(n)
            log(f"run {i + 1}/{a.repeat}: on-hand (in-process), load {load()}")
            runs["on_hand"].append({**bench_on_hand(n, who, a.runs), "load": load()})
            log(f"run {i + 1}: issue service (in-process), load {load()}")
            runs["issue_service"].append({**bench_issue_service(n, who, 300), "load": load()})
            log(f"run {i + 1}: on-hand (API), load {load()}")
            runs["on_hand_api"].append({**bench_on_hand_api(n, who, a.runs), "load": load()})
            log(f"run {i + 1}: issues (API), load {load()}")
            before = load()
            if wrk.available():
                res = bench_issues_wrk(n, who, a.seconds, a.connections)
            else:
                res = bench_issues(n, who, a.issues, a.connections)
            runs["issues"].append({**res, "load": f"{before} → {load()}"})
            log(f"  {runs['issues'][-1]}")
            log(f"run {i + 1}: ageing, load {load()}")
            runs["ageing"].append(bench_ageing(who))
    finally:
        g.stop()
    f = results["figures"]
    f["on_hand"] = median_run(runs["on_hand"], "p99_ms")
    f["on_hand_api"] = median_run(runs["on_hand_api"], "p99_ms")
    f["issues"] = median_run(runs["issues"], "rps", high=True)
    f["issue_service"] = median_run(runs["issue_service"], "rps", high=True)
    f["ageing"] = median_run(runs["ageing"], "ageing_network_page_s")
    results["all_runs"] = runs
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "parts.json").write_text(json.dumps(results, indent=2, default=str))
    md = f"# Parts benchmark\n\n{machine_line(results['machine'])}\n\n{table(results)}\n"
    (OUT / "parts.md").write_text(md)
    log(md)


if __name__ == "__main__":
    main()
