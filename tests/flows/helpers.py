"""Small builders shared by the flow tests: order bodies, frozen clocks, lifecycle drivers."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import time_machine

from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.orders.models import Order, OrderEvent, OrderPart, RepeatCall
from tests.conftest import local

# A fixed Monday morning (Asia/Shanghai) well after the machine's real date.
T0 = local(2026, 12, 7, 9, 0)


def order_body(**over: Any) -> dict[str, Any]:
    """A valid POST /orders body; `customer`/`product` overrides are merged, not replaced."""
    body: dict[str, Any] = {
        "customer": {
            "name": "王芳",
            "phones": ["138 0013 8000"],
            "address": "青岛市市南区香港中路 8 号",
            "region": "Qingdao",
        },
        "product": {
            "category": "air_conditioner",
            "brand": "Haier",
            "model": "KFR-35",
            "serial": "SN-1",
        },
        "service_type": "repair",
        "service_mode": "on_site",
        "fault": "不制冷",
        "source": "call_centre",
        "source_ref": "REF-1",
    }
    for key, value in over.items():
        if key in ("customer", "product") and isinstance(value, dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return copy.deepcopy(body)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    with time_machine.travel(at, tick=False):
        yield


def counts() -> dict[str, int]:
    """Row counts of everything intake and the lifecycle write."""
    return {
        m.__name__: m.objects.count()
        for m in (
            Order,
            OrderEvent,
            Customer,
            CustomerPhone,
            CustomerProduct,
            OrderPart,
            RepeatCall,
        )
    }


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one JSON error shape: {"error": {"code", "message", "fields"}}."""
    assert resp.status_code == status, (resp.status_code, resp.content[:500])
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "fields"}, err
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["fields"], dict)
    if code is not None:
        assert err["code"] == code, err
    return err


def receive(client: Any, **over: Any) -> dict[str, Any]:
    r = client.post("/orders", order_body(**over))
    assert r.status_code == 201, r.content
    return r.json()


def act(
    client: Any,
    number: str,
    action: str,
    body: Any = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    r = client.post(f"/orders/{number}/{action}", body, headers=headers)
    assert r.status_code == status, (action, r.status_code, r.content[:800])
    return r.json()


def window(start: datetime, hours: int = 2) -> dict[str, str]:
    return {"start": start.isoformat(), "end": (start + timedelta(hours=hours)).isoformat()}


def next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


FULL_REPORT = {
    "fault_code": "E1",
    "fault_cause": "缺氟",
    "solution": "补氟",
    "customer_opinion": "满意",
    "test_run_done": True,
    "customer_signature": "王芳",
}

STEPS = ("assigned", "contacted", "on_site", "completed", "revisited")


def drive(
    clerk_api: Any,
    tech_api: Any,
    number: str,
    upto: str,
    *,
    now: datetime,
    tech: str = "tech",
    report: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Take an order along the happy path up to `upto`, all at the frozen `now`
    (the window is the next full hour, same day: call with a morning `now`)."""
    out: dict[str, Any] = {}
    for target in STEPS[: STEPS.index(upto) + 1]:
        if target == "assigned":
            out = act(clerk_api, number, "assign", {"technician": tech})
        elif target == "contacted":
            out = act(
                tech_api, number, "appointment", {**window(next_hour(now)), "agreed_by": "customer"}
            )
        elif target == "on_site":
            act(tech_api, number, "start-travel")
            out = act(tech_api, number, "arrive")
        elif target == "completed":
            out = act(tech_api, number, "complete", report or FULL_REPORT)
        elif target == "revisited":
            out = act(clerk_api, number, "revisit", {"satisfied": True, "score": 5})
        assert out["status"] == target, out
    return out


def events_of(number: str) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order__number=number).order_by("at", "pk"))
