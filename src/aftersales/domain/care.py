"""Customer care rules (SPEC §3, C-1 … C-8): pure functions, time passed in, no Django.

The numbers live in care.CarePolicy (one editable row); services pass `CarePolicy` here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from .errors import DomainError, conflict


class CareClass(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class TaskKind(StrEnum):
    FOLLOWUP_1 = "followup_1"  # C-3 first call after the product was taken back
    FOLLOWUP_2 = "followup_2"  # C-3 second call, different content
    FILE = "file"  # C-1 the customer file is due within 2 days of a visit or repair
    CLASS_CONTACT = "class_contact"  # C-7 A/B/C cadence
    MAINTENANCE = "maintenance"  # C-2 reminder ahead of the next maintenance
    REQUEST_REPORT = "request_report"  # C-3 investigate; report to the manager by the deadline
    REQUEST_TELL = "request_tell"  # C-3 tell the customer the same day the answer is found
    EVENT_CALL = "event_call"  # C-4 phone invited customers 2 weeks before
    LOSS_CALL = "loss_call"  # C-8 call a lost customer, record the cause


class Channel(StrEnum):
    PHONE_OUT = "phone_out"
    PHONE_IN = "phone_in"
    VISIT = "visit"
    LETTER_OUT = "letter_out"
    LETTER_IN = "letter_in"
    MESSAGE = "message"


LETTER_CHANNELS = frozenset({Channel.LETTER_OUT, Channel.LETTER_IN, Channel.MESSAGE})


class Purpose(StrEnum):
    FOLLOWUP = "followup"
    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    CARE = "care"  # A/B/C cadence contact
    MAINTENANCE = "maintenance"
    EVENT = "event"
    LOSS = "loss"
    REQUEST = "request"
    OTHER = "other"


class Outcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    CALL_BACK = "call_back"
    SENT = "sent"


# The purpose a task's logged contact carries (one-click logging fills it in).
TASK_PURPOSE = {
    TaskKind.FOLLOWUP_1: Purpose.FOLLOWUP,
    TaskKind.FOLLOWUP_2: Purpose.FOLLOWUP,
    TaskKind.FILE: Purpose.OTHER,
    TaskKind.CLASS_CONTACT: Purpose.CARE,
    TaskKind.MAINTENANCE: Purpose.MAINTENANCE,
    TaskKind.REQUEST_REPORT: Purpose.REQUEST,
    TaskKind.REQUEST_TELL: Purpose.REQUEST,
    TaskKind.EVENT_CALL: Purpose.EVENT,
    TaskKind.LOSS_CALL: Purpose.LOSS,
}


@dataclass(frozen=True)
class CarePolicy:
    # C-1: a customer file exists within this many days of a visit or repair.
    file_due_days: int = 2
    # C-3: first call between these days after the product was taken back …
    followup_first_from_days: int = 3
    followup_first_to_days: int = 7
    # … and a second one within this many days after the first window.
    followup_second_within_days: int = 7
    # C-3: an unanswered question is reported to the manager within this many days.
    request_report_days: int = 2
    # C-7: contact cadence per class, in days (A weekly, B monthly, C every 6 months).
    class_a_days: int = 7
    class_b_days: int = 30
    class_c_days: int = 182
    # C-2: maintenance reminders are due this many days before the maintenance date.
    maintenance_ahead_days: int = 14
    # C-4: invited customers are phoned this many days before the event.
    event_call_days_before: int = 14
    # C-8: a customer who did not return this many days after maintenance was due is lost.
    lost_after_days: int = 60
    # C-8: loyal = at least this many visits and this spend within the period.
    loyal_period_days: int = 365
    loyal_min_visits: int = 3
    loyal_min_spend: Decimal = Decimal("0")
    # C-2 by distance: the daily distance is estimated from at least this many mileage
    # readings (on different days) taken within the look-back window before today.
    mileage_min_readings: int = 2
    mileage_lookback_days: int = 365


def parse_class(value: str | None) -> CareClass | None:
    """'' / None → no class; anything but A/B/C is refused."""
    if value is None or value == "":
        return None
    v = value.strip().upper()
    if v not in CareClass.__members__:
        raise DomainError(
            "class_invalid",
            f"Customer class must be A, B or C, not {value!r}.",
            fields={"care_class": "A, B or C"},
        )
    return CareClass(v)


def cadence_days(policy: CarePolicy, cls: CareClass) -> int:
    return {
        CareClass.A: policy.class_a_days,
        CareClass.B: policy.class_b_days,
        CareClass.C: policy.class_c_days,
    }[cls]


def next_class_contact(
    policy: CarePolicy, cls: CareClass | None, last: date | None, today: date
) -> date | None:
    """C-7: the next contact is due one cadence after the last one; a customer never
    contacted is due today. No class → no cadence."""
    if cls is None:
        return None
    if last is None:
        return today
    return last + timedelta(days=cadence_days(policy, cls))


@dataclass(frozen=True)
class FollowupPlan:
    first_due: date
    first_deadline: date
    second_due: date
    second_deadline: date


def followup_plan(policy: CarePolicy, taken_back: date) -> FollowupPlan:
    """C-3: first call 3–7 days after the product was taken back; the second within the
    7 days after the first window closes."""
    first_due = taken_back + timedelta(days=policy.followup_first_from_days)
    first_deadline = taken_back + timedelta(days=policy.followup_first_to_days)
    second_due = first_deadline + timedelta(days=1)
    second_deadline = first_deadline + timedelta(days=policy.followup_second_within_days)
    return FollowupPlan(first_due, first_deadline, second_due, second_deadline)


def file_deadline(policy: CarePolicy, visit: date) -> date:
    """C-1: the file is due within `file_due_days` of the visit or repair."""
    return visit + timedelta(days=policy.file_due_days)


def request_report_deadline(policy: CarePolicy, opened: datetime) -> datetime:
    return opened + timedelta(days=policy.request_report_days)


def maintenance_remind_on(policy: CarePolicy, next_due: date) -> date:
    """C-2: the reminder is due `maintenance_ahead_days` before the maintenance date."""
    return next_due - timedelta(days=policy.maintenance_ahead_days)


@dataclass(frozen=True)
class Reading:
    """A mileage (odometer) reading of a vehicle on a day."""

    on: date
    km: int


def daily_distance(policy: CarePolicy, readings: Iterable[Reading], today: date) -> float | None:
    """C-2: the estimated distance driven per day (km), from the readings taken within
    `mileage_lookback_days` before today (future-dated readings are ignored).

    The estimate is the slope between the earliest and the latest reading of the window:
    (km_latest − km_earliest) / days between them. Several readings on one day count once
    (the highest). Fewer than `mileage_min_readings` days with a reading, a window of
    zero days or a mileage that went down (odometer replaced, typing error) → no estimate
    (None): the reminder then goes by date only."""
    since = today - timedelta(days=policy.mileage_lookback_days)
    by_day: dict[date, int] = {}
    for r in readings:
        if since <= r.on <= today:
            by_day[r.on] = max(r.km, by_day.get(r.on, r.km))
    if len(by_day) < max(2, policy.mileage_min_readings):
        return None
    first, last = min(by_day), max(by_day)
    days = (last - first).days
    driven = by_day[last] - by_day[first]
    if days <= 0 or driven < 0:
        return None
    return driven / days


def distance_due_on(last: Reading | None, per_day: float | None, due_km: int | None) -> date | None:
    """C-2: the day the projected mileage reaches `due_km` (the next maintenance at km),
    from the latest reading and the daily distance. Already reached → the reading's day.
    No reading, no estimate, nothing driven or no km target → None."""
    if last is None or due_km is None:
        return None
    if last.km >= due_km:
        return last.on
    if not per_day or per_day <= 0:
        return None
    return last.on + timedelta(days=math.ceil((due_km - last.km) / per_day))


class DueBasis(StrEnum):
    DATE = "date"
    DISTANCE = "distance"


def maintenance_due(
    by_date: date | None, by_distance: date | None
) -> tuple[date, DueBasis] | tuple[None, None]:
    """C-2: the maintenance falls due at the EARLIER of the date-based due date and the
    day the distance is projected to be reached (a tie counts as by date)."""
    if by_distance is not None and (by_date is None or by_distance < by_date):
        return by_distance, DueBasis.DISTANCE
    if by_date is not None:
        return by_date, DueBasis.DATE
    return None, None


def next_maintenance(
    *, last_service: date, interval_days: int | None, purchase_date: date | None = None
) -> date | None:
    """The next maintenance date from the last service (or purchase) and the interval."""
    if not interval_days:
        return None
    base = last_service or purchase_date
    return base + timedelta(days=interval_days) if base else None


def event_call_due(policy: CarePolicy, event_day: date, today: date) -> date:
    """C-4: phone two weeks before; an event closer than that is phoned today."""
    return max(today, event_day - timedelta(days=policy.event_call_days_before))


def check_event_date(event_day: date, today: date) -> None:
    if event_day < today:
        raise DomainError(
            "event_in_past",
            f"The event day {event_day.isoformat()} is in the past.",
            fields={"starts_on": "in the past"},
        )


def product_task_window(policy: CarePolicy, kind: TaskKind, due: date) -> tuple[date, date]:
    """The (due day, deadline) of a product's task for maintenance date `due`: C-2 the
    reminder is due `maintenance_ahead_days` before, to be done by the date itself; C-8 the
    loss call is due `lost_after_days` after, to be done within the week after that."""
    if kind == TaskKind.MAINTENANCE:
        return maintenance_remind_on(policy, due), due
    if kind == TaskKind.LOSS_CALL:
        start = lost_since(policy, due)
        return start, start + timedelta(days=LOSS_CALL_WITHIN_DAYS)
    raise ValueError(kind)


# C-8: the loss call is made within a week of the customer counting as lost.
LOSS_CALL_WITHIN_DAYS = 7


def lost_since(policy: CarePolicy, next_maintenance_due: date) -> date:
    """C-8: the day from which a customer who did not come back counts as lost."""
    return next_maintenance_due + timedelta(days=policy.lost_after_days)


def is_lost(
    policy: CarePolicy, next_maintenance_due: date | None, last_visit: date | None, today: date
) -> bool:
    if next_maintenance_due is None:
        return False
    if last_visit is not None and last_visit >= next_maintenance_due:
        return False
    return today >= lost_since(policy, next_maintenance_due)


def is_loyal(policy: CarePolicy, visits: int, spend: Decimal) -> bool:
    return visits >= policy.loyal_min_visits and spend >= policy.loyal_min_spend


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def check_substitution(
    *, tracker_id: int, substitute_id: int, period: Period, existing: list[Period]
) -> None:
    """C-6: a tracker has at most one substitute at a time; nobody substitutes for themself."""
    if period.end < period.start:
        raise DomainError(
            "validation", "The period ends before it starts.", fields={"end": "before start"}
        )
    if tracker_id == substitute_id:
        raise DomainError(
            "substitute_self",
            "A tracker cannot substitute for themself.",
            fields={"substitute": "same as tracker"},
        )
    for other in existing:
        if period.overlaps(other):
            raise conflict(
                "substitution_overlap",
                f"This period overlaps the substitution {other.start.isoformat()}–"
                f"{other.end.isoformat()}.",
            )


def overdue(due_on: date, today: date) -> bool:
    return due_on < today
