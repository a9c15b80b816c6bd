"""W-1 … W-4 commands: proof of purchase and extensions, quotes, returns and exchanges,
compensation claims. One transaction each; decisions are conditional updates on the status,
so a second approval (or two people at once) gets a 409 and changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.domain import lifecycle
from aftersales.domain.codes import Action, Role, Status
from aftersales.domain.errors import DomainError, conflict
from aftersales.domain.warranty import (
    Line,
    LineKind,
    add_months,
    check_lines,
    check_money,
    coverage_of,
    eligibility,
    price_part,
)
from aftersales.orders.inputs import parse
from aftersales.orders.models import Order
from aftersales.orders.selectors import order_get_for_user
from aftersales.orders.services import order_act
from aftersales.parts.models import Part

from . import inputs
from .models import (
    Compensation,
    ExtendedWarranty,
    ProofOfPurchase,
    Quote,
    QuoteLine,
    ReturnPhoto,
    ReturnRequest,
    WarrantyTerm,
)
from .selectors import (
    STAFF,
    charge_rule,
    currency_decimals,
    is_decider,
    order_warranty,
    policy,
    quotes_for_user,
    returns_for_user,
)

WORKERS = STAFF | {Role.TECHNICIAN}


def _require(actor: User, roles: frozenset[Role], what: str) -> None:
    if not actor.role_set & roles:
        raise DomainError("forbidden", f"Your roles may not {what}.", status=403)


def _decider(actor: User, what: str) -> None:
    if not is_decider(actor):
        raise DomainError(
            "forbidden",
            f"Only a supervisor or a manager may {what}.",
            status=403,
        )


def _today(now: datetime) -> date:
    return timezone.localtime(now).date()


def _currency(code: str | None) -> tuple[str, int]:
    cur = (code or policy().currency).upper()
    return cur, currency_decimals(cur)


# --- W-1 ---------------------------------------------------------------------------------


def proof_record(
    *, actor: User, number: str, data: dict[str, Any], now: datetime
) -> ProofOfPurchase:
    body = parse(inputs.ProofIn, data)
    _require(actor, WORKERS, "record a proof of purchase")
    with transaction.atomic():
        order = order_get_for_user(actor, number)
        if body.purchase_date > _today(now):
            raise DomainError(
                "validation",
                "A purchase date cannot be in the future.",
                fields={"purchase_date": "in the future"},
            )
        return ProofOfPurchase.objects.create(
            order=order,
            product_id=order.product_id,
            kind=body.kind,
            reference=body.reference,
            purchase_date=body.purchase_date,
            seller=body.seller,
            recorded_by=actor,
            recorded_at=now,
        )


def extension_add(
    *, actor: User, number: str, data: dict[str, Any], now: datetime
) -> ExtendedWarranty:
    body = parse(inputs.ExtensionIn, data)
    _decider(actor, "extend a warranty")
    with transaction.atomic():
        order = order_get_for_user(actor, number)
        if body.until <= _today(now):
            raise DomainError(
                "validation", "An extension ends in the future.", fields={"until": "in the past"}
            )
        return ExtendedWarranty.objects.create(
            product_id=order.product_id,
            until=body.until,
            reason=body.reason,
            reference=body.reference,
            created_by=actor,
            created_at=now,
        )


def term_set(*, actor: User, data: dict[str, Any]) -> WarrantyTerm:
    body = parse(inputs.TermIn, data)
    _require(actor, frozenset({Role.MANAGER, Role.ADMIN}), "edit warranty terms")
    row, _ = WarrantyTerm.objects.update_or_create(
        category=body.category, model=body.model, defaults={"months": body.months}
    )
    return row


# --- W-2 quotes ----------------------------------------------------------------------------


def quote_create(*, actor: User, number: str, data: dict[str, Any], now: datetime) -> Quote:
    body = parse(inputs.QuoteIn, data)
    _require(actor, WORKERS, "write quotes")
    currency, decimals = _currency(body.currency)
    with transaction.atomic():
        order = order_get_for_user(actor, number, for_update=True)
        if order.status in (Status.CLOSED, Status.CANCELLED):
            raise conflict("order_finished", "The order is finished; no new quote.")
        verdict = order_warranty(order)
        coverage = coverage_of(verdict, misuse=body.misuse)
        rule = charge_rule(coverage)
        if not rule.quote_required:
            raise conflict(
                "quote_not_needed",
                "In warranty with normal use, labour and parts are free: there is nothing to quote.",
            )
        if order.quotes.filter(status="offered").exists():
            raise conflict("quote_open", "The order already has a quote waiting for the customer.")
        lines: list[Line] = []
        codes: list[str] = []
        for i, ln in enumerate(body.lines):
            price = ln.unit_price
            description = ln.description
            if ln.kind == "part" and ln.part_code:
                # Prices are the part master's (P-1): unit cost and the published list price.
                item = Part.objects.filter(code=ln.part_code).first()
                if item is None:
                    raise DomainError(
                        "unknown_part",
                        f"No part {ln.part_code} in the part master.",
                        code_given=ln.part_code,
                        fields={f"lines.{i}.part_code": "unknown"},
                    )
                if item.currency != currency:
                    raise DomainError(
                        "currency_mismatch",
                        f"The price list has {item.code} in {item.currency}, not {currency}.",
                        fields={f"lines.{i}.part_code": item.currency},
                    )
                if price is None:
                    price = price_part(rule, cost=item.unit_cost, list_price=item.list_price)
                description = description or item.name
            if price is None:
                raise DomainError(
                    "validation",
                    "Give the line's unit price.",
                    fields={f"lines.{i}.unit_price": "required"},
                )
            if not description:
                raise DomainError(
                    "validation",
                    "Describe the line.",
                    fields={f"lines.{i}.description": "required"},
                )
            lines.append(Line(LineKind(ln.kind), description, ln.quantity, price))
            codes.append(ln.part_code)
        total = check_lines(rule, lines, decimals=decimals, currency=currency)
        seq = order.quotes.count() + 1
        quote = Quote.objects.create(
            number=f"Q{order.number}-{seq}",
            order=order,
            coverage=coverage.value,
            currency=currency,
            total=total,
            note=body.note,
            created_by=actor,
            created_at=now,
        )
        QuoteLine.objects.bulk_create(
            QuoteLine(
                quote=quote,
                kind=ln.kind.value,
                part_code=code,
                description=ln.description,
                quantity=ln.quantity,
                unit_price=ln.unit_price,
                amount=(ln.unit_price * ln.quantity).quantize(Decimal(1).scaleb(-decimals)),
            )
            for ln, code in zip(lines, codes, strict=True)
        )
        return quote


def quote_get(actor: User, number: str) -> Quote:
    quote = (
        quotes_for_user(actor)
        .select_related("order", "order__product")
        .filter(number=number)
        .first()
    )
    if quote is None:
        raise DomainError("not_found", f"No quote {number}.", status=404)
    return quote


def quote_decide(*, actor: User, number: str, data: dict[str, Any], now: datetime) -> Quote:
    """The customer accepts or declines; a decline is the O-7 result "customer declines the
    charge" on the order (purchase year, part, amount), in the same transaction."""
    body = parse(inputs.QuoteDecisionIn, data)
    _require(actor, WORKERS, "record the customer's answer")
    with transaction.atomic():
        quote = quote_get(actor, number)
        status = "accepted" if body.accepted else "declined"
        if not Quote.objects.filter(pk=quote.pk, status="offered").update(
            status=status, decided_at=now, decided_by=actor, decision_note=body.note
        ):
            raise conflict("already_decided", f"The quote is already {quote.status}.")
        if not body.accepted:
            verdict = order_warranty(quote.order)
            year = body.purchase_year or (
                verdict.purchase_date.year if verdict.purchase_date else None
            )
            if year is None:
                raise DomainError(
                    "validation",
                    "Give the purchase year for the declined charge.",
                    fields={"purchase_year": "required"},
                )
            parts = [ln.description for ln in quote.lines.filter(kind="part")] or [
                ln.description for ln in quote.lines.all()
            ]
            payload: dict[str, Any] = {
                "kind": "declined_charge",
                "purchase_year": year,
                "part": ", ".join(parts)[:500],
                "amount": str(quote.total),
            }
            if body.next_contact_date:
                payload["next_contact_date"] = body.next_contact_date.isoformat()
            order_act(
                actor=actor, number=quote.order.number, action="result", payload=payload, now=now
            )
        quote.refresh_from_db()
        return quote


# --- W-3 returns and exchanges ---------------------------------------------------------------


def _same_fault_repairs(order: Order) -> int:
    """Earlier completed repairs of this product for the same fault (fault code, or any repair
    when the order has none yet); an order marked as a repeat counts its chain too."""
    qs = Order.objects.filter(product_id=order.product_id, completed_at__isnull=False).exclude(
        status=Status.CANCELLED
    )
    if order.fault_code:
        qs = qs.filter(fault_code=order.fault_code)
    return qs.count()


def return_request(
    *, actor: User, number: str, data: dict[str, Any], now: datetime
) -> ReturnRequest:
    """W-3/O-14: a technician (or staff) asks; the system computes the eligibility. If the order
    is at work, it also records the O-7 result "return/exchange pending"."""
    body = parse(inputs.ReturnIn, data)
    _require(actor, WORKERS, "request a return or exchange")
    with transaction.atomic():
        order = order_get_for_user(actor, number, for_update=True)
        if returns_for_user(actor).filter(order=order, status="requested").exists():
            raise conflict("request_open", "A return/exchange request is already waiting.")
        verdict = order_warranty(order)
        purchase = body.purchase_date or verdict.purchase_date
        fault_on = body.fault_date or _today(order.requested_at)
        if purchase and fault_on < purchase:
            raise DomainError(
                "validation",
                "The fault cannot come before the purchase.",
                fields={"fault_date": "before purchase"},
            )
        repairs = _same_fault_repairs(order)
        elig = eligibility(
            purchase_date=purchase,
            fault_on=fault_on,
            performance_fault=body.performance_fault,
            in_warranty=verdict.in_warranty,
            same_fault_repairs=repairs,
            rules=policy().three_guarantees(),
        )
        req = ReturnRequest.objects.create(
            order=order,
            kind=body.kind,
            reason=body.reason,
            performance_fault=body.performance_fault,
            purchase_date=purchase,
            fault_date=fault_on,
            same_fault_repairs=repairs,
            eligible=list(elig.options),
            eligibility_reason=elig.reason,
            model_chosen=body.model_chosen,
            requested_by=actor,
            requested_at=now,
        )
        if purchase and Status(order.status) in lifecycle.TRANSITIONS[Action.RESULT]:
            order_act(
                actor=actor,
                number=order.number,
                action="result",
                payload={
                    "kind": "return_pending",
                    "reason": body.reason[:500],
                    "purchase_date": purchase.isoformat(),
                    "approval_needed": True,
                    "model_chosen": body.model_chosen,
                },
                now=now,
            )
        return req


def return_get(actor: User, pk: int) -> ReturnRequest:
    req = returns_for_user(actor).select_related("order", "requested_by").filter(pk=pk).first()
    if req is None:
        raise DomainError("not_found", "No such request.", status=404)
    return req


IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def check_image(upload: UploadedFile[Any]) -> str:
    """Only real images (checked by decoding the header, not by the name), within the size."""
    from PIL import Image, UnidentifiedImageError

    limit = policy().photo_max_kb * 1024
    if upload.size is None or upload.size > limit:
        raise DomainError(
            "photo_too_large",
            f"A photo is at most {limit // 1024} KB.",
            fields={"photo": f"≤ {limit // 1024} KB"},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(
            "not_an_image", "Only photos (JPEG, PNG, WebP, GIF).", fields={"photo": "not an image"}
        ) from None
    if fmt not in IMAGE_FORMATS:
        raise DomainError(
            "not_an_image", "Only photos (JPEG, PNG, WebP, GIF).", fields={"photo": fmt}
        )
    upload.seek(0)
    return IMAGE_FORMATS[fmt]


def return_photo_add(
    *, actor: User, pk: int, upload: UploadedFile[Any], now: datetime
) -> ReturnPhoto:
    _require(actor, WORKERS, "add photos")
    with transaction.atomic():
        req = return_get(actor, pk)
        if req.status != "requested":
            raise conflict("already_decided", "The request is decided; no more photos.")
        if req.photos.count() >= policy().photos_max:
            raise DomainError(
                "too_many_photos",
                "The request has all the photos it may have.",
                fields={"photo": "limit"},
            )
        content_type = check_image(upload)
        return ReturnPhoto.objects.create(
            request=req,
            image=upload,
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
            uploaded_at=now,
        )


def return_decide(*, actor: User, pk: int, data: dict[str, Any], now: datetime) -> ReturnRequest:
    """W-3: a supervisor approves or rejects with a reason — never the one who asked, and once;
    a rejection may offer compensation or a warranty extension instead."""
    body = parse(inputs.ReturnDecisionIn, data)
    _decider(actor, "approve or reject a return or exchange")
    with transaction.atomic():
        req = return_get(actor, pk)
        if req.requested_by_id == actor.pk:
            raise conflict("own_request", "You cannot decide your own request.")
        if req.status != "requested":
            raise conflict("already_decided", f"The request is already {req.status}.")
        values: dict[str, Any] = {
            "status": "approved" if body.approve else "rejected",
            "decided_by": actor,
            "decided_at": now,
            "decision_reason": body.reason,
        }
        if body.approve:
            decision = body.decision or req.kind
            if decision not in req.eligible:
                raise conflict(
                    "not_eligible",
                    "The three-guarantees rules do not allow this "
                    f"({req.eligibility_reason}); offer compensation or an extension instead.",
                )
            values["decision"] = decision
        alternative = "" if body.approve else body.alternative
        if alternative == "compensation":
            if body.alternative_amount is None:
                raise DomainError(
                    "validation",
                    "Give the compensation offered.",
                    fields={"alternative_amount": "required"},
                )
            currency, decimals = _currency(body.currency)
            values |= {
                "alternative": alternative,
                "alternative_amount": check_money(
                    body.alternative_amount,
                    decimals=decimals,
                    currency=currency,
                    field="alternative_amount",
                ),
                "alternative_currency": currency,
            }
        elif alternative == "extension":
            if body.extension_months is None:
                raise DomainError(
                    "validation",
                    "Give the extension in months.",
                    fields={"extension_months": "required"},
                )
            verdict = order_warranty(req.order, _today(now))
            base = max(verdict.ends or _today(now), _today(now))
            ExtendedWarranty.objects.create(
                product_id=req.order.product_id,
                until=add_months(base, body.extension_months),
                reason=f"W-3 alternative to return/exchange #{req.pk}: {body.reason}"[:300],
                created_by=actor,
                created_at=now,
            )
            values |= {"alternative": alternative, "extension_months": body.extension_months}
        if not ReturnRequest.objects.filter(pk=req.pk, status="requested").update(**values):
            raise conflict("already_decided", "Someone decided the request meanwhile.")
        req.refresh_from_db()
        return req


# --- W-4 compensation ----------------------------------------------------------------------


def compensation_ask(
    *, actor: User, number: str, data: dict[str, Any], now: datetime
) -> Compensation:
    body = parse(inputs.CompensationIn, data)
    _require(actor, WORKERS, "record a compensation claim")
    currency, decimals = _currency(body.currency)
    amount = check_money(body.amount, decimals=decimals, currency=currency, field="amount")
    with transaction.atomic():
        order = order_get_for_user(actor, number)
        return Compensation.objects.create(
            order=order,
            cause=body.cause,
            amount_asked=amount,
            currency=currency,
            requested_by=actor,
            requested_at=now,
        )


def compensation_get(actor: User, pk: int) -> Compensation:
    from aftersales.orders.selectors import orders_for_user

    row = (
        Compensation.objects.filter(order__in=orders_for_user(actor))
        .select_related("order")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise DomainError("not_found", "No such claim.", status=404)
    return row


_OPEN_CLAIM = ("asked", "escalated", "carried_back")


def compensation_act(*, actor: User, pk: int, data: dict[str, Any], now: datetime) -> Compensation:
    """W-4: understand the cause, escalate, act on approval — or carry the unit back to test."""
    body = parse(inputs.CompensationActIn, data)
    with transaction.atomic():
        row = compensation_get(actor, pk)
        if row.status not in _OPEN_CLAIM:
            raise conflict("already_decided", f"The claim is already {row.status}.")
        values: dict[str, Any] = {"note": body.note or row.note}
        if body.action == "escalate":
            _require(actor, STAFF, "escalate a claim")
            if row.escalation_level >= 2:
                raise conflict("escalation_top", "The claim is already with the manager.")
            values |= {"status": "escalated", "escalation_level": row.escalation_level + 1}
        elif body.action == "carry_back":
            _require(actor, WORKERS, "carry a unit back")
            values |= {"status": "carried_back"}
        else:
            _decider(actor, "decide a compensation claim")
            if row.requested_by_id == actor.pk:
                raise conflict("own_request", "You cannot decide your own claim.")
            values |= {
                "status": "approved" if body.action == "approve" else "rejected",
                "decided_by": actor,
                "decided_at": now,
            }
            if body.action == "approve":
                amount = body.amount if body.amount is not None else row.amount_asked
                values["amount_approved"] = check_money(
                    amount,
                    decimals=currency_decimals(row.currency),
                    currency=row.currency,
                    field="amount",
                )
        if not Compensation.objects.filter(pk=row.pk, status=row.status).update(**values):
            raise conflict("already_decided", "Someone acted on the claim meanwhile.")
        row.refresh_from_db()
        return row


def media_root() -> str:
    return str(settings.MEDIA_ROOT)
