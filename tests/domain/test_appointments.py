"""O-6: an appointment is a concrete window on a concrete day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.appointments import Window, check_window
from aftersales.domain.errors import DomainError
from aftersales.domain.policy import DEFAULT_POLICY, Policy

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 23, 15, 0, tzinfo=TZ)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


def refused(start: datetime, end: datetime, policy: Policy = DEFAULT_POLICY) -> DomainError:
    with pytest.raises(DomainError) as exc:
        check_window(start, end, now=NOW, policy=policy)
    return exc.value


def test_o6_accepts_concrete_window_24th_10_to_12() -> None:
    w = check_window(t(24, 10), t(24, 12), now=NOW, policy=DEFAULT_POLICY)
    assert w == Window(t(24, 10), t(24, 12))
    assert w.minutes == 120


def test_o6_accepts_exactly_max_and_min_lengths() -> None:
    assert check_window(t(24, 9), t(24, 12), now=NOW, policy=DEFAULT_POLICY).minutes == 180
    assert check_window(t(24, 9), t(24, 9, 30), now=NOW, policy=DEFAULT_POLICY).minutes == 30


def test_o6_window_starting_now_is_accepted() -> None:
    assert check_window(NOW, NOW + timedelta(hours=1), now=NOW, policy=DEFAULT_POLICY).minutes == 60


def test_o6_reversed_window_refused() -> None:
    err = refused(t(24, 12), t(24, 10))
    assert err.code == "window_reversed"
    assert err.status == 422
    assert "end" in err.fields


def test_o6_empty_window_refused_as_reversed() -> None:
    assert refused(t(24, 10), t(24, 10)).code == "window_reversed"


def test_o6_past_window_refused() -> None:
    err = refused(t(23, 10), t(23, 12))
    assert err.code == "window_in_past"
    assert "start" in err.fields


def test_o6_half_day_refused_with_default_policy() -> None:
    err = refused(t(24, 8), t(24, 12))
    assert err.code == "window_not_concrete"
    assert err.params["max"] == 180
    assert "180" in err.message


def test_o6_half_day_accepted_when_policy_allows_it() -> None:
    policy = Policy(max_window_minutes=240)
    assert check_window(t(24, 8), t(24, 12), now=NOW, policy=policy).minutes == 240


def test_o6_bare_day_refused() -> None:
    assert refused(t(24, 0), t(24, 23, 59)).code == "window_not_concrete"
    assert refused(t(24, 0), t(25, 0)).code == "window_not_concrete"


def test_o6_window_across_midnight_refused() -> None:
    err = refused(t(24, 23), t(25, 1))
    assert err.code == "window_spans_days"


def test_o6_too_short_window_refused() -> None:
    err = refused(t(24, 10), t(24, 10, 15))
    assert err.code == "window_too_short"
    assert err.params["min"] == 30


@pytest.mark.parametrize("naive_start", [True, False])
def test_o6_naive_datetimes_refused(naive_start: bool) -> None:
    start, end = t(24, 10), t(24, 12)
    if naive_start:
        start = start.replace(tzinfo=None)
    else:
        end = end.replace(tzinfo=None)
    err = refused(start, end)
    assert err.code == "window_naive"
