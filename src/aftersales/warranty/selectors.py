"""Reads other apps use: whether an order's product is in warranty (W-1), and this app's reads.

Parts (P-8 old-part returns, P-9 out-of-warranty ratio) and care (the customer file) call
`product_warranty` / `order_warranty`; the terms table, extended warranties and the order's
proof of purchase feed them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.refcache import ProcessCache
from aftersales.customers.models import CustomerProduct
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError
from aftersales.domain.warranty import (
    ChargeRule as Rule,
)
from aftersales.domain.warranty import (
    Coverage,
    PartBasis,
    Term,
    WarrantyVerdict,
    term_for,
    warranty_verdict,
)
from aftersales.orders.models import Order
from aftersales.orders.selectors import orders_for_user, sees_whole_network

from .models import (
    ChargeRule,
    Complaint,
    Currency,
    ExpenseClaim,
    ExtendedWarranty,
    ProofOfPurchase,
    Quote,
    ReturnRequest,
    WarrantyPolicy,
    WarrantyTerm,
)

# The SPEC's default term (W-1: one year) when the policy row is missing (flushed test DBs).
FALLBACK_TERM_MONTHS = 12


def policy() -> WarrantyPolicy:
    """The network's warranty settings, held per process like the other policies (read-only
    for callers; an admin's save drops it)."""
    return _policy.get()


_policy = ProcessCache(
    lambda: WarrantyPolicy.objects.order_by("pk").first() or WarrantyPolicy(),
    models=("warranty.WarrantyPolicy",),
)


def currency_decimals(code: str) -> int:
    row = Currency.objects.filter(code=code, active=True).first()
    if row is None:
        raise DomainError(
            "unknown_currency", f"Unknown currency {code!r}.", fields={"currency": "unknown"}
        )
    return int(row.decimals)


def _load_terms() -> tuple[list[Term], int]:
    row = WarrantyPolicy.objects.order_by("pk").first()
    default = row.default_term_months if row else FALLBACK_TERM_MONTHS
    return [Term(t.category, t.model, t.months) for t in WarrantyTerm.objects.all()], default


# The terms table is small and read for every verdict (cached per process: core.refcache).
_terms = ProcessCache(_load_terms, models=("warranty.WarrantyTerm", "warranty.WarrantyPolicy"))


def products_warranty(items: Iterable[tuple[CustomerProduct, date]]) -> list[WarrantyVerdict]:
    """Verdicts for many (product, day) pairs with two queries in all (proofs of purchase,
    extensions): lists and reports call this instead of one verdict per row."""
    pairs = list(items)
    pids = {p.pk for p, _ in pairs}
    proofs: dict[int, date] = {}
    for pid, bought in (
        ProofOfPurchase.objects.filter(product_id__in=pids)
        .order_by("product_id", "-recorded_at", "-pk")
        .values_list("product_id", "purchase_date")
    ):
        proofs.setdefault(pid, bought)
    extended: dict[int, date] = {}
    for pid, until in (
        ExtendedWarranty.objects.filter(product_id__in=pids)
        .order_by("product_id", "-until")
        .values_list("product_id", "until")
    ):
        extended.setdefault(pid, until)
    terms, default = _terms.get()
    out = []
    for product, on in pairs:
        months, basis = term_for(
            terms, category=product.category, model=product.model, default_months=default
        )
        out.append(
            warranty_verdict(
                purchase_date=proofs.get(product.pk, product.purchase_date),
                on=on,
                term_months=months,
                extended_until=extended.get(product.pk),
                term_basis=basis,
            )
        )
    return out


def product_warranty(product: CustomerProduct, on: date) -> WarrantyVerdict:
    return products_warranty([(product, on)])[0]


def order_warranty(order: Order, on: date | None = None) -> WarrantyVerdict:
    """The verdict on the day the order was received (or `on`)."""
    return product_warranty(order.product, on or timezone.localdate(order.requested_at))


def orders_warranty(orders: Iterable[Order]) -> dict[int, WarrantyVerdict]:
    """Each order's verdict on the day it was received (orders with their products loaded)."""
    rows = list(orders)
    # The network's calendar day of the request (a 07:00 Shanghai call is not yesterday's).
    verdicts = products_warranty((o.product, timezone.localdate(o.requested_at)) for o in rows)
    return {o.pk: v for o, v in zip(rows, verdicts, strict=True)}


def charge_rule(coverage: Coverage) -> Rule:
    row = ChargeRule.objects.filter(coverage=coverage.value).first()
    if row is None:  # the SPEC's table (W-2)
        defaults = {
            Coverage.IN_WARRANTY: Rule(
                coverage, PartBasis.FREE, Decimal(0), Decimal(0), False, False
            ),
            Coverage.MISUSE: Rule(coverage, PartBasis.COST, Decimal(0), Decimal(0), False, True),
            Coverage.OUT_OF_WARRANTY: Rule(
                coverage, PartBasis.LIST, Decimal(0), Decimal(0), True, True
            ),
        }
        return defaults[coverage]
    return Rule(
        coverage,
        PartBasis(row.parts),
        row.labour_fee,
        row.service_fee,
        row.travel_charged,
        row.quote_required,
    )


# --- Visibility --------------------------------------------------------------------------

STAFF = frozenset({Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
DECIDERS = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})


def is_decider(user: User) -> bool:
    return bool(user.role_set & DECIDERS)


def quotes_for_user(user: User) -> QuerySet[Quote]:
    return Quote.objects.filter(order__in=orders_for_user(user))


def returns_for_user(user: User) -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(order__in=orders_for_user(user))


def complaints_for_user(user: User) -> QuerySet[Complaint]:
    """Staff see their outlet's (the network for managers); a technician the ones about them."""
    if sees_whole_network(user):
        return Complaint.objects.all()
    q = Q(pk__in=[])
    if user.role_set & STAFF and user.outlet_id is not None:
        q |= Q(outlet_id=user.outlet_id)
    if Role.TECHNICIAN in user.role_set:
        q |= Q(person_id=user.pk)
    return Complaint.objects.filter(q)


def people_for_user(user: User) -> QuerySet[User]:
    """Whose scorecards, penalties and expenses the user sees: managers all, supervisors and
    clerks their outlet, a technician only themself."""
    if sees_whole_network(user):
        return User.objects.all()
    if user.role_set & DECIDERS and user.outlet_id is not None:
        return User.objects.filter(Q(outlet_id=user.outlet_id) | Q(pk=user.pk))
    return User.objects.filter(pk=user.pk)


def expenses_for_user(user: User) -> QuerySet[ExpenseClaim]:
    return ExpenseClaim.objects.filter(person__in=people_for_user(user))
