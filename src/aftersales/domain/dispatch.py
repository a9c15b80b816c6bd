"""D-1 fair assignment and the dispatch rules around the planner. Pure: time passed in.

- `candidates`: who may take an order (skill, outlet, region, on shift) and a score
  made of named parts, so every automatic choice shows why.
- `fairness_spread`: jobs per technician over the last days, per group of peers with the
  same skills; the spread is what D-1 forbids to grow.
- `prize`: what leaving an order out of a day plan costs (priority and SLA slack, D-2).
- `windows_to_move`: after a replan, the customers whose agreed window can no longer be
  kept (they must be called, O-18).
- `at_risk`: an open order about to miss its window or its SLA (D-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from statistics import mean, pstdev

from .dispatch_travel import Site, TravelModel


@dataclass(frozen=True)
class DispatchPolicy:
    # Travel model (straight line × road factor at an average speed).
    road_factor: float = 1.3
    speed_kmh: float = 30.0
    # Service duration when the duration table has no row for category × service type.
    default_service_minutes: int = 60
    # D-1 weights of the score parts (points).
    weight_workload: float = 40.0  # per full day of open jobs
    weight_distance: float = 2.0  # per km from the technician's base
    weight_fairness: float = 30.0  # per job above the peers' mean this week, relative
    weight_skill: float = 5.0  # per skill level above 1
    weight_urgency: float = 3.0  # extra per km for urgent / near-SLA orders
    fairness_days: int = 7
    # D-2 prizes: leaving an order out costs this many km of travel, times its factor.
    prize_km: float = 300.0
    prize_urgent: float = 4.0
    prize_high: float = 2.0
    prize_normal: float = 1.0
    prize_low: float = 0.6
    near_sla_hours: int = 24  # orders due within this get their prize doubled
    # D-3: an order is at risk this many hours before its SLA due time or window end.
    at_risk_hours: int = 4
    # O-17: an urgent order is reached within this many minutes when anyone can.
    urgent_response_minutes: int = 60
    # Solver time budgets (seconds).
    plan_seconds: float = 10.0
    replan_seconds: float = 1.5


DEFAULT_DISPATCH_POLICY = DispatchPolicy()


@dataclass(frozen=True)
class Skill:
    category: str
    level: int = 1


@dataclass(frozen=True)
class Technician:
    username: str
    outlet: str
    skills: tuple[Skill, ...]
    regions: frozenset[str]
    home: Site | None
    shift: tuple[time, time] | None  # that day's shift; None: off
    max_jobs: int
    open_jobs: int = 0  # open orders assigned now (workload)
    week_jobs: int = 0  # orders assigned in the fairness window

    def level(self, category: str) -> int | None:
        for s in self.skills:
            if s.category == category:
                return s.level
        return None

    @property
    def skill_key(self) -> tuple[str, ...]:
        return tuple(sorted({s.category for s in self.skills}))


@dataclass(frozen=True)
class OrderFacts:
    number: str
    outlet: str
    category: str
    region: str
    site: Site | None
    priority: str
    sla_due_at: datetime
    assignee: str | None = None


@dataclass(frozen=True)
class Candidate:
    username: str
    score: float
    parts: dict[str, float]
    distance_km: float | None


@dataclass
class Suggestion:
    order: str
    candidates: list[Candidate]
    excluded: dict[str, str] = field(default_factory=dict)  # username -> reason

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def urgency(priority: str, sla_due_at: datetime, now: datetime, policy: DispatchPolicy) -> float:
    """0 for a normal order with time to spare, up to 2 for an urgent order near its SLA."""
    u = {"urgent": 1.0, "high": 0.5}.get(priority, 0.0)
    slack_h = (sla_due_at - now).total_seconds() / 3600
    if slack_h <= policy.near_sla_hours:
        u += 1.0 if slack_h <= 0 else 1.0 - slack_h / policy.near_sla_hours / 2
    return round(u, 3)


def candidates(
    order: OrderFacts,
    techs: Sequence[Technician],
    *,
    travel: TravelModel,
    now: datetime,
    policy: DispatchPolicy = DEFAULT_DISPATCH_POLICY,
) -> Suggestion:
    """D-1: qualified technicians ranked by score; the parts add up to the score."""
    excluded: dict[str, str] = {}
    u = urgency(order.priority, order.sla_due_at, now, policy)
    qualified: list[tuple[Technician, int]] = []
    for t in techs:
        level = t.level(order.category)
        if t.outlet != order.outlet:
            excluded[t.username] = "other_outlet"
        elif level is None:
            excluded[t.username] = "no_skill"
        elif t.regions and order.region and order.region not in t.regions:
            excluded[t.username] = "other_region"
        elif t.shift is None:
            excluded[t.username] = "off_today"
        elif t.username == order.assignee:
            excluded[t.username] = "already_assigned"
        else:
            qualified.append((t, level))
    # Peers: everyone who could take this order; nobody should get more than they do.
    peer_mean = mean([t.week_jobs for t, _ in qualified]) if qualified else 0.0
    out: list[Candidate] = []
    for t, level in qualified:
        km: float | None = None
        if t.home is not None and order.site is not None:
            km = travel.between(t.home, order.site)[0] / 1000
        parts = {
            "skill": round(policy.weight_skill * (level - 1), 2),
            "workload": round(-policy.weight_workload * t.open_jobs / max(1, t.max_jobs), 2),
            "distance": round(-policy.weight_distance * (km or 0.0), 2),
            "urgency": round(-policy.weight_urgency * u * (km or 0.0), 2),
            "fairness": round(
                -policy.weight_fairness * (t.week_jobs - peer_mean) / max(1.0, peer_mean), 2
            ),
        }
        out.append(Candidate(t.username, round(sum(parts.values()), 2), parts, km))
    out.sort(key=lambda c: (-c.score, c.distance_km or 0.0, c.username))
    return Suggestion(order.number, out, excluded)


@dataclass(frozen=True)
class Spread:
    skills: tuple[str, ...]
    technicians: dict[str, int]
    min: int
    max: int
    mean: float
    stdev: float

    @property
    def range(self) -> int:
        return self.max - self.min


def fairness_spread(counts: Mapping[str, int], techs: Iterable[Technician]) -> list[Spread]:
    """Jobs per technician in the window, grouped by peers with the same skills."""
    groups: dict[tuple[str, ...], dict[str, int]] = {}
    for t in techs:
        groups.setdefault(t.skill_key, {})[t.username] = counts.get(t.username, 0)
    out = []
    for key, per in sorted(groups.items()):
        vals = list(per.values())
        out.append(
            Spread(key, per, min(vals), max(vals), round(mean(vals), 2), round(pstdev(vals), 2))
        )
    return out


def prize(
    priority: str, sla_due_at: datetime, now: datetime, policy: DispatchPolicy, *, agreed: bool
) -> int:
    """D-2: what leaving the order out of the plan costs, in metres of travel."""
    factor = {
        "urgent": policy.prize_urgent,
        "high": policy.prize_high,
        "low": policy.prize_low,
    }.get(priority, policy.prize_normal)
    if (sla_due_at - now).total_seconds() <= policy.near_sla_hours * 3600:
        factor *= 2
    if agreed:  # a window promised to the customer weighs most
        factor *= 3
    return int(policy.prize_km * 1000 * factor)


def seconds_of_day(dt: datetime, day_start: datetime) -> int:
    return int((dt - day_start).total_seconds())


def windows_to_move(
    before: Mapping[str, str],
    after: Mapping[str, str],
    agreed: Iterable[str],
) -> list[str]:
    """O-18: orders with an agreed window that were planned and are no longer: call them."""
    agreed_set = set(agreed)
    return sorted(n for n in before if n in agreed_set and n not in after)


def at_risk(
    *,
    now: datetime,
    sla_due_at: datetime,
    window_end: datetime | None,
    arrived: bool,
    policy: DispatchPolicy,
) -> str | None:
    """D-3: 'sla' when the SLA falls due within the policy's hours (or passed), 'window'
    when the agreed window ends that soon and nobody has arrived."""
    soon = now + timedelta(hours=policy.at_risk_hours)
    if sla_due_at <= soon:
        return "sla"
    if window_end is not None and not arrived and window_end <= soon:
        return "window"
    return None
