"""Printable quote, invoice and month-end statement (aftersales.core.pdf.Document)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.pdf import Document

from .models import ChargeRule, PenaltyEntry, Quote

COVERAGE = dict(ChargeRule.COVERAGES)


def quote_pdf(q: Quote, *, invoice: bool = False) -> bytes:
    title = _("Invoice") if invoice else _("Quote")
    doc = Document(f"{title} {q.number}")
    order = q.order
    doc.pairs(
        [
            (_("Order"), order.number),
            (_("Customer"), order.contact_name),
            (
                _("Product"),
                f"{order.category} {order.product.brand} {order.product.model} {order.product.serial}",
            ),
            (_("Coverage"), str(COVERAGE.get(q.coverage, q.coverage))),
            (
                _("Date"),
                timezone.localtime(
                    q.decided_at if invoice and q.decided_at else q.created_at
                ).strftime("%Y-%m-%d"),
            ),
            (_("Status"), q.get_status_display()),
        ]
    )
    doc.grid(
        [_("Kind"), _("Description"), _("Quantity"), _("Unit price"), _("Amount")],
        [
            [ln.get_kind_display(), ln.description, ln.quantity, ln.unit_price, ln.amount]
            for ln in q.lines.all()
        ],
        widths=[20, 80, 20, 30, 30],
    )
    doc.ln(2)
    doc.pairs([(_("Total"), f"{q.total} {q.currency}")])
    if not invoice:
        doc.ln(4)
        doc.multi_cell(
            0,
            6,
            _(
                "Parts are charged per the published price list shown to the customer. Customer's signature:"
            ),
        )
    return doc.bytes()


def statement_pdf(card: dict[str, Any]) -> bytes:
    person = card["person"]
    doc = Document(
        _("Monthly statement %(month)s — %(name)s") % {"month": card["month"], "name": person}
    )
    f = card["figures"]
    t = f.get("timely", {})

    def pct(v: Any) -> str:
        return "—" if v is None else f"{v} %"

    doc.pairs(
        [
            (_("Jobs"), f.get("jobs")),
            (_("On-time rate"), pct(f.get("on_time_rate"))),
            (_("Closed within SLA"), pct(f.get("within_sla_rate"))),
            (_("Repeat repairs"), f.get("repeat_repairs")),
            (_("Satisfaction"), pct(f.get("satisfaction"))),
            (_("Complaints (at fault)"), f"{card['complaints']} ({card['complaints_at_fault']})"),
            (_("Commission"), f"{card['commission']} {card['currency']}"),
            (_("Rewards"), f"{card['rewards']} {card['currency']}"),
            (_("Penalties"), f"{card['penalties']} {card['currency']}"),
            (_("Earnings"), f"{card['earnings']} {card['currency']}"),
            (_("Status"), _("closed") if card.get("closed") else _("draft")),
        ]
    )
    doc.grid(
        [_("Accept"), _("Contact"), _("Arrive"), _("Parts"), _("Leftovers"), _("Close")],
        [[pct(t.get(k)) for k in ("accept", "contact", "arrive", "parts", "leftovers", "close")]],
    )
    entries = PenaltyEntry.objects.filter(person=person, month=card["month"]).select_related("rule")
    if entries:
        doc.grid(
            [_("Date"), _("Rule"), _("Amount"), _("Evidence")],
            [
                [
                    timezone.localtime(e.at).strftime("%m-%d"),
                    e.rule.name,
                    f"{'-' if e.kind == 'penalty' else '+'}{e.amount}",
                    e.evidence,
                ]
                for e in entries
            ],
            widths=[18, 50, 22, 90],
        )
    return doc.bytes()
