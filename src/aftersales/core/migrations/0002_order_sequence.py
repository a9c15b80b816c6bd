"""Order numbers from a PostgreSQL sequence (core.sequences.reserve), continuing the counter."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS core_order_seq")
    schema_editor.execute(
        "SELECT setval('core_order_seq', greatest(1, coalesce("
        "(SELECT value FROM core_counter WHERE name = 'order'), 0)), "
        "(SELECT value FROM core_counter WHERE name = 'order') IS NOT NULL)"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS core_order_seq")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
