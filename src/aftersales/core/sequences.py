from __future__ import annotations

from django.db import connection

from .bulk import pg_execute
from .models import Counter

# Counters backed by a PostgreSQL sequence (created by core migration 0002): nextval takes no
# row lock and needs no commit of its own, so concurrent intakes never queue for a number.
PG_SEQUENCES = {"order": "core_order_seq"}


def reserve(name: str, count: int = 1) -> list[int]:
    """`count` unique, increasing numbers for `name`; gaps are allowed (a refused or rolled
    back intake leaves one), and so are interleavings with concurrent callers."""
    seq = PG_SEQUENCES.get(name)
    if seq is not None and connection.vendor == "postgresql":
        rows = pg_execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [seq, count])
        return [int(r[0]) for r in rows]
    with connection.cursor() as cur:
        # Elsewhere (SQLite) one UPDATE … RETURNING hands out a consecutive block.
        table = Counter._meta.db_table
        sql = f"UPDATE {table} SET value = value + %s WHERE name = %s RETURNING value"  # noqa: S608
        cur.execute(sql, [count, name])
        row = cur.fetchone()
        if row is None:
            Counter.objects.get_or_create(name=name)
            cur.execute(sql, [count, name])
            row = cur.fetchone()
    end = int(row[0])
    return list(range(end - count + 1, end + 1))
