"""`/api/v1/kpis` and `/api/v1/boards/…` (issue 7).

Filters are query parameters: `month=YYYY-MM` or `from=YYYY-MM-DD&to=YYYY-MM-DD`, `outlet`,
`region`, `category`, `technician` (usernames and codes). Bad ones answer 422 in the one
error shape; technicians and parts keepers get 403."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from aftersales.api.common import ERRORS, json_body, user_of
from aftersales.domain.errors import DomainError

from . import reports, selectors
from .models import Report

R = {200: Any, 201: Any, **ERRORS}

kpis = Router(tags=["kpis"])


def _filters(request: HttpRequest) -> selectors.Filters:
    return selectors.parse_filters(user_of(request), request.GET, now=timezone.now())


@kpis.get("", response=R, summary="K-2 every figure, with its definition id, target and colour")
def get_kpis(request: HttpRequest) -> Any:
    f = _filters(request)
    data = selectors.figures(user_of(request), f, now=timezone.now())
    if request.GET.get("breakdown") not in ("1", "true", "yes"):
        data = {k: v for k, v in data.items() if k in ("filters", "computed_at", "figures")}
    return data


def _page(request: HttpRequest) -> tuple[int, int]:
    try:
        limit = int(request.GET.get("limit", 100))
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        raise DomainError(
            "validation", "limit and offset are numbers.", fields={"limit": "number"}
        ) from None
    if not (1 <= limit <= 1000 and offset >= 0):
        raise DomainError("validation", "limit is 1…1000.", fields={"limit": "1–1000"})
    return limit, offset


@kpis.get("/orders", response=R, summary="Drill-down: the orders behind a figure")
def get_drill(request: HttpRequest) -> Any:
    f = _filters(request)
    kpi = request.GET.get("kpi", "")
    part = request.GET.get("part", "all")
    qs = selectors.drill(user_of(request), f, kpi, part, now=timezone.now())
    limit, offset = _page(request)
    rows = [
        dict(zip(selectors.DRILL_HEADERS, r, strict=True))
        for r in (selectors.drill_row(o) for o in qs[offset : offset + limit])
    ]
    return {"kpi": kpi, "part": part, "count": qs.count(), "results": rows}


def _report_dict(r: Report, *, figures: bool = False) -> dict[str, Any]:
    out = {
        "id": r.pk,
        "kind": r.kind,
        "period": r.period,
        "outlet": r.scope if r.scope != "*" else None,
        "version": r.version,
        "summary": r.summary,
        "sha256": r.sha256,
        "created_at": r.created_at.isoformat(),
        "created_by": r.created_by.username if r.created_by else None,
        "pdf": f"/kpis/reports/{r.pk}/report.pdf",
        "xlsx": f"/kpis/reports/{r.pk}/report.xlsx",
    }
    if figures:
        out["figures"] = r.figures
    return out


@kpis.get("/reports", response=R, summary="K-1 archived reports (every version)")
def list_reports(request: HttpRequest, period: str | None = None) -> Any:
    qs = selectors.reports_for_user(user_of(request)).defer("pdf", "xlsx")
    if period:
        qs = qs.filter(period=period)
    return {"results": [_report_dict(r) for r in qs[:500]]}


@kpis.get("/reports/{pk}", response=R, summary="One archived report with its figures")
def get_report(request: HttpRequest, pk: int) -> Any:
    return _report_dict(selectors.report_get(user_of(request), pk), figures=True)


@kpis.post("/reports", response=R, summary="Archive a new version of a report (C-9 summary)")
def post_report(request: HttpRequest) -> Any:
    body = json_body(request)
    kind = str(body.get("kind") or "monthly")
    period = str(body.get("period") or body.get("month") or "")
    if not period:
        raise DomainError("validation", "Name the period.", fields={"period": "required"})
    summary = body.get("summary")
    r = reports.report_archive(
        actor=user_of(request),
        kind=kind,
        period=period,
        outlet=body.get("outlet") or None,
        summary=None if summary is None else str(summary),
        now=timezone.now(),
    )
    return Status(201, _report_dict(r))


@kpis.get("/reports/{pk}/{fmt}", response=R, summary="The archived PDF or XLSX, unchanged")
def report_file(request: HttpRequest, pk: int, fmt: str) -> Any:
    from .views import report_bytes

    r = selectors.report_get(user_of(request), pk)
    if fmt not in ("pdf", "xlsx"):
        raise DomainError("not_found", "pdf or xlsx.", status=404)
    return report_bytes(r, fmt)


boards = Router(tags=["boards"])


def _row(r: Any) -> dict[str, Any]:
    return {
        "number": r.number,
        "contact": r.contact,
        "status": r.status,
        "technician": r.assignee,
        "appointment": r.appointment.isoformat() if r.appointment else None,
        "sla_due_at": r.sla_due_at.isoformat(),
        "risk": r.risk,
        "flags": r.flags,
    }


@boards.get("/clerk", response=R, summary="D-3 the clerk's board, per person")
def clerk(request: HttpRequest, person: str | None = None) -> Any:
    out = selectors.clerk_boards(user_of(request), now=timezone.now(), person=person)
    return {
        "people": [
            {
                "person": b["person"],
                "counts": b["counts"],
                "lists": {k: [_row(r) for r in v] for k, v in b["lists"].items()},
            }
            for b in out
        ]
    }


@boards.get("/backlog", response=R, summary="O-12 the morning meeting's backlog")
def backlog(request: HttpRequest, over: int = 2, outlet: str | None = None) -> Any:
    if over not in (2, 3):
        raise DomainError("validation", "over is 2 or 3 (days).", fields={"over": "2|3"})
    from aftersales.core.policy import current_policy
    from aftersales.orders.backlog import by_person

    hours = current_policy().backlog_hours
    h = hours[0] if over == 2 or len(hours) < 2 else hours[1]
    rows = selectors.backlog(user_of(request), over_hours=h, now=timezone.now(), outlet=outlet)
    return {
        "over_hours": h,
        "count": len(rows),
        "by_person": by_person(rows),
        "results": [
            {
                **{k: v for k, v in r.__dict__.items() if k not in ("sla_due_at", "created_at")},
                "sla_due_at": r.sla_due_at.isoformat(),
                "received_at": r.created_at.isoformat(),
            }
            for r in rows
        ],
    }


ROUTERS: list[tuple[str, Any]] = [("/kpis", kpis), ("/boards", boards)]


def _unused(_: HttpResponse) -> None:  # pragma: no cover - keeps the import for typing
    return None
