"""The app's API routers, mounted by aftersales.api.main under /api/v1:
/customers (files, products, lists of C-1/C-7/C-8), /contacts (the log, my-day, requests,
substitutions, XLSX forms), /events (C-4)."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import NinjaJSONEncoder, Status

from aftersales.api.common import ERRORS, json_body, user_of
from aftersales.domain.errors import DomainError

from . import export, selectors, services
from .models import Event, Invitation, Substitution, care_policy
from .presenters import contact_dict, customer_dict, warranty_of_products

customers = Router(tags=["customers"])
contacts = Router(tags=["contacts"])
events = Router(tags=["events"])

Json = dict[str, Any]


def _page(page: int, page_size: int) -> tuple[int, int]:
    if not 1 <= page <= 100_000 or not 1 <= page_size <= 200:
        raise DomainError(
            "validation",
            "1 ≤ page ≤ 100000 and 1 ≤ page_size ≤ 200.",
            fields={"page": "1–100000", "page_size": "1–200"},
        )
    return (page - 1) * page_size, page * page_size


def _version(request: HttpRequest, payload: Json) -> int | None:
    header = request.headers.get("If-Match")
    raw = payload.pop("version", None)
    candidate = header.strip('"W/ ') if header else raw
    if candidate is None:
        return None
    try:
        return int(candidate)
    except (TypeError, ValueError):
        raise DomainError(
            "validation", "version must be an integer.", fields={"version": "integer"}
        ) from None


# ---------------------------------------------------------------- /customers


@customers.get("", response={200: Json, **ERRORS}, summary="List customers")
def list_customers(
    request: HttpRequest,
    q: str | None = None,
    care_class: str | None = None,
    tracker: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Json:
    lo, hi = _page(page, page_size)
    user = user_of(request)
    qs = selectors.customers_for_user(user).select_related("tracker")
    if q:
        qs = qs.filter(name__startswith=q.strip())
    if care_class:
        from aftersales.domain.care import parse_class

        cls = parse_class(care_class)
        qs = qs.filter(care_class=cls.value if cls else "")
    if tracker:
        qs = qs.filter(tracker__username=tracker)
    qs = qs.prefetch_related("phones", "products").order_by("pk")
    rows = list(qs[lo:hi])
    verdicts = warranty_of_products(rows, timezone.localdate())
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "results": [customer_dict(c, user, verdicts=verdicts) for c in rows],
    }


@customers.get("/files-due", response={200: Json, **ERRORS}, summary="C-1 files per tracker")
def files_due(request: HttpRequest) -> Json:
    return {"per_tracker": selectors.files_due(user_of(request), today=timezone.localdate())}


@customers.get("/overdue-contacts", response={200: Json, **ERRORS}, summary="C-7 overdue")
def overdue_contacts(request: HttpRequest) -> Json:
    rows = selectors.overdue_class_contacts(user_of(request), today=timezone.localdate())[:500]
    return {
        "results": [
            {
                "task": t.pk,
                "customer": t.customer_id,
                "name": t.customer.name,
                "care_class": t.customer.care_class,
                "due_on": t.due_on,
            }
            for t in rows
        ]
    }


@customers.get("/loyal", response={200: Json, **ERRORS}, summary="C-8 loyal customers")
def loyal(request: HttpRequest) -> Json:
    rows = selectors.loyal_customers(
        user_of(request), policy=care_policy(), today=timezone.localdate()
    )
    return {"results": rows}


@customers.get("/lost", response={200: Json, **ERRORS}, summary="C-8 lost customers")
def lost(request: HttpRequest, page: int = 1, page_size: int = 50) -> Json:
    lo, hi = _page(page, page_size)
    qs = selectors.lost_customers(
        user_of(request), policy=care_policy(), today=timezone.localdate()
    )
    return {
        "results": [
            {"customer": c.pk, "name": c.name, "loss_cause": c.loss_cause} for c in qs[lo:hi]
        ],
        "causes": selectors.loss_causes(user_of(request)),
    }


@customers.patch(
    "/products/{product_id}", response={200: Json, **ERRORS}, summary="Product file (C-1/C-2)"
)
def update_product(request: HttpRequest, product_id: str) -> Json:
    p = services.product_update(
        actor=user_of(request), product_id=product_id, data=json_body(request), now=timezone.now()
    )
    from .presenters import product_dict

    return product_dict(p, timezone.localdate())


@customers.post(
    "/products/{product_id}/readings",
    response={201: Json, **ERRORS},
    summary="Record a mileage reading (C-2 by distance)",
)
def add_reading(request: HttpRequest, product_id: str) -> Status[Json]:
    r = services.mileage_record(
        actor=user_of(request),
        product_id=product_id,
        data=json_body(request),
        now=timezone.now(),
        source="api",
    )
    from .presenters import product_dict

    return Status(
        201,
        {
            "id": r.pk,
            "km": r.km,
            "read_on": r.read_on,
            "source": r.source,
            "product": product_dict(r.product, timezone.localdate()),
        },
    )


@customers.get(
    "/products/{product_id}/readings",
    response={200: Json, **ERRORS},
    summary="A product's mileage readings, newest first",
)
def list_readings(request: HttpRequest, product_id: str) -> Json:
    rows = selectors.readings_for_user(user_of(request), product_id)
    return {
        "results": [
            {"id": r.pk, "km": r.km, "read_on": r.read_on, "source": r.source} for r in rows
        ]
    }


@customers.get("/{customer_id}", response={200: Json, **ERRORS}, summary="Customer file")
def get_customer(request: HttpRequest, customer_id: str) -> Json:
    user = user_of(request)
    c = selectors.customer_get_for_user(user, customer_id)
    return customer_dict(c, user, full=True)


@customers.patch("/{customer_id}", response={200: Json, **ERRORS}, summary="Edit the file")
def update_customer(request: HttpRequest, customer_id: str) -> Json:
    user = user_of(request)
    payload = json_body(request)
    version = _version(request, payload)
    c = services.customer_file_update(
        actor=user, customer_id=customer_id, data=payload, version=version, now=timezone.now()
    )
    return customer_dict(c, user, full=True)


@customers.get("/{customer_id}/export", response={200: Json, **ERRORS}, summary="All data")
def export_customer(request: HttpRequest, customer_id: str) -> Json:
    return services.customer_export(actor=user_of(request), customer_id=customer_id)


@customers.post("/{customer_id}/erase", response={200: Json, **ERRORS}, summary="Pseudonymise")
def erase_customer(request: HttpRequest, customer_id: str) -> Json:
    user = user_of(request)
    c = services.customer_erase(actor=user, customer_id=customer_id, now=timezone.now())
    return {"id": c.pk, "name": c.name, "erased": True}


# ---------------------------------------------------------------- /contacts


@contacts.get("", response={200: Json, **ERRORS}, summary="Contact log (C-5)")
def list_contacts(
    request: HttpRequest,
    customer: int | None = None,
    channel: list[str] | None = Query(None),  # type: ignore[type-arg]  # noqa: B008
    purpose: list[str] | None = Query(None),  # type: ignore[type-arg]  # noqa: B008
    actor: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    letters: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Json:
    lo, hi = _page(page, page_size)
    user = user_of(request)
    qs = selectors.contact_list(
        user,
        customer=customer,
        channel=channel,
        purpose=purpose,
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        letters=letters,
    )
    rows = list(qs[lo : hi + 1])
    return {
        "page": page,
        "page_size": page_size,
        "has_more": len(rows) > page_size,
        "results": [contact_dict(k, user) for k in rows[:page_size]],
    }


@contacts.post("", response={201: Json, **ERRORS}, summary="Log a call, visit or letter")
def log_contact(request: HttpRequest) -> Status[Json]:
    user = user_of(request)
    k = services.contact_log(actor=user, data=json_body(request), now=timezone.now())
    return Status(201, contact_dict(k, user))


@contacts.get("/my-day", response={200: Json, **ERRORS}, summary="A tracker's due tasks")
def my_day(request: HttpRequest, kind: list[str] | None = Query(None)) -> HttpResponse:  # type: ignore[type-arg]  # noqa: B008
    rows = selectors.my_day(user_of(request), today=timezone.localdate(), kinds=kind)
    # The hot list: rows are flat, so their __dict__ is the JSON object (asdict deep-copies
    # every field), and the response is rendered here rather than validated field by field.
    body = {"count": len(rows), "results": [r.__dict__ for r in rows]}
    return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json")


@contacts.get("/export", summary="The seed's four forms as XLSX", response={200: None, **ERRORS})
def export_form(
    request: HttpRequest,
    form: str = "register",
    date_from: date | None = None,
    date_to: date | None = None,
) -> HttpResponse:
    user = user_of(request)
    buf = io.BytesIO()
    if form == "file":
        source: Any = selectors.customers_for_user(user).order_by("pk")
    else:
        source = selectors.contact_list(user, date_from=date_from, date_to=date_to)
    export.write_form(form, user, source, buf)
    resp = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="care-{form}.xlsx"'
    return resp


@contacts.get("/requests", response={200: Json, **ERRORS}, summary="C-3 open requests")
def list_requests(request: HttpRequest) -> Json:
    return {"results": selectors.open_requests(user_of(request), now=timezone.now())}


@contacts.post("/requests/{request_id}/report", response={200: Json, **ERRORS})
def report_request(request: HttpRequest, request_id: str) -> Json:
    r = services.request_report(
        actor=user_of(request), request_id=request_id, data=json_body(request), now=timezone.now()
    )
    return {"id": r.pk, "reported_at": r.reported_at, "solved_at": r.solved_at}


@contacts.post("/requests/{request_id}/solve", response={200: Json, **ERRORS})
def solve_request(request: HttpRequest, request_id: str) -> Json:
    r = services.request_solve(
        actor=user_of(request), request_id=request_id, data=json_body(request), now=timezone.now()
    )
    return {"id": r.pk, "reported_at": r.reported_at, "solved_at": r.solved_at}


@contacts.get("/substitutions", response={200: Json, **ERRORS}, summary="C-6")
def list_substitutions(request: HttpRequest) -> Json:
    qs = Substitution.objects.select_related("tracker", "substitute").order_by("-start")[:200]
    return {
        "results": [
            {
                "id": s.pk,
                "tracker": s.tracker.username,
                "substitute": s.substitute.username,
                "start": s.start,
                "end": s.end,
                "reason": s.reason,
            }
            for s in qs
        ]
    }


@contacts.post("/substitutions", response={201: Json, **ERRORS}, summary="C-6 substitute")
def create_substitution(request: HttpRequest) -> Status[Json]:
    s = services.substitution_create(
        actor=user_of(request), data=json_body(request), now=timezone.now()
    )
    return Status(
        201,
        {
            "id": s.pk,
            "tracker": s.tracker.username,
            "substitute": s.substitute.username,
            "start": s.start,
            "end": s.end,
        },
    )


# ---------------------------------------------------------------- /events


def _event(e: Event) -> Json:
    inv = Invitation.objects.filter(event=e)
    return {
        "id": e.pk,
        "title": e.title,
        "kind": e.kind,
        "starts_on": e.starts_on,
        "place": e.place,
        "filters": e.filters,
        "invited": inv.count(),
        "sent": inv.filter(sent_at__isnull=False).count(),
        "replies": {
            "yes": inv.filter(reply="yes").count(),
            "no": inv.filter(reply="no").count(),
        },
    }


@events.get("", response={200: Json, **ERRORS}, summary="Events (C-4)")
def list_events(request: HttpRequest) -> Json:
    return {"results": [_event(e) for e in Event.objects.order_by("-starts_on", "-pk")[:100]]}


@events.post("", response={201: Json, **ERRORS}, summary="Create an event, invite targets")
def create_event(request: HttpRequest) -> Status[Json]:
    e = services.event_create(actor=user_of(request), data=json_body(request), now=timezone.now())
    return Status(201, _event(e))


@events.get("/{event_id}", response={200: Json, **ERRORS})
def get_event(request: HttpRequest, event_id: str) -> Json:
    return _event(services.event_get(user_of(request), event_id))


@events.post("/{event_id}/send", response={200: Json, **ERRORS}, summary="Send invitations")
def send_event(request: HttpRequest, event_id: str) -> Json:
    return services.event_send(
        actor=user_of(request), event_id=event_id, data=json_body(request), now=timezone.now()
    )


@events.post("/{event_id}/replies", response={200: Json, **ERRORS}, summary="Log a reply")
def reply_event(request: HttpRequest, event_id: str) -> Json:
    inv = services.invitation_reply(
        actor=user_of(request), event_id=event_id, data=json_body(request), now=timezone.now()
    )
    return {"customer": inv.customer_id, "reply": inv.reply, "replied_at": inv.replied_at}


ROUTERS: list[tuple[str, Router]] = [
    ("/customers", customers),
    ("/contacts", contacts),
    ("/events", events),
]
