"""K-1/K-2 indicators: the arithmetic every figure shares, the traffic light against its
target, and the reporting period. Pure: no Django, time passed in.

What each figure counts (which orders, which condition) is in `aftersales.kpis.indicators`,
one documented function per indicator; this module turns counts into a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .errors import DomainError

# A period longer than this is refused (a dashboard over years is a report, not a page).
MAX_PERIOD_DAYS = 366

GREEN, AMBER, RED, NO_TARGET, NO_DATA = "green", "amber", "red", "none", "no_data"
COMPARISONS = (">=", ">", "<=", "<")


@dataclass(frozen=True, slots=True)
class Target:
    """A figure's target: `value` passes when `figure <comparison> target`; a figure that
    misses by no more than `amber` is amber, further is red."""

    value: Decimal
    comparison: str = ">="
    amber: Decimal = Decimal(0)


def percent(hits: int, total: int) -> Decimal | None:
    """hits / total × 100, one decimal; None (no data) when nothing was counted."""
    if total <= 0:
        return None
    return (Decimal(100) * hits / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def mean(total: Decimal | int | float | None, n: int, places: str = "0.01") -> Decimal | None:
    """total / n, rounded; None when n is 0."""
    if n <= 0 or total is None:
        return None
    return (Decimal(str(total)) / n).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole × 100 (money ratios, P-9), one decimal; None when whole is 0."""
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def passes(value: Decimal, target: Target) -> bool:
    c, t = target.comparison, target.value
    if c == ">=":
        return value >= t
    if c == ">":
        return value > t
    if c == "<=":
        return value <= t
    if c == "<":
        return value < t
    raise ValueError(f"unknown comparison {c!r}")


def band(value: Decimal | None, target: Target | None) -> str:
    """green: meets the target; amber: misses it by at most the amber margin; red: further.
    `no_data` when there is no value, `none` when the figure has no target."""
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    if passes(value, target):
        return GREEN
    gap = abs(value - target.value)
    return AMBER if gap <= target.amber else RED


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) in local days; `label` is what the page and the report print."""

    start: date
    end: date  # exclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def elapsed_days(self, today: date) -> int:
        """Days of the period up to and including today (orders per day of a running month)."""
        last = min(self.end, today + timedelta(days=1))
        return max((last - self.start).days, 0)


def _bad(code: str, message: str, **fields: str) -> DomainError:
    return DomainError(code, message, fields=fields)


def month_period(month: str, *, today: date) -> Period:
    """ "2026-10" → October 2026. A month after the current one is refused."""
    try:
        if len(month) != 7 or month[4] != "-":
            raise ValueError
        y, m = int(month[:4]), int(month[5:])
        first = date(y, m, 1)
    except (ValueError, TypeError):
        raise _bad("validation", "A month is YYYY-MM.", month="YYYY-MM") from None
    nxt = date(y + (m == 12), 1 if m == 12 else m + 1, 1)
    if first > today:
        raise _bad("period_in_future", f"{month} has not begun yet.", month="future")
    return Period(first, nxt, month)


def year_period(year: str, *, today: date) -> Period:
    try:
        if len(year) != 4:
            raise ValueError
        y = int(year)
        first = date(y, 1, 1)
    except (ValueError, TypeError):
        raise _bad("validation", "A year is YYYY.", year="YYYY") from None
    if first > today:
        raise _bad("period_in_future", f"{year} has not begun yet.", year="future")
    return Period(first, date(y + 1, 1, 1), year)


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (ValueError, TypeError):
        raise _bad("validation", "A day is YYYY-MM-DD.", **{field: "YYYY-MM-DD"}) from None


def range_period(start: str, end: str, *, today: date) -> Period:
    """From `start` to `end`, both days included."""
    a, b = _day(start, "from"), _day(end, "to")
    if b < a:
        raise _bad("period_reversed", "The period ends before it starts.", to="before from")
    if a > today:
        raise _bad("period_in_future", "The period has not begun yet.", **{"from": "future"})
    if (b - a).days + 1 > MAX_PERIOD_DAYS:
        raise _bad(
            "period_too_long",
            f"A period is at most {MAX_PERIOD_DAYS} days; use the yearly report.",
            to=f"≤ {MAX_PERIOD_DAYS} days",
        )
    return Period(a, b + timedelta(days=1), f"{a.isoformat()}…{b.isoformat()}")


def period_of(*, month: str | None, start: str | None, end: str | None, today: date) -> Period:
    """The period a filter names: a month, or a from/to range; the current month by default."""
    if start or end:
        if month:
            raise _bad(
                "validation", "Give a month or a from/to range, not both.", month="or from/to"
            )
        if not (start and end):
            missing = "to" if start else "from"
            raise _bad("validation", "A range needs both from and to.", **{missing: "required"})
        return range_period(start, end, today=today)
    return month_period(month or f"{today.year:04d}-{today.month:02d}", today=today)


def report_period(kind: str, period: str, *, today: date) -> Period:
    """The period of an archived report: a month (`monthly`) or a year (`yearly`) that is
    over. Archiving a running month would freeze figures that are still moving."""
    if kind == "monthly":
        p = month_period(period, today=today)
    elif kind == "yearly":
        p = year_period(period, today=today)
    else:
        raise _bad("validation", "A report is monthly or yearly.", kind="monthly|yearly")
    if p.end > today:
        raise DomainError(
            "period_not_over",
            f"{p.label} is not over yet; its report is archived once it is.",
            fields={"period": "not over"},
            status=409,
        )
    return p
