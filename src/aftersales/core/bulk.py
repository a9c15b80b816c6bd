"""Set-based inserts for the bulk paths (file import): rows as dicts, not model instances.

On PostgreSQL the rows go in with COPY and ids drawn from the table's identity sequence
beforehand (so child rows can refer to them); elsewhere through `bulk_create`. Fields a row
does not name get the model field's default, so a field added later needs no change here.
A handful of rows (one order from the API) take the plain INSERT path on every database.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

Row = dict[str, Any]
COPY_FROM = 50  # rows


def _defaults(model: type[models.Model]) -> list[tuple[models.Field[Any, Any], Any]]:
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        out.append((f, None if f.has_default() and callable(f.default) else f.get_default()))
    return out


def insert_rows(model: type[models.Model], rows: list[Row]) -> None:
    """Insert `rows` (attname → value); each row gets its new primary key as row["id"]."""
    if not rows:
        return
    # A few rows: one INSERT … RETURNING beats a sequence round trip plus a COPY.
    if connection.vendor != "postgresql" or len(rows) < COPY_FROM:
        objs = [model(**r) for r in rows]
        model._default_manager.bulk_create(objs)
        for r, o in zip(rows, objs, strict=True):
            r["id"] = o.pk
        return
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(rows)],
        )
        for r, (i,) in zip(rows, cur.fetchall(), strict=True):
            r["id"] = int(i)
        fields = _defaults(model)
        cols = ", ".join(
            connection.ops.quote_name(str(c)) for c in [pk.column, *(f.column for f, _ in fields)]
        )
        now = timezone.now()
        with cur.copy(f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN") as cp:
            for r in rows:
                values: list[Any] = [r["id"]]
                for f, default in fields:
                    if f.attname in r:
                        v = r[f.attname]
                    elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                        v = now
                    elif f.has_default() and callable(f.default):
                        v = f.default()
                    else:
                        v = default
                    if isinstance(f, models.JSONField) and v is not None:
                        v = json.dumps(v, cls=DjangoJSONEncoder, ensure_ascii=False)
                    values.append(v)
                cp.write_row(values)
