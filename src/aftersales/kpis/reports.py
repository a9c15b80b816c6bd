"""K-1 monthly (and yearly) after-sales report and product-quality report, and C-9: the
supervisor's summary archived with them. Generated once as PDF and XLSX, stored with the
figures and a SHA-256; reopening a past month serves the stored bytes unchanged."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from aftersales.accounts.models import User
from aftersales.core.export import cell
from aftersales.core.pdf import Document
from aftersales.domain import kpis as rules
from aftersales.domain.errors import DomainError, conflict
from aftersales.orders.selectors import sees_whole_network

from . import selectors as sel
from .models import Report

SUMMARY_MAX = 20000
# The report's per-outlet and per-technician tables show these figures.
TABLE_KPIS = (
    "orders_received",
    "sla_compliance",
    "assessed_hours",
    "multiple_contacts",
    "repeat_repair",
    "csi",
    "first_time_fix",
    "timely_arrive",
    "backlog_3d",
)
QUALITY_ROWS = 200


def system_reader() -> User:
    """The CLI's reader (no person signed in): sees the whole network, writes nothing."""
    return User(username="system", roles=["admin"])


def report_data(
    actor: User, kind: str, period: str, outlet: str | None, *, now: datetime
) -> dict[str, Any]:
    """The figures of a past month or year, for the whole network or one outlet."""
    from aftersales.warranty.presenters import quality_rows

    p = rules.report_period(kind, period, today=sel.local_today(now))
    params = {"outlet": outlet or ""}
    f = sel.parse_filters(actor, params, now=now)
    f = sel.Filters(p, f.outlet, "", "", None)
    data = sel.compute(actor, f, now=now)
    c = sel.ctx_of(f, now)
    done = sel.filtered_orders(actor, f).filter(completed_at__gte=c.start, completed_at__lt=c.end)
    quality = quality_rows(done)
    return {
        "kind": kind,
        "period": p.label,
        "outlet": f.outlet.code if f.outlet else None,
        "outlet_name": f.outlet.name if f.outlet else None,
        "generated_at": now.isoformat(),
        "currency": sel.currency(),
        "figures": data["figures"],
        "by_outlet": data["by_outlet"],
        "by_technician": data["by_technician"],
        "trend": data["trend"],
        "quality": quality[:QUALITY_ROWS],
        "quality_rows": len(quality),
    }


def _value(fig: dict[str, Any]) -> str:
    if fig["no_data"]:
        return _("no data")
    unit = fig.get("currency") if fig["unit"] == "money" else fig["unit"]
    return f"{fig['value']} {unit or ''}".strip()


def _target(fig: dict[str, Any]) -> str:
    t = fig["target"]
    return f"{t['comparison']} {t['value']}" if t else ""


def _scope(data: dict[str, Any]) -> str:
    return data["outlet_name"] or data["outlet"] or _("Whole network")


def title_of(data: dict[str, Any]) -> str:
    if data["kind"] == "yearly":
        return _("Yearly after-sales report %(period)s") % {"period": data["period"]}
    return _("Monthly after-sales report %(period)s") % {"period": data["period"]}


def render_pdf(data: dict[str, Any], summary: str, version: int) -> bytes:
    doc = Document(title_of(data))
    doc.pairs(
        [
            (_("Outlet"), _scope(data)),
            (_("Version"), version),
            (_("Generated"), data["generated_at"][:16].replace("T", " ")),
        ]
    )
    doc.ln(2)
    doc.set_font("cjk", style="B", size=12)
    doc.cell(0, 8, _("Indicators"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=9)
    doc.grid(
        [_("Rule"), _("Indicator"), _("Value"), _("Target"), _("Status")],
        [[f["rule"], f["label"], _value(f), _target(f), f["band"]] for f in data["figures"]],
        widths=[20, 70, 40, 25, 25],
    )
    if data["by_outlet"]:
        doc.ln(4)
        doc.set_font("cjk", style="B", size=12)
        doc.cell(0, 8, _("Per outlet"), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("cjk", size=7)
        doc.grid(
            [_("Outlet"), *TABLE_KPIS],
            [
                [o["outlet"], *[o["figures"][k]["value"] or "–" for k in TABLE_KPIS]]
                for o in data["by_outlet"]
            ],
        )
    doc.ln(4)
    doc.set_font("cjk", style="B", size=12)
    doc.cell(0, 8, _("Product quality (W-5)"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=8)
    if data["quality"]:
        doc.grid(
            [_("Category"), _("Model"), _("Part"), _("Fault code"), _("Cause"), _("Count")],
            [
                [q["category"], q["model"], q["part"], q["fault_code"], q["cause"], q["count"]]
                for q in data["quality"][:40]
            ],
        )
    else:
        doc.multi_cell(0, 6, _("No completed repairs in the period."), new_x="LMARGIN")
    doc.ln(4)
    doc.set_font("cjk", style="B", size=12)
    doc.cell(0, 8, _("Supervisor's summary (C-9)"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=10)
    doc.multi_cell(0, 6, summary or _("No summary written."), new_x="LMARGIN")
    return doc.bytes()


def render_xlsx(data: dict[str, Any], summary: str, version: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Figures")[:31])
    ws.append([title_of(data)])
    ws.append(
        [_("Outlet"), _scope(data), _("Version"), version, _("Generated"), data["generated_at"]]
    )
    ws.append(["id", "rule", "indicator", "value", "unit", "numerator", "denominator", "target", "status", "definition"])  # fmt: skip
    for f in data["figures"]:
        ws.append(
            [
                f["id"],
                f["rule"],
                f["label"],
                cell(f["value"]),
                f["currency"] if f["unit"] == "money" else f["unit"],
                cell(f["numerator"]),
                cell(f["denominator"]),
                _target(f),
                f["band"],
                f["definition"],
            ]
        )
    for sheet, key, who in (
        (_("Outlets"), "by_outlet", "outlet"),
        (_("Technicians"), "by_technician", "technician"),
    ):
        ws = wb.create_sheet(sheet[:31])
        ws.append([who, *TABLE_KPIS])
        for row in data[key]:
            ws.append([row[who], *[cell(row["figures"][k]["value"]) for k in TABLE_KPIS]])
    ws = wb.create_sheet(_("Quality")[:31])
    ws.append(["category", "model", "part", "fault_code", "cause", "count"])
    for q in data["quality"]:
        ws.append([q["category"], q["model"], q["part"], q["fault_code"], q["cause"], q["count"]])
    ws = wb.create_sheet(_("Summary")[:31])
    for line in (summary or "").splitlines() or [""]:
        ws.append([line])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def digest(figures: dict[str, Any], summary: str, pdf: bytes, xlsx: bytes) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(figures, sort_keys=True, default=str).encode())
    h.update(b"\0" + summary.encode() + b"\0")
    h.update(pdf)
    h.update(b"\0")
    h.update(xlsx)
    return h.hexdigest()


def report_archive(
    *,
    actor: User | None,
    kind: str,
    period: str,
    outlet: str | None,
    summary: str | None,
    now: datetime,
) -> Report:
    """Generate and archive a new version of the report (C-9: with the summary). A summary
    left out carries the previous version's; an archived version is never changed."""
    reader = actor or system_reader()
    if actor is not None:
        sel.require_viewer(actor)
        if not actor.role_set & sel.WRITERS:
            raise DomainError(
                "forbidden", "Only supervisors and managers archive reports.", status=403
            )
        if not outlet and not sees_whole_network(actor):
            outlet = actor.outlet.code if actor.outlet else None
    if summary is not None and len(summary) > SUMMARY_MAX:
        raise DomainError(
            "validation",
            f"A summary is at most {SUMMARY_MAX} characters.",
            fields={"summary": f"≤ {SUMMARY_MAX}"},
        )
    data = report_data(reader, kind, period, outlet, now=now)
    scope = data["outlet"] or "*"
    latest = (
        Report.objects.filter(kind=kind, period=data["period"], scope=scope)
        .order_by("-version")
        .first()
    )
    text = (summary if summary is not None else (latest.summary if latest else "")).strip()
    version = (latest.version if latest else 0) + 1
    pdf = render_pdf(data, text, version)
    xlsx = render_xlsx(data, text, version)
    from aftersales.accounts.models import Outlet

    try:
        with transaction.atomic():
            top = Report.objects.filter(kind=kind, period=data["period"], scope=scope).aggregate(
                v=Max("version")
            )["v"]
            if (top or 0) + 1 != version:
                raise conflict("report_changed", "Someone archived this report meanwhile; reload.")
            return Report.objects.create(
                kind=kind,
                period=data["period"],
                outlet=Outlet.objects.filter(code=data["outlet"]).first()
                if data["outlet"]
                else None,
                scope=scope,
                version=version,
                figures=data,
                summary=text,
                pdf=pdf,
                xlsx=xlsx,
                sha256=digest(data, text, pdf, xlsx),
                created_at=now,
                created_by=actor,
            )
    except IntegrityError:
        raise conflict(
            "report_changed", "Someone archived this report meanwhile; reload."
        ) from None


def verify(report: Report) -> bool:
    """The stored bytes still match their hash (shown on the page)."""
    return report.sha256 == digest(
        report.figures, report.summary, bytes(report.pdf), bytes(report.xlsx)
    )


def local_now() -> datetime:
    return timezone.now()
