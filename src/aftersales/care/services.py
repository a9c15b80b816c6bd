"""Care commands: one transaction each, refusals as DomainError, nothing written on refusal."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.customers.models import Customer, CustomerPhone, CustomerProduct
from aftersales.domain import care as rules
from aftersales.domain.care import Channel, Outcome, Purpose, TaskKind
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError, conflict
from aftersales.orders.inputs import parse
from aftersales.orders.models import Order
from aftersales.orders.services import orders_pseudonymise

from . import inputs
from .messages import Message, backend
from .models import (
    Contact,
    CustomerRequest,
    Event,
    Invitation,
    MileageReading,
    Substitution,
    Task,
    care_policy,
)
from .selectors import (
    customer_get_for_user,
    customers_for_user,
    require_care,
    require_planner,
)

TRACKER_ROLES = {Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR}


def local_day(now: datetime) -> date:
    return timezone.localtime(now).date()


def _user(username: str, field: str) -> User:
    u = User.objects.filter(username=username, is_active=True).first()
    if u is None:
        raise DomainError("unknown_user", f"No user {username!r}.", fields={field: "unknown"})
    return u


def task_key(kind: TaskKind, *parts: object) -> str:
    return ":".join([kind.value, *(str(p) for p in parts)])


# ---------------------------------------------------------------- after an order completes


def schedule_for_completed_order(order: Order, *, now: datetime) -> int:
    """C-1 file due and C-3 two follow-up calls for a completed order; the product's last
    service and next maintenance move (C-2). Idempotent on the tasks' natural keys."""
    policy = care_policy()
    taken_back = local_day(order.completed_at or now)
    customer = Customer.objects.only("pk", "tracker_id").get(pk=order.customer_id)
    if customer.tracker_id is None and order.received_by_id:
        # C-6 every customer has a tracker: by default the clerk who received the order.
        clerk = User.objects.filter(pk=order.received_by_id).first()
        if clerk is not None and clerk.role_set & TRACKER_ROLES:
            Customer.objects.filter(pk=customer.pk, tracker__isnull=True).update(tracker=clerk)
            customer.tracker_id = clerk.pk
    plan = rules.followup_plan(policy, taken_back)
    tasks = [
        Task(
            key=task_key(TaskKind.FILE, "order", order.pk),
            kind=TaskKind.FILE,
            due_on=taken_back,
            deadline=rules.file_deadline(policy, taken_back),
        ),
        Task(
            key=task_key(TaskKind.FOLLOWUP_1, "order", order.pk),
            kind=TaskKind.FOLLOWUP_1,
            due_on=plan.first_due,
            deadline=plan.first_deadline,
        ),
        Task(
            key=task_key(TaskKind.FOLLOWUP_2, "order", order.pk),
            kind=TaskKind.FOLLOWUP_2,
            due_on=plan.second_due,
            deadline=plan.second_deadline,
        ),
    ]
    for t in tasks:
        t.customer_id = customer.pk
        t.assignee_id = customer.tracker_id
        t.order_id = order.pk
        t.product_id = order.product_id
        t.created_at = now
    existing = set(
        Task.objects.filter(key__in=[t.key for t in tasks]).values_list("key", flat=True)
    )
    Task.objects.bulk_create([t for t in tasks if t.key not in existing], ignore_conflicts=True)
    product = CustomerProduct.objects.select_for_update().get(pk=order.product_id)
    recorded = _order_reading(order, product, taken_back, now)
    if product.last_service_on is None or product.last_service_on < taken_back:
        product.last_service_on = taken_back
        nxt = rules.next_maintenance(
            last_service=taken_back, interval_days=product.maintenance_interval_days
        )
        if nxt is not None:
            _move_maintenance(product, nxt)
        if product.maintenance_interval_km:
            # The service restarts the distance: next at the latest known mileage + interval.
            last = _latest_reading(product)
            base = last.km if last else product.mileage_km
            if base is not None:
                product.next_maintenance_km = base + product.maintenance_interval_km
        _refresh_distance(product, policy, taken_back)
        product.save()
    elif recorded:
        product.save()
    return len(tasks) - len(existing)


# ---------------------------------------------------------------- mileage (C-2 by distance)


def _order_reading(order: Order, product: CustomerProduct, on: date, now: datetime) -> bool:
    """C-2: the mileage in the order's service report (`report["mileage_km"]`, when the
    report carries one) is a reading of the day the product was taken back. A reading that
    would be refused (below an earlier one) is skipped: it never fails the completion."""
    km = (order.report or {}).get("mileage_km") if isinstance(order.report, dict) else None
    if not isinstance(km, int) or isinstance(km, bool) or km < 0:
        return False
    if MileageReading.objects.filter(product_id=product.pk, source="order", read_on=on).exists():
        return False
    try:
        _record_reading(product, km=km, on=on, source="order", actor=None, now=now)
    except DomainError:
        return False
    return True


def _latest_reading(product: CustomerProduct) -> rules.Reading | None:
    row = (
        MileageReading.objects.filter(product_id=product.pk)
        .order_by("-read_on", "-km", "-pk")
        .values_list("read_on", "km")
        .first()
    )
    return rules.Reading(row[0], row[1]) if row else None


def _refresh_distance(product: CustomerProduct, policy: rules.CarePolicy, today: date) -> None:
    """Re-estimate the daily distance and the day the next maintenance km is reached; when
    that moves the reminder's date (the earlier of date and distance), the queue is re-armed
    and the reminder of the old date closed. The caller saves the product."""
    since = today - timedelta(days=policy.mileage_lookback_days)
    readings = [
        rules.Reading(on, km)
        for on, km in MileageReading.objects.filter(
            product_id=product.pk, read_on__gte=since, read_on__lte=today
        ).values_list("read_on", "km")
    ]
    per_day = rules.daily_distance(policy, readings, today)
    due = rules.distance_due_on(_latest_reading(product), per_day, product.next_maintenance_km)
    product.daily_km = round(per_day, 2) if per_day is not None else None
    if due == product.distance_due_on:
        return
    before, _ = rules.maintenance_due(product.next_maintenance_due, product.distance_due_on)
    product.distance_due_on = due
    after, _ = rules.maintenance_due(product.next_maintenance_due, due)
    if before != after:
        product.maintenance_reminded = False
        Task.objects.filter(
            customer_id=product.customer_id,
            product_id=product.pk,
            open=True,
            kind=TaskKind.MAINTENANCE,
        ).update(open=False)


def _record_reading(
    product: CustomerProduct,
    *,
    km: int,
    on: date,
    source: str,
    actor: User | None,
    now: datetime,
    contact: Contact | None = None,
) -> MileageReading:
    """One reading; refused when below a reading of an earlier or the same day (422)."""
    lower = (
        MileageReading.objects.filter(product_id=product.pk, read_on__lte=on, km__gt=km)
        .order_by("-read_on")
        .values_list("km", "read_on")
        .first()
    )
    if lower is not None:
        raise DomainError(
            "mileage_decreased",
            f"{km} km is below the {lower[0]} km read on {lower[1].isoformat()}.",
            fields={"mileage_km": "below an earlier reading"},
        )
    reading = MileageReading.objects.create(
        product=product,
        km=km,
        read_on=on,
        source=source,
        contact=contact,
        recorded_by=actor,
        recorded_at=now,
    )
    last = _latest_reading(product)
    if last is not None:
        product.mileage_km = last.km
    _refresh_distance(product, care_policy(), local_day(now))
    return reading


def _product_for(actor: User, product_id: int | str) -> CustomerProduct:
    try:
        pid = int(product_id)
    except (TypeError, ValueError):
        pid = -1
    product = (
        CustomerProduct.objects.select_for_update()
        .filter(pk=pid, customer__in=customers_for_user(actor).values("pk"))
        .first()
    )
    if product is None:
        raise DomainError("not_found", f"No product {product_id}.", status=404)
    return product


def mileage_record(
    *, actor: User, product_id: int | str, data: Any, now: datetime, source: str = "form"
) -> MileageReading:
    """C-2: record a vehicle's mileage (the product's reading form and the API)."""
    body = parse(inputs.ReadingIn, data)
    with transaction.atomic():
        product = _product_for(actor, product_id)
        require_care(actor, product.customer)
        on = body.read_on or local_day(now)
        if on > local_day(now):
            raise DomainError(
                "reading_in_future",
                "A mileage reading cannot be dated in the future.",
                fields={"read_on": "in the future"},
            )
        reading = _record_reading(product, km=body.km, on=on, source=source, actor=actor, now=now)
        product.save()
    return reading


def _move_maintenance(product: CustomerProduct, nxt: date | None) -> None:
    if product.next_maintenance_due != nxt:
        product.next_maintenance_due = nxt
        product.maintenance_reminded = False
        product.loss_flagged = False
        # The reminder and loss call of the old date are moot.
        Task.objects.filter(
            customer_id=product.customer_id,
            product_id=product.pk,
            open=True,
            kind__in=[TaskKind.MAINTENANCE, TaskKind.LOSS_CALL],
        ).update(open=False)


# ---------------------------------------------------------------- customer file (C-1)


def customer_file_update(
    *, actor: User, customer_id: int | str, data: Any, version: int | None, now: datetime
) -> Customer:
    body = parse(inputs.CustomerFileIn, data)
    with transaction.atomic():
        c = customer_get_for_user(actor, customer_id, for_update=True)
        require_care(actor, c)
        if c.erased_at is not None:
            raise conflict("customer_erased", "This customer was erased.")
        if version is not None and version != c.version:
            raise conflict("stale_version", "The file was changed meanwhile; reload it.")
        fields = inputs.drop_none(body.model_dump())
        tracker = fields.pop("tracker", None)
        if tracker is not None:
            if not actor.role_set & {"supervisor", "manager", "admin"}:
                raise DomainError(
                    "forbidden", "Only a supervisor or manager assigns trackers.", status=403
                )
            c.tracker = _user(tracker, "tracker") if tracker else None
        new_class = fields.get("care_class")
        for k, v in fields.items():
            setattr(c, k, v)
        if new_class is not None:
            _reschedule_class(c, now)
        if fields:
            c.file_updated_at = now
        c.version = F("version") + 1
        c.save()
        c.refresh_from_db()
        if fields:
            # Filling in the file completes its due task (C-1); a tracker change alone does not.
            Task.objects.filter(customer_id=c.pk, kind=TaskKind.FILE, open=True).update(
                open=False, done_at=now, done_by=actor
            )
        if tracker is not None:
            Task.objects.filter(customer_id=c.pk, open=True).update(assignee=c.tracker)
    return c


def _reschedule_class(c: Customer, now: datetime) -> None:
    policy = care_policy()
    cls = rules.parse_class(c.care_class)
    last = local_day(c.last_contact_at) if c.last_contact_at else None
    c.next_contact_due = rules.next_class_contact(policy, cls, last, local_day(now))
    c.contact_task_open = False
    Task.objects.filter(customer_id=c.pk, kind=TaskKind.CLASS_CONTACT, open=True).update(open=False)


def product_update(
    *, actor: User, product_id: int | str, data: Any, now: datetime
) -> CustomerProduct:
    body = parse(inputs.ProductFileIn, data)
    with transaction.atomic():
        product = _product_for(actor, product_id)
        require_care(actor, product.customer)
        fields = inputs.drop_none(body.model_dump())
        nxt = fields.pop("next_maintenance_due", None)
        km = fields.pop("mileage_km", None)
        for k, v in fields.items():
            setattr(product, k, v)
        if nxt is None and ("maintenance_interval_days" in fields or "last_service_on" in fields):
            nxt = rules.next_maintenance(
                last_service=product.last_service_on or product.purchase_date or local_day(now),
                interval_days=product.maintenance_interval_days,
            )
        if km is not None and km != product.mileage_km:
            # The mileage on the product form is a reading of today (C-2 by distance).
            _record_reading(product, km=km, on=local_day(now), source="form", actor=actor, now=now)
        # The km target is set from the mileage when the interval is given (or there is no
        # target yet); a later reading does not move it (a service does: completion).
        if (
            product.maintenance_interval_km
            and product.mileage_km is not None
            and ("maintenance_interval_km" in fields or product.next_maintenance_km is None)
        ):
            product.next_maintenance_km = product.mileage_km + product.maintenance_interval_km
        if nxt is not None:
            _move_maintenance(product, nxt)
        _refresh_distance(product, care_policy(), local_day(now))
        product.save()
    return product


# ---------------------------------------------------------------- contact log (C-3, C-5)


def contact_log(*, actor: User, data: Any, now: datetime) -> Contact:
    body = parse(inputs.ContactIn, data)
    with transaction.atomic():
        task: Task | None = None
        if body.task is not None:
            task = Task.objects.select_for_update().filter(pk=body.task).first()
            if task is None:
                raise DomainError("not_found", f"No task {body.task}.", status=404)
            customer_id: int | str = task.customer_id
        elif body.customer is not None:
            customer_id = body.customer
        else:
            raise DomainError(
                "validation", "Give a customer or a task.", fields={"customer": "required"}
            )
        c = customer_get_for_user(actor, customer_id, for_update=True)
        require_care(actor, c)
        if task is not None and not task.open:
            raise conflict("task_done", "This task is already done.")
        if c.erased_at is not None:
            raise conflict("customer_erased", "This customer was erased.")
        purpose = body.purpose or (rules.TASK_PURPOSE[TaskKind(task.kind)] if task else None)
        if purpose is None:
            raise DomainError(
                "validation", "Say what the contact was about.", fields={"purpose": "required"}
            )
        order = _order_for_contact(body.order, task, c)
        if purpose == Purpose.FOLLOWUP:
            if order is None:
                raise DomainError(
                    "validation",
                    "A follow-up call names its order.",
                    fields={"order": "required"},
                )
            if order.completed_at is None or order.status == "cancelled":
                raise conflict(
                    "order_not_completed",
                    f"Order {order.number} is not completed: no follow-up yet.",
                )
        letter = body.channel in rules.LETTER_CHANNELS
        if body.channel in (Channel.LETTER_OUT,) and not c.address.strip():
            raise DomainError(
                "no_address",
                f"{c.name} has no postal address for a letter.",
                fields={"address": "missing"},
            )
        if body.channel == Channel.MESSAGE and not (c.email or c.address.strip()):
            raise DomainError(
                "no_address", f"{c.name} has no address.", fields={"address": "missing"}
            )
        phone = ""
        if not letter:
            phone = (
                CustomerPhone.objects.filter(customer_id=c.pk)
                .order_by("pk")
                .values_list("number", flat=True)
                .first()
                or ""
            )
        contact = Contact.objects.create(
            customer=c,
            at=now,
            actor=actor,
            channel=body.channel,
            purpose=purpose,
            outcome=body.outcome,
            phone=phone,
            address=c.address if letter else "",
            subject=body.subject,
            key_points=body.key_points,
            requests=body.requests,
            wishes=body.wishes,
            complaints=body.complaints,
            loss_cause=body.loss_cause,
            order=order,
            task=task,
            event=task.event if task else None,
        )
        if body.mileage_km is not None:
            _contact_reading(c, body, contact, actor=actor, now=now)
        reached = body.outcome in (Outcome.REACHED, Outcome.SENT)
        if reached and body.channel in (Channel.PHONE_OUT, Channel.PHONE_IN, Channel.VISIT):
            c.last_contact_at = now
            if c.care_class:
                _reschedule_class(c, now)
        if purpose == Purpose.LOSS and body.loss_cause:
            c.loss_cause = body.loss_cause
        c.save()
        if body.open_question:
            _open_request(
                actor=actor, customer=c, order=order, question=body.open_question, now=now
            )
        if task is not None and reached:
            _finish_task(task, actor=actor, now=now)
    return contact


def _contact_reading(
    c: Customer, body: inputs.ContactIn, contact: Contact, *, actor: User, now: datetime
) -> None:
    """C-2: the mileage told on a call or read at a visit, against the named product, else
    the task's, else the customer's only vehicle (one with a plate)."""
    assert body.mileage_km is not None
    products = CustomerProduct.objects.select_for_update().filter(customer_id=c.pk)
    pid = body.product or (contact.task.product_id if contact.task else None)
    if pid is not None:
        product = products.filter(pk=pid).first()
    else:
        vehicles = list(products.exclude(plate="")[:2])
        product = vehicles[0] if len(vehicles) == 1 else None
    if product is None:
        raise DomainError(
            "product_required",
            "Say which of the customer's vehicles the mileage is of.",
            fields={"product": "required"},
        )
    _record_reading(
        product,
        km=body.mileage_km,
        on=local_day(now),
        source="contact",
        actor=actor,
        now=now,
        contact=contact,
    )
    product.save()


def _order_for_contact(number: str | None, task: Task | None, c: Customer) -> Order | None:
    if number:
        order = Order.objects.filter(number=number, customer_id=c.pk).first()
        if order is None:
            raise DomainError(
                "not_found", f"No order {number} of this customer.", status=404, number=number
            )
        return order
    if task is not None and task.order_id:
        return Order.objects.get(pk=task.order_id)
    return None


def _finish_task(task: Task, *, actor: User, now: datetime) -> None:
    task.open = False
    task.done_at = now
    task.done_by = actor
    task.save(update_fields=["open", "done_at", "done_by"])
    if task.kind == TaskKind.REQUEST_TELL and task.request_id:
        CustomerRequest.objects.filter(pk=task.request_id, told_at__isnull=True).update(told_at=now)
    if task.kind == TaskKind.EVENT_CALL and task.event_id:
        Invitation.objects.filter(
            event_id=task.event_id, customer_id=task.customer_id, sent_at__isnull=True
        ).update(sent_at=now, sent_via="phone")


def _open_request(
    *, actor: User, customer: Customer, order: Order | None, question: str, now: datetime
) -> CustomerRequest:
    policy = care_policy()
    req = CustomerRequest.objects.create(
        customer=customer,
        order=order,
        question=question,
        opened_at=now,
        opened_by=actor,
        report_due_at=rules.request_report_deadline(policy, now),
    )
    Task.objects.create(
        key=task_key(TaskKind.REQUEST_REPORT, "request", req.pk),
        kind=TaskKind.REQUEST_REPORT,
        customer=customer,
        assignee_id=customer.tracker_id or actor.pk,
        due_on=local_day(now),
        deadline=local_day(req.report_due_at),
        request=req,
        order=order,
        created_at=now,
    )
    return req


def _request_for(actor: User, request_id: int | str) -> CustomerRequest:
    try:
        rid = int(request_id)
    except (TypeError, ValueError):
        rid = -1
    req = (
        CustomerRequest.objects.select_for_update()
        .filter(pk=rid, customer__in=customers_for_user(actor).values("pk"))
        .select_related("customer")
        .first()
    )
    if req is None:
        raise DomainError("not_found", f"No request {request_id}.", status=404)
    require_care(actor, req.customer)
    return req


def request_report(
    *, actor: User, request_id: int | str, data: Any, now: datetime
) -> CustomerRequest:
    """C-3 the still-open question is reported to the manager."""
    body = parse(inputs.RequestReportIn, data)
    with transaction.atomic():
        req = _request_for(actor, request_id)
        if req.solved_at is not None:
            raise conflict("request_solved", "This request is already solved.")
        req.reported_at = now
        req.report = body.report
        req.save(update_fields=["reported_at", "report"])
        Task.objects.filter(request=req, kind=TaskKind.REQUEST_REPORT, open=True).update(
            open=False, done_at=now, done_by=actor
        )
    return req


def request_solve(
    *, actor: User, request_id: int | str, data: Any, now: datetime
) -> CustomerRequest:
    """C-3 a solution is found: the customer is to be told the same day."""
    body = parse(inputs.RequestSolveIn, data)
    with transaction.atomic():
        req = _request_for(actor, request_id)
        if req.solved_at is not None:
            raise conflict("request_solved", "This request is already solved.")
        req.solved_at = now
        req.solution = body.solution
        req.save(update_fields=["solved_at", "solution"])
        Task.objects.filter(request=req, kind=TaskKind.REQUEST_REPORT, open=True).update(
            open=False, done_at=now, done_by=actor
        )
        today = local_day(now)
        Task.objects.get_or_create(
            key=task_key(TaskKind.REQUEST_TELL, "request", req.pk),
            defaults={
                "kind": TaskKind.REQUEST_TELL,
                "customer": req.customer,
                "assignee_id": req.customer.tracker_id or actor.pk,
                "due_on": today,
                "deadline": today,
                "request": req,
                "order_id": req.order_id,
                "created_at": now,
            },
        )
    return req


# ---------------------------------------------------------------- events (C-4)


def event_targets(filters: inputs.EventFilters) -> QuerySet[Customer]:
    qs = Customer.objects.filter(erased_at__isnull=True)
    if filters.care_class:
        qs = qs.filter(care_class__in=filters.care_class)
    if filters.region:
        qs = qs.filter(region__in=filters.region)
    if filters.category:
        qs = qs.filter(
            Exists(
                CustomerProduct.objects.filter(
                    customer_id=OuterRef("pk"), category__in=filters.category
                )
            )
        )
    if filters.tracker:
        qs = qs.filter(tracker__username=filters.tracker)
    if filters.last_visit_before or filters.last_visit_after:
        qs = qs.annotate(last_visit=Max("orders__completed_at"))
        if filters.last_visit_before:
            qs = qs.filter(last_visit__date__lte=filters.last_visit_before)
        if filters.last_visit_after:
            qs = qs.filter(last_visit__date__gte=filters.last_visit_after)
    return qs


def event_create(*, actor: User, data: Any, now: datetime) -> Event:
    """C-4: the event, its invitations and the phone tasks 2 weeks before."""
    body = parse(inputs.EventIn, data)
    require_planner(actor)
    today = local_day(now)
    rules.check_event_date(body.starts_on, today)
    policy = care_policy()
    with transaction.atomic():
        event = Event.objects.create(
            title=body.title,
            kind=body.kind,
            starts_on=body.starts_on,
            place=body.place,
            message=body.message,
            filters=body.filters.model_dump(mode="json"),
            created_by=actor,
            created_at=now,
        )
        due = rules.event_call_due(policy, body.starts_on, today)
        targets = customers_for_user(actor).filter(pk__in=event_targets(body.filters).values("pk"))
        batch_inv: list[Invitation] = []
        batch_task: list[Task] = []
        for cid, tracker_id in targets.values_list("pk", "tracker_id").iterator(chunk_size=2000):
            batch_inv.append(Invitation(event=event, customer_id=cid))
            batch_task.append(
                Task(
                    key=task_key(TaskKind.EVENT_CALL, "event", event.pk, cid),
                    kind=TaskKind.EVENT_CALL,
                    customer_id=cid,
                    assignee_id=tracker_id,
                    due_on=due,
                    deadline=body.starts_on - timedelta(days=1),
                    event=event,
                    created_at=now,
                )
            )
            if len(batch_inv) >= 2000:
                Invitation.objects.bulk_create(batch_inv, ignore_conflicts=True)
                Task.objects.bulk_create(batch_task, ignore_conflicts=True)
                batch_inv, batch_task = [], []
        Invitation.objects.bulk_create(batch_inv, ignore_conflicts=True)
        Task.objects.bulk_create(batch_task, ignore_conflicts=True)
    return event


def event_get(actor: User, event_id: int | str) -> Event:
    try:
        eid = int(event_id)
    except (TypeError, ValueError):
        eid = -1
    event = Event.objects.filter(pk=eid).first()
    if event is None:
        raise DomainError("not_found", f"No event {event_id}.", status=404)
    return event


def event_send(*, actor: User, event_id: int | str, data: Any, now: datetime) -> dict[str, int]:
    """C-4: a letter/message to every invited customer with an address; each one logged."""
    body = parse(inputs.SendIn, data)
    require_planner(actor)
    sender = backend(body.backend)
    channel = Channel.MESSAGE if body.backend == "email" else Channel.LETTER_OUT
    sent = skipped = 0
    with transaction.atomic():
        event = event_get(actor, event_id)
        invs = (
            Invitation.objects.select_for_update()
            .filter(event=event, sent_at__isnull=True)
            .select_related("customer")
            .order_by("pk")
        )
        for inv in invs:
            c = inv.customer
            target_ok = bool(c.email) if body.backend == "email" else bool(c.address.strip())
            if not target_ok or c.erased_at is not None:
                skipped += 1
                continue
            sender.send(
                Message(
                    customer_id=c.pk,
                    name=c.name,
                    address=c.address,
                    email=c.email,
                    subject=event.title,
                    body=event.message or f"{event.title} — {event.starts_on} — {event.place}",
                )
            )
            inv.sent_at = now
            inv.sent_via = body.backend
            inv.save(update_fields=["sent_at", "sent_via"])
            Contact.objects.create(
                customer=c,
                at=now,
                actor=actor,
                channel=channel,
                purpose=Purpose.EVENT,
                outcome=Outcome.SENT,
                address=c.address if channel == Channel.LETTER_OUT else c.email,
                subject=event.title,
                event=event,
            )
            sent += 1
    return {"sent": sent, "skipped": skipped}


def invitation_reply(*, actor: User, event_id: int | str, data: Any, now: datetime) -> Invitation:
    body = parse(inputs.ReplyIn, data)
    with transaction.atomic():
        event = event_get(actor, event_id)
        c = customer_get_for_user(actor, body.customer)
        require_care(actor, c)
        inv = Invitation.objects.select_for_update().filter(event=event, customer=c).first()
        if inv is None:
            raise DomainError("not_invited", f"{c.name} is not invited to this event.", status=404)
        inv.reply = body.reply
        inv.replied_at = now
        inv.save(update_fields=["reply", "replied_at"])
        Contact.objects.create(
            customer=c,
            at=now,
            actor=actor,
            channel=Channel.PHONE_IN,
            purpose=Purpose.EVENT,
            outcome=Outcome.REACHED,
            subject=event.title,
            key_points=f"reply: {body.reply}. {body.note}".strip(),
            event=event,
        )
        Task.objects.filter(event=event, customer=c, open=True).update(
            open=False, done_at=now, done_by=actor
        )
    return inv


# ---------------------------------------------------------------- substitution (C-6)


def substitution_create(*, actor: User, data: Any, now: datetime) -> Substitution:
    body = parse(inputs.SubstitutionIn, data)
    require_planner(actor)
    tracker = _user(body.tracker, "tracker")
    substitute = _user(body.substitute, "substitute")
    period = rules.Period(body.start, body.end)
    with transaction.atomic():
        # Lock the tracker's row so two overlapping substitutions cannot both pass the check.
        User.objects.select_for_update().filter(pk=tracker.pk).first()
        existing = [
            rules.Period(s, e)
            for s, e in Substitution.objects.filter(
                Q(tracker=tracker) | Q(substitute=tracker) | Q(tracker=substitute)
            ).values_list("start", "end")
        ]
        rules.check_substitution(
            tracker_id=tracker.pk, substitute_id=substitute.pk, period=period, existing=existing
        )
        return Substitution.objects.create(
            tracker=tracker,
            substitute=substitute,
            start=body.start,
            end=body.end,
            reason=body.reason,
            created_by=actor,
            created_at=now,
        )


# ---------------------------------------------------------------- personal data


def customer_export(*, actor: User, customer_id: int | str) -> dict[str, Any]:
    """Everything held about a customer (a data-subject request)."""
    c = customer_get_for_user(actor, customer_id)
    require_care(actor, c)
    from .presenters import customer_dict

    return {
        "customer": customer_dict(c, actor, full=True),
        "contacts": list(
            Contact.objects.filter(customer=c)
            .order_by("at")
            .values(
                "at",
                "channel",
                "purpose",
                "outcome",
                "phone",
                "address",
                "subject",
                "key_points",
                "requests",
                "wishes",
                "complaints",
                "loss_cause",
            )
        ),
        "requests": list(
            CustomerRequest.objects.filter(customer=c).values(
                "question", "opened_at", "reported_at", "solved_at", "solution", "told_at"
            )
        ),
        "invitations": list(
            Invitation.objects.filter(customer=c).values(
                "event__title", "event__starts_on", "sent_at", "reply"
            )
        ),
        "orders": list(
            Order.objects.filter(customer=c)
            .order_by("created_at")
            .values("number", "status", "service_type", "fault", "address", "created_at")
        ),
    }


def customer_erase(*, actor: User, customer_id: int | str, now: datetime) -> Customer:
    """Pseudonymise: personal fields blanked on the customer, their orders and contacts;
    orders, events and figures stay."""
    if not actor.role_set & {"manager", "admin"}:
        raise DomainError("forbidden", "Only a manager may erase a customer.", status=403)
    with transaction.atomic():
        c = customer_get_for_user(actor, customer_id, for_update=True)
        if c.erased_at is not None:
            raise conflict("customer_erased", "This customer was already erased.")
        alias = f"erased-{uuid.uuid4().hex[:10]}"
        c.name = alias
        c.address = ""
        c.email = ""
        c.services_wanted = ""
        c.file_notes = ""
        c.latitude = c.longitude = None
        c.erased_at = now
        c.next_contact_due = None
        c.care_class = ""
        c.save()
        CustomerPhone.objects.filter(customer=c).delete()
        orders_pseudonymise(actor=actor, customer_id=c.pk, alias=alias, now=now)
        Contact.objects.filter(customer=c).update(phone="", address="")
        CustomerProduct.objects.filter(customer=c).update(plate="", next_maintenance_due=None)
        Task.objects.filter(customer=c, open=True).update(open=False)
    return c
