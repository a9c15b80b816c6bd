"""O-1/O-2/O-3: receiving orders — one from a form or the API, or many from a file.

Both paths run the same code: rows are validated one by one (bad rows are reported with
their reason), then a batch is written in one transaction with set-based lookups of
customers by phone, so a 100,000-row file costs a few queries per thousand rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, transaction

from aftersales.accounts.models import Outlet, User
from aftersales.core.models import ProductCategory, Source
from aftersales.core.policy import current_policy
from aftersales.core.sequences import reserve
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
    return [
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
    ]


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
    created: list[Order] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, existing number)
    errors: list[tuple[int, DomainError]] = field(default_factory=list)


class _Context:
    """Lookups that stay fixed during one command (codes, outlets, rules, policy)."""

    def __init__(self, actor: User | None, now: datetime) -> None:
        self.actor = actor
        self.now = now
        self.policy: Policy = current_policy()
        self.rules = sla_rules()
        self.categories = set(
            ProductCategory.objects.filter(active=True).values_list("code", flat=True)
        )
        self.sources = set(Source.objects.filter(active=True).values_list("code", flat=True))
        self.outlets = {o.code: o for o in Outlet.objects.all()}
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
    # Numbers are reserved in their own short transaction so concurrent intakes do not queue
    # behind a whole batch on the counter's row lock; skipped rows leave gaps, which is fine.
    reserved = reserve("order", len(rows))
    with transaction.atomic():
        refs = {(p.data.source, p.data.source_ref) for p in rows if p.data.source_ref is not None}
        existing: dict[tuple[str, str], str] = {}
        if refs:
            for src, ref, num in Order.objects.filter(
                source__in={s for s, _ in refs}, source_ref__in={r for _, r in refs}
            ).values_list("source", "source_ref", "number"):
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
        owner: dict[str, int] = dict(
            CustomerPhone.objects.filter(number__in=all_phones).values_list("number", "customer_id")
        )
        new_customers: list[Customer] = []
        row_customer: list[Customer | int] = []
        pending: dict[str, Customer] = {}
        for p in todo:
            cid = next((owner[ph] for ph in p.phones if ph in owner), None)
            if cid is not None:
                row_customer.append(cid)
                continue
            c = next((pending[ph] for ph in p.phones if ph in pending), None)
            if c is None:
                c = Customer(
                    name=p.data.customer.name,
                    address=p.data.customer.address,
                    region=p.data.customer.region,
                    latitude=p.data.customer.latitude,
                    longitude=p.data.customer.longitude,
                )
                new_customers.append(c)
            for ph in p.phones:
                pending.setdefault(ph, c)
            row_customer.append(c)
        Customer.objects.bulk_create(new_customers)
        cust_ids = [c if isinstance(c, int) else c.pk for c in row_customer]

        new_phones = []
        for p, cid in zip(todo, cust_ids, strict=True):
            for ph in p.phones:
                if ph not in owner:
                    owner[ph] = cid
                    new_phones.append(CustomerPhone(customer_id=cid, number=ph))
        CustomerPhone.objects.bulk_create(new_phones)

        # Products: the same serial (or, without serial, the same category+model) is reused.
        known: dict[tuple[int, str, str, str], int] = {}
        for pid, cid, cat, model, serial in CustomerProduct.objects.filter(
            customer_id__in=set(cust_ids)
        ).values_list("pk", "customer_id", "category", "model", "serial"):
            known[_product_key(cid, cat, model, serial)] = pid
        new_products: list[CustomerProduct] = []
        row_product: list[CustomerProduct | int] = []
        pending_products: dict[tuple[int, str, str, str], CustomerProduct] = {}
        for p, cid in zip(todo, cust_ids, strict=True):
            pr = p.data.product
            key = _product_key(cid, pr.category, pr.model, pr.serial)
            if key in known:
                row_product.append(known[key])
            elif key in pending_products:
                row_product.append(pending_products[key])
            else:
                obj = CustomerProduct(
                    customer_id=cid,
                    category=pr.category,
                    brand=pr.brand,
                    model=pr.model,
                    serial=pr.serial,
                    purchase_date=pr.purchase_date,
                )
                pending_products[key] = obj
                new_products.append(obj)
                row_product.append(obj)
        CustomerProduct.objects.bulk_create(new_products)

        numbers = iter(reserved)
        orders = [
            _build_order(ctx, p, cid, prod if isinstance(prod, int) else prod.pk, n)
            for p, cid, prod, n in zip(todo, cust_ids, row_product, numbers, strict=False)
        ]
        try:
            with transaction.atomic():
                Order.objects.bulk_create(orders)
        except IntegrityError:
            # A concurrent writer took a reference meanwhile: the caller retries row by row.
            raise _Race() from None
        OrderEvent.objects.bulk_create(
            OrderEvent(
                order_id=o.pk,
                at=ctx.now,
                actor=ctx.actor,
                action="receive",
                from_status="",
                to_status=Status.RECEIVED.value,
                data={
                    "source": o.source,
                    "source_ref": o.source_ref,
                    "sla_hours": o.sla_hours,
                    "sla_rule": o.sla_rule,
                },
            )
            for o in orders
        )
        report.created.extend(orders)


class _Race(Exception):
    pass


def _product_key(cid: int, category: str, model: str, serial: str) -> tuple[int, str, str, str]:
    return (cid, "", "", serial) if serial else (cid, category, model, "")


def _build_order(ctx: _Context, p: Prepared, cid: int, pid: int, n: int) -> Order:
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
    return Order(
        number=format_number(n),
        source=d.source,
        source_ref=d.source_ref,
        outlet=p.outlet,
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
        received_by=ctx.actor,
        reassigned_flag=any(m in remarks_l for m in _marker_tuple()),
        sla_hours=hours,
        sla_rule=label,
        sla_due_at=sla.due_at(requested, hours),
        created_at=ctx.now,
    )


def orders_receive(
    rows: Iterable[tuple[int, OrderIn | DomainError]],
    *,
    actor: User | None,
    now: datetime,
    batch_size: int = 2000,
) -> Iterator[BatchReport]:
    """Receive many orders; yields one report per written batch (streaming, flat memory)."""
    ctx = _Context(actor, now)
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
    (report,) = list(orders_receive([(1, data)], actor=actor, now=now))
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
