"""Pure care rules (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from aftersales.domain import care as rules
from aftersales.domain.care import CareClass, CarePolicy, Period
from aftersales.domain.errors import DomainError

P = CarePolicy()
D = date(2026, 12, 7)


def test_c7_cadence_defaults_a_weekly_b_monthly_c_half_year() -> None:
    assert rules.next_class_contact(P, CareClass.A, D, D) == date(2026, 12, 14)
    assert rules.next_class_contact(P, CareClass.B, D, D) == date(2027, 1, 6)
    assert rules.next_class_contact(P, CareClass.C, D, D) == date(2027, 6, 7)


def test_c7_never_contacted_is_due_today_and_no_class_no_cadence() -> None:
    assert rules.next_class_contact(P, CareClass.C, None, D) == D
    assert rules.next_class_contact(P, None, D, D) is None


def test_c7_cadence_is_editable() -> None:
    assert rules.next_class_contact(CarePolicy(class_a_days=3), CareClass.A, D, D) == date(
        2026, 12, 10
    )


@pytest.mark.parametrize("bad", ["D", "AB", "x", "1"])
def test_c7_class_outside_abc_refused(bad: str) -> None:
    with pytest.raises(DomainError) as e:
        rules.parse_class(bad)
    assert e.value.code == "class_invalid"
    assert "care_class" in e.value.fields


def test_c7_class_parsing_accepts_lower_case_and_blank() -> None:
    assert rules.parse_class("b") == CareClass.B
    assert rules.parse_class("") is None


def test_c3_followup_plan_3_to_7_days_then_within_7() -> None:
    plan = rules.followup_plan(P, D)
    assert plan.first_due == date(2026, 12, 10)
    assert plan.first_deadline == date(2026, 12, 14)
    assert plan.second_due == date(2026, 12, 15)
    assert plan.second_deadline == date(2026, 12, 21)


def test_c3_followup_days_are_editable() -> None:
    plan = rules.followup_plan(
        CarePolicy(
            followup_first_from_days=1, followup_first_to_days=2, followup_second_within_days=3
        ),
        D,
    )
    assert (plan.first_due, plan.first_deadline, plan.second_deadline) == (
        date(2026, 12, 8),
        date(2026, 12, 9),
        date(2026, 12, 12),
    )


def test_c3_request_reported_within_two_days() -> None:
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    assert rules.request_report_deadline(P, now) == datetime(2026, 12, 9, 9, tzinfo=UTC)


def test_c1_file_due_two_days_after_visit() -> None:
    assert rules.file_deadline(P, D) == date(2026, 12, 9)


def test_c2_maintenance_reminder_days_ahead() -> None:
    assert rules.maintenance_remind_on(P, date(2027, 1, 1)) == date(2026, 12, 18)
    assert rules.maintenance_remind_on(CarePolicy(maintenance_ahead_days=3), date(2027, 1, 1)) == (
        date(2026, 12, 29)
    )


def test_c2_next_maintenance_from_interval() -> None:
    assert rules.next_maintenance(last_service=D, interval_days=90) == date(2027, 3, 7)
    assert rules.next_maintenance(last_service=D, interval_days=None) is None


def test_c4_event_calls_two_weeks_before_or_today_when_closer() -> None:
    assert rules.event_call_due(P, date(2027, 1, 1), D) == date(2026, 12, 18)
    assert rules.event_call_due(P, date(2026, 12, 10), D) == D


def test_c4_event_in_the_past_refused() -> None:
    with pytest.raises(DomainError) as e:
        rules.check_event_date(date(2026, 12, 6), D)
    assert e.value.code == "event_in_past"
    rules.check_event_date(D, D)  # today is fine


def test_c6_overlapping_substitution_refused() -> None:
    existing = [Period(date(2026, 12, 1), date(2026, 12, 10))]
    with pytest.raises(DomainError) as e:
        rules.check_substitution(
            tracker_id=1, substitute_id=2, period=Period(D, date(2026, 12, 20)), existing=existing
        )
    assert e.value.code == "substitution_overlap" and e.value.status == 409
    rules.check_substitution(
        tracker_id=1,
        substitute_id=2,
        period=Period(date(2026, 12, 11), date(2026, 12, 20)),
        existing=existing,
    )


def test_c6_substitute_self_and_reversed_period_refused() -> None:
    with pytest.raises(DomainError) as e:
        rules.check_substitution(tracker_id=1, substitute_id=1, period=Period(D, D), existing=[])
    assert e.value.code == "substitute_self"
    with pytest.raises(DomainError) as e:
        rules.check_substitution(
            tracker_id=1, substitute_id=2, period=Period(D, date(2026, 12, 1)), existing=[]
        )
    assert e.value.code == "validation"


def test_c8_lost_after_maintenance_due_plus_60_days() -> None:
    due = date(2026, 10, 1)
    assert not rules.is_lost(P, due, None, date(2026, 11, 29))
    assert rules.is_lost(P, due, None, date(2026, 11, 30))
    assert not rules.is_lost(P, due, date(2026, 10, 2), date(2026, 12, 30))
    assert not rules.is_lost(P, None, None, D)


def test_c8_loyal_by_visits_and_spend() -> None:
    pol = CarePolicy(loyal_min_visits=3, loyal_min_spend=Decimal("1000"))
    assert rules.is_loyal(pol, 3, Decimal("1000"))
    assert not rules.is_loyal(pol, 2, Decimal("5000"))
    assert not rules.is_loyal(pol, 5, Decimal("999.99"))


# ---------------------------------------------------------------- C-2 by distance

R = rules.Reading


def test_c2_daily_distance_slope_of_the_window() -> None:
    readings = [R(date(2026, 10, 8), 10_000), R(date(2026, 11, 7), 13_000)]
    assert rules.daily_distance(P, readings, D) == 100.0
    # a middle reading does not change the slope between the first and the last
    mid = [*readings, R(date(2026, 10, 20), 11_000)]
    assert rules.daily_distance(P, mid, D) == 100.0


def test_c2_daily_distance_needs_two_readings_on_different_days() -> None:
    assert rules.daily_distance(P, [], D) is None
    assert rules.daily_distance(P, [R(date(2026, 11, 1), 5_000)], D) is None
    same_day = [R(date(2026, 11, 1), 5_000), R(date(2026, 11, 1), 5_200)]
    assert rules.daily_distance(P, same_day, D) is None


def test_c2_daily_distance_minimum_and_window_editable() -> None:
    readings = [R(date(2026, 10, 8), 10_000), R(date(2026, 11, 7), 13_000)]
    assert rules.daily_distance(CarePolicy(mileage_min_readings=3), readings, D) is None
    # outside a 40-day window the older reading is ignored
    assert rules.daily_distance(CarePolicy(mileage_lookback_days=40), readings, D) is None
    # future readings are ignored
    assert rules.daily_distance(P, [*readings, R(date(2027, 1, 1), 99_000)], D) == 100.0


def test_c2_daily_distance_odometer_going_down_gives_no_estimate() -> None:
    assert (
        rules.daily_distance(P, [R(date(2026, 10, 8), 13_000), R(date(2026, 11, 7), 9_000)], D)
        is None
    )


def test_c2_distance_due_on_projects_the_km() -> None:
    last = R(date(2026, 11, 7), 13_000)
    assert rules.distance_due_on(last, 100.0, 20_000) == date(2027, 1, 16)  # 70 days
    assert rules.distance_due_on(last, 30.0, 13_100) == date(2026, 11, 11)  # 3.3 → 4 days
    assert rules.distance_due_on(last, 100.0, 12_000) == last.on  # already past the km
    assert rules.distance_due_on(last, None, 20_000) is None
    assert rules.distance_due_on(last, 0.0, 20_000) is None
    assert rules.distance_due_on(None, 100.0, 20_000) is None
    assert rules.distance_due_on(last, 100.0, None) is None


def test_c2_maintenance_due_is_the_earlier_of_date_and_distance() -> None:
    a, b = date(2027, 1, 1), date(2027, 2, 1)
    assert rules.maintenance_due(b, a) == (a, rules.DueBasis.DISTANCE)
    assert rules.maintenance_due(a, b) == (a, rules.DueBasis.DATE)
    assert rules.maintenance_due(a, a) == (a, rules.DueBasis.DATE)
    assert rules.maintenance_due(None, a) == (a, rules.DueBasis.DISTANCE)
    assert rules.maintenance_due(a, None) == (a, rules.DueBasis.DATE)
    assert rules.maintenance_due(None, None) == (None, None)


def test_c2_c8_product_task_windows() -> None:
    due = date(2027, 1, 31)
    assert rules.product_task_window(P, rules.TaskKind.MAINTENANCE, due) == (date(2027, 1, 17), due)
    assert rules.product_task_window(P, rules.TaskKind.LOSS_CALL, due) == (
        date(2027, 4, 1),
        date(2027, 4, 8),
    )
