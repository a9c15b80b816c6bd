"""Pure parts rules (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from aftersales.domain import parts as p
from aftersales.domain.errors import DomainError

T = datetime(2026, 12, 7, 9, tzinfo=UTC)
R = p.DEFAULT_RULES


def test_p3_fifo_take_oldest_first_then_by_id():
    lots = [p.Lot(3, 1, T, 5), p.Lot(1, 2, T - timedelta(days=1), 2), p.Lot(2, 1, T, 4)]
    plan = [(lot.id, n) for lot, n in p.fifo_take(lots, 7)]
    assert plan == [(1, 2), (2, 4), (3, 1)]


def test_p3_fifo_take_refuses_more_than_available_naming_both():
    with pytest.raises(DomainError) as e:
        p.fifo_take([p.Lot(1, 1, T, 2), p.Lot(2, 1, T, 0)], 3, part="P-1")
    assert e.value.code == "insufficient_stock" and e.value.status == 409
    assert e.value.params == {"part": "P-1", "wanted": 3, "available": 2}


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2", 1_000_001])
def test_check_quantity_refuses(bad):
    with pytest.raises(DomainError) as e:
        p.check_quantity(bad)
    assert e.value.code == "bad_quantity"


@pytest.mark.parametrize(
    ("days", "band"), [(0, "fresh"), (29, "fresh"), (30, "yellow"), (89, "yellow"), (90, "red")]
)
def test_p5_ageing_band(days, band):
    assert p.ageing_band(T - timedelta(days=days), T, R).value == band
    assert p.ageing_band(None, T, R) == p.Band.FRESH


def test_p5_ageing_band_editable():
    rules = p.PartsRules(ageing_yellow_days=7, ageing_red_days=14)
    assert p.ageing_band(T - timedelta(days=8), T, rules) == p.Band.YELLOW


def test_p6_reorder_min_max_and_reorder_point():
    s = p.reorder_suggestion(p.ReorderFacts(on_hand=2, used=0, orders=0, min_qty=3, max_qty=10), R)
    assert s == p.Suggestion(8, "below_min", False)
    s = p.reorder_suggestion(
        p.ReorderFacts(on_hand=4, used=0, orders=0, reorder_point=4, reorder_qty=12), R
    )
    assert s == p.Suggestion(12, "reorder_point", False)
    assert p.reorder_suggestion(p.ReorderFacts(5, 0, 0, reorder_point=4, reorder_qty=12), R) is None


def test_p6_reorder_from_usage_and_frequent_failures():
    s = p.reorder_suggestion(p.ReorderFacts(on_hand=1, used=90, orders=6), R)
    assert s == p.Suggestion(29, "usage", True)  # 30 days of 1/day, 1 on hand
    assert p.reorder_suggestion(p.ReorderFacts(on_hand=30, used=90, orders=6), R) is None
    assert p.reorder_suggestion(p.ReorderFacts(on_hand=0, used=0, orders=0), R) is None


def test_p8_return_due_three_days_after_close():
    assert p.return_due(T, R) == T + timedelta(days=3)
    assert p.return_due(T, p.PartsRules(return_due_days=5)) == T + timedelta(days=5)


def test_p7_account_alert_below_5000():
    assert p.account_alert(Decimal("4999.99"), R) is True
    assert p.account_alert(Decimal("5000"), R) is False


def test_p9_oow_ratio():
    assert p.oow_ratio(Decimal("37.5"), Decimal("50")) == Decimal("0.7500")
    assert p.oow_ratio(Decimal(0), Decimal(0)) is None


def test_o13_request_lifecycle_order_and_refusals():
    s = p.RequestStatus.REQUESTED
    for action in ("approve", "ship", "receive", "issue", "fit"):
        s = p.request_next(s, action)
    assert s == p.RequestStatus.FITTED
    with pytest.raises(DomainError) as e:
        p.request_next(p.RequestStatus.REQUESTED, "issue")
    assert e.value.code == "illegal_request_transition" and "approve" in e.value.message
    with pytest.raises(DomainError) as e:
        p.request_next(p.RequestStatus.SHIPPED, "cancel")
    assert e.value.status == 409


def test_p4_count_close_problems():
    lines = [
        p.CountLineFacts(5, 5, False),
        p.CountLineFacts(5, 3, False),
        p.CountLineFacts(5, 4, True),
        p.CountLineFacts(1, None, False),
    ]
    assert p.count_close_problems(lines) == (1, 1)


def test_p1_code39_bars_and_charset():
    bars = p.code39_bars("P-1")
    assert len(bars) == 5 * 5  # start, P, -, 1, stop: five bars each
    with pytest.raises(DomainError) as e:
        p.code39_bars("P_1")
    assert e.value.code == "barcode_charset"
