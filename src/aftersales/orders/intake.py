"""O-1/O-2/O-3: receiving orders — one from a form or the API, or many from a file.

Both paths run the same code: rows are validated one by one (bad rows are reported with
their reason), then a batch is written in one transaction with set-based lookups of
customers by phone, so a 100,000-row file costs a few queries per thousand rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from aftersales.accounts.models import Outlet, User
from aftersales.core.bulk import (
    COPY_FROM,
    IdPool,
    Row,
    draw_statement,
    id_sequence,
    insert_rows,
    insert_together,
    instance,
    pg_execute,
    pg_reads,
)
from aftersales.core.models import ProductCategory, Source
from aftersales.core.policy import current_policy
from aftersales.core.refcache import ProcessCache
from aftersales.core.sequences import PG_SEQUENCES, reserve
from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.domain import sla
from aftersales.domain.codes import Status
from aftersales.domain.errors import DomainError
from aftersales.domain.phones import normalise_phone
from aftersales.domain.policy import Policy

from .inputs import OrderIn
from .models import Order, OrderEvent, SlaRule
from .selectors import may_work_for_outlet

REASSIGNED_MARKERS = ("改派", "改派", "재배정", "reassigned")


def sla_rules() -> list[sla.SlaRule]:
    return list(_ref.get().rules)


@dataclass(frozen=True)
class _Ref:
    """The reference data intake validates against (cached per process: core.refcache)."""

    rules: tuple[sla.SlaRule, ...]
    categories: frozenset[str]
    sources: frozenset[str]
    outlets: dict[str, Outlet]


def _load_ref() -> _Ref:
    rules = tuple(
        sla.SlaRule(
            rank=r.rank,
            hours=r.hours,
            label=r.label,
            categories=frozenset(r.categories or ()),
            tiers=frozenset(int(t) for t in (r.tiers or ())),
            service_types=frozenset(r.service_types or ()),
            service_modes=frozenset(r.service_modes or ()),
            sources=frozenset(r.sources or ()),
        )
        for r in SlaRule.objects.all()
    )
    return _Ref(
        rules=rules,
        categories=frozenset(
            ProductCategory.objects.filter(active=True).values_list("code", flat=True)
        ),
        sources=frozenset(Source.objects.filter(active=True).values_list("code", flat=True)),
        outlets={o.code: o for o in Outlet.objects.all()},
    )


_ref = ProcessCache(
    _load_ref,
    models=("orders.SlaRule", "core.ProductCategory", "core.Source", "accounts.Outlet"),
)


def format_number(n: int) -> str:
    return f"SO{n:08d}"


@dataclass
class Prepared:
    line: int
    data: OrderIn
    phones: list[str]
    outlet: Outlet
    tier: int


@dataclass
class BatchReport:
    created: list[Order] = field(default_factory=list)  # single orders (API, form)
    numbers: list[tuple[int, str]] = field(default_factory=list)  # bulk: (line, number)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, existing number)
    errors: list[tuple[int, DomainError]] = field(default_factory=list)


class _Context:
    """Lookups that stay fixed during one command (codes, outlets, rules, policy)."""

    def __init__(self, actor: User | None, now: datetime, *, objects: bool) -> None:
        self.actor = actor
        self.now = now
        self.objects = objects  # build Order instances for the caller, or only numbers
        self.policy: Policy = current_policy()
        ref = _ref.get()
        self.rules = list(ref.rules)
        self.categories = ref.categories
        self.sources = ref.sources
        self.outlets = ref.outlets
        self.region = settings.PHONE_REGION

    def prepare(self, line: int, data: OrderIn) -> Prepared:
        fields: dict[str, str] = {}
        if data.product.category not in self.categories:
            fields["product.category"] = f"Unknown product category {data.product.category!r}."
        if data.source not in self.sources:
            fields["source"] = f"Unknown source {data.source!r}."
        phones: list[str] = []
        for i, raw in enumerate(data.customer.phones):
            try:
                p = normalise_phone(raw, self.region)
            except DomainError as e:
                fields[f"customer.phones.{i}"] = e.message
                continue
            if p not in phones:
                phones.append(p)
        outlet = self._outlet(data.outlet, fields)
        if fields:
            raise DomainError("validation", "Some fields are not valid.", fields=fields)
        assert outlet is not None
        tier = data.market_tier or outlet.market_tier
        return Prepared(line, data, phones, outlet, tier)

    def _outlet(self, code: str | None, fields: dict[str, str]) -> Outlet | None:
        if code:
            o = self.outlets.get(code)
            if o is None:
                fields["outlet"] = f"Unknown outlet {code!r}."
            elif self.actor is not None and not may_work_for_outlet(self.actor, o.pk):
                fields["outlet"] = "You may not receive orders for this outlet."
            return o
        if self.actor is not None and self.actor.outlet_id:
            return next(o for o in self.outlets.values() if o.pk == self.actor.outlet_id)
        fields["outlet"] = "Say which outlet receives the order."
        return None


@lru_cache(maxsize=1)
def _marker_tuple() -> tuple[str, ...]:
    return tuple(m.lower() for m in REASSIGNED_MARKERS)


def _write_batch(ctx: _Context, rows: list[Prepared], report: BatchReport) -> None:
    """Write valid rows in one transaction; rows whose (source, ref) exists are skipped."""
    if not rows:
        return
    mine = BatchReport()
    try:
        if connection.vendor == "postgresql" and len(rows) < COPY_FROM:
            _write_few_pg(ctx, rows, mine)
        else:
            # Numbers are taken outside the batch's transaction so concurrent intakes never
            # queue behind a batch for them (SQLite's counter row); skipped rows leave gaps.
            reserved = reserve("order", len(rows))
            with transaction.atomic():
                _write_rows(ctx, rows, reserved, mine, _QUERY, insert_rows)
    except IntegrityError:
        # A concurrent writer took a reference or a phone meanwhile: nothing of this batch
        # was kept, and the caller retries row by row.
        raise _Race() from None
    report.created.extend(mine.created)
    report.numbers.extend(mine.numbers)
    report.skipped.extend(mine.skipped)
    report.errors.extend(mine.errors)


@dataclass(frozen=True)
class _Lookups:
    """What a batch reads: known references, phones' owners, and the owners' products."""

    refs: Callable[[set[tuple[str, str]]], list[tuple[str, str | None, str]]]
    owners: Callable[[set[str]], list[tuple[str, int]]]
    products: Callable[[set[int]], list[Row]]


def _write_few_pg(ctx: _Context, rows: list[Prepared], report: BatchReport) -> None:
    """A few orders (one from the API) on PostgreSQL in two round trips: every read and
    every id in one statement, then every row of every table in one statement — atomic by
    itself, so it needs no transaction of its own (a savepoint inside a caller's)."""
    phones = sorted({ph for p in rows for ph in p.phones})
    refs = {(p.data.source, p.data.source_ref) for p in rows if p.data.source_ref is not None}
    n = len(rows)
    tables: tuple[type[Model], ...] = (Customer, CustomerPhone, CustomerProduct, Order, OrderEvent)
    seqs = {m: id_sequence(m) for m in tables}
    number_seq = PG_SEQUENCES["order"]
    draw = draw_statement(
        {number_seq: n, **{seqs[m]: len(phones) if m is CustomerPhone else n for m in tables}}
    )
    drawn, known, owners, products = pg_reads(
        [
            draw,
            (_PG_REFS, [sorted({s for s, _ in refs}), sorted({r for _, r in refs})]),
            (_PG_PHONES, [phones]),
            (_PG_PRODUCTS_OF_PHONES, [phones]),
        ]
    )
    for prod in products:
        if prod["purchase_date"] is not None:
            prod["purchase_date"] = date.fromisoformat(prod["purchase_date"])
    pool = IdPool(drawn)
    queued: list[tuple[type[Model], list[Row]]] = []

    def put(model: type[Model], new: list[Row]) -> None:
        for r in new:
            r["id"] = pool.take(seqs[model])
        queued.append((model, new))

    looked = _Lookups(
        refs=lambda _: [(r["source"], r["source_ref"], r["number"]) for r in known],
        owners=lambda _: [(r["number"], r["customer_id"]) for r in owners],
        products=lambda _: products,
    )
    numbers = [pool.take(number_seq) for _ in rows]
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        _write_rows(ctx, rows, numbers, report, looked, put)
        insert_together(queued)


def _write_rows(
    ctx: _Context,
    rows: list[Prepared],
    reserved: list[int],
    report: BatchReport,
    look: _Lookups,
    put: Callable[[type[Model], list[Row]], None],
) -> None:
    """Which rows are new, which customers, phones and products they reuse or add, and the
    orders and their events; `put` writes (or queues) each table's new rows and sets their
    ids."""
    refs = {(p.data.source, p.data.source_ref) for p in rows if p.data.source_ref is not None}
    existing: dict[tuple[str, str], str] = {}
    if refs:
        for src, ref, num in look.refs(refs):
            if ref is not None and (src, ref) in refs:
                existing[(src, ref)] = num
    todo: list[Prepared] = []
    seen: set[tuple[str, str]] = set()
    for p in rows:
        ref_key = (p.data.source, p.data.source_ref or "")
        if p.data.source_ref and ref_key in existing:
            report.skipped.append((p.line, existing[ref_key]))
            continue
        if p.data.source_ref and ref_key in seen:
            report.errors.append(
                (
                    p.line,
                    DomainError(
                        "duplicate_in_file",
                        f"Reference {p.data.source_ref} appears twice in this file.",
                        fields={"source_ref": "duplicate"},
                    ),
                )
            )
            continue
        seen.add(ref_key)
        todo.append(p)
    if not todo:
        return

    # Customers by any phone; rows sharing a phone within the batch share a new customer.
    all_phones = {ph for p in todo for ph in p.phones}
    owner: dict[str, int] = dict(look.owners(all_phones))
    new_customers: list[Row] = []
    row_customer: list[Row | int] = []
    pending: dict[str, Row] = {}
    for p in todo:
        cid = next((owner[ph] for ph in p.phones if ph in owner), None)
        if cid is not None:
            row_customer.append(cid)
            continue
        c = next((pending[ph] for ph in p.phones if ph in pending), None)
        if c is None:
            cu = p.data.customer
            c = {
                "name": cu.name,
                "address": cu.address,
                "region": cu.region,
                "latitude": cu.latitude,
                "longitude": cu.longitude,
                "created_at": ctx.now,
            }
            new_customers.append(c)
        for ph in p.phones:
            pending.setdefault(ph, c)
        row_customer.append(c)
    put(Customer, new_customers)
    cust_ids = [c if isinstance(c, int) else int(c["id"]) for c in row_customer]

    new_phones: list[Row] = []
    for p, cid in zip(todo, cust_ids, strict=True):
        for ph in p.phones:
            if ph not in owner:
                owner[ph] = cid
                new_phones.append({"customer_id": cid, "number": ph})
    put(CustomerPhone, new_phones)

    # Products: the same serial (or, without serial, the same category+model) is reused.
    known: dict[tuple[int, str, str, str], Row] = {}
    # New customers have no products yet: only the known ones' are looked up.
    for prod in look.products({c for c in row_customer if isinstance(c, int)}):
        known[
            _product_key(prod["customer_id"], prod["category"], prod["model"], prod["serial"])
        ] = prod
    new_products: list[Row] = []
    row_product: list[Row] = []
    for p, cid in zip(todo, cust_ids, strict=True):
        pr = p.data.product
        key = _product_key(cid, pr.category, pr.model, pr.serial)
        if key not in known:
            known[key] = {
                "customer_id": cid,
                "category": pr.category,
                "brand": pr.brand,
                "model": pr.model,
                "serial": pr.serial,
                "purchase_date": pr.purchase_date,
            }
            new_products.append(known[key])
        row_product.append(known[key])
    put(CustomerProduct, new_products)

    orders = [
        _order_row(ctx, p, cid, int(prod["id"]), n)
        for p, cid, prod, n in zip(todo, cust_ids, row_product, reserved, strict=False)
    ]
    put(Order, orders)
    actor_id = ctx.actor.pk if ctx.actor is not None else None
    put(
        OrderEvent,
        [
            {
                "order_id": o["id"],
                "at": ctx.now,
                "actor_id": actor_id,
                "action": "receive",
                "from_status": "",
                "to_status": Status.RECEIVED.value,
                "reason": "",
                "data": {
                    "source": o["source"],
                    "source_ref": o["source_ref"],
                    "sla_hours": o["sla_hours"],
                    "sla_rule": o["sla_rule"],
                },
            }
            for o in orders
        ],
    )
    if ctx.objects:
        for o, prod, p in zip(orders, row_product, todo, strict=True):
            order = instance(Order, o)
            order.product = instance(CustomerProduct, prod)
            order.outlet = p.outlet
            order.received_by = ctx.actor
            report.created.append(order)
    else:
        report.numbers.extend((p.line, o["number"]) for o, p in zip(orders, todo, strict=True))


_PRODUCT_FIELDS = ("id", "customer_id", "category", "brand", "model", "serial", "purchase_date")

# The three look-ups of a batch. On PostgreSQL each is one prepared statement taking an
# array (one order from the API spent more CPU building these through the ORM than the
# database spent answering them); elsewhere the ORM's `IN`.
_PG_REFS = (
    f"SELECT source, source_ref, number FROM {Order._meta.db_table} "  # noqa: S608
    "WHERE source = ANY(%s) AND source_ref = ANY(%s) AND source_ref IS NOT NULL"
)
_PG_PHONES = (
    f"SELECT number, customer_id FROM {CustomerPhone._meta.db_table} "  # noqa: S608
    "WHERE number = ANY(%s)"
)
_PG_PRODUCTS_OF_PHONES = (
    f"SELECT {', '.join(_PRODUCT_FIELDS)} FROM {CustomerProduct._meta.db_table} "  # noqa: S608
    f"WHERE customer_id IN (SELECT customer_id FROM {CustomerPhone._meta.db_table} "
    "WHERE number = ANY(%s))"
)
_PG_PRODUCTS = (
    f"SELECT {', '.join(_PRODUCT_FIELDS)} FROM {CustomerProduct._meta.db_table} "  # noqa: S608
    "WHERE customer_id = ANY(%s)"
)


def _known_refs(refs: set[tuple[str, str]]) -> list[tuple[str, str | None, str]]:
    sources, numbers = sorted({s for s, _ in refs}), sorted({r for _, r in refs})
    if connection.vendor == "postgresql":
        return pg_execute(_PG_REFS, [sources, numbers], prepare=len(numbers) < COPY_FROM)
    return list(
        Order.objects.filter(source__in=sources, source_ref__in=numbers).values_list(
            "source", "source_ref", "number"
        )
    )


def _phone_owners(phones: set[str]) -> list[tuple[str, int]]:
    if connection.vendor == "postgresql":
        return pg_execute(_PG_PHONES, [sorted(phones)], prepare=len(phones) < COPY_FROM)
    return list(
        CustomerPhone.objects.filter(number__in=phones).values_list("number", "customer_id")
    )


def _products_of(customers: set[int]) -> list[Row]:
    if not customers:
        return []
    if connection.vendor == "postgresql":
        rows = pg_execute(_PG_PRODUCTS, [sorted(customers)], prepare=len(customers) < COPY_FROM)
        return [dict(zip(_PRODUCT_FIELDS, r, strict=True)) for r in rows]
    return list(CustomerProduct.objects.filter(customer_id__in=customers).values(*_PRODUCT_FIELDS))


_QUERY = _Lookups(refs=_known_refs, owners=_phone_owners, products=_products_of)


class _Race(Exception):
    pass


def _product_key(cid: int, category: str, model: str, serial: str) -> tuple[int, str, str, str]:
    return (cid, "", "", serial) if serial else (cid, category, model, "")


def _order_row(ctx: _Context, p: Prepared, cid: int, pid: int, n: int) -> Row:
    d = p.data
    requested = d.requested_at or ctx.now
    facts = sla.SlaFacts(
        category=d.product.category,
        tier=p.tier,
        service_type=d.service_type.value,
        service_mode=d.service_mode.value,
        source=d.source,
    )
    hours, label = sla.standard_hours(ctx.rules, facts, ctx.policy)
    remarks_l = d.remarks.lower()
    return dict(
        number=format_number(n),
        source=d.source,
        source_ref=d.source_ref,
        outlet_id=p.outlet.pk,
        customer_id=cid,
        product_id=pid,
        contact_name=d.customer.name,
        contact_phones=p.phones,
        address=d.customer.address,
        region=d.customer.region or p.outlet.region,
        latitude=d.customer.latitude,
        longitude=d.customer.longitude,
        category=d.product.category,
        service_type=d.service_type.value,
        service_mode=d.service_mode.value,
        fault=d.fault,
        remarks=d.remarks,
        requested_at=requested,
        market_tier=p.tier,
        priority=d.priority.value,
        status=Status.RECEIVED.value,
        received_by_id=ctx.actor.pk if ctx.actor is not None else None,
        reassigned_flag=any(m in remarks_l for m in _marker_tuple()),
        sla_hours=hours,
        sla_rule=label,
        sla_due_at=sla.due_at(requested, hours),
        created_at=ctx.now,
        updated_at=ctx.now,
    )


def orders_receive(
    rows: Iterable[tuple[int, OrderIn | DomainError]],
    *,
    actor: User | None,
    now: datetime,
    batch_size: int = 2000,
    objects: bool = False,
) -> Iterator[BatchReport]:
    """Receive many orders; yields one report per written batch (streaming, flat memory).
    Reports carry the new orders' numbers, or the Order instances when `objects`."""
    ctx = _Context(actor, now, objects=objects)
    batch: list[Prepared] = []
    report = BatchReport()
    for line, item in rows:
        if isinstance(item, DomainError):
            report.errors.append((line, item))
            continue
        try:
            batch.append(ctx.prepare(line, item))
        except DomainError as e:
            report.errors.append((line, e))
        if len(batch) >= batch_size:
            _flush(ctx, batch, report)
            yield report
            batch, report = [], BatchReport()
    _flush(ctx, batch, report)
    yield report


def _flush(ctx: _Context, batch: list[Prepared], report: BatchReport) -> None:
    try:
        _write_batch(ctx, batch, report)
    except _Race:
        for p in batch:  # slow path, only after a race on a reference
            try:
                _write_batch(ctx, [p], report)
            except _Race:
                report.errors.append(
                    (
                        p.line,
                        DomainError(
                            "duplicate_source_ref",
                            "The reference was received meanwhile.",
                            status=409,
                            fields={"source_ref": "duplicate"},
                        ),
                    )
                )


def order_receive(*, actor: User | None, data: OrderIn, now: datetime) -> Order:
    """Receive one order (form or API). A known (source, reference) is refused (O-3)."""
    (report,) = list(orders_receive([(1, data)], actor=actor, now=now, objects=True))
    if report.errors:
        raise report.errors[0][1]
    if report.skipped:
        number = report.skipped[0][1]
        raise DomainError(
            "duplicate_source_ref",
            f"An order with source {data.source} and reference {data.source_ref} already "
            f"exists: {number}.",
            status=409,
            fields={"source_ref": "duplicate"},
            source=data.source,
            source_ref=data.source_ref,
            number=number,
        )
    return report.created[0]
