"""Pages: the dispatcher's day board (D-2), the clerk's board (D-3), the technician's day
(D-4). Thin: form posts become the services' inputs; refusals are shown with their message.

Each list page also exports (`?format=csv|xlsx`, `aftersales.core.export`) the rows on screen
with the same filters and the same visibility: the day board's plan lines, the clerk's board
(one file, a "Section" column per row) and the technician's day."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.accounts.models import Outlet, User
from aftersales.core import export
from aftersales.core.errors import error_message
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError
from aftersales.orders.models import ACTION_LABELS, STATUS_LABELS
from aftersales.orders.selectors import outlets_for_user
from aftersales.orders.services import order_act

from . import selectors, services
from .models import PlanLine, PlanProposal

BOARD_FROM, BOARD_TO = 7, 20  # hours shown on the day board


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _forbidden(request: HttpRequest, text: str) -> HttpResponse:
    return render(request, "dispatch/denied.html", {"text": text}, status=403)


def _outlets(user: User) -> list[Outlet]:
    return list(outlets_for_user(user).order_by("code"))


def _pct(dt: datetime, day: date) -> float:
    start = datetime.combine(day, time(BOARD_FROM), services.tz())
    span = (BOARD_TO - BOARD_FROM) * 3600
    return max(0.0, min(100.0, 100 * (dt - start).total_seconds() / span))


BOARD_HEADERS = [
    gettext_lazy("Technician"),
    gettext_lazy("Sequence"),
    gettext_lazy("Order"),
    gettext_lazy("Planned arrival"),
    gettext_lazy("Start"),
    gettext_lazy("End"),
    gettext_lazy("Travel (km)"),
    gettext_lazy("Window agreed"),
    gettext_lazy("State"),
    gettext_lazy("Message"),
]


def _board_export_rows(rows: list[dict[str, Any]], prop: PlanProposal | None) -> Any:
    """The plan lines in the board's order: technician rows as shown, then each lane's seq;
    then the orders the plan could not place, with the reason (the "Not placed" table)."""
    for r in rows:
        for b in r["blocks"]:
            ln: PlanLine = b["line"]
            yield [
                str(r["tech"]),
                ln.seq,
                ln.order.number,
                ln.arrival,
                ln.start,
                ln.end,
                round(ln.travel_m / 1000, 2),
                ln.window_agreed,
                ln.get_state_display(),
                ln.message,
            ]
    for u in (prop.unplanned or []) if prop is not None else []:
        yield [
            "",
            "",
            u.get("order", ""),
            "",
            "",
            "",
            "",
            "",
            _("Not placed"),
            u.get("message", ""),
        ]


@login_required
def board_view(request: HttpRequest) -> HttpResponseBase:
    """D-2. Exports the shown proposal's plan lines (none when no outlet or no plan); a bad
    `day` falls back to tomorrow and an unknown outlet shows nothing, as on the page."""
    user = _user(request)
    if not user.role_set & services.DISPATCHERS:
        return _forbidden(request, _("The day board is for dispatchers."))
    outlets = _outlets(user)
    code = request.GET.get("outlet") or (outlets[0].code if outlets else "")
    outlet = next((o for o in outlets if o.code == code), None)
    tomorrow = timezone.localdate() + timedelta(days=1)
    day = _day(request.GET.get("day"), tomorrow)
    prop = None
    rows: list[dict[str, Any]] = []
    if outlet is not None:
        prop = (
            PlanProposal.objects.filter(outlet=outlet, day=day)
            .exclude(state=PlanProposal.State.SUPERSEDED)
            .order_by("-created_at", "-pk")
            .first()
        )
        lines_by: dict[int, list[dict[str, Any]]] = {}
        if prop is not None:
            for ln in prop.lines.select_related("order", "technician").order_by("seq"):
                left = _pct(ln.start, day)
                lines_by.setdefault(ln.technician_id, []).append(
                    {
                        "line": ln,
                        "left": round(left, 2),
                        "width": round(max(1.5, _pct(ln.end, day) - left), 2),
                    }
                )
        for u in services.technician_users(outlet):
            rows.append({"tech": u, "blocks": lines_by.get(u.pk, [])})
    fmt = export.wanted(request)
    if fmt:
        name = f"plan-{outlet.code if outlet else ''}-{day.isoformat()}"
        return export.response(
            fmt, name=name, headers=BOARD_HEADERS, rows=_board_export_rows(rows, prop)
        )
    hours = [
        {"h": h, "left": round(100 * (h - BOARD_FROM) / (BOARD_TO - BOARD_FROM), 2)}
        for h in range(BOARD_FROM, BOARD_TO)
    ]
    return render(
        request,
        "dispatch/board.html",
        {
            "outlets": outlets,
            "outlet": outlet,
            "day": day,
            "prop": prop,
            "rows": rows,
            "hours": hours,
            "errors": {},
        },
    )


def _back_to_board(prop_or_day: Any, outlet: str) -> HttpResponseRedirect:
    day = prop_or_day.day if isinstance(prop_or_day, PlanProposal) else prop_or_day
    return HttpResponseRedirect(
        f"{reverse('dispatch:board')}?outlet={outlet}&day={day.isoformat()}"
    )


@login_required
@require_POST
def board_propose_view(request: HttpRequest) -> HttpResponse:
    outlet = request.POST.get("outlet", "")
    day = _day(request.POST.get("day"), timezone.localdate() + timedelta(days=1))
    secs = request.POST.get("seconds") or ""
    try:
        prop = services.plan_propose(
            actor=_user(request),
            day=day,
            outlet=outlet or None,
            seconds=float(secs) if secs.replace(".", "", 1).isdigit() else None,
            now=timezone.now(),
        )
    except DomainError as e:
        messages.error(request, error_message(e))
        return _back_to_board(day, outlet)
    messages.success(
        request,
        _("Plan proposed: %(served)s of %(orders)s orders placed.")
        % {"served": prop.figures.get("served"), "orders": prop.figures.get("orders")},
    )
    return _back_to_board(prop, prop.outlet.code)


@login_required
@require_POST
def board_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    picked = [int(x) for x in request.POST.getlist("line") if x.isdigit()]
    every = request.POST.get("all") == "1"
    try:
        prop = services.plan_accept(
            actor=_user(request),
            pk=pk,
            lines=None if every else picked,
            now=timezone.now(),
        )
    except DomainError as e:
        messages.error(request, error_message(e))
        return HttpResponseRedirect(reverse("dispatch:board"))
    refused = prop.lines.filter(state="refused").count()
    if refused:
        messages.warning(
            request, _("%(n)s lines were refused; see their messages.") % {"n": refused}
        )
    else:
        messages.success(request, _("Accepted: the assignments are recorded."))
    return _back_to_board(prop, prop.outlet.code)


@login_required
@require_POST
def board_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The drag-and-drop endpoint (vanilla JS posts JSON; a plain form works too)."""
    try:
        body = (
            json.loads(request.body or b"{}")
            if request.content_type == "application/json"
            else request.POST
        )
        position = body.get("position")
        prop = services.plan_move(
            actor=_user(request),
            pk=pk,
            line=int(body.get("line") or 0),
            technician=str(body.get("technician") or ""),
            position=int(position) if position not in (None, "") else None,
            now=timezone.now(),
        )
    except (ValueError, TypeError):
        return JsonResponse(
            {"error": {"code": "validation", "message": _("Bad move."), "fields": {}}}, status=422
        )
    except DomainError as e:
        return JsonResponse(
            {"error": {"code": e.code, "message": error_message(e), "fields": e.fields}},
            status=e.status,
        )
    return JsonResponse({"ok": True, "version": prop.version})


@login_required
@require_POST
def board_replan_view(request: HttpRequest) -> HttpResponse:
    outlet = request.POST.get("outlet", "")
    minutes = request.POST.get("delay_minutes", "")
    try:
        prop = services.replan(
            actor=_user(request),
            outlet=outlet or None,
            urgent_order=request.POST.get("urgent_order") or None,
            delay_technician=request.POST.get("delay_technician") or None,
            delay_minutes=int(minutes) if minutes.isdigit() else 0,
            now=timezone.now(),
        )
    except DomainError as e:
        messages.error(request, error_message(e))
        return _back_to_board(timezone.localdate(), outlet)
    if prop.must_call:
        messages.warning(
            request,
            _("Call these customers to move their window: %(list)s")
            % {"list": ", ".join(m["order"] for m in prop.must_call)},
        )
    return _back_to_board(prop, prop.outlet.code)


CLERK_HEADERS = [
    gettext_lazy("Section"),
    gettext_lazy("Number"),
    gettext_lazy("Flags"),
    gettext_lazy("Customer"),
    gettext_lazy("Status"),
    gettext_lazy("Technician"),
    gettext_lazy("Window from"),
    gettext_lazy("Window to"),
    gettext_lazy("SLA due"),
    gettext_lazy("At risk"),
]


def _flag_label(flag: str) -> str:
    return {"reassigned": _("reassigned"), "escalated": _("escalated")}.get(flag, _("called again"))


def _risk_label(risk: str | None) -> str:
    return {"sla": _("SLA"), "window": _("window")}.get(risk or "", "")


def _clerk_export_rows(sections: list[tuple[str, str, list[selectors.BoardRow]]]) -> Any:
    for _key, title, rows in sections:
        for r in rows:
            yield [
                title,
                r.number,
                ", ".join(_flag_label(f) for f in r.flags),
                r.contact,
                STATUS_LABELS.get(r.status, r.status),  # type: ignore[call-overload]
                r.assignee,
                r.appointment,
                r.appointment_end,
                r.sla_due_at,
                _risk_label(r.risk),
            ]


@login_required
def clerk_view(request: HttpRequest) -> HttpResponseBase:
    """D-3. The export is ONE file of the five sections on screen (at risk, carry-in,
    tomorrow's visits, special customers, waiting for parts), each row carrying its section's
    title in a "Section" column; an order in two sections is in two rows, as on screen. The
    `person` filter is the page's (an unknown person falls back to the first one shown)."""
    user = _user(request)
    if not user.role_set & services.DISPATCHERS:
        return _forbidden(request, _("The clerk's board is for clerks and dispatchers."))
    people = selectors.clerk_people(user)
    wanted = request.GET.get("person")
    person = next((u for u in people if u.username == wanted), people[0])
    board = selectors.clerk_board(user, person, now=timezone.now())
    titles = [
        ("at_risk", _("At risk of missing the window or SLA")),
        ("carry_in", _("Carry-in orders")),
        ("tomorrow", _("Tomorrow's visits")),
        ("special", _("Special customers being followed")),
        ("waiting_parts", _("Waiting for parts")),
    ]
    sections = [(key, title, board[key]) for key, title in titles]
    fmt = export.wanted(request)
    if fmt:
        return export.response(
            fmt,
            name=f"clerk-board-{person.username}",
            headers=CLERK_HEADERS,
            rows=_clerk_export_rows(sections),
        )
    return render(
        request,
        "dispatch/clerk.html",
        {
            "people": people,
            "person": person,
            "sections": sections,
            "status_labels": STATUS_LABELS,
        },
    )


MY_DAY_HEADERS = [
    gettext_lazy("Sequence"),
    gettext_lazy("Number"),
    gettext_lazy("Status"),
    gettext_lazy("Planned"),
    gettext_lazy("Window from"),
    gettext_lazy("Window to"),
    gettext_lazy("Customer"),
    gettext_lazy("Phones"),
    gettext_lazy("Address"),
    gettext_lazy("Category"),
    gettext_lazy("Fault"),
]


def _my_day_export_rows(jobs: list[selectors.Job]) -> Any:
    # Contact, phones and address are the Job's: blank where the page leaves them blank.
    for j in jobs:
        yield [
            j.seq,
            j.number,
            STATUS_LABELS.get(j.status, j.status),  # type: ignore[call-overload]
            j.planned,
            j.window[0] if j.window else None,
            j.window[1] if j.window else None,
            j.contact,
            ", ".join(j.phones),
            j.address,
            j.category,
            j.fault,
        ]


@login_required
def my_day_view(request: HttpRequest) -> HttpResponseBase:
    """D-4. Exports today's jobs as listed (same order, same personal data)."""
    user = _user(request)
    if Role.TECHNICIAN not in user.role_set:
        return _forbidden(request, _("This page is a technician's day."))
    day = timezone.localdate()
    jobs = selectors.my_day(user, day=day)
    fmt = export.wanted(request)
    if fmt:
        return export.response(
            fmt,
            name=f"my-day-{day.isoformat()}",
            headers=MY_DAY_HEADERS,
            rows=_my_day_export_rows(jobs),
        )
    return render(
        request,
        "dispatch/my_day.html",
        {
            "jobs": jobs,
            "day": day,
            "status_labels": STATUS_LABELS,
            "action_labels": ACTION_LABELS,
        },
    )


@login_required
@require_POST
def my_day_act_view(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ("start-travel", "arrive", "complete"):
        return HttpResponseRedirect(reverse("dispatch:my_day"))
    payload: dict[str, Any] = {}
    if action == "complete":
        payload = {
            k: request.POST.get(k, "").strip()
            for k in (
                "fault_code",
                "fault_cause",
                "solution",
                "customer_opinion",
                "customer_signature",
            )
            if request.POST.get(k, "").strip()
        }
        payload["test_run_done"] = request.POST.get("test_run_done") == "on"
    version = request.POST.get("version", "")
    try:
        order_act(
            actor=_user(request),
            number=number,
            action=action,
            payload=payload,
            version=int(version) if version.isdigit() else None,
            now=timezone.now(),
        )
    except DomainError as e:
        messages.error(request, f"{number}: {error_message(e)}")
    else:
        messages.success(
            request,
            _("%(number)s: %(action)s.") % {"number": number, "action": ACTION_LABELS[action]},
        )
    return HttpResponseRedirect(reverse("dispatch:my_day") + f"#job-{number}")
