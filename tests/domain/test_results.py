"""O-7: structured intermediate results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from aftersales.domain.results import (
    RESULT_ACTION_KINDS,
    AddressProblem,
    AppointmentResult,
    CarriedInResult,
    DeclinedChargeResult,
    NoTimeResult,
    PhoneOutcome,
    RefusedRepairResult,
    RescheduledResult,
    ResultKind,
    ReturnPendingResult,
    ShippedBy,
    UnitNormalResult,
    UnreachableResult,
    WaitingPartsResult,
    result_adapter,
)

VALID: dict[ResultKind, tuple[dict[str, Any], type]] = {
    ResultKind.APPOINTMENT: (
        {
            "kind": "appointment",
            "start": "2025-03-24T10:00:00+08:00",
            "end": "2025-03-24T12:00:00+08:00",
            "agreed_by": "family",
        },
        AppointmentResult,
    ),
    ResultKind.RESCHEDULED: (
        {
            "kind": "rescheduled",
            "start": "2025-03-25T14:00:00+08:00",
            "end": "2025-03-25T16:00:00+08:00",
            "reason": "customer away",
            "asked_by": "customer",
            "customer_accepted": True,
        },
        RescheduledResult,
    ),
    ResultKind.UNREACHABLE: (
        {
            "kind": "unreachable",
            "phones": [
                {"phone": "13800138000", "outcome": "no_answer"},
                {"phone": "02161234567", "outcome": "wrong_number"},
            ],
        },
        UnreachableResult,
    ),
    ResultKind.WAITING_PARTS: (
        {
            "kind": "waiting_parts",
            "part": "compressor",
            "shipped_by": "manufacturer",
            "promised_date": "2025-03-28",
        },
        WaitingPartsResult,
    ),
    ResultKind.CARRIED_IN: (
        {"kind": "carried_in", "promised_return_date": "2025-03-30", "agreed_by": "customer"},
        CarriedInResult,
    ),
    ResultKind.UNIT_NORMAL_NOT_ACCEPTED: (
        {
            "kind": "unit_normal_not_accepted",
            "measurements": [
                {"name": "outlet", "value": "12", "unit": "°C"},
                {"name": "return", "value": "25", "unit": "°C"},
            ],
            "next_visit_date": "2025-03-26",
            "who": "customer",
        },
        UnitNormalResult,
    ),
    ResultKind.RETURN_PENDING: (
        {
            "kind": "return_pending",
            "reason": "noise on delivery",
            "purchase_date": "2025-03-01",
            "approval_needed": True,
            "model_chosen": "KFR-35GW",
        },
        ReturnPendingResult,
    ),
    ResultKind.DECLINED_CHARGE: (
        {
            "kind": "declined_charge",
            "purchase_year": 2018,
            "part": "main board",
            "amount": "350.00",
        },
        DeclinedChargeResult,
    ),
    ResultKind.NO_TIME: (
        {"kind": "no_time", "days": 10, "stated_by": "customer"},
        NoTimeResult,
    ),
    ResultKind.REFUSED_REPAIR: (
        {"kind": "refused_repair", "stated_by": "customer", "reason": "too expensive"},
        RefusedRepairResult,
    ),
}

# The fields O-7 demands for each kind (each must be present).
REQUIRED: dict[ResultKind, tuple[str, ...]] = {
    ResultKind.APPOINTMENT: ("start", "end", "agreed_by"),
    ResultKind.RESCHEDULED: ("start", "end", "reason", "asked_by", "customer_accepted"),
    ResultKind.WAITING_PARTS: ("part", "shipped_by"),
    ResultKind.CARRIED_IN: ("promised_return_date", "agreed_by"),
    ResultKind.UNIT_NORMAL_NOT_ACCEPTED: ("measurements", "next_visit_date", "who"),
    ResultKind.RETURN_PENDING: ("reason", "purchase_date", "approval_needed"),
    ResultKind.DECLINED_CHARGE: ("purchase_year", "part", "amount"),
    ResultKind.NO_TIME: ("days", "stated_by"),
    ResultKind.REFUSED_REPAIR: ("stated_by", "reason"),
}

MISSING_CASES = [
    pytest.param(kind, name, id=f"{kind.value}-{name}")
    for kind, names in REQUIRED.items()
    for name in names
]


def test_o7_every_kind_has_a_valid_example() -> None:
    assert set(VALID) == set(ResultKind)


@pytest.mark.parametrize("kind", list(ResultKind), ids=lambda k: k.value)
def test_o7_valid_result_of_each_kind(kind: ResultKind) -> None:
    data, model = VALID[kind]
    parsed = result_adapter.validate_python(data)
    assert type(parsed) is model
    assert parsed.kind == kind


def test_o7_parsed_values_are_typed() -> None:
    unit = result_adapter.validate_python(VALID[ResultKind.UNIT_NORMAL_NOT_ACCEPTED][0])
    assert isinstance(unit, UnitNormalResult)
    assert [m.value for m in unit.measurements] == [Decimal("12"), Decimal("25")]
    assert unit.next_visit_date == date(2025, 3, 26)
    parts = result_adapter.validate_python(VALID[ResultKind.WAITING_PARTS][0])
    assert isinstance(parts, WaitingPartsResult)
    assert parts.shipped_by is ShippedBy.MANUFACTURER
    assert parts.promised_date == date(2025, 3, 28)
    charge = result_adapter.validate_python(VALID[ResultKind.DECLINED_CHARGE][0])
    assert isinstance(charge, DeclinedChargeResult)
    assert charge.amount == Decimal("350.00")


@pytest.mark.parametrize(("kind", "field_name"), MISSING_CASES)
def test_o7_missing_required_field_rejected(kind: ResultKind, field_name: str) -> None:
    data = dict(VALID[kind][0])
    del data[field_name]
    with pytest.raises(ValidationError) as exc:
        result_adapter.validate_python(data)
    locs = [err["loc"] for err in exc.value.errors()]
    assert any(field_name in loc for loc in locs)


def test_o7_waiting_parts_promised_date_optional() -> None:
    parsed = result_adapter.validate_python(
        {"kind": "waiting_parts", "part": "fan motor", "shipped_by": "outlet"}
    )
    assert isinstance(parsed, WaitingPartsResult)
    assert parsed.promised_date is None


def test_o7_unknown_kind_rejected() -> None:
    with pytest.raises(ValidationError) as exc:
        result_adapter.validate_python({"kind": "customer_happy", "reason": "x"})
    assert exc.value.errors()[0]["type"] == "union_tag_invalid"


@pytest.mark.parametrize("kind", list(ResultKind), ids=lambda k: k.value)
def test_o7_extra_fields_rejected(kind: ResultKind) -> None:
    data = {**VALID[kind][0], "remark": "customer said call back later"}
    with pytest.raises(ValidationError) as exc:
        result_adapter.validate_python(data)
    assert exc.value.errors()[0]["type"] == "extra_forbidden"


def test_o7_free_text_remark_alone_is_not_a_result() -> None:
    with pytest.raises(ValidationError) as exc:
        result_adapter.validate_python({"remark": "客户说周末再联系"})
    assert exc.value.errors()[0]["type"] == "union_tag_not_found"
    with pytest.raises(ValidationError):
        result_adapter.validate_python("customer will call back")


def test_o7_unreachable_needs_phone_try_or_address_problem() -> None:
    with pytest.raises(ValidationError) as exc:
        result_adapter.validate_python({"kind": "unreachable"})
    assert "Note each phone tried" in str(exc.value)
    with pytest.raises(ValidationError):
        result_adapter.validate_python({"kind": "unreachable", "phones": []})


def test_o7_unreachable_address_problem_alone_is_enough() -> None:
    parsed = result_adapter.validate_python(
        {"kind": "unreachable", "address_problem": "no_such_house_number"}
    )
    assert isinstance(parsed, UnreachableResult)
    assert parsed.phones == []
    assert parsed.address_problem is AddressProblem.NO_SUCH_HOUSE_NUMBER


def test_o7_unreachable_each_phone_noted_separately() -> None:
    parsed = result_adapter.validate_python(VALID[ResultKind.UNREACHABLE][0])
    assert isinstance(parsed, UnreachableResult)
    assert [(p.phone, p.outcome) for p in parsed.phones] == [
        ("13800138000", PhoneOutcome.NO_ANSWER),
        ("02161234567", PhoneOutcome.WRONG_NUMBER),
    ]
    with pytest.raises(ValidationError):
        result_adapter.validate_python(
            {"kind": "unreachable", "phones": [{"phone": "13800138000", "outcome": "busy"}]}
        )


def test_o7_blank_text_fields_rejected_after_strip() -> None:
    with pytest.raises(ValidationError):
        result_adapter.validate_python(
            {"kind": "refused_repair", "stated_by": "customer", "reason": "   "}
        )


def test_o7_unit_normal_needs_at_least_one_measurement() -> None:
    data = {**VALID[ResultKind.UNIT_NORMAL_NOT_ACCEPTED][0], "measurements": []}
    with pytest.raises(ValidationError):
        result_adapter.validate_python(data)


@pytest.mark.parametrize(
    ("field_name", "value"),
    [("purchase_year", 1949), ("purchase_year", 2101), ("amount", "-1")],
)
def test_o7_declined_charge_bounds(field_name: str, value: object) -> None:
    data = {**VALID[ResultKind.DECLINED_CHARGE][0], field_name: value}
    with pytest.raises(ValidationError):
        result_adapter.validate_python(data)


@pytest.mark.parametrize("days", [0, 366])
def test_o7_no_time_days_bounds(days: int) -> None:
    with pytest.raises(ValidationError):
        result_adapter.validate_python({"kind": "no_time", "days": days, "stated_by": "customer"})


def test_o7_result_action_kinds_exclude_appointments() -> None:
    assert ResultKind.APPOINTMENT not in RESULT_ACTION_KINDS
    assert ResultKind.RESCHEDULED not in RESULT_ACTION_KINDS
    assert ResultKind.NO_TIME in RESULT_ACTION_KINDS
    assert len(RESULT_ACTION_KINDS) == 8
