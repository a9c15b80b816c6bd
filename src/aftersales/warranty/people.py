"""S-1 … S-3 commands: complaints (O-16), rewards and penalties with evidence, the monthly
scorecard and its close, trips and expense claims, knowledge notes (S-4)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.domain.codes import Role
from aftersales.domain.errors import DomainError, conflict
from aftersales.domain.warranty import check_money
from aftersales.domain.warranty_scores import (
    Card,
    Job,
    RuleAmount,
    Tier,
    earnings,
    entry_amount,
    month_bounds,
    rate,
    require_evidence,
    scorecard,
)
from aftersales.orders.inputs import parse
from aftersales.orders.models import Order, OrderPart
from aftersales.orders.selectors import order_get_for_user

from . import inputs
from .models import (
    CommissionTier,
    Complaint,
    ComplaintStep,
    ExpenseClaim,
    KnowledgeNote,
    MonthClose,
    PenaltyEntry,
    PenaltyRule,
    Scorecard,
    Trip,
)
from .selectors import (
    STAFF,
    complaints_for_user,
    currency_decimals,
    expenses_for_user,
    is_decider,
    people_for_user,
    policy,
)
from .services import WORKERS, _decider, _require

# Complaint categories the seed calls a major demerit (S-1).
MAJOR_DEMERIT = {"quarrel", "soliciting", "delay", "repeat_repair"}


def month_of(now: datetime) -> str:
    return timezone.localtime(now).strftime("%Y-%m")


def _bounds(month: str) -> tuple[datetime, datetime]:
    first, nxt = month_bounds(month)
    tz = timezone.get_current_timezone()
    return datetime.combine(first, time(0), tz), datetime.combine(nxt, time(0), tz)


def month_is_closed(month: str) -> bool:
    return MonthClose.objects.filter(month=month).exists()


def _person(username: str, field: str = "person") -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DomainError("unknown_person", f"No person {username!r}.", fields={field: "unknown"})
    return user


# --- Complaints ------------------------------------------------------------------------------


def complaint_log(*, actor: User, data: dict[str, Any], now: datetime) -> Complaint:
    """O-16: by call, letter or visit, linked to the order and the person; the apology is the
    first step logged."""
    body = parse(inputs.ComplaintIn, data)
    _require(actor, STAFF, "log complaints")
    with transaction.atomic():
        order = order_get_for_user(actor, body.order) if body.order else None
        person = _person(body.person) if body.person else (order.assignee if order else None)
        if order is None and person is None:
            raise DomainError(
                "validation",
                "Link the complaint to an order or a person.",
                fields={"order": "order or person", "person": "order or person"},
            )
        outlet_id = order.outlet_id if order else (person.outlet_id if person else actor.outlet_id)
        c = Complaint.objects.create(
            order=order,
            person=person,
            outlet_id=outlet_id,
            channel=body.channel,
            category=body.category,
            summary=body.summary,
            received_at=now,
            received_by=actor,
        )
        ComplaintStep.objects.create(
            complaint=c, kind="apology", note=body.apology, at=now, by=actor
        )
        return c


def complaint_get(actor: User, pk: int) -> Complaint:
    c = (
        complaints_for_user(actor)
        .select_related("order", "person")
        .prefetch_related("steps__by")
        .filter(pk=pk)
        .first()
    )
    if c is None:
        raise DomainError("not_found", "No such complaint.", status=404)
    return c


_NEXT = {
    "investigation": {"open", "investigating"},
    "finding": {"open", "investigating"},
    "closure": {"found"},
}


def complaint_step(*, actor: User, pk: int, data: dict[str, Any], now: datetime) -> Complaint:
    """Investigation, finding (technician at fault or not) and closure, in that order. A finding
    at fault books the S-1 penalty with the complaint as its evidence."""
    body = parse(inputs.ComplaintStepIn, data)
    _require(actor, STAFF, "handle complaints")
    with transaction.atomic():
        c = complaint_get(actor, pk)
        if c.status not in _NEXT[body.kind]:
            raise conflict(
                "complaint_step_order",
                f"A complaint that is {c.status} cannot take a {body.kind} step.",
            )
        values: dict[str, Any] = {"version": c.version + 1}
        if body.kind == "investigation":
            values["status"] = "investigating"
        elif body.kind == "finding":
            if body.at_fault is None:
                raise DomainError(
                    "validation",
                    "Say whether the technician is at fault.",
                    fields={"at_fault": "required"},
                )
            _decider(actor, "make a complaint's finding")
            values |= {"status": "found", "at_fault": body.at_fault}
        else:
            values |= {"status": "closed", "closed_at": now}
        if not Complaint.objects.filter(pk=c.pk, version=c.version).update(**values):
            raise conflict("stale_version", "Someone changed the complaint meanwhile.")
        ComplaintStep.objects.create(complaint=c, kind=body.kind, note=body.note, at=now, by=actor)
        if body.kind == "finding" and body.at_fault and c.person is not None:
            evidence = f"Complaint #{c.pk} ({c.category}, {c.channel}): {body.note}"
            code = "complaint_serious" if body.serious else "complaint_at_fault"
            _book(
                person=c.person,
                code=code,
                amount=None if body.serious else body.amount,
                evidence=evidence,
                order=c.order,
                complaint=c,
                actor=actor,
                now=now,
            )
            if c.category in MAJOR_DEMERIT:
                _book(
                    person=c.person,
                    code="major_demerit",
                    amount=None,
                    evidence=evidence,
                    order=c.order,
                    complaint=c,
                    actor=actor,
                    now=now,
                )
        return complaint_get(actor, pk)


# --- Rewards and penalties ---------------------------------------------------------------------


def _rule(code: str) -> PenaltyRule:
    rule = PenaltyRule.objects.filter(code=code, active=True).first()
    if rule is None:
        raise DomainError("unknown_rule", f"No active rule {code!r}.", fields={"rule": "unknown"})
    return rule


def _book(
    *,
    person: User,
    code: str,
    amount: Decimal | None,
    evidence: str,
    order: Order | None,
    actor: User | None,
    now: datetime,
    complaint: Complaint | None = None,
    auto_key: str | None = None,
) -> PenaltyEntry:
    rule = _rule(code)
    text = require_evidence(evidence)
    value = entry_amount(
        RuleAmount(
            rule.code, rule.kind, rule.amount, rule.min_amount, rule.max_amount, rule.points
        ),
        amount,
    )
    currency = policy().currency
    value = check_money(
        value, decimals=currency_decimals(currency), currency=currency, field="amount"
    )
    month = month_of(now)
    if month_is_closed(month):
        raise conflict("month_closed", f"{month} is closed; book the entry in the next month.")
    return PenaltyEntry.objects.create(
        person=person,
        rule=rule,
        kind=rule.kind,
        amount=value,
        currency=currency,
        points=rule.points,
        evidence=text[:2000],
        order=order,
        complaint=complaint,
        automatic=auto_key is not None,
        decided_by=actor,
        at=now,
        month=month,
        auto_key=auto_key,
    )


def penalty_record(*, actor: User, data: dict[str, Any], now: datetime) -> PenaltyEntry:
    """S-1 by a supervisor's decision: every entry names its evidence."""
    body = parse(inputs.PenaltyIn, data)
    _decider(actor, "record rewards and penalties")
    with transaction.atomic():
        person = _person(body.person)
        if not people_for_user(actor).filter(pk=person.pk).exists():
            raise DomainError("not_found", "No such person.", status=404)
        if person.pk == actor.pk:
            raise conflict("own_entry", "You cannot book a reward or penalty on yourself.")
        order = order_get_for_user(actor, body.order) if body.order else None
        return _book(
            person=person,
            code=body.rule,
            amount=body.amount,
            evidence=body.evidence,
            order=order,
            actor=actor,
            now=now,
        )


def auto_penalty(
    *, person: User | None, code: str, evidence: str, order: Order, key: str, now: datetime
) -> PenaltyEntry | None:
    """Applied by the system where it sees the event (late arrival, incomplete report,
    multiple contact). Never breaks the order action that triggered it: an inactive rule or a
    closed month books nothing, and the key books each event once."""
    if person is None:
        return None
    rule = PenaltyRule.objects.filter(code=code, active=True, automatic=True).first()
    if rule is None or month_is_closed(month_of(now)):
        return None
    if PenaltyEntry.objects.filter(auto_key=key).exists():
        return None
    try:
        with transaction.atomic():
            return _book(
                person=person,
                code=code,
                amount=None,
                evidence=evidence,
                order=order,
                actor=None,
                now=now,
                auto_key=key,
            )
    except (IntegrityError, DomainError):
        # A misconfigured table (say, the default currency deleted) never blocks the order.
        return None


# --- Scorecards --------------------------------------------------------------------------------


def _tiers() -> list[Tier]:
    return [Tier(t.max_hours, t.amount) for t in CommissionTier.objects.all()]


def _jobs(person_ids: list[int], start: datetime, end: datetime) -> dict[int, list[Job]]:
    late_parts = OrderPart.objects.filter(order=OuterRef("pk"), requested_late=True)
    rows = (
        Order.objects.filter(
            assignee_id__in=person_ids, completed_at__gte=start, completed_at__lt=end
        )
        .annotate(parts_late=Exists(late_parts))
        .values_list(
            "assignee_id",
            "created_at",
            "assigned_at",
            "first_contact_at",
            "appointment_start",
            "appointment_end",
            "arrived_at",
            "parts_requested_at",
            "parts_late",
            "completed_at",
            "closed_at",
            "within_sla",
            "repeat_of_id",
            "revisit_satisfied",
            "report_complete",
        )
    )
    out: dict[int, list[Job]] = defaultdict(list)
    for r in rows.iterator(chunk_size=2000):
        out[r[0]].append(
            Job(
                created_at=r[1],
                assigned_at=r[2],
                first_contact_at=r[3],
                window_start=r[4],
                window_end=r[5],
                arrived_at=r[6],
                parts_requested=r[7] is not None,
                parts_late=bool(r[8]),
                completed_at=r[9] or end,
                closed=r[10] is not None,
                within_sla=r[11],
                repeat=r[12] is not None,
                revisit_satisfied=r[13],
                report_complete=r[14],
            )
        )
    return out


def cards_sql(person_ids: list[int], start: datetime, end: datetime) -> dict[int, Card]:
    """The same figures as `scorecard()` in one grouped query (the manager's page and the
    month close at scale); `test_s2_sql_cards_match_the_domain_rule` holds them equal."""
    from datetime import timedelta

    targets, tiers = policy().targets(), _tiers()
    late = "appointment_end" if targets.late_basis == "end" else "appointment_start"
    base = Coalesce("assigned_at", "created_at")
    window = Q(
        arrived_at__isnull=False, appointment_start__isnull=False, appointment_end__isnull=False
    )
    aggs: dict[str, Any] = {
        "jobs": Count("pk"),
        "accept_n": Count("pk", filter=Q(assigned_at__isnull=False)),
        "accept_ok": Count(
            "pk",
            filter=Q(assigned_at__lte=F("created_at") + timedelta(minutes=targets.accept_minutes)),
        ),
        "contact_n": Count(
            "pk", filter=Q(assigned_at__isnull=False, first_contact_at__isnull=False)
        ),
        "contact_ok": Count(
            "pk",
            filter=Q(
                assigned_at__isnull=False,
                first_contact_at__lte=F("assigned_at") + timedelta(hours=targets.contact_hours),
            ),
        ),
        "arrive_n": Count("pk", filter=window),
        "arrive_ok": Count("pk", filter=window & Q(arrived_at__lte=F(late))),
        "parts_n": Count("pk", filter=Q(parts_requested_at__isnull=False)),
        "parts_ok": Count("pk", filter=Q(parts_requested_at__isnull=False, parts_late=False)),
        "leftovers_ok": Count(
            "pk",
            filter=Q(completed_at__lte=F("created_at") + timedelta(hours=targets.leftover_hours)),
        ),
        "close_n": Count("pk", filter=Q(closed_at__isnull=False, within_sla__isnull=False)),
        "close_ok": Count("pk", filter=Q(closed_at__isnull=False, within_sla=True)),
        "repeats": Count("pk", filter=Q(repeat_of__isnull=False)),
        "revisit_n": Count("pk", filter=Q(revisit_satisfied__isnull=False)),
        "revisit_ok": Count("pk", filter=Q(revisit_satisfied=True)),
        "incomplete": Count("pk", filter=Q(report_complete=False)),
        "took": Sum(ExpressionWrapper(F("completed_at") - base, output_field=DurationField())),
    }
    bounded = sorted((t for t in tiers if t.max_hours is not None), key=lambda t: t.max_hours or 0)
    for i, t in enumerate(bounded):
        aggs[f"tier_{i}"] = Count(
            "pk", filter=Q(completed_at__lte=base + timedelta(hours=t.max_hours or 0))
        )
    rows: Any = (
        Order.objects.filter(
            assignee_id__in=person_ids, completed_at__gte=start, completed_at__lt=end
        )
        .annotate(
            parts_late=Exists(OrderPart.objects.filter(order=OuterRef("pk"), requested_late=True))
        )
        .values("assignee_id")
        .annotate(**aggs)
    )
    slowest = next((t.amount for t in tiers if t.max_hours is None), Decimal(0))
    out: dict[int, Card] = {}
    for r in rows:
        n = r["jobs"]
        money, counted = Decimal(0), 0
        for i, t in enumerate(bounded):
            money += (r[f"tier_{i}"] - counted) * t.amount
            counted = r[f"tier_{i}"]
        money += (n - counted) * slowest
        timely = {
            "accept": rate(r["accept_ok"], r["accept_n"]),
            "contact": rate(r["contact_ok"], r["contact_n"]),
            "arrive": rate(r["arrive_ok"], r["arrive_n"]),
            "parts": rate(r["parts_ok"], r["parts_n"]),
            "leftovers": rate(r["leftovers_ok"], n),
            "close": rate(r["close_ok"], r["close_n"]),
        }
        took = r["took"]
        out[r["assignee_id"]] = Card(
            jobs=n,
            on_time_rate=timely["arrive"],
            timely=timely,
            within_sla_rate=timely["close"],
            repeat_repairs=r["repeats"],
            repeat_rate=rate(r["repeats"], n),
            satisfaction=rate(r["revisit_ok"], r["revisit_n"]),
            incomplete_reports=r["incomplete"],
            average_hours=(Decimal(took.total_seconds()) / 3600 / n).quantize(Decimal("0.01"))
            if n and took is not None
            else None,
            commission=money,
        )
    return out


def technicians() -> list[User]:
    return [
        u
        for u in User.objects.filter(is_active=True).order_by("username")
        if Role.TECHNICIAN in u.role_set
    ]


def scorecards_compute(
    month: str, *, people: list[User] | None = None, now: datetime
) -> list[dict[str, Any]]:
    """S-2: each technician's month (read only: the live card before the month closes)."""
    start, end = _bounds(month)
    persons = people if people is not None else technicians()
    ids = [p.pk for p in persons]
    cards = cards_sql(ids, start, end)
    empty = scorecard([], targets=policy().targets(), tiers=[])
    money: dict[tuple[int, str], tuple[Decimal, int]] = {}
    for row in (
        PenaltyEntry.objects.filter(person_id__in=ids, month=month)
        .values("person_id", "kind")
        .annotate(total=Sum("amount"), pts=Sum("points"))
    ):
        money[(row["person_id"], row["kind"])] = (row["total"] or Decimal(0), row["pts"] or 0)
    complaints: dict[int, list[bool | None]] = defaultdict(list)
    for pid, fault in Complaint.objects.filter(
        person_id__in=ids, received_at__gte=start, received_at__lt=end
    ).values_list("person_id", "at_fault"):
        complaints[pid].append(fault)
    currency = policy().currency
    out = []
    for p in persons:
        card = cards.get(p.pk, empty)
        penalties, p_pts = money.get((p.pk, "penalty"), (Decimal(0), 0))
        rewards, r_pts = money.get((p.pk, "reward"), (Decimal(0), 0))
        out.append(
            {
                "person": p,
                "month": month,
                "figures": card.as_dict(),
                "complaints": len(complaints[p.pk]),
                "complaints_at_fault": sum(1 for f in complaints[p.pk] if f),
                "penalties": penalties,
                "rewards": rewards,
                "points": r_pts - p_pts,
                "commission": card.commission,
                "earnings": earnings(
                    commission_total=card.commission, rewards=rewards, penalties=penalties
                ),
                "currency": currency,
                "computed_at": now,
                "closed": False,
            }
        )
    return out


def scorecards_close_month(*, month: str, actor: User | None, now: datetime) -> MonthClose:
    """Compute and freeze every technician's card for the month, once. A second close is
    refused and writes nothing; a close that failed half-way left nothing and can be re-run."""
    month_bounds(month)
    if actor is not None:
        _require(actor, frozenset({Role.MANAGER, Role.ADMIN}), "close a month")
    if _bounds(month)[1] > now:
        raise conflict("month_not_over", f"{month} is not over yet.")
    with transaction.atomic():
        if month_is_closed(month):
            raise conflict("month_closed", f"{month} is already closed.", month=month)
        # The close row first: a second close at the same moment waits on its unique key
        # and is refused once this one commits.
        try:
            with transaction.atomic():
                row = MonthClose.objects.create(month=month, closed_at=now, closed_by=actor)
        except IntegrityError:
            raise conflict("month_closed", f"{month} is already closed.", month=month) from None
        cards = scorecards_compute(month, now=now)
        Scorecard.objects.filter(month=month).delete()  # drafts of an earlier failed close
        Scorecard.objects.bulk_create(Scorecard(**{**c, "closed": True}) for c in cards)
        row.cards = len(cards)
        row.save(update_fields=["cards"])
        return row


_CARD_FIELDS = (
    "month",
    "figures",
    "complaints",
    "complaints_at_fault",
    "penalties",
    "rewards",
    "points",
    "commission",
    "earnings",
    "currency",
    "computed_at",
    "closed",
)


def scorecards_for(actor: User, month: str, *, now: datetime) -> list[dict[str, Any]]:
    """Every card the actor sees for the month: frozen rows once closed, live before."""
    month_bounds(month)
    visible = set(people_for_user(actor).values_list("pk", flat=True))
    techs = [p for p in technicians() if p.pk in visible]
    if month_is_closed(month):
        rows = {
            r.person_id: r
            for r in Scorecard.objects.filter(month=month, person_id__in=[t.pk for t in techs])
        }
        return [
            {f: getattr(rows[t.pk], f) for f in _CARD_FIELDS} | {"person": t}
            for t in techs
            if t.pk in rows
        ]
    return scorecards_compute(month, people=techs, now=now)


def scorecard_for(actor: User, username: str, month: str, *, now: datetime) -> dict[str, Any]:
    person = people_for_user(actor).filter(username=username).first()
    if person is None:
        raise DomainError("not_found", "No such person.", status=404)
    month_bounds(month)
    row = Scorecard.objects.filter(person=person, month=month, closed=True).first()
    if row is not None:
        return {f: getattr(row, f) for f in _CARD_FIELDS} | {"person": person}
    return scorecards_compute(month, people=[person], now=now)[0]


# --- Trips and expenses (S-3), notes (S-4) ----------------------------------------------------


def trip_log(*, actor: User, data: dict[str, Any], now: datetime) -> Trip:
    body = parse(inputs.TripIn, data)
    _require(actor, WORKERS, "log trips")
    with transaction.atomic():
        order = order_get_for_user(actor, body.order) if body.order else None
        return Trip.objects.create(
            person=actor,
            day=body.day,
            order=order,
            origin=body.origin,
            destination=body.destination,
            km=body.km,
            hours=body.hours,
            note=body.note,
            created_at=now,
        )


def expense_claim(
    *, actor: User, data: dict[str, Any], receipt: Any = None, now: datetime
) -> ExpenseClaim:
    body = parse(inputs.ExpenseIn, data)
    _require(actor, WORKERS, "claim expenses")
    cur = (body.currency or policy().currency).upper()
    amount = check_money(body.amount, decimals=currency_decimals(cur), currency=cur, field="amount")
    if amount <= 0:
        raise DomainError("validation", "An expense is above zero.", fields={"amount": "> 0"})
    if receipt is not None:
        from .services import check_image

        check_image(receipt)
    with transaction.atomic():
        trip = None
        if body.trip is not None:
            trip = Trip.objects.filter(pk=body.trip, person=actor).first()
            if trip is None:
                raise DomainError(
                    "not_found", "No such trip of yours.", status=404, fields={"trip": "unknown"}
                )
        return ExpenseClaim.objects.create(
            person=actor,
            trip=trip,
            kind=body.kind,
            amount=amount,
            currency=cur,
            note=body.note,
            receipt=receipt or "",
            created_at=now,
        )


def expense_decide(*, actor: User, pk: int, data: dict[str, Any], now: datetime) -> ExpenseClaim:
    body = parse(inputs.DecisionIn, data)
    _decider(actor, "approve expenses")
    with transaction.atomic():
        row = expenses_for_user(actor).filter(pk=pk).first()
        if row is None:
            raise DomainError("not_found", "No such claim.", status=404)
        if row.person_id == actor.pk:
            raise conflict("own_request", "You cannot decide your own claim.")
        if not body.approve and not body.reason:
            raise DomainError(
                "validation", "Say why it is rejected.", fields={"reason": "required"}
            )
        if not ExpenseClaim.objects.filter(pk=row.pk, status="requested").update(
            status="approved" if body.approve else "rejected",
            decided_by=actor,
            decided_at=now,
            decision_reason=body.reason,
        ):
            raise conflict("already_decided", f"The claim is already {row.status}.")
        row.refresh_from_db()
        return row


def note_add(*, actor: User, data: dict[str, Any]) -> KnowledgeNote:
    body = parse(inputs.NoteIn, data)
    if not (is_decider(actor) or actor.role_set & STAFF):
        raise DomainError("forbidden", "Your roles may not write meeting notes.", status=403)
    return KnowledgeNote.objects.create(author=actor, **body.model_dump())
