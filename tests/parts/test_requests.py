"""O-13 part requests against orders: lifecycle, late flag (decided by orders), O-10 transit,
arrived-today list, and P-8 old-part returns on close."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from aftersales.orders.models import Order, OrderPart
from aftersales.parts.models import AccountEntry, OldPartReturn, PartRequest, StockBalance
from tests.conftest import local
from tests.flows.helpers import FULL_REPORT, T0, act, assert_error, frozen, receive
from tests.parts.conftest import counts


def req(c, number, **kw):
    r = c.post("/part-requests", {"order": number, "part": "P-100", "quantity": 2, **kw})
    assert r.status_code == 201, r.content
    return r.json()


def step(c, pk, action, body=None, status=200):
    r = c.post(f"/part-requests/{pk}/{action}", body or {})
    assert r.status_code == status, (action, r.content)
    return r.json()


@pytest.mark.django_db
def test_o13_full_lifecycle_feeds_orderpart_times_and_stock(api, tech, keeper, order_no):
    t, k = api(tech), api(keeper)
    with frozen(T0 + timedelta(hours=1)):
        r = req(t, order_no, promised_date="2026-12-09")
    assert r["status"] == "requested" and r["late"] is False
    assert r["promised_date"] == "2026-12-09"
    op = OrderPart.objects.get(pk=r["order_part_id"])
    assert op.part == "P-100" and op.quantity == 2 and op.shipped_by == "manufacturer"
    with frozen(T0 + timedelta(hours=2)):
        step(k, r["id"], "approve")
        s = step(k, r["id"], "ship")
    with frozen(T0 + timedelta(days=1, hours=1)):
        s = step(k, r["id"], "receive", {"bin": "A-01-1-01"})
        assert s["status"] == "received"
        assert StockBalance.objects.get().qty == 2
        today = t.get("/part-requests/arrived-today").json()
        assert [x["id"] for x in today] == [r["id"]]
        s = step(k, r["id"], "issue")
        assert s["issue_doc"].startswith("D")
        assert StockBalance.objects.get().qty == 0
        s = step(t, r["id"], "fit")
        assert s["status"] == "fitted"
        assert t.get("/part-requests/arrived-today").json() == []
    op.refresh_from_db()
    assert op.shipped_at == T0 + timedelta(hours=2)
    assert op.received_at == T0 + timedelta(days=1, hours=1)
    # O-10: the manufacturer's transit (ship → receipt) is excluded from the assessed time.
    c = api(Order.objects.get(number=order_no).received_by)
    with frozen(T0 + timedelta(days=1, hours=2)):
        act(
            t,
            order_no,
            "appointment",
            {
                "start": (T0 + timedelta(days=1, hours=3)).isoformat(),
                "end": (T0 + timedelta(days=1, hours=5)).isoformat(),
            },
        )
        act(t, order_no, "start-travel")
        act(t, order_no, "arrive")
        act(t, order_no, "complete", FULL_REPORT)
        act(c, order_no, "revisit", {"satisfied": True, "score": 5})
        out = act(c, order_no, "close")
    assert Decimal(str(Order.objects.get(number=order_no).assessed_hours)) == Decimal("3.00")
    assert out["status"] == "closed"


@pytest.mark.django_db
def test_o13_request_after_cutoff_is_late_as_orders_decided(api, tech, order_no):
    with frozen(local(2026, 12, 7, 17, 30)):
        r = req(api(tech), order_no)
    assert r["late"] is True
    assert OrderPart.objects.get(pk=r["order_part_id"]).requested_late is True


@pytest.mark.django_db
def test_o13_unknown_part_or_bad_quantity_writes_nothing(api, tech, order_no):
    t = api(tech)
    before = counts() | {"op": OrderPart.objects.count()}
    with frozen(T0):
        assert_error(
            t.post("/part-requests", {"order": order_no, "part": "NOPE"}), 422, "unknown_part"
        )
        assert_error(
            t.post("/part-requests", {"order": order_no, "part": "P-100", "quantity": 0}),
            422,
            "bad_quantity",
        )
        assert_error(
            t.post("/part-requests", {"order": "NO-SUCH", "part": "P-100"}), 404, "not_found"
        )
    assert counts() | {"op": OrderPart.objects.count()} == before


@pytest.mark.django_db
def test_o13_illegal_step_and_roles(api, tech, keeper, clerk, order_no):
    t, k = api(tech), api(keeper)
    with frozen(T0):
        r = req(t, order_no)
        assert_error(t.post(f"/part-requests/{r['id']}/approve", {}), 403, "forbidden")
        assert_error(
            k.post(f"/part-requests/{r['id']}/ship", {}), 409, "illegal_request_transition"
        )
        assert_error(k.post(f"/part-requests/{r['id']}/launch", {}), 404, "unknown_action")
        step(k, r["id"], "approve")
        assert_error(k.post(f"/part-requests/{r['id']}/approve", {"version": 1}), 409)
        step(k, r["id"], "ship")
        before = counts()
        assert_error(k.post(f"/part-requests/{r['id']}/receive", {}), 422, "validation")
        assert_error(
            k.post(f"/part-requests/{r['id']}/receive", {"bin": "Q-1-1-1"}), 422, "unknown_bin"
        )
        assert counts() == before
        assert PartRequest.objects.get().status == "shipped"
    # The clerk of the outlet sees the request; another outlet's clerk gets 404.
    assert api(clerk).get(f"/part-requests/{r['id']}").status_code == 200


@pytest.mark.django_db
def test_o13_other_outlet_sees_404(api, tech, make_user, other_outlet, order_no):
    with frozen(T0):
        r = req(api(tech), order_no)
    stranger = api(make_user("c9", "clerk", outlet=other_outlet))
    assert_error(stranger.get(f"/part-requests/{r['id']}"), 404, "not_found")
    assert_error(stranger.post(f"/part-requests/{r['id']}/cancel", {}), 404, "not_found")
    assert stranger.get("/part-requests").json()["count"] == 0


def finish(clerk_api, tech_api, number, now):
    """From assigned to closed, the window the next hour of `now`."""
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    act(
        tech_api,
        number,
        "appointment",
        {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()},
    )
    act(tech_api, number, "start-travel")
    act(tech_api, number, "arrive")
    act(tech_api, number, "complete", FULL_REPORT)
    act(clerk_api, number, "revisit", {"satisfied": True, "score": 5})
    return act(clerk_api, number, "close")


def _to_fitted(api, tech, keeper, order_no):
    t, k = api(tech), api(keeper)
    r = req(t, order_no)
    for a, body in (
        ("approve", {}),
        ("ship", {}),
        ("receive", {"bin": "A-01-1-01"}),
        ("issue", {}),
    ):
        step(k, r["id"], a, body)
    step(t, r["id"], "fit")
    return r


@pytest.mark.django_db
def test_p8_in_warranty_close_makes_old_part_due_in_3_days_and_return_credits(
    api, clerk, tech, keeper, order_no
):
    with frozen(T0):
        _to_fitted(api, tech, keeper, order_no)
        finish(api(clerk), api(tech), order_no, T0)
    ret = OldPartReturn.objects.get()
    assert ret.due_at == T0 + timedelta(days=3)
    assert ret.technician.username == "tech" and ret.value == Decimal("25.00")
    with frozen(T0 + timedelta(days=4)):
        body = api(keeper).get("/stock/old-parts", overdue=True).json()
        assert body["overdue_by_technician"] == {"tech": 1}
        r = api(keeper).post(f"/stock/old-parts/{ret.pk}/receive", {})
        assert r.status_code == 200
        assert_error(
            api(keeper).post(f"/stock/old-parts/{ret.pk}/receive", {}), 409, "already_returned"
        )
    credit = AccountEntry.objects.get(kind="old_part")
    assert credit.amount == Decimal("25.00")


@pytest.mark.django_db
def test_p8_out_of_warranty_close_makes_no_return(api, clerk, tech, keeper, wh, part):
    c = api(clerk)
    with frozen(T0):
        n = receive(c, source_ref="OOW", product={"purchase_date": "2020-01-01"})["number"]
        act(c, n, "assign", {"technician": "tech"})
        _to_fitted(api, tech, keeper, n)
        finish(c, api(tech), n, T0)
    assert OldPartReturn.objects.count() == 0


@pytest.mark.django_db
def test_o13_request_on_unassigned_order_or_outlet_without_store_is_refused(
    api, clerk, make_user, other_outlet, wh, part
):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]  # received, not assigned: no part requests yet
        before = counts() | {"op": OrderPart.objects.count()}
        assert_error(
            c.post("/part-requests", {"order": n, "part": "P-100"}), 409, "illegal_transition"
        )
        assert counts() | {"op": OrderPart.objects.count()} == before
        m = api(make_user("boss2", "manager", outlet=None))
        n2 = receive(m, source_ref="JN", outlet="jn-03")["number"]
        act(
            m,
            n2,
            "assign",
            {"technician": make_user("t3", "technician", outlet=other_outlet).username},
        )
        before = counts() | {"op": OrderPart.objects.count()}
        assert_error(m.post("/part-requests", {"order": n2, "part": "P-100"}), 422, "no_warehouse")
    assert counts() | {"op": OrderPart.objects.count()} == before


@pytest.mark.django_db
def test_parts_policy_is_seeded_and_editable_in_admin(make_user):
    from django.test import Client

    from aftersales.parts.models import PartsPolicy

    row = PartsPolicy.objects.get()
    assert (row.return_due_days, row.ageing_yellow_days, row.ageing_red_days) == (3, 30, 90)
    assert row.account_alert == Decimal("5000")
    admin = make_user("root", "admin", is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(admin)
    assert c.get(f"/admin/parts/partspolicy/{row.pk}/change/").status_code == 200
    assert c.get("/admin/parts/stockmove/").status_code == 200
