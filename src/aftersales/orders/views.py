"""Server-rendered pages. Views are thin: they turn form posts into the services' inputs and
render DomainError fields next to the inputs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Outlet, User
from aftersales.core import export
from aftersales.core.errors import error_message, field_messages
from aftersales.core.models import ProductCategory, Source
from aftersales.core.paging import CappedPaginator
from aftersales.core.policy import current_policy
from aftersales.core.templatetags.codes import code_name
from aftersales.domain import lifecycle
from aftersales.domain.codes import OPEN_STATUSES, Role, Status
from aftersales.domain.errors import DomainError
from aftersales.domain.results import RESULT_ACTION_KINDS

from . import backlog as backlog_mod
from .importer import flat_to_input
from .intake import order_receive
from .models import (
    ACTION_LABELS,
    CAUSE_LABELS,
    PRIORITY_LABELS,
    RESULT_LABELS,
    SERVICE_MODE_LABELS,
    SERVICE_TYPE_LABELS,
    STATUS_LABELS,
)
from .presenters import contact_for
from .selectors import order_get_for_user, order_list
from .services import order_act

DATETIME_KEYS = {"start", "end", "requested_at", "released_at", "shipped_at", "received_at"}
BOOL_KEYS = {"customer_accepted", "approval_needed", "satisfied", "test_run_done"}


def _aware(value: str) -> datetime | str:
    dt = parse_datetime(value)
    if dt is None:
        return value
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


def _label(labels: Mapping[Any, Any], code: str) -> Any:
    return labels.get(code, code)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _indexed(post: Any, prefix_map: dict[str, str], limit: int = 10) -> list[dict[str, str]]:
    rows = []
    for i in range(limit):
        row = {key: post.get(f"{form_key}_{i}", "").strip() for key, form_key in prefix_map.items()}
        if any(row.values()):
            rows.append(row)
    return rows


def form_payload(action: str, post: Any) -> dict[str, Any]:
    """Form fields → the action's input dict (the service validates it)."""
    skip = {"csrfmiddlewaretoken", "version"}
    out: dict[str, Any] = {}
    for key in post:
        if key in skip or "_" in key and key.rsplit("_", 1)[-1].isdigit():
            continue
        value = post.get(key, "").strip()
        if value == "":
            continue
        if key in BOOL_KEYS:
            out[key] = value in ("1", "true", "on", "yes")
        elif key in DATETIME_KEYS:
            out[key] = _aware(value)
        else:
            out[key] = value
    if action == "complete":
        out["test_run_done"] = post.get("test_run_done") in ("1", "true", "on")
        out["parts_replaced"] = [
            {"name": r["name"], "quantity": r["quantity"] or 1}
            for r in _indexed(post, {"name": "part_name", "quantity": "part_qty"})
        ]
    if out.get("kind") == "unreachable":
        out["phones"] = _indexed(post, {"phone": "try_phone", "outcome": "try_outcome"})
    if out.get("kind") == "unit_normal_not_accepted":
        out["measurements"] = _indexed(
            post, {"name": "m_name", "value": "m_value", "unit": "m_unit"}
        )
    return out


@login_required
def order_list_view(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    # A clerk opens the list to work: open orders unless another status is chosen.
    chosen = request.GET.getlist("status") or ["open"]
    status = [s for s in chosen if s and s not in ("open", "all")]
    if "open" in chosen:
        status += [s.value for s in OPEN_STATUSES]
    overdue = {"1": True, "0": False}.get(request.GET.get("overdue", ""))
    qs = order_list(
        user,
        status=status or None,
        assignee=request.GET.get("assignee") or None,
        overdue=overdue,
        q=request.GET.get("q") or None,
        now=timezone.now(),
    )
    fmt = export.wanted(request)
    if fmt:
        return export.response(
            fmt,
            name="orders",
            headers=LIST_HEADERS,
            rows=(_export_row(o, user) for o in qs.iterator(chunk_size=2000)),
        )
    page = CappedPaginator(qs, 50, allow_empty_first_page=True).get_page(request.GET.get("page"))
    rows = [_row(o, user) for o in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/list.html",
        {
            "page": page,
            "rows": rows,
            "status_labels": STATUS_LABELS,
            "selected": chosen,
            "overdue": request.GET.get("overdue", ""),
            "q": request.GET.get("q", ""),
            "query": query.urlencode(),
            "now": timezone.now(),
        },
    )


def _row(o: Any, user: User) -> dict[str, Any]:
    phones, address = contact_for(user, o)
    return {
        "o": o,
        "status_label": _label(STATUS_LABELS, o.status),
        "phone": phones[0] if phones else "",
        "address": address,
        "overdue": o.status not in ("closed", "cancelled") and o.sla_due_at < timezone.now(),
    }


LIST_HEADERS = [
    gettext_lazy("Number"),
    gettext_lazy("Status"),
    gettext_lazy("Outlet"),
    gettext_lazy("Customer"),
    gettext_lazy("Phone"),
    gettext_lazy("Address"),
    gettext_lazy("Product"),
    gettext_lazy("Service type"),
    gettext_lazy("Technician"),
    gettext_lazy("Received"),
    gettext_lazy("SLA due"),
    gettext_lazy("Overdue"),
    gettext_lazy("Closed"),
]


def _export_row(o: Any, user: User) -> list[Any]:
    r = _row(o, user)
    return [
        o.number,
        r["status_label"],
        o.outlet.code,
        o.contact_name,
        r["phone"],
        r["address"],
        code_name("category", o.category),
        _label(SERVICE_TYPE_LABELS, o.service_type),
        o.assignee.username if o.assignee else "",
        o.created_at,
        o.sla_due_at,
        r["overdue"],
        o.closed_at,
    ]


def _choices_context() -> dict[str, Any]:
    return {
        "categories": ProductCategory.objects.filter(active=True),
        "sources": Source.objects.filter(active=True),
        "service_types": SERVICE_TYPE_LABELS,
        "service_modes": SERVICE_MODE_LABELS,
        "priorities": PRIORITY_LABELS,
        "outlets": Outlet.objects.all(),
    }


FORM_FIELD_OF = {
    "customer.name": "customer_name",
    "customer.address": "address",
    "customer.region": "region",
    "customer.latitude": "latitude",
    "customer.longitude": "longitude",
    "product.category": "category",
    "product.brand": "brand",
    "product.model": "model",
    "product.serial": "serial",
    "product.purchase_date": "purchase_date",
}


def _form_field(path: str) -> str:
    if path.startswith("customer.phones"):
        return "phones"
    return FORM_FIELD_OF.get(path, path)


@login_required
def order_new_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            data = flat_to_input(request.POST.dict(), require_ref=False)
            order = order_receive(actor=user, data=data, now=timezone.now())
        except DomainError as e:
            errors = {_form_field(k): v for k, v in field_messages(e).items()}
            messages.error(request, error_message(e))
        else:
            messages.success(request, _("Order %(number)s received.") % {"number": order.number})
            return HttpResponseRedirect(reverse("orders:detail", args=[order.number]))
    return render(request, "orders/new.html", {"errors": errors, "v": values, **_choices_context()})


@login_required
def order_detail_view(
    request: HttpRequest,
    number: str,
    *,
    errors: dict[str, str] | None = None,
    failed_action: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    try:
        order = order_get_for_user(user, number)
    except DomainError:
        return render(request, "404.html", {"number": number}, status=404)
    phones, address = contact_for(user, order)
    allowed = [a.value for a in lifecycle.allowed_actions(Status(order.status), user.role_set)]
    technicians = (
        [
            u
            for u in User.objects.filter(is_active=True, outlet_id=order.outlet_id).order_by(
                "username"
            )
            if Role.TECHNICIAN in u.role_set
        ]
        if "assign" in allowed
        else []
    )
    events = [
        {
            "e": e,
            "action": ACTION_LABELS.get(e.action, e.action),
            "from": _label(STATUS_LABELS, e.from_status),
            "to": _label(STATUS_LABELS, e.to_status),
        }
        for e in order.events.select_related("actor").order_by("-at", "-pk")
    ]
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "status_label": _label(STATUS_LABELS, order.status),
            "phones": phones,
            "address": address,
            "allowed": allowed,
            "events": events,
            "technicians": technicians,
            "result_kinds": [
                (k.value, RESULT_LABELS[k]) for k in RESULT_LABELS if k in RESULT_ACTION_KINDS
            ],
            "result_labels": {k.value: v for k, v in RESULT_LABELS.items()},
            "cause_labels": {k.value: v for k, v in CAUSE_LABELS.items()},
            "calls": order.calls.select_related("responsible").all(),
            "parts": order.parts.all(),
            "errors": errors or {},
            "general_error": (errors or {}).get("__all__"),
            "failed_action": failed_action,
            "v": request.POST if errors is not None else {},
            "policy": current_policy(),
            "now": timezone.now(),
            "service_type_label": _label(SERVICE_TYPE_LABELS, order.service_type),
            "service_mode_label": _label(SERVICE_MODE_LABELS, order.service_mode),
        },
        status=status,
    )


@login_required
def order_action_view(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseRedirect(reverse("orders:detail", args=[number]))
    version = request.POST.get("version")
    try:
        order_act(
            actor=_user(request),
            number=number,
            action=action,
            payload=form_payload(action, request.POST),
            version=int(version) if version and version.isdigit() else None,
            now=timezone.now(),
        )
    except DomainError as e:
        messages.error(request, error_message(e))
        if e.status == 404:
            return render(request, "404.html", {"number": number}, status=404)
        return order_detail_view(
            request,
            number,
            errors=field_messages(e) or {"__all__": error_message(e)},
            failed_action=action,
            status=e.status,
        )
    label = ACTION_LABELS.get(action, action)
    messages.success(request, _("Done: %(action)s.") % {"action": label})
    return HttpResponseRedirect(reverse("orders:detail", args=[number]))


@login_required
def backlog_view(request: HttpRequest) -> HttpResponseBase:
    hours = _hours(request)
    if export.wanted(request):
        return backlog_xlsx_view(request)
    rows = list(
        backlog_mod.backlog_rows(_user(request), older_than_hours=hours, now=timezone.now())
    )
    return render(
        request,
        "orders/backlog.html",
        {
            "rows": rows,
            "hours": hours,
            "by_person": backlog_mod.by_person(rows),
            "status_labels": {k.value: v for k, v in STATUS_LABELS.items()},
            "thresholds": current_policy().backlog_hours,
        },
    )


def _hours(request: HttpRequest) -> int:
    raw = request.GET.get("older_than_hours", "")
    return int(raw) if raw.isdigit() and int(raw) <= 8760 else current_policy().backlog_hours[0]


@login_required
def backlog_xlsx_view(request: HttpRequest) -> HttpResponseBase:
    """The morning meeting's sheet: `backlog.xlsx`, or `?format=csv`."""
    hours = _hours(request)
    rows = backlog_mod.backlog_rows(_user(request), older_than_hours=hours, now=timezone.now())
    return export.response(
        export.wanted(request) or "xlsx",
        name=f"backlog-{hours}h",
        headers=backlog_mod.HEADERS,
        rows=backlog_mod.export_rows(rows),
    )
