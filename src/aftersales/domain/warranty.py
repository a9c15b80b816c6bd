"""W-1: is a product in warranty on a day, and why. Pure: the term and any extension are
passed in (the warranty app reads them from its editable terms table)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class WarrantyVerdict:
    in_warranty: bool
    reason: str  # no_purchase_date | within_term | extended | expired
    ends: date | None


def add_months(d: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (29 Feb + 12 → 28 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def warranty_verdict(
    *,
    purchase_date: date | None,
    on: date,
    term_months: int,
    extended_until: date | None = None,
) -> WarrantyVerdict:
    """In warranty through the last day of the term (purchase + term − 1 day), or through an
    extension's last day. Without proof of purchase the product is out of warranty."""
    if purchase_date is None:
        return WarrantyVerdict(False, "no_purchase_date", None)
    ends = add_months(purchase_date, term_months)
    if on < ends:
        return WarrantyVerdict(True, "within_term", ends)
    if extended_until is not None and on <= extended_until:
        return WarrantyVerdict(True, "extended", extended_until)
    return WarrantyVerdict(False, "expired", max(ends, extended_until or ends))
