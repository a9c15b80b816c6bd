"""The care app's lists as tables: one definition per list gives the page's filters, its
headers and its rows, so the page, its CSV and its XLSX (`aftersales.core.export`) are the
same rows under the same filters. Rows are masked for the reader exactly as on screen.

Every list reads through the visibility of `selectors` (a user never exports a customer
they may not see); rows are generated from `.iterator()` (no pagination in an export).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.http import QueryDict
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.domain import care as rules
from aftersales.domain.phones import mask_phone, mask_text
from aftersales.orders.selectors import sees_whole_network

from . import selectors
from .models import (
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    PURPOSE_LABELS,
    TASK_LABELS,
    CustomerRequest,
    Event,
    Invitation,
    Substitution,
    Task,
    care_policy,
)
from .selectors import sees_contact_of

Row = Sequence[Any]


@dataclass(frozen=True)
class Filter:
    name: str
    label: Promise
    kind: str = "text"  # text | date | choice
    choices: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Ctx:
    user: User
    g: QueryDict
    today: date
    now: datetime

    def text(self, key: str) -> str:
        return (self.g.get(key) or "").strip()

    def day(self, key: str) -> date | None:
        try:
            return parse_date(self.text(key)) if self.text(key) else None
        except ValueError:
            return None


@dataclass(frozen=True)
class ListDef:
    name: str
    title: Promise
    headers: tuple[Promise, ...]
    rows: Callable[[Ctx], Iterable[Row]]
    filters: tuple[Filter, ...] = ()
    # The column holding a customer id (linked on the page), or None.
    customer_col: int | None = None


def _label(labels: dict[Any, Any], code: str) -> str:
    for k, v in labels.items():
        if str(k) == code:
            return str(v)
    return code


def _phone(user: User, tracker_id: int | None, number: str) -> str:
    return number if not number or sees_contact_of(user, tracker_id) else mask_phone(number)


def _text(user: User, tracker_id: int | None, text: str) -> str:
    return text if sees_contact_of(user, tracker_id) else mask_text(text)


def _visible(user: User, qs: QuerySet[Any], field: str = "customer") -> QuerySet[Any]:
    if sees_whole_network(user):
        return qs
    return qs.filter(**{f"{field}__in": selectors.customers_for_user(user).values("pk")})


def _tracker(qs: QuerySet[Any], ctx: Ctx, field: str) -> QuerySet[Any]:
    who = ctx.text("tracker")
    return qs.filter(**{f"{field}__username": who}) if who else qs


TRACKER = Filter("tracker", _("Tracker (user name)"))
CLASS = Filter("care_class", _("Class"), "choice", (("A", "A"), ("B", "B"), ("C", "C")))


# ---------------------------------------------------------------- customers


def customer_rows(ctx: Ctx) -> Iterator[Row]:
    qs = selectors.customers_for_user(ctx.user).select_related("tracker")
    q = ctx.text("q")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(phones__number__contains=q)).distinct()
    if ctx.text("care_class"):
        qs = qs.filter(care_class=ctx.text("care_class").upper())
    qs = _tracker(qs, ctx, "tracker")
    for c in qs.prefetch_related("phones").order_by("pk").iterator(chunk_size=2000):
        yield (
            c.pk,
            c.name,
            ", ".join(_phone(ctx.user, c.tracker_id, p.number) for p in c.phones.all()),
            _text(ctx.user, c.tracker_id, c.address),
            c.region,
            _text(ctx.user, c.tracker_id, c.email),
            c.care_class,
            c.tracker.username if c.tracker else "",
            c.last_contact_at,
            c.next_contact_due,
        )


# ---------------------------------------------------------------- my day


def my_day_rows(ctx: Ctx) -> Iterator[Row]:
    kinds = [k for k in ctx.g.getlist("kind") if k]
    for r in selectors.my_day(ctx.user, today=ctx.today, limit=None, kinds=kinds or None):
        yield (
            r.customer_id,
            r.customer_name,
            r.phone,
            _label(TASK_LABELS, r.kind),
            r.due_on,
            r.deadline,
            r.overdue,
            r.basis,
            r.order_number or "",
            r.event_title or "",
            r.request_question or "",
            r.for_tracker or "",
        )


# ---------------------------------------------------------------- contacts and letters


def contact_filters(g: QueryDict) -> dict[str, Any]:
    """The contact log's filters (page, its exports and the four forms)."""
    chan = {x.value for x in rules.Channel}
    purp = {x.value for x in rules.Purpose}

    def day(key: str) -> date | None:
        try:
            return parse_date(g.get(key, "")) if g.get(key) else None
        except ValueError:
            return None

    customer = g.get("customer", "")
    letters = g.get("letters", "")
    return {
        "channel": [c for c in g.getlist("channel") if c in chan] or None,
        "purpose": [p for p in g.getlist("purpose") if p in purp] or None,
        "actor": g.get("actor") or None,
        "date_from": day("date_from"),
        "date_to": day("date_to"),
        "customer": int(customer) if customer.isdigit() else None,
        "letters": True if letters == "1" else (False if letters == "0" else None),
    }


def contact_rows(ctx: Ctx) -> Iterator[Row]:
    qs = selectors.contact_list(ctx.user, **contact_filters(ctx.g))
    for k in qs.iterator(chunk_size=2000):
        tid = k.customer.tracker_id
        yield (
            k.at,
            k.customer_id,
            k.customer.name,
            _label(CHANNEL_LABELS, k.channel),
            _label(PURPOSE_LABELS, k.purpose),
            _label(OUTCOME_LABELS, k.outcome),
            _phone(ctx.user, tid, k.phone),
            _text(ctx.user, tid, k.address),
            k.subject,
            k.key_points,
            k.requests,
            k.wishes,
            k.complaints,
            k.loss_cause,
            k.order.number if k.order else "",
            k.actor.username if k.actor else "",
        )


CONTACT_HEADERS = (
    _("When"),
    _("Customer id"),
    _("Customer"),
    _("Channel"),
    _("Purpose"),
    _("Outcome"),
    _("Phone"),
    _("Address"),
    _("Subject"),
    _("Key points"),
    _("Requests"),
    _("Wishes"),
    _("Complaints"),
    _("Loss cause"),
    _("Order"),
    _("By"),
)


# ---------------------------------------------------------------- overview lists


def file_rows(ctx: Ctx) -> Iterator[Row]:
    """C-1 missing (not yet late) and late customer files, one row per open file task."""
    qs = _visible(ctx.user, Task.objects.filter(open=True, kind=rules.TaskKind.FILE))
    state = ctx.text("state")
    if state == "late":
        qs = qs.filter(deadline__lt=ctx.today)
    elif state == "missing":
        qs = qs.filter(deadline__gte=ctx.today)
    qs = _tracker(qs, ctx, "assignee")
    qs = qs.select_related("customer", "assignee", "order").order_by("deadline", "pk")
    for t in qs.iterator(chunk_size=2000):
        yield (
            t.assignee.username if t.assignee else "",
            t.customer_id,
            t.customer.name,
            t.order.number if t.order else "",
            t.due_on,
            t.deadline,
            bool(t.deadline and t.deadline < ctx.today),
        )


def request_rows(ctx: Ctx) -> Iterator[Row]:
    qs = _visible(ctx.user, CustomerRequest.objects.filter(solved_at__isnull=True))
    if ctx.text("late") == "1":
        qs = qs.filter(reported_at__isnull=True, report_due_at__lt=ctx.now)
    qs = qs.select_related("customer", "order", "opened_by").order_by("report_due_at", "pk")
    for r in qs.iterator(chunk_size=2000):
        yield (
            r.customer_id,
            r.customer.name,
            r.order.number if r.order else "",
            r.question,
            r.opened_at,
            r.opened_by.username if r.opened_by else "",
            r.report_due_at,
            r.reported_at,
            r.report,
            r.reported_at is None and r.report_due_at < ctx.now,
        )


def overdue_rows(ctx: Ctx) -> Iterator[Row]:
    qs = selectors.overdue_class_contacts(ctx.user, today=ctx.today)
    if ctx.text("care_class"):
        qs = qs.filter(customer__care_class=ctx.text("care_class").upper())
    qs = _tracker(qs, ctx, "assignee").select_related("assignee")
    for t in qs.iterator(chunk_size=2000):
        yield (
            t.customer_id,
            t.customer.name,
            t.customer.care_class,
            t.due_on,
            (ctx.today - t.due_on).days,
            t.assignee.username if t.assignee else "",
        )


def lost_rows(ctx: Ctx) -> Iterator[Row]:
    policy = care_policy()
    qs = selectors.lost_customers(ctx.user, policy=policy, today=ctx.today)
    qs = _tracker(qs, ctx, "tracker").select_related("tracker")
    qs = qs.annotate(due=Min("products__next_maintenance_due"))
    for c in qs.iterator(chunk_size=2000):
        yield (
            c.pk,
            c.name,
            c.care_class,
            c.tracker.username if c.tracker else "",
            c.due,
            c.loss_cause,
        )


def loyal_rows(ctx: Ctx) -> Iterator[Row]:
    rows = selectors.loyal_customers(ctx.user, policy=care_policy(), today=ctx.today, limit=None)
    cls = ctx.text("care_class").upper()
    for r in rows:
        if cls and r["care_class"] != cls:
            continue
        yield (r["customer"], r["name"], r["care_class"], r["visits"], r["spend"], r["currency"])


def event_rows(ctx: Ctx) -> Iterator[Row]:
    qs = Event.objects.annotate(
        invited=Count("invitations"),
        sent=Count("invitations", filter=Q(invitations__sent_at__isnull=False)),
        coming=Count("invitations", filter=Q(invitations__reply="yes")),
        declined=Count("invitations", filter=Q(invitations__reply="no")),
    )
    since = ctx.day("date_from")
    if since:
        qs = qs.filter(starts_on__gte=since)
    if ctx.text("kind"):
        qs = qs.filter(kind=ctx.text("kind"))
    for e in qs.order_by("-starts_on", "-pk").iterator(chunk_size=2000):
        yield (
            e.pk,
            e.title,
            e.get_kind_display(),
            e.starts_on,
            e.place,
            e.invited,
            e.sent,
            e.coming,
            e.declined,
        )


def invitation_rows(ctx: Ctx) -> Iterator[Row]:
    qs = _visible(ctx.user, Invitation.objects.all()).select_related("event", "customer")
    ev = ctx.text("event")
    if ev.isdigit():
        qs = qs.filter(event_id=int(ev))
    reply = ctx.text("reply")
    if reply in ("yes", "no"):
        qs = qs.filter(reply=reply)
    elif reply == "none":
        qs = qs.filter(reply="")
    for i in qs.order_by("event_id", "customer_id").iterator(chunk_size=2000):
        yield (
            i.event_id,
            i.event.title,
            i.event.starts_on,
            i.customer_id,
            i.customer.name,
            _text(ctx.user, i.customer.tracker_id, i.customer.address),
            i.sent_at,
            i.sent_via,
            i.get_reply_display(),
            i.replied_at,
        )


def substitution_rows(ctx: Ctx) -> Iterator[Row]:
    qs = Substitution.objects.select_related("tracker", "substitute", "created_by")
    on = ctx.day("on")
    if on:
        qs = qs.filter(start__lte=on, end__gte=on)
    who = ctx.text("tracker")
    if who:
        qs = qs.filter(Q(tracker__username=who) | Q(substitute__username=who))
    for s in qs.order_by("-start", "pk").iterator(chunk_size=2000):
        yield (
            s.tracker.username,
            s.substitute.username,
            s.start,
            s.end,
            s.reason,
            s.created_by.username if s.created_by else "",
            s.created_at,
        )


def cause_rows(ctx: Ctx) -> Iterator[Row]:
    since = ctx.day("date_from")
    start = datetime.combine(since, datetime.min.time()) if since else None
    from django.utils import timezone

    causes = selectors.loss_causes(ctx.user, since=timezone.make_aware(start) if start else None)
    yield from causes.items()


_EVENT_KINDS = tuple((k, v) for k, v in Event.KINDS)

LISTS: dict[str, ListDef] = {
    d.name: d
    for d in (
        ListDef(
            "customers",
            _("Customers"),
            (
                _("Customer id"),
                _("Name"),
                _("Phones"),
                _("Address"),
                _("Region"),
                _("Email"),
                _("Class"),
                _("Tracker"),
                _("Last contact"),
                _("Next contact due"),
            ),
            customer_rows,
            (Filter("q", _("Name or phone")), CLASS, TRACKER),
            customer_col=0,
        ),
        ListDef(
            "my-day",
            _("My day"),
            (
                _("Customer id"),
                _("Customer"),
                _("Phone"),
                _("Task"),
                _("Due"),
                _("Deadline"),
                _("Overdue"),
                _("Due by"),
                _("Order"),
                _("Event"),
                _("Request"),
                _("Covering"),
            ),
            my_day_rows,
            (
                Filter(
                    "kind", _("Task"), "choice", tuple((str(k), v) for k, v in TASK_LABELS.items())
                ),
            ),
            customer_col=0,
        ),
        ListDef(
            "contacts",
            _("Contact log"),
            CONTACT_HEADERS,
            contact_rows,
            (
                Filter(
                    "channel",
                    _("Channel"),
                    "choice",
                    tuple((str(k), v) for k, v in CHANNEL_LABELS.items()),
                ),
                Filter(
                    "purpose",
                    _("Purpose"),
                    "choice",
                    tuple((str(k), v) for k, v in PURPOSE_LABELS.items()),
                ),
                Filter(
                    "letters",
                    _("Letters"),
                    "choice",
                    (("1", _("Letters and messages only")), ("0", _("Calls and visits only"))),
                ),
                Filter("actor", _("By")),
                Filter("date_from", _("From"), "date"),
                Filter("date_to", _("To"), "date"),
                Filter("customer", _("Customer id")),
            ),
            customer_col=1,
        ),
        ListDef(
            "files",
            _("Customer files due (C-1)"),
            (
                _("Tracker"),
                _("Customer id"),
                _("Customer"),
                _("Order"),
                _("Due"),
                _("Deadline"),
                _("Late"),
            ),
            file_rows,
            (
                Filter(
                    "state", _("State"), "choice", (("missing", _("Missing")), ("late", _("Late")))
                ),
                TRACKER,
            ),
            customer_col=1,
        ),
        ListDef(
            "requests",
            _("Open customer requests (C-3)"),
            (
                _("Customer id"),
                _("Customer"),
                _("Order"),
                _("Question"),
                _("Opened"),
                _("Opened by"),
                _("Report by"),
                _("Reported"),
                _("Report"),
                _("Late"),
            ),
            request_rows,
            (Filter("late", _("Late only"), "choice", (("1", _("Yes")),)),),
            customer_col=0,
        ),
        ListDef(
            "overdue",
            _("Overdue class contacts (C-7)"),
            (
                _("Customer id"),
                _("Customer"),
                _("Class"),
                _("Due"),
                _("Days overdue"),
                _("Tracker"),
            ),
            overdue_rows,
            (CLASS, TRACKER),
            customer_col=0,
        ),
        ListDef(
            "lost",
            _("Lost customers (C-8)"),
            (
                _("Customer id"),
                _("Customer"),
                _("Class"),
                _("Tracker"),
                _("Maintenance was due"),
                _("Loss cause"),
            ),
            lost_rows,
            (TRACKER,),
            customer_col=0,
        ),
        ListDef(
            "loss-causes",
            _("Loss causes (C-8)"),
            (_("Cause"), _("Customers")),
            cause_rows,
            (Filter("date_from", _("Since"), "date"),),
        ),
        ListDef(
            "loyal",
            _("Loyal customers (C-8)"),
            (_("Customer id"), _("Customer"), _("Class"), _("Visits"), _("Spend"), _("Currency")),
            loyal_rows,
            (CLASS,),
            customer_col=0,
        ),
        ListDef(
            "events",
            _("Events (C-4)"),
            (
                _("Event id"),
                _("Title"),
                _("Kind"),
                _("Date"),
                _("Place"),
                _("Invited"),
                _("Sent"),
                _("Coming"),
                _("Not coming"),
            ),
            event_rows,
            (
                Filter("kind", _("Kind"), "choice", _EVENT_KINDS),
                Filter("date_from", _("From"), "date"),
            ),
        ),
        ListDef(
            "invitations",
            _("Invitations (C-4)"),
            (
                _("Event id"),
                _("Event"),
                _("Date"),
                _("Customer id"),
                _("Customer"),
                _("Address"),
                _("Sent"),
                _("Sent via"),
                _("Reply"),
                _("Replied"),
            ),
            invitation_rows,
            (
                Filter("event", _("Event id")),
                Filter(
                    "reply",
                    _("Reply"),
                    "choice",
                    (("yes", _("Coming")), ("no", _("Not coming")), ("none", _("No reply"))),
                ),
            ),
            customer_col=3,
        ),
        ListDef(
            "substitutions",
            _("Substitutions (C-6)"),
            (
                _("Tracker"),
                _("Substitute"),
                _("From"),
                _("To"),
                _("Reason"),
                _("Appointed by"),
                _("Appointed"),
            ),
            substitution_rows,
            (Filter("on", _("Active on"), "date"), TRACKER),
        ),
    )
}
