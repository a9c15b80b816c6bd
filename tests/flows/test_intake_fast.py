"""The fast intake path: one order in two round trips on PostgreSQL, and what must still hold.

One order from the API is read in one statement (references, phones, products, ids) and written
in one statement; these tests hold that the shortcut keeps O-1/O-2/O-3 and the API contract.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.api.schemas import OrderOut
from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.orders.inputs import OrderIn
from aftersales.orders.intake import order_receive
from aftersales.orders.models import Order, OrderEvent
from aftersales.orders.presenters import order_dict
from aftersales.orders.services import order_act
from tests.concurrency import race
from tests.flows.helpers import T0, frozen, order_body

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL path")


@pytest.mark.django_db
def test_o1_the_presenter_gives_the_order_schema_exactly(clerk, tech):
    """The API renders the presenter's dict without re-validating it: it must be OrderOut."""
    with frozen(T0):
        fresh = order_receive(
            actor=clerk, data=OrderIn.model_validate(order_body(source_ref="S1")), now=T0
        )
        d = order_dict(fresh, clerk)
        assert OrderOut.model_validate(d).model_dump() == d
        done = order_act(
            actor=clerk,
            number=fresh.number,
            action="assign",
            payload={"technician": tech.username},
            version=None,
            now=T0,
        )
        read = Order.objects.select_related("outlet", "product", "assignee").get(pk=done.pk)
        d = order_dict(read, clerk)
        assert OrderOut.model_validate(d).model_dump() == d
        assert d["assignee"] == tech.username


@pg_only
@pytest.mark.django_db
def test_o1_one_order_is_read_in_one_statement_and_written_in_one_statement(api, clerk):
    c = api(clerk)
    with frozen(T0):
        c.post("/orders", order_body(source_ref="WARM"))  # token and reference tables cached
        with CaptureQueriesContext(connection) as q:
            r = c.post("/orders", order_body(source_ref="X", customer={"phones": ["13900139000"]}))
    assert r.status_code == 201
    real = [x["sql"] for x in q.captured_queries if "SAVEPOINT" not in x["sql"]]
    writes = [s for s in real if "INSERT" in s]
    assert len(writes) == 1 and len(real) <= 2, real
    for table in ("customers_customer", "customerphone", "customerproduct", "orders_order"):
        assert table in writes[0]
    order = Order.objects.get(source_ref="X")
    assert order.customer.phones.get().number == "+8613900139000"
    assert OrderEvent.objects.filter(order=order, action="receive").count() == 1


@pg_only
@pytest.mark.django_db
def test_o1_intake_statements_are_prepared_once_per_connection(clerk):
    """Django switches psycopg's preparing off; the intake's own statements are prepared."""
    for i in range(3):
        order_receive(
            actor=clerk, data=OrderIn.model_validate(order_body(source_ref=f"P{i}")), now=T0
        )
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [r[0] for r in cur.fetchall()]
    assert any("INSERT INTO" in s and "orders_order" in s for s in prepared), prepared
    assert any("customers_customerphone" in s and "ANY" in s for s in prepared), prepared


@pg_only
@pytest.mark.django_db(transaction=True)
def test_o2_one_new_phone_from_four_callers_at_once_makes_one_customer(reference_data, clerk):
    def make(i: int) -> None:
        body = order_body(
            source_ref=f"RACE-{i}",
            customer={"phones": ["13900001111"]},
            product={"serial": "SN-RACE"},
        )
        order_receive(actor=clerk, data=OrderIn.model_validate(body), now=timezone.now())

    assert race(*(lambda i=i: make(i) for i in range(4))) == ["ok"] * 4
    assert CustomerPhone.objects.filter(number="+8613900001111").count() == 1
    assert Customer.objects.count() == 1 and CustomerProduct.objects.count() == 1
    orders = Order.objects.filter(source_ref__startswith="RACE-")
    assert orders.count() == 4 and len({o.customer_id for o in orders}) == 1
    assert OrderEvent.objects.filter(order__in=orders).count() == 4


@pg_only
@pytest.mark.django_db(transaction=True)
def test_o3_one_reference_from_three_callers_at_once_is_received_once(reference_data, clerk):
    def make(i: int) -> None:
        body = order_body(source_ref="SAME", customer={"phones": [f"1390000200{i}"]})
        order_receive(actor=clerk, data=OrderIn.model_validate(body), now=timezone.now())

    assert race(*(lambda i=i: make(i) for i in range(3))) == ["duplicate_source_ref"] * 2 + ["ok"]
    assert Order.objects.filter(source_ref="SAME").count() == 1
    # The refused callers left nothing behind: one customer, one phone, one product.
    assert (Customer.objects.count(), CustomerPhone.objects.count()) == (1, 1)
    assert CustomerProduct.objects.count() == 1
