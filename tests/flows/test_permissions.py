"""Who sees which orders and who may act: technicians, clerks, managers, parts keepers."""

from __future__ import annotations

import pytest
from django.test import Client

from aftersales.orders.models import Order
from tests.flows.helpers import T0, act, assert_error, counts, frozen, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(api, clerk, manager, tech, tech2, other_outlet, make_user):
    """Three orders of outlet qd-01 (tech, tech2, nobody) and one of jn-03."""
    c = api(clerk)
    with frozen(T0):
        mine = receive(c, source_ref="MINE")["number"]
        theirs = receive(c, source_ref="THEIRS")["number"]
        loose = receive(c, source_ref="LOOSE")["number"]
        act(c, mine, "assign", {"technician": "tech"})
        act(c, theirs, "assign", {"technician": "tech2"})
        far = receive(api(manager), source_ref="FAR", outlet=other_outlet.code)["number"]
    return {"mine": mine, "theirs": theirs, "loose": loose, "far": far}


def _listed(client, **params):
    return {o["number"] for o in client.get("/orders", **params).json()["results"]}


def test_o5_technician_sees_only_own_orders(api, tech, network):
    t = api(tech)
    assert _listed(t) == {network["mine"]}
    assert t.get(f"/orders/{network['mine']}").status_code == 200
    for other in ("theirs", "loose", "far"):
        assert_error(t.get(f"/orders/{network[other]}"), 404, "not_found")
        assert_error(t.get(f"/orders/{network[other]}/events"), 404, "not_found")


def test_o5_technician_cannot_act_on_anothers_order(api, tech, network):
    t = api(tech)
    with frozen(T0):
        before = counts()
        assert_error(
            t.post(
                f"/orders/{network['theirs']}/result",
                {"kind": "no_time", "days": 9, "stated_by": "customer"},
            ),
            404,
            "not_found",
        )
        assert_error(t.post(f"/orders/{network['theirs']}/note", {"note": "x"}), 404)
    assert counts() == before
    assert Order.objects.get(number=network["theirs"]).version == 2


def test_o8_technician_cannot_close_assign_or_cancel_own_order(api, tech, network):
    t = api(tech)
    n = network["mine"]
    with frozen(T0):
        assert_error(t.post(f"/orders/{n}/close"), 403, "forbidden")
        assert_error(t.post(f"/orders/{n}/cancel", {"reason": "x"}), 403, "forbidden")
        assert_error(
            t.post(f"/orders/{n}/assign", {"technician": "tech2", "reason": "x"}), 403, "forbidden"
        )
    assert Order.objects.get(number=n).version == 2


def test_o5_clerk_sees_only_own_outlet(api, clerk, network):
    c = api(clerk)
    assert _listed(c) == {network["mine"], network["theirs"], network["loose"]}
    assert_error(c.get(f"/orders/{network['far']}"), 404)
    with frozen(T0):
        assert_error(c.post(f"/orders/{network['far']}/cancel", {"reason": "x"}), 404)


def test_o5_manager_sees_all(api, manager, network):
    m = api(manager)
    assert _listed(m) == set(network.values())
    assert m.get(f"/orders/{network['far']}").json()["customer"]["phones"] == ["+8613800138000"]


def test_o5_parts_keeper_sees_outlet_orders_masked(api, make_user, network):
    keeper = make_user("keeper", "parts_keeper")
    k = api(keeper)
    assert _listed(k) == {network["mine"], network["theirs"], network["loose"]}
    o = k.get(f"/orders/{network['mine']}").json()
    assert o["customer"]["phones"] == ["+86*******8000"]
    assert "香港中路" not in o["customer"]["address"] and "*" in o["customer"]["address"]
    listed = k.get("/orders").json()["results"]
    assert all("13800138000" not in str(r["customer"]) for r in listed)
    assert_error(k.get(f"/orders/{network['far']}"), 404)
    with frozen(T0):
        assert_error(k.post(f"/orders/{network['mine']}/close"), 403, "forbidden")
        out = act(k, network["mine"], "part-request", {"part": "压缩机"})
    assert out["customer"]["phones"] == ["+86*******8000"]


def test_o5_parts_keeper_pages_are_masked_too(make_user, network):
    browser = Client()
    browser.force_login(make_user("keeper", "parts_keeper"))
    html = (
        browser.get("/orders/").content.decode()
        + browser.get(f"/orders/{network['mine']}/").content.decode()
    )
    assert "13800138000" not in html and "香港中路" not in html
    assert "+86*******8000" in html


def test_o5_technician_sees_own_customer_unmasked(api, tech, network):
    o = api(tech).get(f"/orders/{network['mine']}").json()
    assert o["customer"]["phones"] == ["+8613800138000"]


def test_o5_detail_page_of_another_outlet_is_404_for_clerk(clerk, network):
    browser = Client()
    browser.force_login(clerk)
    assert browser.get(f"/orders/{network['far']}/").status_code == 404
    assert browser.get(f"/orders/{network['mine']}/").status_code == 200
    r = browser.post(f"/orders/{network['far']}/cancel/", {"reason": "x"})
    assert r.status_code == 404
    assert Order.objects.get(number=network["far"]).status == "received"


def test_o5_pages_need_login(network):
    r = Client().get("/orders/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert Client().get(f"/orders/{network['mine']}/").status_code == 302
