"""Dispatch commands: assign (D-1, O-4), propose/accept/move a day plan (D-2), replan (O-18).

The planner only proposes: assignments are written when a dispatcher accepts, and every
assignment goes through `orders.services.order_act(action="assign")`, which holds the
O-4 reason rule, the reassignment flag, the version check and the event.
"""

from __future__ import annotations

import time as time_module
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Outlet, User
from aftersales.domain import dispatch as rules
from aftersales.domain import dispatch_vrp as vrp
from aftersales.domain.codes import Role, ServiceMode, Status
from aftersales.domain.dispatch_travel import Geocoder, NullGeocoder, Site, StraightLineTravel
from aftersales.domain.errors import DomainError, conflict
from aftersales.orders.inputs import parse
from aftersales.orders.models import Order
from aftersales.orders.selectors import order_get_for_user, sees_whole_network
from aftersales.orders.services import order_act

from .inputs import TechnicianIn
from .models import DispatchSettings, PlanLine, PlanProposal, ServiceDuration, TechnicianProfile

DISPATCHERS = frozenset({Role.DISPATCHER, Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
PLANNABLE = (Status.RECEIVED, Status.ASSIGNED, Status.CONTACTED, Status.PENDING)
STARTED = (Status.ON_THE_WAY, Status.ON_SITE)
FIELD_MODES = (ServiceMode.ON_SITE, ServiceMode.PICKUP)

REASONS = {
    "no_coordinates": gettext_lazy("The order has no coordinates: enter them on the order."),
    "no_qualified_technician": gettext_lazy(
        "No technician of the outlet has this skill and region."
    ),
    "no_technician_on_shift": gettext_lazy("No qualified technician works that day."),
    "window_unreachable": gettext_lazy("No qualified technician can reach the agreed window."),
    "shift_too_short": gettext_lazy("No qualified technician's shift is long enough."),
    "no_room": gettext_lazy("No room left in any qualified technician's day."),
}


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def geocoder() -> Geocoder:
    """The geocoding backend: `settings.DISPATCH_GEOCODER` (a dotted class path) or none."""
    path = getattr(settings, "DISPATCH_GEOCODER", "")
    if not path:
        return NullGeocoder()
    cls = import_string(path)
    return cast(Geocoder, cls())


def current_dispatch_policy() -> rules.DispatchPolicy:
    row = DispatchSettings.objects.order_by("pk").first()
    return row.as_policy() if row else rules.DispatchPolicy()


def travel_model(policy: rules.DispatchPolicy) -> StraightLineTravel:
    return StraightLineTravel(road_factor=policy.road_factor, speed_kmh=policy.speed_kmh)


def reason_text(code: str) -> str:
    if code.startswith("rejected_"):
        return _("Taken off the plan by the validator (%(rule)s).") % {"rule": code[9:]}
    return str(REASONS.get(code, code))


def require_dispatcher(actor: User) -> None:
    if not actor.role_set & DISPATCHERS:
        raise DomainError("forbidden", _("Only dispatchers plan and assign."), status=403)


def outlet_for(actor: User, code: str | None) -> Outlet:
    if code:
        outlet = Outlet.objects.filter(code=code).first()
        if outlet is None:
            raise DomainError(
                "unknown_outlet", _("No outlet %(code)s.") % {"code": code}, fields={"outlet": code}
            )
    elif actor.outlet is not None:
        outlet = actor.outlet
    else:
        raise DomainError(
            "outlet_required", _("Choose an outlet."), fields={"outlet": _("Required.")}
        )
    if not sees_whole_network(actor) and actor.outlet_id != outlet.pk:
        raise DomainError("not_found", _("No outlet %(code)s.") % {"code": code}, status=404)
    assert outlet is not None
    return outlet


# --------------------------------------------------------------------------- technicians


def technician_users(outlet: Outlet | None = None) -> list[User]:
    qs = User.objects.filter(is_active=True).select_related("outlet").order_by("username")
    if outlet is not None:
        qs = qs.filter(outlet=outlet)
    return [u for u in qs if Role.TECHNICIAN in u.role_set]


def technician_facts(
    users: list[User], *, day: date, now: datetime, policy: rules.DispatchPolicy
) -> list[rules.Technician]:
    ids = [u.pk for u in users]
    open_q = Q(assigned_orders__status__in=[s.value for s in PLANNABLE + STARTED])
    week = now - timedelta(days=policy.fairness_days)
    counts: dict[int, dict[str, int]] = {
        pk: {"open_jobs": open_jobs, "week_jobs": week_jobs}
        for pk, open_jobs, week_jobs in User.objects.filter(pk__in=ids)
        .annotate(
            open_jobs=Count("assigned_orders", filter=open_q),
            week_jobs=Count("assigned_orders", filter=Q(assigned_orders__assigned_at__gte=week)),
        )
        .values_list("pk", "open_jobs", "week_jobs")
    }
    profiles = {p.user_id: p for p in TechnicianProfile.objects.filter(user_id__in=ids)}
    out = []
    for u in users:
        p = profiles.get(u.pk) or TechnicianProfile(user=u)
        home = (
            Site(p.home_latitude, p.home_longitude)
            if p.home_latitude is not None and p.home_longitude is not None
            else None
        )
        out.append(
            rules.Technician(
                username=u.username,
                outlet=u.outlet.code if u.outlet else "",
                skills=p.skill_list(),
                regions=frozenset(p.regions or []),
                home=home,
                shift=p.shift_on(day),
                max_jobs=p.max_jobs_per_day,
                open_jobs=counts.get(u.pk, {}).get("open_jobs", 0),
                week_jobs=counts.get(u.pk, {}).get("week_jobs", 0),
            )
        )
    return out


def order_facts(order: Order) -> rules.OrderFacts:
    site = (
        Site(order.latitude, order.longitude)
        if order.latitude is not None and order.longitude is not None
        else None
    )
    return rules.OrderFacts(
        number=order.number,
        outlet=order.outlet.code,
        category=order.category,
        region=order.region,
        site=site,
        priority=order.priority,
        sla_due_at=order.sla_due_at,
        assignee=order.assignee.username if order.assignee else None,
    )


# --------------------------------------------------------------------------- D-1 assignment


def order_candidates(*, actor: User, number: str, now: datetime) -> rules.Suggestion:
    require_dispatcher(actor)
    order = order_get_for_user(actor, number)
    policy = current_dispatch_policy()
    day = now.astimezone(tz()).date()
    techs = technician_facts(technician_users(order.outlet), day=day, now=now, policy=policy)
    return rules.candidates(
        order_facts(order), techs, travel=travel_model(policy), now=now, policy=policy
    )


def order_assign(
    *,
    actor: User,
    number: str,
    technician: str,
    reason: str = "",
    version: int | None = None,
    now: datetime,
) -> Order:
    """Manual assign / reassign (O-4): the reason rule and flag live in order_act."""
    require_dispatcher(actor)
    return order_act(
        actor=actor,
        number=number,
        action="assign",
        payload={"technician": technician, "reason": reason},
        version=version,
        now=now,
    )


def order_auto_assign(
    *, actor: User, number: str, reason: str = "", version: int | None = None, now: datetime
) -> tuple[Order, rules.Candidate]:
    """D-1: assign the best-scored candidate; the event records the score parts."""
    sug = order_candidates(actor=actor, number=number, now=now)
    best = sug.best
    if best is None:
        raise conflict(
            "no_candidate",
            _("No qualified technician is available for this order."),
            excluded=sug.excluded,
        )
    parts = ", ".join(f"{k} {v:+g}" for k, v in best.parts.items())
    why = _("Automatic: score %(score)s (%(parts)s)") % {"score": best.score, "parts": parts}
    order = order_assign(
        actor=actor,
        number=number,
        technician=best.username,
        reason=(reason + " — " if reason else "") + why,
        version=version,
        now=now,
    )
    return order, best


# --------------------------------------------------------------------------- D-2 planning


@dataclass
class Built:
    problem: vrp.Problem
    orders: dict[str, Order]
    users: dict[str, User]
    day_start: datetime
    agreed: set[str]
    fixed: list[Order] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _durations() -> dict[tuple[str, str], int]:
    return {(d.category, d.service_type): d.minutes for d in ServiceDuration.objects.all()}


def plannable_orders(outlet: Outlet, day: date) -> list[Order]:
    start = datetime.combine(day, time(0), tz())
    end = start + timedelta(days=1)
    qs = (
        Order.objects.filter(
            outlet=outlet,
            status__in=[s.value for s in PLANNABLE],
            service_mode__in=[m.value for m in FIELD_MODES],
        )
        .filter(
            Q(appointment_start__gte=start, appointment_start__lt=end)
            | Q(appointment_start__isnull=True, status__in=[Status.RECEIVED, Status.ASSIGNED])
        )
        .select_related("assignee", "outlet")
        .order_by("created_at", "pk")
    )
    return list(qs)


def build_problem(
    *,
    outlet: Outlet,
    day: date,
    now: datetime,
    policy: rules.DispatchPolicy,
    from_now: bool = False,
    delays: dict[str, int] | None = None,
    urgent: set[str] | None = None,
) -> Built:
    day_start = datetime.combine(day, time(0), tz())
    travel = travel_model(policy)
    durations = _durations()
    orders = plannable_orders(outlet, day)
    users = {u.username: u for u in technician_users(outlet)}
    profiles = {p.user_id: p for p in TechnicianProfile.objects.filter(user__in=users.values())}
    now_s = rules.seconds_of_day(now, day_start)
    notes: list[str] = []
    fixed: list[Order] = []
    starts: dict[str, tuple[Site, int]] = {}
    if from_now:
        # Started jobs stay where they are: their technician is free after them, there.
        for o in Order.objects.filter(
            outlet=outlet, status__in=[s.value for s in STARTED], assignee__isnull=False
        ).select_related("assignee"):
            fixed.append(o)
            if o.latitude is None or o.longitude is None or o.assignee is None:
                continue
            minutes = durations.get((o.category, o.service_type), policy.default_service_minutes)
            begun = o.arrived_at or now
            free = max(now_s, rules.seconds_of_day(begun, day_start) + minutes * 60)
            if o.status == Status.ON_THE_WAY:
                free = now_s + minutes * 60 + 15 * 60
            starts[o.assignee.username] = (Site(o.latitude, o.longitude), free)
    vehicles = []
    for name, u in users.items():
        p = profiles.get(u.pk)
        if p is None or not p.active:
            notes.append(_("%(tech)s has no technician profile.") % {"tech": name})
            continue
        span = p.shift_on(day)
        home = (
            Site(p.home_latitude, p.home_longitude)
            if p.home_latitude is not None and p.home_longitude is not None
            else None
        )
        if home is None:
            notes.append(_("%(tech)s has no home base coordinates.") % {"tech": name})
        shift = None
        start_site = home
        if span is not None:
            s0 = rules.seconds_of_day(datetime.combine(day, span[0], tz()), day_start)
            s1 = rules.seconds_of_day(datetime.combine(day, span[1], tz()), day_start)
            if from_now:
                s0 = max(s0, now_s)
            if name in starts:
                start_site, s0 = starts[name][0], max(s0, starts[name][1])
            s0 += (delays or {}).get(name, 0) * 60
            shift = (s0, s1) if s1 > s0 else None
        else:
            notes.append(_("%(tech)s has no shift that day.") % {"tech": name})
        vehicles.append(
            vrp.Vehicle(
                id=name,
                start=start_site,
                end=home,
                shift=shift,
                skills=frozenset(s.category for s in p.skill_list()),
                regions=frozenset(p.regions or []),
                outlet=outlet.code,
                capacity=p.max_jobs_per_day,
            )
        )
    jobs = []
    agreed: set[str] = set()
    geo = geocoder()
    for rank, o in enumerate(orders):
        window = None
        if o.appointment_start and o.appointment_end:
            window = (
                rules.seconds_of_day(o.appointment_start, day_start),
                rules.seconds_of_day(o.appointment_end, day_start),
            )
            agreed.add(o.number)
            if from_now and window[1] < now_s:
                continue  # its window has passed: the clerk board shows it at risk
        minutes = durations.get((o.category, o.service_type), policy.default_service_minutes)
        site = (
            Site(o.latitude, o.longitude)
            if o.latitude is not None and o.longitude is not None
            else geo.locate(o.address, o.region)
        )
        pinned = ""
        if o.assignee is not None and o.assignee.username in users:
            pinned = o.assignee.username
            prof = profiles.get(o.assignee.pk)
            if prof is None or prof.shift_on(day) is None:
                pinned = ""  # the assignee is off: the plan may give it to someone else
        priority = "urgent" if urgent and o.number in urgent else o.priority
        if urgent and o.number in urgent and window is None:
            # O-17: on site within the response time (relaxed by `replan` if nobody can).
            window = (now_s, now_s + policy.urgent_response_minutes * 60)
        jobs.append(
            vrp.Job(
                id=o.number,
                site=site,
                service=minutes * 60,
                window=window,
                category=o.category,
                region=o.region,
                outlet=outlet.code,
                prize=rules.prize(priority, o.sla_due_at, now, policy, agreed=o.number in agreed),
                arrival_rank=rank,
                pinned=pinned,
            )
        )
    problem = vrp.Problem(jobs, vehicles, travel)
    return Built(problem, {o.number: o for o in orders}, users, day_start, agreed, fixed, notes)


def _figures(plan: vrp.PlanResult, built: Built, baseline: vrp.PlanResult | None) -> dict[str, Any]:
    total = len(built.problem.jobs)
    out: dict[str, Any] = {
        "orders": total,
        "served": plan.served,
        "unplanned": total - plan.served,
        "served_share": round(plan.served / total, 4) if total else 1.0,
        "travel_km": round(plan.distance / 1000, 2),
        "technicians": len(built.problem.vehicles),
        "technicians_used": len(plan.routes),
        "solver_violations": len(plan.solver_violations),
        "runtime_s": round(plan.runtime, 2),
        "fixed_started": len(built.fixed),
    }
    if baseline is not None:
        out["greedy_served"] = baseline.served
        out["greedy_travel_km"] = round(baseline.distance / 1000, 2)
    return out


def _save(
    *,
    actor: User,
    outlet: Outlet,
    day: date,
    built: Built,
    plan: vrp.PlanResult,
    kind: str,
    seconds: float,
    now: datetime,
    must_call: list[dict[str, Any]] | None = None,
) -> PlanProposal:
    baseline = vrp.greedy(built.problem) if kind == "plan" else None
    with transaction.atomic():
        PlanProposal.objects.filter(
            outlet=outlet, day=day, state=PlanProposal.State.PROPOSED
        ).update(state=PlanProposal.State.SUPERSEDED)
        prop = PlanProposal.objects.create(
            day=day,
            outlet=outlet,
            kind=kind,
            created_by=actor if actor.pk else None,
            created_at=now,
            seconds=seconds,
            valid=plan.valid,
            figures=_figures(plan, built, baseline),
            unplanned=[
                {"order": n, "reason": r, "message": reason_text(r)}
                for n, r in sorted(plan.unplanned.items())
            ],
            violations=[v.__dict__ for v in plan.solver_violations],
            must_call=must_call or [],
            notes=built.notes,  # the engine's own notes repeat these, untranslated
        )
        lines = []
        for route in plan.routes:
            tech = built.users[route.vehicle]
            for seq, stop in enumerate(route.stops):
                o = built.orders[stop.job]
                lines.append(
                    PlanLine(
                        proposal=prop,
                        order=o,
                        order_version=o.version,
                        technician=tech,
                        seq=seq,
                        arrival=built.day_start + timedelta(seconds=stop.arrival),
                        start=built.day_start + timedelta(seconds=stop.start),
                        end=built.day_start + timedelta(seconds=stop.end),
                        travel_m=stop.travel_distance,
                        window_agreed=stop.job in built.agreed,
                    )
                )
        PlanLine.objects.bulk_create(lines)
    return prop


def plan_propose(
    *,
    actor: User,
    day: date,
    outlet: str | None = None,
    seconds: float | None = None,
    now: datetime,
) -> PlanProposal:
    """D-2: propose a day for an outlet; writes a proposal, never an assignment."""
    require_dispatcher(actor)
    out = outlet_for(actor, outlet)
    policy = current_dispatch_policy()
    secs = float(seconds if seconds is not None else policy.plan_seconds)
    if not 0.1 <= secs <= 120:
        raise DomainError(
            "validation", _("Seconds between 0.1 and 120."), fields={"seconds": "0.1–120"}
        )
    built = build_problem(outlet=out, day=day, now=now, policy=policy)
    plan = vrp.solve(built.problem, seconds=secs)
    return _save(
        actor=actor, outlet=out, day=day, built=built, plan=plan, kind="plan", seconds=secs, now=now
    )


def plan_get(actor: User, pk: int) -> PlanProposal:
    prop = PlanProposal.objects.select_related("outlet").filter(pk=pk).first()
    if (
        prop is None
        or not (sees_whole_network(actor) or actor.outlet_id == prop.outlet_id)
        or not actor.role_set & DISPATCHERS
    ):
        raise DomainError("not_found", _("No plan %(pk)s.") % {"pk": pk}, status=404)
    return prop


def plan_accept(
    *,
    actor: User,
    pk: int,
    lines: list[int] | None = None,
    version: int | None = None,
    now: datetime,
) -> PlanProposal:
    """Accept all or some lines: each becomes an assign through order_act (if the order is
    not already that technician's). A line whose order changed since the plan is refused."""
    require_dispatcher(actor)
    with transaction.atomic():
        prop = plan_get(actor, pk)
        prop = PlanProposal.objects.select_for_update().get(pk=prop.pk)
        if prop.state == PlanProposal.State.SUPERSEDED:
            raise conflict("plan_superseded", _("A newer plan replaced this one."))
        if version is not None and version != prop.version:
            raise conflict("stale_version", _("The plan changed meanwhile; reload it."))
        todo = prop.lines.filter(state=PlanLine.State.PROPOSED).select_related(
            "order", "technician"
        )
        if lines is not None:
            known = set(prop.lines.values_list("pk", flat=True))
            unknown = [x for x in lines if x not in known]
            if unknown:
                raise DomainError(
                    "unknown_line",
                    _("Lines %(ids)s are not in this plan.") % {"ids": unknown},
                    fields={"lines": str(unknown)},
                )
            todo = todo.filter(pk__in=lines)
        for line in todo:
            order = line.order
            try:
                with transaction.atomic():
                    if order.assignee_id != line.technician_id:
                        reason = _("Day plan #%(plan)s for %(day)s") % {
                            "plan": prop.pk,
                            "day": prop.day.isoformat(),
                        }
                        order_act(
                            actor=actor,
                            number=order.number,
                            action="assign",
                            payload={"technician": line.technician.username, "reason": reason},
                            version=line.order_version,
                            now=now,
                        )
                    elif order.version != line.order_version:
                        fresh = Order.objects.filter(pk=order.pk).values_list("version", flat=True)
                        if fresh and fresh[0] != line.order_version:
                            raise conflict("stale_version", _("The order changed since the plan."))
                line.state = PlanLine.State.ACCEPTED
                line.message = ""
            except DomainError as exc:
                line.state = PlanLine.State.REFUSED
                line.message = str(exc.message)[:300]
            line.save(update_fields=["state", "message"])
        left = prop.lines.exclude(state=PlanLine.State.ACCEPTED).exists()
        prop.state = PlanProposal.State.PARTLY if left else PlanProposal.State.ACCEPTED
        prop.version += 1
        prop.save(update_fields=["state", "version"])
    return prop


def plan_move(
    *,
    actor: User,
    pk: int,
    line: int,
    technician: str,
    position: int | None = None,
    now: datetime,
) -> PlanProposal:
    """Drag and drop: move a proposed line to another technician (or place); the new
    routes are validated and the move refused if it breaks a hard rule."""
    require_dispatcher(actor)
    with transaction.atomic():
        prop = plan_get(actor, pk)
        prop = PlanProposal.objects.select_for_update().get(pk=prop.pk)
        if prop.state == PlanProposal.State.SUPERSEDED:
            raise conflict("plan_superseded", _("A newer plan replaced this one."))
        moving = prop.lines.filter(pk=line).select_related("order").first()
        if moving is None:
            raise DomainError("not_found", _("No such line in this plan."), status=404)
        if moving.state != PlanLine.State.PROPOSED:
            raise conflict("line_not_proposed", _("Only proposed lines can be moved."))
        policy = current_dispatch_policy()
        built = build_problem(
            outlet=prop.outlet,
            day=prop.day,
            now=now,
            policy=policy,
            from_now=prop.kind == "replan",
        )
        if technician not in built.users:
            raise DomainError(
                "unknown_technician",
                _("No technician %(t)s at this outlet.") % {"t": technician},
                fields={"technician": technician},
            )
        # The moved order may be pinned to its current assignee; a drop overrides that.
        built.problem.jobs = [
            vrp.Job(**{**j.__dict__, "pinned": ""}) if j.id == moving.order.number else j
            for j in built.problem.jobs
        ]
        routes: dict[str, list[str]] = {}
        for ln in prop.lines.select_related("order", "technician").order_by("technician_id", "seq"):
            if ln.pk != moving.pk:
                routes.setdefault(ln.technician.username, []).append(ln.order.number)
        target = routes.setdefault(technician, [])
        pos = len(target) if position is None else max(0, min(position, len(target)))
        target.insert(pos, moving.order.number)
        checked = vrp.validate(built.problem, list(routes.items()))
        if checked.violations:
            raise conflict(
                "move_breaks_rule",
                _("This move breaks a hard rule: %(why)s")
                % {"why": "; ".join(v.message for v in checked.violations[:3])},
                fields={"technician": checked.violations[0].code},
            )
        by_order = {ln.order.number: ln for ln in prop.lines.select_related("order")}
        for r in checked.routes:
            tech = built.users[r.vehicle]
            for seq, stop in enumerate(r.stops):
                ln = by_order[stop.job]
                ln.technician = tech
                ln.seq = seq
                ln.arrival = built.day_start + timedelta(seconds=stop.arrival)
                ln.start = built.day_start + timedelta(seconds=stop.start)
                ln.end = built.day_start + timedelta(seconds=stop.end)
                ln.travel_m = stop.travel_distance
                ln.save(update_fields=["technician", "seq", "arrival", "start", "end", "travel_m"])
        prop.figures = {**prop.figures, "travel_km": round(checked.distance / 1000, 2)}
        prop.version += 1
        prop.save(update_fields=["figures", "version"])
    return prop


def _relax_urgent(built: Built, number: str, policy: rules.DispatchPolicy) -> None:
    """O-17: when no technician can be on site within the response time, plan the urgent
    order as early as possible instead, and say so (the customer gets an apology)."""
    if number in built.agreed:
        return
    jobs = built.problem.jobs
    i = next(k for k, j in enumerate(jobs) if j.id == number)
    probe = vrp.Problem([jobs[i]], built.problem.vehicles, built.problem.travel)
    _ok, why = vrp.precheck(probe)
    if number in why:
        jobs[i] = vrp.Job(**{**jobs[i].__dict__, "window": None})
        built.notes.append(
            _(
                "O-17: nobody can be at %(n)s within %(m)s minutes; it is planned as early "
                "as possible — apologise to the customer."
            )
            % {"n": number, "m": policy.urgent_response_minutes}
        )


def replan(
    *,
    actor: User,
    outlet: str | None = None,
    urgent_order: str | None = None,
    delay_technician: str | None = None,
    delay_minutes: int = 0,
    seconds: float | None = None,
    now: datetime,
) -> PlanProposal:
    """O-18: replan the rest of today keeping started jobs fixed, with an urgent order or a
    technician's delay; lists the customers whose agreed window must move."""
    require_dispatcher(actor)
    started = time_module.monotonic()
    out = outlet_for(actor, outlet)
    policy = current_dispatch_policy()
    day = now.astimezone(tz()).date()
    urgent: set[str] = set()
    if urgent_order:
        o = order_get_for_user(actor, urgent_order)
        if o.outlet_id != out.pk:
            raise DomainError(
                "other_outlet",
                _("The order belongs to another outlet."),
                fields={"urgent_order": "outlet"},
            )
        urgent.add(o.number)
    delays: dict[str, int] = {}
    if delay_technician:
        if not technician_users(out) or delay_technician not in {
            u.username for u in technician_users(out)
        }:
            raise DomainError(
                "unknown_technician",
                _("No technician %(t)s at this outlet.") % {"t": delay_technician},
                fields={"delay_technician": delay_technician},
            )
        if not 0 < delay_minutes <= 600:
            raise DomainError(
                "validation", _("A delay is 1–600 minutes."), fields={"delay_minutes": "1–600"}
            )
        delays[delay_technician] = delay_minutes
    secs = float(seconds if seconds is not None else policy.replan_seconds)
    built = build_problem(
        outlet=out, day=day, now=now, policy=policy, from_now=True, delays=delays, urgent=urgent
    )
    for n in urgent:
        if n not in built.orders:
            raise conflict(
                "not_plannable",
                _("Order %(n)s is not an on-site order waiting for a visit today.") % {"n": n},
            )
        _relax_urgent(built, n, policy)
    before_prop = (
        PlanProposal.objects.filter(outlet=out, day=day)
        .exclude(state=PlanProposal.State.SUPERSEDED)
        .order_by("-created_at", "-pk")
        .first()
    )
    before: dict[str, str] = {}
    initial: dict[str, list[str]] = {}
    if before_prop is not None:
        for ln in before_prop.lines.select_related("order", "technician").order_by("seq"):
            before[ln.order.number] = ln.technician.username
            initial.setdefault(ln.technician.username, []).append(ln.order.number)
    # The plan in force is the warm start: the search only has to fit the change in.
    # The time budget covers the whole replan: reading the day and saving it included.
    left = secs - (time_module.monotonic() - started) - 0.1
    plan = vrp.solve(built.problem, seconds=max(0.3, left), initial=initial)
    # Orders holding an agreed window today that the new plan cannot keep.
    after = plan.assignment()
    call = set(rules.windows_to_move(before, after, built.agreed))
    call |= {n for n in built.agreed if n not in after}
    must_call = [
        {
            "order": n,
            "contact": built.orders[n].contact_name,
            "reason": reason_text(plan.unplanned.get(n, "no_room")),
        }
        for n in sorted(call)
        if n in built.orders
    ]
    return _save(
        actor=actor,
        outlet=out,
        day=day,
        built=built,
        plan=plan,
        kind="replan",
        seconds=secs,
        now=now,
        must_call=must_call,
    )


# --------------------------------------------------------------------------- profiles


def technician_get(actor: User, username: str) -> User:
    """A technician the caller may see: themselves, or one of their outlet (or any, for
    people who oversee the network)."""
    u = User.objects.filter(username=username, is_active=True).select_related("outlet").first()
    visible = (
        u is not None
        and Role.TECHNICIAN in u.role_set
        and (
            sees_whole_network(actor)
            or actor.pk == u.pk
            or (actor.role_set & DISPATCHERS and actor.outlet_id == u.outlet_id)
        )
    )
    if not visible:
        raise DomainError("not_found", _("No technician %(t)s.") % {"t": username}, status=404)
    assert u is not None
    return u


def technician_update(*, actor: User, username: str, data: Any, now: datetime) -> TechnicianProfile:
    """Edit a technician's skills, regions, home base, shifts, days off and daily maximum."""
    if not actor.role_set & (DISPATCHERS - {Role.CLERK}):
        raise DomainError(
            "forbidden", _("Dispatchers, supervisors and managers edit technicians."), status=403
        )
    u = technician_get(actor, username)
    inp = parse(TechnicianIn, data)
    if (inp.home_latitude is None) != (inp.home_longitude is None):
        raise DomainError(
            "validation",
            _("Give both coordinates of the home base, or neither."),
            fields={"home_longitude": _("Both or neither.")},
        )
    with transaction.atomic():
        prof, _created = TechnicianProfile.objects.select_for_update().get_or_create(user=u)
        prof.skills = [s.model_dump() for s in inp.skills]
        prof.regions = inp.regions
        prof.home_latitude = inp.home_latitude
        prof.home_longitude = inp.home_longitude
        prof.shifts = {
            d: [s.strftime("%H:%M"), e.strftime("%H:%M")] for d, (s, e) in inp.shifts.items()
        }
        prof.days_off = sorted({d.isoformat() for d in inp.days_off})
        prof.max_jobs_per_day = inp.max_jobs_per_day
        prof.active = inp.active
        prof.save()
    return prof
