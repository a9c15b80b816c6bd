"""O-12: backlog buckets for the morning meeting and the escalation ladder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import IntEnum

from .errors import conflict


class EscalationLevel(IntEnum):
    CLERK = 0
    SUPERVISOR = 1
    MANAGER = 2


def age_bucket(received_at: datetime, now: datetime, thresholds: Sequence[int]) -> int | None:
    """The highest threshold (hours) the order's age exceeds, or None."""
    age = now - received_at
    over = [h for h in thresholds if age > timedelta(hours=h)]
    return max(over) if over else None


def next_level(level: int) -> EscalationLevel:
    if level >= EscalationLevel.MANAGER:
        raise conflict(
            "escalation_top", "The order is already with the manager; it cannot go higher."
        )
    return EscalationLevel(level + 1)


def escalation_due(escalated_at: datetime, days: int) -> datetime:
    return escalated_at + timedelta(days=days)
