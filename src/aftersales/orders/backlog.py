"""O-12: the morning meeting's backlog rows, shared by the page, the API, XLSX and the CLI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from aftersales.accounts.models import User
from aftersales.core.policy import current_policy
from aftersales.domain.backlog import age_bucket, escalation_due

from .models import Order
from .selectors import backlog


@dataclass(frozen=True)
class BacklogRow:
    number: str
    status: str
    outlet: str
    responsible: str | None
    contact_name: str
    category: str
    age_hours: float
    bucket: int | None
    escalation_level: int
    escalation_overdue: bool
    sla_due_at: datetime
    created_at: datetime


# Only what a row shows: building full orders is most of the cost at 50,000 rows.
_FIELDS = (
    "number",
    "status",
    "contact_name",
    "category",
    "created_at",
    "escalation_level",
    "escalated_at",
    "sla_due_at",
    "outlet__code",
    "assignee__username",
    "received_by__username",
)


def responsible_of(order: Order) -> User | None:
    return order.assignee or order.received_by


def backlog_rows(user: User, *, older_than_hours: int, now: datetime) -> Iterator[BacklogRow]:
    policy = current_policy()
    rows = backlog(user, older_than_hours=older_than_hours, now=now).only(*_FIELDS)
    for o in rows.iterator(chunk_size=2000):
        person = responsible_of(o)
        yield BacklogRow(
            number=o.number,
            status=o.status,
            outlet=o.outlet.code,
            responsible=person.username if person else None,
            contact_name=o.contact_name,
            category=o.category,
            age_hours=round((now - o.created_at).total_seconds() / 3600, 1),
            bucket=age_bucket(o.created_at, now, policy.backlog_hours),
            escalation_level=o.escalation_level,
            escalation_overdue=bool(
                o.escalated_at and escalation_due(o.escalated_at, policy.escalation_days) < now
            ),
            sla_due_at=o.sla_due_at,
            created_at=o.created_at,
        )


def by_person(rows: list[BacklogRow]) -> dict[str, int]:
    return dict(Counter(r.responsible or "-" for r in rows).most_common())


HEADERS = (
    "number",
    "responsible",
    "status",
    "outlet",
    "customer",
    "category",
    "age_hours",
    "over_hours",
    "escalation_level",
    "escalation_overdue",
    "sla_due_at",
    "received_at",
)


def export_rows(rows: Iterator[BacklogRow]) -> Iterator[list[object]]:
    """Rows for `core.export` (page download and `aftersales backlog --export`)."""
    for r in rows:
        yield [
            r.number,
            r.responsible or "",
            r.status,
            r.outlet,
            r.contact_name,
            r.category,
            r.age_hours,
            r.bucket or "",
            r.escalation_level,
            "yes" if r.escalation_overdue else "",
            r.sla_due_at,
            r.created_at,
        ]
