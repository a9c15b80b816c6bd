"""Fixtures of the parts tests: a keeper, an outlet warehouse with bins, a van, parts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from aftersales.accounts.models import Outlet, User
from aftersales.parts.models import (
    AccountEntry,
    Bin,
    OldPartReturn,
    Part,
    PartRequest,
    StockBalance,
    StockCount,
    StockCountLine,
    StockDoc,
    StockLot,
    StockMove,
    Warehouse,
)


@pytest.fixture
def keeper(make_user: Callable[..., User]) -> User:
    return make_user("keeper", "parts_keeper")


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user("sup", "supervisor")


@pytest.fixture
def wh(outlet: Outlet) -> Warehouse:
    w = Warehouse.objects.create(code="qd-main", name="Qingdao store", outlet=outlet)
    for zone, shelf, level, pos in [
        ("A", "01", "1", "01"),
        ("A", "01", "1", "02"),
        ("B", "02", "3", "04"),
    ]:
        Bin.objects.create(warehouse=w, zone=zone, shelf=shelf, level=level, position=pos)
    Bin.objects.create(warehouse=w, zone="X", shelf="00", level="0", position="00", area="separate")
    return w


@pytest.fixture
def van(outlet: Outlet, tech: User) -> Warehouse:
    w = Warehouse.objects.create(
        code="van-tech", name="Van of tech", outlet=outlet, kind="van", technician=tech
    )
    Bin.objects.create(warehouse=w, zone="V", shelf="1", level="1", position="1")
    return w


@pytest.fixture
def other_wh(other_outlet: Outlet) -> Warehouse:
    w = Warehouse.objects.create(code="jn-main", name="Jinan store", outlet=other_outlet)
    Bin.objects.create(warehouse=w, zone="A", shelf="01", level="1", position="01")
    return w


@pytest.fixture
def part(db: Any) -> Part:
    return Part.objects.create(
        code="P-100",
        name="压缩机电容",
        model="KFR-35",
        unit_cost=Decimal("12.50"),
        list_price=Decimal("30.00"),
        barcode="6901234567890",
        fits_models=["KFR-35", "KFR-26"],
    )


@pytest.fixture
def part2(db: Any) -> Part:
    return Part.objects.create(
        code="P-200", name="Fan motor", model="FM-1", unit_cost=Decimal("80")
    )


@pytest.fixture
def order_no(api: Any, clerk: User, tech: User, wh: Warehouse, part: Part) -> str:
    """An in-warranty order assigned to `tech` (for part requests)."""
    from tests.flows.helpers import T0, act, frozen, receive

    c = api(clerk)
    with frozen(T0):
        n = receive(c, product={"purchase_date": "2026-06-01"})["number"]
        act(c, n, "assign", {"technician": "tech"})
    return str(n)


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (
            StockMove,
            StockLot,
            StockDoc,
            AccountEntry,
            PartRequest,
            StockCount,
            StockCountLine,
            OldPartReturn,
        )
    } | {"on_hand": sum(StockBalance.objects.values_list("qty", flat=True))}
