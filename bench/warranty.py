"""Benchmark of the warranty app: `python -m bench.warranty [--orders N] [--quick] [--reseed]`.

Seeds its own PostgreSQL database `aftersales_bench_warranty` (the orders seed of bench.seed:
50 outlets, 200 technicians, N orders over a year) plus a year of reward/penalty entries and
complaints, then measures: the W-1 verdict of an order, a W-2 quote, one technician's live
scorecard, the manager's page of all cards, the W-5 month of quality rows, and the month close
(S-2) of every technician. Writes bench/out/warranty.json and bench/out/warranty.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from .config import DEFAULT_DATABASE_URL, OUT

DB_NAME = "aftersales_bench_warranty"


def _url() -> str:
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if "aftersales_bench_warranty" in base:
        return base
    return base.rsplit("/", 1)[0] + "/" + DB_NAME


os.environ["DATABASE_URL"] = _url()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

from . import pg  # noqa: E402
from . import seed as order_seed  # noqa: E402
from .loadgen import summary_ms  # noqa: E402
from .report import machine, machine_line  # noqa: E402

WARRANTY_TABLES = (
    "warranty_scorecard, warranty_monthclose, warranty_penaltyentry, warranty_complaintstep, "
    "warranty_complaint, warranty_quoteline, warranty_quote, warranty_returnphoto, "
    "warranty_returnrequest, warranty_compensation, warranty_expenseclaim, warranty_trip, "
    "warranty_proofofpurchase, warranty_extendedwarranty"
)


def seed_people_data(log: Any = print) -> dict[str, float]:
    """Per technician and month of the last year: 6 penalty/reward entries, 1 complaint."""
    steps: dict[str, float] = {}
    with pg.connect(autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute(f"TRUNCATE {WARRANTY_TABLES} RESTART IDENTITY CASCADE")
        conn.execute("""
            INSERT INTO warranty_penaltyentry (person_id, rule_id, kind, amount, currency, points,
                evidence, order_id, complaint_id, automatic, decided_by_id, at, month, auto_key)
            SELECT u.id, r.id, r.kind, r.amount, 'CNY', r.points,
                   'bench evidence ' || u.id || '/' || m || '/' || k, NULL, NULL, r.automatic,
                   NULL, ts, to_char(ts AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), NULL
            FROM accounts_user u
            CROSS JOIN generate_series(0, 11) m
            CROSS JOIN generate_series(1, 6) k
            CROSS JOIN LATERAL (SELECT now() - m * interval '30 days' - k * interval '3 hours' AS ts) x
            JOIN LATERAL (SELECT * FROM warranty_penaltyrule
                          ORDER BY id OFFSET (u.id + k) % 10 LIMIT 1) r ON true
            WHERE u.roles @> '["technician"]'::jsonb""")
        conn.execute("""
            INSERT INTO warranty_complaint (order_id, person_id, outlet_id, channel, category,
                summary, status, at_fault, received_at, received_by_id, closed_at, version)
            SELECT NULL, u.id, u.outlet_id, 'call', 'delay', 'bench', 'closed', (m % 3 = 0),
                   now() - m * interval '30 days', 1, now() - m * interval '30 days', 1
            FROM accounts_user u CROSS JOIN generate_series(0, 11) m
            WHERE u.roles @> '["technician"]'::jsonb""")
        conn.execute("ANALYZE warranty_penaltyentry; ANALYZE warranty_complaint")
        steps["people data"] = time.perf_counter() - t
        log(f"  seed: people data {steps['people data']:.1f} s")
    return steps


def timed(fn: Any, runs: int, warmup: int = 1) -> dict[str, Any]:
    for _ in range(warmup):
        fn()
    lat = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        lat.append(time.perf_counter() - t)
    return summary_ms(lat)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--quick", action="store_true", help="100,000 orders, fewer runs")
    p.add_argument("--reseed", action="store_true")
    p.add_argument("--runs", type=int, default=200)
    args = p.parse_args()
    n = 100_000 if args.quick else args.orders
    runs = 50 if args.quick else args.runs

    pg.ensure_database()
    pg.migrate()
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from aftersales.accounts.models import User
    from aftersales.orders.models import Order
    from aftersales.orders.selectors import orders_for_user
    from aftersales.warranty import people, presenters, services
    from aftersales.warranty.models import MonthClose, Scorecard
    from aftersales.warranty.selectors import order_warranty

    results: dict[str, Any] = {"orders": n}
    with pg.connect() as conn:
        have = (
            dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())
            if conn.execute("SELECT to_regclass('bench_meta')").fetchone()[0]
            else {}
        )
    t0 = time.perf_counter()
    if args.reseed or have.get("orders") != str(n):
        print(f"seeding {n:,} orders into {DB_NAME}")
        results["seed_steps_s"] = order_seed.seed(n, make_password("bench"))
    results["seed_steps_s"] = {**results.get("seed_steps_s", {}), **seed_people_data()}
    results["seed_s"] = round(time.perf_counter() - t0, 1)

    now = timezone.now()
    first_of_month = timezone.localtime(now).replace(day=1)
    month = people.month_of(first_of_month - timedelta(days=1))
    manager = User.objects.get(username="bench-manager")
    techs = people.technicians()
    rnd = random.Random(6)
    start, end = people._bounds(month)
    results["month"] = month
    results["technicians"] = len(techs)
    results["completed_in_month"] = Order.objects.filter(
        completed_at__gte=start, completed_at__lt=end
    ).count()

    ids = list(Order.objects.values_list("pk", flat=True)[:: max(1, n // 5000)])
    orders = {o.pk: o for o in Order.objects.select_related("product").filter(pk__in=ids)}
    results["verdict"] = timed(lambda: order_warranty(orders[rnd.choice(ids)]), runs * 2)
    print("verdict", results["verdict"])

    open_numbers = list(
        Order.objects.exclude(status__in=["closed", "cancelled"])
        .order_by("?")
        .values_list("number", flat=True)[: runs + 5]
    )
    it = iter(open_numbers)
    line = [{"kind": "part", "description": "压缩机", "unit_price": "820.00"}]

    def quote() -> None:
        services.quote_create(
            actor=manager, number=next(it), data={"lines": line, "misuse": True}, now=now
        )

    results["quote_create"] = timed(quote, runs)
    print("quote", results["quote_create"])

    results["card_live"] = timed(
        lambda: people.scorecards_compute(month, people=[rnd.choice(techs)], now=now), runs
    )
    print("card", results["card_live"])
    results["cards_all_manager"] = timed(
        lambda: people.scorecards_for(manager, month, now=now), max(5, runs // 20)
    )
    print("all cards", results["cards_all_manager"])
    results["quality_month"] = timed(
        lambda: presenters.quality_rows(
            orders_for_user(manager).filter(completed_at__gte=start, completed_at__lt=end)
        ),
        max(5, runs // 20),
    )
    print("quality", results["quality_month"])

    closes = []
    for _ in range(3):
        MonthClose.objects.filter(month=month).delete()
        Scorecard.objects.filter(month=month).delete()
        t = time.perf_counter()
        people.scorecards_close_month(month=month, actor=manager, now=now)
        closes.append(time.perf_counter() - t)
    t = time.perf_counter()
    try:
        people.scorecards_close_month(month=month, actor=manager, now=now)
    except Exception as e:  # the second close is refused
        results["second_close"] = getattr(e, "code", type(e).__name__)
    results["second_close_ms"] = round((time.perf_counter() - t) * 1000, 2)
    results["close_month_s"] = {
        "runs": [round(c, 2) for c in closes],
        "median": round(statistics.median(closes), 2),
    }
    print("close", results["close_month_s"])
    connection.close()
    results["machine"] = machine(pg.server_version(), pg.server_settings())
    results["measured_at"] = datetime.now().isoformat(timespec="seconds")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "warranty.json").write_text(json.dumps(results, indent=2, default=str))
    (OUT / "warranty.md").write_text(render(results))
    print(render(results))


def render(r: dict[str, Any]) -> str:
    rows = [
        ("W-1 verdict of one order", r["verdict"]),
        ("W-2 quote created (1 line)", r["quote_create"]),
        ("S-2 one technician's live card", r["card_live"]),
        (f"S-2 all {r['technicians']} cards (manager page)", r["cards_all_manager"]),
        ("W-5 quality rows of the month", r["quality_month"]),
    ]
    m = r["machine"]
    out = [
        f"Orders seeded: {r['orders']:,}; month {r['month']}: "
        f"{r['completed_in_month']:,} completed orders, {r['technicians']} technicians.",
        "",
        "| Figure | runs | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    out += [
        f"| {name} | {s['n']} | {s['p50_ms']} | {s['p99_ms']} | {s['max_ms']} |" for name, s in rows
    ]
    c = r["close_month_s"]
    out += [
        "",
        f"Month close of {r['technicians']} technicians: median {c['median']} s "
        f"(runs {', '.join(str(x) for x in c['runs'])} s); a second close is refused "
        f"(`{r.get('second_close')}`) in {r['second_close_ms']} ms.",
        "",
        f"Machine: {machine_line(m)}; load average at start {m['loadavg_at_start']} "
        "(2 cores shared with three other builds).",
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
