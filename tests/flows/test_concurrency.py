"""Two people acting on one order: the stale one gets 409 stale_version, nothing is lost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from aftersales.orders.models import Order, OrderEvent
from aftersales.orders.services import order_act
from tests.concurrency import race
from tests.flows.helpers import T0, act, assert_error, frozen, receive


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["if-match", "weak-etag", "body"])
def test_o5_stale_version_is_409_and_writes_nothing(api, clerk, tech, how):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        act(c, n, "assign", {"technician": "tech"})  # now version 2
        events = OrderEvent.objects.count()
        body = {"reason": "客户取消"}
        headers = None
        if how == "if-match":
            headers = {"HTTP_IF_MATCH": '"1"'}
        elif how == "weak-etag":
            headers = {"HTTP_IF_MATCH": 'W/"1"'}
        else:
            body["version"] = 1
        err = assert_error(
            c.post(f"/orders/{n}/cancel", body, headers=headers), 409, "stale_version"
        )
    assert "2" in err["message"]
    assert OrderEvent.objects.count() == events
    order = Order.objects.get(number=n)
    assert (order.status, order.version) == ("assigned", 2)


@pytest.mark.django_db
def test_o5_current_version_is_accepted(api, clerk, tech):
    c = api(clerk)
    with frozen(T0):
        n = receive(c)["number"]
        out = act(c, n, "assign", {"technician": "tech", "version": 1})
        out = act(c, n, "cancel", {"reason": "x"}, headers={"HTTP_IF_MATCH": str(out["version"])})
    assert out["status"] == "cancelled" and out["version"] == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks")
@pytest.mark.django_db(transaction=True)
def test_o5_two_people_at_once_exactly_one_wins(reference_data, api, clerk, make_user):
    clerk2 = make_user("clerk2", "clerk")
    n = receive(api(clerk))["number"]

    def escalate(user, reason):
        order_act(
            actor=user,
            number=n,
            action="escalate",
            payload={"reason": reason},
            version=1,
            now=timezone.now(),
        )

    outcomes = race(lambda: escalate(clerk, "first"), lambda: escalate(clerk2, "second"))
    assert outcomes == ["ok", "stale_version"]
    order = Order.objects.get(number=n)
    assert (order.version, order.escalation_level) == (2, 1)
    assert OrderEvent.objects.filter(order=order, action="escalate").count() == 1
