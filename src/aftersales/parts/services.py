"""Stock commands: every movement is a ledger row; balances and FIFO lots change in the same
transaction under row locks, and a conditional `UPDATE … WHERE qty >= n` guards the decrement
so stock never goes negative (also on SQLite, where select_for_update is a no-op).

Part requests (O-13) drive the order through `order_act(part-request / part-update)`, so the
order's OrderPart keeps its requested/shipped/received times for O-10 and the late flag is
decided once, by the orders app.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from aftersales.accounts.models import Outlet, User
from aftersales.core.bulk import pg_execute
from aftersales.domain import parts as rules_mod
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError, conflict
from aftersales.domain.parts import Lot, MoveKind, RequestStatus
from aftersales.orders.inputs import parse
from aftersales.orders.models import Order, OrderPart
from aftersales.orders.selectors import order_get_for_user, sees_whole_network
from aftersales.orders.services import order_act

from . import inputs
from .models import (
    AccountEntry,
    Bin,
    OldPartReturn,
    Part,
    PartRequest,
    ReorderRule,
    StockBalance,
    StockCount,
    StockCountLine,
    StockDoc,
    StockLot,
    StockMove,
    Warehouse,
    current_rules,
)
from .selectors import count_get, part_get, request_get, warehouse_get, warehouses_for_user

# ----------------------------------------------------------------------------- helpers


def _forbid(message: str) -> DomainError:
    return DomainError("forbidden", message, status=403)


def bin_get(wh: Warehouse, ref: str, *, field: str = "bin") -> Bin:
    """A bin of this warehouse by its label zone-shelf-level-position (or its id)."""
    ref = (ref or "").strip()
    qs = Bin.objects.filter(warehouse=wh)
    found: Bin | None = None
    if ref.isdigit():
        found = qs.filter(pk=int(ref)).first()
    else:
        bits = ref.split("-")
        if len(bits) == 4:
            found = qs.filter(zone=bits[0], shelf=bits[1], level=bits[2], position=bits[3]).first()
    if found is None:
        raise DomainError(
            "unknown_bin",
            _("No bin %(bin)s in warehouse %(warehouse)s.") % {"bin": ref, "warehouse": wh.code},
            fields={field: "unknown bin"},
        )
    return found


def _doc(kind: str, wh: Warehouse, actor: User, now: datetime, **kw: Any) -> StockDoc:
    return StockDoc.objects.create(kind=kind, warehouse=wh, actor=actor, at=now, **kw)


def _move(
    doc: StockDoc,
    kind: MoveKind,
    part: Part,
    b: Bin,
    qty: int,
    lot: StockLot | None,
    cost: Decimal,
    reason: str = "",
) -> StockMove:
    return StockMove.objects.create(
        doc=doc,
        at=doc.at,
        kind=kind.value,
        part=part,
        bin=b,
        warehouse_id=b.warehouse_id,
        lot=lot,
        qty=qty,
        unit_cost=cost,
        actor=doc.actor,
        reason=reason,
    )


def _put(
    doc: StockDoc,
    kind: MoveKind,
    part: Part,
    b: Bin,
    qty: int,
    *,
    cost: Decimal,
    received_at: datetime,
    aged_from: datetime | None = None,
    reason: str = "",
) -> StockLot:
    """Stock in: a new lot, the balance raised under its row lock, and the ledger row."""
    StockBalance.objects.bulk_create(
        [StockBalance(part=part, bin=b, warehouse_id=b.warehouse_id, qty=0)],
        ignore_conflicts=True,
    )
    bal = StockBalance.objects.select_for_update().get(part=part, bin=b)
    # P-5: fresh stock in an empty bin ages from its arrival; otherwise the old stock's age holds.
    aged = (aged_from or received_at) if bal.qty == 0 or bal.aged_from is None else bal.aged_from
    StockBalance.objects.filter(pk=bal.pk).update(qty=F("qty") + qty, aged_from=aged)
    lot = StockLot.objects.create(
        part=part, bin=b, received_at=received_at, qty_in=qty, qty_left=qty, unit_cost=cost
    )
    _move(doc, kind, part, b, qty, lot, cost, reason)
    return lot


@dataclass
class Taken:
    """One lot's share of a stock-out: what the ledger row says, and where it lay."""

    lot_id: int
    bin: Bin
    qty: int
    unit_cost: Decimal
    received_at: datetime
    aged_from: datetime | None  # the balance's age before this stock-out


def _fast_path() -> bool:
    """PostgreSQL takes stock in one set-based statement; other databases step by step."""
    return connection.vendor == "postgresql" and not _force_portable


_force_portable = False  # tests flip it to compare both paths on PostgreSQL


def _take(
    doc: StockDoc,
    kind: MoveKind,
    part: Part,
    wh: Warehouse,
    qty: int,
    *,
    b: Bin | None = None,
    reason: str = "",
    now: datetime,
) -> list[Taken]:
    """Stock out, oldest lots first (P-3), under row locks (balances, then lots, each by pk),
    so concurrent issues queue instead of overselling. CHECK (qty >= 0) is the last guard.

    `doc` may be unsaved on PostgreSQL: the statement then inserts it (one round trip less)."""
    if b is not None and not StockBalance.objects.filter(part=part, bin=b).exists():
        raise DomainError(
            "part_not_in_bin",
            _("Bin %(bin)s does not hold %(part)s.") % {"bin": b.label, "part": part.code},
            fields={"bin": "does not hold this part"},
        )
    if _fast_path():
        try:
            return _take_sql(doc, kind, part, wh, qty, b=b, reason=reason, now=now)
        except IntegrityError as e:  # a CHECK constraint: never below zero, whatever happened
            raise rules_mod.insufficient(part.code, qty, 0) from e
    if doc.pk is None:
        doc.save()
    return _take_orm(doc, kind, part, wh, qty, b=b, reason=reason, now=now)


def _take_orm(
    doc: StockDoc,
    kind: MoveKind,
    part: Part,
    wh: Warehouse,
    qty: int,
    *,
    b: Bin | None,
    reason: str,
    now: datetime,
) -> list[Taken]:
    """The portable path: lock, plan with `fifo_take`, and guard every decrement with a
    conditional `UPDATE … WHERE qty >= n` (SQLite has no row locks)."""
    bq = StockBalance.objects.filter(part=part)
    bq = bq.filter(bin=b) if b is not None else bq.filter(warehouse=wh, bin__area="stock")
    # OF self: lock the balance rows only, not the joined bins (other parts share them).
    balances = list(
        bq.filter(qty__gt=0).select_related("bin").select_for_update(of=("self",)).order_by("pk")
    )
    available = sum(x.qty for x in balances)
    if available < qty:
        raise rules_mod.insufficient(part.code, qty, available)
    bins = {x.bin_id: x for x in balances}
    lots = list(
        StockLot.objects.select_for_update()
        .filter(part=part, bin_id__in=list(bins), qty_left__gt=0)
        .order_by("pk")
    )
    by_id = {lot.pk: lot for lot in lots}
    plan = rules_mod.fifo_take(
        [Lot(lot.pk, lot.bin_id, lot.received_at, lot.qty_left) for lot in lots],
        qty,
        part=part.code,
    )
    per_bin: dict[int, int] = defaultdict(int)
    out: list[Taken] = []
    for view, n in plan:
        lot = by_id[view.id]
        if not StockLot.objects.filter(pk=lot.pk, qty_left__gte=n).update(
            qty_left=F("qty_left") - n
        ):
            raise rules_mod.insufficient(part.code, qty, 0)
        per_bin[lot.bin_id] += n
        bal = bins[lot.bin_id]
        _move(doc, kind, part, bal.bin, -n, lot, lot.unit_cost, reason)
        out.append(Taken(lot.pk, bal.bin, n, lot.unit_cost, lot.received_at, bal.aged_from))
    for bin_id, n in per_bin.items():
        values: dict[str, Any] = {"qty": F("qty") - n}
        if kind == MoveKind.ISSUE:
            values["aged_from"] = now  # P-5: ageing counts from the last issue
        if not StockBalance.objects.filter(pk=bins[bin_id].pk, qty__gte=n).update(**values):
            raise rules_mod.insufficient(part.code, qty, 0)
    return out


# The PostgreSQL path: one statement locks the balances (by id) and then their lots (by id),
# allocates oldest-first with a running sum (the same rule as domain.parts.fifo_take: receipt
# time, then lot id), and — only when both the lots and the balances cover the quantity —
# inserts the document if it is new, decrements the lots, appends the ledger rows and lowers
# the balances (CHECK qty >= 0 stays the last guard). It returns the allocation.
_TAKE_SQL = """
WITH bal AS MATERIALIZED (
    SELECT b.id, b.bin_id, b.qty, b.aged_from
    FROM parts_stockbalance b
    WHERE b.part_id = %(part)s AND b.qty > 0 AND {where}
    ORDER BY b.id
    FOR UPDATE OF b
), lots AS MATERIALIZED (
    SELECT l.id, l.bin_id, l.received_at, l.qty_left, l.unit_cost
    FROM parts_stocklot l
    WHERE l.part_id = %(part)s AND l.qty_left > 0 AND l.bin_id IN (SELECT bin_id FROM bal)
    ORDER BY l.id
    FOR UPDATE
), tot AS MATERIALIZED (
    SELECT coalesce((SELECT sum(qty_left) FROM lots), 0) AS lots_avail,
           coalesce((SELECT sum(qty) FROM bal), 0) AS bal_avail
), take AS MATERIALIZED (
    SELECT o.id, o.bin_id, o.received_at, o.unit_cost,
           least(o.qty_left, %(qty)s - o.before)::int AS n
    FROM (SELECT lots.*,
                 sum(qty_left) OVER (ORDER BY received_at, id) - qty_left AS before
          FROM lots) o, tot
    WHERE o.before < %(qty)s AND tot.lots_avail >= %(qty)s AND tot.bal_avail >= %(qty)s
), newdoc AS (
    INSERT INTO parts_stockdoc (kind, warehouse_id, at, actor_id, order_id, issued_to_id, note)
    SELECT %(doc_kind)s, %(wh)s, %(at)s, %(actor)s, %(order)s, %(issued_to)s, %(note)s
    WHERE %(doc)s::bigint IS NULL AND EXISTS (SELECT 1 FROM take)
    RETURNING id
), d AS MATERIALIZED (
    SELECT coalesce(%(doc)s::bigint, (SELECT id FROM newdoc)) AS id
), lot_upd AS (
    UPDATE parts_stocklot l SET qty_left = l.qty_left - t.n
    FROM take t WHERE l.id = t.id
), mv AS (
    INSERT INTO parts_stockmove
        (doc_id, at, kind, part_id, bin_id, warehouse_id, lot_id, qty, unit_cost, actor_id, reason)
    SELECT d.id, %(at)s, %(kind)s, %(part)s, t.bin_id, bn.warehouse_id, t.id, -t.n, t.unit_cost,
           %(actor)s, %(reason)s
    FROM take t JOIN parts_bin bn ON bn.id = t.bin_id, d
    ORDER BY t.received_at, t.id
), bal_upd AS (
    UPDATE parts_stockbalance b
    SET qty = b.qty - s.n, aged_from = CASE WHEN %(issue)s THEN %(at)s ELSE b.aged_from END
    FROM (SELECT bin_id, sum(n) AS n FROM take GROUP BY bin_id) s, bal
    WHERE b.id = bal.id AND bal.bin_id = s.bin_id
)
SELECT tot.lots_avail, tot.bal_avail, d.id, t.id, t.bin_id, t.n, t.unit_cost, t.received_at,
       bal.aged_from, bn.zone, bn.shelf, bn.level, bn.position, bn.area, bn.warehouse_id
FROM tot CROSS JOIN d
LEFT JOIN take t ON true
LEFT JOIN bal ON bal.bin_id = t.bin_id
LEFT JOIN parts_bin bn ON bn.id = t.bin_id
ORDER BY t.received_at, t.id
"""
_WHERE_BIN = "b.bin_id = %(bin)s"
_WHERE_WH = (
    "b.warehouse_id = %(wh)s AND b.bin_id IN "
    "(SELECT id FROM parts_bin WHERE warehouse_id = %(wh)s AND area = 'stock')"
)
TAKE_SQL_BIN = _TAKE_SQL.format(where=_WHERE_BIN)
TAKE_SQL_WH = _TAKE_SQL.format(where=_WHERE_WH)

# The statement is prepared once per database session (planning it cost as much as running it).
_TAKE_PARAMS = (
    ("part", "bigint"),
    ("bin", "bigint"),
    ("wh", "bigint"),
    ("qty", "integer"),
    ("doc", "bigint"),
    ("doc_kind", "text"),
    ("at", "timestamptz"),
    ("actor", "bigint"),
    ("order", "bigint"),
    ("issued_to", "bigint"),
    ("note", "text"),
    ("kind", "text"),
    ("reason", "text"),
    ("issue", "boolean"),
)


def _dollars(sql: str) -> tuple[str, tuple[str, ...]]:
    """Named parameters as typed `$n` (one name may appear several times); the names in
    `$n` order (only those the statement uses: an unused one would have no type)."""
    used = []
    for name, type_ in _TAKE_PARAMS:
        if f"%({name})s" in sql:
            used.append(name)
            sql = sql.replace(f"%({name})s", f"${len(used)}::{type_}")
    return sql, tuple(used)


_PREPARE = {
    "parts_take_bin": _dollars(TAKE_SQL_BIN),
    "parts_take_wh": _dollars(TAKE_SQL_WH),
}


def _execute_prepared(name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    # Prepared once per connection, by psycopg, like the intake's statements (core.bulk).
    sql, names = _PREPARE[name]
    return pg_execute(sql, [params[n] for n in names])


def _take_sql(
    doc: StockDoc,
    kind: MoveKind,
    part: Part,
    wh: Warehouse,
    qty: int,
    *,
    b: Bin | None,
    reason: str,
    now: datetime,
) -> list[Taken]:
    params = {
        "part": part.pk,
        "bin": b.pk if b is not None else None,
        "wh": wh.pk,
        "qty": qty,
        "doc": doc.pk,
        "doc_kind": doc.kind,
        "at": doc.at,
        "actor": doc.actor_id,
        "order": doc.order_id,
        "issued_to": doc.issued_to_id,
        "note": doc.note,
        "kind": kind.value,
        "reason": reason,
        "issue": kind == MoveKind.ISSUE,
    }
    rows = _execute_prepared("parts_take_bin" if b is not None else "parts_take_wh", params)
    lots_avail, bal_avail, doc_id = rows[0][0], rows[0][1], rows[0][2]
    if rows[0][3] is None:  # nothing taken: the lots or the balances fall short
        raise rules_mod.insufficient(part.code, qty, int(min(lots_avail, bal_avail)))
    if doc.pk is None:
        doc.pk = doc_id
        doc._state.adding = False
    out = []
    for r in rows:
        lot_id, bin_id, n, cost, received, aged, zone, shelf, level, position, area, wh_id = r[3:]
        if b is not None:
            taken_bin = b
        else:  # the statement returned the bin's fields: no second read
            taken_bin = Bin(
                pk=bin_id,
                warehouse_id=wh_id,
                zone=zone,
                shelf=shelf,
                level=level,
                position=position,
                area=area,
            )
            taken_bin._state.adding = False
        out.append(Taken(lot_id, taken_bin, n, cost, received, aged))
    return out


def _lines_parts(lines: list[Any], field: str = "part") -> list[Part]:
    out = []
    for i, line in enumerate(lines):
        rules_mod.check_quantity(line.qty, f"lines.{i}.qty")
        out.append(part_get(line.part, field=f"lines.{i}.{field}"))
    return out


def _debit(wh: Warehouse, doc: StockDoc, amount: Decimal, actor: User, now: datetime) -> None:
    if amount:
        AccountEntry.objects.create(
            outlet_id=wh.outlet_id,
            at=now,
            kind="purchase",
            amount=-amount,
            currency=current_rules().currency,
            doc=doc,
            actor=actor,
        )


# ----------------------------------------------------------------------------- master


def _may_edit_master(user: User) -> bool:
    return bool(user.role_set & {Role.PARTS_KEEPER, Role.MANAGER, Role.ADMIN})


def part_save(*, actor: User, data: inputs.PartIn, now: datetime) -> tuple[Part, bool]:
    """P-1: create or update a part by code; substitutes must exist and not be the part."""
    if not _may_edit_master(actor):
        raise _forbid("Only parts keepers and managers edit the part master.")
    with transaction.atomic():
        subs = []
        for i, code in enumerate(data.substitutes):
            if code == data.code:
                raise DomainError(
                    "validation",
                    "A part cannot substitute for itself.",
                    fields={f"substitutes.{i}": "the part itself"},
                )
            subs.append(part_get(code, field=f"substitutes.{i}"))
        values = data.model_dump(exclude={"code", "substitutes"})
        part, created = Part.objects.update_or_create(code=data.code, defaults=values)
        part.substitutes.set(subs)
    return part, created


# ----------------------------------------------------------------------------- movements


def stock_receive(*, actor: User, data: inputs.ReceiptIn, now: datetime) -> StockDoc:
    """Receipt: the code must be in the master and the model read off the part must match it."""
    with transaction.atomic():
        wh = warehouse_get(actor, data.warehouse, write=True)
        parts = _lines_parts(data.lines)
        bins = [bin_get(wh, line.bin, field=f"lines.{i}.bin") for i, line in enumerate(data.lines)]
        for i, (line, part) in enumerate(zip(data.lines, parts, strict=True)):
            if line.model is not None and part.model and line.model != part.model:
                raise DomainError(
                    "model_mismatch",
                    _("Part %(part)s is model %(master)s in the master, not %(given)s.")
                    % {"part": part.code, "master": part.model, "given": line.model},
                    fields={f"lines.{i}.model": f"master says {part.model}"},
                )
        doc = _doc("receipt", wh, actor, now, note=data.note)
        total = Decimal(0)
        for line, part, b in zip(data.lines, parts, bins, strict=True):
            cost = line.unit_cost if line.unit_cost is not None else part.unit_cost
            _put(doc, MoveKind.RECEIPT, part, b, line.qty, cost=cost, received_at=now)
            total += cost * line.qty
        if data.purchase:
            _debit(wh, doc, total, actor, now)
    return doc


def _order_for(actor: User, number: str | None) -> Order | None:
    if not number:
        return None
    return order_get_for_user(actor, number)


def stock_issue(*, actor: User, data: inputs.IssueIn, now: datetime) -> StockDoc:
    """Issue, FIFO (P-3); the slip lists each line with its bin (P-2).

    The slip's lines are built from what was taken (`doc.slip`), so the answer needs no
    re-read; on PostgreSQL the document is inserted by the first line's take statement.
    A one-line issue on PostgreSQL (outside any caller's transaction) writes with that one
    statement only, which is its own transaction: BEGIN/COMMIT around it would add two round
    trips and change nothing (the reads before it write nothing)."""
    one_statement = _fast_path() and len(data.lines) == 1 and not connection.in_atomic_block
    with contextlib.nullcontext() if one_statement else transaction.atomic():
        wh = warehouse_get(actor, data.warehouse, write=True)
        parts = _lines_parts(data.lines)
        bins = [
            bin_get(wh, line.bin, field=f"lines.{i}.bin") if line.bin else None
            for i, line in enumerate(data.lines)
        ]
        order = _order_for(actor, data.order)
        to = None
        if data.issued_to:
            to = User.objects.filter(username=data.issued_to, is_active=True).first()
            if to is None:
                raise DomainError(
                    "unknown_user", "No such person.", fields={"issued_to": "unknown"}
                )
        doc = StockDoc(
            kind="issue", warehouse=wh, actor=actor, at=now, order=order, issued_to=to,
            note=data.note,
        )  # fmt: skip
        taken: list[tuple[Part, Taken]] = []
        for line, part, b in zip(data.lines, parts, bins, strict=True):
            taken += [
                (part, t) for t in _take(doc, MoveKind.ISSUE, part, wh, line.qty, b=b, now=now)
            ]
        doc.slip = _slip_rows(doc, taken)  # type: ignore[attr-defined]
    return doc


def _slip_rows(doc: StockDoc, taken: list[tuple[Part, Taken]]) -> list[dict[str, Any]]:
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for part, t in taken:
        key = (part.pk, t.bin.pk)
        if key not in rows:
            rows[key] = _slip_row(part, doc.warehouse.code, t.bin, doc.kind)
        rows[key]["qty"] += t.qty
        rows[key]["value"] += t.qty * t.unit_cost
    return sorted(rows.values(), key=lambda r: (r["warehouse"], r["sort"], r["part"]))


def _slip_row(part: Part, warehouse: str, b: Bin, kind: str) -> dict[str, Any]:
    return {
        "part": part.code,
        "name": part.name,
        "model": part.model,
        "warehouse": warehouse,
        "bin": b.label,
        "sort": (b.zone, b.shelf, b.level, b.position),
        "qty": 0,
        "kind": kind,
        "value": Decimal(0),
    }


def stock_transfer(*, actor: User, data: inputs.TransferIn, now: datetime) -> StockDoc:
    """Between bins or warehouses (e.g. into a technician's van); lots keep their age."""
    with transaction.atomic():
        src = warehouse_get(actor, data.from_warehouse, write=True)
        dst = warehouse_get(actor, data.to_warehouse, write=True)
        parts = _lines_parts(data.lines)
        pairs = []
        for i, line in enumerate(data.lines):
            fb = bin_get(src, line.from_bin, field=f"lines.{i}.from_bin") if line.from_bin else None
            tb = bin_get(dst, line.to_bin, field=f"lines.{i}.to_bin")
            if fb is not None and fb.pk == tb.pk:
                raise DomainError(
                    "validation",
                    "A transfer goes to another bin.",
                    fields={f"lines.{i}.to_bin": "same bin"},
                )
            pairs.append((fb, tb))
        doc = _doc("transfer", src, actor, now, note=f"→ {dst.code} {data.note}".strip())
        for line, part, (fb, tb) in zip(data.lines, parts, pairs, strict=True):
            for t in _take(doc, MoveKind.TRANSFER_OUT, part, src, line.qty, b=fb, now=now):
                _put(
                    doc,
                    MoveKind.TRANSFER_IN,
                    part,
                    tb,
                    t.qty,
                    cost=t.unit_cost,
                    received_at=t.received_at,
                    aged_from=t.aged_from,
                )
    return doc


def stock_return(*, actor: User, data: inputs.ReturnIn, now: datetime) -> StockDoc:
    """An unused part back into stock (a new lot at today's date and the master's cost)."""
    with transaction.atomic():
        wh = warehouse_get(actor, data.warehouse, write=True)
        parts = _lines_parts(data.lines)
        bins = [bin_get(wh, line.bin, field=f"lines.{i}.bin") for i, line in enumerate(data.lines)]
        order = _order_for(actor, data.order)
        doc = _doc("return", wh, actor, now, order=order, note=data.note)
        for line, part, b in zip(data.lines, parts, bins, strict=True):
            _put(doc, MoveKind.RETURN, part, b, line.qty, cost=part.unit_cost, received_at=now)
    return doc


def stock_scrap(*, actor: User, data: inputs.ScrapIn, now: datetime) -> StockDoc:
    with transaction.atomic():
        wh = warehouse_get(actor, data.warehouse, write=True)
        parts = _lines_parts(data.lines)
        bins = [bin_get(wh, line.bin, field=f"lines.{i}.bin") for i, line in enumerate(data.lines)]
        doc = StockDoc(kind="scrap", warehouse=wh, actor=actor, at=now, note=data.reason)
        for line, part, b in zip(data.lines, parts, bins, strict=True):
            _take(doc, MoveKind.SCRAP, part, wh, line.qty, b=b, reason=data.reason, now=now)
    return doc


def doc_get(user: User, number: str) -> StockDoc:
    from .models import doc_pk

    pk = doc_pk(number)
    doc = (
        StockDoc.objects.filter(pk=pk, warehouse__in=warehouses_for_user(user))
        .select_related("warehouse", "warehouse__outlet", "actor", "order", "issued_to")
        .first()
        if pk is not None
        else None
    )
    if doc is None:
        raise DomainError("not_found", f"No stock document {number}.", status=404)
    return doc


def slip_lines(doc: StockDoc) -> list[dict[str, Any]]:
    """The slip's lines in walking order (zone, shelf, level, position), one per bin and part."""
    known = getattr(doc, "slip", None)
    if known is not None:
        return list(known)
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for m in doc.moves.select_related("part", "bin", "warehouse").order_by("pk"):
        key = (m.part_id, m.bin_id)
        if key not in rows:
            rows[key] = _slip_row(m.part, m.warehouse.code, m.bin, m.kind)
        rows[key]["qty"] += abs(m.qty)
        rows[key]["value"] += abs(m.qty) * m.unit_cost
    return sorted(rows.values(), key=lambda r: (r["warehouse"], r["sort"], r["part"]))


# ----------------------------------------------------------------------------- requests (O-13)


def _outlet_warehouse(order: Order) -> Warehouse:
    wh = Warehouse.objects.filter(outlet_id=order.outlet_id, kind="outlet").order_by("code").first()
    if wh is None:
        raise DomainError(
            "no_warehouse",
            _("This order's outlet has no parts warehouse yet."),
            fields={"warehouse": "none for this outlet"},
        )
    return wh


def request_create(*, actor: User, data: inputs.RequestIn, now: datetime) -> PartRequest:
    """A technician (or staff) requests a part on an order; the order's `part-request` action
    records it (O-13 late flag after the cut-off) and the request links to that OrderPart."""
    rules_mod.check_quantity(data.quantity)
    with transaction.atomic():
        part = part_get(data.part)
        order = order_get_for_user(actor, data.order)
        if data.warehouse:
            wh = warehouse_get(actor, data.warehouse)
            if wh.outlet_id != order.outlet_id:
                raise DomainError(
                    "warehouse_other_outlet",
                    _("The warehouse belongs to another outlet."),
                    fields={"warehouse": "another outlet"},
                )
        else:
            wh = _outlet_warehouse(order)
        payload: dict[str, Any] = {
            "part": part.code,
            "quantity": data.quantity,
            "shipped_by": data.shipped_by.value,
        }
        if data.promised_date:
            payload["promised_date"] = data.promised_date.isoformat()
        order = order_act(
            actor=actor, number=order.number, action="part-request", payload=payload, now=now
        )
        event = order.events.order_by("-pk").first()
        assert event is not None
        op = OrderPart.objects.get(pk=event.data["part_id"])
        return PartRequest.objects.create(
            order=order,
            order_part=op,
            part=part,
            quantity=data.quantity,
            warehouse=wh,
            shipped_by=data.shipped_by.value,
            requested_by=actor,
            requested_at=now,
            late=op.requested_late,
            promised_date=data.promised_date,
            note=data.note,
        )


REQUEST_ROLES: dict[str, frozenset[Role]] = {
    "approve": frozenset({Role.PARTS_KEEPER, Role.SUPERVISOR, Role.ADMIN}),
    "ship": frozenset({Role.PARTS_KEEPER, Role.ADMIN}),
    "receive": frozenset({Role.PARTS_KEEPER, Role.ADMIN}),
    "issue": frozenset({Role.PARTS_KEEPER, Role.ADMIN}),
    "fit": frozenset({Role.TECHNICIAN, Role.PARTS_KEEPER, Role.ADMIN}),
    "cancel": frozenset({Role.PARTS_KEEPER, Role.SUPERVISOR, Role.CLERK, Role.ADMIN}),
}


def _when(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if at > now:
        raise DomainError(
            "validation", _("Times cannot be in the future."), fields={"at": "future"}
        )
    return at


def request_act(
    *, actor: User, pk: int, action: str, data: inputs.RequestActIn, now: datetime
) -> PartRequest:
    """Move a request along requested → approved → shipped → received → issued → fitted."""
    with transaction.atomic():
        visible = request_get(actor, pk)
        req = PartRequest.objects.select_for_update().select_related("order", "part").get(pk=pk)
        del visible
        if data.version is not None and data.version != req.version:
            raise conflict(
                "stale_version",
                f"Someone else changed this request meanwhile (now version {req.version}).",
                current=req.version,
            )
        to = rules_mod.request_next(RequestStatus(req.status), action)
        roles = actor.role_set
        allowed = REQUEST_ROLES[action]
        if not roles & allowed:
            raise _forbid(f"Your roles may not {action} part requests.")
        keeper_action = action in ("ship", "receive", "issue") or (
            action == "approve" and Role.SUPERVISOR not in roles
        )
        if keeper_action and Role.ADMIN not in roles and actor.outlet_id != req.order.outlet_id:
            raise _forbid("Only the order's outlet handles its parts.")
        if (
            action == "fit"
            and roles & allowed == {Role.TECHNICIAN}
            and actor.pk not in (req.order.assignee_id, req.requested_by_id)
        ):
            raise _forbid("Only the order's technician confirms the fitting.")
        changes: dict[str, Any] = {"status": to.value}
        if action == "approve":
            changes |= {"approved_at": now, "approved_by": actor}
        elif action == "ship":
            at = _when(data.at, now)
            if data.shipped_by:
                changes["shipped_by"] = data.shipped_by.value
            changes["shipped_at"] = at
            order_act(
                actor=actor,
                number=req.order.number,
                action="part-update",
                payload={"part_id": req.order_part_id, "shipped_at": at.isoformat()},
                now=now,
            )
        elif action == "receive":
            at = _when(data.at, now)
            if req.shipped_at and at < req.shipped_at:
                raise DomainError(
                    "validation", _("Received before it was shipped."), fields={"at": "before ship"}
                )
            if not data.bin:
                raise DomainError(
                    "validation", _("Say which bin it goes into."), fields={"bin": "required"}
                )
            stock_receive(
                actor=actor,
                data=inputs.ReceiptIn(
                    warehouse=req.warehouse.code,
                    lines=[inputs.ReceiptLine(part=req.part.code, bin=data.bin, qty=req.quantity)],
                    note=f"request {req.pk} / {req.order.number}",
                ),
                now=now,
            )
            changes["received_at"] = at
            order_act(
                actor=actor,
                number=req.order.number,
                action="part-update",
                payload={"part_id": req.order_part_id, "received_at": at.isoformat()},
                now=now,
            )
        elif action == "issue":
            doc = stock_issue(
                actor=actor,
                data=inputs.IssueIn(
                    warehouse=req.warehouse.code,
                    lines=[inputs.IssueLine(part=req.part.code, qty=req.quantity)],
                    order=req.order.number,
                    issued_to=req.order.assignee.username if req.order.assignee else None,
                    note=f"request {req.pk}",
                ),
                now=now,
            )
            changes |= {"issued_at": now, "issue_doc": doc}
        elif action == "fit":
            changes["fitted_at"] = now
        elif action == "cancel":
            changes["cancelled_at"] = now
        if data.note:
            changes["note"] = data.note
        changes["version"] = req.version + 1
        if not PartRequest.objects.filter(pk=req.pk, version=req.version).update(**changes):
            raise conflict("stale_version", "Someone else changed this request meanwhile.")
        req.refresh_from_db()
    return req


# ----------------------------------------------------------------------------- P-8 old parts


def old_parts_on_close(order: Order, now: datetime) -> list[OldPartReturn]:
    """P-8: for each in-warranty replacement of a closed order, an old part due back."""
    from aftersales.warranty.selectors import order_warranty

    if not order_warranty(order).in_warranty:
        return []
    rules = current_rules()
    out = []
    for req in order.part_requests.select_related("part").filter(
        status__in=[RequestStatus.ISSUED.value, RequestStatus.FITTED.value]
    ):
        row, _created = OldPartReturn.objects.get_or_create(
            request=req,
            defaults={
                "order": order,
                "outlet_id": order.outlet_id,
                "part": req.part,
                "quantity": req.quantity,
                "technician_id": order.assignee_id or req.requested_by_id,
                "value": req.part.unit_cost * req.quantity,
                "currency": rules.currency,
                "due_at": rules_mod.return_due(now, rules),
            },
        )
        out.append(row)
    return out


def old_part_receive(*, actor: User, pk: int, now: datetime) -> OldPartReturn:
    """The keeper takes the old part back; the outlet's parts account is credited (P-7)."""
    with transaction.atomic():
        row = OldPartReturn.objects.select_for_update().filter(pk=pk).first()
        if row is None or not (sees_whole_network(actor) or actor.outlet_id == row.outlet_id):
            raise DomainError("not_found", f"No old-part return {pk}.", status=404)
        if not actor.role_set & {Role.PARTS_KEEPER, Role.ADMIN}:
            raise _forbid("Only the parts keeper takes old parts back.")
        if row.returned_at is not None:
            raise conflict("already_returned", _("This old part is already back."))
        row.returned_at = now
        row.received_by = actor
        row.save(update_fields=["returned_at", "received_by"])
        AccountEntry.objects.create(
            outlet_id=row.outlet_id,
            at=now,
            kind="old_part",
            amount=row.value,
            currency=row.currency,
            old_part_return=row,
            actor=actor,
            note=f"{row.order.number} {row.part.code}",
        )
    return row


def account_deposit(*, actor: User, data: inputs.DepositIn, now: datetime) -> AccountEntry:
    if not actor.role_set & {Role.MANAGER, Role.ADMIN}:
        raise _forbid("Only managers record deposits to a parts account.")
    outlet = Outlet.objects.filter(code=data.outlet).first()
    if outlet is None:
        raise DomainError("not_found", "No such outlet.", status=404, fields={"outlet": "unknown"})
    return AccountEntry.objects.create(
        outlet=outlet,
        at=now,
        kind="deposit",
        amount=data.amount,
        currency=current_rules().currency,
        actor=actor,
        note=data.note,
    )


# ----------------------------------------------------------------------------- P-4 counts


def _may_count(user: User, wh: Warehouse) -> bool:
    roles = user.role_set
    return Role.ADMIN in roles or (
        bool(roles & {Role.PARTS_KEEPER, Role.SUPERVISOR}) and user.outlet_id == wh.outlet_id
    )


def count_start(*, actor: User, warehouse: str, now: datetime) -> StockCount:
    """A count sheet per bin and part with the book quantity; one open count per warehouse."""
    wh = warehouse_get(actor, warehouse)
    if not _may_count(actor, wh):
        raise _forbid("Only the outlet's parts keeper or supervisor counts its stock.")
    try:
        with transaction.atomic():
            if StockCount.objects.filter(warehouse=wh, status="open").exists():
                raise conflict(
                    "count_already_open",
                    _("Warehouse %(warehouse)s is being counted already; close that count first.")
                    % {"warehouse": wh.code},
                )
            count = StockCount.objects.create(
                warehouse=wh, status="open", started_at=now, started_by=actor
            )
            StockCountLine.objects.bulk_create(
                [
                    StockCountLine(count=count, bin_id=b, part_id=p, book_qty=q)
                    for b, p, q in StockBalance.objects.filter(warehouse=wh)
                    .order_by("bin_id", "part_id")
                    .values_list("bin_id", "part_id", "qty")
                ]
            )
    except IntegrityError:
        raise conflict(
            "count_already_open", f"Warehouse {wh.code} is being counted already."
        ) from None
    return count


def _open_line(actor: User, count_pk: int, line_pk: int) -> tuple[StockCount, StockCountLine]:
    count = count_get(actor, count_pk)
    if count.status != "open":
        raise conflict("count_closed", _("This count is closed."))
    line = StockCountLine.objects.select_for_update().filter(pk=line_pk, count=count).first()
    if line is None:
        raise DomainError("not_found", "No such count line.", status=404)
    return count, line


def count_enter(
    *, actor: User, count_pk: int, line_pk: int, data: inputs.CountEnterIn, now: datetime
) -> StockCountLine:
    with transaction.atomic():
        count, line = _open_line(actor, count_pk, line_pk)
        if not _may_count(actor, count.warehouse):
            raise _forbid("Only the outlet's parts keeper or supervisor counts its stock.")
        if line.approved_at is not None:
            raise conflict("line_approved", _("This line's variance is approved and posted."))
        line.counted_qty = data.counted
        line.counted_by = actor
        line.reason = data.reason
        line.save(update_fields=["counted_qty", "counted_by", "reason"])
    return line


def count_approve(
    *, actor: User, count_pk: int, line_pk: int, data: inputs.CountApproveIn, now: datetime
) -> StockCountLine:
    """A supervisor approves a variance with a reason; the adjustment is posted then (P-4)."""
    with transaction.atomic():
        count, line = _open_line(actor, count_pk, line_pk)
        roles = actor.role_set
        if not (
            Role.ADMIN in roles
            or Role.MANAGER in roles
            or (Role.SUPERVISOR in roles and actor.outlet_id in (None, count.warehouse.outlet_id))
        ):
            raise _forbid("A supervisor approves count variances.")
        if line.counted_qty is None:
            raise conflict("not_counted", _("Enter the counted quantity first."))
        if line.approved_at is not None:
            raise conflict("line_approved", "Already approved.")
        variance = line.counted_qty - line.book_qty
        if variance == 0:
            raise conflict("no_variance", _("There is no variance to approve."))
        reason = data.reason or line.reason
        if not reason:
            raise DomainError(
                "reason_required",
                _("A variance is posted only with a reason."),
                fields={"reason": "required"},
            )
        part = Part.objects.get(pk=line.part_id)
        b = Bin.objects.select_related("warehouse").get(pk=line.bin_id)
        doc = _doc("adjust", b.warehouse, actor, now, note=f"count {count.pk}: {reason}")
        if variance > 0:
            _put(
                doc,
                MoveKind.ADJUST,
                part,
                b,
                variance,
                cost=part.unit_cost,
                received_at=now,
                reason=reason,
            )
        else:
            _take(doc, MoveKind.ADJUST, part, b.warehouse, -variance, b=b, reason=reason, now=now)
        line.reason = reason
        line.approved_by = actor
        line.approved_at = now
        line.adjustment = doc
        line.save(update_fields=["reason", "approved_by", "approved_at", "adjustment"])
    return line


def count_close(*, actor: User, count_pk: int, now: datetime) -> StockCount:
    with transaction.atomic():
        count = count_get(actor, count_pk)
        if not _may_count(actor, count.warehouse):
            raise _forbid("Only the outlet's parts keeper or supervisor closes its count.")
        count = StockCount.objects.select_for_update().get(pk=count.pk)
        if count.status != "open":
            raise conflict("count_closed", "This count is closed already.")
        uncounted, unapproved = rules_mod.count_close_problems(
            [
                rules_mod.CountLineFacts(x.book_qty, x.counted_qty, x.approved_at is not None)
                for x in count.lines.all()
            ]
        )
        if unapproved:
            raise conflict(
                "count_unapproved_variances",
                f"{unapproved} variance(s) are not approved yet; a supervisor approves them "
                "with a reason before the count closes.",
                n=unapproved,
            )
        if uncounted:
            raise conflict(
                "count_incomplete", f"{uncounted} line(s) are not counted yet.", n=uncounted
            )
        count.status = "closed"
        count.closed_at = now
        count.closed_by = actor
        count.save(update_fields=["status", "closed_at", "closed_by"])
    return count


# ----------------------------------------------------------------------------- P-6 rules


def reorder_rule_save(*, actor: User, data: inputs.ReorderRuleIn, now: datetime) -> ReorderRule:
    wh = warehouse_get(actor, data.warehouse, write=True)
    part = part_get(data.part)
    if data.min_qty is not None and data.max_qty is not None and data.max_qty < data.min_qty:
        raise DomainError("validation", "max below min.", fields={"max_qty": "below min"})
    row, _created = ReorderRule.objects.update_or_create(
        part=part,
        warehouse=wh,
        defaults=data.model_dump(include={"min_qty", "max_qty", "reorder_point", "reorder_qty"}),
    )
    return row


def parse_in(model: type[Any], data: object) -> Any:
    return parse(model, data)


# ----------------------------------------------------------------------------- import (P-1)


def _split(v: object) -> list[str]:
    return [x.strip() for x in str(v or "").replace(",", ";").split(";") if x.strip()]


def parts_import(*, actor: User, rows: list[dict[str, Any]], now: datetime) -> tuple[int, int]:
    """The part master from rows (CSV/XLSX); every row is checked first, then all are written
    in one transaction, or none if any row is wrong (the error names its row)."""
    if not _may_edit_master(actor):
        raise _forbid("Only parts keepers and managers edit the part master.")
    parsed: list[inputs.PartIn] = []
    for i, row in enumerate(rows, start=2):
        values: dict[str, Any] = {
            k: v for k, v in row.items() if k and v not in (None, "") and k != "substitutes"
        }
        values["fits_models"] = _split(row.get("fits_models"))
        values["substitutes"] = _split(row.get("substitutes"))
        try:
            parsed.append(parse(inputs.PartIn, values))
        except DomainError as e:
            raise DomainError(
                "import_row_invalid",
                f"Row {i}: " + "; ".join(f"{k}: {v}" for k, v in e.fields.items()),
                fields={f"row {i}.{k}": v for k, v in e.fields.items()},
            ) from None
    codes = [p.code for p in parsed]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise DomainError("import_duplicate_code", f"Codes repeated in the file: {', '.join(dup)}.")
    known = set(
        Part.objects.filter(code__in=[s for p in parsed for s in p.substitutes]).values_list(
            "code", flat=True
        )
    ) | set(codes)
    for i, p in enumerate(parsed, start=2):
        missing = [s for s in p.substitutes if s not in known or s == p.code]
        if missing:
            raise DomainError(
                "unknown_part",
                f"Row {i}: unknown substitute(s) {', '.join(missing)}.",
                fields={f"row {i}.substitutes": ", ".join(missing)},
            )
    created = 0
    with transaction.atomic():
        objs: dict[str, Part] = {}
        for p in parsed:
            obj, was_new = Part.objects.update_or_create(
                code=p.code, defaults=p.model_dump(exclude={"code", "substitutes"})
            )
            created += int(was_new)
            objs[p.code] = obj
        by_code = {x.code: x for x in Part.objects.filter(code__in=known)}
        for p in parsed:
            objs[p.code].substitutes.set([by_code[s] for s in p.substitutes])
    return created, len(parsed) - created
