"""The keeper's pages at 360 px in headless Chromium: no sideways page scroll, a receipt and
an issue go through the forms, and the slip shows the bin."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.accounts.models import Outlet, User
from aftersales.parts.models import Bin, Part, StockBalance, Warehouse
from tests.chromium import NEEDS_CHROMIUM, login

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def store(reference_data):
    outlet = Outlet.objects.create(code="qd-01", name="Qingdao 1", region="Qingdao", market_tier=1)
    User.objects.create_user("keeper", password="pw", outlet=outlet, roles=["parts_keeper"])
    wh = Warehouse.objects.create(code="qd-main", name="Store", outlet=outlet)
    Bin.objects.create(warehouse=wh, zone="A", shelf="01", level="1", position="01")
    Part.objects.create(code="P-100", name="压缩机电容", model="KFR-35", unit_cost=Decimal("12.5"))
    return wh


def test_p2_keeper_receives_and_issues_at_360px(chromium, live_server, store):
    base = live_server.url
    page = chromium.new_page(viewport={"width": 360, "height": 740}, locale="en-US")
    login(page, base, "keeper")

    page.goto(f"{base}/parts/receive/")
    page.fill("input[name=part_0]", "P-100")
    page.fill("input[name=bin_0]", "A-01-1-01")
    page.fill("input[name=qty_0]", "4")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/parts/docs/D*/")

    page.goto(f"{base}/parts/issue/")
    page.fill("input[name=part_0]", "P-100")
    page.fill("input[name=qty_0]", "3")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/parts/docs/D*/")
    assert "A-01-1-01" in page.locator("table.slip").inner_text()
    assert StockBalance.objects.get().qty == 1

    for path in ("/parts/", "/parts/?part=P-100", "/parts/issue/", "/parts/requests/",
                 "/parts/counts/", "/parts/ageing/", "/parts/account/"):  # fmt: skip
        page.goto(base + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 362, (path, wide)
