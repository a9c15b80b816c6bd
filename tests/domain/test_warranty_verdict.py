from __future__ import annotations

from datetime import date

from aftersales.domain.warranty import add_months, warranty_verdict


def test_w1_one_year_term_boundaries():
    p = date(2025, 3, 10)
    assert warranty_verdict(purchase_date=p, on=date(2026, 3, 9), term_months=12).in_warranty
    v = warranty_verdict(purchase_date=p, on=date(2026, 3, 10), term_months=12)
    assert (v.in_warranty, v.reason) == (False, "expired")


def test_w1_no_proof_of_purchase_is_out_of_warranty():
    v = warranty_verdict(purchase_date=None, on=date(2026, 1, 1), term_months=12)
    assert (v.in_warranty, v.reason) == (False, "no_purchase_date")


def test_w1_extension_counts_through_its_last_day():
    v = warranty_verdict(
        purchase_date=date(2024, 1, 1),
        on=date(2026, 6, 30),
        term_months=12,
        extended_until=date(2026, 6, 30),
    )
    assert (v.in_warranty, v.reason) == (True, "extended")


def test_w1_month_arithmetic_clamps_to_month_end():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
