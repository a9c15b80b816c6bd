"""K-2 indicator definitions: one documented function per figure, each naming the orders it
counts (`base`) and those that meet it (`hit`) as Q objects over `orders.Order`.

The same two Q objects feed the conditional aggregates (`Count("pk", filter=base & hit)`)
and the drill-down list (`orders.filter(base & hit)`), so the list behind a figure is exactly
the orders it counted. Every condition reads a field that the order rules themselves set
(`within_sla` and `assessed_hours` at close by O-9/O-10, `repeat_of` at completion by R-2,
`revisit_satisfied` by R-3, `multiple_contacts` by O-11, the O-15 timestamps); the six
timely conditions are those of the technician scorecard (`warranty.people.cards_sql`, held
equal to the pure `domain.warranty_scores.scorecard` by tests on both sides).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from aftersales.domain.codes import OPEN_STATUSES
from aftersales.domain.results import ResultKind
from aftersales.domain.warranty_scores import Targets
from aftersales.orders.models import OrderPart

OPEN = [s.value for s in OPEN_STATUSES]
# Intermediate results that mean the first visit did not fix the unit.
NOT_FIXED_FIRST = [
    ResultKind.WAITING_PARTS.value,
    ResultKind.CARRIED_IN.value,
    ResultKind.UNIT_NORMAL_NOT_ACCEPTED.value,
    ResultKind.RETURN_PENDING.value,
    ResultKind.DECLINED_CHARGE.value,
]


@dataclass(frozen=True)
class Ctx:
    """What the conditions depend on: the period [start, end), the moment, the O-15 targets
    (warranty policy) and the O-12 backlog lines (network policy)."""

    start: datetime
    end: datetime
    now: datetime
    timely: Targets
    backlog_hours: tuple[int, ...]


@dataclass(frozen=True)
class Counted:
    base: Q
    hit: Q | None = None  # None: a count or a mean, not a rate
    value: Any = None  # a mean's summed expression


@dataclass(frozen=True)
class Definition:
    id: str
    rule: str
    label: Any
    formula: Any
    unit: str  # "%", "h", "n", "n/day", "money"
    kind: str  # rate | mean | count | per_day | money
    build: Callable[[Ctx], Counted] | None = None
    groups: tuple[str, ...] = field(default=("outlet", "technician"))


def _in(col: str, c: Ctx) -> Q:
    return Q(**{f"{col}__gte": c.start, f"{col}__lt": c.end})


def parts_late() -> Case:
    """True when one of the order's part requests came after the cut-off (O-13); evaluated
    only for orders that requested parts."""
    late = OrderPart.objects.filter(order=OuterRef("pk"), requested_late=True)
    return Case(
        When(parts_requested_at__isnull=False, then=Exists(late)),
        default=Value(False),
        output_field=BooleanField(),
    )


# --- Indicators over orders -------------------------------------------------------------------


def sla_compliance(c: Ctx) -> Counted:
    """O-9/O-10 SLA compliance = orders closed in the period within their standard closing
    time (assessed time, parts transit excluded) / orders closed in the period with an
    assessed time × 100."""
    return Counted(_in("closed_at", c) & Q(within_sla__isnull=False), Q(within_sla=True))


def assessed_hours(c: Ctx) -> Counted:
    """O-10 average assessed closing time = Σ assessed hours / orders closed in the period
    with an assessed time."""
    return Counted(_in("closed_at", c) & Q(assessed_hours__isnull=False), value=F("assessed_hours"))


def _completed(c: Ctx) -> Q:
    return _in("completed_at", c)


def timely_accept(c: Ctx) -> Counted:
    """O-15 accept in time = completed orders assigned within the accept target of receipt /
    completed orders that were assigned × 100."""
    return Counted(
        _completed(c) & Q(assigned_at__isnull=False),
        Q(assigned_at__lte=F("created_at") + timedelta(minutes=c.timely.accept_minutes)),
    )


def timely_contact(c: Ctx) -> Counted:
    """O-15 contact in time = completed orders whose first contact came within the contact
    target of the assignment / completed orders assigned and contacted × 100."""
    return Counted(
        _completed(c) & Q(assigned_at__isnull=False, first_contact_at__isnull=False),
        Q(first_contact_at__lte=F("assigned_at") + timedelta(hours=c.timely.contact_hours)),
    )


def timely_arrive(c: Ctx) -> Counted:
    """O-15 arrive in time = completed orders with a window and an arrival not late (by the
    window's end, or start, per the policy's late basis) / such orders × 100."""
    late = "appointment_end" if c.timely.late_basis == "end" else "appointment_start"
    return Counted(
        _completed(c)
        & Q(
            arrived_at__isnull=False,
            appointment_start__isnull=False,
            appointment_end__isnull=False,
        ),
        Q(arrived_at__lte=F(late)),
    )


def timely_parts(c: Ctx) -> Counted:
    """O-15 parts requested in time = completed orders that requested parts, none after the
    day's cut-off (O-13) / completed orders that requested parts × 100."""
    return Counted(_completed(c) & Q(parts_requested_at__isnull=False), Q(parts_late=False))


def timely_leftovers(c: Ctx) -> Counted:
    """O-15 leftovers cleared = completed orders completed within the leftover target of
    receipt / completed orders × 100."""
    return Counted(
        _completed(c),
        Q(completed_at__lte=F("created_at") + timedelta(hours=c.timely.leftover_hours)),
    )


def timely_close(c: Ctx) -> Counted:
    """O-15 close in time = completed orders closed within the SLA / completed orders that
    are closed with an SLA verdict × 100."""
    return Counted(
        _completed(c) & Q(closed_at__isnull=False, within_sla__isnull=False), Q(within_sla=True)
    )


def multiple_contacts(c: Ctx) -> Counted:
    """O-11 multiple-contact rate = orders received in the period with at least one repeat
    call that counts (a cause found) / orders received in the period × 100."""
    return Counted(_in("created_at", c), Q(multiple_contacts__gt=0))


def repeat_repair(c: Ctx) -> Counted:
    """R-2 repeat-repair rate = orders completed in the period that repeat an earlier repair
    of the same fault on the same product within the policy's days / orders completed × 100."""
    return Counted(_completed(c), Q(repeat_of__isnull=False))


def csi(c: Ctx) -> Counted:
    """R-3 CSI = revisits in the period that found the customer satisfied / revisits in the
    period × 100."""
    return Counted(
        _in("revisited_at", c) & Q(revisit_satisfied__isnull=False), Q(revisit_satisfied=True)
    )


def first_time_fix(c: Ctx) -> Counted:
    """First-time fix = orders completed in the period without a part request and whose last
    intermediate result was not one that needs another visit (waiting for parts, carried in,
    unit normal not accepted, return pending, charge declined) / orders completed × 100."""
    return Counted(
        _completed(c),
        Q(parts_requested_at__isnull=True) & ~Q(last_result_kind__in=NOT_FIXED_FIRST),
    )


def orders_received(c: Ctx) -> Counted:
    """Orders received = orders received (created) in the period."""
    return Counted(_in("created_at", c))


def orders_per_day(c: Ctx) -> Counted:
    """Orders per day = orders received in the period / days of the period elapsed so far."""
    return Counted(_in("created_at", c))


def _backlog(c: Ctx, i: int) -> Counted:
    hours = c.backlog_hours[i] if len(c.backlog_hours) > i else c.backlog_hours[-1]
    return Counted(Q(status__in=OPEN, created_at__lt=c.now - timedelta(hours=hours)))


def backlog_2d(c: Ctx) -> Counted:
    """O-12 backlog over the first line (2 days) = open orders received more than that long
    ago, now (a snapshot: the period does not apply)."""
    return _backlog(c, 0)


def backlog_3d(c: Ctx) -> Counted:
    """O-12 backlog over the second line (3 days) = open orders received more than that long
    ago, now (a snapshot: the period does not apply)."""
    return _backlog(c, 1)


D = Definition
ORDER_DEFS: tuple[Definition, ...] = (
    D("sla_compliance", "O-9/O-10", _("SLA compliance"), sla_compliance.__doc__, "%", "rate", sla_compliance),
    D("assessed_hours", "O-10", _("Average assessed closing time"), assessed_hours.__doc__, "h", "mean", assessed_hours),
    D("timely_accept", "O-15", _("Accepted in time"), timely_accept.__doc__, "%", "rate", timely_accept),
    D("timely_contact", "O-15", _("Contacted in time"), timely_contact.__doc__, "%", "rate", timely_contact),
    D("timely_arrive", "O-15", _("Arrived in time"), timely_arrive.__doc__, "%", "rate", timely_arrive),
    D("timely_parts", "O-15", _("Parts requested in time"), timely_parts.__doc__, "%", "rate", timely_parts),
    D("timely_leftovers", "O-15", _("Leftovers cleared in time"), timely_leftovers.__doc__, "%", "rate", timely_leftovers),
    D("timely_close", "O-15", _("Closed in time"), timely_close.__doc__, "%", "rate", timely_close),
    D("multiple_contacts", "O-11", _("Multiple-contact rate"), multiple_contacts.__doc__, "%", "rate", multiple_contacts),
    D("repeat_repair", "R-2", _("Repeat-repair rate"), repeat_repair.__doc__, "%", "rate", repeat_repair),
    D("csi", "R-3", _("Customer satisfaction (CSI)"), csi.__doc__, "%", "rate", csi),
    D("first_time_fix", "K-2", _("First-time fix"), first_time_fix.__doc__, "%", "rate", first_time_fix),
    D("orders_received", "K-2", _("Orders received"), orders_received.__doc__, "n", "count", orders_received),
    D("orders_per_day", "K-2", _("Orders per day"), orders_per_day.__doc__, "n/day", "per_day", orders_per_day),
    D("backlog_2d", "O-12", _("Backlog over 2 days"), backlog_2d.__doc__, "n", "count", backlog_2d),
    D("backlog_3d", "O-12", _("Backlog over 3 days"), backlog_3d.__doc__, "n", "count", backlog_3d),
)  # fmt: skip

# Money and parts figures: computed in `selectors` from quotes, old-part returns, the parts
# account and stock issues; their formulas are documented here with the others.
MONEY_DEFS: tuple[Definition, ...] = (
    D(
        "revenue_labour",
        "K-2",
        _("Revenue: labour"),
        _("Σ labour and travel lines of quotes the customer accepted in the period."),
        "money",
        "money",
    ),
    D(
        "revenue_parts",
        "K-2",
        _("Revenue: parts"),
        _("Σ part lines of quotes the customer accepted in the period."),
        "money",
        "money",
    ),
    D(
        "revenue_insurance",
        "K-2",
        _("Revenue: insurance claims"),
        _("Insurance claims (4S shops): not recorded by this network, so no data."),
        "money",
        "money",
    ),
    D(
        "value_per_order",
        "K-2",
        _("Average value per order"),
        _("Σ accepted quote lines in the period / orders completed in the period."),
        "money",
        "money",
    ),
    D(
        "warranty_claims",
        "P-8/K-2",
        _("Warranty claims"),
        _("Σ value of in-warranty replaced parts due back (P-8) on orders closed in the period."),
        "money",
        "money",
    ),
    D(
        "parts_purchases",
        "P-7/K-2",
        _("Parts purchases"),
        _("Σ parts-account purchases of the outlets in the period (outlet and region filters)."),
        "money",
        "money",
        groups=("outlet",),
    ),
    D(
        "oow_parts_ratio",
        "P-9",
        _("Out-of-warranty parts ratio"),
        _(
            "Value of parts issued in the period on out-of-warranty orders (W-1 verdict) / "
            "value of all parts issued on orders in the period × 100."
        ),
        "%",
        "rate",
    ),
)

# The timestamp whose period each order figure counts (one grouped query per column, each
# served by its covering index, migration 0002); the backlog is a snapshot of open orders.
PERIOD_COLUMN: dict[str, str] = {
    "sla_compliance": "closed_at",
    "assessed_hours": "closed_at",
    "timely_accept": "completed_at",
    "timely_contact": "completed_at",
    "timely_arrive": "completed_at",
    "timely_parts": "completed_at",
    "timely_leftovers": "completed_at",
    "timely_close": "completed_at",
    "multiple_contacts": "created_at",
    "repeat_repair": "completed_at",
    "csi": "revisited_at",
    "first_time_fix": "completed_at",
    "orders_received": "created_at",
    "orders_per_day": "created_at",
    "backlog_2d": "",
    "backlog_3d": "",
}

DEFS: dict[str, Definition] = {d.id: d for d in (*ORDER_DEFS, *MONEY_DEFS)}
ORDER_IDS = tuple(d.id for d in ORDER_DEFS)


def annotate(qs: Any, ids: tuple[str, ...] = ORDER_IDS) -> Any:
    """Add what the conditions read that is not a column (the late part flag)."""
    if "timely_parts" in ids:
        qs = qs.annotate(parts_late=parts_late())
    return qs


def orders_behind(qs: Any, kpi: str, part: str, c: Ctx) -> Any:
    """Drill-down: the orders a figure counted (`all`), met it (`hit`) or missed it (`miss`)."""
    d = DEFS[kpi]
    assert d.build is not None
    spec = d.build(c)
    qs = annotate(qs, (kpi,)).filter(spec.base)
    if spec.hit is not None and part == "hit":
        qs = qs.filter(spec.hit)
    elif spec.hit is not None and part == "miss":
        qs = qs.exclude(spec.hit)
    return qs
