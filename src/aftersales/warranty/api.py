"""The app's API routers, mounted by aftersales.api.main under /api/v1."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from aftersales.api.common import ERRORS, json_body, user_of
from aftersales.domain.errors import DomainError
from aftersales.orders.selectors import order_get_for_user, orders_for_user

from . import people, presenters, services
from .models import Compensation, KnowledgeNote, PenaltyEntry, PenaltyRule, Trip, WarrantyTerm
from .pdfs import quote_pdf, statement_pdf
from .selectors import (
    complaints_for_user,
    expenses_for_user,
    people_for_user,
    quotes_for_user,
    returns_for_user,
)

R = {200: Any, 201: Any, **ERRORS}


def _pdf(data: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


def _month(month: str | None) -> str:
    return month or people.month_of(timezone.now())


# --- /warranty -------------------------------------------------------------------------------
warranty = Router(tags=["warranty"])


@warranty.get("/orders/{number}", response=R, summary="W-1 in or out of warranty, with the reason")
def order_verdict(request: HttpRequest, number: str) -> Any:
    order = order_get_for_user(user_of(request), number)
    return presenters.order_warranty_dict(order)


@warranty.post("/orders/{number}/proof", response=R, summary="Record a proof of purchase")
def add_proof(request: HttpRequest, number: str) -> Any:
    user = user_of(request)
    services.proof_record(actor=user, number=number, data=json_body(request), now=timezone.now())
    return Status(201, presenters.order_warranty_dict(order_get_for_user(user, number)))


@warranty.post("/orders/{number}/extensions", response=R, summary="Extend the warranty")
def add_extension(request: HttpRequest, number: str) -> Any:
    user = user_of(request)
    services.extension_add(actor=user, number=number, data=json_body(request), now=timezone.now())
    return Status(201, presenters.order_warranty_dict(order_get_for_user(user, number)))


@warranty.get("/terms", response=R, summary="Warranty terms per category/model")
def list_terms(request: HttpRequest) -> Any:
    return [
        {"category": t.category, "model": t.model, "months": t.months}
        for t in WarrantyTerm.objects.all()
    ]


@warranty.post("/terms", response=R, summary="Set a term (manager)")
def set_term(request: HttpRequest) -> Any:
    t = services.term_set(actor=user_of(request), data=json_body(request))
    return Status(201, {"category": t.category, "model": t.model, "months": t.months})


@warranty.get("/quality", response=R, summary="W-5 monthly faults by category/model/part/cause")
def quality(request: HttpRequest, month: str | None = None) -> Any:
    m = _month(month)
    start, end = people._bounds(m)
    qs = orders_for_user(user_of(request)).filter(completed_at__gte=start, completed_at__lt=end)
    return {"month": m, "rows": presenters.quality_rows(qs)}


@warranty.post("/orders/{number}/compensations", response=R, summary="W-4 compensation claim")
def ask_compensation(request: HttpRequest, number: str) -> Any:
    c = services.compensation_ask(
        actor=user_of(request), number=number, data=json_body(request), now=timezone.now()
    )
    return Status(201, presenters.compensation_dict(c))


@warranty.get("/compensations", response=R, summary="Compensation claims")
def list_compensations(request: HttpRequest, status: str | None = None) -> Any:
    qs = Compensation.objects.filter(order__in=orders_for_user(user_of(request))).select_related(
        "order"
    )
    if status:
        qs = qs.filter(status=status)
    return [presenters.compensation_dict(c) for c in qs[:200]]


@warranty.post(
    "/compensations/{pk}/act", response=R, summary="Escalate, approve, reject, carry back"
)
def act_compensation(request: HttpRequest, pk: int) -> Any:
    c = services.compensation_act(
        actor=user_of(request), pk=pk, data=json_body(request), now=timezone.now()
    )
    return presenters.compensation_dict(c)


@warranty.get("/knowledge", response=R, summary="S-4 weekly meeting notes")
def list_notes(request: HttpRequest) -> Any:
    return [
        {
            "id": n.pk,
            "meeting_date": n.meeting_date.isoformat(),
            "category": n.category,
            "problem": n.problem,
            "fix": n.fix,
        }
        for n in KnowledgeNote.objects.all()[:200]
    ]


@warranty.post("/knowledge", response=R, summary="Add a meeting note")
def add_note(request: HttpRequest) -> Any:
    n = people.note_add(actor=user_of(request), data=json_body(request))
    return Status(201, {"id": n.pk})


# --- /quotes ------------------------------------------------------------------------------------
quotes = Router(tags=["quotes"])


@quotes.post("", response=R, summary="W-2 a quote (parts, labour, travel) for an order")
def create_quote(request: HttpRequest) -> Any:
    body = json_body(request)
    number = body.pop("order", None)
    if not isinstance(number, str):
        raise DomainError("validation", "Name the order.", fields={"order": "required"})
    q = services.quote_create(actor=user_of(request), number=number, data=body, now=timezone.now())
    return Status(201, presenters.quote_dict(q))


@quotes.get("", response=R, summary="Quotes")
def list_quotes(request: HttpRequest, order: str | None = None, status: str | None = None) -> Any:
    qs = quotes_for_user(user_of(request)).select_related("order").prefetch_related("lines")
    if order:
        qs = qs.filter(order__number=order)
    if status:
        qs = qs.filter(status=status)
    places = presenters.currency_places()
    return [presenters.quote_dict(q, places) for q in qs[:200]]


@quotes.get("/{number}", response=R, summary="One quote")
def get_quote(request: HttpRequest, number: str) -> Any:
    return presenters.quote_dict(services.quote_get(user_of(request), number))


@quotes.post("/{number}/decision", response=R, summary="The customer accepts or declines")
def decide_quote(request: HttpRequest, number: str) -> Any:
    q = services.quote_decide(
        actor=user_of(request), number=number, data=json_body(request), now=timezone.now()
    )
    return presenters.quote_dict(q)


@quotes.get("/{number}/pdf", response=R, summary="Printable quote")
def quote_document(request: HttpRequest, number: str) -> Any:
    q = services.quote_get(user_of(request), number)
    return _pdf(quote_pdf(q), f"{q.number}.pdf")


@quotes.get("/{number}/invoice", response=R, summary="Invoice of an accepted quote")
def quote_invoice(request: HttpRequest, number: str) -> Any:
    q = services.quote_get(user_of(request), number)
    if q.status != "accepted":
        raise DomainError("not_accepted", "Only an accepted quote is invoiced.", status=409)
    return _pdf(quote_pdf(q, invoice=True), f"invoice-{q.number}.pdf")


# --- /returns -----------------------------------------------------------------------------------
returns = Router(tags=["returns"])


@returns.post("", response=R, summary="W-3 request a return or exchange")
def request_return(request: HttpRequest) -> Any:
    body = json_body(request)
    number = body.pop("order", None)
    if not isinstance(number, str):
        raise DomainError("validation", "Name the order.", fields={"order": "required"})
    r = services.return_request(
        actor=user_of(request), number=number, data=body, now=timezone.now()
    )
    return Status(201, presenters.return_dict(r))


@returns.get("", response=R, summary="Return/exchange requests")
def list_returns(request: HttpRequest, status: str | None = None) -> Any:
    qs = (
        returns_for_user(user_of(request))
        .select_related("order", "requested_by", "decided_by")
        .prefetch_related("photos")
    )
    if status:
        qs = qs.filter(status=status)
    return [presenters.return_dict(r) for r in qs[:200]]


@returns.get("/{pk}", response=R, summary="One request")
def get_return(request: HttpRequest, pk: int) -> Any:
    return presenters.return_dict(services.return_get(user_of(request), pk))


@returns.post("/{pk}/photos", response=R, summary="Add a fault photo (multipart, field `photo`)")
def add_photo(request: HttpRequest, pk: int) -> Any:
    upload = request.FILES.get("photo")
    if upload is None:
        raise DomainError("validation", "Attach a photo.", fields={"photo": "required"})
    p = services.return_photo_add(actor=user_of(request), pk=pk, upload=upload, now=timezone.now())
    return Status(201, {"id": p.pk, "content_type": p.content_type, "size": p.size})


@returns.get("/{pk}/photos/{photo}", response=R, summary="A photo")
def get_photo(request: HttpRequest, pk: int, photo: int) -> Any:
    req = services.return_get(user_of(request), pk)
    p = req.photos.filter(pk=photo).first()
    if p is None:
        raise DomainError("not_found", "No such photo.", status=404)
    return FileResponse(p.image.open("rb"), content_type=p.content_type)


@returns.post("/{pk}/decision", response=R, summary="Approve or reject (supervisor)")
def decide_return(request: HttpRequest, pk: int) -> Any:
    r = services.return_decide(
        actor=user_of(request), pk=pk, data=json_body(request), now=timezone.now()
    )
    return presenters.return_dict(r)


# --- /complaints --------------------------------------------------------------------------------
complaints = Router(tags=["complaints"])


@complaints.post("", response=R, summary="O-16 log a complaint (the apology first)")
def log_complaint(request: HttpRequest) -> Any:
    c = people.complaint_log(actor=user_of(request), data=json_body(request), now=timezone.now())
    return Status(201, presenters.complaint_dict(c))


@complaints.get("", response=R, summary="Complaints")
def list_complaints(
    request: HttpRequest, status: str | None = None, person: str | None = None
) -> Any:
    qs = (
        complaints_for_user(user_of(request))
        .select_related("order", "person")
        .prefetch_related("steps__by")
    )
    if status:
        qs = qs.filter(status=status)
    if person:
        qs = qs.filter(person__username=person)
    return [presenters.complaint_dict(c) for c in qs[:200]]


@complaints.get("/{pk}", response=R, summary="One complaint")
def get_complaint(request: HttpRequest, pk: int) -> Any:
    return presenters.complaint_dict(people.complaint_get(user_of(request), pk))


@complaints.post("/{pk}/steps", response=R, summary="Investigation, finding, closure")
def complaint_step(request: HttpRequest, pk: int) -> Any:
    c = people.complaint_step(
        actor=user_of(request), pk=pk, data=json_body(request), now=timezone.now()
    )
    return presenters.complaint_dict(c)


# --- /penalties ---------------------------------------------------------------------------------
penalties = Router(tags=["penalties"])


@penalties.get("/rules", response=R, summary="S-1 rule table")
def list_rules(request: HttpRequest) -> Any:
    return [
        {
            "code": r.code,
            "name": r.name,
            "kind": r.kind,
            "amount": str(r.amount),
            "min_amount": str(r.min_amount),
            "max_amount": str(r.max_amount),
            "points": r.points,
            "automatic": r.automatic,
            "active": r.active,
        }
        for r in PenaltyRule.objects.all()
    ]


@penalties.get("", response=R, summary="Reward and penalty entries, each with its evidence")
def list_entries(request: HttpRequest, person: str | None = None, month: str | None = None) -> Any:
    qs = PenaltyEntry.objects.filter(person__in=people_for_user(user_of(request))).select_related(
        "person", "rule", "order", "decided_by"
    )
    if person:
        qs = qs.filter(person__username=person)
    if month:
        qs = qs.filter(month=month)
    return [presenters.entry_dict(e) for e in qs[:500]]


@penalties.post("", response=R, summary="Book a reward or penalty (supervisor), with evidence")
def record_entry(request: HttpRequest) -> Any:
    e = people.penalty_record(actor=user_of(request), data=json_body(request), now=timezone.now())
    return Status(201, presenters.entry_dict(e))


# --- /scorecards --------------------------------------------------------------------------------
scorecards = Router(tags=["scorecards"])


@scorecards.get("", response=R, summary="S-2 cards of the month for everyone the caller sees")
def list_cards(request: HttpRequest, month: str | None = None) -> Any:
    cards = people.scorecards_for(user_of(request), _month(month), now=timezone.now())
    return [presenters.card_dict(c) for c in cards]


@scorecards.post("/close", response=R, summary="Close a month (manager): once")
def close_month(request: HttpRequest) -> Any:
    body = json_body(request)
    month = body.get("month")
    if not isinstance(month, str):
        raise DomainError("validation", "A month is YYYY-MM.", fields={"month": "YYYY-MM"})
    row = people.scorecards_close_month(month=month, actor=user_of(request), now=timezone.now())
    return Status(
        201, {"month": row.month, "cards": row.cards, "closed_at": row.closed_at.isoformat()}
    )


@scorecards.get("/{username}", response=R, summary="One technician's card")
def get_card(request: HttpRequest, username: str, month: str | None = None) -> Any:
    card = people.scorecard_for(user_of(request), username, _month(month), now=timezone.now())
    return presenters.card_dict(card)


@scorecards.get("/{username}/{month}/statement", response=R, summary="Month-end statement PDF")
def statement(request: HttpRequest, username: str, month: str) -> Any:
    card = people.scorecard_for(user_of(request), username, month, now=timezone.now())
    return _pdf(statement_pdf(card), f"statement-{username}-{month}.pdf")


# --- /expenses ----------------------------------------------------------------------------------
expenses = Router(tags=["expenses"])


@expenses.post("/trips", response=R, summary="S-3 log a trip")
def log_trip(request: HttpRequest) -> Any:
    t = people.trip_log(actor=user_of(request), data=json_body(request), now=timezone.now())
    return Status(201, presenters.trip_dict(t))


@expenses.get("/trips", response=R, summary="Trips")
def list_trips(request: HttpRequest, person: str | None = None) -> Any:
    qs = Trip.objects.filter(person__in=people_for_user(user_of(request))).select_related(
        "person", "order"
    )
    if person:
        qs = qs.filter(person__username=person)
    return [presenters.trip_dict(t) for t in qs[:500]]


@expenses.post("", response=R, summary="Claim an expense (JSON, or multipart with `receipt`)")
def claim(request: HttpRequest) -> Any:
    if (request.content_type or "").startswith("multipart/"):
        data: dict[str, Any] = {k: v for k, v in request.POST.items() if v != ""}
        receipt = request.FILES.get("receipt")
    else:
        data, receipt = json_body(request), None
    e = people.expense_claim(actor=user_of(request), data=data, receipt=receipt, now=timezone.now())
    return Status(201, presenters.expense_dict(e))


@expenses.get("", response=R, summary="Expense claims")
def list_expenses(request: HttpRequest, status: str | None = None) -> Any:
    qs = expenses_for_user(user_of(request)).select_related("person", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return [presenters.expense_dict(e) for e in qs[:500]]


@expenses.post("/{pk}/decision", response=R, summary="Approve or reject (supervisor)")
def decide_expense(request: HttpRequest, pk: int) -> Any:
    e = people.expense_decide(
        actor=user_of(request), pk=pk, data=json_body(request), now=timezone.now()
    )
    return presenters.expense_dict(e)


ROUTERS: list[tuple[str, Router]] = [
    ("/warranty", warranty),
    ("/quotes", quotes),
    ("/returns", returns),
    ("/complaints", complaints),
    ("/penalties", penalties),
    ("/scorecards", scorecards),
    ("/expenses", expenses),
]
