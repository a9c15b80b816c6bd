"""O-11: classifying a customer's repeat call (多次联系)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.codes import Status
from aftersales.domain.contacts import CallFacts, ContactCause, classify_call

TZ = ZoneInfo("Asia/Shanghai")


def t(hour: int, minute: int = 0, day: int = 24) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


def test_o11_at_window_start_sharp_is_late() -> None:
    # Window 9–11: at 9:00 sharp the technician is late.
    f = CallFacts(now=t(9), status=Status.CONTACTED, window_start=t(9))
    assert classify_call(f) is ContactCause.LATE_FOR_WINDOW


def test_o11_one_minute_before_window_is_not_late() -> None:
    f = CallFacts(now=t(8, 59), status=Status.CONTACTED, window_start=t(9))
    assert classify_call(f) is None


@pytest.mark.parametrize("status", [Status.CONTACTED, Status.ON_THE_WAY, Status.PENDING])
def test_o11_late_in_any_waiting_status(status: Status) -> None:
    f = CallFacts(now=t(10), status=status, window_start=t(9))
    assert classify_call(f) is ContactCause.LATE_FOR_WINDOW


def test_o11_technician_present_is_not_a_multiple_contact() -> None:
    f = CallFacts(now=t(9, 30), status=Status.ON_THE_WAY, window_start=t(9), arrived_at=t(8, 55))
    assert classify_call(f) is None


def test_o11_arrival_recorded_after_the_call_does_not_excuse() -> None:
    f = CallFacts(now=t(9, 30), status=Status.ON_THE_WAY, window_start=t(9), arrived_at=t(9, 45))
    assert classify_call(f) is ContactCause.LATE_FOR_WINDOW


def test_o11_on_site_order_is_on_track() -> None:
    f = CallFacts(now=t(10), status=Status.ON_SITE, window_start=t(9))
    assert classify_call(f) is None


@pytest.mark.parametrize(
    "status", [Status.COMPLETED, Status.REVISITED, Status.CLOSED, Status.CANCELLED]
)
def test_o11_completed_or_finished_order_is_none(status: Status) -> None:
    f = CallFacts(
        now=t(12), status=status, window_start=t(9), waiting_parts=True, parts_promised_date=None
    )
    assert classify_call(f) is None


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.ASSIGNED, Status.PENDING])
def test_o11_no_concrete_window_given(status: Status) -> None:
    assert classify_call(CallFacts(now=t(10), status=status)) is ContactCause.NO_WINDOW


def test_o11_missed_accepted_reschedule() -> None:
    f = CallFacts(
        now=t(14, 0, day=25),
        status=Status.CONTACTED,
        window_start=t(14, 0, day=25),
        window_is_reschedule=True,
        reschedule_accepted=True,
    )
    assert classify_call(f) is ContactCause.MISSED_RESCHEDULE


def test_o11_accepted_reschedule_not_yet_due() -> None:
    f = CallFacts(
        now=t(10),
        status=Status.CONTACTED,
        window_start=t(14, 0, day=25),
        window_is_reschedule=True,
        reschedule_accepted=True,
    )
    assert classify_call(f) is None


def test_o11_reschedule_without_customer_consent() -> None:
    # Even before the new window starts, an unagreed change is the cause.
    f = CallFacts(
        now=t(8),
        status=Status.CONTACTED,
        window_start=t(14, 0, day=25),
        window_is_reschedule=True,
        reschedule_accepted=False,
    )
    assert classify_call(f) is ContactCause.UNAGREED_RESCHEDULE


def test_o11_waiting_parts_without_date() -> None:
    f = CallFacts(now=t(10), status=Status.PENDING, waiting_parts=True)
    assert classify_call(f) is ContactCause.PARTS_NO_DATE


def test_o11_parts_delay_after_promised_date() -> None:
    f = CallFacts(
        now=t(10, day=29),
        status=Status.PENDING,
        waiting_parts=True,
        parts_promised_date=date(2025, 3, 28),
    )
    assert classify_call(f) is ContactCause.PARTS_DELAY


def test_o11_parts_on_promised_day_is_on_track() -> None:
    f = CallFacts(
        now=t(23, 30, day=28),
        status=Status.PENDING,
        waiting_parts=True,
        parts_promised_date=date(2025, 3, 28),
    )
    assert classify_call(f) is None


def test_o11_parts_delay_uses_local_today_when_given() -> None:
    # `now` in UTC is still the 28th, but the network's local date is already the 29th.
    utc_now = datetime(2025, 3, 28, 17, 0, tzinfo=ZoneInfo("UTC"))
    base = {
        "now": utc_now,
        "status": Status.PENDING,
        "waiting_parts": True,
        "parts_promised_date": date(2025, 3, 28),
    }
    assert classify_call(CallFacts(**base)) is None
    assert classify_call(CallFacts(**base, today=date(2025, 3, 29))) is ContactCause.PARTS_DELAY
