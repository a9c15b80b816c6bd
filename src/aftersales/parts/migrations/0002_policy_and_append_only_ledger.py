"""Seed the parts policy with the SPEC's defaults and make the stock ledger append-only."""

from django.db import migrations


def seed(apps, schema_editor):
    apps.get_model("parts", "PartsPolicy").objects.get_or_create(pk=1)


def append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # UPDATE only: Django's test flush empties SQLite tables with DELETE.
        schema_editor.execute(
            "CREATE TRIGGER parts_move_no_update BEFORE UPDATE ON parts_stockmove "
            "BEGIN SELECT RAISE(ABORT, 'stock ledger rows are append-only'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION parts_move_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'stock ledger rows are append-only'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER parts_move_append_only BEFORE UPDATE OR DELETE ON parts_stockmove "
            "FOR EACH ROW EXECUTE FUNCTION parts_move_append_only();"
        )


def drop_append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS parts_move_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS parts_move_append_only ON parts_stockmove;")
        schema_editor.execute("DROP FUNCTION IF EXISTS parts_move_append_only();")


class Migration(migrations.Migration):
    dependencies = [("parts", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
