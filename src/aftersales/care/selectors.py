"""Reads of care. Every customer read goes through `customers_for_user`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from aftersales.accounts.models import User
from aftersales.customers.models import Customer, CustomerPhone
from aftersales.domain import care as rules
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError
from aftersales.orders.models import Order
from aftersales.orders.selectors import sees_personal_data, sees_whole_network

from .models import Contact, MileageReading, Substitution, Task

_OUTLET_WIDE = {Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.PARTS_KEEPER}
# Roles that work with customers (call, write, keep files); a tracker always may.
CARE_ROLES = {Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
PLANNERS = {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}


def customer_visibility_q(user: User) -> Q | None:
    """None = every customer. Otherwise the customers the user tracks, those with an order
    at the user's outlet, and (technicians) those with an order assigned to them."""
    if sees_whole_network(user):
        return None
    roles = user.role_set
    q = Q(tracker_id=user.pk)
    if roles & _OUTLET_WIDE and user.outlet_id is not None:
        q |= Q(Exists(Order.objects.filter(customer_id=OuterRef("pk"), outlet_id=user.outlet_id)))
    if Role.TECHNICIAN in roles:
        q |= Q(Exists(Order.objects.filter(customer_id=OuterRef("pk"), assignee_id=user.pk)))
    return q


def customers_for_user(user: User) -> QuerySet[Customer]:
    q = customer_visibility_q(user)
    qs = Customer.objects.all()
    return qs if q is None else qs.filter(q)


def customer_get_for_user(user: User, pk: int | str, *, for_update: bool = False) -> Customer:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = -1
    qs = customers_for_user(user)
    if for_update:
        # Lock only the customer row (the visibility subqueries stay unlocked).
        visible = qs.filter(pk=key).exists()
        found = Customer.objects.select_for_update().filter(pk=key).first() if visible else None
    else:
        found = qs.filter(pk=key).first()
    if found is None:
        raise DomainError("not_found", f"No customer {pk}.", status=404, customer=str(pk))
    return found


def may_care(user: User, customer: Customer) -> bool:
    return bool(user.role_set & CARE_ROLES) or customer.tracker_id == user.pk


def sees_contact_of(user: User, tracker_id: int | None) -> bool:
    """A customer's phones and addresses, unmasked: the roles that need them, and the
    customer's own tracker (pages, API, lists and exports all ask this)."""
    return sees_personal_data(user) or tracker_id == user.pk


def sees_customer_data(user: User, customer: Customer) -> bool:
    return sees_contact_of(user, customer.tracker_id)


def require_care(user: User, customer: Customer) -> None:
    if not may_care(user, customer):
        raise DomainError("forbidden", "Your role does not keep customer contacts.", status=403)


def require_planner(user: User) -> None:
    if not user.role_set & PLANNERS:
        raise DomainError("forbidden", "Only a supervisor or manager may do this.", status=403)


def acting_for(user_id: int, today: date) -> tuple[list[int], bool]:
    """C-6: whose tasks a user works today: themself unless someone substitutes for them,
    plus every tracker they substitute for today."""
    subs = Substitution.objects.filter(start__lte=today, end__gte=today).filter(
        Q(tracker_id=user_id) | Q(substitute_id=user_id)
    )
    away = False
    covering: list[int] = []
    for tracker_id, substitute_id in subs.values_list("tracker_id", "substitute_id"):
        if tracker_id == user_id:
            away = True
        if substitute_id == user_id:
            covering.append(tracker_id)
    return ([] if away else [user_id]) + covering, away


@dataclass(frozen=True)
class DayRow:
    task_id: int
    kind: str
    due_on: date
    deadline: date | None
    overdue: bool
    customer_id: int
    customer_name: str
    phone: str
    care_class: str
    order_number: str | None
    event_title: str | None
    request_question: str | None
    for_tracker: str | None
    # C-2 why a maintenance reminder is due: "date" or "distance" ("" for other kinds).
    basis: str = ""


def my_day(
    user: User, *, today: date, limit: int | None = 200, kinds: list[str] | None = None
) -> list[DayRow]:
    """Every open task due today or earlier for the user (and whom they cover), oldest first.

    One query: the partial index (assignee, due_on, id) WHERE open gives the rows in the
    list's order, so PostgreSQL reads only the first `limit` of them; the phone is one
    index lookup per row inside that query; masking happens here in Python."""
    assignees, _away = acting_for(user.pk, today)
    qs = Task.objects.filter(open=True, assignee_id__in=assignees, due_on__lte=today)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    first_phone = (
        CustomerPhone.objects.filter(customer_id=OuterRef("customer_id"))
        .order_by("pk")
        .values("number")[:1]
    )
    rows = list(
        qs.annotate(phone=Subquery(first_phone))
        .order_by("due_on", "pk")
        .values_list(
            "pk",
            "kind",
            "due_on",
            "deadline",
            "assignee_id",
            "assignee__username",
            "customer_id",
            "customer__name",
            "customer__care_class",
            "customer__tracker_id",
            "order__number",
            "event__title",
            "request__question",
            "basis",
            "phone",
        )[:limit]
    )
    from aftersales.domain.phones import mask_phone

    out = []
    for pk, kind, due, deadline, aid, aname, cid, cname, ccls, ctracker, num, ev, q, b, ph in rows:
        phone = ph or ""
        # The task's assignee (a substitute, say) calls the customer: they see the number.
        if phone and not (sees_contact_of(user, ctracker) or aid == user.pk):
            phone = mask_phone(phone)
        out.append(
            DayRow(
                task_id=pk,
                kind=kind,
                due_on=due,
                deadline=deadline,
                overdue=rules.overdue(deadline or due, today),
                customer_id=cid,
                customer_name=cname,
                phone=phone,
                care_class=ccls,
                order_number=num,
                event_title=ev,
                request_question=q,
                for_tracker=aname if aid != user.pk else None,
                basis=b,
            )
        )
    return out


def contact_list(
    user: User,
    *,
    customer: int | None = None,
    channel: list[str] | None = None,
    purpose: list[str] | None = None,
    actor: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    letters: bool | None = None,
) -> QuerySet[Contact]:
    qs = Contact.objects.select_related("customer", "actor", "order", "event")
    q = customer_visibility_q(user)
    if q is not None:
        qs = qs.filter(customer__in=customers_for_user(user).values("pk"))
    if customer is not None:
        qs = qs.filter(customer_id=customer)
    if channel:
        qs = qs.filter(channel__in=channel)
    if purpose:
        qs = qs.filter(purpose__in=purpose)
    if letters is True:
        qs = qs.filter(channel__in=[c.value for c in rules.LETTER_CHANNELS])
    elif letters is False:
        qs = qs.exclude(channel__in=[c.value for c in rules.LETTER_CHANNELS])
    if actor:
        qs = qs.filter(actor__username=actor)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-pk")


def files_due(user: User, *, today: date) -> dict[str, dict[str, int]]:
    """C-1 per tracker: customer files still missing (due, not late) and late ones."""
    qs = Task.objects.filter(open=True, kind=rules.TaskKind.FILE)
    if not sees_whole_network(user):
        qs = qs.filter(customer__in=customers_for_user(user).values("pk"))
    out: dict[str, dict[str, int]] = {}
    rows = qs.values("assignee__username").annotate(
        late=Count("pk", filter=Q(deadline__lt=today)),
        missing=Count("pk", filter=Q(deadline__gte=today)),
    )
    for r in rows:
        out[r["assignee__username"] or "—"] = {"missing": r["missing"], "late": r["late"]}
    return out


def followups_due(*, tracker: User | None, today: date) -> QuerySet[Task]:
    qs = Task.objects.filter(
        open=True,
        kind__in=[rules.TaskKind.FOLLOWUP_1, rules.TaskKind.FOLLOWUP_2],
        due_on__lte=today,
    ).select_related("customer", "order", "assignee")
    if tracker is not None:
        assignees, _ = acting_for(tracker.pk, today)
        qs = qs.filter(assignee_id__in=assignees)
    return qs.order_by("due_on", "pk")


def overdue_class_contacts(user: User, *, today: date) -> QuerySet[Task]:
    qs = Task.objects.filter(
        open=True, kind=rules.TaskKind.CLASS_CONTACT, due_on__lt=today
    ).select_related("customer")
    if not sees_whole_network(user):
        qs = qs.filter(customer__in=customers_for_user(user).values("pk"))
    return qs.order_by("due_on", "pk")


def spend_currency() -> str:
    """C-8 spend is summed in the network's default currency (the warranty policy's)."""
    from aftersales.warranty.selectors import policy as warranty_policy

    return warranty_policy().currency


def spend_subquery(since: date, currency: str) -> Subquery:
    """C-8 a customer's spend in the period: the totals of the quotes the customer accepted
    (warranty app, W-2) on their orders completed since `since`, in `currency` only (no
    exchange rates are kept: quotes in another currency are not added)."""
    from aftersales.warranty.models import Quote

    return Subquery(
        Quote.objects.filter(
            order__customer_id=OuterRef("pk"),
            order__completed_at__date__gte=since,
            status="accepted",
            currency=currency,
        )
        .order_by()
        .values("order__customer_id")
        .annotate(s=Sum("total"))
        .values("s")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def loyal_customers(
    user: User, *, policy: rules.CarePolicy, today: date, limit: int | None = 500
) -> list[dict[str, Any]]:
    """C-8 loyal: completed visits within the period and spend (accepted quotes) within the
    period at least the policy's minimums (`domain.care.is_loyal`)."""
    since = today - timedelta(days=policy.loyal_period_days)
    currency = spend_currency()
    qs = (
        customers_for_user(user)
        .annotate(
            visits=Count(
                "orders",
                filter=Q(orders__completed_at__date__gte=since, orders__completed_at__isnull=False),
            )
        )
        .filter(visits__gte=policy.loyal_min_visits)
        .annotate(spend=Coalesce(spend_subquery(since, currency), Value(Decimal("0"))))
        .order_by("-visits", "-spend", "pk")
    )
    out: list[dict[str, Any]] = []
    for c in qs.iterator(chunk_size=500):
        if not rules.is_loyal(policy, c.visits, c.spend):
            continue
        out.append(
            {
                "customer": c.pk,
                "name": c.name,
                "visits": c.visits,
                "spend": c.spend,
                "currency": currency,
                "care_class": c.care_class,
            }
        )
        if limit is not None and len(out) >= limit:
            break
    return out


def lost_customers(user: User, *, policy: rules.CarePolicy, today: date) -> QuerySet[Customer]:
    """C-8 lost: a product's maintenance was due `lost_after_days` ago and nothing since."""
    cutoff = today - timedelta(days=policy.lost_after_days)
    return (
        customers_for_user(user)
        .filter(products__next_maintenance_due__lte=cutoff, erased_at__isnull=True)
        .distinct()
        .order_by("pk")
    )


def loss_causes(user: User, *, since: datetime | None = None) -> dict[str, int]:
    qs = contact_list(user, purpose=[rules.Purpose.LOSS.value]).exclude(loss_cause="")
    if since:
        qs = qs.filter(at__gte=since)
    out: dict[str, int] = {}
    for r in qs.order_by().values("loss_cause").annotate(n=Count("pk")):
        out[r["loss_cause"]] = r["n"]
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def open_requests(user: User, *, now: datetime) -> list[dict[str, Any]]:
    """C-3 open customer requests, the ones past their report deadline first: what the
    manager is told about."""
    from .models import CustomerRequest

    qs = CustomerRequest.objects.filter(solved_at__isnull=True).select_related(
        "customer", "order", "opened_by"
    )
    if not sees_whole_network(user):
        qs = qs.filter(customer__in=customers_for_user(user).values("pk"))
    return [
        {
            "id": r.pk,
            "customer": r.customer_id,
            "name": r.customer.name,
            "order": r.order.number if r.order else None,
            "question": r.question,
            "opened_at": r.opened_at,
            "opened_by": r.opened_by.username if r.opened_by else None,
            "report_due_at": r.report_due_at,
            "reported_at": r.reported_at,
            "report": r.report,
            "late": r.reported_at is None and r.report_due_at < now,
        }
        for r in qs.order_by("report_due_at", "pk")[:500]
    ]


def readings_for_user(user: User, product_id: int | str) -> list[MileageReading]:
    """C-2 a visible product's mileage readings, newest first (404 for another's)."""
    try:
        pid = int(product_id)
    except (TypeError, ValueError):
        pid = -1
    from aftersales.customers.models import CustomerProduct

    if not CustomerProduct.objects.filter(
        pk=pid, customer__in=customers_for_user(user).values("pk")
    ).exists():
        raise DomainError("not_found", f"No product {product_id}.", status=404)
    return list(MileageReading.objects.filter(product_id=pid).order_by("-read_on", "-pk")[:200])
