"""Printable and exportable outputs: the issue slip PDF (P-2) and every list's export table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import export
from aftersales.core.pdf import Document
from aftersales.domain import parts as rules_mod
from aftersales.domain.parts import PartsRules, RequestStatus
from aftersales.domain.results import ShippedBy

from .models import (
    REQUEST_LABELS,
    SHIPPED_BY_LABELS,
    AccountEntry,
    OldPartReturn,
    PartRequest,
    StockCount,
    StockCountLine,
    StockDoc,
)
from .selectors import on_hand_row, promised_date
from .services import slip_lines

KIND_TITLES = {
    "issue": "Issue slip",
    "receipt": "Receipt",
    "transfer": "Transfer",
    "return": "Return to stock",
    "scrap": "Scrap",
    "adjust": "Count adjustment",
}


def slip_pdf(doc: StockDoc) -> bytes:
    """The slip: one line per part and bin, in walking order, so the keeper goes straight there."""
    title = _(KIND_TITLES.get(doc.kind, doc.kind)) + f" {doc.number}"
    pdf = Document(title)
    pdf.alias_nb_pages()
    pdf.pairs(
        [
            (_("Warehouse"), f"{doc.warehouse.code} {doc.warehouse.name}"),
            (_("Time"), timezone.localtime(doc.at).strftime("%Y-%m-%d %H:%M")),
            (_("Keeper"), str(doc.actor) if doc.actor else ""),
            (_("Order"), doc.order.number if doc.order else ""),
            (_("Issued to"), str(doc.issued_to) if doc.issued_to else ""),
            (_("Note"), doc.note),
        ]
    )
    rows = [[r["bin"], r["part"], r["name"], r["model"], r["qty"]] for r in slip_lines(doc)]
    pdf.grid(
        [_("Bin"), _("Part"), _("Name"), _("Model"), _("Qty")], rows, widths=(30, 30, 70, 35, 15)
    )
    pdf.ln(8)
    pdf.pairs([(_("Issued by"), "________"), (_("Received by"), "________")])
    return pdf.bytes()


# ----------------------------------------------------------------------------- exports
# Every list of the app exports through aftersales.core.export (CSV and XLSX, streamed); each
# table here is (headers, rows) built from the same filtered rows as its page.

Table = tuple[list[str], Iterator[list[Any]]]


def _bin(r: dict[str, Any]) -> str:
    return f"{r['bin__zone']}-{r['bin__shelf']}-{r['bin__level']}-{r['bin__position']}"


def ageing_table(rows: Iterable[dict[str, Any]], *, now: datetime, rules: PartsRules) -> Table:
    """P-5 rows (`selectors.ageing_rows`), oldest first."""
    headers = [_("Part"), _("Name"), _("Warehouse"), _("Bin"), _("Qty"), _("Value"),
               _("Not issued since"), _("Days"), _("Band")]  # fmt: skip
    return headers, (
        [
            r["part__code"],
            r["part__name"],
            r["warehouse__code"],
            _bin(r),
            r["qty"],
            r["qty"] * r["part__unit_cost"],
            r["aged_from"],
            (now - r["aged_from"]).days,
            rules_mod.ageing_band(r["aged_from"], now, rules).value,
        ]
        for r in rows
    )


def ageing_summary_table(summary: list[dict[str, Any]]) -> Table:
    headers = [_("Warehouse"), _("Yellow lines"), _("Yellow qty"), _("Yellow value"),
               _("Red lines"), _("Red qty"), _("Red value")]  # fmt: skip
    keys = ("warehouse", "yellow_lines", "yellow_qty", "yellow_value", "red_lines", "red_qty",
            "red_value")  # fmt: skip
    return headers, ([x[k] for k in keys] for x in summary)


def on_hand_table(rows: Iterable[tuple[Any, ...]], *, now: datetime, rules: PartsRules) -> Table:
    headers = [_("Part"), _("Name"), _("Warehouse"), _("Bin"), _("Area"), _("Qty"),
               _("Not issued since"), _("Band")]  # fmt: skip
    return headers, (
        [x.part, x.name, x.warehouse, x.bin, x.area, x.qty, x.aged_from, x.band.value]
        for x in (on_hand_row(r, now=now, rules=rules) for r in rows)
    )


def requests_table(rows: Iterable[PartRequest]) -> Table:
    headers = [_("Request"), _("Order"), _("Part"), _("Name"), _("Qty"), _("Warehouse"),
               _("Status"), _("Late"), _("Shipped by"), _("Requested by"), _("Requested"),
               _("Promised"), _("Shipped"), _("Received"), _("Issued"), _("Issue slip"),
               _("Fitted")]  # fmt: skip
    return headers, (
        [
            r.pk,
            r.order.number,
            r.part.code,
            r.part.name,
            r.quantity,
            r.warehouse.code,
            REQUEST_LABELS.get(RequestStatus(r.status), r.status),
            r.late,
            SHIPPED_BY_LABELS.get(ShippedBy(r.shipped_by), r.shipped_by),
            r.requested_by.username,
            r.requested_at,
            promised_date(r),
            r.shipped_at,
            r.received_at,
            r.issued_at,
            f"D{r.issue_doc_id:07d}" if r.issue_doc_id else "",
            r.fitted_at,
        ]
        for r in rows
    )


def counts_table(rows: Iterable[StockCount]) -> Table:
    headers = [_("Count"), _("Warehouse"), _("Status"), _("Started"), _("Closed")]
    return headers, ([c.pk, c.warehouse.code, c.status, c.started_at, c.closed_at] for c in rows)


def count_lines_table(rows: Iterable[StockCountLine]) -> Table:
    """P-4 count sheet: book, counted and the variance per bin and part."""
    headers = [_("Bin"), _("Part"), _("Name"), _("Book"), _("Counted"), _("Variance"),
               _("Reason"), _("Approved by"), _("Approved"), _("Adjustment")]  # fmt: skip
    return headers, (
        [
            x.bin.label,
            x.part.code,
            x.part.name,
            x.book_qty,
            x.counted_qty,
            x.variance,
            x.reason,
            x.approved_by.username if x.approved_by else "",
            x.approved_at,
            f"D{x.adjustment_id:07d}" if x.adjustment_id else "",
        ]
        for x in rows
    )


def reorder_table(rows: list[dict[str, Any]]) -> Table:
    headers = [_("Part"), _("Name"), _("On hand"), _("Used (look-back)"), _("Orders"),
               _("Suggested qty"), _("Reason"), _("Frequently failing")]  # fmt: skip
    keys = ("part", "name", "on_hand", "used", "orders", "quantity", "reason",
            "frequently_failing")  # fmt: skip
    return headers, ([r[k] for k in keys] for r in rows)


def accounts_table(rows: list[dict[str, Any]]) -> Table:
    headers = [_("Outlet"), _("Name"), _("Balance"), _("Currency"), _("Below alert")]
    return headers, (
        [a["outlet"], a["name"], a["balance"], a["currency"], a["alert"]] for a in rows
    )


def movements_table(rows: Iterable[AccountEntry]) -> Table:
    """P-7 parts-account movements: purchases, credited old parts, deposits."""
    headers = [_("Outlet"), _("Time"), _("Kind"), _("Amount"), _("Currency"), _("Document"),
               _("By"), _("Note")]  # fmt: skip
    return headers, (
        [
            e.outlet.code,
            e.at,
            e.get_kind_display(),
            e.amount,
            e.currency,
            f"D{e.doc_id:07d}" if e.doc_id else "",
            e.actor.username if e.actor else "",
            e.note,
        ]
        for e in rows
    )


def returns_table(rows: Iterable[OldPartReturn], *, now: datetime) -> Table:
    """P-8 old parts due back (overdue flagged)."""
    headers = [_("Order"), _("Part"), _("Qty"), _("Technician"), _("Value"), _("Due"),
               _("Returned"), _("Overdue")]  # fmt: skip
    return headers, (
        [
            r.order.number,
            r.part.code,
            r.quantity,
            r.technician.username if r.technician else "",
            r.value,
            r.due_at,
            r.returned_at,
            r.returned_at is None and r.due_at < now,
        ]
        for r in rows
    )


def ratio_table(rows: list[dict[str, Any]]) -> Table:
    headers = [_("Outlet"), _("Month"), _("Out of warranty"), _("All parts"), _("Ratio")]
    return headers, (
        [r["outlet"], r["month"], r["oow_value"], r["total_value"], r["ratio"]] for r in rows
    )


def export_rows(fmt: str, path: str, table: Table, *, sheet: str) -> int:
    """The CLI's `--export FILE` (format by the file's extension)."""
    headers, rows = table
    return export.write(fmt, path, headers, rows, sheet=sheet)


def ageing_dicts(
    rows: Iterable[dict[str, Any]], *, now: datetime, rules: PartsRules
) -> list[dict[str, Any]]:
    return [
        {
            "part": r["part__code"],
            "name": r["part__name"],
            "warehouse": r["warehouse__code"],
            "bin": f"{r['bin__zone']}-{r['bin__shelf']}-{r['bin__level']}-{r['bin__position']}",
            "qty": r["qty"],
            "value": str(r["qty"] * r["part__unit_cost"]),
            "aged_from": r["aged_from"].isoformat(),
            "days": (now - r["aged_from"]).days,
            "band": rules_mod.ageing_band(r["aged_from"], now, rules).value,
        }
        for r in rows
    ]
