"""Stock never goes negative under concurrent issues (PostgreSQL, real threads and row locks)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from aftersales.domain.errors import DomainError
from aftersales.parts import inputs, services
from aftersales.parts.models import Bin, Part, StockBalance, StockLot, StockMove, Warehouse


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
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=20)
            services.stock_issue(
                actor=keeper,
                data=inputs.IssueIn(
                    warehouse="qd-main", lines=[inputs.IssueLine(part="P-1", qty=1)]
                ),
                now=timezone.now(),
            )
            result = "ok"
        except DomainError as e:
            result = e.code
        except Exception as e:  # noqa: BLE001 - any other outcome fails the test below
            result = repr(e)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["insufficient_stock"] * 15 + ["ok"] * 5, outcomes
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
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(user) -> None:
        try:
            barrier.wait(timeout=20)
            services.count_start(actor=user, warehouse="qd-main", now=timezone.now())
            result = "ok"
        except DomainError as e:
            result = e.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(u,)) for u in (keeper, sup)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["count_already_open", "ok"]
    from aftersales.parts.models import StockCount

    assert StockCount.objects.filter(status="open").count() == 1
