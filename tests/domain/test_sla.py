"""O-9 standard closing times and O-10 assessed time (parts transit excluded)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.codes import CARRY_IN_MODES, ServiceMode, ServiceType
from aftersales.domain.policy import DEFAULT_POLICY, Policy
from aftersales.domain.results import ShippedBy
from aftersales.domain.sla import (
    DEFAULT_SLA_RULES,
    PartTransit,
    SlaFacts,
    SlaRule,
    assessed_time,
    due_at,
    excluded_time,
    match_rule,
    standard_hours,
    transit_interval,
    within_sla,
)

TZ = ZoneInfo("Asia/Shanghai")
FOUR = ("air_conditioner", "washing_machine", "dishwasher", "water_heater")
CARRY_MODES = sorted(m.value for m in CARRY_IN_MODES)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


def facts(
    category: str = "air_conditioner",
    tier: int = 1,
    service_type: str = ServiceType.REPAIR.value,
    service_mode: str = ServiceMode.ON_SITE.value,
    source: str = "call_centre",
) -> SlaFacts:
    return SlaFacts(category, tier, service_type, service_mode, source)


def _o9_rows() -> list:
    rows = []
    for cat in FOUR:
        for tier, hours in ((1, 48), (2, 48), (3, 72), (4, 72)):
            rows.append(pytest.param(facts(cat, tier), hours, id=f"{cat}-t{tier}"))
    for cat in ("television", "refrigerator"):
        for tier in (1, 2, 3, 4):
            rows.append(pytest.param(facts(cat, tier), 96, id=f"{cat}-t{tier}"))
    for mode in CARRY_MODES:
        for cat, hours in (("washing_machine", 72), ("refrigerator", 120), ("television", 96)):
            for tier in (1, 3):
                rows.append(
                    pytest.param(
                        facts(cat, tier, service_mode=mode), hours, id=f"carry-{mode}-{cat}-t{tier}"
                    )
                )
    for tier, hours in ((1, 168), (2, 168), (3, 360), (4, 360)):
        rows.append(
            pytest.param(
                facts("air_conditioner", tier, ServiceType.RETURN.value, source="retail_store"),
                hours,
                id=f"return-retail-t{tier}",
            )
        )
    for cat in ("air_conditioner", "television", "refrigerator", "vehicle"):
        rows.append(
            pytest.param(
                facts(cat, 2, service_mode=ServiceMode.PICKUP.value), 120, id=f"pickup-{cat}"
            )
        )
    return rows


@pytest.mark.parametrize(("sla_facts", "hours"), _o9_rows())
def test_o9_every_row_standard_hours(sla_facts: SlaFacts, hours: int) -> None:
    got, label = standard_hours(DEFAULT_SLA_RULES, sla_facts, DEFAULT_POLICY)
    assert got == hours
    assert label.startswith("O-9")


def test_o9_tv_any_tier_96h() -> None:
    for tier in (1, 2, 3, 4):
        assert standard_hours(DEFAULT_SLA_RULES, facts("television", tier), DEFAULT_POLICY) == (
            96,
            "O-9 television and refrigerator, any tier",
        )


def test_o9_carry_in_refrigerator_beats_tv_fridge_row() -> None:
    f = facts("refrigerator", 1, service_mode=ServiceMode.CARRY_IN_BOTH_WAYS_LOANER.value)
    assert standard_hours(DEFAULT_SLA_RULES, f, DEFAULT_POLICY) == (
        120,
        "O-9 carry-in repair, refrigerator",
    )


def test_o9_carry_in_install_is_not_a_carry_in_repair() -> None:
    # Only repairs get the carry-in row; an install of an AC in tier 1 stays at 48 h.
    f = facts("air_conditioner", 1, ServiceType.INSTALL.value, ServiceMode.CARRY_IN_ONE_WAY.value)
    assert standard_hours(DEFAULT_SLA_RULES, f, DEFAULT_POLICY)[0] == 48


def test_o9_return_not_from_retail_store_uses_category_row() -> None:
    f = facts("air_conditioner", 3, ServiceType.RETURN.value, source="call_centre")
    assert standard_hours(DEFAULT_SLA_RULES, f, DEFAULT_POLICY)[0] == 72


def test_o9_category_without_row_falls_back_to_policy_default() -> None:
    f = facts("vehicle", 1)
    assert standard_hours(DEFAULT_SLA_RULES, f, DEFAULT_POLICY) == (72, "default")
    assert standard_hours(DEFAULT_SLA_RULES, f, Policy(default_sla_hours=30)) == (30, "default")
    assert match_rule(DEFAULT_SLA_RULES, f) is None


def test_o9_no_rules_at_all_uses_default() -> None:
    assert standard_hours((), facts("television"), Policy(default_sla_hours=12)) == (12, "default")


def test_o9_lower_rank_custom_rule_wins() -> None:
    custom = SlaRule(5, 24, "custom TV", categories=frozenset({"television"}))
    rules = (*DEFAULT_SLA_RULES, custom)
    assert standard_hours(rules, facts("television", 3), DEFAULT_POLICY) == (24, "custom TV")
    # The rule does not match other categories: they keep the O-9 rows.
    assert standard_hours(rules, facts("refrigerator", 3), DEFAULT_POLICY)[0] == 96


def test_o9_higher_rank_custom_rule_loses() -> None:
    custom = SlaRule(99, 24, "custom TV", categories=frozenset({"television"}))
    rules = (custom, *DEFAULT_SLA_RULES)
    assert standard_hours(rules, facts("television", 3), DEFAULT_POLICY)[0] == 96


def test_o9_rule_with_empty_sets_matches_everything() -> None:
    catch_all = SlaRule(1000, 10)
    assert catch_all.matches(facts("vehicle", 4, "consultation", "pickup", "web"))
    assert standard_hours((catch_all,), facts("vehicle"), DEFAULT_POLICY) == (10, "")


def test_o9_due_at_adds_hours() -> None:
    assert due_at(at(1, 9), 48) == at(3, 9)
    assert due_at(at(1, 9), 360) == at(16, 9)


# --- O-10 -----------------------------------------------------------------------------


def test_o10_no_parts_assessed_is_gross() -> None:
    assert assessed_time(at(1, 9), at(3, 15)) == timedelta(hours=54)


def test_o10_transit_prefers_receipt_minus_shipment() -> None:
    part = PartTransit(
        ShippedBy.MANUFACTURER,
        requested_at=at(1, 10),
        released_at=at(1, 12),
        shipped_at=at(2, 8),
        received_at=at(3, 8),
    )
    assert transit_interval(part) == (at(2, 8), at(3, 8))
    assert assessed_time(at(1, 9), at(4, 9), [part]) == timedelta(hours=72 - 24)


def test_o10_fallback_request_to_release_when_shipment_unknown() -> None:
    part = PartTransit(ShippedBy.MANUFACTURER, requested_at=at(1, 10), released_at=at(2, 16))
    assert transit_interval(part) == (at(1, 10), at(2, 16))
    assert assessed_time(at(1, 9), at(4, 9), [part]) == timedelta(hours=72 - 30)


def test_o10_fallback_when_only_shipment_known() -> None:
    part = PartTransit(
        ShippedBy.MANUFACTURER,
        requested_at=at(1, 10),
        released_at=at(1, 20),
        shipped_at=at(2, 8),
    )
    assert transit_interval(part) == (at(1, 10), at(1, 20))


def test_o10_nothing_known_excludes_nothing() -> None:
    part = PartTransit(ShippedBy.MANUFACTURER, requested_at=at(1, 10))
    assert transit_interval(part) is None
    assert assessed_time(at(1, 9), at(2, 9), [part]) == timedelta(hours=24)


def test_o10_outlet_shipped_parts_are_not_excluded() -> None:
    part = PartTransit(ShippedBy.OUTLET, shipped_at=at(2, 8), received_at=at(3, 8))
    assert transit_interval(part) is None
    assert assessed_time(at(1, 9), at(4, 9), [part]) == timedelta(hours=72)


def test_o10_overlapping_transits_count_once() -> None:
    p1 = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(2, 0), received_at=at(2, 12))
    p2 = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(2, 6), received_at=at(2, 18))
    # Union is 02 00:00 → 02 18:00 = 18 h, not 24 h.
    assert excluded_time([p1, p2], at(1), at(5)) == timedelta(hours=18)
    assert assessed_time(at(1), at(5), [p2, p1]) == timedelta(hours=96 - 18)


def test_o10_nested_and_disjoint_transits() -> None:
    outer = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(2, 0), received_at=at(3, 0))
    inner = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(2, 5), received_at=at(2, 10))
    later = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(4, 0), received_at=at(4, 6))
    assert excluded_time([later, inner, outer], at(1), at(5)) == timedelta(hours=30)


def test_o10_transit_partly_outside_window_is_clipped() -> None:
    early = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(1, 0), received_at=at(1, 12))
    late = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(3, 0), received_at=at(4, 0))
    # Window [01 09:00, 03 06:00]: 3 h of `early` and 6 h of `late` fall inside.
    assert excluded_time([early, late], at(1, 9), at(3, 6)) == timedelta(hours=9)
    assert assessed_time(at(1, 9), at(3, 6), [early, late]) == timedelta(hours=45 - 9)


def test_o10_transit_wholly_outside_window_is_ignored() -> None:
    part = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(10), received_at=at(11))
    assert excluded_time([part], at(1), at(5)) == timedelta(0)


def test_o10_never_negative() -> None:
    assert assessed_time(at(3), at(1)) == timedelta(0)
    part = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(1), received_at=at(10))
    assert assessed_time(at(2), at(3), [part]) == timedelta(0)


def test_o10_within_sla_boundary() -> None:
    assert within_sla(timedelta(hours=48), 48) is True
    assert within_sla(timedelta(hours=48, seconds=1), 48) is False
    assert within_sla(timedelta(hours=47, minutes=59), 48) is True


def test_o10_excluded_transit_brings_order_within_sla() -> None:
    part = PartTransit(ShippedBy.MANUFACTURER, shipped_at=at(2, 9), received_at=at(3, 9))
    gross = at(4, 9) - at(1, 9)
    assessed = assessed_time(at(1, 9), at(4, 9), [part])
    assert within_sla(gross, 48) is False
    assert within_sla(assessed, 48) is True
