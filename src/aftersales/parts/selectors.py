"""Reads of parts data, always through the caller's visibility (404 outside it).

Who sees what: managers and admins the whole network; a parts keeper, clerk, dispatcher or
supervisor their outlet's warehouses, vans and requests; a technician their van and the
requests on their orders. Who writes: the outlet's parts keeper (and admins); supervisors
approve count variances.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.refcache import ProcessCache
from aftersales.domain import parts as rules_mod
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError
from aftersales.domain.parts import Band, MoveKind, PartsRules, RequestStatus
from aftersales.orders.selectors import outlets_for_user, sees_whole_network
from aftersales.warranty.selectors import orders_warranty

from .models import (
    AccountEntry,
    OldPartReturn,
    Part,
    PartRequest,
    ReorderRule,
    StockBalance,
    StockCount,
    StockMove,
    Warehouse,
)

CENT = Decimal("0.01")
_OUTLET_READERS = {Role.PARTS_KEEPER, Role.CLERK, Role.DISPATCHER, Role.SUPERVISOR}


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def warehouses_for_user(user: User) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.select_related("outlet", "technician")
    if sees_whole_network(user):
        return qs
    q = Q(pk__in=[])
    roles = user.role_set
    if roles & _OUTLET_READERS and user.outlet_id is not None:
        q |= Q(outlet_id=user.outlet_id)
    if Role.TECHNICIAN in roles:
        q |= Q(technician_id=user.pk)
    return qs.filter(q)


def may_keep(user: User, wh: Warehouse) -> bool:
    """Movements in a warehouse: its outlet's parts keeper, or an admin."""
    roles = user.role_set
    if Role.ADMIN in roles:
        return True
    return Role.PARTS_KEEPER in roles and user.outlet_id == wh.outlet_id


def _load_warehouses() -> dict[str, Warehouse]:
    return {w.code: w for w in Warehouse.objects.select_related("outlet", "technician")}


# Every movement names its warehouse: read once per process (a few hundred rows), dropped when
# a warehouse, outlet or user is saved here and re-read by the other workers within seconds.
_warehouses = ProcessCache(
    _load_warehouses, models=("parts.Warehouse", "accounts.Outlet", "accounts.User")
)


def may_see_warehouse(user: User, wh: Warehouse) -> bool:
    """The same rule as `warehouses_for_user`, for one warehouse already in hand."""
    if sees_whole_network(user):
        return True
    roles = user.role_set
    if roles & _OUTLET_READERS and user.outlet_id is not None and wh.outlet_id == user.outlet_id:
        return True
    return Role.TECHNICIAN in roles and wh.technician_id == user.pk


def warehouse_get(user: User, code: str, *, write: bool = False) -> Warehouse:
    held = _warehouses.get().get(code)
    if held is not None:
        wh: Warehouse | None = copy.copy(held) if may_see_warehouse(user, held) else None
    else:  # created in another process a moment ago
        wh = warehouses_for_user(user).filter(code=code).first()
    if wh is None:
        raise DomainError(
            "not_found", f"No warehouse {code}.", status=404, fields={"warehouse": "unknown"}
        )
    if write and not may_keep(user, wh):
        raise DomainError(
            "forbidden", "Only this outlet's parts keeper moves its stock.", status=403
        )
    return wh


_PART_FIELDS = list(Part._meta.concrete_fields)
_PART_SQL = "SELECT {} FROM parts_part WHERE {{}} = %s ORDER BY id LIMIT 1".format(
    ", ".join(str(f.column) for f in _PART_FIELDS)
)


def _part_by(column: str, value: str) -> Part | None:
    # A plain statement: compiling the ORM query cost more than running it (every movement
    # line looks its part up). The backend's converters (JSON, decimals on SQLite) still apply.
    with connection.cursor() as cur:
        cur.execute(_PART_SQL.format(column), [value])
        row = cur.fetchone()
    if row is None:
        return None
    values = []
    for f, v in zip(_PART_FIELDS, row, strict=True):
        col = f.get_col("parts_part")
        for conv in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            v = conv(v, col, connection)
        values.append(v)
    return Part.from_db(connection.alias, [f.attname for f in _PART_FIELDS], values)


def part_get(code: str, *, field: str = "part") -> Part:
    """By code, or by the barcode/QR value a scanner reads (P-1)."""
    code = (code or "").strip()
    part = _part_by("code", code) if code else None
    if part is None and code:
        part = _part_by("barcode", code)
    if part is None:
        raise DomainError(
            "unknown_part",
            _("No part with code %(code)s in the part master.") % {"code": code},
            fields={field: "unknown part code"},
            code_given=code,
        )
    return part


def requests_for_user(user: User) -> QuerySet[PartRequest]:
    qs = PartRequest.objects.select_related(
        "order", "part", "warehouse", "requested_by", "order__assignee"
    )
    if sees_whole_network(user):
        return qs
    q = Q(pk__in=[])
    roles = user.role_set
    if roles & _OUTLET_READERS and user.outlet_id is not None:
        q |= Q(order__outlet_id=user.outlet_id)
    if Role.TECHNICIAN in roles:
        q |= Q(requested_by_id=user.pk) | Q(order__assignee_id=user.pk)
    return qs.filter(q)


def request_get(user: User, pk: int) -> PartRequest:
    r = requests_for_user(user).filter(pk=pk).first()
    if r is None:
        raise DomainError("not_found", f"No part request {pk}.", status=404)
    return r


def local_day(now: datetime) -> tuple[datetime, datetime]:
    d = now.astimezone(tz()).date()
    start = datetime.combine(d, time(0), tzinfo=tz())
    return start, start + timedelta(days=1)


def arrived_today(user: User, *, now: datetime) -> QuerySet[PartRequest]:
    """O-13: parts that arrived at the outlet today and are not fitted yet: fit them today."""
    start, end = local_day(now)
    return (
        requests_for_user(user)
        .filter(
            received_at__gte=start,
            received_at__lt=end,
            status__in=[RequestStatus.RECEIVED.value, RequestStatus.ISSUED.value],
        )
        .order_by("received_at", "pk")
    )


def request_queue(user: User, *, status: list[str] | None = None) -> QuerySet[PartRequest]:
    qs = requests_for_user(user)
    if status:
        qs = qs.filter(status__in=status)
    return qs.order_by("requested_at", "pk")


def promised_date(r: PartRequest) -> date | None:
    """An order waiting for parts shows the promised date: the O-7 result's, else the request's."""
    last = r.order.last_result or {}
    if r.order.last_result_kind == "waiting_parts" and last.get("promised_date"):
        return date.fromisoformat(last["promised_date"])
    return r.promised_date


@dataclass
class OnHand:
    part: str
    name: str
    warehouse: str
    bin: str
    area: str
    qty: int
    aged_from: datetime | None
    band: Band


_ON_HAND_COLUMNS = (
    "part__code",
    "part__name",
    "warehouse__code",
    "bin__zone",
    "bin__shelf",
    "bin__level",
    "bin__position",
    "bin__area",
    "qty",
    "aged_from",
)


def on_hand_rows(
    user: User, *, part: str | None = None, warehouse: str | None = None
) -> QuerySet[Any, Any]:
    """Stock per (part, bin) the caller may see, as plain rows (one statement: the part is
    matched by code in the join; the page, the API and the export share it)."""
    qs = StockBalance.objects.filter(qty__gt=0)
    if not sees_whole_network(user):
        qs = qs.filter(warehouse__in=warehouses_for_user(user))
    if part:
        qs = qs.filter(part__code=part.strip())
    if warehouse:
        qs = qs.filter(warehouse=warehouse_get(user, warehouse))
    return qs.order_by("part__code", "warehouse__code", "bin_id").values_list(*_ON_HAND_COLUMNS)


def on_hand(
    user: User,
    *,
    part: str | None = None,
    warehouse: str | None = None,
    now: datetime,
    rules: PartsRules,
    limit: int | None = 500,
) -> list[OnHand]:
    """Stock per (part, bin) the caller may see; ageing band per row (P-5)."""
    qs = on_hand_rows(user, part=part, warehouse=warehouse)
    rows = list(qs[:limit] if limit else qs)
    if part and not rows:
        # Nothing under that code: a scanned barcode, or an unknown part (refused by name).
        found = part_get(part)
        if found.code != part.strip():
            return on_hand(user, part=found.code, warehouse=warehouse, now=now, rules=rules,
                           limit=limit)  # fmt: skip
    return [on_hand_row(r, now=now, rules=rules) for r in rows]


def on_hand_row(r: tuple[Any, ...], *, now: datetime, rules: PartsRules) -> OnHand:
    code, name, wh, zone, shelf, level, position, area, qty, aged = r
    return OnHand(
        code,
        name,
        wh,
        f"{zone}-{shelf}-{level}-{position}",
        area,
        qty,
        aged,
        rules_mod.ageing_band(aged, now, rules),
    )


def ageing_rows(
    user: User, *, warehouse: str | None = None, now: datetime, rules: PartsRules
) -> QuerySet[Any, Any]:
    """P-5: stock not issued for the yellow period or longer, oldest first (values rows)."""
    yellow, _red = rules_mod.ageing_cutoffs(now, rules)
    qs = StockBalance.objects.filter(qty__gt=0, aged_from__lt=yellow)
    if not sees_whole_network(user):
        qs = qs.filter(warehouse__in=warehouses_for_user(user))
    if warehouse:
        qs = qs.filter(warehouse=warehouse_get(user, warehouse))
    return qs.order_by("aged_from", "pk").values(
        "part__code",
        "part__name",
        "warehouse__code",
        "bin__zone",
        "bin__shelf",
        "bin__level",
        "bin__position",
        "qty",
        "aged_from",
        "part__unit_cost",
    )


def ageing_summary(
    user: User, *, warehouse: str | None = None, now: datetime, rules: PartsRules
) -> list[dict[str, Any]]:
    """P-5 per warehouse: lines, units and value in yellow and in red (one GROUP BY)."""
    from django.db.models import Case, Count, DecimalField, IntegerField, Value, When

    yellow, red = rules_mod.ageing_cutoffs(now, rules)
    qs = StockBalance.objects.filter(qty__gt=0, aged_from__lt=yellow)
    if not sees_whole_network(user):
        qs = qs.filter(warehouse__in=warehouses_for_user(user))
    if warehouse:
        qs = qs.filter(warehouse=warehouse_get(user, warehouse))
    is_red = Q(aged_from__lt=red)
    value = F("qty") * F("part__unit_cost")
    zero = Value(0, output_field=IntegerField())
    money = DecimalField(max_digits=18, decimal_places=2)
    rows = (
        qs.values("warehouse__code")
        .annotate(
            red_lines=Count("pk", filter=is_red),
            yellow_lines=Count("pk", filter=~is_red),
            red_qty=Sum(Case(When(is_red, then=F("qty")), default=zero)),
            yellow_qty=Sum(Case(When(is_red, then=zero), default=F("qty"))),
            red_value=Sum(Case(When(is_red, then=value), default=Value(0), output_field=money)),
            yellow_value=Sum(Case(When(is_red, then=Value(0)), default=value, output_field=money)),
        )
        .order_by("warehouse__code")
    )
    return [
        {
            "warehouse": r["warehouse__code"],
            "yellow_lines": r["yellow_lines"],
            "yellow_qty": r["yellow_qty"] or 0,
            "yellow_value": Decimal(r["yellow_value"] or 0).quantize(CENT),
            "red_lines": r["red_lines"],
            "red_qty": r["red_qty"] or 0,
            "red_value": Decimal(r["red_value"] or 0).quantize(CENT),
        }
        for r in rows
    ]


def reorder_suggestions(
    user: User, *, warehouse: str, now: datetime, rules: PartsRules
) -> list[dict[str, Any]]:
    """P-6: what to reorder for one warehouse, from its rules and the last 90 days' use."""
    wh = warehouse_get(user, warehouse)
    since = now - timedelta(days=rules.reorder_lookback_days)
    stock = dict(
        StockBalance.objects.filter(warehouse=wh, bin__area="stock")
        .values("part_id")
        .annotate(n=Sum("qty"))
        .values_list("part_id", "n")
    )
    used: dict[int, int] = defaultdict(int)
    orders: dict[int, set[int]] = defaultdict(set)
    for part_id, qty, order_id in StockMove.objects.filter(
        warehouse=wh, kind=MoveKind.ISSUE.value, at__gte=since
    ).values_list("part_id", "qty", "doc__order_id"):
        used[part_id] += -qty
        if order_id:
            orders[part_id].add(order_id)
    rule_of = {r.part_id: r for r in ReorderRule.objects.filter(warehouse=wh)}
    ids = set(rule_of) | set(used)
    parts = Part.objects.in_bulk(ids)
    out = []
    for pid in sorted(ids, key=lambda i: parts[i].code):
        r = rule_of.get(pid)
        facts = rules_mod.ReorderFacts(
            on_hand=stock.get(pid, 0) or 0,
            used=used.get(pid, 0),
            orders=len(orders.get(pid, ())),
            min_qty=r.min_qty if r else None,
            max_qty=r.max_qty if r else None,
            reorder_point=r.reorder_point if r else None,
            reorder_qty=r.reorder_qty if r else None,
        )
        s = rules_mod.reorder_suggestion(facts, rules)
        if s is None:
            continue
        out.append(
            {
                "part": parts[pid].code,
                "name": parts[pid].name,
                "on_hand": facts.on_hand,
                "used": facts.used,
                "orders": facts.orders,
                "quantity": s.quantity,
                "reason": s.reason,
                "frequently_failing": s.frequently_failing,
            }
        )
    out.sort(key=lambda x: (not x["frequently_failing"], x["part"]))
    return out


def accounts(user: User, *, rules: PartsRules) -> list[dict[str, Any]]:
    """P-7: each visible outlet's parts-account balance and whether it is below the alert."""
    sums = dict(
        AccountEntry.objects.values("outlet_id")
        .annotate(total=Sum("amount"))
        .values_list("outlet_id", "total")
    )
    out = []
    for o in outlets_for_user(user).order_by("code"):
        balance = Decimal(sums.get(o.pk) or 0).quantize(CENT)
        out.append(
            {
                "outlet": o.code,
                "name": o.name,
                "balance": balance,
                "currency": rules.currency,
                "alert": rules_mod.account_alert(balance, rules),
                "threshold": rules.account_alert,
            }
        )
    return out


def account_entries(user: User) -> QuerySet[AccountEntry]:
    """P-7 movements of the parts accounts the caller may see, newest first."""
    return (
        AccountEntry.objects.filter(outlet__in=outlets_for_user(user))
        .select_related("outlet", "actor")
        .order_by("-at", "-pk")
    )


def old_part_returns(user: User, *, overdue_only: bool = False, now: datetime) -> QuerySet[Any]:
    qs = OldPartReturn.objects.select_related("order", "part", "technician", "outlet")
    if not sees_whole_network(user):
        roles = user.role_set
        q = Q(pk__in=[])
        if roles & _OUTLET_READERS and user.outlet_id is not None:
            q |= Q(outlet_id=user.outlet_id)
        if Role.TECHNICIAN in roles:
            q |= Q(technician_id=user.pk)
        qs = qs.filter(q)
    if overdue_only:
        qs = qs.filter(returned_at__isnull=True, due_at__lt=now)
    return qs


def overdue_by_technician(user: User, *, now: datetime) -> dict[str, int]:
    """P-8: overdue old-part returns per technician."""
    out: dict[str, int] = defaultdict(int)
    for r in old_part_returns(user, overdue_only=True, now=now):
        out[r.technician.username if r.technician else "—"] += 1
    return dict(sorted(out.items()))


def oow_ratio(user: User, *, month: str | None = None) -> list[dict[str, Any]]:
    """P-9: out-of-warranty parts value / all parts value issued on orders, per outlet and month.

    The warranty verdict is the order's (W-1, `order_warranty`)."""
    qs = StockMove.objects.filter(kind=MoveKind.ISSUE.value, doc__order__isnull=False).filter(
        doc__order__outlet__in=outlets_for_user(user)
    )
    rows = qs.values_list(
        "doc__order_id", "doc__order__outlet__code", "at", "qty", "unit_cost"
    ).order_by()
    per: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    verdicts: dict[int, bool] = {}
    from aftersales.orders.models import Order

    order_ids = {r[0] for r in rows}
    orders = Order.objects.select_related("product").in_bulk(order_ids)
    for oid, v in orders_warranty(orders.values()).items():
        verdicts[oid] = v.in_warranty
    for oid, outlet, at, qty, cost in rows:
        m = rules_mod.month_of(at.astimezone(tz()).date())
        if month and m != month:
            continue
        value = -qty * cost
        acc = per[(outlet, m)]
        acc[1] += value
        if not verdicts[oid]:
            acc[0] += value
    return [
        {
            "outlet": o,
            "month": m,
            "oow_value": v[0].quantize(CENT),
            "total_value": v[1].quantize(CENT),
            "ratio": rules_mod.oow_ratio(v[0], v[1]),
        }
        for (o, m), v in sorted(per.items())
    ]


def counts_for_user(user: User) -> QuerySet[StockCount]:
    return StockCount.objects.filter(warehouse__in=warehouses_for_user(user)).select_related(
        "warehouse"
    )


def count_get(user: User, pk: int) -> StockCount:
    c = counts_for_user(user).filter(pk=pk).first()
    if c is None:
        raise DomainError("not_found", f"No stock count {pk}.", status=404)
    return c


def value_of(qs: QuerySet[StockBalance]) -> Decimal:
    v = qs.aggregate(v=Sum(F("qty") * F("part__unit_cost")))["v"]
    return v or Decimal(0)
