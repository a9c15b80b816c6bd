"""React to order actions: a completed order schedules the file and follow-up calls (C-1,
C-3) inside the action's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from aftersales.domain.codes import Action
from aftersales.orders.models import Order
from aftersales.orders.signals import order_acted

from .services import schedule_for_completed_order


@receiver(order_acted, dispatch_uid="care_schedule_on_complete")
def on_order_acted(sender: Any, *, order: Order, action: str, now: datetime, **kwargs: Any) -> None:
    if action == Action.COMPLETE:
        schedule_for_completed_order(order, now=now)
