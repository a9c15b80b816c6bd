"""Intake's cost per order, and editable reference data still taking effect at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.core.models import NetworkPolicy, ProductCategory
from aftersales.orders.models import SlaRule
from tests.flows.helpers import T0, assert_error, frozen, order_body

pytestmark = pytest.mark.django_db


def test_o1_api_intake_of_a_new_customer_stays_within_a_query_budget(api, clerk):
    c = api(clerk)
    with frozen(T0):
        c.post("/orders", order_body(source_ref="WARM"))  # reference tables now cached
        with CaptureQueriesContext(connection) as q:
            r = c.post("/orders", order_body(source_ref="X", customer={"phones": ["13900139000"]}))
    assert r.status_code == 201
    # token, counter, reference check, phone lookup, customer, phone, product lookup,
    # product, order, event (+ savepoints the test transaction adds)
    real = [x for x in q.captured_queries if "SAVEPOINT" not in x["sql"]]
    assert len(real) <= 10, [x["sql"][:80] for x in real]


def test_o9_edited_sla_rule_applies_to_the_next_order(api, clerk):
    c = api(clerk)
    with frozen(T0):
        c.post("/orders", order_body(source_ref="A"))
        SlaRule.objects.create(rank=1, hours=7, label="edited", categories=["air_conditioner"])
        r = c.post("/orders", order_body(source_ref="B"))
    assert (r.json()["sla_hours"], r.json()["sla_rule"]) == (7, "edited")


def test_o1_deactivated_category_is_refused_at_once(api, clerk):
    c = api(clerk)
    with frozen(T0):
        c.post("/orders", order_body(source_ref="A"))
        cat = ProductCategory.objects.get(code="air_conditioner")
        cat.active = False
        cat.save()
        err = assert_error(c.post("/orders", order_body(source_ref="B")), 422, "validation")
    assert "product.category" in err["fields"]


def test_o6_edited_policy_applies_to_the_next_action(api, clerk):
    from aftersales.core.policy import current_policy

    assert current_policy().max_window_minutes == 180
    row = NetworkPolicy.objects.order_by("pk").first()
    assert row is not None
    row.max_window_minutes = 60
    row.save()
    assert current_policy().max_window_minutes == 60


def test_o2_bulk_batch_links_customers_phones_products_and_events(clerk):
    """A batch large enough for the COPY path on PostgreSQL: every row's links are right."""
    from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
    from aftersales.orders.inputs import OrderIn
    from aftersales.orders.intake import order_receive, orders_receive
    from aftersales.orders.models import Order, OrderEvent

    with frozen(T0):
        known = order_receive(
            actor=clerk, data=OrderIn.model_validate(order_body(source_ref="OLD")), now=T0
        )
        rows = []
        for i in range(120):
            phone = "138 0013 8000" if i % 4 == 0 else f"1390000{i:04d}"
            body = order_body(
                source_ref=f"B-{i}",
                customer={"phones": [phone], "latitude": 36.0 + i / 1000, "longitude": 120.0},
                product={"serial": "SN-1" if i % 4 == 0 else f"SN-B{i}"},
            )
            rows.append((i + 1, OrderIn.model_validate(body)))
        (report,) = list(orders_receive(rows, actor=clerk, now=T0, batch_size=500))
    assert len(report.numbers) == 120 and not report.errors
    assert Customer.objects.count() == 1 + 90
    assert CustomerPhone.objects.count() == 1 + 90
    assert CustomerProduct.objects.count() == 1 + 90
    reused = Order.objects.filter(source_ref__in=[f"B-{i}" for i in range(0, 120, 4)])
    assert {(o.customer_id, o.product_id) for o in reused} == {
        (known.customer_id, known.product_id)
    }
    o = Order.objects.get(source_ref="B-7")
    assert o.customer.phones.get().number == "+8613900000007"
    assert o.product.serial == "SN-B7" and o.latitude == 36.007
    assert o.version == 1 and o.report == {} and o.status == "received"
    ev = OrderEvent.objects.get(order=o)
    assert ev.action == "receive" and ev.data["source_ref"] == "B-7"
