"""Set-based inserts for the bulk paths (file import): rows as dicts, not model instances.

On PostgreSQL many rows go in with COPY and ids drawn from the table's identity sequence
beforehand (so child rows can refer to them); elsewhere through `bulk_create`. Fields a row
does not name get the model field's default, so a field added later needs no change here.
A handful of rows (one order from the API) go in with one INSERT … RETURNING.
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
    if connection.vendor != "postgresql":
        objs = [model(**r) for r in rows]
        model._default_manager.bulk_create(objs)
        for r, o in zip(rows, objs, strict=True):
            r["id"] = o.pk
        return
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    assert pk is not None
    fields = _defaults(model)
    cols = [connection.ops.quote_name(str(f.column)) for f, _ in fields]
    now = timezone.now()
    with connection.cursor() as cur:
        if len(rows) < COPY_FROM:
            # A few rows (one order from the API): one INSERT … RETURNING, without building
            # model instances — the ORM's bulk_create cost more than the database did.
            one = "(" + ", ".join(["%s"] * len(cols)) + ")"
            cur.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                + ", ".join([one] * len(rows))
                + f" RETURNING {connection.ops.quote_name(str(pk.column))}",
                [v for r in rows for v in _values(r, fields, now)],
            )
            for r, (i,) in zip(rows, cur.fetchall(), strict=True):
                r["id"] = int(i)
            return
        # Many rows: ids drawn from the identity sequence first (children refer to them),
        # then COPY.
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(rows)],
        )
        for r, (i,) in zip(rows, cur.fetchall(), strict=True):
            r["id"] = int(i)
        copy_cols = ", ".join([connection.ops.quote_name(str(pk.column)), *cols])
        with cur.copy(f"COPY {table} ({copy_cols}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row([r["id"], *_values(r, fields, now)])


def _values(r: Row, fields: list[tuple[models.Field[Any, Any], Any]], now: Any) -> list[Any]:
    values: list[Any] = []
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
    return values
