"""O-9 and O-10: standard closing times and the assessed time with parts transit excluded.

The rule rows live in an editable table (orders.SlaRule); these functions receive them as
plain values. Time is always passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .codes import CARRY_IN_MODES, ServiceMode, ServiceType
from .policy import Policy
from .results import ShippedBy


@dataclass(frozen=True)
class SlaFacts:
    category: str
    tier: int
    service_type: str
    service_mode: str
    source: str


@dataclass(frozen=True)
class SlaRule:
    """A row matches when every non-empty set holds the order's value; lowest rank wins."""

    rank: int
    hours: int
    label: str = ""
    categories: frozenset[str] = field(default_factory=frozenset)
    tiers: frozenset[int] = field(default_factory=frozenset)
    service_types: frozenset[str] = field(default_factory=frozenset)
    service_modes: frozenset[str] = field(default_factory=frozenset)
    sources: frozenset[str] = field(default_factory=frozenset)

    def matches(self, f: SlaFacts) -> bool:
        return (
            (not self.categories or f.category in self.categories)
            and (not self.tiers or f.tier in self.tiers)
            and (not self.service_types or f.service_type in self.service_types)
            and (not self.service_modes or f.service_mode in self.service_modes)
            and (not self.sources or f.source in self.sources)
        )


_FOUR = frozenset({"air_conditioner", "washing_machine", "dishwasher", "water_heater"})
_CARRY = frozenset(m.value for m in CARRY_IN_MODES)
_REPAIR = frozenset({ServiceType.REPAIR.value})

# The rows of O-9, most specific first. Seeded into the editable table.
DEFAULT_SLA_RULES: tuple[SlaRule, ...] = (
    SlaRule(10, 7 * 24, "O-9 return via retail store, tier 1-2",
            service_types=frozenset({ServiceType.RETURN.value}),
            sources=frozenset({"retail_store"}), tiers=frozenset({1, 2})),
    SlaRule(11, 15 * 24, "O-9 return via retail store, tier 3-4",
            service_types=frozenset({ServiceType.RETURN.value}),
            sources=frozenset({"retail_store"}), tiers=frozenset({3, 4})),
    SlaRule(20, 5 * 24, "O-9 pickup",
            service_modes=frozenset({ServiceMode.PICKUP.value})),
    SlaRule(30, 120, "O-9 carry-in repair, refrigerator",
            service_types=_REPAIR, service_modes=_CARRY,
            categories=frozenset({"refrigerator"})),
    SlaRule(31, 96, "O-9 carry-in repair, television",
            service_types=_REPAIR, service_modes=_CARRY,
            categories=frozenset({"television"})),
    SlaRule(32, 72, "O-9 carry-in repair", service_types=_REPAIR, service_modes=_CARRY),
    SlaRule(40, 96, "O-9 television and refrigerator, any tier",
            categories=frozenset({"television", "refrigerator"})),
    SlaRule(50, 48, "O-9 AC/washer/dishwasher/water heater, tier 1-2",
            categories=_FOUR, tiers=frozenset({1, 2})),
    SlaRule(51, 72, "O-9 AC/washer/dishwasher/water heater, tier 3-4",
            categories=_FOUR, tiers=frozenset({3, 4})),
)  # fmt: skip


def match_rule(rules: Iterable[SlaRule], facts: SlaFacts) -> SlaRule | None:
    for rule in sorted(rules, key=lambda r: r.rank):
        if rule.matches(facts):
            return rule
    return None


def standard_hours(rules: Iterable[SlaRule], facts: SlaFacts, policy: Policy) -> tuple[int, str]:
    rule = match_rule(rules, facts)
    if rule is None:
        return policy.default_sla_hours, "default"
    return rule.hours, rule.label


def due_at(requested_at: datetime, hours: int) -> datetime:
    return requested_at + timedelta(hours=hours)


@dataclass(frozen=True)
class PartTransit:
    shipped_by: ShippedBy
    requested_at: datetime | None = None
    released_at: datetime | None = None  # left the manufacturer's warehouse (下架)
    shipped_at: datetime | None = None
    received_at: datetime | None = None  # arrived at the outlet (过站)


def transit_interval(p: PartTransit) -> tuple[datetime, datetime] | None:
    """O-10: receipt minus shipment; where unknown, request to warehouse release.

    Only parts shipped by the manufacturer are excluded: an outlet's own stock is its own time.
    """
    if p.shipped_by != ShippedBy.MANUFACTURER:
        return None
    if p.shipped_at and p.received_at and p.received_at > p.shipped_at:
        return p.shipped_at, p.received_at
    if p.requested_at and p.released_at and p.released_at > p.requested_at:
        return p.requested_at, p.released_at
    return None


def excluded_time(parts: Sequence[PartTransit], start: datetime, end: datetime) -> timedelta:
    """Union of the parts' transit intervals inside [start, end]: parallel shipments count once."""
    spans = sorted(
        (max(a, start), min(b, end))
        for p in parts
        if (iv := transit_interval(p)) is not None
        for a, b in [iv]
        if min(b, end) > max(a, start)
    )
    total = timedelta(0)
    cur_a: datetime | None = None
    cur_b: datetime | None = None
    for a, b in spans:
        if cur_b is None or a > cur_b:
            if cur_a is not None and cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        elif b > cur_b:
            cur_b = b
    if cur_a is not None and cur_b is not None:
        total += cur_b - cur_a
    return total


def assessed_time(
    requested_at: datetime, closed_at: datetime, parts: Sequence[PartTransit] = ()
) -> timedelta:
    """O-10: (close − requested) − parts transit. Never negative."""
    gross = closed_at - requested_at
    if gross <= timedelta(0):
        return timedelta(0)
    return gross - excluded_time(parts, requested_at, closed_at)


def within_sla(assessed: timedelta, hours: int) -> bool:
    return assessed <= timedelta(hours=hours)
