"""Stock never goes negative under concurrent issues (PostgreSQL, real threads and row locks)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from aftersales.parts import inputs, services
from aftersales.parts.models import Bin, Part, StockBalance, StockLot, StockMove, Warehouse
from tests.concurrency import race


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_p3_twenty_concurrent_issues_of_the_last_five_units(reference_data, make_user, outlet):
    keeper = make_user("keeper", "parts_keeper")
    wh = Warehouse.objects.create(code="qd-main", name="store", outlet=outlet)
    Bin.objects.create(warehouse=wh, zone="A", shelf="1", level="1", position="1")
    Bin.objects.create(warehouse=wh, zone="A", shelf="1", level="1", position="2")
    Part.objects.create(code="P-1", name="cap", unit_cost=Decimal("1"))
    now = timezone.now()
    # The last five units, in two bins and two lots: FIFO must cross bins under the locks.
    for b, n in (("A-1-1-1", 3), ("A-1-1-2", 2)):
        services.stock_receive(
            actor=keeper,
            data=inputs.ReceiptIn(
                warehouse="qd-main", lines=[inputs.ReceiptLine(part="P-1", bin=b, qty=n)]
            ),
            now=now,
        )

    def issue() -> None:
        services.stock_issue(
            actor=keeper,
            data=inputs.IssueIn(warehouse="qd-main", lines=[inputs.IssueLine(part="P-1", qty=1)]),
            now=timezone.now(),
        )

    outcomes = race(*[issue] * 20)
    assert outcomes == ["insufficient_stock"] * 15 + ["ok"] * 5, outcomes
    assert sum(StockBalance.objects.values_list("qty", flat=True)) == 0
    assert sum(StockLot.objects.values_list("qty_left", flat=True)) == 0
    assert StockMove.objects.filter(kind="issue").count() == 5
    assert sum(StockMove.objects.values_list("qty", flat=True)) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_p4_two_counts_started_at_once_one_wins(reference_data, make_user, outlet):
    keeper = make_user("keeper", "parts_keeper")
    sup = make_user("sup", "supervisor")
    wh = Warehouse.objects.create(code="qd-main", name="store", outlet=outlet)
    Bin.objects.create(warehouse=wh, zone="A", shelf="1", level="1", position="1")

    def start(user) -> None:
        services.count_start(actor=user, warehouse="qd-main", now=timezone.now())

    outcomes = race(lambda: start(keeper), lambda: start(sup))
    assert outcomes == ["count_already_open", "ok"]
    from aftersales.parts.models import StockCount

    assert StockCount.objects.filter(status="open").count() == 1
