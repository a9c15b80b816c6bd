"""Set-based inserts for the intake paths: rows as dicts, not model instances.

On PostgreSQL many rows go in with COPY and ids drawn from the table's identity sequence
beforehand (so child rows can refer to them); elsewhere through `bulk_create`. Fields a row
does not name get the model field's default, so a field added later needs no change here.
A handful of rows (one order from the API) go in with one prepared INSERT … RETURNING.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import psycopg
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone

Row = dict[str, Any]
M = TypeVar("M", bound=models.Model)
COPY_FROM = 50  # rows


# What a column takes when a row does not name it.
_GIVEN, _NOW, _CALL = 0, 1, 2


@dataclass(frozen=True)
class _Plan:
    """A model's insert, worked out once per process (the ORM's metadata walk cost more per
    order from the API than the database's work did)."""

    table: str
    pk: str
    pk_attname: str
    cols: tuple[str, ...]
    # (attname, kind, constant default or default callable, is JSON)
    fields: tuple[tuple[str, int, Any, bool], ...]


@cache
def _plan(model: type[models.Model]) -> _Plan:
    q = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    fields = []
    cols = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            kind, default = _NOW, None
        elif f.has_default() and callable(f.default):
            kind, default = _CALL, f.default
        else:
            kind, default = _GIVEN, f.get_default()
        fields.append((f.attname, kind, default, isinstance(f, models.JSONField)))
        cols.append(q(str(f.column)))
    return _Plan(q(model._meta.db_table), q(str(pk.column)), pk.attname, tuple(cols), tuple(fields))


@cache
def _insert_sql(model: type[models.Model], n: int) -> str:
    p = _plan(model)
    one = "(" + ", ".join(["%s"] * len(p.cols)) + ")"
    return (
        f"INSERT INTO {p.table} ({', '.join(p.cols)}) VALUES "  # noqa: S608 - names from _meta
        + ", ".join([one] * n)
        + f" RETURNING {p.pk}"
    )


def _raw() -> psycopg.Connection[Any]:
    connection.ensure_connection()
    raw: psycopg.Connection[Any] = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off, which also ignores `prepare=True`. With a
        # threshold no statement reaches, only the ones asked for here are prepared (Django's
        # own client-side-bound queries are never prepared).
        raw.prepare_threshold = 2**31 - 1
    return raw


def pg_execute(sql: str, params: Sequence[Any], *, prepare: bool = True) -> list[tuple[Any, ...]]:
    """Run one statement on PostgreSQL with server-side binding; `prepare`d on first use per
    connection, the intake's few fixed statements then skip parsing and planning, and the
    client skips quoting every value. Errors come back as Django's (IntegrityError, …), and
    the statement is logged where Django logs queries (DEBUG, CaptureQueriesContext).

    Look-ups by a large array should not be prepared: PostgreSQL's generic plan for
    `= ANY($1)` cannot know the array's size and may scan where a custom plan would not."""
    start = time.monotonic()
    with connection.wrap_database_errors:
        raw = _raw()
        with psycopg.RawCursor(raw) as cur:
            cur.execute(_native(sql), params, prepare=prepare)
            rows = cur.fetchall() if cur.description is not None else []
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})
    return rows


def pg_reads(statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Row]]:
    """Several look-ups as one prepared statement (one round trip, one executor start), each
    giving its rows as dicts. Values come back as JSON carries them: dates as ISO text."""
    sql = _reads_sql(tuple(sql for sql, _ in statements))
    ((*results,),) = pg_execute(sql, [v for _, params in statements for v in params])
    return [list(r or []) for r in results]


@cache
def _reads_sql(statements: tuple[str, ...]) -> str:
    return "SELECT " + ", ".join(f"(SELECT json_agg(t) FROM ({sql}) AS t)" for sql in statements)


# Ids drawn up front, many tables and sequences in one statement.
_DRAW = (
    "SELECT s.q, nextval(s.q::regclass) AS v "
    "FROM unnest(%s::text[], %s::int[]) AS s(q, n), generate_series(1, s.n)"
)


@cache
def id_sequence(model: type[models.Model]) -> str:
    """The sequence behind a model's identity column (PostgreSQL)."""
    pk = model._meta.pk
    assert pk is not None
    ((name,),) = pg_execute(
        "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column]
    )
    return str(name)


def draw_statement(counts: dict[str, int]) -> tuple[str, list[Any]]:
    """The statement drawing `counts[sequence]` values of each sequence (for `IdPool`)."""
    names = [q for q, n in counts.items() if n > 0]
    return _DRAW, [names, [counts[q] for q in names]]


class IdPool:
    """Values drawn by `draw_statement` (rows of `q`, `v`), handed out in increasing order
    per sequence."""

    def __init__(self, rows: list[Row]) -> None:
        self._left: dict[str, list[int]] = {}
        for r in rows:
            self._left.setdefault(str(r["q"]), []).append(int(r["v"]))
        for values in self._left.values():
            values.sort(reverse=True)

    def take(self, sequence: str) -> int:
        return self._left[sequence].pop()


def insert_together(parts: Sequence[tuple[type[models.Model], list[Row]]]) -> None:
    """PostgreSQL: rows that already carry their ids (from an `IdPool`), of several tables,
    in one statement — one round trip, and atomic without a transaction of its own. Parents
    come first; foreign keys are checked at the statement's end."""
    parts = [(m, rows) for m, rows in parts if rows]
    if not parts:
        return
    now = timezone.now()
    params: list[Any] = []
    for model, rows in parts:
        for r, values in zip(rows, _values(rows, _plan(model), now), strict=True):
            params.append(r["id"])
            params.extend(values)
    pg_execute(_together_sql(tuple((m, len(rows)) for m, rows in parts)), params)


@cache
def _together_sql(shape: tuple[tuple[type[models.Model], int], ...]) -> str:
    pieces = []
    for model, n in shape:
        p = _plan(model)
        one = "(" + ", ".join(["%s"] * (len(p.cols) + 1)) + ")"
        pieces.append(
            f"INSERT INTO {p.table} ({p.pk}, {', '.join(p.cols)}) VALUES "  # noqa: S608
            + ", ".join([one] * n)
        )
    ctes = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(pieces[:-1]))
    return (f"WITH {ctes} " if ctes else "") + pieces[-1]


@cache
def _native(sql: str) -> str:
    """`%s` placeholders as PostgreSQL's own `$n`: psycopg then takes the text as it is
    (it re-parses statements of over 50 parameters, such as an order's insert, every time)."""
    parts = sql.split("%s")
    return "".join(p + (f"${i}" if i < len(parts) else "") for i, p in enumerate(parts, 1))


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
    plan = _plan(model)
    now = timezone.now()
    if len(rows) < COPY_FROM:
        ids = pg_execute(
            _insert_sql(model, len(rows)), [v for vs in _values(rows, plan, now) for v in vs]
        )
        for r, (i,) in zip(rows, ids, strict=True):
            r["id"] = int(i)
        return
    # Many rows: ids drawn from the identity sequence first (children refer to them), then COPY.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, len(rows)],
        )
        for r, (i,) in zip(rows, cur.fetchall(), strict=True):
            r["id"] = int(i)
        with cur.copy(f"COPY {plan.table} ({plan.pk}, {', '.join(plan.cols)}) FROM STDIN") as cp:
            for r, values in zip(rows, _values(rows, plan, now), strict=True):
                cp.write_row([r["id"], *values])


def instance(model: type[M], row: Row) -> M:
    """The model instance of a row just written (its "id" set), built without the ORM's
    per-field `__init__` walk; fields the row does not name get their defaults, as there."""
    plan = _plan(model)
    obj = model.__new__(model)
    state = ModelState()
    state.adding, state.db = False, connection.alias
    values = obj.__dict__
    values["_state"] = state
    for name, kind, default, _is_json in plan.fields:
        if name in row:
            values[name] = row[name]
        elif kind == _NOW:
            values[name] = timezone.now()
        else:
            values[name] = default() if kind == _CALL else default
    values[plan.pk_attname] = row["id"]
    return obj


def _json(v: Any) -> Any:
    return None if v is None else json.dumps(v, cls=DjangoJSONEncoder, ensure_ascii=False)


def _values(rows: list[Row], plan: _Plan, now: Any) -> Iterator[list[Any]]:
    """Each row's column values. Defaults are worked out once per call (a JSON default is
    serialised once); only what a row names is looked at per row."""
    base: list[Any] = []
    per_row: list[tuple[int, Any]] = []  # callable defaults that must be fresh per row
    slots: dict[str, tuple[int, bool]] = {}
    for i, (name, kind, default, is_json) in enumerate(plan.fields):
        slots[name] = (i, is_json)
        if kind == _NOW:
            base.append(now)
        elif kind == _CALL and not is_json:
            per_row.append((i, default))
            base.append(None)
        else:
            base.append(_json(default() if kind == _CALL else default) if is_json else default)
    for r in rows:
        values = base.copy()
        for i, make in per_row:
            values[i] = make()
        for name, v in r.items():
            slot = slots.get(name)
            if slot is not None:
                values[slot[0]] = _json(v) if slot[1] else v
        yield values
