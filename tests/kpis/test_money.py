"""Money and parts figures: P-9 out-of-warranty parts ratio (agreeing with the parts app's
own `oow_ratio`), parts purchases, revenue from accepted quotes, value per order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.parts.models import AccountEntry
from aftersales.parts.selectors import oow_ratio
from tests.flows.helpers import T0, frozen, receive
from tests.kpis.conftest import MONTH, READ_AT, read
from tests.parts.conftest import keeper, order_no, part, wh  # noqa: F401  (fixtures)
from tests.parts.test_stock import issue
from tests.parts.test_stock import receive as stock_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(api, keeper, clerk, wh, part):  # noqa: F811
    k, c = api(keeper), api(clerk)
    with frozen(T0):
        stock_in(k, 10)
        n_in = receive(c, source_ref="IN", product={"serial": "S-IN", "purchase_date": "2026-06-01"})  # fmt: skip
        n_out = receive(c, source_ref="OUT", product={"serial": "S-OUT", "purchase_date": "2020-01-01"})  # fmt: skip
        issue(k, 1, order=n_in["number"])
        issue(k, 3, order=n_out["number"])
        issue(k, 1)  # not on an order: not counted
    return n_in["number"], n_out["number"]


def test_p9_oow_ratio_agrees_with_the_parts_app(api, manager, issued):
    f = read(api(manager))["oow_parts_ratio"]
    (row,) = oow_ratio(manager, month=MONTH)
    assert (Decimal(f["numerator"]), Decimal(f["denominator"])) == (row["oow_value"], row["total_value"])  # fmt: skip
    assert f["value"] == "75.0" and row["ratio"] == Decimal("0.7500")
    with frozen(READ_AT):
        drill = api(manager).get("/kpis/orders", month=MONTH, kpi="oow_parts_ratio").json()
    assert {r["number"] for r in drill["results"]} == set(issued)
    assert read(api(manager), category="television")["oow_parts_ratio"]["no_data"] is True


def test_k2_parts_purchases_of_the_period(api, manager, issued):
    debit = sum(AccountEntry.objects.filter(kind="purchase").values_list("amount", flat=True))
    f = read(api(manager))["parts_purchases"]
    assert debit < 0 and Decimal(f["value"]) == -debit and f["numerator"] == "1"
    with frozen(READ_AT):
        r = api(manager).get("/kpis", month="2026-11").json()
    assert {x["id"]: x for x in r["figures"]}["parts_purchases"]["no_data"] is True


def test_k2_revenue_and_value_per_order_from_accepted_quotes(api, manager, clerk, tech, issued):
    from aftersales.orders.models import Order

    n_out = issued[1]
    Order.objects.filter(number=n_out).update(completed_at=T0 + timedelta(hours=5))
    c = api(clerk)
    with frozen(T0 + timedelta(hours=1)):
        q = c.post("/quotes", {"order": n_out, "lines": [{"kind": "part", "part_code": "P-100", "quantity": 2}]})  # fmt: skip
        assert q.status_code == 201, q.content
        d = c.post(f"/quotes/{q.json()['number']}/decision", {"accepted": True})
        assert d.status_code == 200, d.content
    f = read(api(manager))
    total = Decimal(q.json()["total"])
    assert Decimal(f["revenue_parts"]["value"]) == total and total > 0
    assert Decimal(f["revenue_labour"]["value"]) == 0
    assert Decimal(f["value_per_order"]["value"]) == total  # one completed order
    assert f["revenue_insurance"]["no_data"] is True
    with frozen(READ_AT):
        drill = api(manager).get("/kpis/orders", month=MONTH, kpi="revenue_parts").json()
    assert [r["number"] for r in drill["results"]] == [n_out]


def test_k2_warranty_claims_are_the_old_parts_due_back_on_orders_closed_in_the_period(
    api,
    manager,
    clerk,
    tech,
    keeper,  # noqa: F811
    order_no,  # noqa: F811
):
    from django.core.cache import cache

    from tests.parts.test_requests import _to_fitted, finish

    assert read(api(manager))["warranty_claims"]["no_data"] is True
    cache.clear()  # figures are cached for KpiPolicy.cache_seconds: read afresh
    with frozen(T0):
        _to_fitted(api, tech, keeper, order_no)
        finish(api(clerk), api(tech), order_no, T0)
    f = read(api(manager))["warranty_claims"]
    assert Decimal(f["value"]) == Decimal("25.00") and f["numerator"] == "1"
    with frozen(READ_AT):
        drill = api(manager).get("/kpis/orders", month=MONTH, kpi="warranty_claims").json()
    assert [r["number"] for r in drill["results"]] == [order_no]
    with frozen(READ_AT):
        r = api(manager).get("/kpis", month="2026-11").json()
    assert {x["id"]: x for x in r["figures"]}["warranty_claims"]["no_data"] is True
