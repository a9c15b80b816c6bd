"""Reads for the boards: the clerk's board (D-3), the technician's day (D-4), fairness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q

from aftersales.accounts.models import Outlet, User
from aftersales.domain import dispatch as rules
from aftersales.domain.codes import CARRY_IN_MODES, OPEN_STATUSES, Role, Status
from aftersales.domain.results import ResultKind
from aftersales.orders.models import Order
from aftersales.orders.selectors import orders_for_user, sees_personal_data

from .models import PlanLine, PlanProposal, TechnicianProfile
from .services import current_dispatch_policy, technician_facts, technician_users, tz

WORKING = [s.value for s in OPEN_STATUSES if s not in (Status.COMPLETED, Status.REVISITED)]


@dataclass
class BoardRow:
    number: str
    contact: str
    status: str
    assignee: str
    appointment: datetime | None
    appointment_end: datetime | None
    sla_due_at: datetime
    risk: str | None
    flags: list[str] = field(default_factory=list)


def _row(o: Order, now: datetime, policy: rules.DispatchPolicy) -> BoardRow:
    flags = []
    if o.reassigned_flag:
        flags.append("reassigned")
    if o.escalation_level:
        flags.append("escalated")
    if o.multiple_contacts:
        flags.append("multiple_contacts")
    return BoardRow(
        number=o.number,
        contact=o.contact_name,
        status=o.status,
        assignee=str(o.assignee) if o.assignee else "",
        appointment=o.appointment_start,
        appointment_end=o.appointment_end,
        sla_due_at=o.sla_due_at,
        risk=rules.at_risk(
            now=now,
            sla_due_at=o.sla_due_at,
            window_end=o.appointment_end,
            arrived=o.arrived_at is not None,
            policy=policy,
        ),
        flags=flags,
    )


def clerk_people(actor: User) -> list[User]:
    """Whose board the caller may open: their own, or (supervisors and up) their outlet's."""
    if not actor.role_set & {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}:
        return [actor]
    qs = User.objects.filter(is_active=True).order_by("username")
    if actor.outlet_id is not None:
        qs = qs.filter(outlet_id=actor.outlet_id)
    return [u for u in qs if u.role_set & {Role.CLERK, Role.DISPATCHER}] or [actor]


def clerk_board(actor: User, person: User, *, now: datetime) -> dict[str, list[BoardRow]]:
    """D-3 for one person: the open orders they received, in four lists plus the at-risk."""
    policy = current_dispatch_policy()
    base = (
        orders_for_user(actor)
        .filter(received_by=person, status__in=WORKING)
        .select_related("assignee")
        .order_by("sla_due_at", "pk")
    )
    tomorrow = datetime.combine(now.astimezone(tz()).date() + timedelta(days=1), time(0), tz())
    sections = {
        "carry_in": base.filter(service_mode__in=[m.value for m in CARRY_IN_MODES]),
        "tomorrow": base.filter(
            appointment_start__gte=tomorrow, appointment_start__lt=tomorrow + timedelta(days=1)
        ).order_by("appointment_start"),
        "special": base.filter(
            Q(reassigned_flag=True) | Q(escalation_level__gt=0) | Q(multiple_contacts__gt=0)
        ),
        "waiting_parts": base.filter(
            status=Status.PENDING, last_result_kind=ResultKind.WAITING_PARTS
        ),
    }
    out = {k: [_row(o, now, policy) for o in qs[:200]] for k, qs in sections.items()}
    out["at_risk"] = [r for r in (_row(o, now, policy) for o in base[:2000]) if r.risk][:200]
    return out


@dataclass
class Job:
    number: str
    seq: int
    planned: datetime | None
    window: tuple[datetime, datetime] | None
    contact: str
    phones: list[str]
    address: str
    latitude: float | None
    longitude: float | None
    category: str
    fault: str
    status: str
    version: int
    actions: list[str]


NEXT_ACTIONS = {
    Status.ASSIGNED: [],
    Status.CONTACTED: ["start-travel", "arrive"],
    Status.PENDING: ["start-travel"],
    Status.ON_THE_WAY: ["arrive"],
    Status.ON_SITE: ["complete"],
}


def my_day(tech: User, *, day: date) -> list[Job]:
    """D-4: today's jobs in planned order: accepted plan lines first, then the other orders
    with a window today."""
    start = datetime.combine(day, time(0), tz())
    end = start + timedelta(days=1)
    lines = (
        PlanLine.objects.filter(
            technician=tech,
            proposal__day=day,
            state=PlanLine.State.ACCEPTED,
            order__assignee=tech,
        )
        .exclude(proposal__state=PlanProposal.State.SUPERSEDED)
        .select_related("order")
        .order_by("start", "pk")
    )
    planned: dict[str, datetime] = {}
    for ln in lines:
        planned[ln.order.number] = ln.start
    orders = list(
        Order.objects.filter(assignee=tech)
        .filter(
            Q(number__in=list(planned))
            | Q(appointment_start__gte=start, appointment_start__lt=end)
            | Q(status__in=[Status.ON_THE_WAY, Status.ON_SITE])
        )
        .distinct()
    )

    def key(o: Order) -> tuple[datetime, str]:
        return (planned.get(o.number) or o.appointment_start or o.created_at, o.number)

    out = []
    for i, o in enumerate(sorted(orders, key=key), start=1):
        show = sees_personal_data(tech, o)
        window = (
            (o.appointment_start, o.appointment_end)
            if o.appointment_start and o.appointment_end
            else None
        )
        out.append(
            Job(
                number=o.number,
                seq=i,
                planned=planned.get(o.number),
                window=window,
                contact=o.contact_name if show else "",
                phones=list(o.contact_phones or []) if show else [],
                address=o.address if show else "",
                latitude=o.latitude,
                longitude=o.longitude,
                category=o.category,
                fault=o.fault,
                status=o.status,
                version=o.version,
                actions=list(NEXT_ACTIONS.get(Status(o.status), [])),
            )
        )
    return out


def fairness(actor: User, outlet: Outlet, *, now: datetime) -> list[rules.Spread]:
    """D-1: jobs assigned per technician over the fairness window, by peer group."""
    policy = current_dispatch_policy()
    users = technician_users(outlet)
    since = now - timedelta(days=policy.fairness_days)
    counts = dict(
        User.objects.filter(pk__in=[u.pk for u in users])
        .annotate(n=Count("assigned_orders", filter=Q(assigned_orders__assigned_at__gte=since)))
        .values_list("username", "n")
    )
    techs = technician_facts(users, day=now.astimezone(tz()).date(), now=now, policy=policy)
    return rules.fairness_spread(counts, techs)


def technician_dict(u: User, prof: TechnicianProfile | None) -> dict[str, Any]:
    p = prof or TechnicianProfile(user=u)
    return {
        "username": u.username,
        "name": str(u),
        "outlet": u.outlet.code if u.outlet else None,
        "skills": [s.__dict__ for s in p.skill_list()],
        "regions": list(p.regions or []),
        "home_latitude": p.home_latitude,
        "home_longitude": p.home_longitude,
        "shifts": p.shifts or {},
        "days_off": list(p.days_off or []),
        "max_jobs_per_day": p.max_jobs_per_day,
        "active": p.active,
    }


def proposal_dict(prop: PlanProposal) -> dict[str, Any]:
    return {
        "id": prop.pk,
        "day": prop.day,
        "outlet": prop.outlet.code,
        "kind": prop.kind,
        "state": prop.state,
        "version": prop.version,
        "valid": prop.valid,
        "created_at": prop.created_at,
        "seconds": prop.seconds,
        "figures": prop.figures,
        "unplanned": prop.unplanned,
        "solver_violations": prop.violations,
        "must_call": prop.must_call,
        "notes": prop.notes,
        "lines": [
            {
                "id": ln.pk,
                "order": ln.order.number,
                "technician": ln.technician.username,
                "seq": ln.seq,
                "arrival": ln.arrival,
                "start": ln.start,
                "end": ln.end,
                "travel_km": round(ln.travel_m / 1000, 2),
                "window_agreed": ln.window_agreed,
                "state": ln.state,
                "message": ln.message,
            }
            for ln in prop.lines.select_related("order", "technician").order_by(
                "technician__username", "seq"
            )
        ],
    }
