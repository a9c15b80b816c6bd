"""Benchmark of the indicators app: `python -m bench.kpis [--orders N] [--quick] [--reseed]`.

Seeds its own PostgreSQL database `aftersales_bench_kpis` (bench.seed's 50 outlets, 200
technicians and N orders over a year) plus, set-based, what the figures read beyond that
seed: repeat repairs, unsatisfied revisits, repeat calls, part requests, parts issued on
orders (P-9), accepted quotes (revenue) and parts purchases. Measures, for last month and
all outlets as the manager:

- the dashboard's figures, cold: a fresh database connection, Django's cache and the
  per-process reference caches emptied before each run (PostgreSQL's shared buffers and the
  OS page cache stay as they are: the server is shared and cannot be restarted);
- the same, warm: the figure cache filled (Django cache, `KpiPolicy.cache_seconds`), and
  warm without the cache (connection open, everything recomputed);
- the monthly report (figures + quality + PDF + XLSX + archive);
- export memory: peak RSS of a child process streaming the drill-down list as CSV and XLSX
  at two sizes.

Writes bench/out/kpis.json and bench/out/kpis.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from typing import Any

from .config import DEFAULT_DATABASE_URL, OUT, PYTHON, ROOT

DB_NAME = "aftersales_bench_kpis"


def _url() -> str:
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if DB_NAME in base:
        return base
    return base.rsplit("/", 1)[0] + "/" + DB_NAME


os.environ["DATABASE_URL"] = _url()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

from . import pg  # noqa: E402
from . import seed as order_seed  # noqa: E402
from .loadgen import summary_ms  # noqa: E402
from .report import machine, machine_line  # noqa: E402

EXTRA_TABLES = (
    "kpis_report, warranty_quoteline, warranty_quote, parts_accountentry, parts_stockmove, "
    "parts_stockdoc, parts_bin, parts_warehouse, parts_part"
)


def seed_extra(log: Any = print) -> dict[str, float]:
    """What the figures read beyond bench.seed, set-based and reproducible per order id."""
    steps: dict[str, float] = {}
    with pg.connect(autocommit=True) as conn:

        def step(name: str, sql: str) -> None:
            t = time.perf_counter()
            conn.execute(sql)
            steps[name] = round(time.perf_counter() - t, 1)
            log(f"  seed: {name:<24} {steps[name]:7.1f} s")

        conn.execute("SET session_replication_role = replica")  # no FK/ledger triggers
        conn.execute(order_seed.FUNC_SQL)
        conn.execute(f"TRUNCATE {EXTRA_TABLES} RESTART IDENTITY CASCADE")
        # 2 % repeat repairs, 6 % unsatisfied revisits, 4 % repeat calls, 12 % part requests
        step(
            "order facts",
            """
            UPDATE orders_order SET
              repeat_of_id = CASE WHEN completed_at IS NOT NULL AND pg_temp.u(id, 21) < 0.02
                                  AND id > 1 THEN id - 1 END,
              revisit_satisfied = CASE WHEN revisit_satisfied IS NOT NULL
                                       THEN pg_temp.u(id, 22) >= 0.06 END,
              multiple_contacts = CASE WHEN pg_temp.u(id, 23) < 0.04 THEN 1 ELSE 0 END,
              parts_requested_at = CASE WHEN parts_requested_at IS NOT NULL THEN parts_requested_at
                                        WHEN completed_at IS NOT NULL AND pg_temp.u(id, 24) < 0.12
                                        THEN created_at + interval '21 hours' END
            WHERE (completed_at IS NOT NULL AND pg_temp.u(id, 21) < 0.02)
               OR (revisit_satisfied IS NOT NULL AND pg_temp.u(id, 22) < 0.06)
               OR pg_temp.u(id, 23) < 0.04
               OR (completed_at IS NOT NULL AND pg_temp.u(id, 24) < 0.12)""",
        )
        step(
            "parts master, stores",
            """
            INSERT INTO parts_part (code, name, model, spec, fits_models, use, unit_cost,
                list_price, currency, barcode, active)
            VALUES ('B-1', 'Bench capacitor', 'M', '', '[]', '', 12.50, 30.00, 'CNY', '', true);
            INSERT INTO parts_warehouse (code, name, outlet_id, kind, technician_id)
            SELECT 'w-' || id, 'Store ' || id, id, 'outlet', NULL FROM accounts_outlet;
            INSERT INTO parts_bin (warehouse_id, zone, shelf, level, position, area)
            SELECT id, 'A', '01', '1', '01', 'stock' FROM parts_warehouse""",
        )
        # Every part request of a completed order issued one to three parts from its store.
        step(
            "parts issued (P-9)",
            """
            INSERT INTO parts_stockdoc (id, kind, warehouse_id, at, actor_id, order_id,
                issued_to_id, note)
            OVERRIDING SYSTEM VALUE
            SELECT o.id, 'issue', w.id,
                   o.parts_requested_at + interval '1 hour', NULL, o.id, o.assignee_id, ''
            FROM orders_order o JOIN parts_warehouse w ON w.outlet_id = o.outlet_id
            WHERE o.parts_requested_at IS NOT NULL AND o.completed_at IS NOT NULL;
            INSERT INTO parts_stockmove (doc_id, at, kind, part_id, bin_id, warehouse_id, lot_id,
                qty, unit_cost, actor_id, reason)
            SELECT d.id, d.at, 'issue', 1, b.id, d.warehouse_id, NULL,
                   -(1 + (hashint8extended(d.id, 25) & 3) % 3), 12.50, NULL, ''
            FROM parts_stockdoc d JOIN parts_bin b ON b.warehouse_id = d.warehouse_id;
            SELECT setval(pg_get_serial_sequence('parts_stockdoc', 'id'),
                          (SELECT coalesce(max(id), 1) FROM parts_stockdoc))""",
        )
        step(
            "quotes (revenue)",
            """
            INSERT INTO warranty_quote (number, order_id, coverage, currency, total, status,
                note, created_by_id, created_at, decided_at, decided_by_id, decision_note)
            SELECT 'Q' || lpad(id::text, 9, '0'), id, 'out_of_warranty', 'CNY', 80.00,
                   'accepted', '', NULL, completed_at, completed_at + interval '1 hour', NULL, ''
            FROM orders_order
            WHERE completed_at IS NOT NULL AND pg_temp.u(id, 26) < 0.05;
            INSERT INTO warranty_quoteline (quote_id, kind, part_code, description, quantity,
                unit_price, amount)
            SELECT id, 'part', 'B-1', 'Bench capacitor', 1, 30.00, 30.00 FROM warranty_quote
            UNION ALL
            SELECT id, 'travel', '', 'Travel', 1, 50.00, 50.00 FROM warranty_quote""",
        )
        step(
            "parts purchases",
            """
            INSERT INTO parts_accountentry (outlet_id, at, kind, amount, currency, doc_id,
                old_part_return_id, actor_id, note)
            SELECT o.id, now() - d * interval '1 day', 'purchase', -500.00, 'CNY', NULL, NULL,
                   NULL, 'bench'
            FROM accounts_outlet o CROSS JOIN generate_series(0, 364, 7) d""",
        )
        conn.execute("SET session_replication_role = origin")
        step(
            "analyze",
            "ANALYZE orders_order; ANALYZE parts_stockmove; ANALYZE parts_stockdoc; "
            "ANALYZE warranty_quote; ANALYZE warranty_quoteline; ANALYZE parts_accountentry",
        )
    return steps


def _clear_caches() -> None:
    from django.core.cache import cache
    from django.db import connection

    from aftersales.core.refcache import clear_all

    connection.close()
    cache.clear()
    clear_all()


def export_child(kind: str, fmt: str) -> None:
    """Child process: stream one drill-down export and print its rows and peak RSS."""
    import django

    django.setup()
    from django.utils import timezone

    from aftersales.accounts.models import User
    from aftersales.core import export
    from aftersales.kpis import selectors

    manager = User.objects.get(username="bench-manager")
    now = timezone.now()
    today = timezone.localdate()
    if kind == "week":
        params = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}
    else:
        params = {"from": (today - timedelta(days=89)).isoformat(), "to": today.isoformat()}
    f = selectors.parse_filters(manager, params, now=now)
    qs = selectors.drill(manager, f, "orders_received", "all", now=now)

    def rss_kb() -> int:  # current resident set (ru_maxrss would keep the import-time peak)
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)

    import threading

    base = rss_kb()
    peaks = [base]
    done = threading.Event()

    def sample() -> None:  # XLSX is written before the first byte streams: sample throughout
        while not done.wait(0.05):
            peaks.append(rss_kb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    resp = export.response(
        fmt, name="bench", headers=selectors.DRILL_HEADERS, rows=selectors.drill_rows(qs)
    )
    size = 0
    for chunk in resp.streaming_content:
        size += len(chunk)
    done.set()
    sampler.join()
    peak = max(*peaks, rss_kb())
    print(
        json.dumps(
            {
                "rows": qs.count(),
                "bytes": size,
                "seconds": round(time.perf_counter() - t, 1),
                "rss_before_mb": round(base / 1024, 1),
                "rss_peak_mb": round(peak / 1024, 1),
                "rss_growth_mb": round((peak - base) / 1024, 1),
            }
        )
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--quick", action="store_true", help="100,000 orders, fewer runs")
    p.add_argument("--reseed", action="store_true")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--export-child", nargs=2, metavar=("SIZE", "FMT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.export_child:
        export_child(*args.export_child)
        return
    n = 100_000 if args.quick else args.orders
    runs = 20 if args.quick else args.runs
    load_start = list(os.getloadavg())

    pg.ensure_database()
    pg.migrate()
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from aftersales.accounts.models import User
    from aftersales.kpis import reports, selectors
    from aftersales.kpis.models import Report
    from aftersales.orders.models import Order

    results: dict[str, Any] = {"orders": n, "loadavg_at_start": load_start}
    with pg.connect() as conn:
        have = (
            dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())
            if conn.execute("SELECT to_regclass('bench_meta')").fetchone()[0]
            else {}
        )
    t0 = time.perf_counter()
    steps: dict[str, Any] = {}
    if args.reseed or have.get("orders") != str(n):
        print(f"seeding {n:,} orders into {DB_NAME}")
        steps = order_seed.seed(n, make_password("bench"))
        steps |= seed_extra()
    results["seed_steps_s"] = {k: round(v, 1) for k, v in steps.items()}
    results["seed_s"] = round(time.perf_counter() - t0, 1)

    now = timezone.now()
    first = timezone.localtime(now).date().replace(day=1)
    last_month = first - timedelta(days=1)
    month = f"{last_month.year:04d}-{last_month.month:02d}"
    manager = User.objects.get(username="bench-manager")
    f = selectors.parse_filters(manager, {"month": month}, now=now)
    c = selectors.ctx_of(f, now)
    results["month"] = month
    results["rows_in_month"] = {
        "received": Order.objects.filter(created_at__gte=c.start, created_at__lt=c.end).count(),
        "completed": Order.objects.filter(
            completed_at__gte=c.start, completed_at__lt=c.end
        ).count(),
        "closed": Order.objects.filter(closed_at__gte=c.start, closed_at__lt=c.end).count(),
    }

    def cold() -> None:
        _clear_caches()
        selectors.figures(manager, f, now=now)

    lat = []
    first_run = None
    for i in range(runs):
        _clear_caches()
        t = time.perf_counter()
        data = selectors.figures(manager, f, now=now)
        dt = time.perf_counter() - t
        if i == 0:
            first_run = round(dt * 1000, 1)
        lat.append(dt)
    results["first_cold_run_ms"] = first_run
    results["dashboard_cold"] = summary_ms(lat)
    results["figures"] = {x["id"]: x["value"] for x in data["figures"]}
    print("cold", results["dashboard_cold"])

    selectors.figures(manager, f, now=now)  # fill the cache
    lat = []
    for _ in range(max(runs, 50)):
        t = time.perf_counter()
        selectors.figures(manager, f, now=now)
        lat.append(time.perf_counter() - t)
    results["dashboard_warm_cached"] = summary_ms(lat)
    lat = []
    for _ in range(runs):
        t = time.perf_counter()
        selectors.figures(manager, f, now=now, use_cache=False)
        lat.append(time.perf_counter() - t)
    results["dashboard_warm_uncached"] = summary_ms(lat)
    print("warm", results["dashboard_warm_cached"], results["dashboard_warm_uncached"])

    # A clerk's own outlet (one of 50).
    clerk = User.objects.get(username="clerk-01")
    fc = selectors.parse_filters(clerk, {"month": month}, now=now)
    lat = []
    for _ in range(runs):
        _clear_caches()
        t = time.perf_counter()
        selectors.figures(clerk, fc, now=now)
        lat.append(time.perf_counter() - t)
    results["dashboard_cold_one_outlet"] = summary_ms(lat)

    rep = []
    for _ in range(3):
        _clear_caches()
        t = time.perf_counter()
        row = reports.report_archive(
            actor=None, kind="monthly", period=month, outlet=None, summary="bench", now=now
        )
        rep.append(time.perf_counter() - t)
    results["monthly_report_s"] = {
        "runs": [round(x, 2) for x in rep],
        "median": round(sorted(rep)[1], 2),
        "pdf_kb": round(len(bytes(row.pdf)) / 1024, 1),
        "xlsx_kb": round(len(bytes(row.xlsx)) / 1024, 1),
        "versions": Report.objects.filter(period=month).count(),
    }
    print("report", results["monthly_report_s"])
    connection.close()

    exports = {}
    for size in ("week", "quarter"):
        for fmt in ("csv", "xlsx"):
            out = subprocess.run(
                [PYTHON, "-m", "bench.kpis", "--export-child", size, fmt],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env=dict(os.environ),
            )
            if out.returncode != 0:
                exports[f"{size}-{fmt}"] = {"error": out.stderr[-500:]}
            else:
                exports[f"{size}-{fmt}"] = json.loads(out.stdout.strip().splitlines()[-1])
            print("export", size, fmt, exports[f"{size}-{fmt}"])
    results["exports"] = exports
    results["loadavg_at_end"] = list(os.getloadavg())
    results["machine"] = machine(pg.server_version(), pg.server_settings())
    results["measured_at"] = datetime.now().isoformat(timespec="seconds")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "kpis.json").write_text(json.dumps(results, indent=2, default=str))
    (OUT / "kpis.md").write_text(render(results))
    print(render(results))
    sys.stdout.flush()


def render(r: dict[str, Any]) -> str:
    rows = [
        ("Dashboard figures, month, all outlets — cold", r["dashboard_cold"], 500),
        (
            "Dashboard figures, month, all outlets — warm (figure cache)",
            r["dashboard_warm_cached"],
            100,
        ),  # fmt: skip
        (
            "Dashboard figures, month, all outlets — warm, cache off",
            r["dashboard_warm_uncached"],
            None,
        ),  # fmt: skip
        (
            "Dashboard figures, month, one outlet (clerk) — cold",
            r["dashboard_cold_one_outlet"],
            None,
        ),  # fmt: skip
    ]
    m = r["machine"]
    rm = r["rows_in_month"]
    out = [
        f"Orders seeded: {r['orders']:,}; month {r['month']}: {rm['received']:,} received, "
        f"{rm['completed']:,} completed, {rm['closed']:,} closed.",
        "",
        "| Figure | runs | p50 ms | p99 ms | max ms | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, s, target in rows:
        goal = f"≤ {target} ms" if target else ""
        out.append(
            f"| {name} | {s['n']} | {s['p50_ms']} | {s['p99_ms']} | {s['max_ms']} | {goal} |"
        )
    rep = r["monthly_report_s"]
    out += [
        "",
        f"First cold run after seeding: {r['first_cold_run_ms']} ms.",
        "",
        f"Monthly report (whole network: figures, per-outlet and per-technician tables, quality "
        f"rows, PDF {rep['pdf_kb']} KB, XLSX {rep['xlsx_kb']} KB, archived): median "
        f"{rep['median']} s (runs {', '.join(str(x) for x in rep['runs'])} s; target ≤ 10 s).",
        "",
        "| Export (drill-down list, streamed) | rows | seconds | RSS before MB | RSS peak MB | growth MB |",  # fmt: skip
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, e in r["exports"].items():
        if "error" in e:
            out.append(f"| {key} | error | | | | |")
            continue
        out.append(
            f"| {key} | {e['rows']:,} | {e['seconds']} | {e['rss_before_mb']} | "
            f"{e['rss_peak_mb']} | {e['rss_growth_mb']} |"
        )
    out += [
        "",
        "Cold = a new database connection, Django's cache and the per-process reference caches "
        "emptied before every run; PostgreSQL's shared buffers and the OS page cache are not "
        "dropped (shared server, no restart).",
        "",
        f"Machine: {machine_line(m)}; load average at start {r['loadavg_at_start']}, at end "
        f"{r['loadavg_at_end']} (2 cores shared with other builds).",
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
