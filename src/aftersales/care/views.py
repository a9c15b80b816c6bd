"""Care pages: my day (one-click logging), the customer file, the contact log with the four
XLSX forms, events, and the overview lists (files due, overdue contacts, lost, loyal).
Thin: form posts become the services' inputs; refusals are shown next to the fields."""

from __future__ import annotations

from itertools import islice
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core import export as core_export
from aftersales.core.errors import error_message
from aftersales.domain.care import CareClass
from aftersales.domain.errors import DomainError

from . import export, lists, selectors, services
from .models import (
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    PURPOSE_LABELS,
    TASK_LABELS,
    Event,
    Invitation,
    care_policy,
)
from .presenters import contact_dict, customer_dict

TEXT_FIELDS = ("key_points", "requests", "wishes", "complaints", "open_question", "loss_cause")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _fail(request: HttpRequest, exc: DomainError) -> dict[str, str]:
    messages.error(request, error_message(exc))
    return exc.fields or {"__all__": error_message(exc)}


def _contact_payload(post: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in (
        "task",
        "customer",
        "order",
        "channel",
        "purpose",
        "outcome",
        "subject",
        "mileage_km",
        "product",
    ):
        v = post.get(key, "").strip()
        if v:
            data[key] = v
    for key in TEXT_FIELDS:
        v = post.get(key, "").strip()
        if v:
            data[key] = v
    return data


@login_required
def my_day_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.contact_log(
                actor=user, data=_contact_payload(request.POST), now=timezone.now()
            )
            messages.success(request, _("Logged."))
            return HttpResponseRedirect(reverse("care:my_day"))
        except DomainError as exc:
            errors = _fail(request, exc)
    today = timezone.localdate()
    fmt = core_export.wanted(request)
    if fmt:
        return _export(request, fmt, lists.LISTS["my-day"])
    rows = selectors.my_day(user, today=today)
    return render(
        request,
        "care/my_day.html",
        {
            "rows": rows,
            "today": today,
            "labels": {str(k): v for k, v in TASK_LABELS.items()},
            "errors": errors,
            "outcomes": [(str(k), v) for k, v in OUTCOME_LABELS.items()],
        },
    )


@login_required
def customer_view(request: HttpRequest, pk: str) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    try:
        customer = selectors.customer_get_for_user(user, pk)
    except DomainError as exc:
        return render(request, "care/404.html", {"message": exc.message}, status=404)
    if request.method == "POST":
        what = request.POST.get("form")
        now = timezone.now()
        try:
            if what == "file":
                data = {
                    k: request.POST.get(k, "").strip()
                    for k in ("name", "address", "region", "email", "services_wanted", "file_notes")
                    if k in request.POST
                }
                data["care_class"] = request.POST.get("care_class", "")
                services.customer_file_update(
                    actor=user,
                    customer_id=customer.pk,
                    data=data,
                    version=int(request.POST.get("version") or 0) or None,
                    now=now,
                )
            elif what == "product":
                pdata: dict[str, Any] = {}
                for k in (
                    "plate",
                    "serial",
                    "mileage_km",
                    "maintenance_interval_days",
                    "maintenance_interval_km",
                    "last_service_on",
                    "next_maintenance_due",
                ):
                    v = request.POST.get(k, "").strip()
                    if v:
                        pdata[k] = v
                services.product_update(
                    actor=user, product_id=request.POST.get("product", ""), data=pdata, now=now
                )
            else:
                payload = _contact_payload(request.POST)
                payload["customer"] = customer.pk
                services.contact_log(actor=user, data=payload, now=now)
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("care:customer", args=[customer.pk]))
        except DomainError as exc:
            errors = _fail(request, exc)
        customer = selectors.customer_get_for_user(user, pk)
    contacts = [
        contact_dict(k, user) for k in selectors.contact_list(user, customer=customer.pk)[:50]
    ]
    return render(
        request,
        "care/customer.html",
        {
            "c": customer_dict(customer, user, full=True),
            "contacts": contacts,
            "errors": errors,
            "classes": [c.value for c in CareClass],
            "channels": [(str(k), v) for k, v in CHANNEL_LABELS.items()],
            "purposes": [(str(k), v) for k, v in PURPOSE_LABELS.items()],
            "outcomes": [(str(k), v) for k, v in OUTCOME_LABELS.items()],
            "post": request.POST if request.method == "POST" else {},
        },
    )


def _contact_filters(request: HttpRequest) -> dict[str, Any]:
    return lists.contact_filters(request.GET)


def _ctx(request: HttpRequest) -> lists.Ctx:
    return lists.Ctx(_user(request), request.GET, timezone.localdate(), timezone.now())


def _export(request: HttpRequest, fmt: str, d: lists.ListDef) -> HttpResponse:
    """The list's rows under the page's filters, every row (no pagination), masked."""
    return core_export.response(  # type: ignore[return-value]
        fmt,
        name=f"care-{d.name}",
        headers=[str(h) for h in d.headers],
        rows=d.rows(_ctx(request)),
    )


def _query_without_page(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode() + "&" if q else ""


@login_required
def list_view(request: HttpRequest, name: str) -> HttpResponse:
    """One of the care lists as a table with its filters and its CSV/XLSX export."""
    d = lists.LISTS.get(name)
    if d is None:
        return render(request, "care/404.html", {"message": name}, status=404)
    fmt = core_export.wanted(request)
    if fmt:
        return _export(request, fmt, d)
    page = request.GET.get("page", "1")
    n = max(1, int(page)) if page.isdigit() else 1
    rows = list(islice(d.rows(_ctx(request)), (n - 1) * 100, n * 100 + 1))
    col = d.customer_col
    return render(
        request,
        "care/list.html",
        {
            "d": d,
            "rows": [
                [(v, col is not None and i == col) for i, v in enumerate(r)] for r in rows[:100]
            ],
            "has_more": len(rows) > 100,
            "page": n,
            "filters": [(f, request.GET.get(f.name, "")) for f in d.filters],
            "query": _query_without_page(request),
            "lists": [(x.name, x.title) for x in lists.LISTS.values()],
        },
    )


@login_required
def contacts_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        filters = _contact_filters(request)
    except ValueError:
        filters = {}
    fmt = core_export.wanted(request)
    if fmt:
        return _export(request, fmt, lists.LISTS["contacts"])
    qs = selectors.contact_list(user, **filters)
    page = max(
        1, int(request.GET.get("page", "1")) if request.GET.get("page", "1").isdigit() else 1
    )
    rows = list(qs[(page - 1) * 50 : page * 50 + 1])
    return render(
        request,
        "care/contacts.html",
        {
            "rows": [contact_dict(k, user) for k in rows[:50]],
            "has_more": len(rows) > 50,
            "page": page,
            "query": request.GET.urlencode(),
            "channels": [(str(k), v) for k, v in CHANNEL_LABELS.items()],
            "purposes": [(str(k), v) for k, v in PURPOSE_LABELS.items()],
            "g": request.GET,
            "forms": [
                ("file", _("Basic customer file")),
                ("record", _("Follow-up phone record")),
                ("register", _("Follow-up phone register")),
                ("letters", _("Follow-up letter register")),
            ],
        },
    )


@login_required
def export_view(request: HttpRequest, form: str) -> HttpResponse:
    user = _user(request)
    if form not in export.FORMS:
        return render(request, "care/404.html", {"message": form}, status=404)
    try:
        filters = _contact_filters(request)
    except ValueError:
        filters = {}
    source: Any
    if form == "file":
        source = selectors.customers_for_user(user).order_by("pk")
    else:
        source = selectors.contact_list(user, **filters)
    resp = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="care-{form}.xlsx"'
    export.write_form(form, user, source, resp)  # type: ignore[arg-type]
    return resp


@login_required
def overview_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    policy = care_policy()
    return render(
        request,
        "care/overview.html",
        {
            "files_due": selectors.files_due(user, today=today),
            "requests": selectors.open_requests(user, now=timezone.now()),
            "overdue": list(selectors.overdue_class_contacts(user, today=today)[:100]),
            "lost": list(selectors.lost_customers(user, policy=policy, today=today)[:100]),
            "causes": selectors.loss_causes(user),
            "loyal": selectors.loyal_customers(user, policy=policy, today=today, limit=100),
        },
    )


@login_required
def events_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        now = timezone.now()
        try:
            if request.POST.get("send"):
                out = services.event_send(
                    actor=user,
                    event_id=request.POST["send"],
                    data={"backend": request.POST.get("backend", "console")},
                    now=now,
                )
                messages.success(
                    request,
                    _("Sent %(sent)d, skipped %(skipped)d without an address.") % out,
                )
            else:
                filters: dict[str, Any] = {}
                for key in ("care_class", "category", "region"):
                    vals = [v.strip() for v in request.POST.get(key, "").split(",") if v.strip()]
                    if vals:
                        filters[key] = vals
                for key in ("last_visit_before", "last_visit_after"):
                    if request.POST.get(key):
                        filters[key] = request.POST[key]
                services.event_create(
                    actor=user,
                    data={
                        "title": request.POST.get("title", ""),
                        "kind": request.POST.get("kind", "other"),
                        "starts_on": request.POST.get("starts_on") or None,
                        "place": request.POST.get("place", ""),
                        "message": request.POST.get("message", ""),
                        "filters": filters,
                    },
                    now=now,
                )
                messages.success(request, _("Event created; invitation calls scheduled."))
            return HttpResponseRedirect(reverse("care:events"))
        except DomainError as exc:
            errors = _fail(request, exc)
    fmt = core_export.wanted(request)
    if fmt:
        return _export(request, fmt, lists.LISTS["events"])
    rows = []
    for e in Event.objects.order_by("-starts_on", "-pk")[:50]:
        inv = Invitation.objects.filter(event=e)
        rows.append(
            {
                "e": e,
                "invited": inv.count(),
                "sent": inv.filter(sent_at__isnull=False).count(),
                "yes": inv.filter(reply="yes").count(),
            }
        )
    return render(
        request,
        "care/events.html",
        {"rows": rows, "errors": errors, "kinds": Event.KINDS, "post": request.POST},
    )
