"""Reads of the indicators app: filters and their errors, the figures (one grouped aggregate
query per breakdown), the money figures, the drill-down lists, the boards (D-3, O-12) and
the archived reports. Who sees what follows `orders.selectors.orders_for_user`."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language

from aftersales.accounts.models import Outlet, User
from aftersales.core.policy import current_policy
from aftersales.core.refcache import ProcessCache
from aftersales.domain import kpis as rules
from aftersales.domain.codes import PRODUCT_CATEGORIES, Role
from aftersales.domain.errors import DomainError
from aftersales.orders.models import Order
from aftersales.orders.selectors import orders_for_user, outlets_for_user, sees_whole_network

from . import indicators as ind
from .models import KpiPolicy, KpiTarget, Report

# Roles that open the indicators, boards and reports. Technicians and parts keepers have
# their own pages (scorecard, P-9 on the parts account).
VIEWERS = frozenset({Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
WRITERS = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})


def require_viewer(user: User) -> None:
    if not user.role_set & VIEWERS:
        raise DomainError("forbidden", "Your roles may not open the indicators.", status=403)


def _load_policy() -> tuple[KpiPolicy, dict[str, rules.Target]]:
    row = KpiPolicy.objects.order_by("pk").first() or KpiPolicy()
    return row, {t.kpi: t.target() for t in KpiTarget.objects.all()}


_policy = ProcessCache(_load_policy, models=("kpis.KpiPolicy", "kpis.KpiTarget"))


def policy() -> KpiPolicy:
    return _policy.get()[0]


def targets() -> dict[str, rules.Target]:
    return _policy.get()[1]


def tz() -> Any:
    return timezone.get_current_timezone()


def local_today(now: datetime) -> date:
    return timezone.localtime(now).date()


def at_midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), tz())


# --- Filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    period: rules.Period
    outlet: Outlet | None
    region: str
    category: str
    technician: User | None

    def query(self) -> dict[str, str]:
        """The filters as query parameters (links to the drill-down and the exports)."""
        q: dict[str, str] = {}
        p = self.period
        if len(p.label) == 7:
            q["month"] = p.label
        else:
            q["from"] = p.start.isoformat()
            q["to"] = date.fromordinal(p.end.toordinal() - 1).isoformat()
        if self.outlet:
            q["outlet"] = self.outlet.code
        if self.region:
            q["region"] = self.region
        if self.category:
            q["category"] = self.category
        if self.technician:
            q["technician"] = self.technician.username
        return q

    def key(self) -> str:
        return json.dumps(self.query(), sort_keys=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "outlet": self.outlet.code if self.outlet else None,
            "region": self.region or None,
            "category": self.category or None,
            "technician": self.technician.username if self.technician else None,
        }


def technicians_for_user(user: User) -> list[User]:
    from aftersales.dispatch.services import technician_users

    if sees_whole_network(user):
        return technician_users()
    return technician_users(user.outlet) if user.outlet_id else []


def parse_filters(user: User, params: Mapping[str, Any], *, now: datetime) -> Filters:
    """Read `month` or `from`/`to`, `outlet`, `region`, `category`, `technician`. Unknown
    (or not visible) outlets and technicians, a reversed or future period → 422."""
    require_viewer(user)

    def get(name: str) -> str:
        v = params.get(name)
        return str(v).strip() if v not in (None, "") else ""

    period = rules.period_of(
        month=get("month") or None,
        start=get("from") or None,
        end=get("to") or None,
        today=local_today(now),
    )
    outlet = None
    if code := get("outlet"):
        outlet = outlets_for_user(user).filter(code=code).first()
        if outlet is None:
            raise DomainError(
                "unknown_outlet", f"No outlet {code!r}.", fields={"outlet": "unknown"}
            )
    region = get("region")
    if region and not outlets_for_user(user).filter(region=region).exists():
        raise DomainError("unknown_region", f"No region {region!r}.", fields={"region": "unknown"})
    category = get("category")
    if category and category not in PRODUCT_CATEGORIES:
        raise DomainError(
            "unknown_category", f"No product category {category!r}.", fields={"category": "unknown"}
        )
    tech = None
    if username := get("technician"):
        tech = next((t for t in technicians_for_user(user) if t.username == username), None)
        if tech is None:
            raise DomainError(
                "unknown_technician",
                f"No technician {username!r}.",
                fields={"technician": "unknown"},
            )
    return Filters(period, outlet, region, category, tech)


def ctx_of(f: Filters, now: datetime) -> ind.Ctx:
    from aftersales.warranty.selectors import policy as warranty_policy

    return ind.Ctx(
        start=at_midnight(f.period.start),
        end=at_midnight(f.period.end),
        now=now,
        timely=warranty_policy().targets(),
        backlog_hours=tuple(current_policy().backlog_hours),
    )


def filtered_orders(user: User, f: Filters) -> QuerySet[Order]:
    qs = orders_for_user(user)
    if f.outlet is not None:
        qs = qs.filter(outlet_id=f.outlet.pk)
    if f.region:
        ids = list(outlets_for_user(user).filter(region=f.region).values_list("pk", flat=True))
        qs = qs.filter(outlet_id__in=ids)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.technician is not None:
        qs = qs.filter(assignee_id=f.technician.pk)
    return qs


def visible_outlet_ids(user: User, f: Filters) -> list[int]:
    qs = outlets_for_user(user)
    if f.outlet is not None:
        qs = qs.filter(pk=f.outlet.pk)
    if f.region:
        qs = qs.filter(region=f.region)
    return list(qs.values_list("pk", flat=True))


# --- Figures ----------------------------------------------------------------------------------


def _aggregates(c: ind.Ctx, defs: tuple[ind.Definition, ...]) -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for d in defs:
        assert d.build is not None
        spec = d.build(c)
        aggs[f"{d.id}__n"] = Count("pk", filter=spec.base)
        if spec.hit is not None:
            aggs[f"{d.id}__k"] = Count("pk", filter=spec.base & spec.hit)
        if spec.value is not None:
            aggs[f"{d.id}__s"] = Sum(spec.value, filter=spec.base)
    return aggs


# Per local day for the trend chart: orders received (created) and closed (SLA).
_DAY_COLUMNS = ("created_at", "closed_at")


def _column_defs(col: str) -> tuple[ind.Definition, ...]:
    return tuple(d for d in ind.ORDER_DEFS if ind.PERIOD_COLUMN[d.id] == col)


Key = tuple[Any, Any, Any]  # (outlet_id, assignee_id, day or None)


def grouped(qs: QuerySet[Order], c: ind.Ctx) -> dict[str, list[tuple[Key, dict[str, Any]]]]:
    """Raw counts and sums of every order figure per (outlet, technician[, day]): one query
    per period column (created, completed, closed, revisited) over that column's covering
    index, plus one over the open orders for the backlog. Counts and sums add up, so the
    totals, the per-outlet and per-technician rows and the trend are sums of these groups."""
    out: dict[str, list[tuple[Key, dict[str, Any]]]] = {}
    for col in ("created_at", "completed_at", "closed_at", "revisited_at"):
        defs = _column_defs(col)
        rows = ind.annotate(qs.filter(**{f"{col}__gte": c.start, f"{col}__lt": c.end}), tuple(d.id for d in defs))  # fmt: skip
        keys = ["outlet_id", "assignee_id"]
        if col in _DAY_COLUMNS:
            rows = rows.annotate(day=TruncDate(col))
            keys.append("day")
        got = []
        for r in rows.values(*keys).annotate(**_aggregates(c, defs)).order_by():
            key = (r.pop("outlet_id"), r.pop("assignee_id"), r.pop("day", None))
            got.append((key, r))
        out[col] = got
    back: Any = (
        qs.filter(status__in=ind.OPEN, created_at__lt=c.now - timedelta(hours=min(c.backlog_hours)))
        .values("outlet_id", "assignee_id")
        .annotate(**_aggregates(c, _column_defs("")))
        .order_by()
    )
    out["backlog"] = [((r.pop("outlet_id"), r.pop("assignee_id"), None), r) for r in back]
    return out


def _sum_by(groups: dict[str, list[tuple[Key, dict[str, Any]]]], index: int | None) -> dict[Any, dict[str, Any]]:  # fmt: skip
    """Sum the groups' counts by one part of the key (0 outlet, 1 technician; None: all)."""
    total: dict[Any, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for rows in groups.values():
        for key, row in rows:
            bucket = total[None if index is None else key[index]]
            for k, v in row.items():
                if v is not None:
                    bucket[k] += v
    return total


def _value(d: ind.Definition, raw: Mapping[str, Any], days: int) -> tuple[Decimal | None, int | None, int]:  # fmt: skip
    n = int(raw.get(f"{d.id}__n") or 0)
    k = raw.get(f"{d.id}__k")
    value: Decimal | None
    if d.kind == "rate":
        value = rules.percent(int(k or 0), n)
    elif d.kind == "mean":
        value = rules.mean(raw.get(f"{d.id}__s"), n)
    elif d.kind == "per_day":
        value = rules.mean(n, days, "0.1")
    else:
        value = Decimal(n)
    return value, None if k is None else int(k), n


def figure(
    d: ind.Definition,
    raw: Mapping[str, Any],
    *,
    elapsed_days: int,
    target: rules.Target | None,
) -> dict[str, Any]:
    """One figure from its counts: value, numerator/denominator, target and its colour."""
    value, k, n = _value(d, raw, elapsed_days)
    return _figure_dict(d, value, numerator=k, denominator=n, target=target)


def _figure_dict(
    d: ind.Definition,
    value: Decimal | None,
    *,
    numerator: Any,
    denominator: Any,
    target: rules.Target | None,
    currency: str | None = None,
) -> dict[str, Any]:
    band = rules.band(value, target)
    return {
        "id": d.id,
        "rule": d.rule,
        "label": str(d.label),
        "definition": " ".join(str(d.formula or "").split()),
        "unit": d.unit,
        "currency": currency,
        "value": None if value is None else str(value),
        "numerator": None if numerator is None else str(numerator),
        "denominator": None if denominator is None else str(denominator),
        "no_data": value is None,
        "target": None
        if target is None
        else {
            "value": str(target.value),
            "comparison": target.comparison,
            "amber": str(target.amber),
        },
        "band": band,
        "drill": d.build is not None or d.id in MONEY_DRILL,
    }


def order_figures(raw: Mapping[str, Any], f: Filters, now: datetime) -> list[dict[str, Any]]:
    t = targets()
    days = f.period.elapsed_days(local_today(now))
    return [figure(d, raw, elapsed_days=days, target=t.get(d.id)) for d in ind.ORDER_DEFS]


# --- Money and parts figures ------------------------------------------------------------------

MONEY_DRILL = {
    "revenue_labour",
    "revenue_parts",
    "value_per_order",
    "warranty_claims",
    "oow_parts_ratio",
}


def currency() -> str:
    from aftersales.warranty.selectors import policy as warranty_policy

    return warranty_policy().currency


def _accepted_quotes(qs: QuerySet[Order], c: ind.Ctx) -> Any:
    from aftersales.warranty.models import Quote

    return Quote.objects.filter(
        status="accepted", decided_at__gte=c.start, decided_at__lt=c.end, order__in=qs
    )


def _claims(qs: QuerySet[Order], c: ind.Ctx) -> Any:
    from aftersales.parts.models import OldPartReturn

    return OldPartReturn.objects.filter(
        order__in=qs.filter(closed_at__gte=c.start, closed_at__lt=c.end)
    )


def _issues(qs: QuerySet[Order], c: ind.Ctx) -> Any:
    from aftersales.domain.parts import MoveKind
    from aftersales.parts.models import StockMove

    return StockMove.objects.filter(
        kind=MoveKind.ISSUE.value, at__gte=c.start, at__lt=c.end, doc__order__in=qs
    )


def oow_values(qs: QuerySet[Order], c: ind.Ctx) -> tuple[Decimal, Decimal]:
    """P-9 over the filtered orders: (out-of-warranty value, all value) of parts issued in
    the period; the verdict is the order's W-1 (`warranty.selectors.orders_warranty`, on the
    day it was received), as the parts app's `oow_ratio` reads it.

    On PostgreSQL the W-1 rule runs inside one aggregate query (`_oow_sql`, the same
    definition: proof of purchase over the product's date, model term over category term
    over the default, extensions); elsewhere each order's verdict is computed in Python.
    `test_p9_oow_ratio_agrees_with_the_parts_app` holds both equal to the parts app."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return _oow_sql(qs, c)
    from aftersales.warranty.selectors import orders_warranty

    rows = list(_issues(qs, c).values_list("doc__order_id", "qty", "unit_cost").order_by())
    orders = Order.objects.select_related("product").in_bulk({r[0] for r in rows})
    verdicts = {oid: v.in_warranty for oid, v in orders_warranty(orders.values()).items()}
    oow, total = Decimal(0), Decimal(0)
    for oid, qty, cost in rows:
        value = -qty * cost
        total += value
        if not verdicts[oid]:
            oow += value
    return oow, total


def _term_sql() -> tuple[str, list[Any]]:
    """W-1 `term_for` as a CASE over the product: model terms, then category terms (the
    last listed wins, as in the loop), then the network default."""
    from aftersales.warranty.selectors import _terms

    terms, default = _terms.get()
    whens: list[str] = []
    params: list[Any] = []
    for t in terms:
        if t.model:
            whens.append("WHEN p.category = %s AND lower(p.model) = lower(%s) AND p.model <> '' THEN %s")  # fmt: skip
            params += [t.category, t.model, t.months]
    for t in reversed(terms):
        if not t.model:
            whens.append("WHEN p.category = %s THEN %s")
            params += [t.category, t.months]
    return f"CASE {' '.join(whens)} ELSE %s END" if whens else "%s", [*params, default]


def _oow_sql(qs: QuerySet[Order], c: ind.Ctx) -> tuple[Decimal, Decimal]:
    from django.db import connection
    from django.db.models.expressions import RawSQL

    # The caller's filtered orders as a correlated EXISTS on the issued order (`o`): a month
    # issues parts on a few thousand orders; an IN over every visible order would hash them all.
    visible = qs.filter(pk=RawSQL('"o"."id"', ())).values("pk")
    orders_sql, orders_params = visible.query.sql_with_params()
    where = f"WHERE EXISTS ({orders_sql})"
    if not qs.query.where:  # the whole network, unfiltered: every issued order counts
        where, orders_params = "", ()
    term, term_params = _term_sql()
    sql = f"""
        WITH iss AS (
            SELECT d.order_id, SUM(-m.qty * m.unit_cost) AS v
            FROM parts_stockmove m JOIN parts_stockdoc d ON d.id = m.doc_id
            WHERE m.kind = 'issue' AND m.at >= %s AND m.at < %s
            GROUP BY d.order_id)
        SELECT COALESCE(SUM(iss.v), 0),
               COALESCE(SUM(iss.v) FILTER (WHERE NOT (
                   x.bought IS NOT NULL AND (
                       x.on_day < (x.bought + make_interval(months => x.months))::date
                       OR (ext.until IS NOT NULL AND x.on_day <= ext.until)))), 0)
        FROM iss
        JOIN orders_order o ON o.id = iss.order_id
        JOIN customers_customerproduct p ON p.id = o.product_id
        LEFT JOIN LATERAL (
            SELECT pp.purchase_date FROM warranty_proofofpurchase pp
            WHERE pp.product_id = p.id ORDER BY pp.recorded_at DESC, pp.id DESC LIMIT 1
        ) proof ON true
        LEFT JOIN LATERAL (
            SELECT max(e.until) AS until FROM warranty_extendedwarranty e
            WHERE e.product_id = p.id
        ) ext ON true
        CROSS JOIN LATERAL (
            SELECT COALESCE(proof.purchase_date, p.purchase_date) AS bought,
                   -- order_warranty: the network's calendar day of the request
                   (o.requested_at AT TIME ZONE %s)::date AS on_day,
                   {term} AS months
        ) x
        {where}"""
    with connection.cursor() as cur:
        tz = settings.TIME_ZONE
        cur.execute(sql, [c.start, c.end, tz, *term_params, *orders_params])
        total, oow = cur.fetchone()
    return Decimal(oow), Decimal(total)


def money_figures(
    user: User, qs: QuerySet[Order], f: Filters, c: ind.Ctx, completed: int
) -> list[dict[str, Any]]:
    from aftersales.parts.models import AccountEntry

    cur = currency()
    t = targets()
    lines: dict[str, Decimal] = {
        r["lines__kind"]: r["s"] or Decimal(0)
        for r in _accepted_quotes(qs, c)
        .filter(currency=cur)
        .values("lines__kind")
        .annotate(s=Sum("lines__amount"))
        .order_by()
        if r["lines__kind"]
    }
    labour = lines.get("labour", Decimal(0)) + lines.get("travel", Decimal(0))
    parts = lines.get("part", Decimal(0))
    claims = _claims(qs, c).filter(currency=cur).aggregate(s=Sum("value"), n=Count("pk"))
    purchases = AccountEntry.objects.filter(
        kind="purchase",
        currency=cur,
        at__gte=c.start,
        at__lt=c.end,
        outlet_id__in=visible_outlet_ids(user, f),
    ).aggregate(s=Sum("amount"), n=Count("pk"))
    oow, total = oow_values(qs, c)
    D = ind.DEFS
    has_revenue = bool(lines)
    return [
        _figure_dict(D["revenue_labour"], labour if has_revenue else None, numerator=None, denominator=None, target=t.get("revenue_labour"), currency=cur),
        _figure_dict(D["revenue_parts"], parts if has_revenue else None, numerator=None, denominator=None, target=t.get("revenue_parts"), currency=cur),
        _figure_dict(D["revenue_insurance"], None, numerator=None, denominator=None, target=None, currency=cur),
        _figure_dict(D["value_per_order"], rules.mean(labour + parts, completed) if has_revenue else None, numerator=labour + parts, denominator=completed, target=t.get("value_per_order"), currency=cur),
        _figure_dict(D["warranty_claims"], claims["s"] if claims["n"] else None, numerator=claims["n"], denominator=None, target=t.get("warranty_claims"), currency=cur),
        _figure_dict(D["parts_purchases"], -purchases["s"] if purchases["n"] else None, numerator=purchases["n"], denominator=None, target=t.get("parts_purchases"), currency=cur),
        _figure_dict(D["oow_parts_ratio"], rules.ratio(oow, total), numerator=oow, denominator=total, target=t.get("oow_parts_ratio"), currency=cur),
    ]  # fmt: skip


# --- Dashboard --------------------------------------------------------------------------------


def _cache_key(user: User, f: Filters, what: str) -> str:
    scope = "*" if sees_whole_network(user) else f"o{user.outlet_id}"
    # The targets are part of the key: an edited target shows at once.
    goals = sorted((k, t.value, t.comparison, t.amber) for k, t in targets().items())
    raw = f"{what}|{scope}|{f.key()}|{get_language()}|{goals}"
    return "kpis:" + hashlib.sha256(raw.encode()).hexdigest()


def figures(user: User, f: Filters, *, now: datetime, use_cache: bool = True) -> dict[str, Any]:
    """Every figure for the filters (what `/api/v1/kpis` returns), with the per-outlet and
    per-technician breakdowns and the daily trend the dashboard charts draw.

    Warm: the result is kept in Django's cache for `KpiPolicy.cache_seconds` (60 s), keyed
    by the caller's visibility and the filters; no invalidation on writes — a figure is at
    most that old. Cold: 4 grouped queries over orders plus 4 small ones (money, parts)."""
    seconds = policy().cache_seconds
    key = _cache_key(user, f, "figures")
    if use_cache and seconds:
        hit = cache.get(key)
        if hit is not None:
            return dict(hit)
    out = compute(user, f, now=now)
    if use_cache and seconds:
        cache.set(key, out, seconds)
    return out


def compute(user: User, f: Filters, *, now: datetime) -> dict[str, Any]:
    c = ctx_of(f, now)
    qs = filtered_orders(user, f)
    groups = grouped(qs, c)
    total = _sum_by(groups, None).get(None, {})
    figs = order_figures(total, f, now)
    completed = int(total.get("repeat_repair__n") or 0)
    figs += money_figures(user, qs, f, c, completed)
    by_outlet = _sum_by(groups, 0)
    by_tech = _sum_by(groups, 1)
    outlets = {o.pk: o for o in Outlet.objects.filter(pk__in=list(by_outlet))}
    people = {u.pk: u for u in User.objects.filter(pk__in=[k for k in by_tech if k])}
    return {
        "filters": f.as_dict(),
        "computed_at": now.isoformat(),
        "figures": figs,
        "by_outlet": [
            {"outlet": outlets[k].code, "name": outlets[k].name, "figures": _compact(row, f, now)}
            for k, row in sorted(by_outlet.items(), key=lambda kv: outlets[kv[0]].code)
        ],
        "by_technician": [
            {
                "technician": people[k].username,
                "name": str(people[k]),
                "figures": _compact(row, f, now),
            }
            for k, row in sorted(
                ((k, v) for k, v in by_tech.items() if k in people),
                key=lambda kv: (-(kv[1].get("repeat_repair__n") or 0), people[kv[0]].username),
            )
        ],
        "trend": trend(groups),
    }


def _compact(raw: Mapping[str, Any], f: Filters, now: datetime) -> dict[str, dict[str, Any]]:
    """A breakdown row's figures: value, counts and colour (no labels or definitions)."""
    t = targets()
    days = f.period.elapsed_days(local_today(now))
    out = {}
    for d in ind.ORDER_DEFS:
        value, k, n = _value(d, raw, days)
        out[d.id] = {
            "value": None if value is None else str(value),
            "numerator": None if k is None else str(k),
            "denominator": str(n),
            "band": rules.band(value, t.get(d.id)),
        }
    return out


def trend(groups: dict[str, list[tuple[Key, dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Per local day: orders received, orders closed and SLA compliance of those closed."""
    days: dict[date, dict[str, Any]] = defaultdict(lambda: {"received": 0, "closed": 0, "k": 0})
    for (_, _, day), r in groups["created_at"]:
        days[day]["received"] += r["orders_received__n"]
    for (_, _, day), r in groups["closed_at"]:
        days[day]["closed"] += r["sla_compliance__n"]
        days[day]["k"] += r["sla_compliance__k"]
    out = []
    for d in sorted(days):
        v = rules.percent(days[d]["k"], days[d]["closed"])
        out.append(
            {
                "day": d.isoformat(),
                "received": days[d]["received"],
                "closed": days[d]["closed"],
                "sla": None if v is None else str(v),
            }
        )
    return out


# --- Drill-down -------------------------------------------------------------------------------

PARTS = ("all", "hit", "miss")


def drill(user: User, f: Filters, kpi: str, part: str, *, now: datetime) -> QuerySet[Order]:
    """The orders behind a figure (exactly those counted)."""
    if kpi not in ind.DEFS or not (ind.DEFS[kpi].build or kpi in MONEY_DRILL):
        raise DomainError(
            "unknown_kpi", f"No drillable indicator {kpi!r}.", fields={"kpi": "unknown"}
        )
    if part not in PARTS:
        raise DomainError(
            "validation", "part is all, hit or miss.", fields={"part": "all|hit|miss"}
        )
    c = ctx_of(f, now)
    qs = filtered_orders(user, f)
    if kpi in ("revenue_labour", "revenue_parts", "value_per_order"):
        out = qs.filter(pk__in=_accepted_quotes(qs, c).values("order_id"))
    elif kpi == "warranty_claims":
        out = qs.filter(pk__in=_claims(qs, c).values("order_id"))
    elif kpi == "oow_parts_ratio":
        out = qs.filter(pk__in=_issues(qs, c).values("doc__order_id"))
    else:
        out = ind.orders_behind(qs, kpi, part, c)
    return out.select_related("outlet", "assignee").order_by("-created_at", "-pk")


DRILL_HEADERS = (
    "number",
    "outlet",
    "status",
    "category",
    "service_type",
    "technician",
    "received",
    "completed",
    "closed",
    "within_sla",
    "assessed_hours",
    "repeat",
    "revisit_satisfied",
    "multiple_contacts",
)


def drill_row(o: Order) -> list[Any]:
    return [
        o.number,
        o.outlet.code,
        o.status,
        o.category,
        o.service_type,
        o.assignee.username if o.assignee else "",
        o.created_at,
        o.completed_at,
        o.closed_at,
        o.within_sla,
        o.assessed_hours,
        o.repeat_of_id is not None,
        o.revisit_satisfied,
        o.multiple_contacts,
    ]


def drill_rows(qs: QuerySet[Order]) -> Iterator[list[Any]]:
    for o in qs.iterator(chunk_size=2000):
        yield drill_row(o)


# --- Boards (D-3, O-12) -----------------------------------------------------------------------

BOARD_SECTIONS = ("carry_in", "tomorrow", "special", "waiting_parts", "at_risk")


def clerk_boards(actor: User, *, now: datetime, person: str | None = None) -> list[dict[str, Any]]:
    """D-3 per person, from the dispatch app's `clerk_board` (same rules, same lists)."""
    from aftersales.dispatch.selectors import clerk_board, clerk_people

    require_viewer(actor)
    people = clerk_people(actor)
    if person:
        people = [p for p in people if p.username == person]
        if not people:
            raise DomainError(
                "unknown_person", f"No person {person!r}.", fields={"person": "unknown"}
            )
    out = []
    for p in people:
        board = clerk_board(actor, p, now=now)
        out.append(
            {
                "person": p.username,
                "name": str(p),
                "counts": {k: len(board[k]) for k in BOARD_SECTIONS},
                "lists": {k: board[k] for k in BOARD_SECTIONS},
            }
        )
    return out


BOARD_HEADERS = (
    "person",
    "list",
    "number",
    "contact",
    "status",
    "technician",
    "appointment",
    "sla_due_at",
    "risk",
)


def board_rows(boards: list[dict[str, Any]]) -> Iterator[list[Any]]:
    for b in boards:
        for section in BOARD_SECTIONS:
            for r in b["lists"][section]:
                yield [
                    b["person"],
                    section,
                    r.number,
                    r.contact,
                    r.status,
                    r.assignee,
                    r.appointment,
                    r.sla_due_at,
                    r.risk or "",
                ]


def backlog(actor: User, *, over_hours: int, now: datetime, outlet: str | None = None) -> list[Any]:
    """O-12 rows (orders.backlog: responsible person, bucket, escalation) for the meeting."""
    from aftersales.orders.backlog import backlog_rows

    require_viewer(actor)
    if outlet and not outlets_for_user(actor).filter(code=outlet).exists():
        raise DomainError("unknown_outlet", f"No outlet {outlet!r}.", fields={"outlet": "unknown"})
    rows = backlog_rows(actor, older_than_hours=over_hours, now=now)
    return [r for r in rows if not outlet or r.outlet == outlet]


# --- Archived reports -------------------------------------------------------------------------


def reports_for_user(user: User) -> QuerySet[Report]:
    require_viewer(user)
    qs = Report.objects.select_related("outlet", "created_by")
    if sees_whole_network(user):
        return qs
    return qs.filter(outlet_id=user.outlet_id or 0)


def report_get(user: User, pk: int) -> Report:
    r = reports_for_user(user).filter(pk=pk).first()
    if r is None:
        raise DomainError("not_found", "No such report.", status=404)
    return r
