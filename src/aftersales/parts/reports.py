"""Printable and exportable outputs: the issue slip PDF (P-2) and the ageing XLSX (P-5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from aftersales.core.pdf import Document
from aftersales.domain import parts as rules_mod
from aftersales.domain.parts import PartsRules

from .models import StockDoc
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


AGEING_HEADERS = (
    "part",
    "name",
    "warehouse",
    "bin",
    "qty",
    "value",
    "not issued since",
    "days",
    "band",
)


def _naive(dt: datetime) -> datetime:
    return timezone.localtime(dt).replace(tzinfo=None)


def write_ageing_xlsx(
    rows: Iterable[dict[str, Any]], out: IO[bytes] | str, *, now: datetime, rules: PartsRules
) -> int:
    """Stream the ageing rows into a write-only workbook (memory stays flat)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("ageing")
    ws.append(list(AGEING_HEADERS))
    n = 0
    for r in rows:
        aged = r["aged_from"]
        ws.append(
            [
                r["part__code"],
                r["part__name"],
                r["warehouse__code"],
                f"{r['bin__zone']}-{r['bin__shelf']}-{r['bin__level']}-{r['bin__position']}",
                r["qty"],
                r["qty"] * r["part__unit_cost"],
                _naive(aged),
                (now - aged).days,
                rules_mod.ageing_band(aged, now, rules).value,
            ]
        )
        n += 1
    wb.save(out)
    return n


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
