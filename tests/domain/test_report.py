"""R-1 service report completeness and R-2 repeat repairs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from aftersales.domain.report import (
    PartLine,
    PastRepair,
    ServiceReport,
    find_repeat,
    missing_fields,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 31, 12, 0, tzinfo=TZ)

COMPLETE = {
    "fault_code": "E1",
    "fault_cause": "sensor broken",
    "solution": "replaced sensor",
    "parts_replaced": [{"name": "temperature sensor", "quantity": 1}],
    "customer_opinion": "good",
    "test_run_done": True,
    "customer_signature": "张三",
    "customer_rating": 5,
}


def test_r1_complete_report_has_no_missing_fields() -> None:
    assert missing_fields(ServiceReport(**COMPLETE)) == []


def test_r1_parts_may_be_none() -> None:
    assert missing_fields(ServiceReport(**{**COMPLETE, "parts_replaced": []})) == []


def test_r1_empty_report_names_every_missing_field() -> None:
    assert missing_fields(ServiceReport()) == [
        "fault_code",
        "fault_cause",
        "solution",
        "customer_opinion",
        "test_run_done",
        "customer_signature",
    ]


@pytest.mark.parametrize(
    ("field_name", "blank"),
    [
        ("fault_code", ""),
        ("fault_cause", "   "),
        ("solution", ""),
        ("customer_opinion", ""),
        ("test_run_done", False),
    ],
)
def test_r1_each_missing_field_named(field_name: str, blank: object) -> None:
    report = ServiceReport(**{**COMPLETE, field_name: blank})
    assert missing_fields(report) == [field_name]


def test_r1_signature_or_rating_suffices() -> None:
    only_rating = ServiceReport(**{**COMPLETE, "customer_signature": ""})
    only_signature = ServiceReport(**{**COMPLETE, "customer_rating": None})
    neither = ServiceReport(**{**COMPLETE, "customer_signature": "", "customer_rating": None})
    assert missing_fields(only_rating) == []
    assert missing_fields(only_signature) == []
    assert missing_fields(neither) == ["customer_signature"]


def test_r1_report_rejects_bad_values() -> None:
    with pytest.raises(ValidationError):
        ServiceReport(**{**COMPLETE, "customer_rating": 6})
    with pytest.raises(ValidationError):
        ServiceReport(**{**COMPLETE, "unknown": "x"})
    with pytest.raises(ValidationError):
        PartLine(name="fan", quantity=0)


def past(order_id: int, days_ago: float, fault_code: str = "E1") -> PastRepair:
    return PastRepair(order_id, NOW - timedelta(days=days_ago), fault_code)


def test_r2_repeat_within_30_days_found() -> None:
    hit = find_repeat([past(1, 10)], fault_code="E1", at=NOW, days=30)
    assert hit == past(1, 10)


def test_r2_exactly_30_days_is_still_a_repeat() -> None:
    assert find_repeat([past(1, 30)], fault_code="E1", at=NOW, days=30) == past(1, 30)


def test_r2_outside_30_days_not_a_repeat() -> None:
    assert find_repeat([past(1, 30.5), past(2, 90)], fault_code="E1", at=NOW, days=30) is None


def test_r2_different_fault_code_not_a_repeat() -> None:
    assert find_repeat([past(1, 5, "E2")], fault_code="E1", at=NOW, days=30) is None


def test_r2_empty_fault_code_never_a_repeat() -> None:
    assert find_repeat([past(1, 5, "")], fault_code="", at=NOW, days=30) is None


def test_r2_latest_matching_repair_returned() -> None:
    history = [past(1, 25), past(2, 3), past(3, 1, "E9"), past(4, 12)]
    hit = find_repeat(history, fault_code="E1", at=NOW, days=30)
    assert hit is not None
    assert hit.order_id == 2


def test_r2_future_repairs_ignored() -> None:
    assert find_repeat([past(1, -2)], fault_code="E1", at=NOW, days=30) is None
