"""Seed the editable tables with the SPEC's defaults, and make order events append-only."""

from django.db import migrations
from django.utils.translation import gettext_noop

from aftersales.domain.codes import PRODUCT_CATEGORIES, SOURCES
from aftersales.domain.sla import DEFAULT_SLA_RULES

CATEGORY_NAMES = {
    "air_conditioner": gettext_noop("Air conditioner"), "washing_machine": gettext_noop("Washing machine"),
    "dishwasher": gettext_noop("Dishwasher"), "water_heater": gettext_noop("Water heater"), "television": gettext_noop("Television"),
    "refrigerator": gettext_noop("Refrigerator"), "vehicle": gettext_noop("Vehicle"), "farm_machine": gettext_noop("Farm machine"),
    "other": gettext_noop("Other"),
}
SOURCE_NAMES = {
    "call_centre": gettext_noop("Call centre"), "phone": gettext_noop("Phone"), "letter": gettext_noop("Letter"), "walk_in": gettext_noop("Walk-in"),
    "web": gettext_noop("Web / self-service"), "retail_store": gettext_noop("Retail store"), "self_received": gettext_noop("Self-received"),
}


def seed(apps, schema_editor):
    apps.get_model("core", "NetworkPolicy").objects.get_or_create(
        pk=1, defaults={"backlog_hours": [48, 72]}
    )
    Cat = apps.get_model("core", "ProductCategory")
    for code in PRODUCT_CATEGORIES:
        Cat.objects.get_or_create(code=code, defaults={"name": CATEGORY_NAMES[code]})
    Src = apps.get_model("core", "Source")
    for code in SOURCES:
        Src.objects.get_or_create(code=code, defaults={"name": SOURCE_NAMES[code]})
    Rule = apps.get_model("orders", "SlaRule")
    if not Rule.objects.exists():
        for r in DEFAULT_SLA_RULES:
            Rule.objects.create(
                rank=r.rank, label=r.label, hours=r.hours, categories=sorted(r.categories),
                tiers=sorted(r.tiers), service_types=sorted(r.service_types),
                service_modes=sorted(r.service_modes), sources=sorted(r.sources),
            )


def append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # UPDATE only: Django's test flush empties SQLite tables with DELETE.
        schema_editor.execute(
            "CREATE TRIGGER orders_event_no_update BEFORE UPDATE ON orders_orderevent "
            "BEGIN SELECT RAISE(ABORT, 'order events are append-only'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION orders_event_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'order events are append-only'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER orders_event_append_only BEFORE UPDATE OR DELETE ON orders_orderevent "
            "FOR EACH ROW EXECUTE FUNCTION orders_event_append_only();"
        )


def drop_append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS orders_event_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS orders_event_append_only ON orders_orderevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS orders_event_append_only();")


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("core", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
