"""Pure rules of W-1…W-3 and S-1/S-2: no database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from aftersales.domain.errors import DomainError
from aftersales.domain.warranty import (
    ChargeRule,
    Coverage,
    Line,
    LineKind,
    PartBasis,
    Term,
    ThreeGuarantees,
    check_lines,
    check_money,
    coverage_of,
    eligibility,
    term_for,
    warranty_verdict,
)
from aftersales.domain.warranty_scores import (
    Job,
    RuleAmount,
    Targets,
    Tier,
    commission,
    entry_amount,
    is_late,
    month_bounds,
    require_evidence,
    scorecard,
)
from tests.conftest import local

D = Decimal
OUT = ChargeRule(Coverage.OUT_OF_WARRANTY, PartBasis.LIST, D(0), D(0), True, True)
MISUSE = ChargeRule(Coverage.MISUSE, PartBasis.COST, D(0), D(0), False, True)
FREE = ChargeRule(Coverage.IN_WARRANTY, PartBasis.FREE, D(0), D(0), False, False)


def test_w1_model_term_beats_category_beats_default():
    terms = [Term("television", "", 24), Term("television", "QLED-55", 36)]
    assert term_for(terms, category="television", model="qled-55", default_months=12) == (
        36,
        "model",
    )
    assert term_for(terms, category="television", model="X", default_months=12) == (24, "category")
    assert term_for(terms, category="washing_machine", model="X", default_months=12) == (
        12,
        "default",
    )


def test_w1_verdict_carries_term_and_basis():
    v = warranty_verdict(
        purchase_date=date(2026, 1, 1), on=date(2026, 6, 1), term_months=24, term_basis="category"
    )
    assert (v.in_warranty, v.reason, v.ends, v.term_months, v.term_basis) == (
        True,
        "within_term",
        date(2028, 1, 1),
        24,
        "category",
    )


def test_w2_coverage_from_verdict_and_misuse():
    inside = warranty_verdict(purchase_date=date(2026, 1, 1), on=date(2026, 2, 1), term_months=12)
    outside = warranty_verdict(purchase_date=date(2020, 1, 1), on=date(2026, 2, 1), term_months=12)
    assert coverage_of(inside, misuse=False) == Coverage.IN_WARRANTY
    assert coverage_of(inside, misuse=True) == Coverage.MISUSE
    assert coverage_of(outside, misuse=True) == Coverage.OUT_OF_WARRANTY


def test_w2_money_refuses_more_decimals_than_the_currency():
    assert check_money(D("12.5"), decimals=2, currency="CNY", field="x") == D("12.50")
    assert check_money(D("1000"), decimals=0, currency="KRW", field="x") == D("1000")
    assert check_money(D("1000.00"), decimals=0, currency="KRW", field="x") == D("1000")
    with pytest.raises(DomainError) as e:
        check_money(D("1000.5"), decimals=0, currency="KRW", field="x")
    assert e.value.code == "too_many_decimals"
    with pytest.raises(DomainError) as e:
        check_money(D("1.005"), decimals=2, currency="CNY", field="x")
    assert e.value.code == "too_many_decimals"
    with pytest.raises(DomainError) as e:
        check_money(D("-1"), decimals=2, currency="CNY", field="x")
    assert e.value.code == "negative_amount"


def test_w2_quote_lines_total_and_refusals():
    lines = [
        Line(LineKind.PART, "compressor", D(1), D("820.00")),
        Line(LineKind.TRAVEL, "trip", D(1), D("30")),
    ]
    assert check_lines(OUT, lines, decimals=2, currency="CNY") == D("850.00")
    with pytest.raises(DomainError) as e:
        check_lines(OUT, [Line(LineKind.PART, "x", D(1), D("-5"))], decimals=2, currency="CNY")
    assert e.value.code == "negative_line"
    with pytest.raises(DomainError) as e:
        check_lines(OUT, [Line(LineKind.PART, "x", D(-1), D("5"))], decimals=2, currency="CNY")
    assert e.value.code == "negative_line"
    with pytest.raises(DomainError) as e:
        check_lines(OUT, [], decimals=2, currency="CNY")
    assert e.value.code == "quote_empty"


def test_w2_no_labour_fee_by_default_and_no_service_fee_for_misuse():
    with pytest.raises(DomainError) as e:
        check_lines(OUT, [Line(LineKind.LABOUR, "labour", D(1), D(50))], decimals=2, currency="CNY")
    assert e.value.code == "labour_not_charged"
    with pytest.raises(DomainError) as e:
        check_lines(
            MISUSE, [Line(LineKind.TRAVEL, "trip", D(1), D(20))], decimals=2, currency="CNY"
        )
    assert e.value.code == "travel_not_charged"
    paid = ChargeRule(Coverage.OUT_OF_WARRANTY, PartBasis.LIST, D(80), D(0), True, True)
    assert check_lines(
        paid, [Line(LineKind.LABOUR, "labour", D(2), D(40))], decimals=2, currency="CNY"
    ) == D(80)
    with pytest.raises(DomainError) as e:
        check_lines(FREE, [Line(LineKind.PART, "x", D(1), D(5))], decimals=2, currency="CNY")
    assert e.value.code == "parts_free"


@pytest.mark.parametrize(
    ("days", "perf", "in_w", "repairs", "options", "reason"),
    [
        (3, True, True, 0, ("return", "exchange"), "within_return_days"),
        (7, True, True, 0, ("return", "exchange"), "within_return_days"),
        (8, True, True, 0, ("exchange",), "within_exchange_days"),
        (15, True, True, 0, ("exchange",), "within_exchange_days"),
        (16, True, True, 1, (), "not_eligible"),
        (200, True, True, 2, ("exchange",), "repeated_repairs"),
        (3, False, True, 0, (), "not_eligible"),
        (500, True, False, 5, (), "not_eligible"),
    ],
)
def test_w3_three_guarantees_eligibility(days, perf, in_w, repairs, options, reason):
    bought = date(2026, 1, 1)
    e = eligibility(
        purchase_date=bought,
        fault_on=bought + timedelta(days=days),
        performance_fault=perf,
        in_warranty=in_w,
        same_fault_repairs=repairs,
        rules=ThreeGuarantees(),
    )
    assert (e.options, e.reason) == (options, reason)


def test_w3_no_purchase_date_no_return():
    e = eligibility(
        purchase_date=None,
        fault_on=date(2026, 1, 2),
        performance_fault=True,
        in_warranty=False,
        same_fault_repairs=9,
        rules=ThreeGuarantees(),
    )
    assert (e.options, e.reason) == ((), "no_purchase_date")


def test_s1_amount_within_range_and_evidence_required():
    rule = RuleAmount("complaint_at_fault", "penalty", D(100), D(100), D(1000), 0)
    assert entry_amount(rule, None) == D(100)
    assert entry_amount(rule, D(600)) == D(600)
    with pytest.raises(DomainError) as e:
        entry_amount(rule, D(1001))
    assert e.value.code == "amount_out_of_range"
    with pytest.raises(DomainError) as e:
        require_evidence("   ")
    assert e.value.code == "evidence_required"


def test_s1_late_arrival_after_window_end_or_start():
    s, e = local(2026, 12, 7, 9), local(2026, 12, 7, 11)
    assert not is_late(arrived_at=local(2026, 12, 7, 10), window_start=s, window_end=e, basis="end")
    assert is_late(arrived_at=local(2026, 12, 7, 11, 1), window_start=s, window_end=e, basis="end")
    assert is_late(arrived_at=local(2026, 12, 7, 9, 1), window_start=s, window_end=e, basis="start")


def test_s2_month_bounds_refuse_bad_months():
    assert month_bounds("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    for bad in ("2026-13", "26-1", "december", "2026-1"):
        with pytest.raises(DomainError):
            month_bounds(bad)


def test_s2_commission_by_speed():
    tiers = [Tier(24, D(30)), Tier(48, D(25)), Tier(None, D(15))]
    assert commission(D(5), tiers) == D(30)
    assert commission(D(24), tiers) == D(30)
    assert commission(D("24.5"), tiers) == D(25)
    assert commission(D(100), tiers) == D(15)


def _job(**kw):
    base = dict(
        created_at=local(2026, 12, 7, 8),
        assigned_at=local(2026, 12, 7, 8, 10),
        first_contact_at=local(2026, 12, 7, 9),
        window_start=local(2026, 12, 7, 10),
        window_end=local(2026, 12, 7, 12),
        arrived_at=local(2026, 12, 7, 11),
        parts_requested=False,
        parts_late=False,
        completed_at=local(2026, 12, 7, 13),
        closed=True,
        within_sla=True,
        repeat=False,
        revisit_satisfied=True,
        report_complete=True,
    )
    base.update(kw)
    return Job(**base)


def test_s2_o15_six_timely_and_scorecard_figures():
    jobs = [
        _job(),
        _job(
            arrived_at=local(2026, 12, 7, 12, 30),
            within_sla=False,
            repeat=True,
            revisit_satisfied=False,
            parts_requested=True,
            parts_late=True,
            assigned_at=local(2026, 12, 7, 9),
            first_contact_at=local(2026, 12, 7, 12),
            completed_at=local(2026, 12, 10, 13),
            report_complete=False,
        ),
    ]
    card = scorecard(jobs, targets=Targets(), tiers=[Tier(24, D(30)), Tier(None, D(15))])
    assert card.jobs == 2
    assert card.on_time_rate == D("50.0")
    assert card.timely == {
        "accept": D("50.0"),
        "contact": D("50.0"),
        "arrive": D("50.0"),
        "parts": D("0.0"),
        "leftovers": D("50.0"),
        "close": D("50.0"),
    }
    assert (card.repeat_repairs, card.repeat_rate, card.satisfaction) == (1, D("50.0"), D("50.0"))
    assert card.incomplete_reports == 1
    assert card.commission == D(45)


def test_s2_empty_month_has_no_rates():
    card = scorecard([], targets=Targets(), tiers=[])
    assert card.jobs == 0 and card.on_time_rate is None and card.commission == 0
