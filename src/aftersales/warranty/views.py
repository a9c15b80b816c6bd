"""Server-rendered pages (360 px first). Thin: a form post becomes the service's input dict; a
refusal re-renders the page with the message next to the field and the status of the error.

Every list page exports (`?format=csv|xlsx`, `aftersales.core.export`, the one writer) the rows it
lists with the same filters and the same visibility, without the on-screen row cap: returns,
complaints, the month's scorecards, penalties, expenses (claims; `?list=trips` for the trip log)
and quality feedback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import User
from aftersales.core import export
from aftersales.core.errors import error_message
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError
from aftersales.orders.selectors import order_get_for_user, orders_for_user

from . import people, presenters, services
from .models import (
    ALTERNATIVES,
    ChargeRule,
    Compensation,
    Complaint,
    ExpenseClaim,
    PenaltyEntry,
    PenaltyRule,
    ProofOfPurchase,
    ReturnRequest,
    Trip,
)
from .pdfs import quote_pdf, statement_pdf
from .selectors import (
    complaints_for_user,
    expenses_for_user,
    is_decider,
    order_warranty,
    people_for_user,
    quotes_for_user,
    returns_for_user,
)

BOOLS = {"approve", "accepted", "misuse", "performance_fault", "at_fault", "serious"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def form_data(post: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in post:
        if key in ("csrfmiddlewaretoken", *skip) or key.startswith("line_"):
            continue
        value = post.get(key, "").strip()
        if key in BOOLS:
            if value in ("1", "true", "on", "yes"):
                out[key] = True
            elif value in ("0", "false", "no"):
                out[key] = False
            continue
        if value != "":
            out[key] = value
    return out


def quote_lines(post: Any, rows: int = 6) -> list[dict[str, str]]:
    lines = []
    for i in range(rows):
        row = {
            k: post.get(f"line_{k}_{i}", "").strip()
            for k in ("kind", "part_code", "description", "quantity", "unit_price")
        }
        if row["part_code"] or row["description"] or row["unit_price"]:
            lines.append({k: v for k, v in row.items() if v})
    return lines


def _act(
    request: HttpRequest,
    fn: Callable[[], Any],
    done: str,
    again: Callable[[dict[str, str], int], HttpResponseBase],
) -> HttpResponseBase:
    if request.method != "POST":
        return again({}, 200)
    try:
        fn()
    except DomainError as e:
        if e.status == 404:
            raise Http404(e.message) from None
        messages.error(request, error_message(e))
        return again(e.fields or {"__all__": e.message}, e.status)
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(done)


# --- The order's warranty page -----------------------------------------------------------------


@login_required
def order_page(
    request: HttpRequest,
    number: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
    form: str = "",
) -> HttpResponse:
    user = _user(request)
    try:
        order = order_get_for_user(user, number)
    except DomainError:
        raise Http404(number) from None
    info = presenters.order_warranty_dict(order)
    return render(
        request,
        "warranty/order.html",
        {
            "order": order,
            "w": info,
            "proofs": ProofOfPurchase.objects.filter(order=order),
            "quotes": quotes_for_user(user).filter(order=order).prefetch_related("lines"),
            "returns": returns_for_user(user).filter(order=order).prefetch_related("photos"),
            "compensations": Compensation.objects.filter(order=order),
            "decider": is_decider(user),
            "errors": errors or {},
            "form": form,
            "v": request.POST if errors else {},
            "line_rows": range(4),
            "alternatives": ALTERNATIVES,
            "coverages": dict(ChargeRule.COVERAGES),
        },
        status=status,
    )


@login_required
def order_post(request: HttpRequest, number: str, what: str) -> HttpResponseBase:
    user, now = _user(request), timezone.now()
    data = form_data(request.POST, skip=("target",))
    target = request.POST.get("target", "")
    if what == "return":  # an unticked box is not sent: not a performance fault
        data["performance_fault"] = request.POST.get("performance_fault") in ("1", "on", "true")
    actions: dict[str, Callable[[], Any]] = {
        "proof": lambda: services.proof_record(actor=user, number=number, data=data, now=now),
        "extension": lambda: services.extension_add(actor=user, number=number, data=data, now=now),
        "quote": lambda: services.quote_create(
            actor=user, number=number, data={**data, "lines": quote_lines(request.POST)}, now=now
        ),
        "quote-decision": lambda: services.quote_decide(
            actor=user, number=target, data=data, now=now
        ),
        "return": lambda: _return_with_photos(request, number, data),
        "return-photo": lambda: services.return_photo_add(
            actor=user, pk=int(target), upload=_photo(request), now=now
        ),
        "return-decision": lambda: services.return_decide(
            actor=user, pk=int(target), data=data, now=now
        ),
        "compensation": lambda: services.compensation_ask(
            actor=user, number=number, data=data, now=now
        ),
        "compensation-act": lambda: services.compensation_act(
            actor=user, pk=int(target), data=data, now=now
        ),
    }
    if what not in actions:
        raise Http404(what)
    return _act(
        request,
        actions[what],
        reverse("warranty:order", args=[number]),
        lambda errs, st: order_page(request, number, errs, st, form=what),
    )


def _photo(request: HttpRequest) -> Any:
    f = request.FILES.get("photo")
    if f is None:
        raise DomainError("validation", _("Attach a photo."), fields={"photo": _("required")})
    return f


def _return_with_photos(request: HttpRequest, number: str, data: dict[str, Any]) -> ReturnRequest:
    """The request and its photos in one go from the phone: refused as a whole."""
    from django.db import transaction

    user, now = _user(request), timezone.now()
    with transaction.atomic():
        req = services.return_request(actor=user, number=number, data=data, now=now)
        for f in request.FILES.getlist("photo"):
            services.return_photo_add(actor=user, pk=req.pk, upload=f, now=now)
    return req


@login_required
def quote_pdf_view(request: HttpRequest, number: str, invoice: bool = False) -> HttpResponse:
    try:
        q = services.quote_get(_user(request), number)
        if invoice and q.status != "accepted":
            raise DomainError("not_accepted", _("Only an accepted quote is invoiced."), status=409)
        data = quote_pdf(q, invoice=invoice)
    except DomainError as e:
        if e.status == 404:
            raise Http404(number) from None
        return HttpResponse(
            error_message(e), status=e.status, content_type="text/plain; charset=utf-8"
        )
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = (
        f'inline; filename="{"invoice-" if invoice else ""}{q.number}.pdf"'
    )
    return resp


@login_required
def photo_view(request: HttpRequest, pk: int, photo: int) -> HttpResponseBase:
    req = returns_for_user(_user(request)).filter(pk=pk).first()
    p = req.photos.filter(pk=photo).first() if req else None
    if p is None:
        raise Http404("photo")
    return FileResponse(p.image.open("rb"), content_type=p.content_type)


RETURN_HEADERS = [
    gettext_lazy("Order"),
    gettext_lazy("Asked"),
    gettext_lazy("Eligible"),
    gettext_lazy("By"),
    gettext_lazy("Status"),
]


def _return_rows(qs: Any) -> Iterator[list[Any]]:
    for r in qs.iterator(chunk_size=2000):
        yield [
            r.order.number,
            r.get_kind_display(),
            ", ".join(r.eligible or []),
            str(r.requested_by),
            r.get_status_display(),
        ]


@login_required
def returns_page(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    status = request.GET.get("status", "requested")
    qs = returns_for_user(user).select_related("order", "requested_by", "decided_by")
    if status in ("requested", "approved", "rejected"):
        qs = qs.filter(status=status)
    fmt = export.wanted(request)
    if fmt:
        return export.response(fmt, name="returns", headers=RETURN_HEADERS, rows=_return_rows(qs))
    return render(request, "warranty/returns.html", {"rows": qs[:200], "status": status})


# --- Complaints --------------------------------------------------------------------------------


COMPLAINT_HEADERS = [
    "#",
    gettext_lazy("Received"),
    gettext_lazy("Category"),
    gettext_lazy("Order"),
    gettext_lazy("Person"),
    gettext_lazy("Status"),
    gettext_lazy("At fault"),
]


def _complaint_rows(qs: Any) -> Iterator[list[Any]]:
    for c in qs.iterator(chunk_size=2000):
        yield [
            c.pk,
            c.received_at,
            c.get_category_display(),
            c.order.number if c.order else "",
            str(c.person) if c.person else "",
            c.get_status_display(),
            bool(c.at_fault),
        ]


@login_required
def complaints_page(
    request: HttpRequest, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponseBase:
    user = _user(request)
    qs = complaints_for_user(user).select_related("order", "person")
    st = request.GET.get("status", "")
    if st:
        qs = qs.filter(status=st)
    fmt = export.wanted(request) if errors is None else None
    if fmt:
        return export.response(
            fmt, name="complaints", headers=COMPLAINT_HEADERS, rows=_complaint_rows(qs)
        )
    return render(
        request,
        "warranty/complaints.html",
        {
            "rows": qs[:200],
            "status": st,
            "channels": Complaint.CHANNELS,
            "categories": Complaint.CATEGORIES,
            "statuses": Complaint.STATUSES,
            "can_log": bool(
                user.role_set
                & {Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
            ),
            "errors": errors or {},
            "v": request.POST if errors else request.GET,
        },
        status=status,
    )


@login_required
def complaint_new(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    holder: dict[str, Complaint] = {}

    def run() -> None:
        holder["c"] = people.complaint_log(
            actor=user, data=form_data(request.POST), now=timezone.now()
        )

    resp = _act(
        request, run, reverse("warranty:complaints"), lambda e, s: complaints_page(request, e, s)
    )
    if "c" in holder:
        return HttpResponseRedirect(reverse("warranty:complaint", args=[holder["c"].pk]))
    return resp


@login_required
def complaint_page(
    request: HttpRequest, pk: int, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponseBase:
    user = _user(request)
    try:
        c = people.complaint_get(user, pk)
    except DomainError:
        raise Http404(pk) from None
    if request.method == "POST" and errors is None:
        return _act(
            request,
            lambda: people.complaint_step(
                actor=user, pk=pk, data=form_data(request.POST), now=timezone.now()
            ),
            reverse("warranty:complaint", args=[pk]),
            lambda e, s: complaint_page(request, pk, e, s),
        )
    return render(
        request,
        "warranty/complaint.html",
        {
            "c": c,
            "steps": c.steps.select_related("by"),
            "entries": c.entries.select_related("rule"),
            "decider": is_decider(user),
            "staff": bool(
                user.role_set
                & {Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
            ),
            "errors": errors or {},
            "v": request.POST if errors else {},
        },
        status=status,
    )


# --- Scorecards and penalties ----------------------------------------------------------------


def _month(request: HttpRequest) -> str:
    return request.GET.get("month") or people.month_of(timezone.now())


SCORECARD_HEADERS = [
    gettext_lazy("Technician"),
    gettext_lazy("Jobs"),
    gettext_lazy("On time"),
    gettext_lazy("Within SLA"),
    gettext_lazy("Complaints"),
    gettext_lazy("Earnings"),
    gettext_lazy("Currency"),
]


def _number(v: Any) -> Any:
    """A presenter's money string back to a number cell (the same digits as on screen)."""
    return Decimal(v) if isinstance(v, str) and v else v


def _scorecard_rows(cards: list[dict[str, Any]]) -> Iterator[list[Any]]:
    for c in cards:
        figures = c.get("figures") or {}
        yield [
            c["name"],
            figures.get("jobs"),
            figures.get("on_time_rate"),
            figures.get("within_sla_rate"),
            c.get("complaints"),
            _number(c.get("earnings")),
            c.get("currency"),
        ]


@login_required
def scorecards_page(
    request: HttpRequest, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponseBase:
    """The month's cards; the export holds the same cards (a bad month: the message and the
    current month, as on the page)."""
    user = _user(request)
    month = _month(request)
    visible = {u.pk for u in people_for_user(user)}
    techs = [p for p in people.technicians() if p.pk in visible]
    if techs == [user]:
        return HttpResponseRedirect(
            reverse("warranty:card", args=[user.username]) + f"?month={month}"
        )
    try:
        cards = people.scorecards_for(user, month, now=timezone.now())
    except DomainError as e:
        messages.error(request, error_message(e))
        month, cards = people.month_of(timezone.now()), []
    shown = [presenters.card_dict(c) for c in cards]
    fmt = export.wanted(request) if errors is None else None
    if fmt:
        return export.response(
            fmt,
            name=f"scorecards-{month}",
            headers=SCORECARD_HEADERS,
            rows=_scorecard_rows(shown),
        )
    return render(
        request,
        "warranty/scorecards.html",
        {
            "cards": shown,
            "month": month,
            "closed": people.month_is_closed(month),
            "can_close": bool(user.role_set & {Role.MANAGER, Role.ADMIN}),
            "errors": errors or {},
        },
        status=status,
    )


@login_required
def close_month_view(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    month = request.POST.get("month", "")
    return _act(
        request,
        lambda: people.scorecards_close_month(month=month, actor=user, now=timezone.now()),
        reverse("warranty:scorecards") + f"?month={month}",
        lambda e, s: scorecards_page(request, e, s),
    )


@login_required
def card_page(request: HttpRequest, username: str) -> HttpResponseBase:
    user = _user(request)
    month = _month(request)
    try:
        card = people.scorecard_for(user, username, month, now=timezone.now())
    except DomainError as e:
        if e.status == 404:
            raise Http404(username) from None
        messages.error(request, error_message(e))
        month = people.month_of(timezone.now())
        card = people.scorecard_for(user, username, month, now=timezone.now())
    entries = PenaltyEntry.objects.filter(person=card["person"], month=month).select_related(
        "person", "rule", "order"
    )
    fmt = export.wanted(request)
    if fmt:  # the card's entries, as the penalties list exports them
        return export.response(
            fmt,
            name=f"card-{username}-{month}",
            headers=PENALTY_HEADERS,
            rows=_penalty_rows(entries),
        )
    return render(
        request,
        "warranty/card.html",
        {"card": presenters.card_dict(card), "raw": card, "month": month, "entries": entries},
    )


@login_required
def statement_view(request: HttpRequest, username: str, month: str) -> HttpResponse:
    try:
        card = people.scorecard_for(_user(request), username, month, now=timezone.now())
        data = statement_pdf(card)
    except DomainError as e:
        if e.status == 404:
            raise Http404(username) from None
        return HttpResponse(
            error_message(e), status=e.status, content_type="text/plain; charset=utf-8"
        )
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="statement-{username}-{month}.pdf"'
    return resp


PENALTY_HEADERS = [
    gettext_lazy("When"),
    gettext_lazy("Person"),
    gettext_lazy("Rule"),
    gettext_lazy("System"),
    gettext_lazy("Amount"),
    gettext_lazy("Currency"),
    gettext_lazy("Evidence"),
]


def _penalty_rows(qs: Any) -> Iterator[list[Any]]:
    for e in qs.iterator(chunk_size=2000):
        yield [
            e.at,
            str(e.person),
            e.rule.name,
            e.automatic,
            -e.amount if e.kind == "penalty" else e.amount,  # signed as on screen
            e.currency,
            e.evidence,
        ]


@login_required
def penalties_page(
    request: HttpRequest, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponseBase:
    user = _user(request)
    if request.method == "POST" and errors is None:
        return _act(
            request,
            lambda: people.penalty_record(
                actor=user, data=form_data(request.POST), now=timezone.now()
            ),
            reverse("warranty:penalties"),
            lambda e, s: penalties_page(request, e, s),
        )
    month = _month(request)
    qs = PenaltyEntry.objects.filter(person__in=people_for_user(user), month=month).select_related(
        "person", "rule", "order", "decided_by"
    )
    fmt = export.wanted(request) if errors is None else None
    if fmt:
        return export.response(
            fmt, name=f"penalties-{month}", headers=PENALTY_HEADERS, rows=_penalty_rows(qs)
        )
    return render(
        request,
        "warranty/penalties.html",
        {
            "rows": qs[:500],
            "month": month,
            "rules": PenaltyRule.objects.filter(active=True),
            "people": [p for p in people_for_user(user).order_by("username") if p.pk != user.pk],
            "decider": is_decider(user),
            "errors": errors or {},
            "v": request.POST if errors else {},
        },
        status=status,
    )


# --- Expenses, quality -------------------------------------------------------------------------


CLAIM_HEADERS = [
    gettext_lazy("Person"),
    gettext_lazy("Kind"),
    gettext_lazy("Amount"),
    gettext_lazy("Currency"),
    gettext_lazy("Status"),
    gettext_lazy("Reason"),
    gettext_lazy("Receipt"),
]
TRIP_HEADERS = [
    gettext_lazy("Day"),
    gettext_lazy("Person"),
    gettext_lazy("From"),
    gettext_lazy("To"),
    gettext_lazy("Order"),
    "km",
    gettext_lazy("Hours"),
]


def _claim_rows(qs: Any) -> Iterator[list[Any]]:
    for c in qs.iterator(chunk_size=2000):
        yield [
            str(c.person),
            c.get_kind_display(),
            c.amount,
            c.currency,
            c.get_status_display(),
            c.decision_reason,
            bool(c.receipt),
        ]


def _trip_rows(qs: Any) -> Iterator[list[Any]]:
    for t in qs.iterator(chunk_size=2000):
        yield [
            t.day,
            str(t.person),
            t.origin,
            t.destination,
            t.order.number if t.order else "",
            t.km,
            t.hours,
        ]


@login_required
def expenses_page(
    request: HttpRequest, errors: dict[str, str] | None = None, status: int = 200, form: str = ""
) -> HttpResponseBase:
    """Two lists: the claims, and the trip log; each exports on its own (`?list=trips`)."""
    user = _user(request)
    trips = Trip.objects.filter(person__in=people_for_user(user)).select_related("person", "order")
    claims = expenses_for_user(user).select_related("person", "trip")
    fmt = export.wanted(request) if errors is None else None
    if fmt and request.GET.get("list") == "trips":
        return export.response(fmt, name="trips", headers=TRIP_HEADERS, rows=_trip_rows(trips))
    if fmt:
        return export.response(
            fmt, name="expenses", headers=CLAIM_HEADERS, rows=_claim_rows(claims)
        )
    return render(
        request,
        "warranty/expenses.html",
        {
            "trips": trips[:100],
            "claims": claims[:200],
            "my_trips": Trip.objects.filter(person=user)[:30],
            "kinds": ExpenseClaim.KINDS,
            "decider": is_decider(user),
            "errors": errors or {},
            "form": form,
            "v": request.POST if errors else {},
        },
        status=status,
    )


@login_required
def expenses_post(request: HttpRequest, what: str) -> HttpResponseBase:
    user, now = _user(request), timezone.now()
    data = form_data(request.POST, skip=("target",))
    actions: dict[str, Callable[[], Any]] = {
        "trip": lambda: people.trip_log(actor=user, data=data, now=now),
        "claim": lambda: people.expense_claim(
            actor=user, data=data, receipt=request.FILES.get("receipt"), now=now
        ),
        "decision": lambda: people.expense_decide(
            actor=user, pk=int(request.POST.get("target", "0") or 0), data=data, now=now
        ),
    }
    if what not in actions:
        raise Http404(what)
    return _act(
        request,
        actions[what],
        reverse("warranty:expenses"),
        lambda e, s: expenses_page(request, e, s, what),
    )


@login_required
def receipt_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = expenses_for_user(_user(request)).filter(pk=pk).first()
    if row is None or not row.receipt:
        raise Http404("receipt")
    return FileResponse(row.receipt.open("rb"))


QUALITY_HEADERS = [
    gettext_lazy("Month"),
    gettext_lazy("Category"),
    gettext_lazy("Model"),
    gettext_lazy("Part"),
    gettext_lazy("Fault code"),
    gettext_lazy("Cause"),
    gettext_lazy("Count"),
]


@login_required
def quality_page(request: HttpRequest) -> HttpResponseBase:
    """W-5. `?format=csv|xlsx` exports the rows on screen (the month's counts, a small
    aggregated list) with the month in the first column."""
    month = _month(request)
    try:
        start, end = people._bounds(month)
    except DomainError as e:
        messages.error(request, error_message(e))
        month = people.month_of(timezone.now())
        start, end = people._bounds(month)
    qs = orders_for_user(_user(request)).filter(completed_at__gte=start, completed_at__lt=end)
    rows = presenters.quality_rows(qs)
    fmt = export.wanted(request)
    if fmt:
        return export.response(
            fmt,
            name=f"quality-{month}",
            headers=QUALITY_HEADERS,
            rows=(
                [
                    month,
                    r["category"],
                    r["model"],
                    r["part"],
                    r["fault_code"],
                    r["cause"],
                    r["count"],
                ]
                for r in rows
            ),
        )
    return render(request, "warranty/quality.html", {"rows": rows, "month": month})


@login_required
def badge_view(request: HttpRequest, number: str) -> HttpResponse:
    """The order page's one-line warranty verdict (also served for the include)."""
    try:
        order = order_get_for_user(_user(request), number)
    except DomainError:
        raise Http404(number) from None
    v = order_warranty(order)
    needs_quote = not v.in_warranty and not order.quotes.filter(status="accepted").exists()
    return render(
        request, "warranty/_badge.html", {"v": v, "order": order, "needs_quote": needs_quote}
    )
