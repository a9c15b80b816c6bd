"""Pages: the dashboard (figures, charts, per outlet/technician), the drill-down list, the
clerk's board (D-3), the morning backlog (O-12) and the archived reports (K-1, C-9). Every
list exports to CSV and XLSX with the filters on screen (`core.export`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core import export
from aftersales.core.errors import error_message
from aftersales.domain.codes import PRODUCT_CATEGORIES
from aftersales.domain.errors import DomainError
from aftersales.orders.selectors import outlets_for_user

from . import indicators, reports, selectors
from .models import Report


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _forbidden(request: HttpRequest, e: DomainError) -> HttpResponse:
    return render(request, "kpis/forbidden.html", {"message": error_message(e)}, status=e.status)


def _choices(user: User) -> dict[str, Any]:
    outlets = list(outlets_for_user(user))
    return {
        "outlets": outlets,
        "regions": sorted({o.region for o in outlets if o.region}),
        "categories": PRODUCT_CATEGORIES,
        "technicians": selectors.technicians_for_user(user),
    }


def _filters_or_error(
    request: HttpRequest,
) -> tuple[selectors.Filters | None, dict[str, str], int]:
    """The page's filters, or the errors to show next to the fields (and the status)."""
    user, now = _user(request), timezone.now()
    try:
        return selectors.parse_filters(user, request.GET, now=now), {}, 200
    except DomainError as e:
        if e.status == 403:
            raise
        errors = {k: error_message(e) for k in (e.fields or {"month": ""})}
        return None, errors, e.status


FIGURE_HEADERS = ("id", "rule", "indicator", "value", "unit", "numerator", "denominator", "target", "status")  # fmt: skip


def _figure_row(f: dict[str, Any]) -> list[Any]:
    t = f["target"]
    unit = f["currency"] if f["unit"] == "money" else f["unit"]
    return [
        f["id"],
        f["rule"],
        f["label"],
        f["value"],
        unit,
        f["numerator"],
        f["denominator"],
        f"{t['comparison']} {t['value']}" if t else "",
        f["band"],
    ]


TABLE_KPIS = reports.TABLE_KPIS


@login_required
def dashboard(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    try:
        f, errors, status = _filters_or_error(request)
    except DomainError as e:
        return _forbidden(request, e)
    ctx: dict[str, Any] = {"errors": errors, "q": request.GET, **_choices(user)}
    if f is None:
        return render(request, "kpis/dashboard.html", ctx, status=status)
    data = selectors.figures(user, f, now=timezone.now())
    fmt = export.wanted(request)
    if fmt:
        table = request.GET.get("table", "figures")
        if table in ("outlets", "technicians"):
            key, who = (
                ("by_outlet", "outlet") if table == "outlets" else ("by_technician", "technician")
            )
            return export.response(
                fmt,
                name=f"kpis-{table}",
                headers=[who, *TABLE_KPIS],
                rows=([r[who], *[r["figures"][k]["value"] for k in TABLE_KPIS]] for r in data[key]),
            )
        return export.response(
            fmt, name="kpis", headers=FIGURE_HEADERS, rows=(_figure_row(x) for x in data["figures"])
        )
    query = f.query()
    for fig in data["figures"]:
        if fig["drill"]:
            fig["href"] = reverse("kpis:orders") + "?" + urlencode({**query, "kpi": fig["id"]})
    chart = {
        "trend": data["trend"],
        "outlets": [
            {"label": r["outlet"], "sla": r["figures"]["sla_compliance"]["value"], "received": r["figures"]["orders_received"]["value"]}
            for r in data["by_outlet"]
        ],
        "technicians": [
            {"label": r["technician"], "csi": r["figures"]["csi"]["value"], "repeat": r["figures"]["repeat_repair"]["value"], "ftf": r["figures"]["first_time_fix"]["value"]}
            for r in data["by_technician"][: selectors.policy().chart_technicians]
        ],
        "labels": {
            "received": _("Orders received"),
            "closed": _("Orders closed"),
            "sla": _("SLA compliance %"),
            "csi": _("CSI %"),
            "repeat": _("Repeat-repair rate %"),
            "ftf": _("First-time fix %"),
        },
    }  # fmt: skip
    ctx |= {
        "f": f,
        "data": data,
        "chart": chart,
        "table_kpis": TABLE_KPIS,
        "kpi_labels": [str(indicators.DEFS[k].label) for k in TABLE_KPIS],
        "query": urlencode(query),
    }
    return render(request, "kpis/dashboard.html", ctx)


@login_required
def drill(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    try:
        f, errors, status = _filters_or_error(request)
    except DomainError as e:
        return _forbidden(request, e)
    kpi, part = request.GET.get("kpi", ""), request.GET.get("part", "all")
    ctx: dict[str, Any] = {"errors": errors, "q": request.GET, "kpi": kpi, "part": part}
    if f is not None:
        try:
            qs = selectors.drill(user, f, kpi, part, now=timezone.now())
        except DomainError as e:
            errors = {k: error_message(e) for k in e.fields}
            ctx["errors"], f, status = errors, None, e.status
    if f is None:
        return render(request, "kpis/orders.html", ctx, status=status)
    fmt = export.wanted(request)
    if fmt:
        return export.response(
            fmt,
            name=f"kpi-{kpi}-{part}",
            headers=selectors.DRILL_HEADERS,
            rows=selectors.drill_rows(qs),
        )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    d = indicators.DEFS[kpi]
    base = {**f.query(), "kpi": kpi}
    ctx |= {
        "page": page,
        "definition": d,
        "f": f,
        "parts": [
            (p, reverse("kpis:orders") + "?" + urlencode({**base, "part": p}))
            for p in selectors.PARTS
        ]
        if d.build is not None and d.kind == "rate"
        else [],
        "back": reverse("kpis:dashboard") + "?" + urlencode(f.query()),
    }
    return render(request, "kpis/orders.html", ctx)


@login_required
def board(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    person = request.GET.get("person") or None
    try:
        boards = selectors.clerk_boards(user, now=timezone.now(), person=person)
    except DomainError as e:
        if e.status == 403:
            return _forbidden(request, e)
        messages.error(request, error_message(e))
        return HttpResponseRedirect(reverse("kpis:board"))
    fmt = export.wanted(request)
    if fmt:
        return export.response(
            fmt,
            name="clerk-board",
            headers=selectors.BOARD_HEADERS,
            rows=selectors.board_rows(boards),
        )
    sections = [
        ("carry_in", _("Carry-in")),
        ("tomorrow", _("Tomorrow's visits")),
        ("special", _("Special customers followed")),
        ("waiting_parts", _("Waiting for parts")),
        ("at_risk", _("At risk")),
    ]
    return render(
        request, "kpis/board.html", {"boards": boards, "sections": sections, "person": person}
    )


@login_required
def backlog(request: HttpRequest) -> HttpResponseBase:
    from aftersales.core.policy import current_policy
    from aftersales.orders.backlog import HEADERS, by_person, export_rows

    user = _user(request)
    over = request.GET.get("over", "2")
    outlet = request.GET.get("outlet") or None
    hours = current_policy().backlog_hours
    h = hours[1] if over == "3" and len(hours) > 1 else hours[0]
    try:
        rows = selectors.backlog(user, over_hours=h, now=timezone.now(), outlet=outlet)
    except DomainError as e:
        if e.status == 403:
            return _forbidden(request, e)
        bad = {"errors": {"outlet": error_message(e)}, "over": over, "rows": [], "people": {}}
        return render(request, "kpis/backlog.html", bad | _choices(user), status=e.status)
    fmt = export.wanted(request)
    if fmt:
        # The morning meeting's sheet, as the orders backlog exports it.
        return export.response(
            fmt, name=f"backlog-{over}d", headers=HEADERS, rows=export_rows(iter(rows))
        )
    ctx: dict[str, Any] = {
        "rows": rows[:500],
        "count": len(rows),
        "people": by_person(rows),
        "over": over,
        "outlet": outlet,
        "errors": {},
    }
    return render(request, "kpis/backlog.html", ctx | _choices(user))


@login_required
def report_list(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    try:
        qs = selectors.reports_for_user(user).defer("pdf", "xlsx", "figures")
    except DomainError as e:
        return _forbidden(request, e)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            r = reports.report_archive(
                actor=user,
                kind=request.POST.get("kind", "monthly"),
                period=request.POST.get("period", ""),
                outlet=request.POST.get("outlet") or None,
                summary=request.POST.get("summary") or None,
                now=timezone.now(),
            )
            messages.success(request, _("Report archived (version %(v)s).") % {"v": r.version})
            return HttpResponseRedirect(reverse("kpis:report", args=[r.pk]))
        except DomainError as e:
            if e.status == 403:
                return _forbidden(request, e)
            errors = {k: error_message(e) for k in (e.fields or {"period": ""})}
            status = e.status
    fmt = export.wanted(request)
    if fmt:
        return export.response(
            fmt,
            name="reports",
            headers=(
                "id",
                "kind",
                "period",
                "outlet",
                "version",
                "created_at",
                "created_by",
                "sha256",
            ),  # fmt: skip
            rows=(
                [r.pk, r.kind, r.period, r.scope, r.version, r.created_at, r.created_by, r.sha256]
                for r in qs.iterator(chunk_size=2000)
            ),
        )
    ctx = {
        "reports": qs[:200],
        "errors": errors,
        "q": request.POST,
        "may_write": bool(user.role_set & selectors.WRITERS),
        "outlets": list(outlets_for_user(user)),
    }
    return render(request, "kpis/reports.html", ctx, status=status)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = _user(request)
    try:
        r = selectors.report_get(user, pk)
    except DomainError as e:
        if e.status == 403:
            return _forbidden(request, e)
        raise Http404(str(pk)) from None
    versions = selectors.reports_for_user(user).filter(kind=r.kind, period=r.period, scope=r.scope).defer("pdf", "xlsx", "figures")  # fmt: skip
    return render(
        request,
        "kpis/report.html",
        {
            "r": r,
            "versions": versions,
            "intact": reports.verify(r),
            "may_write": bool(user.role_set & selectors.WRITERS),
            "latest": max(v.version for v in versions) == r.version,
        },
    )


def report_bytes(r: Report, fmt: str) -> HttpResponse:
    name = f"aftersales-{r.kind}-{r.period}-{r.scope.replace('*', 'all')}-v{r.version}.{fmt}"
    if fmt == "pdf":
        resp = HttpResponse(bytes(r.pdf), content_type="application/pdf")
        resp["Content-Disposition"] = f'inline; filename="{name}"'
    else:
        resp = HttpResponse(bytes(r.xlsx), content_type=export.CONTENT_TYPES["xlsx"])
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["X-Content-SHA256"] = r.sha256
    return resp


@login_required
def report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    try:
        r = selectors.report_get(_user(request), pk)
    except DomainError as e:
        if e.status == 403:
            return _forbidden(request, e)
        raise Http404(str(pk)) from None
    return report_bytes(r, fmt)
