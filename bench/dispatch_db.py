"""Dispatch through the product's services on PostgreSQL: `python -m bench.dispatch_db`.

Seeds its own database (`aftersales_bench_dispatch`, or DATABASE_URL) with one outlet's
day — ORDERS orders with coordinates around Qingdao and TECHS technicians with profiles —
then times, through `dispatch.services`: propose a plan, accept it (one assign event per
line through order_act), and replan after one urgent order inserted at 13:00.
Writes bench/out/dispatch_db.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgres://aftersales:aftersales@127.0.0.1:5432/aftersales_bench_dispatch"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DISPATCH_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

OUT = Path(__file__).resolve().parent / "out"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=667)
    ap.add_argument("--techs", type=int, default=33)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args(argv)

    from . import pg

    pg.ensure_database()
    pg.migrate()

    import django

    django.setup()
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection

    from aftersales.accounts.models import Outlet, User
    from aftersales.dispatch import services
    from aftersales.dispatch.models import PlanProposal, TechnicianProfile
    from aftersales.orders.inputs import OrderIn
    from aftersales.orders.intake import order_receive, orders_receive

    from .dispatch_gen import TRADES

    tz = ZoneInfo(settings.TIME_ZONE)
    rnd = random.Random(5)
    day = datetime.now(tz).date() + timedelta(days=1)
    morning = datetime.combine(day, datetime.min.time(), tz).replace(hour=7)
    with connection.cursor() as cur:  # a clean day each run
        cur.execute(
            "TRUNCATE dispatch_planline, dispatch_planproposal, orders_orderevent, "
            "orders_repeatcall, orders_orderpart, orders_idempotencykey, orders_order, "
            "customers_customerproduct, customers_customerphone, customers_customer CASCADE"
        )
    outlet, _ = Outlet.objects.get_or_create(code="qd-01", defaults={"name": "Qingdao 1"})
    disp, _ = User.objects.get_or_create(
        username="bench_disp", defaults={"outlet": outlet, "roles": ["dispatcher"]}
    )
    lat0, lon0 = 36.0671, 120.3826
    for k in range(args.techs):
        u, _ = User.objects.get_or_create(
            username=f"bench_tech{k:03d}", defaults={"outlet": outlet, "roles": ["technician"]}
        )
        TechnicianProfile.objects.update_or_create(
            user=u,
            defaults={
                "skills": list(TRADES[k % len(TRADES)]),
                "home_latitude": lat0 + rnd.uniform(-0.1, 0.1),
                "home_longitude": lon0 + rnd.uniform(-0.12, 0.12),
                "max_jobs_per_day": 12,
                "shifts": {
                    d: ["08:00", "18:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                },
            },
        )
    cats = sorted({c for t in TRADES for c in t})

    def body(i: int) -> Any:
        return OrderIn.model_validate(
            {
                "customer": {
                    "name": f"客户{i}",
                    "phones": [f"139{i:08d}"],
                    "address": f"青岛市市南区香港中路{i}号",
                    "latitude": lat0 + rnd.uniform(-0.1, 0.1),
                    "longitude": lon0 + rnd.uniform(-0.12, 0.12),
                },
                "product": {"category": rnd.choice(cats), "brand": "Haier", "model": "X"},
                "service_type": "repair",
                "service_mode": "on_site",
                "source": "call_centre",
                "source_ref": f"BD-{i}",
                "outlet": "qd-01",
                "priority": "urgent" if i == args.orders else "normal",
                "requested_at": morning - timedelta(hours=12),
            }
        )

    def rows() -> Any:
        for i in range(args.orders):
            yield i, body(i)

    t0 = time.monotonic()
    for _ in orders_receive(rows(), actor=disp, now=morning - timedelta(hours=12)):
        pass
    seed_s = time.monotonic() - t0

    t0 = time.monotonic()
    prop = services.plan_propose(
        actor=disp, day=day, outlet="qd-01", seconds=args.seconds, now=morning
    )
    propose_s = time.monotonic() - t0
    t0 = time.monotonic()
    prop = services.plan_accept(actor=disp, pk=prop.pk, now=morning)
    accept_s = time.monotonic() - t0
    # The urgent order arrives at 13:00.
    one_pm = datetime.combine(day, datetime.min.time(), tz).replace(hour=13)
    urgent = order_receive(actor=disp, data=body(args.orders), now=one_pm)

    times = []
    placed = 0
    for k in range(3):
        now = datetime.combine(day, datetime.min.time(), tz).replace(hour=13, minute=5 * k)
        t0 = time.monotonic()
        rp = services.replan(actor=disp, outlet="qd-01", urgent_order=urgent.number, now=now)
        times.append(time.monotonic() - t0)
        placed += int(rp.lines.filter(order=urgent).exists())
    res = {
        "database": connection.vendor,
        "orders": args.orders,
        "technicians": args.techs,
        "seed_s": round(seed_s, 2),
        "propose_s": round(propose_s, 2),
        "propose_budget_s": args.seconds,
        "served": prop.figures.get("served"),
        "greedy_served": prop.figures.get("greedy_served"),
        "travel_km": prop.figures.get("travel_km"),
        "greedy_travel_km": prop.figures.get("greedy_travel_km"),
        "solver_violations": prop.figures.get("solver_violations"),
        "accept_s": round(accept_s, 2),
        "accepted_lines": prop.lines.filter(state="accepted").count(),
        "replan_runs": len(times),
        "replan_median_s": round(statistics.median(times), 2),
        "replan_max_s": round(max(times), 2),
        "replan_urgent_placed": placed,
        "proposals": PlanProposal.objects.count(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dispatch_db.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
