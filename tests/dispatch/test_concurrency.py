"""Two dispatchers at once: accepting one plan twice assigns each order exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from aftersales.dispatch.models import PlanLine, TechnicianProfile
from aftersales.dispatch.services import plan_accept, plan_propose
from aftersales.domain.errors import DomainError
from aftersales.orders.models import OrderEvent
from tests.flows.helpers import order_body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks")
@pytest.mark.django_db(transaction=True)
def test_d2_two_dispatchers_accept_one_plan_at_once(reference_data, api, clerk, make_user):
    d1, d2 = make_user("d1", "dispatcher"), make_user("d2", "dispatcher")
    t = make_user("tech", "technician")
    TechnicianProfile.objects.create(
        user=t,
        skills=["air_conditioner"],
        home_latitude=36.0671,
        home_longitude=120.3826,
        shifts={d: ["00:00", "23:59"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    c = api(clerk)
    for i in range(3):
        body = order_body(
            source_ref=f"C-{i}",
            customer={
                "latitude": 36.08 + i / 100,
                "longitude": 120.40,
                "phones": [f"1380013800{i}"],
            },
            product={"serial": f"SN-C{i}"},
        )
        assert c.post("/orders", body).status_code == 201
    day = timezone.localdate() + timedelta(days=1)
    prop = plan_propose(actor=d1, day=day, outlet="qd-01", seconds=0.5, now=timezone.now())
    assert prop.lines.count() == 3
    barrier = threading.Barrier(2)
    errors: list[str] = []

    def worker(user):
        try:
            barrier.wait(timeout=10)
            plan_accept(actor=user, pk=prop.pk, now=timezone.now())
        except DomainError as e:
            errors.append(e.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(u,)) for u in (d1, d2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert OrderEvent.objects.filter(action="assign").count() == 3
    assert PlanLine.objects.filter(state="accepted").count() == 3
    assert set(errors) <= {"stale_version"}
