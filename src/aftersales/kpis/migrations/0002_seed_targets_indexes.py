"""Seed the indicator policy and the targets (SPEC R-2 repeat repair < 2 %, R-3 CSI ≥ 93; the
others are this network's starting values, editable in the admin); add the indexes the
period figures read on orders (completed, closed, revisited — orders has none leading with
them; created_at has one); make archived reports append-only."""

from decimal import Decimal

from django.db import migrations

TARGETS = [
    # kpi, comparison, value, amber margin
    ("sla_compliance", ">=", "95", "5"),
    ("assessed_hours", "<=", "48", "24"),
    ("timely_accept", ">=", "90", "5"),
    ("timely_contact", ">=", "90", "5"),
    ("timely_arrive", ">=", "90", "5"),
    ("timely_parts", ">=", "90", "5"),
    ("timely_leftovers", ">=", "90", "5"),
    ("timely_close", ">=", "90", "5"),
    ("multiple_contacts", "<=", "5", "2"),
    ("repeat_repair", "<", "2", "1"),
    ("csi", ">=", "93", "3"),
    ("first_time_fix", ">=", "80", "10"),
]


def seed(apps, schema_editor):
    KpiPolicy = apps.get_model("kpis", "KpiPolicy")
    KpiTarget = apps.get_model("kpis", "KpiTarget")
    if not KpiPolicy.objects.exists():
        KpiPolicy.objects.create()
    for kpi, comparison, value, amber in TARGETS:
        KpiTarget.objects.get_or_create(
            kpi=kpi,
            defaults={"comparison": comparison, "value": Decimal(value), "amber": Decimal(amber)},
        )


OPEN = "('received', 'assigned', 'contacted', 'on_the_way', 'on_site', 'pending', 'completed', 'revisited')"
ORDER_KEYS = "id, outlet_id, assignee_id, category"
# name, table, key, covered columns (PostgreSQL INCLUDE: index-only scans), predicate.
INDEXES = [
    # Orders by received time (all, and open ones) are orders' own covering indexes
    # (order_created, order_open_age).
    (
        "kpis_order_completed",
        "orders_order",
        "completed_at",
        f"{ORDER_KEYS}, created_at, assigned_at, first_contact_at, appointment_start, "
        "appointment_end, arrived_at, parts_requested_at, closed_at, within_sla, repeat_of_id, "
        "last_result_kind",
        "completed_at IS NOT NULL",
    ),
    (
        "kpis_order_closed",
        "orders_order",
        "closed_at",
        f"{ORDER_KEYS}, within_sla, assessed_hours",
        "closed_at IS NOT NULL",
    ),
    (
        "kpis_order_revisited",
        "orders_order",
        "revisited_at",
        f"{ORDER_KEYS}, revisit_satisfied",
        "revisited_at IS NOT NULL",
    ),
    # P-9 reads each issued order's product and day, and the product's warranty facts.
    ("kpis_order_warranty_facts", "orders_order", "id", "product_id, requested_at", ""),
    (
        "kpis_product_warranty_facts",
        "customers_customerproduct",
        "id",
        "category, model, purchase_date",
        "",
    ),
    ("kpis_doc_order", "parts_stockdoc", "id", "order_id", ""),
    ("kpis_quote_accepted", "warranty_quote", "decided_at", "order_id, currency", "status = 'accepted'"),
    ("kpis_move_issue_at", "parts_stockmove", "at", "doc_id, qty, unit_cost", "kind = 'issue'"),
]


def add_indexes(apps, schema_editor):
    """Indexes on other apps' tables serving the figures' period reads (orders has none
    leading with completed/closed/revisited). On PostgreSQL they cover the columns the
    figures read, so a month is an index-only scan; elsewhere a plain index."""
    pg = schema_editor.connection.vendor == "postgresql"
    for name, table, key, include, where in INDEXES:
        sql = f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({key})"
        if pg:
            sql += f" INCLUDE ({include})"
        if where:
            sql += f" WHERE {where}"
        schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER kpis_report_no_update BEFORE UPDATE ON kpis_report "
            "BEGIN SELECT RAISE(ABORT, 'archived reports are never changed'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION kpis_report_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'archived reports are never changed'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER kpis_report_append_only BEFORE UPDATE OR DELETE ON kpis_report "
            "FOR EACH ROW EXECUTE FUNCTION kpis_report_append_only();"
        )


def drop_append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS kpis_report_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS kpis_report_append_only ON kpis_report;")
        schema_editor.execute("DROP FUNCTION IF EXISTS kpis_report_append_only();")


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0001_initial"),
        ("orders", "0001_initial"),
        ("parts", "0001_initial"),
        ("warranty", "0001_initial"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(add_indexes, drop_indexes),
        migrations.RunPython(append_only, drop_append_only),
    ]
