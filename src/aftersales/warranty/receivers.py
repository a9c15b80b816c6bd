"""S-1 applied where the system sees the event, inside the order action's transaction:
late arrival (arrive after the window's end, or start — see the policy), incomplete service
report (at complete, and at close if still incomplete), multiple contact (a repeat call that
counts on a responsible person, O-11)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from aftersales.domain.codes import Action
from aftersales.domain.warranty_scores import is_late
from aftersales.orders.models import Order, OrderEvent, RepeatCall
from aftersales.orders.signals import order_acted

from .people import auto_penalty
from .selectors import policy


def _hm(dt: datetime | None) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else "—"


@receiver(order_acted, dispatch_uid="warranty.penalties")
def apply_rules(
    sender: Any, *, order: Order, event: OrderEvent, action: Action, now: datetime, **kw: Any
) -> None:
    if action == Action.ARRIVE:
        if is_late(
            arrived_at=order.arrived_at,
            window_start=order.appointment_start,
            window_end=order.appointment_end,
            basis=policy().late_basis,
        ):
            auto_penalty(
                person=order.assignee,
                code="late_arrival",
                evidence=(
                    f"Order {order.number}: arrived {_hm(order.arrived_at)}, window "
                    f"{_hm(order.appointment_start)}–{_hm(order.appointment_end)[-5:]}"
                    f" (event #{event.pk})"
                ),
                order=order,
                key=f"late_arrival:{event.pk}",
                now=now,
            )
    elif action in (Action.COMPLETE, Action.CLOSE):
        if order.report_complete is False:
            auto_penalty(
                person=order.assignee,
                code="incomplete_report",
                evidence=(
                    f"Order {order.number}: service report missing "
                    f"{', '.join(order.report_missing or [])} (event #{event.pk})"
                ),
                order=order,
                key=f"incomplete_report:{order.pk}",
                now=now,
            )
    elif action == Action.CALL and event.data.get("counts"):
        call = RepeatCall.objects.filter(order=order, counts=True).order_by("-pk").first()
        if call is not None and call.responsible_id is not None:
            auto_penalty(
                person=call.responsible,
                code="multiple_contact",
                evidence=(
                    f"Order {order.number}: repeat call {_hm(call.at)} counted as "
                    f"{call.cause} (call #{call.pk})"
                ),
                order=order,
                key=f"multiple_contact:{call.pk}",
                now=now,
            )
