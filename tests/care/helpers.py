"""Builders for the care flow tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aftersales.care.models import Contact, CustomerRequest, Event, Invitation, Substitution, Task
from aftersales.customers.models import Customer
from tests.flows.helpers import T0, drive, frozen, receive


def care_counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Task, Contact, CustomerRequest, Event, Invitation, Substitution)
    }


def completed_order(
    clerk_api: Any, tech_api: Any, *, at: datetime = T0, **over: Any
) -> dict[str, Any]:
    """An order received and completed at `at` (the receiver schedules C-1/C-3 tasks)."""
    with frozen(at):
        o = receive(clerk_api, **over)
        drive(clerk_api, tech_api, o["number"], "completed", now=at)
    return o


def customer_of(number: str) -> Customer:
    from aftersales.orders.models import Order

    return Order.objects.get(number=number).customer
