"""Candidate fixes measured side by side with the product's code (src is not changed here)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

SLIM_FIELDS = (
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


def backlog_rows_slim(user: Any, *, older_than_hours: int, now: datetime) -> Iterator[Any]:
    """orders.backlog.backlog_rows with `.only()` the columns a BacklogRow needs."""
    from aftersales.core.policy import current_policy
    from aftersales.domain.backlog import age_bucket, escalation_due
    from aftersales.orders.backlog import BacklogRow, responsible_of
    from aftersales.orders.selectors import backlog

    policy = current_policy()
    qs = backlog(user, older_than_hours=older_than_hours, now=now).only(*SLIM_FIELDS)
    for o in qs.iterator(chunk_size=2000):
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
