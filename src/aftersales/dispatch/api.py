"""The app's API routers, mounted by aftersales.api.main under /api/v1.

/technicians … profiles; /dispatch … assign, reassign, auto-assign (D-1), fairness,
plans (propose, get, accept, move), replan, clerk board (D-3), my day (D-4).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from aftersales.accounts.models import User
from aftersales.api.common import ERRORS, json_body, user_of
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError
from aftersales.orders.inputs import parse

from . import inputs, selectors, services
from .models import TechnicianProfile

technicians = Router(tags=["technicians"])
dispatch = Router(tags=["dispatch"])


@technicians.get("", response={200: Any, **ERRORS}, summary="Technicians of an outlet")
def technician_list(request: HttpRequest, outlet: str | None = None) -> list[dict[str, Any]]:
    actor = user_of(request)
    if Role.TECHNICIAN in actor.role_set and not actor.role_set & services.DISPATCHERS:
        users = [actor]
    else:
        services.require_dispatcher(actor)
        users = services.technician_users(services.outlet_for(actor, outlet))
    profs = {p.user_id: p for p in TechnicianProfile.objects.filter(user__in=users)}
    now = timezone.now()
    policy = services.current_dispatch_policy()
    facts = {
        t.username: t
        for t in services.technician_facts(users, day=timezone.localdate(), now=now, policy=policy)
    }
    return [
        {
            **selectors.technician_dict(u, profs.get(u.pk)),
            "open_jobs": facts[u.username].open_jobs,
            "week_jobs": facts[u.username].week_jobs,
        }
        for u in users
    ]


@technicians.get("/{username}", response={200: Any, **ERRORS}, summary="One technician")
def technician_detail(request: HttpRequest, username: str) -> dict[str, Any]:
    u = services.technician_get(user_of(request), username)
    return selectors.technician_dict(u, TechnicianProfile.objects.filter(user=u).first())


@technicians.put(
    "/{username}",
    response={200: Any, **ERRORS},
    summary="Edit skills, regions, home base, shifts, days off, daily maximum",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": inputs.TechnicianIn.model_json_schema()}}
        }
    },
)
def technician_edit(request: HttpRequest, username: str) -> dict[str, Any]:
    prof = services.technician_update(
        actor=user_of(request), username=username, data=json_body(request), now=timezone.now()
    )
    return selectors.technician_dict(prof.user, prof)


def _order_out(order: Any) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "version": order.version,
        "assignee": order.assignee.username if order.assignee else None,
        "reassigned_flag": order.reassigned_flag,
    }


@dispatch.get(
    "/orders/{number}/candidates",
    response={200: Any, **ERRORS},
    summary="D-1 candidates with score parts",
)
def candidates(request: HttpRequest, number: str) -> dict[str, Any]:
    sug = services.order_candidates(actor=user_of(request), number=number, now=timezone.now())
    return {
        "order": sug.order,
        "candidates": [c.__dict__ for c in sug.candidates],
        "excluded": sug.excluded,
    }


@dispatch.post(
    "/orders/{number}/assign", response={200: Any, **ERRORS}, summary="Assign or reassign (O-4)"
)
def assign(request: HttpRequest, number: str) -> dict[str, Any]:
    return assign_with(request, number, parse(inputs.AssignIn, json_body(request)))


@dispatch.post(
    "/orders/{number}/reassign",
    response={200: Any, **ERRORS},
    summary="Reassign (改派): a reason is required",
)
def reassign(request: HttpRequest, number: str) -> dict[str, Any]:
    data = parse(inputs.AssignIn, json_body(request))
    if not data.reason:
        raise DomainError(
            "reason_required",
            "A reassignment needs a reason.",
            fields={"reason": "Say why the order is reassigned."},
        )
    return assign_with(request, number, data)


def assign_with(request: HttpRequest, number: str, data: inputs.AssignIn) -> dict[str, Any]:
    order = services.order_assign(
        actor=user_of(request),
        number=number,
        technician=data.technician,
        reason=data.reason,
        version=data.version,
        now=timezone.now(),
    )
    return _order_out(order)


@dispatch.post(
    "/orders/{number}/auto-assign",
    response={200: Any, **ERRORS},
    summary="D-1: assign the best-scored candidate",
)
def auto_assign(request: HttpRequest, number: str) -> dict[str, Any]:
    data = parse(inputs.AutoAssignIn, json_body(request))
    order, best = services.order_auto_assign(
        actor=user_of(request),
        number=number,
        reason=data.reason,
        version=data.version,
        now=timezone.now(),
    )
    return {**_order_out(order), "chosen": best.__dict__}


@dispatch.get("/fairness", response={200: Any, **ERRORS}, summary="D-1 spread per peer group")
def fairness(request: HttpRequest, outlet: str | None = None) -> list[dict[str, Any]]:
    actor = user_of(request)
    services.require_dispatcher(actor)
    out = services.outlet_for(actor, outlet)
    return [
        {
            "skills": list(s.skills),
            "technicians": s.technicians,
            "min": s.min,
            "max": s.max,
            "range": s.range,
            "mean": s.mean,
            "stdev": s.stdev,
        }
        for s in selectors.fairness(actor, out, now=timezone.now())
    ]


@dispatch.post("/plans", response={201: Any, **ERRORS}, summary="D-2: propose a day plan")
def plan_create(request: HttpRequest) -> Status[dict[str, Any]]:
    data = parse(inputs.PlanIn, json_body(request))
    prop = services.plan_propose(
        actor=user_of(request),
        day=data.day,
        outlet=data.outlet,
        seconds=data.seconds,
        now=timezone.now(),
    )
    return Status(201, selectors.proposal_dict(prop))


@dispatch.get("/plans/{pk}", response={200: Any, **ERRORS}, summary="A plan proposal")
def plan_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return selectors.proposal_dict(services.plan_get(user_of(request), pk))


@dispatch.post(
    "/plans/{pk}/accept",
    response={200: Any, **ERRORS},
    summary="Accept all or some lines (records the assignments)",
)
def plan_accept(request: HttpRequest, pk: int) -> dict[str, Any]:
    data = parse(inputs.AcceptIn, json_body(request))
    prop = services.plan_accept(
        actor=user_of(request), pk=pk, lines=data.lines, version=data.version, now=timezone.now()
    )
    return selectors.proposal_dict(prop)


@dispatch.post(
    "/plans/{pk}/lines/{line}/move",
    response={200: Any, **ERRORS},
    summary="Move a proposed job to another technician or place",
)
def plan_move(request: HttpRequest, pk: int, line: int) -> dict[str, Any]:
    data = parse(inputs.MoveIn, json_body(request))
    prop = services.plan_move(
        actor=user_of(request),
        pk=pk,
        line=line,
        technician=data.technician,
        position=data.position,
        now=timezone.now(),
    )
    return selectors.proposal_dict(prop)


@dispatch.post(
    "/replan",
    response={201: Any, **ERRORS},
    summary="Replan the rest of today (urgent order / technician delay)",
)
def replan(request: HttpRequest) -> Status[dict[str, Any]]:
    data = parse(inputs.ReplanIn, json_body(request))
    prop = services.replan(
        actor=user_of(request),
        outlet=data.outlet,
        urgent_order=data.urgent_order,
        delay_technician=data.delay_technician,
        delay_minutes=data.delay_minutes,
        seconds=data.seconds,
        now=timezone.now(),
    )
    return Status(201, selectors.proposal_dict(prop))


@dispatch.get("/board/clerk", response={200: Any, **ERRORS}, summary="D-3 clerk's board")
def clerk_board(request: HttpRequest, person: str | None = None) -> dict[str, Any]:
    actor = user_of(request)
    services.require_dispatcher(actor)
    people = selectors.clerk_people(actor)
    who: User = actor
    if person:
        found = [u for u in people if u.username == person]
        if not found:
            raise DomainError("not_found", f"No board for {person}.", status=404)
        who = found[0]
    board = selectors.clerk_board(actor, who, now=timezone.now())
    return {"person": who.username, **{k: [r.__dict__ for r in v] for k, v in board.items()}}


@dispatch.get("/my-day", response={200: Any, **ERRORS}, summary="D-4 technician's day")
def my_day(request: HttpRequest, day: date | None = None) -> list[dict[str, Any]]:
    actor = user_of(request)
    if Role.TECHNICIAN not in actor.role_set:
        raise DomainError("forbidden", "Only technicians have a day.", status=403)
    d = day or timezone.localdate()
    return [j.__dict__ for j in selectors.my_day(actor, day=d)]


ROUTERS: list[tuple[str, Router]] = [("/technicians", technicians), ("/dispatch", dispatch)]
