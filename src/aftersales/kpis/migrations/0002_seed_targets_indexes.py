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


INDEXES = [
    ("kpis_order_completed", "completed_at"),
    ("kpis_order_closed", "closed_at"),
    ("kpis_order_revisited", "revisited_at"),
]


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
    dependencies = [("kpis", "0001_initial"), ("orders", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        *[
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} ON orders_order ({col});",
                f"DROP INDEX IF EXISTS {name};",
            )
            for name, col in INDEXES
        ],
        migrations.RunPython(append_only, drop_append_only),
    ]
