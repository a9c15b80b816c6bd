"""S-1 rules with amounts and S-2 the technician's "personal passbook" (个人存折): what a month
of jobs adds up to. O-15 "six timely" rates from an order's timestamps. Pure: the targets,
the rule amounts and the commission tiers are passed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .errors import DomainError


@dataclass(frozen=True, slots=True)
class RuleAmount:
    code: str
    kind: str  # penalty | reward
    amount: Decimal  # the default
    min_amount: Decimal
    max_amount: Decimal
    points: int


def entry_amount(rule: RuleAmount, amount: Decimal | None) -> Decimal:
    """S-1: the rule's amount, or one inside its range (complaint at fault: 100–1,000)."""
    if amount is None:
        return rule.amount
    if amount < 0:
        raise DomainError(
            "negative_amount", "Amounts cannot be negative.", fields={"amount": "negative"}
        )
    if not rule.min_amount <= amount <= rule.max_amount:
        raise DomainError(
            "amount_out_of_range",
            f"The rule {rule.code} allows {rule.min_amount}–{rule.max_amount}.",
            fields={"amount": f"{rule.min_amount}–{rule.max_amount}"},
        )
    return amount


def require_evidence(evidence: str) -> str:
    text = (evidence or "").strip()
    if not text:
        raise DomainError(
            "evidence_required",
            "Every penalty or reward needs its evidence.",
            fields={"evidence": "required"},
        )
    return text


def is_late(
    *,
    arrived_at: datetime | None,
    window_start: datetime | None,
    window_end: datetime | None,
    basis: str,
) -> bool:
    """Late arrival: after the window's end (basis "end") or its start (basis "start", O-11)."""
    if arrived_at is None or window_start is None or window_end is None:
        return False
    limit = window_end if basis == "end" else window_start
    return arrived_at > limit


def month_bounds(month: str) -> tuple[date, date]:
    """ "2026-12" → (1 Dec, 1 Jan): the first day and the first day after."""
    try:
        y, m = (int(x) for x in month.split("-"))
        first = date(y, m, 1)
    except (ValueError, TypeError):
        raise DomainError(
            "validation", "A month is YYYY-MM.", fields={"month": "YYYY-MM"}
        ) from None
    if len(month) != 7:
        raise DomainError("validation", "A month is YYYY-MM.", fields={"month": "YYYY-MM"})
    nxt = date(y + (m == 12), 1 if m == 12 else m + 1, 1)
    return first, nxt


@dataclass(frozen=True, slots=True)
class Targets:
    """O-15 targets, per order."""

    accept_minutes: int = 30  # received → assigned
    contact_hours: int = 2  # assigned → first contact
    late_basis: str = "end"  # arrival late after the window's end (or start)
    leftover_hours: int = 72  # received → completed: no leftover past the backlog line
    parts_requested_late_counts: bool = True


@dataclass(frozen=True, slots=True)
class Job:
    """One completed order of the technician, as the scorecard reads it."""

    created_at: datetime
    assigned_at: datetime | None
    first_contact_at: datetime | None
    window_start: datetime | None
    window_end: datetime | None
    arrived_at: datetime | None
    parts_requested: bool
    parts_late: bool
    completed_at: datetime
    closed: bool
    within_sla: bool | None
    repeat: bool
    revisit_satisfied: bool | None
    report_complete: bool | None


@dataclass(frozen=True, slots=True)
class Tier:
    """Commission by speed: a job done within `max_hours` (assigned → completed) earns
    `amount`; None = any slower job."""

    max_hours: int | None
    amount: Decimal


def commission(hours: Decimal, tiers: Sequence[Tier]) -> Decimal:
    ordered = sorted(tiers, key=lambda t: (t.max_hours is None, t.max_hours or 0))
    for t in ordered:
        if t.max_hours is None or hours <= t.max_hours:
            return t.amount
    return Decimal(0)


def rate(hits: int, total: int) -> Decimal | None:
    if total == 0:
        return None
    return (Decimal(100) * hits / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Card:
    jobs: int
    on_time_rate: Decimal | None
    timely: dict[str, Decimal | None]  # accept, contact, arrive, parts, leftovers, close
    within_sla_rate: Decimal | None
    repeat_repairs: int
    repeat_rate: Decimal | None
    satisfaction: Decimal | None
    incomplete_reports: int
    average_hours: Decimal | None
    commission: Decimal

    def as_dict(self) -> dict[str, object]:
        def s(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        return {
            "jobs": self.jobs,
            "on_time_rate": s(self.on_time_rate),
            "timely": {k: s(v) for k, v in self.timely.items()},
            "within_sla_rate": s(self.within_sla_rate),
            "repeat_repairs": self.repeat_repairs,
            "repeat_rate": s(self.repeat_rate),
            "satisfaction": s(self.satisfaction),
            "incomplete_reports": self.incomplete_reports,
            "average_hours": s(self.average_hours),
            "commission": str(self.commission),
        }


def scorecard(jobs: Sequence[Job], *, targets: Targets, tiers: Sequence[Tier]) -> Card:
    """S-2 and O-15: the month's figures from its completed jobs."""
    n = len(jobs)
    accept = [j for j in jobs if j.assigned_at is not None]
    contact = [j for j in jobs if j.assigned_at and j.first_contact_at]
    arrive = [j for j in jobs if j.arrived_at and j.window_start and j.window_end]
    parts = [j for j in jobs if j.parts_requested]
    closed = [j for j in jobs if j.closed and j.within_sla is not None]
    revisited = [j for j in jobs if j.revisit_satisfied is not None]
    on_time = sum(
        1
        for j in arrive
        if not is_late(
            arrived_at=j.arrived_at,
            window_start=j.window_start,
            window_end=j.window_end,
            basis=targets.late_basis,
        )
    )
    timely = {
        "accept": rate(
            sum(
                1
                for j in accept
                if j.assigned_at is not None
                and j.assigned_at - j.created_at <= timedelta(minutes=targets.accept_minutes)
            ),
            len(accept),
        ),
        "contact": rate(
            sum(
                1
                for j in contact
                if j.first_contact_at is not None
                and j.assigned_at is not None
                and j.first_contact_at - j.assigned_at <= timedelta(hours=targets.contact_hours)
            ),
            len(contact),
        ),
        "arrive": rate(on_time, len(arrive)),
        "parts": rate(sum(1 for j in parts if not j.parts_late), len(parts)),
        "leftovers": rate(
            sum(
                1
                for j in jobs
                if j.completed_at - j.created_at <= timedelta(hours=targets.leftover_hours)
            ),
            n,
        ),
        "close": rate(sum(1 for j in closed if j.within_sla), len(closed)),
    }
    # Exact hours for the tiers (a job of 24 h 0 min 10 s is over 24 h), rounded for the mean.
    hours = [
        Decimal((j.completed_at - (j.assigned_at or j.created_at)).total_seconds()) / 3600
        for j in jobs
    ]
    repeats = sum(1 for j in jobs if j.repeat)
    return Card(
        jobs=n,
        on_time_rate=rate(on_time, len(arrive)),
        timely=timely,
        within_sla_rate=timely["close"],
        repeat_repairs=repeats,
        repeat_rate=rate(repeats, n),
        satisfaction=rate(sum(1 for j in revisited if j.revisit_satisfied), len(revisited)),
        incomplete_reports=sum(1 for j in jobs if j.report_complete is False),
        average_hours=(sum(hours, Decimal(0)) / n).quantize(Decimal("0.01")) if n else None,
        commission=sum((commission(h, tiers) for h in hours), Decimal(0)),
    )


def earnings(*, commission_total: Decimal, rewards: Decimal, penalties: Decimal) -> Decimal:
    return commission_total + rewards - penalties
