"""O-1/O-2/O-3 in bulk: POST /api/v1/orders/batch receives good orders, lists the rest."""

from __future__ import annotations

import pytest

from aftersales.orders.models import Order, OrderEvent
from tests.flows.helpers import T0, assert_error, counts, frozen, order_body

pytestmark = pytest.mark.django_db


def _batch(n: int, prefix: str = "B") -> list[dict]:
    return [
        order_body(source_ref=f"{prefix}-{i}", customer={"phones": [f"1380013{i:04d}"]})
        for i in range(n)
    ]


def test_o1_batch_receives_good_orders_and_reports_bad_ones_by_index(api, clerk):
    c = api(clerk)
    orders = _batch(3)
    orders.insert(1, order_body(source_ref="B-bad", customer={"phones": ["12"]}))
    orders.append(order_body(source_ref=None))
    with frozen(T0):
        r = c.post("/orders/batch", {"orders": orders})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [x["index"] for x in body["created"]] == [0, 2, 3]
    assert [x["index"] for x in body["rejected"]] == [1, 4]
    assert body["rejected"][0]["error"]["code"] == "validation"
    assert "customer.phones.0" in body["rejected"][0]["error"]["fields"]
    assert set(body["rejected"][1]["error"]["fields"]) == {"source_ref"}
    numbers = {x["number"] for x in body["created"]}
    assert set(Order.objects.values_list("number", flat=True)) == numbers
    assert OrderEvent.objects.filter(action="receive").count() == 3


def test_o3_resending_a_batch_receives_nothing_twice(api, clerk):
    c = api(clerk)
    with frozen(T0):
        first = c.post("/orders/batch", {"orders": _batch(4)}).json()
        before = counts()
        again = c.post("/orders/batch", {"orders": _batch(4)}).json()
    assert again["created"] == [] and again["rejected"] == []
    assert again["already_received"] == first["created"]
    assert counts() == before


def test_o3_the_same_reference_twice_in_one_batch_is_rejected_once(api, clerk):
    c = api(clerk)
    orders = _batch(2)
    orders.append(dict(orders[0]))
    with frozen(T0):
        body = c.post("/orders/batch", {"orders": orders}).json()
    assert [x["index"] for x in body["created"]] == [0, 1]
    assert [(x["index"], x["error"]["code"]) for x in body["rejected"]] == [
        (2, "duplicate_in_file")
    ]


def test_o2_batch_for_another_outlet_is_refused_per_order(api, clerk, other_outlet):
    c = api(clerk)
    orders = _batch(2)
    orders[1]["outlet"] = other_outlet.code
    with frozen(T0):
        body = c.post("/orders/batch", {"orders": orders}).json()
    assert [x["index"] for x in body["created"]] == [0]
    assert body["rejected"][0]["error"]["fields"].keys() == {"outlet"}


@pytest.mark.parametrize("payload", [{"orders": []}, {"orders": "x"}, {}, {"orders": [1] * 501}])
def test_o2_batch_of_the_wrong_shape_or_size_is_422_and_writes_nothing(api, clerk, payload):
    before = counts()
    assert_error(api(clerk).post("/orders/batch", payload), 422, "validation")
    assert counts() == before


def test_o2_batch_without_a_token_is_401_and_writes_nothing(client):
    before = counts()
    r = client.post("/api/v1/orders/batch", {"orders": _batch(1)}, content_type="application/json")
    assert_error(r, 401, "unauthenticated")
    assert counts() == before
