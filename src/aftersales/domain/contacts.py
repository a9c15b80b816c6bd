"""O-11: does a customer's repeat call count as a multiple contact (多次联系), and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .codes import Status


class ContactCause(StrEnum):
    LATE_FOR_WINDOW = "late_for_window"  # not there / no call-back by the window's START
    NO_WINDOW = "no_window"  # no concrete window was given to the customer
    MISSED_RESCHEDULE = "missed_reschedule"  # an accepted new window was missed
    UNAGREED_RESCHEDULE = "unagreed_reschedule"  # window changed without the customer's consent
    PARTS_NO_DATE = "parts_no_date"  # waiting for parts, no concrete date given
    PARTS_DELAY = "parts_delay"  # the promised parts date passed without a new agreement


@dataclass(frozen=True)
class CallFacts:
    now: datetime
    status: Status
    window_start: datetime | None = None
    window_is_reschedule: bool = False
    reschedule_accepted: bool | None = None
    arrived_at: datetime | None = None
    waiting_parts: bool = False
    parts_promised_date: date | None = None
    today: date | None = None  # local date of `now` (the network's time zone)


_BEFORE_WINDOW = (Status.RECEIVED, Status.ASSIGNED)


def classify_call(f: CallFacts) -> ContactCause | None:
    """The cause that makes this call a multiple contact, or None when the order is on track."""
    if f.status in (Status.COMPLETED, Status.REVISITED, Status.CLOSED, Status.CANCELLED):
        return None
    if f.waiting_parts and f.status == Status.PENDING:
        if f.parts_promised_date is None:
            return ContactCause.PARTS_NO_DATE
        today = f.today or f.now.date()
        return ContactCause.PARTS_DELAY if today > f.parts_promised_date else None
    if f.window_start is not None and f.status in (
        Status.CONTACTED,
        Status.ON_THE_WAY,
        Status.PENDING,
    ):
        if f.window_is_reschedule and f.reschedule_accepted is False:
            return ContactCause.UNAGREED_RESCHEDULE
        present = f.arrived_at is not None and f.arrived_at <= f.now
        if f.now >= f.window_start and not present:
            if f.window_is_reschedule:
                return ContactCause.MISSED_RESCHEDULE
            return ContactCause.LATE_FOR_WINDOW
        return None
    if f.window_start is None and f.status in (*_BEFORE_WINDOW, Status.PENDING):
        return ContactCause.NO_WINDOW
    return None
