"""O-6: an appointment is a concrete window on a concrete day, never a bare day or half-day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from .errors import DomainError, gettext_noop
from .policy import Policy


class AgreedBy(StrEnum):
    CUSTOMER = "customer"
    FAMILY = "family"  # a family member agreed (seed: 家屬)


class AskedBy(StrEnum):
    CUSTOMER = "customer"
    TECHNICIAN = "technician"
    OUTLET = "outlet"


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def check_window(
    start: datetime, end: datetime, *, now: datetime, policy: Policy, tz: tzinfo | None = None
) -> Window:
    """Refuse windows that are not concrete: reversed, in the past, too long or across days.

    `tz` is the network's time zone: "one day" is the customer's day, whatever offset the
    client sent.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise DomainError(
            "window_naive",
            "The window needs a time zone (ISO date-time with offset).",
            fields={"start": "naive"},
        )
    if end <= start:
        raise DomainError(
            "window_reversed",
            "The window must end after it starts.",
            fields={"end": gettext_noop("The end must be after the start.")},
        )
    if start < now:
        raise DomainError(
            "window_in_past",
            "An appointment cannot start in the past.",
            fields={"start": gettext_noop("The start is in the past.")},
        )
    w = Window(start, end)
    if w.minutes > policy.max_window_minutes:
        raise DomainError(
            "window_not_concrete",
            f"Give a concrete window of at most {policy.max_window_minutes} minutes (e.g. 10:00–12:00), "
            "not a bare day or half-day.",
            fields={"end": f"At most {policy.max_window_minutes} minutes after the start."},
            max=policy.max_window_minutes,
        )
    if w.minutes < policy.min_window_minutes:
        raise DomainError(
            "window_too_short",
            f"A window is at least {policy.min_window_minutes} minutes.",
            fields={"end": f"At least {policy.min_window_minutes} minutes after the start."},
            min=policy.min_window_minutes,
        )
    local_start, local_end = (start.astimezone(tz), end.astimezone(tz)) if tz else (start, end)
    if local_start.date() != local_end.date():
        raise DomainError(
            "window_spans_days",
            "A window lies within one day.",
            fields={"end": gettext_noop("Same day as the start.")},
        )
    return w
