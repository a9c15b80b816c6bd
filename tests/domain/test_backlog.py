"""O-12: backlog buckets and the escalation ladder."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.backlog import EscalationLevel, age_bucket, escalation_due, next_level
from aftersales.domain.errors import DomainError
from aftersales.domain.policy import DEFAULT_POLICY

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 24, 8, 0, tzinfo=TZ)
BUCKETS = DEFAULT_POLICY.backlog_hours


@pytest.mark.parametrize(
    ("age", "bucket"),
    [
        (timedelta(hours=0), None),
        (timedelta(hours=47, minutes=59), None),
        (timedelta(hours=48), None),  # exactly 2 days is not over 2 days
        (timedelta(hours=48, seconds=1), 48),
        (timedelta(hours=72), 48),
        (timedelta(hours=72, minutes=1), 72),
        (timedelta(days=30), 72),
        (timedelta(hours=-5), None),
    ],
)
def test_o12_age_bucket_boundaries(age: timedelta, bucket: int | None) -> None:
    assert age_bucket(NOW - age, NOW, BUCKETS) == bucket


def test_o12_age_bucket_threshold_order_irrelevant() -> None:
    assert age_bucket(NOW - timedelta(hours=80), NOW, (72, 48)) == 72
    assert age_bucket(NOW - timedelta(hours=80), NOW, ()) is None


def test_o12_default_buckets_are_two_and_three_days() -> None:
    assert BUCKETS == (48, 72)


def test_o12_escalation_ladder_clerk_supervisor_manager() -> None:
    assert next_level(EscalationLevel.CLERK) is EscalationLevel.SUPERVISOR
    assert next_level(EscalationLevel.SUPERVISOR) is EscalationLevel.MANAGER
    assert next_level(0) is EscalationLevel.SUPERVISOR


@pytest.mark.parametrize("level", [EscalationLevel.MANAGER, 3])
def test_o12_cannot_escalate_above_manager(level: int) -> None:
    with pytest.raises(DomainError) as exc:
        next_level(level)
    assert exc.value.code == "escalation_top"
    assert exc.value.status == 409


def test_o12_escalation_due_in_three_days() -> None:
    escalated = datetime(2025, 3, 24, 15, 30, tzinfo=TZ)
    assert escalation_due(escalated, DEFAULT_POLICY.escalation_days) == datetime(
        2025, 3, 27, 15, 30, tzinfo=TZ
    )
    assert escalation_due(escalated, 1) == escalated + timedelta(hours=24)
