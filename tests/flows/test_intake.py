"""O-1/O-2/O-3 through POST /api/v1/orders: customers, products, duplicates, bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.orders.models import Order, OrderEvent
from tests.flows.helpers import T0, assert_error, counts, frozen, order_body, receive

pytestmark = pytest.mark.django_db


def test_o2_customer_found_by_normalised_phone_and_second_phone_added(api, clerk):
    c = api(clerk)
    with frozen(T0):
        a = receive(c, source_ref="P-1", customer={"phones": ["138 0013 8000"]})
        b = receive(c, source_ref="P-2", customer={"phones": ["+86 13800138000", "139-0013-9000"]})
    assert a["customer"]["phones"] == ["+8613800138000"]
    assert b["customer"]["phones"] == ["+8613800138000", "+8613900139000"]
    assert Customer.objects.count() == 1
    customer = Customer.objects.get()
    assert sorted(customer.phones.values_list("number", flat=True)) == [
        "+8613800138000",
        "+8613900139000",
    ]
    assert set(Order.objects.values_list("customer_id", flat=True)) == {customer.pk}


def test_o2_same_phone_twice_in_one_order_is_stored_once(api, clerk):
    with frozen(T0):
        o = receive(api(clerk), customer={"phones": ["13800138000", "+86 138 0013 8000"]})
    assert o["customer"]["phones"] == ["+8613800138000"]
    assert CustomerPhone.objects.count() == 1


def test_o2_product_reused_by_serial(api, clerk):
    c = api(clerk)
    with frozen(T0):
        receive(c, source_ref="S-1", product={"serial": "SN-77"})
        receive(c, source_ref="S-2", product={"serial": "SN-77", "model": "other label"})
        receive(c, source_ref="S-3", product={"serial": "SN-78"})
    assert CustomerProduct.objects.count() == 2
    p1, p2, p3 = (Order.objects.get(source_ref=r).product_id for r in ("S-1", "S-2", "S-3"))
    assert p1 == p2 != p3


def test_o1_every_channel_is_accepted_including_self_received(api, tech, clerk):
    c = api(clerk)
    with frozen(T0):
        for i, source in enumerate(
            ["call_centre", "phone", "letter", "walk_in", "web", "retail_store", "self_received"]
        ):
            o = receive(c, source=source, source_ref=f"CH-{i}")
            assert o["source"] == source and o["status"] == "received"
        # A technician reports a self-received order (自接) into the system too.
        o = receive(api(tech), source="self_received", source_ref="SELF-1")
    assert o["outlet"] == "qd-01"
    ev = OrderEvent.objects.get(order__number=o["number"])
    assert (ev.action, ev.from_status, ev.to_status, ev.actor) == ("receive", "", "received", tech)


def test_o3_duplicate_source_ref_refused(api, clerk):
    c = api(clerk)
    with frozen(T0):
        first = receive(c, source_ref="DUP-1")
        before = counts()
        r = c.post(
            "/orders",
            order_body(
                source_ref="DUP-1",
                customer={"phones": ["13900139000"], "name": "别人"},
                product={"serial": "SN-NEW"},
            ),
        )
    err = assert_error(r, 409, "duplicate_source_ref")
    assert first["number"] in err["message"]
    assert "source_ref" in err["fields"]
    assert counts() == before


def test_o3_same_reference_from_another_source_is_another_order(api, clerk):
    c = api(clerk)
    with frozen(T0):
        receive(c, source="call_centre", source_ref="X-1")
        receive(c, source="web", source_ref="X-1")
    assert Order.objects.count() == 2


def test_o3_idempotency_key_same_body_replays_same_order(api, clerk):
    c = api(clerk)
    body = order_body(source_ref="IK-1")
    with frozen(T0):
        r1 = c.post("/orders", body, headers={"HTTP_IDEMPOTENCY_KEY": "k-1"})
        before = counts()
        r2 = c.post("/orders", body, headers={"HTTP_IDEMPOTENCY_KEY": "k-1"})
    assert r1.status_code == 201 and r2.status_code == 200, r2.content
    assert r1.json()["number"] == r2.json()["number"]
    assert counts() == before


def test_o3_idempotency_key_with_other_body_conflicts(api, clerk):
    c = api(clerk)
    with frozen(T0):
        assert (
            c.post(
                "/orders", order_body(source_ref="IK-2"), headers={"HTTP_IDEMPOTENCY_KEY": "k-2"}
            ).status_code
            == 201
        )
        before = counts()
        r = c.post(
            "/orders", order_body(source_ref="IK-3"), headers={"HTTP_IDEMPOTENCY_KEY": "k-2"}
        )
    assert_error(r, 409, "idempotency_key_reused")
    assert counts() == before


def test_o3_idempotency_key_too_long_is_422(api, clerk):
    with frozen(T0):
        before = counts()
        r = api(clerk).post("/orders", order_body(), headers={"HTTP_IDEMPOTENCY_KEY": "k" * 129})
    assert_error(r, 422, "validation")
    assert counts() == before


def _without(body: dict, path: str) -> dict:
    *head, last = path.split(".")
    d = body
    for k in head:
        d = d[k]
    del d[last]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "customer",
        "customer.name",
        "customer.phones",
        "customer.address",
        "product",
        "product.category",
        "service_type",
        "source",
    ],
)
def test_o2_missing_field_is_422_naming_it(api, clerk, path):
    with frozen(T0):
        before = counts()
        r = api(clerk).post("/orders", _without(order_body(), path))
    err = assert_error(r, 422, "validation")
    assert path in err["fields"], err
    assert counts() == before


@pytest.mark.parametrize(
    "over, field",
    [
        ({"customer": {"name": "名" * 121}}, "customer.name"),
        ({"customer": {"address": "址" * 301}}, "customer.address"),
        ({"fault": "x" * 2001}, "fault"),
        ({"source_ref": "r" * 65}, "source_ref"),
        ({"customer": {"phones": ["1" * 33]}}, "customer.phones.0"),
        ({"customer": {"phones": ["13800138000"] * 6}}, "customer.phones"),
        ({"market_tier": 5}, "market_tier"),
        ({"service_type": "teleport"}, "service_type"),
        ({"service_mode": "by_drone"}, "service_mode"),
        ({"requested_at": "yesterday-ish"}, "requested_at"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_o2_oversized_or_malformed_field_is_422(api, clerk, over, field):
    with frozen(T0):
        before = counts()
        r = api(clerk).post("/orders", order_body(**over))
    err = assert_error(r, 422, "validation")
    assert field in err["fields"], err
    assert counts() == before


@pytest.mark.parametrize(
    "over, field",
    [
        ({"product": {"category": "spaceship"}}, "product.category"),
        ({"source": "carrier_pigeon"}, "source"),
        ({"outlet": "nowhere"}, "outlet"),
        ({"customer": {"phones": ["not a phone"]}}, "customer.phones.0"),
        ({"customer": {"phones": ["12345"]}}, "customer.phones.0"),
        ({"customer": {"phones": ["13800138000", "021-1"]}}, "customer.phones.1"),
    ],
)
def test_o2_unknown_code_or_malformed_phone_is_422(api, clerk, over, field):
    with frozen(T0):
        before = counts()
        r = api(clerk).post("/orders", order_body(**over))
    err = assert_error(r, 422, "validation")
    assert field in err["fields"], err
    assert counts() == before


def test_o2_clerk_cannot_receive_for_another_outlet(api, clerk, other_outlet):
    with frozen(T0):
        before = counts()
        r = api(clerk).post("/orders", order_body(outlet=other_outlet.code))
    err = assert_error(r, 422, "validation")
    assert "outlet" in err["fields"]
    assert counts() == before


def test_o2_manager_without_outlet_must_name_one(api, manager, other_outlet):
    with frozen(T0):
        assert_error(api(manager).post("/orders", order_body()), 422, "validation")
        o = receive(api(manager), outlet=other_outlet.code)
    assert o["outlet"] == "jn-03" and o["market_tier"] == 3


def test_o2_ten_megabyte_remark_is_refused_not_500(api, clerk):
    with frozen(T0):
        before = counts()
        r = api(clerk).post("/orders", order_body(remarks="备" * (10 * 1024 * 1024 // 3)))
    assert r.status_code in (413, 422), r.status_code
    assert_error(r, r.status_code)
    assert counts() == before


def test_o2_remark_over_limit_but_small_body_is_422(api, clerk):
    with frozen(T0):
        r = api(clerk).post("/orders", order_body(remarks="x" * 4001))
    assert "remarks" in assert_error(r, 422, "validation")["fields"]


@pytest.mark.parametrize("raw", ["{not json", "", "[1, 2]", '"a string"', "null"])
def test_o2_invalid_json_is_400_or_422(api, clerk, raw):
    with frozen(T0):
        before = counts()
        r = api(clerk).post("/orders", raw)
    if raw == "{not json":
        assert_error(r, 400, "bad_json")
    else:
        assert r.status_code in (400, 422), r.content
        assert_error(r, r.status_code)
    assert counts() == before


def test_o2_invalid_json_is_400(api, clerk):
    r = api(clerk).post("/orders", b'{"customer": ')
    assert_error(r, 400, "bad_json")


@pytest.mark.parametrize(
    "headers", [{}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": "Basic abc"}]
)
def test_o2_without_valid_token_is_401(db, headers):
    before = counts()
    r = Client().post(
        "/api/v1/orders", json.dumps(order_body()), content_type="application/json", **headers
    )
    assert_error(r, 401, "unauthenticated")
    assert Client().get("/api/v1/orders", **headers).status_code == 401
    assert counts() == before


def test_o2_revoked_token_or_inactive_user_is_401(api, clerk):
    c = api(clerk)
    assert c.get("/orders").status_code == 200  # the token is now held by this process
    clerk.is_active = False
    clerk.save()
    assert_error(c.get("/orders"), 401, "unauthenticated")


def test_o2_revoking_a_held_token_takes_effect_at_once(api, clerk):
    from aftersales.accounts.models import ApiToken

    c = api(clerk)
    assert c.get("/orders").status_code == 200
    row = ApiToken.objects.get(digest=ApiToken.hash(c.token))
    row.revoked = True
    row.save()
    assert_error(c.get("/orders"), 401, "unauthenticated")


def test_o2_order_records_what_was_received(api, clerk):
    with frozen(T0):
        o = receive(
            api(clerk),
            requested_at="2026-12-08T14:00:00+08:00",
            priority="urgent",
            remarks="客户说下午两点后在家",
            product={"purchase_date": "2025-06-01"},
        )
    assert o["requested_at"].startswith("2026-12-08T") and o["priority"] == "urgent"
    assert o["product"]["purchase_date"] == "2025-06-01"
    assert o["market_tier"] == 1 and o["outlet"] == "qd-01"
    assert o["version"] == 1 and o["allowed_actions"]
