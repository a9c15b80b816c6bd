"""The app's API routers, mounted by aftersales.api.main under /api/v1:
/parts (master, labels, reports), /stock (on hand, movements, slips, counts, ageing, reorder,
accounts, old-part returns) and /part-requests (O-13 lifecycle)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from aftersales.api.common import ERRORS, json_body, user_of
from aftersales.domain.errors import DomainError
from aftersales.orders.inputs import parse

from . import inputs, reports, selectors, services
from .models import Part, current_rules
from .presenters import count_dict, doc_dict, on_hand_dict, part_dict, request_dict

OK = {200: dict[str, Any], **ERRORS}
CREATED = {201: dict[str, Any], **ERRORS}
LIST = {200: list[dict[str, Any]], **ERRORS}

parts_router = Router(tags=["parts"])
stock_router = Router(tags=["stock"])
requests_router = Router(tags=["part-requests"])


def _page(page: int, page_size: int) -> None:
    if not 1 <= page <= 100_000 or not 1 <= page_size <= 500:
        raise DomainError(
            "validation",
            "1 ≤ page ≤ 100000 and 1 ≤ page_size ≤ 500.",
            fields={"page": "1–100000", "page_size": "1–500"},
        )


# ----------------------------------------------------------------------------- /parts


@parts_router.get("", response=OK, summary="Search the part master (P-1)")
def list_parts(
    request: HttpRequest, q: str | None = None, page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    _page(page, page_size)
    qs = Part.objects.prefetch_related("substitutes").order_by("code")
    if q:
        q = q.strip()
        qs = qs.filter(code__startswith=q) | qs.filter(name__icontains=q) | qs.filter(barcode=q)
    total = qs.count()
    rows = qs[(page - 1) * page_size : page * page_size]
    return {"count": total, "results": [part_dict(p) for p in rows]}


@parts_router.post("", response={200: dict[str, Any], 201: dict[str, Any], **ERRORS})
def save_part(request: HttpRequest) -> Status[dict[str, Any]]:
    """Create (201) or update (200) a part by its code."""
    data = parse(inputs.PartIn, json_body(request))
    p, created = services.part_save(actor=user_of(request), data=data, now=timezone.now())
    return Status(201 if created else 200, part_dict(p))


@parts_router.get("/ratio/out-of-warranty", response=LIST, summary="P-9 per outlet and month")
def oow(request: HttpRequest, month: str | None = None) -> list[dict[str, Any]]:
    rows = selectors.oow_ratio(user_of(request), month=month)
    return [
        {**r, "oow_value": str(r["oow_value"]), "total_value": str(r["total_value"]),
         "ratio": str(r["ratio"]) if r["ratio"] is not None else None}
        for r in rows
    ]  # fmt: skip


@parts_router.get("/{code}", response=OK, summary="One part")
def get_part(request: HttpRequest, code: str) -> dict[str, Any]:
    p = Part.objects.prefetch_related("substitutes").filter(code=code).first()
    if p is None:
        raise DomainError("not_found", f"No part {code}.", status=404)
    return part_dict(p)


# ----------------------------------------------------------------------------- /stock


@stock_router.get("/on-hand", response=OK, summary="On hand per bin, with ageing band")
def get_on_hand(
    request: HttpRequest, part: str | None = None, warehouse: str | None = None
) -> dict[str, Any]:
    if not part and not warehouse:
        raise DomainError(
            "validation", "Give a part or a warehouse.", fields={"part": "part or warehouse"}
        )
    rows = selectors.on_hand(
        user_of(request), part=part, warehouse=warehouse, now=timezone.now(), rules=current_rules()
    )
    return {"total": sum(r.qty for r in rows), "results": [on_hand_dict(r) for r in rows]}


def _doc_cmd(fn: Any, model: Any, request: HttpRequest) -> Status[dict[str, Any]]:
    data = parse(model, json_body(request))
    doc = fn(actor=user_of(request), data=data, now=timezone.now())
    return Status(201, doc_dict(doc))  # its warehouse, actor and order are loaded already


@stock_router.post("/receipts", response=CREATED, summary="Receive parts (P-1 checks)")
def post_receipt(request: HttpRequest) -> Status[dict[str, Any]]:
    return _doc_cmd(services.stock_receive, inputs.ReceiptIn, request)


@stock_router.post("/issues", response=CREATED, summary="Issue parts, FIFO (P-3)")
def post_issue(request: HttpRequest) -> Status[dict[str, Any]]:
    return _doc_cmd(services.stock_issue, inputs.IssueIn, request)


@stock_router.post("/transfers", response=CREATED, summary="Transfer between bins/warehouses")
def post_transfer(request: HttpRequest) -> Status[dict[str, Any]]:
    return _doc_cmd(services.stock_transfer, inputs.TransferIn, request)


@stock_router.post("/returns", response=CREATED, summary="Unused parts back into stock")
def post_return(request: HttpRequest) -> Status[dict[str, Any]]:
    return _doc_cmd(services.stock_return, inputs.ReturnIn, request)


@stock_router.post("/scrap", response=CREATED, summary="Scrap, with a reason")
def post_scrap(request: HttpRequest) -> Status[dict[str, Any]]:
    return _doc_cmd(services.stock_scrap, inputs.ScrapIn, request)


@stock_router.get("/docs/{number}", response=OK, summary="A stock document / slip")
def get_doc(request: HttpRequest, number: str) -> dict[str, Any]:
    return doc_dict(services.doc_get(user_of(request), number))


@stock_router.get("/docs/{number}/slip.pdf", response={200: None, **ERRORS}, summary="Slip PDF")
def get_slip_pdf(request: HttpRequest, number: str) -> HttpResponse:
    doc = services.doc_get(user_of(request), number)
    resp = HttpResponse(reports.slip_pdf(doc), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{doc.number}.pdf"'
    return resp


@stock_router.get("/ageing", response=OK, summary="P-5 ageing: yellow and red stock")
def get_ageing(
    request: HttpRequest, warehouse: str | None = None, page: int = 1, page_size: int = 200
) -> dict[str, Any]:
    _page(page, page_size)
    now, rules = timezone.now(), current_rules()
    qs = selectors.ageing_rows(user_of(request), warehouse=warehouse, now=now, rules=rules)
    rows = list(qs[(page - 1) * page_size : page * page_size])
    summary = selectors.ageing_summary(user_of(request), warehouse=warehouse, now=now, rules=rules)
    return {
        "summary": [
            {**x, "yellow_value": str(x["yellow_value"]), "red_value": str(x["red_value"])}
            for x in summary
        ],
        "results": reports.ageing_dicts(rows, now=now, rules=rules),
    }


@stock_router.get("/reorder", response=LIST, summary="P-6 reorder suggestions")
def get_reorder(request: HttpRequest, warehouse: str) -> list[dict[str, Any]]:
    return selectors.reorder_suggestions(
        user_of(request), warehouse=warehouse, now=timezone.now(), rules=current_rules()
    )


@stock_router.post("/reorder-rules", response=OK, summary="Set a part's reorder rule (P-6)")
def post_reorder_rule(request: HttpRequest) -> dict[str, Any]:
    data = parse(inputs.ReorderRuleIn, json_body(request))
    r = services.reorder_rule_save(actor=user_of(request), data=data, now=timezone.now())
    return {
        "part": data.part,
        "warehouse": data.warehouse,
        "min_qty": r.min_qty,
        "max_qty": r.max_qty,
        "reorder_point": r.reorder_point,
        "reorder_qty": r.reorder_qty,
    }


@stock_router.get("/accounts", response=LIST, summary="P-7 parts account per outlet")
def get_accounts(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {**a, "balance": str(a["balance"]), "threshold": str(a["threshold"])}
        for a in selectors.accounts(user_of(request), rules=current_rules())
    ]


@stock_router.post("/accounts/deposits", response=CREATED, summary="Money into an account")
def post_deposit(request: HttpRequest) -> Status[dict[str, Any]]:
    data = parse(inputs.DepositIn, json_body(request))
    e = services.account_deposit(actor=user_of(request), data=data, now=timezone.now())
    return Status(201, {"outlet": data.outlet, "amount": str(e.amount), "currency": e.currency})


@stock_router.get("/old-parts", response=OK, summary="P-8 old-part returns")
def get_old_parts(request: HttpRequest, overdue: bool = False) -> dict[str, Any]:
    now = timezone.now()
    user = user_of(request)
    rows = selectors.old_part_returns(user, overdue_only=overdue, now=now)[:500]
    return {
        "overdue_by_technician": selectors.overdue_by_technician(user, now=now),
        "results": [
            {
                "id": r.pk,
                "order": r.order.number,
                "part": r.part.code,
                "quantity": r.quantity,
                "technician": r.technician.username if r.technician else None,
                "value": str(r.value),
                "due_at": r.due_at.isoformat(),
                "returned_at": r.returned_at.isoformat() if r.returned_at else None,
                "overdue": r.returned_at is None and r.due_at < now,
            }
            for r in rows
        ],
    }


@stock_router.post("/old-parts/{pk}/receive", response=OK, summary="Old part back (P-8)")
def post_old_part(request: HttpRequest, pk: int) -> dict[str, Any]:
    r = services.old_part_receive(actor=user_of(request), pk=pk, now=timezone.now())
    return {"id": r.pk, "returned_at": r.returned_at.isoformat() if r.returned_at else None}


@stock_router.post("/counts", response=CREATED, summary="Start a count (P-4)")
def post_count(request: HttpRequest) -> Status[dict[str, Any]]:
    body = json_body(request)
    wh = body.get("warehouse")
    if not isinstance(wh, str) or not wh:
        raise DomainError("validation", "Say which warehouse.", fields={"warehouse": "required"})
    c = services.count_start(actor=user_of(request), warehouse=wh, now=timezone.now())
    return Status(201, count_dict(c))


@stock_router.get("/counts/{pk}", response=OK, summary="A count sheet")
def get_count(request: HttpRequest, pk: int) -> dict[str, Any]:
    return count_dict(selectors.count_get(user_of(request), pk))


@stock_router.post("/counts/{pk}/lines/{line}", response=OK, summary="Enter a counted quantity")
def post_count_line(request: HttpRequest, pk: int, line: int) -> dict[str, Any]:
    data = parse(inputs.CountEnterIn, json_body(request))
    services.count_enter(
        actor=user_of(request), count_pk=pk, line_pk=line, data=data, now=timezone.now()
    )
    return count_dict(selectors.count_get(user_of(request), pk))


@stock_router.post("/counts/{pk}/lines/{line}/approve", response=OK, summary="Approve variance")
def post_count_approve(request: HttpRequest, pk: int, line: int) -> dict[str, Any]:
    data = parse(inputs.CountApproveIn, json_body(request))
    services.count_approve(
        actor=user_of(request), count_pk=pk, line_pk=line, data=data, now=timezone.now()
    )
    return count_dict(selectors.count_get(user_of(request), pk))


@stock_router.post("/counts/{pk}/close", response=OK, summary="Close a count")
def post_count_close(request: HttpRequest, pk: int) -> dict[str, Any]:
    c = services.count_close(actor=user_of(request), count_pk=pk, now=timezone.now())
    return count_dict(c, lines=False)


# ----------------------------------------------------------------------------- /part-requests


@requests_router.post("", response=CREATED, summary="Request a part on an order (O-13)")
def post_request(request: HttpRequest) -> Status[dict[str, Any]]:
    data = parse(inputs.RequestIn, json_body(request))
    r = services.request_create(actor=user_of(request), data=data, now=timezone.now())
    return Status(201, request_dict(r))


@requests_router.get("", response=OK, summary="Requests the caller may see")
def list_requests(
    request: HttpRequest, status: str | None = None, page: int = 1, page_size: int = 50
) -> dict[str, Any]:
    _page(page, page_size)
    qs = selectors.request_queue(user_of(request), status=status.split(",") if status else None)
    total = qs.count()
    rows = qs[(page - 1) * page_size : page * page_size]
    return {"count": total, "results": [request_dict(r) for r in rows]}


@requests_router.get("/arrived-today", response=LIST, summary="Arrived today, fit today (O-13)")
def arrived(request: HttpRequest) -> list[dict[str, Any]]:
    return [request_dict(r) for r in selectors.arrived_today(user_of(request), now=timezone.now())]


@requests_router.get("/{pk}", response=OK, summary="One request")
def get_request(request: HttpRequest, pk: int) -> dict[str, Any]:
    return request_dict(selectors.request_get(user_of(request), pk))


@requests_router.post(
    "/{pk}/{action}", response=OK, summary="approve|ship|receive|issue|fit|cancel"
)
def act_request(request: HttpRequest, pk: int, action: str) -> dict[str, Any]:
    data = parse(inputs.RequestActIn, json_body(request))
    r = services.request_act(
        actor=user_of(request), pk=pk, action=action, data=data, now=timezone.now()
    )
    return request_dict(selectors.request_get(user_of(request), r.pk))


ROUTERS: list[tuple[str, Router]] = [
    ("/parts", parts_router),
    ("/stock", stock_router),
    ("/part-requests", requests_router),
]
