"""The benchmark: `python -m bench.run [--quick | --orders N] [--reseed]` (see README.md).

Phases: PostgreSQL + migrate → seed N orders → backlog queries (in-process) → gunicorn (2
workers) ← intake load from a second process → order list page/API latency through gunicorn →
bulk import of 20k and 100k rows in a subprocess → results.json / results.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import time
import zlib
from datetime import datetime
from typing import Any

from . import pg, wrk
from .config import AFTERSALES, HOST, OUT, PASSWORD, PORT, database_url
from .procs import (
    Gunicorn,
    ProcessCpu,
    RssSampler,
    children,
    rss_kb,
    run_loadgen,
    run_measured,
)
from .report import machine, table


def log(msg: str) -> None:
    print(msg, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--orders", type=int, default=1_000_000, help="orders to seed (1,000,000)")
    p.add_argument("--quick", action="store_true", help="100,000 orders and shorter runs")
    p.add_argument("--reseed", action="store_true", help="seed even if enough orders exist")
    p.add_argument("--intake", type=int, default=None, help="HTTP intake requests (5000)")
    p.add_argument("--concurrency", type=int, default=4, help="Python client threads (4)")
    p.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    p.add_argument("--intake-seconds", type=int, default=None, help="wrk intake run (20 s)")
    p.add_argument(
        "--python-client",
        action="store_true",
        help="drive the intake with Python threads even where wrk is installed",
    )
    p.add_argument("--batch", type=int, default=100, help="orders per batch request (100)")
    p.add_argument("--batch-orders", type=int, default=50_000, help="orders through /orders/batch")
    p.add_argument("--import-rows", type=int, default=100_000)
    p.add_argument("--import-small", type=int, default=20_000)
    p.add_argument("--backlog-runs", type=int, default=50)
    p.add_argument("--list-runs", type=int, default=100)
    p.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["backlog", "intake", "list", "import"],
        help="skip a phase",
    )
    a = p.parse_args(argv)
    if a.quick:
        a.orders = 100_000
    if a.intake is None:
        a.intake = 2000 if a.quick else 5000
    if a.intake_seconds is None:
        a.intake_seconds = 10 if a.quick else 20
    return a


def setup_django() -> None:
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    os.environ.setdefault("ALLOWED_HOSTS", HOST)
    import django

    django.setup()


def mb(kb: int | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


# --- phases -------------------------------------------------------------------------------


def phase_seed(args: argparse.Namespace, results: dict[str, Any]) -> None:
    from django.contrib.auth.hashers import make_password

    from .seed import meta, order_count, restore_indexes, seed

    with pg.connect(autocommit=True) as conn:
        fixed = restore_indexes(conn)
        if fixed:
            log(f"rebuilt {fixed} orders_order index(es) left by an interrupted seed")
        have = order_count(conn)
        info = meta(conn)
    seeded = int(info.get("orders", "0"))
    if have >= args.orders and seeded and not args.reseed:
        log(
            f"seed: skipped, {have:,} orders present (seeded {seeded:,} at {info.get('seeded_at')})"
        )
        results["seed"] = {
            "skipped": True,
            "orders_present": have,
            "seeded": seeded,
            "customers": int(info.get("customers", "0")),
        }
        return
    log(f"seed: {args.orders:,} orders …")
    t = time.perf_counter()
    steps = seed(args.orders, make_password(PASSWORD), log=log)
    total = time.perf_counter() - t
    with pg.connect() as conn:
        info = meta(conn)
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("orders_order", "customers_customer", "accounts_user")
        }
        open_n = conn.execute(
            "SELECT count(*) FROM orders_order WHERE status NOT IN ('closed', 'cancelled')"
        ).fetchone()[0]
        old = conn.execute(
            "SELECT count(*) FROM orders_order WHERE status NOT IN "
            "('closed', 'cancelled') AND created_at < now() - interval '48 hours'"
        ).fetchone()[0]
    log(f"seed: done in {total:.1f} s; {open_n:,} open orders, {old:,} open > 48 h")
    results["seed"] = {
        "skipped": False,
        "seconds": round(total, 1),
        "steps_s": {k: round(v, 1) for k, v in steps.items()},
        "counts": counts,
        "open": open_n,
        "open_older_48h": old,
        "customers": int(info["customers"]),
        "seeded": args.orders,
    }


def bench_users() -> dict[str, Any]:
    from aftersales.accounts.models import ApiToken, User

    clerk = User.objects.get(username="clerk-01")
    manager = User.objects.get(username="bench-manager")
    return {
        "clerk": clerk,
        "manager": manager,
        "clerk_token": ApiToken.issue(clerk, name="bench")[1],
        "manager_token": ApiToken.issue(manager, name="bench")[1],
    }


def phase_backlog(
    args: argparse.Namespace, users: dict[str, Any], results: dict[str, Any], sampler: RssSampler
) -> None:
    from django.db import connection, reset_queries
    from django.utils import timezone

    from aftersales.orders.backlog import backlog_rows
    from aftersales.orders.selectors import backlog

    from .stats import timed_runs

    now = timezone.now()
    out: dict[str, Any] = {"runs": args.backlog_runs, "older_than_hours": 48}
    sampler.begin("backlog")
    for who in ("clerk", "manager"):
        user = users[who]
        total = backlog(user, older_than_hours=48, now=now).count()
        page = timed_runs(
            lambda u=user: len(list(backlog(u, older_than_hours=48, now=now)[:200])),
            args.backlog_runs,
        )
        rows = timed_runs(
            lambda u=user: sum(1 for _ in backlog_rows(u, older_than_hours=48, now=now)),
            args.backlog_runs,
            budget_s=120,
        )
        # Queries per full iteration (server-side cursor chunks; an N+1 would show here).
        from django.conf import settings

        settings.DEBUG = True
        reset_queries()
        sum(1 for _ in backlog_rows(user, older_than_hours=48, now=now))
        nq = len(connection.queries)
        settings.DEBUG = False
        reset_queries()
        out[who] = {
            "backlog_total": total,
            "page_200": page,
            "rows_full": rows,
            "queries_per_full_iteration": nq,
        }
        log(
            f"backlog {who}: {total:,} rows > 48 h; first 200 p50 {page['p50_ms']} ms "
            f"p99 {page['p99_ms']} ms; full iteration p50 {rows['p50_ms']} ms "
            f"p99 {rows['p99_ms']} ms ({rows['n']} runs, {nq} queries)"
        )
    out["peak_rss"] = sampler.end()
    results["backlog"] = out


def login_cookie(username: str) -> str:
    """Log in through /login/ like a browser; returns the Cookie header value."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    c.request("GET", "/login/", headers={"Host": HOST})
    r = c.getresponse()
    html = r.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = f"username={username}&password={PASSWORD}&csrfmiddlewaretoken={token}"
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    c.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Host": HOST,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://{HOST}:{PORT}/login/",
        },
    )
    r = c.getresponse()
    r.read()
    cookies = " ".join(r.msg.get_all("Set-Cookie") or [])
    m = re.search(r"sessionid=([^;]+)", cookies)
    if r.status != 302 or not m:
        raise RuntimeError(f"login as {username} failed: HTTP {r.status}")
    return f"sessionid={m.group(1)}; csrftoken={csrf_cookie}"


def phase_intake(
    args: argparse.Namespace,
    users: dict[str, Any],
    results: dict[str, Any],
    sampler: RssSampler,
    customers: int,
) -> None:
    stamp = datetime.now().strftime("%Y%m%d%H%M%S")
    common = {
        "mode": "intake",
        "token": users["clerk_token"],
        "concurrency": args.concurrency,
        "customers": customers,
        "reuse_every": 3,
    }
    if wrk.available() and not args.python_client:
        results["intake"] = intake_wrk(args, users, sampler, customers, stamp)
    else:
        log("intake: warm-up (50 requests) …")
        run_loadgen({**common, "count": 50, "prefix": f"WARM-{stamp}"})
        log(f"intake: {args.intake:,} POST /api/v1/orders from {args.concurrency} threads …")
        sampler.begin("intake")
        r = run_loadgen({**common, "count": args.intake, "prefix": f"HTTP-{stamp}"})
        r["peak_rss"] = sampler.end()
        r["client"] = "python threads"
        log(
            f"intake: {r['rps']} req/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
            f"errors {r['errors']} {r['statuses']} {r['error_samples'][:1]}"
        )
        results["intake"] = r
    requests = max(1, args.batch_orders // args.batch)
    log(f"intake: {requests:,} POST /api/v1/orders/batch of {args.batch} orders …")
    sampler.begin("intake_batch")
    r = run_loadgen({**common, "count": requests, "batch": args.batch, "prefix": f"BATCH-{stamp}"})
    r["peak_rss"] = sampler.end()
    log(
        f"intake batch: {r['orders_per_s']} orders/s ({r['rps']} req/s), p50 {r['p50_ms']} "
        f"ms, p99 {r['p99_ms']} ms, errors {r['errors']} {r['error_samples'][:1]}"
    )
    results["intake_batch"] = r


# One order per request, as bench.loadgen's order_body: a unique reference per thread and
# request; every third order reuses a seeded customer's phone (found, not created).
INTAKE_LUA = """
local prefix, customers = "%(prefix)s", %(customers)d
local cats = {"air_conditioner", "washing_machine", "refrigerator", "television", "water_heater"}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("tid", counter) end
function init(args) n = 0 end
request = function()
  n = n + 1
  local ref = prefix .. "-" .. tid .. "-" .. n
  local phone
  if n %% 3 == 0 then
    phone = string.format("138%%08d", 1 + (tid * 7919 + n * 104729) %% customers)
  else
    phone = string.format("139%%08d", (%(base)d + tid * 10000000 + n) %% 100000000)
  end
  local body = string.format('{"source": "web", "source_ref": "%%s", "customer": {"name": '
    .. '"HTTP customer %%d", "phones": ["%%s"], "address": "No. %%d Xianggang Middle Road", '
    .. '"region": "Qingdao"}, "product": {"category": "%%s", "brand": "Haier", "model": '
    .. '"KFR-35GW", "serial": "%%s-SN"}, "service_type": "repair", "service_mode": "on_site", '
    .. '"fault": "Makes a noise and does not cool."}', ref, n, phone, n, cats[n %% 5 + 1], ref)
  return wrk.format("POST", "/api/v1/orders", {["Authorization"] = "Bearer %(token)s",
    ["Content-Type"] = "application/json", ["Host"] = "%(host)s"}, body)
end
"""


def intake_wrk(
    args: argparse.Namespace,
    users: dict[str, Any],
    sampler: RssSampler,
    customers: int,
    stamp: str,
) -> dict[str, Any]:
    from aftersales.orders.models import Order

    def script(prefix: str) -> str:
        return INTAKE_LUA % {
            "prefix": prefix,
            "customers": max(1, customers),
            "base": zlib.crc32(prefix.encode()) % 10**8,
            "token": users["clerk_token"],
            "host": HOST,
        }

    log("intake: warm-up (3 s) …")
    wrk.run("intake", script(f"WARM-{stamp}"), seconds=3, connections=args.connections)
    log(
        f"intake: POST /api/v1/orders for {args.intake_seconds} s from wrk, "
        f"{args.connections} connections …"
    )
    sampler.begin("intake")
    r = wrk.run(
        "intake", script(f"HTTP-{stamp}"), seconds=args.intake_seconds, connections=args.connections
    )
    r["peak_rss"] = sampler.end()
    # What the server says it did is checked against what the database holds.
    r["orders_created"] = Order.objects.filter(source_ref__startswith=f"HTTP-{stamp}-").count()
    r["concurrency"] = args.connections
    log(
        f"intake: {r['rps']} req/s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
        f"non-2xx {r['non_2xx']}, socket errors {r['socket_errors']}, "
        f"orders in the database {r['orders_created']:,} of {r['requests']:,} requests"
    )
    # wrk counts the answers within its run; up to one request per connection was still in
    # flight at the end and is in the database too.
    answered = r["requests"] - r["non_2xx"]
    if not answered <= r["orders_created"] <= answered + args.connections:
        r["errors"] += abs(answered - r["orders_created"])
    return r


def phase_list(
    args: argparse.Namespace, users: dict[str, Any], results: dict[str, Any], sampler: RssSampler
) -> None:
    sampler.begin("list")
    out: dict[str, Any] = {"runs": args.list_runs, "via": "HTTP through gunicorn, one client"}
    variants = {
        "all": "page=1",
        "assigned": "page=1&status=assigned",
        "overdue": "page=1&overdue=1",
    }
    for who in ("clerk", "manager"):
        uname = "clerk-01" if who == "clerk" else "bench-manager"
        cookie = login_cookie(uname)
        log(f"list ({who}): page and API, {args.list_runs} runs per variant …")
        page = run_loadgen(
            {
                "mode": "get",
                "runs": args.list_runs,
                "headers": {"Cookie": cookie},
                "paths": {f"page_{k}": f"/orders/?{q}" for k, q in variants.items()},
            }
        )
        api = run_loadgen(
            {
                "mode": "get",
                "runs": args.list_runs,
                "headers": {"Authorization": f"Bearer {users[who + '_token']}"},
                "paths": {f"api_{k}": f"/api/v1/orders?{q}" for k, q in variants.items()},
            }
        )
        out[who] = {**page, **api}
        for k, v in out[who].items():
            log(
                f"  {who} {k:<14} p50 {v['p50_ms']:8.1f} ms  p99 {v['p99_ms']:8.1f} ms  "
                f"errors {v['errors']}"
            )
    out["peak_rss"] = sampler.end()
    results["list"] = out


def phase_import(
    args: argparse.Namespace, results: dict[str, Any], sampler: RssSampler, customers: int
) -> None:
    from .importfile import write_csv

    stamp = datetime.now().strftime("%Y%m%d%H%M%S")
    work = OUT / "import"
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    for label, rows in (("small", args.import_small), ("large", args.import_rows)):
        path = work / f"orders-{rows}.csv"
        reused = write_csv(path, rows, prefix=f"IMP-{stamp}-{rows}", customers=customers)
        log(f"import: {rows:,} rows ({reused:,} reuse a customer's phone) …")
        sampler.begin(f"import_{label}")
        pg_cpu = ProcessCpu("postgres")
        pg_cpu.start()
        r = run_measured(
            [AFTERSALES, "import", "orders", str(path)],
            stdout_path=work / f"import-{rows}.out",
            stderr_path=work / f"import-{rows}.err",
            sampler=sampler,
            name="importer",
        )
        r["postgres_cpu_s"] = pg_cpu.stop()
        sampler.end()
        text = (work / f"import-{rows}.out").read_text()
        m = re.search(r"created=(\d+) already_imported=(\d+) rejected=(\d+)", text)
        created, skipped, rejected = (int(x) for x in m.groups()) if m else (0, 0, rows)
        r.update(
            rows=rows,
            reused_phone_rows=reused,
            created=created,
            already_imported=skipped,
            rejected=rejected,
            orders_per_s=round(created / r["elapsed_s"], 1),
            peak_rss_mb=mb(r["peak_rss_kb"]),
        )
        if created:
            # Where the CPU goes, per order: the importer's processes (parsing, validation,
            # building rows) and PostgreSQL's (inserts, indexes, foreign keys, WAL). With
            # both, the cores bound the rate whatever the parallelism.
            r["importer_cpu_us_per_order"] = round(1e6 * (r["user_s"] + r["sys_s"]) / created, 1)
            r["postgres_cpu_us_per_order"] = round(1e6 * r["postgres_cpu_s"] / created, 1)
            per_order = r["importer_cpu_us_per_order"] + r["postgres_cpu_us_per_order"]
            r["cpu_bound_orders_per_s"] = round(1e6 * (os.cpu_count() or 1) / per_order)
            r["postgres_bound_orders_per_s"] = round(
                1e6 * (os.cpu_count() or 1) / r["postgres_cpu_us_per_order"]
            )
        log(
            f"import {rows:,}: {created:,} created, {rejected} rejected in "
            f"{r['elapsed_s']:.1f} s = {r['orders_per_s']:,} orders/s, peak RSS "
            f"{r['peak_rss_mb']} MB (rc {r['returncode']}); CPU per order: importer "
            f"{r.get('importer_cpu_us_per_order')} µs, PostgreSQL "
            f"{r.get('postgres_cpu_us_per_order')} µs"
        )
        out[label] = r
    results["import"] = out


def write_plans(users: dict[str, Any]) -> None:
    """EXPLAIN ANALYZE of the measured queries → bench/out/plans.txt."""
    from django.utils import timezone

    from aftersales.orders.selectors import backlog, order_list

    now = timezone.now()
    parts = []
    for who in ("clerk", "manager"):
        u = users[who]
        qs = {
            "backlog first 200": backlog(u, older_than_hours=48, now=now)[:200],
            "order list page 1": order_list(u, now=now)[:50],
            "order list count": None,
            "order list status=assigned": order_list(u, status=["assigned"], now=now)[:50],
            "order list overdue=1": order_list(u, overdue=True, now=now)[:50],
        }
        for name, q in qs.items():
            if q is None:
                from django.db import connection

                base = order_list(u, now=now).order_by()
                sql, params = base.query.sql_with_params()
                with connection.cursor() as cur:
                    cur.execute(
                        f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({sql}) s", params
                    )
                    plan = "\n".join(r[0] for r in cur.fetchall())
            else:
                plan = q.explain(analyze=True, buffers=True)
            parts.append(f"=== {who}: {name}\n{plan}\n")
    (OUT / "plans.txt").write_text("\n".join(parts))


# --- report -------------------------------------------------------------------------------


def metrics(results: dict[str, Any]) -> list[tuple[str, str, float | None, str]]:
    def g(*path: str) -> Any:
        cur: Any = results
        for p in path:
            if not isinstance(cur, dict) or p not in cur:
                return None
            cur = cur[p]
        return cur

    rows: list[tuple[str, str, float | None, str]] = []
    seed = results.get("seed", {})
    rows.append(("orders in DB at start", "orders_present", results.get("orders_at_start"), ""))
    if not seed.get("skipped"):
        rows.append(
            (
                f"seed {seed.get('seeded', 0):,} orders (COPY-free INSERT…SELECT)",
                "seed_s",
                seed.get("seconds"),
                "s",
            )
        )
    else:
        rows.append(("seed (skipped: DB already seeded)", "seed_skipped", None, ""))
    i = results.get("intake", {})
    conc = i.get("concurrency")
    rows += [
        (
            f"intake POST /api/v1/orders throughput ({i.get('requests')} req, {conc} "
            f"connections, {i.get('client', 'python threads')})",
            "intake_rps",
            i.get("rps"),
            "req/s",
        ),
        ("intake latency p50", "intake_p50_ms", i.get("p50_ms"), "ms"),
        ("intake latency p99", "intake_p99_ms", i.get("p99_ms"), "ms"),
        ("intake errors (non-201)", "intake_errors", i.get("errors"), ""),
    ]
    b = results.get("intake_batch", {})
    rows += [
        (
            f"intake POST /api/v1/orders/batch ({b.get('requests')} req of {b.get('batch')} "
            f"orders, {b.get('concurrency')} clients)",
            "intake_batch_orders_per_s",
            b.get("orders_per_s"),
            "orders/s",
        ),
        ("intake batch latency p50", "intake_batch_p50_ms", b.get("p50_ms"), "ms"),
        ("intake batch latency p99", "intake_batch_p99_ms", b.get("p99_ms"), "ms"),
        ("intake batch errors", "intake_batch_errors", b.get("errors"), ""),
        (
            "intake: peak RSS of one gunicorn worker",
            "intake_worker_peak_rss_mb",
            mb(g("intake", "peak_rss", "gunicorn_worker_max_kb")),
            "MB",
        ),
    ]
    for label, key in (("large", "100k"), ("small", "20k")):
        imp = g("import", label) or {}
        n = imp.get("rows", 0)
        if label == "large":
            rows += [
                (
                    f"import {n:,} rows: throughput",
                    f"import_{key}_orders_per_s",
                    imp.get("orders_per_s"),
                    "orders/s",
                ),
                (
                    "import: importer CPU per order (parse, validate, build rows)",
                    "import_importer_cpu_us",
                    imp.get("importer_cpu_us_per_order"),
                    "µs",
                ),
                (
                    "import: PostgreSQL CPU per order (rows, indexes, foreign keys, WAL)",
                    "import_postgres_cpu_us",
                    imp.get("postgres_cpu_us_per_order"),
                    "µs",
                ),
                (
                    f"import: most the {os.cpu_count()} cores allow with PostgreSQL's share alone",
                    "import_postgres_bound",
                    imp.get("postgres_bound_orders_per_s"),
                    "orders/s",
                ),
            ]
        rows.append(
            (
                f"import {n:,} rows: importer peak RSS",
                f"import_{key}_peak_rss_mb",
                imp.get("peak_rss_mb"),
                "MB",
            )
        )
    a, b = g("import", "large", "peak_rss_mb"), g("import", "small", "peak_rss_mb")
    rows.append(
        (
            "import peak RSS ratio large/small (flat = ~1)",
            "import_rss_ratio_100k_20k",
            round(a / b, 2) if a and b else None,
            "×",
        )
    )
    for who in ("clerk", "manager"):
        n = g("backlog", who, "backlog_total")
        rows += [
            (
                f"backlog(48 h) first 200 rows, {who} ({n:,} rows) p50"
                if n is not None
                else f"backlog first 200, {who} p50",
                f"backlog_page_{who}_p50_ms",
                g("backlog", who, "page_200", "p50_ms"),
                "ms",
            ),
            (
                f"backlog(48 h) first 200 rows, {who} p99",
                f"backlog_page_{who}_p99_ms",
                g("backlog", who, "page_200", "p99_ms"),
                "ms",
            ),
            (
                f"backlog_rows full iteration, {who} p50",
                f"backlog_rows_{who}_p50_ms",
                g("backlog", who, "rows_full", "p50_ms"),
                "ms",
            ),
            (
                f"backlog_rows full iteration, {who} p99",
                f"backlog_rows_{who}_p99_ms",
                g("backlog", who, "rows_full", "p99_ms"),
                "ms",
            ),
        ]
    for who in ("clerk", "manager"):
        for kind, path in (("page", "/orders/"), ("api", "/api/v1/orders")):
            for variant, q in (
                ("all", "?page=1"),
                ("assigned", "?page=1&status=assigned"),
                ("overdue", "?page=1&overdue=1"),
            ):
                base = f"{who}: GET {path}{q}"
                v = g("list", who, f"{kind}_{variant}") or {}
                rows.append((f"{base} p50", f"list_{kind}_p50", v.get("p50_ms"), "ms"))
                rows.append((f"{base} p99", f"list_{kind}_p99_ms", v.get("p99_ms"), "ms"))
    rows.append(
        (
            "list phase: peak RSS of one gunicorn worker",
            "list_worker_peak_rss_mb",
            mb(g("list", "peak_rss", "gunicorn_worker_max_kb")),
            "MB",
        )
    )
    rows.append(
        (
            "backlog phase: peak RSS of the bench process (in-process ORM)",
            "backlog_rss_mb",
            mb(g("backlog", "peak_rss", "bench_kb")),
            "MB",
        )
    )
    return [r for r in rows if r[2] is not None or r[1] in ("seed_skipped",)]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    log(f"database: {database_url()}")
    pg.ensure_database()
    log("migrate …")
    pg.migrate()
    setup_django()
    results: dict[str, Any] = {
        "args": vars(args),
        "machine": machine(pg.server_version(), pg.server_settings()),
    }
    phase_seed(args, results)
    with pg.connect() as conn:
        results["orders_at_start"] = conn.execute("SELECT count(*) FROM orders_order").fetchone()[0]
        customers = int(
            conn.execute(
                "SELECT coalesce((SELECT value FROM bench_meta WHERE key = 'customers'), '1')"
            ).fetchone()[0]
        )
    users = bench_users()
    sampler = RssSampler()
    sampler.watch("bench", os.getpid())
    sampler.start()
    try:
        if "backlog" not in args.skip:
            phase_backlog(args, users, results, sampler)
            write_plans(users)
        if not {"intake", "list"} <= set(args.skip):
            server = Gunicorn(workers=2)
            log("gunicorn: starting 2 workers …")
            server.start()
            sampler.watch("gunicorn", server.pid)
            try:
                results["gunicorn_idle_worker_rss_mb"] = [
                    mb(rss_kb(p)) for p in children(server.pid)
                ]
                if "intake" not in args.skip:
                    phase_intake(args, users, results, sampler, customers)
                if "list" not in args.skip:
                    phase_list(args, users, results, sampler)
            finally:
                sampler.pids.pop("gunicorn", None)
                server.stop()
                log("gunicorn: stopped")
        if "import" not in args.skip:
            phase_import(args, results, sampler, customers)
    finally:
        sampler.stop()
    finish(results)


def finish(results: dict[str, Any]) -> None:
    rows = metrics(results)
    results["table"] = [
        {"metric": label, "key": key, "value": v, "unit": unit} for label, key, v, unit in rows
    ]
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    n = results.get("orders_at_start", 0)
    title = (
        f"Aftersales benchmark — {n:,} orders ({'quick' if results['args']['quick'] else 'full'})"
    )
    md = table(rows, results["machine"], title)
    md += (
        "\nNumbers are single-run medians/percentiles on a shared 2-core machine where other "
        "jobs may run at the same time; treat them as noisy.\n"
    )
    (OUT / "results.md").write_text(md)
    print()
    print(md)


if __name__ == "__main__":
    main()
