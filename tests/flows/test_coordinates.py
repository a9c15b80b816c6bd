"""Customer coordinates (for dispatch, D-2): accepted by the API, the importer and the form,
refused half-given or out of range, and hidden like the address from masked roles."""

from __future__ import annotations

import pytest

from aftersales.customers.models import Customer
from aftersales.orders.importer import flat_to_input
from aftersales.orders.models import Order
from tests.flows.helpers import T0, assert_error, counts, frozen, order_body, receive

pytestmark = pytest.mark.django_db


def test_o1_coordinates_stored_on_order_and_new_customer(api, clerk):
    with frozen(T0):
        out = receive(api(clerk), customer={"latitude": 36.0671, "longitude": 120.3826})
    assert (out["customer"]["latitude"], out["customer"]["longitude"]) == (36.0671, 120.3826)
    o = Order.objects.get(number=out["number"])
    assert (o.latitude, o.longitude) == (36.0671, 120.3826)
    assert Customer.objects.get().latitude == 36.0671


@pytest.mark.parametrize(
    ("coords", "field"),
    [
        ({"latitude": 36.0}, "customer"),
        ({"longitude": 120.0}, "customer"),
        ({"latitude": 91, "longitude": 120.0}, "customer.latitude"),
        ({"latitude": 36.0, "longitude": -181}, "customer.longitude"),
    ],
)
def test_o1_bad_coordinates_refused_and_nothing_written(api, clerk, coords, field):
    before = counts()
    with frozen(T0):
        r = api(clerk).post("/orders", order_body(customer=coords))
    err = assert_error(r, 422, "validation")
    assert field in err["fields"]
    assert counts() == before


def test_o1_import_row_carries_coordinates():
    row = {
        "source": "call_centre",
        "source_ref": "IMP-1",
        "customer_name": "王芳",
        "phones": "13800138000",
        "address": "青岛",
        "latitude": "36.1",
        "longitude": "120.4",
        "category": "air_conditioner",
        "service_type": "repair",
    }
    data = flat_to_input(row, require_ref=True)
    assert (data.customer.latitude, data.customer.longitude) == (36.1, 120.4)


def test_o5_coordinates_hidden_from_parts_keeper(api, clerk, make_user):
    with frozen(T0):
        number = receive(api(clerk), customer={"latitude": 36.1, "longitude": 120.4})["number"]
    seen = api(make_user("keeper", "parts_keeper")).get(f"/orders/{number}").json()
    assert seen["customer"]["latitude"] is None and seen["customer"]["longitude"] is None
