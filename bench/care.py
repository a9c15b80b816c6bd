"""Customer care at scale (issue 5): 1,000,000 customers, 3,000,000 contacts on PostgreSQL.

    .venv/bin/python -m bench.care [--customers 1000000] [--contacts 3000000] [--trackers 500]

Seeds its own database `aftersales_bench_care` with generate_series, then measures
- run_schedules over the whole base (first run: every due class contact, maintenance
  reminder and loss call),
- incremental runs (nothing new; and 100 customers newly due per run),
- a tracker's my-day list: the selector and GET /api/v1/contacts/my-day (in process),
and writes bench/out/care.json and bench/out/care.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from datetime import timedelta
from typing import Any

DB_NAME = "aftersales_bench_care"


def _url() -> str:
    base = os.environ.get(
        "DATABASE_URL", "postgres://aftersales:aftersales@127.0.0.1:5432/aftersales_bench"
    )
    return base.rsplit("/", 1)[0] + "/" + DB_NAME


SEED_SQL = [
    # Customers: class A 5 %, B 25 %, C 70 %; next contact spread over each cadence around
    # today, so about half of every class is due on the first run.
    """
    INSERT INTO customers_customer (name, address, region, tracker_id, created_at, email,
        services_wanted, file_notes, care_class, last_contact_at, next_contact_due,
        contact_task_open, loss_cause, version)
    SELECT 'customer ' || i, 'street ' || i, 'region ' || (i %% 40),
        (%(t0)s + (i %% %(trackers)s)), now(), '', '', '',
        CASE WHEN i %% 20 = 0 THEN 'A' WHEN i %% 4 = 1 THEN 'B' ELSE 'C' END,
        now() - ((i %% 180) || ' days')::interval,
        CASE WHEN i %% 20 = 0 THEN current_date + (i %% 7) - 3
             WHEN i %% 4 = 1 THEN current_date + (i %% 30) - 15
             ELSE current_date + (i %% 182) - 91 END,
        false, '', 1
    FROM generate_series(1, %(customers)s) AS i
    """,
    """
    INSERT INTO customers_customerphone (customer_id, number)
    SELECT id, '+86138' || lpad(id::text, 8, '0') FROM customers_customer
    """,
    # One product each; every second one has a maintenance date within [-150, +215] days.
    """
    INSERT INTO customers_customerproduct (customer_id, category, brand, model, serial,
        purchase_date, plate, mileage_km, maintenance_interval_days, maintenance_interval_km,
        last_service_on, next_maintenance_due, next_maintenance_km, maintenance_reminded,
        loss_flagged)
    SELECT id, CASE WHEN id %% 2 = 0 THEN 'vehicle' ELSE 'washing_machine' END, 'B', 'M',
        'S' || id, current_date - 400, CASE WHEN id %% 2 = 0 THEN 'P' || id ELSE '' END,
        NULL, CASE WHEN id %% 2 = 0 THEN 180 END, NULL, NULL,
        CASE WHEN id %% 2 = 0 THEN current_date + (id %% 365)::int - 150 END, NULL, false, false
    FROM customers_customer
    """,
    """
    INSERT INTO care_contact (customer_id, at, actor_id, channel, purpose, outcome, phone,
        address, subject, key_points, requests, wishes, complaints, loss_cause)
    SELECT c.id, now() - ((i %% 365) || ' days')::interval - ((i %% 600) || ' minutes')::interval,
        c.tracker_id,
        (ARRAY['phone_out','phone_in','visit','letter_out'])[1 + i %% 4],
        (ARRAY['followup','consultation','complaint','care','maintenance'])[1 + i %% 5],
        'reached', '+86138' || lpad(c.id::text, 8, '0'), '', '', 'note ' || i, '', '', '', ''
    FROM generate_series(1, %(contacts)s) AS i
    JOIN customers_customer c ON c.id = %(c0)s + (i %% %(customers)s)
    """,
]


def seed(customers: int, contacts: int, trackers: int) -> dict[str, float]:
    from django.db import connection

    from aftersales.accounts.models import User

    times: dict[str, float] = {}
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE care_contact, care_task, care_invitation, care_customerrequest, "
            "care_event, care_substitution, care_schedulecursor, customers_customerphone, "
            "customers_customerproduct, customers_customer RESTART IDENTITY CASCADE"
        )
    User.objects.filter(username__startswith="tracker").delete()
    User.objects.bulk_create(
        [User(username=f"tracker{i}", roles=["clerk"], password="!") for i in range(trackers)]
    )
    t0 = User.objects.filter(username="tracker0").values_list("pk", flat=True)[0]
    params = {"t0": t0, "trackers": trackers, "customers": customers, "contacts": contacts}
    for i, sql in enumerate(SEED_SQL):
        s = time.perf_counter()
        with connection.cursor() as cur:
            if i == 3:
                cur.execute("SELECT min(id) FROM customers_customer")
                params["c0"] = cur.fetchone()[0]
            cur.execute(sql, params)
        times[f"seed_step_{i}_s"] = round(time.perf_counter() - s, 1)
        print(f"  seed step {i}: {times[f'seed_step_{i}_s']} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    times["seed_s"] = round(time.perf_counter() - t, 1)
    return times


# The whole-base figure is measured from the same state every time: the generated tasks
# deleted and the work-queue flags cleared (the seeded customers' and products' due dates
# stay), vacuumed and checkpointed so that no run pays for the previous run's dead rows or
# dirty pages. Tasks of other kinds (none in this database) are left alone.
RESET_SQL = [
    "DELETE FROM care_task WHERE kind IN ('class_contact', 'maintenance', 'loss_call')",
    "UPDATE customers_customer SET contact_task_open = false WHERE contact_task_open",
    "UPDATE customers_customerproduct SET maintenance_reminded = false, loss_flagged = false "
    "WHERE maintenance_reminded OR loss_flagged",
    "VACUUM ANALYZE care_task",
    "VACUUM ANALYZE customers_customer",
    "VACUUM ANALYZE customers_customerproduct",
    "CHECKPOINT",
]


def reset_generated() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for sql in RESET_SQL:
            cur.execute(sql)


def pct(lat: list[float]) -> dict[str, float]:
    s = sorted(lat)

    def q(p: float) -> float:
        return round(s[min(len(s) - 1, int(p * len(s)))] * 1000, 2)

    return {"n": len(s), "p50_ms": q(0.5), "p99_ms": q(0.99), "max_ms": round(s[-1] * 1000, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--contacts", type=int, default=3_000_000)
    ap.add_argument("--trackers", type=int, default=500)
    ap.add_argument("--skip-seed", action="store_true", help="reuse the seeded database")
    ap.add_argument("--runs", type=int, default=3, help="repetitions of each figure (median)")
    ap.add_argument(
        "--latency-only",
        action="store_true",
        help="skip the whole-base runs (the tasks of an earlier run stay)",
    )
    ap.add_argument(
        "--full-only",
        action="store_true",
        help="only the whole-base run (writes bench/out/care_full.json)",
    )
    args = ap.parse_args()

    os.environ["DATABASE_URL"] = _url()
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    from .pg import ensure_database, migrate, server_settings, server_version
    from .report import machine, table

    ensure_database()
    migrate()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from aftersales.accounts.models import ApiToken, User
    from aftersales.care.jobs import run_schedules
    from aftersales.care.selectors import my_day
    from aftersales.customers.models import Customer

    m = machine(server_version(), server_settings())
    out: dict[str, Any] = {
        "scale": {"customers": args.customers, "contacts": args.contacts, "trackers": args.trackers}
    }
    if not args.skip_seed:
        print(f"seeding {args.customers:,} customers, {args.contacts:,} contacts", flush=True)
        out.update(seed(args.customers, args.contacts, args.trackers))

    def load() -> float:
        return round(os.getloadavg()[0], 2)

    # run_schedules over the whole base, `--runs` times from the same state (median quoted).
    runs: list[dict[str, Any]] = []
    for i in range(0 if args.latency_only else args.runs):
        t = time.perf_counter()
        reset_generated()
        print(f"reset {i + 1}: {time.perf_counter() - t:.1f} s", flush=True)
        before = load()
        t = time.perf_counter()
        rep = run_schedules()
        took = round(time.perf_counter() - t, 2)
        runs.append(
            {
                "s": took,
                "load_before": before,
                "load_after": load(),
                "created": {str(k): v for k, v in rep.created.items()},
                "step_s": rep.seconds,
            }
        )
        print(f"full run {i + 1}: {runs[-1]}", flush=True)
    out["full_runs"] = runs
    out["full_run_s"] = statistics.median(r["s"] for r in runs) if runs else None
    out["full_run_created"] = runs[-1]["created"] if runs else {}
    with connection.cursor() as cur:
        cur.execute("ANALYZE care_task")
    if args.full_only:
        from .config import OUT

        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "care_full.json").write_text(
            json.dumps({**out, "machine": m}, indent=1, default=str)
        )
        print(json.dumps(runs, indent=1), flush=True)
        return

    def rounds(measure: Any) -> dict[str, Any]:
        """`--runs` rounds of a latency measurement; the median of each percentile."""
        got = []
        for _ in range(args.runs):
            before = load()
            r = measure()
            got.append({**r, "load": round((before + load()) / 2, 2)})
        keys = ("p50_ms", "p99_ms", "max_ms", "load")
        return {**{k: statistics.median(g[k] for g in got) for k in keys}, "rounds": got}

    # Incremental runs: nothing new, then 100 customers newly due per run.
    def idle() -> dict[str, Any]:
        lat: list[float] = []
        for _ in range(20):
            t = time.perf_counter()
            run_schedules()
            lat.append(time.perf_counter() - t)
        return pct(lat)

    out["incremental_idle"] = rounds(idle)
    ids = list(Customer.objects.filter(contact_task_open=True).values_list("pk", flat=True)[:2000])
    rnd = random.Random(5)
    day = timezone.localdate()
    shift = iter(range(400, 10_000))

    def newly_due() -> dict[str, Any]:
        lat: list[float] = []
        made = 0
        for _ in range(20):
            batch = rnd.sample(ids, 100)
            # As if each had just been contacted and fell due again (a new due date).
            Customer.objects.filter(pk__in=batch).update(
                contact_task_open=False, next_contact_due=day - timedelta(days=next(shift))
            )
            t = time.perf_counter()
            r = run_schedules()
            lat.append(time.perf_counter() - t)
            made += sum(r.created.values())
        return {**pct(lat), "created": made}

    out["incremental_100_new"] = rounds(newly_due)
    print(f"incremental: {out['incremental_idle']} / {out['incremental_100_new']}", flush=True)

    # My-day list of 50 trackers (300 reads a round).
    trackers = list(User.objects.filter(username__startswith="tracker").order_by("pk")[:50])
    rows_seen = [0]

    def selector() -> dict[str, Any]:
        lat: list[float] = []
        for i in range(300):
            u = trackers[i % len(trackers)]
            t = time.perf_counter()
            rows_seen[0] = len(my_day(u, today=day))
            lat.append(time.perf_counter() - t)
        return pct(lat)

    out["my_day_selector"] = {**rounds(selector), "rows": rows_seen[0]}
    tokens = {u.pk: ApiToken.issue(u)[1] for u in trackers}
    client = Client()

    def api() -> dict[str, Any]:
        lat: list[float] = []
        for i in range(300):
            u = trackers[i % len(trackers)]
            t = time.perf_counter()
            r = client.get("/api/v1/contacts/my-day", HTTP_AUTHORIZATION=f"Bearer {tokens[u.pk]}")
            lat.append(time.perf_counter() - t)
            assert r.status_code == 200, r.content[:200]
        return pct(lat)

    out["my_day_api"] = rounds(api)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM care_task WHERE open")
        out["open_tasks"] = cur.fetchone()[0]
    out["machine"] = m
    print(json.dumps({k: v for k, v in out.items() if k != "machine"}, indent=1), flush=True)

    from .config import OUT

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "care.json").write_text(json.dumps(out, indent=1, default=str))
    title = (
        f"Customer care: {args.customers:,} customers, {args.contacts:,} contacts, "
        f"{args.trackers} trackers"
    )
    rows_md = [
        ("seed (generate_series)", "care_seed_s", out.get("seed_s"), "s"),
        ("run-schedules, whole base", "care_full_run_s", out["full_run_s"], "s"),
        (
            "run-schedules, incremental, nothing new p99",
            "care_incr_idle_p99_ms",
            out["incremental_idle"]["p99_ms"],
            "ms",
        ),
        (
            "run-schedules, incremental, 100 newly due p99",
            "care_incr_p99_ms",
            out["incremental_100_new"]["p99_ms"],
            "ms",
        ),
        (
            "my-day list (selector) p50",
            "care_my_day_sel_p50_ms",
            out["my_day_selector"]["p50_ms"],
            "ms",
        ),
        (
            "my-day list (selector) p99",
            "care_my_day_sel_p99_ms",
            out["my_day_selector"]["p99_ms"],
            "ms",
        ),
        (
            "my-day list (API, in process) p50",
            "care_my_day_api_p50_ms",
            out["my_day_api"]["p50_ms"],
            "ms",
        ),
        (
            "my-day list (API, in process) p99",
            "care_my_day_p99_ms",
            out["my_day_api"]["p99_ms"],
            "ms",
        ),
    ]
    from . import report

    report.TARGETS.update(
        {
            "care_full_run_s": ("<=", 60, "s"),
            "care_incr_p99_ms": ("<=", 1000, "ms"),
            "care_incr_idle_p99_ms": ("<=", 1000, "ms"),
            "care_my_day_p99_ms": ("<=", 50, "ms"),
            "care_my_day_sel_p99_ms": ("<=", 50, "ms"),
        }
    )
    md = table(rows_md, m, title)
    md += f"\nMedian of {args.runs} runs each; load average (1 min) at each figure:\n\n"
    md += "| figure | runs | load |\n|---|---|---|\n"
    md += "| run-schedules, whole base | {} | {} |\n".format(
        ", ".join(f"{r['s']} s" for r in runs), ", ".join(str(r["load_before"]) for r in runs)
    )
    for label, key in (
        ("incremental, nothing new p99", "incremental_idle"),
        ("incremental, 100 newly due p99", "incremental_100_new"),
        ("my-day (selector) p99", "my_day_selector"),
        ("my-day (API) p99", "my_day_api"),
    ):
        got = out[key]["rounds"]
        md += "| {} | {} | {} |\n".format(
            label,
            ", ".join(f"{g['p99_ms']} ms" for g in got),
            ", ".join(str(g["load"]) for g in got),
        )
    md += (
        f"\nEach whole-base run created {out['full_run_created']} (seconds per step: "
        f"{[r['step_s'] for r in runs]}); {out['open_tasks']:,} open tasks; "
        f"my-day rows per tracker (capped at 200): {out['my_day_selector']['rows']}.\n"
    )
    (OUT / "care.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
