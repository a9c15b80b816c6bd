"""Lifecycle commands (O-4…O-13, R-1…R-3): lock or load, ask the domain, persist, record.

`order_act` is the one entry point the API, the pages, the CLI and the admin call.
Each command runs in one transaction and ends with a conditional update on the order's
version, so two people acting at once never lose an update: the second gets a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop
from pydantic import ValidationError

from aftersales.accounts.models import User
from aftersales.core.policy import current_policy
from aftersales.domain import backlog as backlog_rules
from aftersales.domain import lifecycle, sla
from aftersales.domain.appointments import check_window
from aftersales.domain.closing import CloseFacts, close_ground
from aftersales.domain.codes import Action, Role, Status
from aftersales.domain.contacts import CallFacts, ContactCause, classify_call
from aftersales.domain.errors import DomainError, conflict
from aftersales.domain.policy import Policy
from aftersales.domain.report import PastRepair, find_repeat, missing_fields
from aftersales.domain.results import (
    RESULT_ACTION_KINDS,
    ResultKind,
    ShippedBy,
    result_adapter,
)

from . import inputs
from .models import Order, OrderEvent, OrderPart, RepeatCall
from .selectors import order_get_for_user
from .signals import order_acted


@dataclass
class Step:
    """What a handler decided: the fields it changed and what the event records."""

    order: Order
    actor: User
    now: datetime
    policy: Policy
    to_status: Status
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)

    def set(self, **values: Any) -> None:
        for k, v in values.items():
            setattr(self.order, k, v)
            self.changed.add(k)


Handler = Callable[[Step, dict[str, Any]], None]
HANDLERS: dict[Action, Handler] = {}


def handler(action: Action) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        HANDLERS[action] = fn
        return fn

    return deco


def order_act(
    *,
    actor: User,
    number: str,
    action: str,
    payload: dict[str, Any] | None = None,
    version: int | None = None,
    now: datetime,
) -> Order:
    try:
        act = Action(action)
    except ValueError:
        raise DomainError(
            "unknown_action", f"Unknown action {action!r}.", status=404, action=action
        ) from None
    payload = payload or {}
    with transaction.atomic():
        order = order_get_for_user(actor, number, for_update=True)
        if version is not None and version != order.version:
            raise conflict(
                "stale_version",
                f"Someone else changed this order meanwhile (now version {order.version}); "
                "reload and try again.",
                current=order.version,
            )
        if not lifecycle.may_act(act, actor.role_set):
            raise DomainError("forbidden", f"Your roles may not {act.value} orders.", status=403)
        from_status = Status(order.status)
        to_status = lifecycle.next_status(from_status, act)
        step = Step(order, actor, now, current_policy(), to_status)
        HANDLERS[act](step, payload)
        if step.to_status != from_status:
            step.set(status=step.to_status.value)
        old_version = order.version
        step.set(version=old_version + 1, updated_at=now)
        values = {f: getattr(order, f) for f in step.changed}
        # The conditional update is the real guard (select_for_update is a no-op on SQLite).
        if not Order.objects.filter(pk=order.pk, version=old_version).update(**values):
            raise conflict(
                "stale_version",
                "Someone else changed this order meanwhile; reload and try again.",
                current=old_version + 1,
            )
        event = OrderEvent.objects.create(
            order=order,
            at=now,
            actor=actor,
            action=act.value,
            from_status=from_status.value,
            to_status=step.to_status.value,
            reason=step.reason,
            data=step.data,
        )
        order_acted.send(
            sender=Order,
            order=order,
            event=event,
            action=act,
            from_status=from_status,
            to_status=step.to_status,
            actor=actor,
            now=now,
        )
    return order


def _local(dt: datetime) -> datetime:
    return dt.astimezone(ZoneInfo(settings.TIME_ZONE))


def _first_contact(step: Step) -> None:
    if step.order.first_contact_at is None:
        step.set(first_contact_at=step.now)
    if step.order.reassigned_flag:
        step.set(reassigned_flag=False)  # O-4: flagged until first contact


@handler(Action.ASSIGN)
def _assign(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.AssignIn, payload)
    order = step.order
    tech = User.objects.filter(username=data.technician, is_active=True).first()
    if tech is None or Role.TECHNICIAN not in tech.role_set:
        raise DomainError(
            "unknown_technician",
            f"No technician {data.technician!r}.",
            fields={"technician": gettext_noop("Not a technician.")},
        )
    if tech.outlet_id is not None and tech.outlet_id != order.outlet_id:
        raise DomainError(
            "technician_other_outlet",
            "The technician works for another outlet.",
            fields={"technician": gettext_noop("Another outlet.")},
        )
    if order.assignee_id == tech.pk:
        raise conflict("already_assigned", "The order is already assigned to this technician.")
    reassign = order.assignee_id is not None
    if reassign and not data.reason:
        raise DomainError(
            "reason_required",
            "A reassignment needs a reason.",
            fields={"reason": gettext_noop("Say why the order is reassigned.")},
        )
    step.set(assignee=tech, assigned_at=step.now)
    if reassign:
        # O-4: a reassigned order is contacted at once; the old window no longer holds.
        step.set(
            reassigned_flag=True,
            appointment_start=None,
            appointment_end=None,
            appointment_is_reschedule=False,
            reschedule_accepted=None,
        )
    step.reason = data.reason
    step.data = {"technician": tech.username, "reassign": reassign}


def _record(values: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """An O-7 result validated by its kind's model, and its JSON form for the order/event."""
    try:
        res = result_adapter.validate_python(values)
    except ValidationError as exc:
        raise inputs.validation_error(exc) from None
    return res, result_adapter.dump_python(res, mode="json")


@handler(Action.APPOINTMENT)
def _appointment(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.AppointmentIn, payload)
    order = step.order
    check_window(
        data.start, data.end, now=step.now, policy=step.policy, tz=ZoneInfo(settings.TIME_ZONE)
    )
    reschedule = order.appointment_start is not None
    if reschedule:
        fields = {}
        if data.asked_by is None:
            fields["asked_by"] = gettext_noop("Say who asked for the new window.")
        if data.customer_accepted is None:
            fields["customer_accepted"] = gettext_noop("Say whether the customer accepted.")
        if not data.reason:
            fields["reason"] = gettext_noop("Say why the window changes.")
        if fields:
            raise DomainError(
                "reschedule_incomplete",
                "A reschedule needs who asked, whether the customer accepted, and why.",
                fields=fields,
            )
        values: dict[str, Any] = {
            "kind": ResultKind.RESCHEDULED,
            "reason": data.reason,
            "asked_by": data.asked_by,
            "customer_accepted": data.customer_accepted,
        }
    else:
        values = {"kind": ResultKind.APPOINTMENT, "agreed_by": data.agreed_by}
    _, result = _record(values | {"start": data.start, "end": data.end})
    step.set(
        appointment_start=data.start,
        appointment_end=data.end,
        appointment_is_reschedule=reschedule,
        reschedule_accepted=data.customer_accepted if reschedule else None,
        last_result_kind=result["kind"],
        last_result=result,
        arrived_at=None if reschedule else order.arrived_at,
    )
    _first_contact(step)
    step.reason = data.reason
    step.data = result


@handler(Action.RESULT)
def _result(step: Step, payload: dict[str, Any]) -> None:
    kind = payload.get("kind") if isinstance(payload, dict) else None
    if kind not in {k.value for k in RESULT_ACTION_KINDS}:
        raise DomainError(
            "unknown_result_kind",
            "Choose one of the intermediate results: "
            + ", ".join(sorted(k.value for k in RESULT_ACTION_KINDS))
            + ".",
            fields={"kind": gettext_noop("Unknown kind.")},
        )
    res, data = _record(payload)
    order = step.order
    if res.kind == ResultKind.REFUSED_REPAIR and order.arrived_at is None:
        raise conflict(
            "refusal_not_on_site",
            "A refusal of repair is recorded on site: mark the arrival first.",
        )
    step.set(last_result_kind=res.kind.value, last_result=data)
    if res.kind != ResultKind.UNREACHABLE:
        _first_contact(step)
    step.data = data


@handler(Action.START_TRAVEL)
def _start_travel(step: Step, payload: dict[str, Any]) -> None:
    note = inputs.parse(inputs.NoteIn, payload)
    if step.order.appointment_start is None:
        raise conflict("no_appointment", "Agree a window with the customer before travelling.")
    step.set(travel_started_at=step.now)
    step.reason = note.note


@handler(Action.ARRIVE)
def _arrive(step: Step, payload: dict[str, Any]) -> None:
    note = inputs.parse(inputs.NoteIn, payload)
    step.set(arrived_at=step.now)
    late = step.order.appointment_start is not None and step.now > step.order.appointment_start
    step.data = {"late": late}
    step.reason = note.note


@handler(Action.COMPLETE)
def _complete(step: Step, payload: dict[str, Any]) -> None:
    report = inputs.parse(inputs.CompleteIn, payload)
    order = step.order
    missing = missing_fields(report)
    history = [
        PastRepair(pk, at, code)
        for pk, at, code in Order.objects.filter(
            product_id=order.product_id, completed_at__isnull=False
        )
        .exclude(pk=order.pk)
        .values_list("pk", "completed_at", "fault_code")
        if at is not None
    ]
    repeat = find_repeat(
        history, fault_code=report.fault_code, at=step.now, days=step.policy.repeat_repair_days
    )
    step.set(
        completed_at=step.now,
        report=report.model_dump(mode="json"),
        report_complete=not missing,
        report_missing=missing,
        fault_code=report.fault_code,
        repeat_of_id=repeat.order_id if repeat else None,
    )
    step.data = {"report_missing": missing, "repeat_of": repeat.order_id if repeat else None}


@handler(Action.REVISIT)
def _revisit(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.RevisitIn, payload)
    step.set(revisited_at=step.now, revisit_satisfied=data.satisfied)
    step.to_status = lifecycle.revisit_outcome(
        data.satisfied, assigned=step.order.assignee_id is not None
    )
    step.reason = data.reasons
    step.data = data.model_dump(mode="json")


@handler(Action.CLOSE)
def _close(step: Step, payload: dict[str, Any]) -> None:
    note = inputs.parse(inputs.NoteIn, payload)
    order = step.order
    ground = close_ground(
        CloseFacts(
            status=Status(order.status),
            last_revisit_satisfied=order.revisit_satisfied,
            last_result_kind=ResultKind(order.last_result_kind) if order.last_result_kind else None,
            last_result_data=order.last_result or {},
            arrived_at=order.arrived_at,
        ),
        step.policy,
    )
    transits = [
        sla.PartTransit(
            shipped_by=ShippedBy(p.shipped_by),
            requested_at=p.requested_at,
            released_at=p.released_at,
            shipped_at=p.shipped_at,
            received_at=p.received_at,
        )
        for p in order.parts.all()
    ]
    assessed = sla.assessed_time(order.requested_at, step.now, transits)
    hours = Decimal(assessed.total_seconds() / 3600).quantize(Decimal("0.01"))
    step.set(
        closed_at=step.now,
        close_ground=ground,
        assessed_hours=hours,
        within_sla=sla.within_sla(assessed, order.sla_hours),
    )
    step.reason = note.note
    step.data = {"ground": ground, "assessed_hours": str(hours), "within_sla": order.within_sla}


@handler(Action.CANCEL)
def _cancel(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.ReasonIn, payload)
    step.set(cancelled_at=step.now)
    step.reason = data.reason


@handler(Action.CALL)
def _call(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.CallIn, payload)
    order = step.order
    waiting = order.last_result_kind == ResultKind.WAITING_PARTS
    promised = (order.last_result or {}).get("promised_date") if waiting else None
    cause = classify_call(
        CallFacts(
            now=step.now,
            status=Status(order.status),
            window_start=order.appointment_start,
            window_is_reschedule=order.appointment_is_reschedule,
            reschedule_accepted=order.reschedule_accepted,
            arrived_at=order.arrived_at,
            waiting_parts=waiting,
            parts_promised_date=date.fromisoformat(promised) if promised else None,
            today=_local(step.now).date(),
        )
    )
    responsible = None
    if cause is not None:
        responsible = order.assignee
        if cause == ContactCause.NO_WINDOW and order.assignee_id is None:
            responsible = order.received_by
        step.set(multiple_contacts=order.multiple_contacts + 1)
    RepeatCall.objects.create(
        order=order,
        at=step.now,
        logged_by=step.actor,
        note=data.note,
        cause=cause.value if cause else "",
        counts=cause is not None,
        responsible=responsible,
    )
    step.reason = data.note
    step.data = {
        "cause": cause.value if cause else None,
        "counts": cause is not None,
        "responsible": responsible.username if responsible else None,
    }


@handler(Action.ESCALATE)
def _escalate(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.ReasonIn, payload)
    level = backlog_rules.next_level(step.order.escalation_level)
    step.set(escalation_level=int(level), escalated_at=step.now)
    step.reason = data.reason
    step.data = {
        "level": level.name.lower(),
        "due": backlog_rules.escalation_due(step.now, step.policy.escalation_days).isoformat(),
    }


@handler(Action.PART_REQUEST)
def _part_request(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.PartRequestIn, payload)
    late = _local(step.now).time() >= step.policy.parts_request_cutoff  # O-13: before 17:00
    part = OrderPart.objects.create(
        order=step.order,
        part=data.part,
        quantity=data.quantity,
        shipped_by=data.shipped_by.value,
        requested_at=step.now,
        requested_late=late,
        promised_date=data.promised_date,
    )
    if step.order.parts_requested_at is None:
        step.set(parts_requested_at=step.now)
    step.data = {
        "part_id": part.pk,
        "part": data.part,
        "quantity": data.quantity,
        "shipped_by": data.shipped_by.value,
        "late": late,
    }


@handler(Action.PART_UPDATE)
def _part_update(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.PartUpdateIn, payload)
    part = step.order.parts.filter(pk=data.part_id).first()
    if part is None:
        raise DomainError(
            "not_found", "No such part on this order.", status=404, fields={"part_id": "unknown"}
        )
    changes = {k: v for k, v in data.model_dump(exclude={"part_id"}).items() if v is not None}
    if not changes:
        raise DomainError(
            "validation", "Give at least one time.", fields={"received_at": "required"}
        )
    for k, v in changes.items():
        if v > step.now:
            raise DomainError(
                "validation", "Times cannot be in the future.", fields={k: "in the future"}
            )
        setattr(part, k, v)
    if part.shipped_at and part.received_at and part.received_at < part.shipped_at:
        raise DomainError(
            "validation",
            "Received before it was shipped.",
            fields={"received_at": "before shipment"},
        )
    part.save(update_fields=list(changes))
    step.data = {"part_id": part.pk, **{k: v.isoformat() for k, v in changes.items()}}


@handler(Action.NOTE)
def _note(step: Step, payload: dict[str, Any]) -> None:
    data = inputs.parse(inputs.CallIn, payload)
    step.reason = data.note


def orders_pseudonymise(*, actor: User, customer_id: int, alias: str, now: datetime) -> int:
    """Blank the contact data a customer's orders carry (the customer asked to be erased);
    the orders, their events and figures stay. Each order's version moves on, so a form
    opened before the erasure is refused as stale, and the timeline records who erased."""
    from django.db.models import F

    with transaction.atomic():
        ids = list(
            Order.objects.select_for_update()
            .filter(customer_id=customer_id)
            .values_list("pk", "status")
        )
        Order.objects.filter(pk__in=[pk for pk, _ in ids]).update(
            contact_name=alias,
            contact_phones=[],
            address="",
            latitude=None,
            longitude=None,
            version=F("version") + 1,
            updated_at=now,
        )
        OrderEvent.objects.bulk_create(
            OrderEvent(
                order_id=pk,
                at=now,
                actor=actor,
                action="pseudonymise",
                from_status=status,
                to_status=status,
                reason="customer erased",
            )
            for pk, status in ids
        )
    return len(ids)
