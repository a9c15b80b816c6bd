"""The arithmetic and the period rules of domain.kpis (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aftersales.domain import kpis as k
from aftersales.domain.errors import DomainError

TODAY = date(2026, 12, 20)


def test_k2_percent_mean_ratio_say_no_data_instead_of_dividing_by_zero():
    assert k.percent(0, 0) is None
    assert k.mean(Decimal(10), 0) is None
    assert k.mean(None, 3) is None
    assert k.ratio(Decimal(5), Decimal(0)) is None
    assert k.percent(1, 3) == Decimal("33.3")
    assert k.percent(2, 3) == Decimal("66.7")
    assert k.mean(Decimal("10"), 4) == Decimal("2.50")
    assert k.ratio(Decimal("25"), Decimal("200")) == Decimal("12.5")


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        ("93", k.Target(Decimal(93), ">=", Decimal(3)), "green"),
        ("91", k.Target(Decimal(93), ">=", Decimal(3)), "amber"),
        ("89.9", k.Target(Decimal(93), ">=", Decimal(3)), "red"),
        ("1.9", k.Target(Decimal(2), "<", Decimal(1)), "green"),
        ("2", k.Target(Decimal(2), "<", Decimal(1)), "amber"),
        ("3.1", k.Target(Decimal(2), "<", Decimal(1)), "red"),
        ("5", k.Target(Decimal(5), "<=", Decimal(0)), "green"),
        ("5.1", k.Target(Decimal(5), "<=", Decimal(0)), "red"),
        ("10", k.Target(Decimal(10), ">", Decimal(1)), "amber"),
    ],
)
def test_k2_band_green_amber_red_against_target(value, target, expected):
    assert k.band(Decimal(value), target) == expected


def test_k2_band_without_value_or_target():
    assert k.band(None, k.Target(Decimal(1))) == "no_data"
    assert k.band(Decimal(1), None) == "none"


def test_period_month_range_and_default():
    p = k.period_of(month="2026-11", start=None, end=None, today=TODAY)
    assert (p.start, p.end, p.days) == (date(2026, 11, 1), date(2026, 12, 1), 30)
    p = k.period_of(month=None, start="2026-12-01", end="2026-12-10", today=TODAY)
    assert (p.start, p.end) == (date(2026, 12, 1), date(2026, 12, 11))
    p = k.period_of(month=None, start=None, end=None, today=TODAY)
    assert p.label == "2026-12" and p.elapsed_days(TODAY) == 20


@pytest.mark.parametrize(
    ("kw", "code", "field"),
    [
        ({"month": "2027-01"}, "period_in_future", "month"),
        ({"month": "2026-13"}, "validation", "month"),
        ({"month": "26-1"}, "validation", "month"),
        ({"start": "2026-12-10", "end": "2026-12-01"}, "period_reversed", "to"),
        ({"start": "2027-01-02", "end": "2027-01-05"}, "period_in_future", "from"),
        ({"start": "2026-12-01"}, "validation", "to"),
        ({"start": "2025-01-01", "end": "2026-12-01"}, "period_too_long", "to"),
        ({"month": "2026-12", "start": "2026-12-01", "end": "2026-12-02"}, "validation", "month"),
        ({"start": "2026-12-xx", "end": "2026-12-02"}, "validation", "from"),
    ],
)
def test_period_errors(kw, code, field):
    args = {"month": None, "start": None, "end": None, **kw}
    with pytest.raises(DomainError) as e:
        k.period_of(**args, today=TODAY)
    assert e.value.code == code and field in e.value.fields


def test_c9_report_period_must_be_over():
    assert k.report_period("monthly", "2026-11", today=TODAY).label == "2026-11"
    assert k.report_period("yearly", "2025", today=TODAY).days == 365
    with pytest.raises(DomainError) as e:
        k.report_period("monthly", "2026-12", today=TODAY)
    assert e.value.code == "period_not_over" and e.value.status == 409
    with pytest.raises(DomainError) as e:
        k.report_period("monthly", "2027-02", today=TODAY)
    assert e.value.code == "period_in_future"
    with pytest.raises(DomainError):
        k.report_period("weekly", "2026-11", today=TODAY)
