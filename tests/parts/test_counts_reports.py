"""P-4 counts, P-5 ageing, P-6 reorder, P-7 account, P-9 out-of-warranty ratio."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.parts.models import (
    AccountEntry,
    PartsPolicy,
    ReorderRule,
    StockBalance,
    StockCount,
    StockMove,
)
from tests.flows.helpers import T0, act, assert_error, frozen, receive
from tests.parts.conftest import counts
from tests.parts.test_stock import issue
from tests.parts.test_stock import receive as stock_in


def _count(c, wh="qd-main"):
    r = c.post("/stock/counts", {"warehouse": wh})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.mark.django_db
def test_p4_count_variance_posts_only_with_reason_and_approval(api, keeper, supervisor, wh, part):
    k, s = api(keeper), api(supervisor)
    with frozen(T0):
        stock_in(k, 5)
        sheet = _count(k)
    line = sheet["lines"][0]
    assert (line["book"], line["counted"]) == (5, None)
    cid, lid = sheet["id"], line["id"]
    with frozen(T0 + timedelta(hours=1)):
        k.post(f"/stock/counts/{cid}/lines/{lid}", {"counted": 3})
        before = counts()
        # Closing with an unapproved variance is refused and writes nothing.
        assert_error(k.post(f"/stock/counts/{cid}/close", {}), 409, "count_unapproved_variances")
        # The keeper cannot approve; the supervisor needs a reason.
        assert_error(k.post(f"/stock/counts/{cid}/lines/{lid}/approve", {}), 403, "forbidden")
        assert_error(s.post(f"/stock/counts/{cid}/lines/{lid}/approve", {}), 422, "reason_required")
        assert counts() == before
        out = s.post(
            f"/stock/counts/{cid}/lines/{lid}/approve", {"reason": "two broken in transit"}
        )
        assert out.status_code == 200, out.content
        assert out.json()["lines"][0]["approved"] is True
        assert StockBalance.objects.get().qty == 3
        adj = StockMove.objects.get(kind="adjust")
        assert adj.qty == -2 and adj.reason == "two broken in transit"
        closed = k.post(f"/stock/counts/{cid}/close", {})
        assert closed.status_code == 200 and closed.json()["status"] == "closed"


@pytest.mark.django_db
def test_p4_positive_variance_adds_a_lot(api, keeper, supervisor, wh, part):
    k = api(keeper)
    stock_in(k, 1)
    sheet = _count(k)
    lid = sheet["lines"][0]["id"]
    k.post(f"/stock/counts/{sheet['id']}/lines/{lid}", {"counted": 4, "reason": "found a box"})
    assert (
        api(supervisor).post(f"/stock/counts/{sheet['id']}/lines/{lid}/approve", {}).status_code
        == 200
    )
    assert StockBalance.objects.get().qty == 4


@pytest.mark.django_db
def test_p4_one_open_count_per_warehouse_and_uncounted_lines_block_close(api, keeper, wh, part):
    k = api(keeper)
    stock_in(k, 1)
    sheet = _count(k)
    before = counts()
    assert_error(k.post("/stock/counts", {"warehouse": "qd-main"}), 409, "count_already_open")
    assert_error(k.post(f"/stock/counts/{sheet['id']}/close", {}), 409, "count_incomplete")
    assert_error(
        k.post(f"/stock/counts/{sheet['id']}/lines/{sheet['lines'][0]['id']}", {"counted": -1}),
        422,
        "validation",
    )
    assert counts() == before
    assert StockCount.objects.count() == 1


@pytest.mark.django_db
def test_p4_count_of_other_outlet_is_404(api, keeper, make_user, other_outlet, wh, part):
    k = api(keeper)
    stock_in(k, 1)
    sheet = _count(k)
    other = api(make_user("k2", "parts_keeper", outlet=other_outlet))
    assert_error(other.get(f"/stock/counts/{sheet['id']}"), 404, "not_found")
    assert_error(other.post("/stock/counts", {"warehouse": "qd-main"}), 404, "not_found")


@pytest.mark.django_db
def test_p5_ageing_yellow_after_a_month_red_after_three_and_issue_resets(
    api, keeper, wh, part, part2
):
    k = api(keeper)
    with frozen(T0):
        stock_in(k, 2)
        stock_in(k, 2, part="P-200", bin="A-01-1-02")
    with frozen(T0 + timedelta(days=31)):
        rows = {r["part"]: r["band"] for r in k.get("/stock/ageing").json()["results"]}
        assert rows == {"P-100": "yellow", "P-200": "yellow"}
        issue(k, 1)  # P-100 moves again
    with frozen(T0 + timedelta(days=91)):
        body = k.get("/stock/ageing").json()
        rows = {r["part"]: r["band"] for r in body["results"]}
        assert rows == {"P-100": "yellow", "P-200": "red"}
        assert body["summary"] == [{"warehouse": "qd-main", "yellow_lines": 1, "yellow_qty": 1,
                                    "yellow_value": "12.50", "red_lines": 1, "red_qty": 2,
                                    "red_value": "160.00"}]  # fmt: skip
        oh = k.get("/stock/on-hand", warehouse="qd-main").json()["results"]
        assert {r["part"]: r["band"] for r in oh} == {"P-100": "yellow", "P-200": "red"}
    # The periods are editable.
    row = PartsPolicy.objects.get()  # saved as in the admin: drops the cached rules
    row.ageing_yellow_days, row.ageing_red_days = 100, 200
    row.save()
    with frozen(T0 + timedelta(days=91)):
        assert k.get("/stock/ageing").json()["results"] == []


@pytest.mark.django_db
def test_p6_reorder_suggestions_from_rules_and_90_days_use_frequent_failures_first(
    api, keeper, clerk, tech, wh, part, part2
):
    k = api(keeper)
    c = api(clerk)
    with frozen(T0):
        stock_in(k, 12)
        stock_in(k, 3, part="P-200", bin="A-01-1-02")
        for i in range(5):  # P-100 fails on five orders
            n = receive(c, source_ref=f"R{i}")["number"]
            issue(k, 2, order=n)
    ReorderRule.objects.create(part_id=part2.pk, warehouse=wh, min_qty=5, max_qty=10)
    with frozen(T0 + timedelta(days=1)):
        rows = k.get("/stock/reorder", warehouse="qd-main").json()
    by = {r["part"]: r for r in rows}
    assert by["P-200"]["quantity"] == 7 and by["P-200"]["reason"] == "below_min"
    assert by["P-100"]["frequently_failing"] is True and by["P-100"]["used"] == 10
    # No rule: cover 30 of the last 90 days' use (10 → 4), 2 on hand → order 2.
    assert (by["P-100"]["quantity"], by["P-100"]["reason"]) == (2, "usage")
    assert rows[0]["part"] == "P-100"  # frequently failing parts come first
    # Use older than the look-back no longer counts.
    with frozen(T0 + timedelta(days=120)):
        rows = k.get("/stock/reorder", warehouse="qd-main").json()
    assert [r["part"] for r in rows] == ["P-200"]


@pytest.mark.django_db
def test_p7_account_alert_below_threshold_and_deposit(api, keeper, manager, wh, part):
    k = api(keeper)
    stock_in(k, 4)  # 4 × 12.50 = 50 debit
    acc = k.get("/stock/accounts").json()
    assert acc == [{"outlet": "qd-01", "name": "Qingdao 1", "balance": "-50.00", "currency": "CNY",
                    "alert": True, "threshold": "5000.00"}]  # fmt: skip
    assert_error(k.post("/stock/accounts/deposits", {"outlet": "qd-01", "amount": "6000"}), 403)
    assert_error(
        api(manager).post("/stock/accounts/deposits", {"outlet": "qd-01", "amount": "-1"}),
        422,
        "validation",
    )
    r = api(manager).post("/stock/accounts/deposits", {"outlet": "qd-01", "amount": "6000"})
    assert r.status_code == 201
    acc = k.get("/stock/accounts").json()[0]
    assert acc["balance"] == "5950.00" and acc["alert"] is False
    assert AccountEntry.objects.count() == 2


@pytest.mark.django_db
def test_p9_out_of_warranty_ratio_per_outlet_and_month(api, keeper, clerk, wh, part):
    k, c = api(keeper), api(clerk)
    with frozen(T0):
        stock_in(k, 10)
        n_in = receive(
            c, source_ref="IN", product={"serial": "S-IN", "purchase_date": "2026-06-01"}
        )["number"]
        n_out = receive(
            c, source_ref="OUT", product={"serial": "S-OUT", "purchase_date": "2020-01-01"}
        )["number"]
        issue(k, 1, order=n_in)
        issue(k, 3, order=n_out)
        issue(k, 1)  # not on an order: not counted
    rows = k.get("/parts/ratio/out-of-warranty").json()
    assert rows == [{"outlet": "qd-01", "month": "2026-12", "oow_value": "37.50",
                     "total_value": "50.00", "ratio": "0.7500"}]  # fmt: skip
    assert k.get("/parts/ratio/out-of-warranty", month="2026-11").json() == []


@pytest.mark.django_db
def test_p1_part_master_create_update_substitutes_and_roles(api, keeper, tech, part):
    k = api(keeper)
    body = {"code": "P-300", "name": "Board", "model": "B1", "substitutes": ["P-100"],
            "unit_cost": "99.90", "list_price": "150", "fits_models": ["KFR-35"]}  # fmt: skip
    r = k.post("/parts", body)
    assert r.status_code == 201 and r.json()["substitutes"] == ["P-100"]
    r = k.post("/parts", {**body, "name": "Main board"})
    assert r.status_code == 200 and r.json()["name"] == "Main board"
    assert_error(k.post("/parts", {**body, "substitutes": ["P-300"]}), 422, "validation")
    assert_error(k.post("/parts", {**body, "unit_cost": "-1"}), 422, "validation")
    assert_error(k.post("/parts", {**body, "substitutes": ["NOPE"]}), 422, "unknown_part")
    assert_error(api(tech).post("/parts", body), 403, "forbidden")
    assert k.get("/parts", q="P-3").json()["count"] == 1
    assert_error(k.get("/parts/NOPE"), 404, "not_found")
    assert Decimal(k.get("/parts/P-300").json()["unit_cost"]) == Decimal("99.90")


@pytest.mark.django_db
def test_o13_order_waiting_for_parts_shows_promised_date(api, clerk, tech, wh, part):
    c, t = api(clerk), api(tech)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})
        r = t.post("/part-requests", {"order": n, "part": "P-100"}).json()
        assert r["promised_date"] is None
        act(t, n, "result", {"kind": "waiting_parts", "part": "P-100", "shipped_by": "manufacturer",
                             "promised_date": "2026-12-10"})  # fmt: skip
    assert t.get(f"/part-requests/{r['id']}").json()["promised_date"] == "2026-12-10"


@pytest.mark.django_db
def test_p6_reorder_rule_api_sets_and_refuses_max_below_min(api, keeper, tech, wh, part):
    k = api(keeper)
    stock_in(k, 2)
    before = ReorderRule.objects.count()
    assert_error(k.post("/stock/reorder-rules", {"part": "P-100", "warehouse": "qd-main",
                                                  "min_qty": 5, "max_qty": 3}), 422, "validation")  # fmt: skip
    assert_error(api(tech).post("/stock/reorder-rules", {"part": "P-100", "warehouse": "qd-main",
                                                          "reorder_point": 4}), 404, "not_found")  # fmt: skip
    assert ReorderRule.objects.count() == before
    r = k.post("/stock/reorder-rules", {"part": "P-100", "warehouse": "qd-main",
                                         "reorder_point": 4, "reorder_qty": 10})  # fmt: skip
    assert r.status_code == 200, r.content
    rows = k.get("/stock/reorder", warehouse="qd-main").json()
    assert rows == [{"part": "P-100", "name": "压缩机电容", "on_hand": 2, "used": 0, "orders": 0,
                     "quantity": 10, "reason": "reorder_point", "frequently_failing": False}]  # fmt: skip
