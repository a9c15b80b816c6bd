"""Pages of the parts keeper (stock, receive, issue with slip, requests, counts, ageing,
reorder, account) and the clerk's "arrived today, fit today" board. Thin: form posts become
the services' inputs; a DomainError is shown next to its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core import export
from aftersales.core.errors import error_message
from aftersales.domain import parts as rules_mod
from aftersales.domain.errors import DomainError
from aftersales.orders.inputs import parse

from . import inputs, reports, selectors, services
from .models import REQUEST_LABELS, SHIPPED_BY_LABELS, Part, current_rules
from .presenters import count_dict, doc_dict, request_dict

LINES = 5


def _export(fmt: str, name: str, table: reports.Table) -> HttpResponse:
    headers, rows = table
    return export.response(fmt, name=name, headers=headers, rows=rows)  # type: ignore[return-value]


def _export_link(request: HttpRequest, fmt: str, **extra: str) -> str:
    """`?…&format=csv` with the page's own filters (for pages with more than one list)."""
    query = request.GET.copy()
    query.pop("page", None)
    for k, v in extra.items():
        query[k] = v
    query["format"] = fmt
    return "?" + query.urlencode()


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", {}, status=404)


def _lines(post: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Indexed form rows (part_0, qty_0, bin_0 …) → line dicts; empty rows are skipped."""
    out = []
    for i in range(LINES):
        row = {k: post.get(f"{k}_{i}", "").strip() for k in keys}
        if not any(row.values()):
            continue
        line: dict[str, Any] = {k: v for k, v in row.items() if v != ""}
        if "qty" in line:
            q = line["qty"]
            line["qty"] = int(q) if q.lstrip("-").isdigit() else q
        out.append(line)
    return out


def _form_errors(e: DomainError) -> dict[str, str]:
    """lines.0.qty → qty_0 so the message sits next to the input."""
    out = {}
    for k, v in e.fields.items():
        bits = k.split(".")
        if len(bits) == 3 and bits[0] == "lines":
            out[f"{bits[2]}_{bits[1]}"] = v
        else:
            out[k] = v
    return out


def _int(value: str | None) -> int:
    v = (value or "").strip()
    return int(v) if v.isdigit() and len(v) < 15 else 0


def _try(
    request: HttpRequest, fn: Callable[[], Any], *, show_404: bool = False
) -> tuple[Any, dict[str, str]]:
    try:
        return fn(), {}
    except DomainError as e:
        if e.status == 404 and not e.fields and not show_404:
            raise
        messages.error(request, error_message(e))
        return None, _form_errors(e) or {"__all__": e.message}


def _wh_choices(user: User, *, write: bool = False) -> list[Any]:
    whs = list(selectors.warehouses_for_user(user).order_by("code"))
    return [w for w in whs if selectors.may_keep(user, w)] if write else whs


@login_required
def stock_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    part = request.GET.get("part", "").strip() or None
    wh = request.GET.get("warehouse", "").strip() or None
    rows: list[Any] = []
    error = ""
    fmt = export.wanted(request)
    now, rules = timezone.now(), current_rules()
    if fmt and not (part or wh):  # nothing on screen, nothing exported
        return _export(fmt, "stock", reports.on_hand_table([], now=now, rules=rules))
    if part or wh:
        try:
            if fmt:  # the whole filtered list, not the page's first 500
                found = selectors.on_hand(user, part=part, warehouse=wh, now=now, rules=rules,
                                          limit=1)  # fmt: skip
                code = found[0].part if found and part else part
                qs = selectors.on_hand_rows(user, part=code, warehouse=wh)
                return _export(
                    fmt, "stock", reports.on_hand_table(qs.iterator(2000), now=now, rules=rules)
                )
            rows = selectors.on_hand(user, part=part, warehouse=wh, now=now, rules=rules)
        except DomainError as e:
            error = error_message(e)
    return render(
        request,
        "parts/stock.html",
        {
            "rows": rows,
            "part": part or "",
            "warehouse": wh or "",
            "warehouses": _wh_choices(user),
            "error": error,
            "total": sum(r.qty for r in rows),
        },
    )


def _movement_view(
    request: HttpRequest, *, template: str, model: Any, fn: Any, keys: tuple[str, ...]
) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        body: dict[str, Any] = {
            k: str(v)
            for k, v in request.POST.items()
            if k in model.model_fields and k != "lines" and str(v).strip()
        }
        body["lines"] = _lines(request.POST, keys)
        if "purchase" in model.model_fields:
            body["purchase"] = request.POST.get("purchase") == "on"

        def run() -> Any:
            return fn(actor=user, data=parse(model, body), now=timezone.now())

        try:
            doc, errors = _try(request, run)
        except DomainError:
            return _not_found(request)
        if doc is not None:
            messages.success(request, _("Saved as %(number)s.") % {"number": doc.number})
            return HttpResponseRedirect(reverse("parts:doc", args=[doc.number]))
    return render(
        request,
        template,
        {
            "errors": errors,
            "general": errors.get("__all__"),
            "v": request.POST,
            "rows": range(LINES),
            "warehouses": _wh_choices(user, write=True),
            "all_warehouses": _wh_choices(user),
        },
        status=422 if errors else 200,
    )


@login_required
def receive_view(request: HttpRequest) -> HttpResponse:
    return _movement_view(
        request,
        template="parts/receive.html",
        model=inputs.ReceiptIn,
        fn=services.stock_receive,
        keys=("part", "model", "bin", "qty"),
    )


@login_required
def issue_view(request: HttpRequest) -> HttpResponse:
    return _movement_view(
        request,
        template="parts/issue.html",
        model=inputs.IssueIn,
        fn=services.stock_issue,
        keys=("part", "bin", "qty"),
    )


@login_required
def transfer_view(request: HttpRequest) -> HttpResponse:
    return _movement_view(
        request,
        template="parts/transfer.html",
        model=inputs.TransferIn,
        fn=services.stock_transfer,
        keys=("part", "from_bin", "to_bin", "qty"),
    )


@login_required
def doc_view(request: HttpRequest, number: str) -> HttpResponse:
    try:
        doc = services.doc_get(_user(request), number)
    except DomainError:
        return _not_found(request)
    return render(request, "parts/slip.html", {"doc": doc, "d": doc_dict(doc)})


@login_required
def doc_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    try:
        doc = services.doc_get(_user(request), number)
        body = reports.slip_pdf(doc)
    except DomainError as e:
        if e.status == 404:
            return _not_found(request)
        return HttpResponse(error_message(e), status=e.status, content_type="text/plain")
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{doc.number}.pdf"'
    return resp


@login_required
def label_view(request: HttpRequest, code: str) -> HttpResponse:
    """P-1: a printable label with the code, name, model and a Code 39 barcode."""
    part = Part.objects.filter(code=code).first()
    if part is None:
        return _not_found(request)
    value = part.barcode or part.code
    try:
        bars = rules_mod.code39_bars(value)
        width = bars[-1][0] + bars[-1][1] if bars else 0
    except DomainError:
        bars, width = [], 0
    return render(
        request,
        "parts/label.html",
        {"part": part, "value": value, "bars": bars, "width": width},
    )


@login_required
def requests_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        action = post.get("action", "")
        try:
            if action == "create":
                body = {
                    k: post[k]
                    for k in ("order", "part", "quantity", "shipped_by", "promised_date")
                    if post.get(k, "").strip()
                }

                def run() -> Any:
                    return services.request_create(
                        actor=user, data=parse(inputs.RequestIn, body), now=timezone.now()
                    )

            else:
                pk = _int(post.get("id"))
                body = {k: post[k] for k in ("bin", "version", "note") if post.get(k, "").strip()}

                def run() -> Any:
                    return services.request_act(
                        actor=user,
                        pk=pk,
                        action=action,
                        data=parse(inputs.RequestActIn, body),
                        now=timezone.now(),
                    )

            done, errors = _try(request, run, show_404=action == "create")
        except DomainError:
            return _not_found(request)
        if done is not None:
            messages.success(request, _("Request #%(id)s: %(status)s.") % {
                "id": done.pk, "status": REQUEST_LABELS.get(done.status, done.status)
            })  # fmt: skip
            return HttpResponseRedirect(reverse("parts:requests"))
    status = request.GET.getlist("status") or [
        s.value
        for s in rules_mod.RequestStatus
        if s not in (rules_mod.RequestStatus.FITTED, rules_mod.RequestStatus.CANCELLED)
    ]
    order = request.GET.get("order", "").strip()
    qs = selectors.request_queue(user, status=None if order else status)
    if order:
        qs = qs.filter(order__number=order)
    fmt = export.wanted(request)
    if fmt:
        return _export(fmt, "part-requests", reports.requests_table(qs.iterator(2000)))
    rows = [request_dict(r) for r in qs[:200]]
    roles = user.role_set
    nxt = {
        s.value: [a for a, t in rules_mod.REQUEST_TRANSITIONS.items() if s in t]
        for s in rules_mod.RequestStatus
    }
    for r in rows:
        r["actions"] = [a for a in nxt[r["status"]] if roles & services.REQUEST_ROLES[a]]
        r["status_label"] = REQUEST_LABELS.get(r["status"], r["status"])
    return render(
        request,
        "parts/requests.html",
        {
            "rows": rows,
            "errors": errors,
            "general": errors.get("__all__"),
            "v": request.POST,
            "shipped_by": SHIPPED_BY_LABELS,
            "statuses": REQUEST_LABELS,
            "selected": status,
        },
        status=422 if errors else 200,
    )


@login_required
def arrived_view(request: HttpRequest) -> HttpResponse:
    qs = selectors.arrived_today(_user(request), now=timezone.now())
    fmt = export.wanted(request)
    if fmt:
        return _export(fmt, "arrived-today", reports.requests_table(qs.iterator(2000)))
    rows = [request_dict(r) for r in qs]
    return render(request, "parts/arrived.html", {"rows": rows})


@login_required
def counts_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        wh = request.POST.get("warehouse", "")
        try:
            count, errors = _try(
                request, lambda: services.count_start(actor=user, warehouse=wh, now=timezone.now())
            )
        except DomainError:
            return _not_found(request)
        if count is not None:
            return HttpResponseRedirect(reverse("parts:count", args=[count.pk]))
    qs = selectors.counts_for_user(user).order_by("-started_at", "-pk")
    fmt = export.wanted(request)
    if fmt:
        return _export(fmt, "stock-counts", reports.counts_table(qs.iterator(2000)))
    rows = qs[:100]
    return render(
        request,
        "parts/counts.html",
        {
            "rows": rows,
            "warehouses": _wh_choices(user),
            "errors": errors,
            "general": errors.get("__all__"),
        },
        status=409 if errors else 200,
    )


@login_required
def count_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    errors: dict[str, str] = {}
    try:
        selectors.count_get(user, pk)
    except DomainError:
        return _not_found(request)
    if request.method == "POST":
        post = request.POST
        action = post.get("action", "")
        line = _int(post.get("line"))
        now = timezone.now()

        def run() -> Any:
            if action == "enter":
                raw = post.get("counted", "").strip()
                data = parse(
                    inputs.CountEnterIn,
                    {"counted": raw if raw else None, "reason": post.get("reason", "")},
                )
                return services.count_enter(
                    actor=user, count_pk=pk, line_pk=line, data=data, now=now
                )
            if action == "approve":
                data2 = parse(inputs.CountApproveIn, {"reason": post.get("reason", "")})
                return services.count_approve(
                    actor=user, count_pk=pk, line_pk=line, data=data2, now=now
                )
            return services.count_close(actor=user, count_pk=pk, now=now)

        try:
            done, errors = _try(request, run)
        except DomainError:
            return _not_found(request)
        if done is not None:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("parts:count", args=[pk]))
    c = selectors.count_get(user, pk)
    fmt = export.wanted(request)
    if fmt:
        lines = c.lines.select_related("bin", "part", "approved_by").order_by(
            "bin__zone", "bin__shelf", "bin__level", "bin__position", "part__code"
        )
        return _export(fmt, f"count-{c.pk}", reports.count_lines_table(lines.iterator(2000)))
    return render(
        request,
        "parts/count.html",
        {"c": count_dict(c), "errors": errors, "general": errors.get("__all__")},
        status=409 if errors else 200,
    )


AGEING_PAGE = 500


@login_required
def ageing_view(request: HttpRequest) -> HttpResponse:
    """P-5: the report is the summary per warehouse plus the rows, oldest first, a page at a
    time; the export streams all rows (or the summary with `?summary=1`) with the same filter."""
    user = _user(request)
    wh = request.GET.get("warehouse", "").strip() or None
    page = max(1, _int(request.GET.get("page")) or 1)
    now, rules = timezone.now(), current_rules()
    fmt = export.wanted(request)
    try:
        qs = selectors.ageing_rows(user, warehouse=wh, now=now, rules=rules)
        if fmt and request.GET.get("summary"):
            summary = selectors.ageing_summary(user, warehouse=wh, now=now, rules=rules)
            return _export(fmt, "ageing-summary", reports.ageing_summary_table(summary))
        if fmt:
            return _export(
                fmt, "ageing", reports.ageing_table(qs.iterator(2000), now=now, rules=rules)
            )
        start = (page - 1) * AGEING_PAGE
        chunk = list(qs[start : start + AGEING_PAGE + 1])
        rows = reports.ageing_dicts(chunk[:AGEING_PAGE], now=now, rules=rules)
        summary = selectors.ageing_summary(user, warehouse=wh, now=now, rules=rules)
    except DomainError:
        return _not_found(request)
    nav = request.GET.copy()
    nav.pop("format", None)
    pages = {}
    for label, n in (("prev", page - 1), ("next", page + 1)):
        if (label == "prev" and n >= 1) or (label == "next" and len(chunk) > AGEING_PAGE):
            nav["page"] = str(n)
            pages[label] = "?" + nav.urlencode()
    return render(
        request,
        "parts/ageing.html",
        {
            "rows": rows,
            "summary": summary,
            "warehouse": wh or "",
            "warehouses": _wh_choices(user),
            "rules": rules,
            "page": page,
            "pages": pages,
            "summary_links": {f: _export_link(request, f, summary="1") for f in export.FORMATS},
        },
    )


@login_required
def reorder_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    wh = request.GET.get("warehouse", "").strip()
    rows: list[dict[str, Any]] = []
    if wh:
        try:
            rows = selectors.reorder_suggestions(
                user, warehouse=wh, now=timezone.now(), rules=current_rules()
            )
        except DomainError:
            return _not_found(request)
    fmt = export.wanted(request)
    if fmt:
        return _export(fmt, f"reorder-{wh}" if wh else "reorder", reports.reorder_table(rows))
    return render(
        request,
        "parts/reorder.html",
        {"rows": rows, "warehouse": wh, "warehouses": _wh_choices(user)},
    )


ACCOUNT_LISTS = ("accounts", "movements", "returns", "ratio")


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    """P-7 balances and movements, P-8 old parts due back (`?overdue=1`: overdue only), P-9
    ratio (`?month=YYYY-MM`); each list exports with `?list=…&format=csv|xlsx`."""
    user = _user(request)
    now = timezone.now()
    rules = current_rules()
    overdue_only = request.GET.get("overdue") == "1"
    month = request.GET.get("month", "").strip() or None
    returns = (
        selectors.old_part_returns(user, overdue_only=overdue_only, now=now)
        .filter(returned_at__isnull=True)
        .order_by("due_at", "pk")
    )
    fmt = export.wanted(request)
    which = request.GET.get("list", "accounts")
    if fmt and which in ACCOUNT_LISTS:
        if which == "movements":
            table = reports.movements_table(selectors.account_entries(user).iterator(2000))
        elif which == "returns":
            table = reports.returns_table(returns.iterator(2000), now=now)
        elif which == "ratio":
            table = reports.ratio_table(selectors.oow_ratio(user, month=month))
        else:
            table = reports.accounts_table(selectors.accounts(user, rules=rules))
        name = {"accounts": "parts-accounts", "movements": "parts-account-movements",
                "returns": "old-parts-due", "ratio": "out-of-warranty-ratio"}[which]  # fmt: skip
        return _export(fmt, name, table)
    links = {
        w: {f: _export_link(request, f, list=w) for f in export.FORMATS} for w in ACCOUNT_LISTS
    }
    return render(
        request,
        "parts/account.html",
        {
            "accounts": selectors.accounts(user, rules=rules),
            "movements": selectors.account_entries(user)[:50],
            "returns": returns[:200],
            "overdue_only": overdue_only,
            "overdue": selectors.overdue_by_technician(user, now=now),
            "ratios": selectors.oow_ratio(user, month=month),
            "month": month or "",
            "links": links,
            "now": now,
        },
    )


@login_required
def old_part_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        try:
            _try(
                request,
                lambda: services.old_part_receive(actor=_user(request), pk=pk, now=timezone.now()),
            )
        except DomainError:
            return _not_found(request)
    return HttpResponseRedirect(reverse("parts:account"))
