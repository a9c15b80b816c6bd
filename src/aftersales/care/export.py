"""C-5 the seed's four forms as XLSX, written by `aftersales.core.export.write_xlsx`.

file     — basic customer file form (客户档案基本信息表)
record   — follow-up phone record form (跟踪服务电话记录表): every call with its content
register — follow-up phone register form (跟踪服务电话登记表): one line per call
letters  — follow-up letter register form (跟踪服务信函登记表): letters and messages
Personal data are masked for roles that do not need them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core import export
from aftersales.customers.models import Customer, CustomerProduct
from aftersales.domain import care as rules
from aftersales.domain.errors import DomainError
from aftersales.domain.phones import mask_phone, mask_text

from .models import Contact
from .selectors import sees_contact_of

FORMS = ("file", "record", "register", "letters")


def _local(dt: datetime | None) -> Any:
    return timezone.localtime(dt).replace(tzinfo=None) if dt else ""


def _phone(user: User, c: Customer, number: str) -> str:
    if not number or sees_contact_of(user, c.tracker_id):
        return number
    return mask_phone(number)


def _addr(user: User, c: Customer, text: str) -> str:
    if sees_contact_of(user, c.tracker_id):
        return text
    return mask_text(text)


def file_rows(user: User, customers: Iterable[Customer]) -> Iterable[list[Any]]:
    yield [
        _("Customer"),
        _("Address"),
        _("Phones"),
        _("Visit / repair date"),
        _("Model"),
        _("Number (serial / plate)"),
        _("Type"),
        _("Repair and maintenance items"),
        _("Maintenance interval (days)"),
        _("Maintenance interval (km)"),
        _("Next maintenance due"),
        _("Services wanted"),
        _("Class"),
        _("Tracker"),
    ]
    for c in customers:
        phones = ", ".join(_phone(user, c, p.number) for p in c.phones.all())
        products: list[CustomerProduct | None] = list(c.products.all()) or [None]
        last_orders = list(c.orders.order_by("-created_at")[:5])
        last = max((o.completed_at for o in last_orders if o.completed_at), default=None)
        items = "; ".join(
            f"{o.service_type}: {o.report.get('solution') or o.fault}".strip() for o in last_orders
        )
        for p in products:
            yield [
                c.name,
                _addr(user, c, c.address),
                phones,
                _local(last),
                p.model if p else "",
                (p.plate or p.serial) if p else "",
                p.category if p else "",
                items,
                p.maintenance_interval_days if p else "",
                p.maintenance_interval_km if p else "",
                p.next_maintenance_due if p and p.next_maintenance_due else "",
                c.services_wanted,
                c.care_class,
                c.tracker.username if c.tracker else "",
            ]


def record_rows(user: User, contacts: Iterable[Contact]) -> Iterable[list[Any]]:
    yield [
        _("Date"),
        _("Customer"),
        _("Phone"),
        _("Order"),
        _("Purpose"),
        _("Key points"),
        _("Requests"),
        _("Wishes"),
        _("Complaints"),
        _("Outcome"),
        _("Recorded by"),
    ]
    for k in contacts:
        yield [
            _local(k.at),
            k.customer.name,
            _phone(user, k.customer, k.phone),
            k.order.number if k.order else "",
            k.purpose,
            k.key_points,
            k.requests,
            k.wishes,
            k.complaints,
            k.outcome,
            k.actor.username if k.actor else "",
        ]


def register_rows(user: User, contacts: Iterable[Contact]) -> Iterable[list[Any]]:
    yield [
        _("Date"),
        _("Customer"),
        _("Phone"),
        _("In / out"),
        _("Purpose"),
        _("Outcome"),
        _("Tracker"),
    ]
    for k in contacts:
        yield [
            _local(k.at),
            k.customer.name,
            _phone(user, k.customer, k.phone),
            _("in") if k.channel == rules.Channel.PHONE_IN else _("out"),
            k.purpose,
            k.outcome,
            k.actor.username if k.actor else "",
        ]


def letter_rows(user: User, contacts: Iterable[Contact]) -> Iterable[list[Any]]:
    yield [
        _("Date"),
        _("Customer"),
        _("Address"),
        _("Sent / received"),
        _("Kind"),
        _("Subject"),
        _("Content"),
        _("Registered by"),
    ]
    for k in contacts:
        yield [
            _local(k.at),
            k.customer.name,
            _addr(user, k.customer, k.address),
            _("received") if k.channel == rules.Channel.LETTER_IN else _("sent"),
            k.purpose,
            k.subject,
            k.key_points,
            k.actor.username if k.actor else "",
        ]


def form_rows(form: str, user: User, source: Any) -> tuple[list[Any], Iterator[list[Any]]]:
    """The headers and the rows of one of the four forms (masked for the user)."""
    if form not in FORMS:
        raise DomainError("validation", f"Unknown form {form!r}.", fields={"form": "|".join(FORMS)})
    if form == "file":
        rows = file_rows(
            user,
            source.select_related("tracker")
            .prefetch_related("phones", "products")
            .annotate(_last=Max("orders__completed_at"))
            .iterator(chunk_size=500),
        )
    else:
        contacts = source.select_related("customer", "actor", "order")
        if form == "letters":
            contacts = contacts.filter(channel__in=[c.value for c in rules.LETTER_CHANNELS])
        else:
            contacts = contacts.filter(
                channel__in=[rules.Channel.PHONE_IN.value, rules.Channel.PHONE_OUT.value]
            )
        gen = {"record": record_rows, "register": register_rows, "letters": letter_rows}[form]
        rows = gen(user, contacts.iterator(chunk_size=2000))
    it = iter(rows)
    return next(it), it


def write_form(form: str, user: User, source: Any, out: IO[bytes]) -> int:
    """One form as XLSX through the one writer (`aftersales.core.export.write_xlsx`)."""
    headers, rows = form_rows(form, user, source)
    return export.write_xlsx(out, headers, rows, sheet=form)
