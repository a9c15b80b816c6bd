"""W-1 … W-3: is a product in warranty on a day and why; who pays for what; money with its
currency's decimals; the "three guarantees" (三包) eligibility for a return or an exchange.

Pure: the terms, the charge rules and the three-guarantees numbers are passed in (the warranty
app reads them from its editable tables)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from .errors import DomainError


@dataclass(frozen=True, slots=True)
class WarrantyVerdict:
    in_warranty: bool
    reason: str  # no_purchase_date | within_term | extended | expired
    ends: date | None
    # How the verdict was reached (shown next to it): the term used and where it came from.
    term_months: int | None = None
    term_basis: str = ""  # model | category | default
    purchase_date: date | None = None


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
    term_basis: str = "",
) -> WarrantyVerdict:
    """In warranty through the last day of the term (purchase + term − 1 day), or through an
    extension's last day. Without proof of purchase the product is out of warranty."""
    if purchase_date is None:
        return WarrantyVerdict(False, "no_purchase_date", None, term_months, term_basis, None)
    ends = add_months(purchase_date, term_months)
    if on < ends:
        return WarrantyVerdict(True, "within_term", ends, term_months, term_basis, purchase_date)
    if extended_until is not None and on <= extended_until:
        return WarrantyVerdict(
            True, "extended", extended_until, term_months, term_basis, purchase_date
        )
    return WarrantyVerdict(
        False,
        "expired",
        max(ends, extended_until or ends),
        term_months,
        term_basis,
        purchase_date,
    )


@dataclass(frozen=True, slots=True)
class Term:
    """A row of the terms table: a category, optionally narrowed to one model."""

    category: str
    model: str  # "" = every model of the category
    months: int


def term_for(
    terms: Iterable[Term], *, category: str, model: str, default_months: int
) -> tuple[int, str]:
    """W-1: the model's own term beats its category's, which beats the network default."""
    by_category = None
    for t in terms:
        if t.category != category:
            continue
        if t.model and model and t.model.casefold() == model.casefold():
            return t.months, "model"
        if not t.model:
            by_category = t.months
    if by_category is not None:
        return by_category, "category"
    return default_months, "default"


# --- Money ---------------------------------------------------------------------------------


def check_money(value: Decimal, *, decimals: int, currency: str, field: str) -> Decimal:
    """A price in `currency`: never negative, never more decimals than the currency has
    (KRW has none: 1,000.5 won is refused, not rounded)."""
    try:
        exponent = value.as_tuple().exponent
    except (InvalidOperation, AttributeError):
        raise DomainError("validation", "Not an amount.", fields={field: "not an amount"}) from None
    if not isinstance(exponent, int) or not value.is_finite():
        raise DomainError("validation", "Not an amount.", fields={field: "not an amount"})
    if value < 0:
        raise DomainError(
            "negative_amount",
            "Amounts cannot be negative.",
            fields={field: "negative"},
        )
    normalised = value.normalize() if value != 0 else Decimal(0)
    exp = normalised.as_tuple().exponent
    if isinstance(exp, int) and -exp > decimals:
        raise DomainError(
            "too_many_decimals",
            f"{currency} amounts have at most {decimals} decimal places; got {value}.",
            fields={field: f"at most {decimals} decimals"},
            currency=currency,
            decimals=decimals,
        )
    return value.quantize(Decimal(1).scaleb(-decimals))


# --- Charges (W-2) -------------------------------------------------------------------------


class Coverage(StrEnum):
    IN_WARRANTY = "in_warranty"  # normal use
    MISUSE = "misuse"  # in warranty, misuse or abnormal cause
    OUT_OF_WARRANTY = "out_of_warranty"


class PartBasis(StrEnum):
    FREE = "free"
    COST = "cost"
    LIST = "list"  # the published price list shown to the customer


class LineKind(StrEnum):
    PART = "part"
    LABOUR = "labour"
    TRAVEL = "travel"


@dataclass(frozen=True, slots=True)
class ChargeRule:
    """A row of the charge policy table."""

    coverage: Coverage
    parts: PartBasis
    labour_fee: Decimal  # per job; 0 = no labour fee (this network's rule out of warranty)
    service_fee: Decimal  # 0 = no service fee
    travel_charged: bool
    quote_required: bool


def coverage_of(verdict: WarrantyVerdict, *, misuse: bool) -> Coverage:
    if not verdict.in_warranty:
        return Coverage.OUT_OF_WARRANTY
    return Coverage.MISUSE if misuse else Coverage.IN_WARRANTY


@dataclass(frozen=True, slots=True)
class Line:
    kind: LineKind
    description: str
    quantity: Decimal
    unit_price: Decimal


def price_part(rule: ChargeRule, *, cost: Decimal, list_price: Decimal) -> Decimal:
    if rule.parts == PartBasis.FREE:
        return Decimal(0)
    return cost if rule.parts == PartBasis.COST else list_price


def check_lines(
    rule: ChargeRule, lines: Sequence[Line], *, decimals: int, currency: str
) -> Decimal:
    """W-2: a quote's lines under the coverage's rule; returns the total.

    Refused: no lines, a negative quantity or price, more decimals than the currency has,
    labour above the rule's fee, travel where the rule charges none."""
    if not lines:
        raise DomainError(
            "quote_empty", "A quote needs at least one line.", fields={"lines": "empty"}
        )
    total = labour = Decimal(0)
    cap = rule.labour_fee + rule.service_fee
    for i, line in enumerate(lines):
        if line.quantity <= 0:
            raise DomainError(
                "negative_line",
                "A quote line's quantity must be above zero.",
                fields={f"lines.{i}.quantity": "must be > 0"},
            )
        if line.unit_price < 0:
            raise DomainError(
                "negative_line",
                "A quote line cannot be negative.",
                fields={f"lines.{i}.unit_price": "negative"},
            )
        price = check_money(
            line.unit_price, decimals=decimals, currency=currency, field=f"lines.{i}.unit_price"
        )
        if line.kind == LineKind.LABOUR:
            labour += price * line.quantity
            if labour > cap:
                raise DomainError(
                    "labour_not_charged",
                    f"The charge policy allows at most {cap} labour and service fee here.",
                    fields={f"lines.{i}.unit_price": f"labour at most {cap}"},
                )
        if line.kind == LineKind.TRAVEL and price > 0 and not rule.travel_charged:
            raise DomainError(
                "travel_not_charged",
                "The charge policy charges no travel for this coverage.",
                fields={f"lines.{i}.unit_price": "must be 0"},
            )
        if line.kind == LineKind.PART and price > 0 and rule.parts == PartBasis.FREE:
            raise DomainError(
                "parts_free",
                "Parts are free for this coverage.",
                fields={f"lines.{i}.unit_price": "must be 0"},
            )
        total += price * line.quantity
    return total.quantize(Decimal(1).scaleb(-decimals))


# --- Three guarantees (W-3) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThreeGuarantees:
    return_days: int = 7  # performance fault within 7 days: return or exchange
    exchange_days: int = 15  # within 15 days: exchange
    repairs_for_exchange: int = 2  # in warranty, after N repairs of the same fault: exchange


@dataclass(frozen=True, slots=True)
class Eligibility:
    options: tuple[str, ...]  # subset of ("return", "exchange")
    reason: str  # no_purchase_date | within_return_days | within_exchange_days |
    # repeated_repairs | not_eligible
    days: int | None


def eligibility(
    *,
    purchase_date: date | None,
    fault_on: date,
    performance_fault: bool,
    in_warranty: bool,
    same_fault_repairs: int,
    rules: ThreeGuarantees,
) -> Eligibility:
    if purchase_date is None:
        return Eligibility((), "no_purchase_date", None)
    days = (fault_on - purchase_date).days
    if performance_fault and 0 <= days <= rules.return_days:
        return Eligibility(("return", "exchange"), "within_return_days", days)
    if performance_fault and 0 <= days <= rules.exchange_days:
        return Eligibility(("exchange",), "within_exchange_days", days)
    if in_warranty and same_fault_repairs >= rules.repairs_for_exchange:
        return Eligibility(("exchange",), "repeated_repairs", days)
    return Eligibility((), "not_eligible", days)
