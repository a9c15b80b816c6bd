"""Two people acting on one order: the stale one gets 409 stale_version, nothing is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from aftersales.domain.errors import DomainError
from aftersales.orders.models import Order, OrderEvent
from aftersales.orders.services import order_act
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
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(user, reason):
        try:
            barrier.wait(timeout=10)
            order_act(
                actor=user,
                number=n,
                action="escalate",
                payload={"reason": reason},
                version=1,
                now=timezone.now(),
            )
            result = "ok"
        except DomainError as e:
            result = e.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=worker, args=(u, r))
        for u, r in ((clerk, "first"), (clerk2, "second"))
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert sorted(outcomes) == ["ok", "stale_version"]
    order = Order.objects.get(number=n)
    assert (order.version, order.escalation_level) == (2, 1)
    assert OrderEvent.objects.filter(order=order, action="escalate").count() == 1
