"""Seed outlets, people, customers and N orders server-side with INSERT … SELECT generate_series.

Every value is a function of the row number through `hashint8extended`, so a given N always
yields the same data (relative to the seeding time). Secondary indexes of orders_order are
dropped during the load and rebuilt afterwards (their definitions are kept in
bench_index_backup until rebuilt, so an interrupted run repairs itself next time).
"""

from __future__ import annotations

import json
import math
import time

import psycopg

from aftersales.domain.codes import PRODUCT_CATEGORIES as CATEGORIES
from aftersales.domain.codes import SOURCES

from .config import CUSTOMER_RATIO, OUTLETS, TECHS_PER_OUTLET
from .pg import connect

REGIONS = ("Qingdao", "Jinan", "Yantai", "Weifang", "Linyi", "Zibo", "Jining", "Seoul")
SERVICE_TYPES = (
    "repair",
    "repair",
    "repair",
    "install",
    "install",
    "maintenance",
    "return",
    "consultation",
    "complaint",
    "inspection",
)
SERVICE_MODES = (
    "on_site",
    "on_site",
    "on_site",
    "on_site",
    "carry_in_one_way",
    "carry_in_both_ways",
    "pickup",
)


def _arr(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]::text[]"


META_SQL = """
CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS bench_index_backup (name text PRIMARY KEY, def text NOT NULL);
"""

# u(i, k): a reproducible uniform number in [0, 1) per row i and attribute k.
FUNC_SQL = """
CREATE OR REPLACE FUNCTION pg_temp.u(i bigint, k bigint) RETURNS float8 LANGUAGE sql IMMUTABLE
AS $$ SELECT (hashint8extended(i, k) & 2147483647)::float8 / 2147483648.0 $$;
"""


def meta(conn: psycopg.Connection) -> dict[str, str]:
    conn.execute(META_SQL)
    return dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())


def restore_indexes(conn: psycopg.Connection) -> int:
    """Rebuild orders_order indexes left dropped by an interrupted seed."""
    conn.execute(META_SQL)
    rows = conn.execute("SELECT name, def FROM bench_index_backup").fetchall()
    for name, definition in rows:
        conn.execute(
            definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1).replace(
                "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1
            )
        )
        conn.execute("DELETE FROM bench_index_backup WHERE name = %s", [name])
    return len(rows)


def order_count(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT count(*) FROM orders_order").fetchone()[0]


SEEDED_TABLES = ("accounts_outlet", "accounts_user", "customers_customer",
                 "customers_customerphone", "customers_customerproduct", "orders_order")  # fmt: skip


def column_defaults(conn: psycopg.Connection) -> int:
    """Give the seeded tables' columns their model defaults in the database, so the INSERTs
    below name only what they vary: a column an app adds later (NOT NULL, default in
    Python only) does not break the seed. Needs Django set up; returns columns changed."""
    from django.apps import apps
    from psycopg import sql

    n = 0
    for model in apps.get_models():
        table = model._meta.db_table
        if table not in SEEDED_TABLES:
            continue
        for f in model._meta.concrete_fields:
            if f.primary_key or f.null or (f.has_default() and callable(f.default)):
                continue
            default = f.get_default()  # the declared default, or "" for text fields
            if default is None:
                continue
            value = f.get_db_prep_save(default, connection=_django_connection())
            if isinstance(value, list | dict):
                value = json.dumps(value)
            conn.execute(
                sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                    sql.Identifier(table), sql.Identifier(f.column), sql.Literal(value)
                )
            )
            n += 1
    return n


def _django_connection():  # noqa: ANN202
    from django.db import connection

    return connection


def seed(n_orders: int, password_hash: str, log=print) -> dict[str, float]:
    """Wipe the domain tables and load N orders; returns timings per step (seconds)."""
    n_customers = max(1, math.ceil(n_orders * CUSTOMER_RATIO))
    steps: dict[str, float] = {}
    with connect(autocommit=True) as conn:
        restore_indexes(conn)
        column_defaults(conn)

        def step(name: str, statement: str, params: object = None) -> None:
            t = time.perf_counter()
            conn.execute(statement, params)
            steps[name] = steps.get(name, 0.0) + time.perf_counter() - t
            log(f"  seed: {name:<24} {steps[name]:7.1f} s")

        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        conn.execute(FUNC_SQL)
        step(
            "truncate",
            """
            TRUNCATE orders_orderevent, orders_repeatcall, orders_orderpart,
                     orders_idempotencykey, orders_reconciliation, orders_order,
                     customers_customerproduct, customers_customerphone, customers_customer,
                     accounts_apitoken, accounts_user_groups, accounts_user_user_permissions,
                     django_admin_log, django_session, accounts_user, accounts_outlet
            RESTART IDENTITY CASCADE""",
        )
        conn.execute("DELETE FROM bench_meta")

        step(
            "outlets",
            f"""
            INSERT INTO accounts_outlet (id, code, name, region, market_tier)
            SELECT g, 'o-' || lpad(g::text, 2, '0'), 'Outlet ' || g,
                   ({_arr(REGIONS)})[1 + g % {len(REGIONS)}], 1 + g % 4
            FROM generate_series(1, {OUTLETS}) g""",
        )
        # ids: clerk of outlet o = o; technicians 50 + (o-1)*4 + k; the manager last.
        user_cols = """(id, password, is_superuser, username, first_name, last_name, email,
                         is_staff, is_active, date_joined, display_name, roles, phone, outlet_id)"""
        step(
            "users",
            f"""
            INSERT INTO accounts_user {user_cols}
            SELECT g, %(pw)s, false, 'clerk-' || lpad(g::text, 2, '0'), '', '', '', false, true,
                   now() - interval '2 years', 'Clerk ' || g, '["clerk", "dispatcher"]'::jsonb, '', g
            FROM generate_series(1, {OUTLETS}) g
            UNION ALL
            SELECT {OUTLETS} + (o - 1) * {TECHS_PER_OUTLET} + k + 1, %(pw)s, false,
                   'tech-' || lpad(o::text, 2, '0') || '-' || k, '', '', '', false, true,
                   now() - interval '2 years', 'Technician ' || o || '/' || k,
                   '["technician"]'::jsonb, '', o
            FROM generate_series(1, {OUTLETS}) o, generate_series(0, {TECHS_PER_OUTLET - 1}) k
            UNION ALL
            SELECT {OUTLETS * (TECHS_PER_OUTLET + 1) + 1}, %(pw)s, false, 'bench-manager',
                   '', '', '', false, true, now() - interval '2 years', 'Manager', '["manager"]'::jsonb,
                   '', NULL""",
            {"pw": password_hash},
        )
        step(
            "customers",
            f"""
            INSERT INTO customers_customer (id, name, address, region, tracker_id, created_at)
            SELECT i, 'Customer ' || i, 'No. ' || i || ' Hongkong Road',
                   ({_arr(REGIONS)})[1 + i % {len(REGIONS)}], NULL,
                   now() - interval '400 days'
            FROM generate_series(1, {n_customers}) i""",
        )
        # Phone i is +86138########: the importer's CSV reuses these by customer id.
        step(
            "customer phones",
            f"""
            INSERT INTO customers_customerphone (id, customer_id, number)
            SELECT i, i, '+86138' || lpad(i::text, 8, '0')
            FROM generate_series(1, {n_customers}) i""",
        )
        step(
            "customer products",
            f"""
            INSERT INTO customers_customerproduct
                (id, customer_id, category, brand, model, serial, purchase_date)
            SELECT i, i, ({_arr(CATEGORIES)})[1 + (hashint8extended(i, 11) & 65535) % {len(CATEGORIES)}],
                   'Haier', 'M-' || (i % 97), 'SN' || lpad(i::text, 10, '0'),
                   (now() - (pg_temp.u(i, 12) * 1500) * interval '1 day')::date
            FROM generate_series(1, {n_customers}) i""",
        )

        conn.execute("DELETE FROM bench_index_backup")
        conn.execute("""
            INSERT INTO bench_index_backup (name, def)
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = 'orders_order'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""")
        for (name,) in conn.execute("SELECT name FROM bench_index_backup").fetchall():
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        step("orders", _orders_sql(n_orders, n_customers))
        t = time.perf_counter()
        restore_indexes(conn)
        steps["rebuild order indexes"] = time.perf_counter() - t
        log(f"  seed: {'rebuild order indexes':<24} {steps['rebuild order indexes']:7.1f} s")

        conn.execute("SET session_replication_role = origin")
        for table in (
            "accounts_outlet",
            "accounts_user",
            "customers_customer",
            "customers_customerphone",
            "customers_customerproduct",
            "orders_order",
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        conn.execute(
            """INSERT INTO core_counter (name, value) VALUES ('order', %s)
                        ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value""",
            [n_orders],
        )
        conn.execute("SELECT setval('core_order_seq', %s)", [n_orders])
        step("vacuum analyze", "VACUUM ANALYZE")
        conn.execute(
            "INSERT INTO bench_meta VALUES ('orders', %s), ('customers', %s), ('seeded_at', now())",
            [str(n_orders), str(n_customers)],
        )
    return steps


def _orders_sql(n: int, n_customers: int) -> str:
    tech0 = OUTLETS
    return f"""
    INSERT INTO orders_order (
        id, number, source, source_ref, outlet_id, customer_id, product_id, contact_name,
        contact_phones, address, region, category, service_type, service_mode, fault, remarks,
        requested_at, market_tier, priority, status, version, received_by_id, assignee_id,
        reassigned_flag, appointment_start, appointment_end, appointment_is_reschedule,
        reschedule_accepted, last_result_kind, last_result, assigned_at, first_contact_at,
        travel_started_at, arrived_at, parts_requested_at, completed_at, revisited_at,
        closed_at, cancelled_at, sla_hours, sla_rule, sla_due_at, assessed_hours, within_sla,
        close_ground, revisit_satisfied, report, report_complete, report_missing, fault_code,
        repeat_of_id, escalation_level, escalated_at, multiple_contacts, created_at, updated_at)
    SELECT
        i, 'SO' || lpad(i::text, 8, '0'), src, 'SEED-' || i, o, c, c, 'Customer ' || c,
        jsonb_build_array('+86138' || lpad(c::text, 8, '0')), 'No. ' || c || ' Hongkong Road',
        'Region ' || (o % 8), cat, stype, smode, 'Does not work as expected', '',
        created, tier, CASE WHEN pg_temp.u(i, 9) < 0.05 THEN 'urgent'
                            WHEN pg_temp.u(i, 9) < 0.15 THEN 'high' ELSE 'normal' END,
        st, 1 + stage, o,
        CASE WHEN st = 'received' OR (st = 'cancelled' AND pg_temp.u(i, 6) < 0.5) THEN NULL
             ELSE {tech0} + (o - 1) * {TECHS_PER_OUTLET} + (hashint8extended(i, 7) & 1023) % {TECHS_PER_OUTLET} + 1 END,
        false,
        CASE WHEN stage >= 2 THEN created + interval '20 hours' END,
        CASE WHEN stage >= 2 THEN created + interval '22 hours' END,
        false, NULL,
        CASE WHEN st = 'pending' THEN 'waiting_parts' ELSE '' END,
        CASE WHEN st = 'pending' THEN '{{"kind": "waiting_parts"}}'::jsonb ELSE '{{}}'::jsonb END,
        CASE WHEN stage >= 1 THEN created + interval '1 hour' END,
        CASE WHEN stage >= 2 THEN created + interval '2 hours' END,
        CASE WHEN stage >= 3 THEN created + interval '19 hours' END,
        CASE WHEN stage >= 4 THEN created + interval '20 hours' END,
        CASE WHEN st = 'pending' THEN created + interval '21 hours' END,
        CASE WHEN stage >= 6 THEN created + interval '23 hours' END,
        CASE WHEN stage >= 7 THEN created + interval '40 hours' END,
        CASE WHEN st = 'closed' THEN created + interval '41 hours' END,
        CASE WHEN st = 'cancelled' THEN created + interval '3 hours' END,
        sla, 'O-9 seeded', created + sla * interval '1 hour',
        CASE WHEN st = 'closed' THEN round((23 + pg_temp.u(i, 10) * 60)::numeric, 2) END,
        CASE WHEN st = 'closed' THEN pg_temp.u(i, 10) < 0.6 END,
        CASE WHEN st = 'closed' THEN 'completed' ELSE '' END,
        CASE WHEN stage >= 7 THEN true END,
        '{{}}'::jsonb, CASE WHEN stage >= 6 THEN true END, '[]'::jsonb, '',
        NULL,
        CASE WHEN stage < 8 AND pg_temp.u(i, 13) < 0.02 THEN 1 ELSE 0 END,
        CASE WHEN stage < 8 AND pg_temp.u(i, 13) < 0.02 THEN created + interval '50 hours' END,
        0, created, created + interval '1 hour'
    FROM (
        SELECT i, o, c, src, cat, stype, smode, st, created, tier,
               CASE WHEN tier <= 2 THEN 48 ELSE 72 END AS sla,
               CASE st WHEN 'received' THEN 0 WHEN 'assigned' THEN 1 WHEN 'contacted' THEN 2
                       WHEN 'on_the_way' THEN 3 WHEN 'on_site' THEN 4 WHEN 'pending' THEN 4
                       WHEN 'completed' THEN 6 WHEN 'revisited' THEN 7 WHEN 'closed' THEN 7
                       ELSE 8 END AS stage
        FROM (
            SELECT i, o, c, src, cat, stype, smode, st, 1 + o % 4 AS tier,
                   CASE
                     WHEN st IN ('closed', 'cancelled')
                       THEN now() - interval '2 days' - pg_temp.u(i, 5) * interval '363 days'
                     WHEN pg_temp.u(i, 8) < 0.03  -- a few long-forgotten open orders
                       THEN now() - interval '7 days' - pg_temp.u(i, 5) * interval '358 days'
                     ELSE now() - power(pg_temp.u(i, 5), 3) * interval '168 hours'
                   END AS created
            FROM (
                SELECT i,
                       1 + (hashint8extended(i, 1) & 1048575) % {OUTLETS} AS o,
                       1 + (hashint8extended(i, 2) & 2147483647) % {n_customers} AS c,
                       ({_arr(SOURCES)})[1 + (hashint8extended(i, 14) & 1023) % {len(SOURCES)}] AS src,
                       ({_arr(CATEGORIES)})[1 + (hashint8extended(i, 15) & 1023) % {len(CATEGORIES)}] AS cat,
                       ({_arr(SERVICE_TYPES)})[1 + (hashint8extended(i, 16) & 1023) % {len(SERVICE_TYPES)}] AS stype,
                       ({_arr(SERVICE_MODES)})[1 + (hashint8extended(i, 17) & 1023) % {len(SERVICE_MODES)}] AS smode,
                       CASE
                         WHEN pg_temp.u(i, 3) >= 0.15
                           THEN CASE WHEN pg_temp.u(i, 4) < 0.94 THEN 'closed' ELSE 'cancelled' END
                         ELSE (ARRAY['received','received','assigned','assigned','contacted',
                                     'contacted','contacted','on_the_way','on_site','pending',
                                     'pending','pending','completed','completed','revisited',
                                     'received','assigned','contacted','pending','completed'])
                              [1 + (hashint8extended(i, 4) & 1023) % 20]
                       END AS st
                FROM generate_series(1, {n}) i
            ) a
        ) b
    ) d
    """
