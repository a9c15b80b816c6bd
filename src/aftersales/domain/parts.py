"""Spare parts rules (P-1…P-10, O-13 request lifecycle): pure, time passed in.

The database keeps the editable numbers in parts.PartsPolicy; services pass this module's
`PartsRules` mirror, so the rules can be tested without Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from .errors import DomainError, conflict


@dataclass(frozen=True)
class PartsRules:
    # P-8: the old part of an in-warranty replacement is returned within this many days of close.
    return_due_days: int = 3
    # P-5: not issued for this many days → yellow, → red (slow-moving).
    ageing_yellow_days: int = 30
    ageing_red_days: int = 90
    # P-7: an outlet's parts account below this amount raises an alert.
    account_alert: Decimal = Decimal("5000")
    currency: str = "CNY"
    # P-6: the suggestion looks back this many days and covers this many days of use.
    reorder_lookback_days: int = 90
    reorder_cover_days: int = 30
    # P-6: a part issued on at least this many orders in the look-back is "frequently failing".
    failing_min_orders: int = 5


DEFAULT_RULES = PartsRules()


class MoveKind(StrEnum):
    RECEIPT = "receipt"
    ISSUE = "issue"
    RETURN = "return"  # an unused part back into stock
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUST = "adjust"  # P-4 count variance, approved
    SCRAP = "scrap"


# Kinds that take stock out (negative quantity) and that put it in (positive).
OUT_KINDS = frozenset({MoveKind.ISSUE, MoveKind.TRANSFER_OUT, MoveKind.SCRAP})
IN_KINDS = frozenset({MoveKind.RECEIPT, MoveKind.RETURN, MoveKind.TRANSFER_IN})


def check_quantity(qty: object, field: str = "quantity") -> int:
    """A movement's quantity: a whole number ≥ 1."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
        raise DomainError(
            "bad_quantity",
            "A quantity is a whole number of at least 1.",
            fields={field: "at least 1"},
        )
    if qty > 1_000_000:
        raise DomainError(
            "bad_quantity", "A quantity is at most 1,000,000.", fields={field: "too large"}
        )
    return qty


def insufficient(part: str, wanted: int, available: int) -> DomainError:
    return conflict(
        "insufficient_stock",
        f"Not enough stock of {part}: {wanted} wanted, {available} on hand.",
        part=part,
        wanted=wanted,
        available=available,
    )


@dataclass(frozen=True)
class Lot:
    """A receipt lot with what is left of it, in the bin it lies in."""

    id: int
    bin_id: int
    received_at: datetime
    left: int


def fifo_take(lots: Iterable[Lot], qty: int, *, part: str = "") -> list[tuple[Lot, int]]:
    """P-3: the oldest lots first (receipt time, then id); refuse when they do not suffice."""
    ordered = sorted((lot for lot in lots if lot.left > 0), key=lambda x: (x.received_at, x.id))
    out: list[tuple[Lot, int]] = []
    need = qty
    for lot in ordered:
        if need == 0:
            break
        take = min(lot.left, need)
        out.append((lot, take))
        need -= take
    if need:
        raise insufficient(part, qty, qty - need)
    return out


class Band(StrEnum):
    FRESH = "fresh"
    YELLOW = "yellow"
    RED = "red"


def ageing_band(aged_from: datetime | None, now: datetime, rules: PartsRules) -> Band:
    """P-5: days since the last issue (or, never issued, since the stock came in)."""
    if aged_from is None:
        return Band.FRESH
    days = (now - aged_from).days
    if days >= rules.ageing_red_days:
        return Band.RED
    if days >= rules.ageing_yellow_days:
        return Band.YELLOW
    return Band.FRESH


def ageing_cutoffs(now: datetime, rules: PartsRules) -> tuple[datetime, datetime]:
    """The `aged_from` instants before which a row is yellow and red."""
    return (
        now - timedelta(days=rules.ageing_yellow_days),
        now - timedelta(days=rules.ageing_red_days),
    )


@dataclass(frozen=True)
class ReorderFacts:
    on_hand: int
    used: int  # issued in the look-back window
    orders: int  # distinct orders it was issued on in the window
    min_qty: int | None = None
    max_qty: int | None = None
    reorder_point: int | None = None
    reorder_qty: int | None = None


@dataclass(frozen=True)
class Suggestion:
    quantity: int
    reason: str  # below_min | reorder_point | usage
    frequently_failing: bool


def reorder_suggestion(f: ReorderFacts, rules: PartsRules) -> Suggestion | None:
    """P-6: order up to max (or the reorder quantity) when at/below the reorder point or below
    min; without a rule, cover `reorder_cover_days` of the look-back's average use."""
    failing = f.orders >= rules.failing_min_orders
    cover = math.ceil(f.used * rules.reorder_cover_days / max(rules.reorder_lookback_days, 1))
    reason = ""
    if f.min_qty is not None and f.on_hand < f.min_qty:
        reason = "below_min"
    elif f.reorder_point is not None and f.on_hand <= f.reorder_point:
        reason = "reorder_point"
    elif f.min_qty is None and f.reorder_point is None and cover and f.on_hand < cover:
        reason = "usage"
    if not reason:
        return None
    if f.max_qty is not None:
        target = max(f.max_qty, cover)
        qty = target - f.on_hand
    elif f.reorder_qty is not None:
        qty = max(f.reorder_qty, cover - f.on_hand)
    else:
        qty = max(cover, f.min_qty or 0, (f.reorder_point or 0) + 1) - f.on_hand
    if qty <= 0:
        return None
    return Suggestion(qty, reason, failing)


def return_due(closed_at: datetime, rules: PartsRules) -> datetime:
    """P-8: the old part is back within `return_due_days` of the order's close."""
    return closed_at + timedelta(days=rules.return_due_days)


def account_alert(balance: Decimal, rules: PartsRules) -> bool:
    """P-7: below the alert amount (5,000 by default)."""
    return balance < rules.account_alert


def oow_ratio(oow_value: Decimal, total_value: Decimal) -> Decimal | None:
    """P-9: out-of-warranty parts value / all used parts value, 4 places; None if nothing used."""
    if total_value <= 0:
        return None
    return (oow_value / total_value).quantize(Decimal("0.0001"))


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


class RequestStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    SHIPPED = "shipped"
    RECEIVED = "received"
    ISSUED = "issued"
    FITTED = "fitted"
    CANCELLED = "cancelled"


R = RequestStatus
# O-13 request lifecycle: action → {from: to}.
REQUEST_TRANSITIONS: dict[str, dict[RequestStatus, RequestStatus]] = {
    "approve": {R.REQUESTED: R.APPROVED},
    "ship": {R.APPROVED: R.SHIPPED},
    "receive": {R.SHIPPED: R.RECEIVED},
    "issue": {R.RECEIVED: R.ISSUED},
    "fit": {R.ISSUED: R.FITTED},
    "cancel": {R.REQUESTED: R.CANCELLED, R.APPROVED: R.CANCELLED},
}


def request_next(status: RequestStatus, action: str) -> RequestStatus:
    table = REQUEST_TRANSITIONS.get(action)
    if table is None:
        raise DomainError(
            "unknown_action",
            f"Unknown request action {action!r}; one of: {', '.join(REQUEST_TRANSITIONS)}.",
            status=404,
        )
    if status not in table:
        allowed = [a for a, t in REQUEST_TRANSITIONS.items() if status in t]
        raise conflict(
            "illegal_request_transition",
            f"Cannot {action} a request that is {status.value}; allowed: "
            f"{', '.join(allowed) or 'none'}.",
            action=action,
            current=status.value,
        )
    return table[status]


@dataclass(frozen=True)
class CountLineFacts:
    book: int
    counted: int | None
    approved: bool


def count_close_problems(lines: Sequence[CountLineFacts]) -> tuple[int, int]:
    """P-4: (lines not counted, variances not approved). Closing needs both zero."""
    uncounted = sum(1 for x in lines if x.counted is None)
    unapproved = sum(
        1 for x in lines if x.counted is not None and x.counted != x.book and not x.approved
    )
    return uncounted, unapproved


# Code 39 for the printable label (P-1): each symbol is 9 elements, 1 = wide.
_C39 = {
    "0": "000110100", "1": "100100001", "2": "001100001", "3": "101100000",
    "4": "000110001", "5": "100110000", "6": "001110000", "7": "000100101",
    "8": "100100100", "9": "001100100", "A": "100001001", "B": "001001001",
    "C": "101001000", "D": "000011001", "E": "100011000", "F": "001011000",
    "G": "000001101", "H": "100001100", "I": "001001100", "J": "000011100",
    "K": "100000011", "L": "001000011", "M": "101000010", "N": "000010011",
    "O": "100010010", "P": "001010010", "Q": "000000111", "R": "100000110",
    "S": "001000110", "T": "000010110", "U": "110000001", "V": "011000001",
    "W": "111000000", "X": "010010001", "Y": "110010000", "Z": "011010000",
    "-": "010000101", ".": "110000100", " ": "011000100", "*": "010010100",
    "$": "010101000", "/": "010100010", "+": "010001010", "%": "000101010",
}  # fmt: skip


def code39_bars(value: str) -> list[tuple[int, int]]:
    """(x, width) of each black bar in narrow units for `*VALUE*`; refuses other characters."""
    text = value.upper()
    bad = sorted({c for c in text if c not in _C39 or c == "*"})
    if bad:
        raise DomainError(
            "barcode_charset",
            "A Code 39 label takes 0-9, A-Z, space and - . $ / + %.",
            fields={"barcode": "".join(bad)},
        )
    x = 0
    bars: list[tuple[int, int]] = []
    for ch in f"*{text}*":
        for i, wide in enumerate(_C39[ch]):
            w = 3 if wide == "1" else 1
            if i % 2 == 0:
                bars.append((x, w))
            x += w
        x += 1  # inter-character gap
    return bars
