"""One NinjaAPI for the product; one error handler turns every refusal into the same JSON."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from importlib import import_module
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError

from aftersales.core.errors import error_body
from aftersales.core.paging import capped_count
from aftersales.domain.errors import DomainError
from aftersales.orders import backlog as backlog_mod
from aftersales.orders import inputs
from aftersales.orders.inputs import field_message
from aftersales.orders.intake import order_receive, orders_receive
from aftersales.orders.models import IdempotencyKey, Order
from aftersales.orders.presenters import order_dict
from aftersales.orders.selectors import order_get_for_user, order_list
from aftersales.orders.services import order_act

from .auth import BearerToken
from .common import ERRORS, json_body, user_of
from .schemas import BacklogOut, BatchIn, BatchOut, EventOut, OrderOut, OrderPage

api = NinjaAPI(
    title="Aftersales API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _err(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


@api.exception_handler(DomainError)
def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, error_body(exc), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "payload", "query")]
        fields.setdefault(".".join(loc) or "__all__", field_message(e) or "invalid")
    return _err(request, 422, "validation", _("Some fields are not valid."), fields)


@api.exception_handler(ValidationError)
def _pyd(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _domain(request, inputs.validation_error(exc))


@api.exception_handler(AuthenticationError)
def _auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _err(request, 401, "unauthenticated", "A valid bearer token is required.")


@api.exception_handler(HttpError)
def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja could not parse the body
        return _err(request, 400, "bad_json", "The body is not valid JSON.")
    return _err(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _err(request, 422, "body_too_large", "The request body is too large.")


@api.exception_handler(json.JSONDecodeError)
def _bad_json(request: HttpRequest, exc: json.JSONDecodeError) -> HttpResponse:
    return _err(request, 400, "bad_json", f"The body is not valid JSON: {exc.msg}.")


orders = Router(tags=["orders"])


def _out(
    order: Order, request: HttpRequest, *, status: int = 200, fresh: bool = False
) -> HttpResponse:
    """The order as the caller may see it; `fresh` orders (just received, relations attached
    by intake) are shown as they are instead of being read again.

    The presenter's dict is OrderOut exactly (a test holds it), so it is rendered as it is:
    ninja's re-validation of it cost about a tenth of an intake request's CPU."""
    if not fresh:
        order = Order.objects.select_related("outlet", "product", "assignee", "repeat_of").get(
            pk=order.pk
        )
    return api.create_response(request, order_dict(order, user_of(request)), status=status)


@orders.post(
    "",
    response={200: OrderOut, 201: OrderOut, **ERRORS},
    summary="Receive an order (O-1, O-2)",
    description="201 with the new order; with an `Idempotency-Key` header a replay of the "
    "same body answers 200 with the same order, another body under the same key 409.",
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 128},
            }
        ],
    },
)
def create_order(request: HttpRequest, payload: inputs.OrderIn) -> HttpResponse:
    data = payload
    key = request.headers.get("Idempotency-Key")
    user = user_of(request)
    now = timezone.now()
    if key is None:
        return _out(order_receive(actor=user, data=data, now=now), request, status=201, fresh=True)
    if len(key) > 128:
        raise DomainError(
            "validation",
            "Idempotency-Key is at most 128 characters.",
            fields={"Idempotency-Key": "too long"},
        )
    raw = json.loads(request.body)
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()
    for _attempt in range(2):
        seen = IdempotencyKey.objects.filter(user=user, key=key).first()
        if seen is not None:
            if seen.body_hash != digest:
                raise DomainError(
                    "idempotency_key_reused",
                    "This Idempotency-Key was used with another body.",
                    status=409,
                )
            return _out(seen.order, request)
        try:
            with transaction.atomic():
                order = order_receive(actor=user, data=data, now=now)
                IdempotencyKey.objects.create(user=user, key=key, body_hash=digest, order=order)
            return _out(order, request, status=201, fresh=True)
        except IntegrityError:
            continue  # the same key raced in from another request: answer as a replay
    raise DomainError("idempotency_conflict", "Retry the request.", status=409)


BATCH_MAX = 500


@orders.post(
    "/batch",
    response={200: BatchOut, **ERRORS},
    summary="Receive many orders at once (O-1, O-2, O-3)",
    description="For a call centre or a manufacturer's system that hands over orders in "
    f"bulk: up to {BATCH_MAX} orders, each with its `source_ref`. Valid orders are received "
    "in one transaction; an order whose (source, reference) is already known is listed "
    "under `already_received` (so re-sending a batch receives nothing twice); invalid "
    "ones are listed under `rejected` with the error shape of a single order. `index` is "
    "the order's position in the list.",
)
def create_orders(request: HttpRequest, payload: BatchIn) -> dict[str, Any]:
    if not 1 <= len(payload.orders) <= BATCH_MAX:
        raise DomainError(
            "validation",
            f"Send 1 to {BATCH_MAX} orders.",
            fields={"orders": f"1–{BATCH_MAX}"},
        )
    items: list[tuple[int, inputs.OrderIn | DomainError]] = []
    for i, raw in enumerate(payload.orders):
        try:
            data = inputs.parse(inputs.OrderIn, raw)
            if not data.source_ref:
                raise DomainError(
                    "validation",
                    "Every order of a batch needs a source_ref (O-3).",
                    fields={"source_ref": "required"},
                )
            items.append((i, data))
        except DomainError as e:
            items.append((i, e))
    out: dict[str, list[dict[str, Any]]] = {"created": [], "already_received": [], "rejected": []}
    for report in orders_receive(items, actor=user_of(request), now=timezone.now()):
        out["created"] += [{"index": i, "number": n} for i, n in report.numbers]
        out["already_received"] += [{"index": i, "number": n} for i, n in report.skipped]
        out["rejected"] += [{"index": i, **error_body(e)} for i, e in report.errors]
    for rows in out.values():
        rows.sort(key=lambda r: r["index"])
    return out


@orders.get("", response={200: OrderPage, **ERRORS}, summary="List orders")
def list_orders(
    request: HttpRequest,
    status: list[str] | None = Query(None),  # type: ignore[type-arg]  # noqa: B008
    assignee: str | None = None,
    overdue: bool | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    if not 1 <= page <= 100_000 or not 1 <= page_size <= 200:
        raise DomainError(
            "validation",
            "1 ≤ page ≤ 100000 and 1 ≤ page_size ≤ 200.",
            fields={"page": "1–100000", "page_size": "1–200"},
        )
    qs = order_list(
        user_of(request),
        status=status,
        assignee=assignee,
        overdue=overdue,
        created_from=created_from,
        created_to=created_to,
        q=q,
        now=timezone.now(),
    ).select_related("product", "repeat_of")
    count, capped = capped_count(qs)
    rows = qs[(page - 1) * page_size : page * page_size]
    return {
        "count": count,
        "count_capped": capped,
        "page": page,
        "page_size": page_size,
        "results": [order_dict(o, user_of(request)) for o in rows],
    }


@orders.get("/{number}", response={200: OrderOut, **ERRORS}, summary="One order")
def get_order(request: HttpRequest, number: str) -> HttpResponse:
    return _out(order_get_for_user(user_of(request), number), request)


@orders.get("/{number}/events", response={200: list[EventOut], **ERRORS}, summary="Timeline")
def order_events(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    order = order_get_for_user(user_of(request), number)
    return [
        {
            "at": e.at,
            "actor": e.actor.username if e.actor else None,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "reason": e.reason,
            "data": e.data,
        }
        for e in order.events.select_related("actor").order_by("at", "pk")
    ]


ACTION_DOC = {
    "assign": inputs.AssignIn,
    "appointment": inputs.AppointmentIn,
    "complete": inputs.CompleteIn,
    "revisit": inputs.RevisitIn,
    "close": inputs.NoteIn,
    "cancel": inputs.ReasonIn,
    "call": inputs.CallIn,
    "escalate": inputs.ReasonIn,
    "start-travel": inputs.NoteIn,
    "arrive": inputs.NoteIn,
    "part-request": inputs.PartRequestIn,
    "part-update": inputs.PartUpdateIn,
    "note": inputs.CallIn,
}


@orders.post(
    "/{number}/{action}",
    response={200: OrderOut, **ERRORS},
    summary="Take a lifecycle action",
    description=(
        "Actions: " + ", ".join(sorted([*ACTION_DOC, "result"])) + ". The body is the "
        "action's input (`result` takes an intermediate result with a `kind`). Send the "
        "order's `version` in an `If-Match` header to refuse stale edits with 409."
    ),
)
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    payload = json_body(request)
    version = None
    header = request.headers.get("If-Match")
    raw_version = payload.pop("version", None)
    candidate = header.strip('"W/ ') if header else raw_version
    if candidate is not None:
        try:
            version = int(candidate)
        except (TypeError, ValueError):
            raise DomainError(
                "validation", "version must be an integer.", fields={"version": "integer"}
            ) from None
    order = order_act(
        actor=user_of(request),
        number=number,
        action=action,
        payload=payload,
        version=version,
        now=timezone.now(),
    )
    return _out(order, request)


backlog_router = Router(tags=["backlog"])


@backlog_router.get("", response={200: BacklogOut, **ERRORS}, summary="Backlog (O-12)")
def get_backlog(request: HttpRequest, older_than_hours: int = 48) -> dict[str, Any]:
    if not 0 <= older_than_hours <= 24 * 365:
        raise DomainError(
            "validation", "older_than_hours must be 0…8760.", fields={"older_than_hours": "0–8760"}
        )
    rows = list(
        backlog_mod.backlog_rows(
            user_of(request),
            older_than_hours=older_than_hours,
            now=timezone.now(),
        )
    )
    return {
        "older_than_hours": older_than_hours,
        "count": len(rows),
        "by_person": backlog_mod.by_person(rows),
        "results": [r.__dict__ for r in rows],
    }


api.add_router("/orders", orders)
api.add_router("/backlog", backlog_router)
# Each app built on orders mounts its routers: `ROUTERS = [(prefix, Router), …]` in its api.py.
for _app in ("dispatch", "parts", "care", "warranty", "kpis"):
    for _prefix, _router in import_module(f"aftersales.{_app}.api").ROUTERS:
        api.add_router(_prefix, _router)
