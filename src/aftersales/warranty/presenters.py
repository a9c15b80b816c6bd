"""Rows → JSON-ready dicts, shared by the API and the pages (money as strings, never floats)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from aftersales.accounts.models import User
from aftersales.domain.errors import DomainError
from aftersales.domain.warranty import WarrantyVerdict, coverage_of
from aftersales.orders.models import Order

from .models import (
    Compensation,
    Complaint,
    Currency,
    ExpenseClaim,
    PenaltyEntry,
    Quote,
    ReturnRequest,
    Trip,
)
from .selectors import charge_rule, currency_decimals, order_warranty


def _s(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime):
        return v.isoformat()
    return v


def verdict_dict(v: WarrantyVerdict) -> dict[str, Any]:
    return {
        "in_warranty": v.in_warranty,
        "reason": v.reason,
        "ends": v.ends.isoformat() if v.ends else None,
        "term_months": v.term_months,
        "term_basis": v.term_basis,
        "purchase_date": v.purchase_date.isoformat() if v.purchase_date else None,
    }


def order_warranty_dict(order: Order) -> dict[str, Any]:
    v = order_warranty(order)
    out: dict[str, Any] = {"order": order.number, **verdict_dict(v), "charges": {}}
    for misuse in (False, True) if v.in_warranty else (False,):
        rule = charge_rule(coverage_of(v, misuse=misuse))
        out["charges"][rule.coverage.value] = {
            "parts": rule.parts.value,
            "labour_fee": str(rule.labour_fee),
            "service_fee": str(rule.service_fee),
            "travel_charged": rule.travel_charged,
            "quote_required": rule.quote_required,
        }
    out["proofs"] = [
        {
            "kind": p.kind,
            "reference": p.reference,
            "purchase_date": p.purchase_date.isoformat(),
            "seller": p.seller,
            "recorded_at": p.recorded_at.isoformat(),
        }
        for p in order.proofs.all()
    ]
    out["extensions"] = [
        {"until": e.until.isoformat(), "reason": e.reason, "reference": e.reference}
        for e in order.product.extensions.all()
    ]
    return out


def currency_places() -> dict[str, int]:
    """Every currency's decimals in one query (lists pass it to each row)."""
    return dict(Currency.objects.values_list("code", "decimals"))


def money(v: Decimal | None, currency: str, places: dict[str, int] | None = None) -> str | None:
    """An amount shown with its currency's decimals (KRW 15000, CNY 15000.00)."""
    if v is None:
        return None
    if places is not None and currency in places:
        n = places[currency]
    else:
        try:
            n = currency_decimals(currency)
        except DomainError:
            n = 2
    return str(v.quantize(Decimal(1).scaleb(-n)))


def quote_dict(q: Quote, places: dict[str, int] | None = None) -> dict[str, Any]:
    cur = q.currency
    return {
        "number": q.number,
        "order": q.order.number,
        "coverage": q.coverage,
        "currency": q.currency,
        "total": money(q.total, cur, places),
        "status": q.status,
        "note": q.note,
        "created_at": q.created_at.isoformat(),
        "decided_at": _s(q.decided_at),
        "lines": [
            {
                "kind": ln.kind,
                "part_code": ln.part_code,
                "description": ln.description,
                "quantity": str(ln.quantity),
                "unit_price": money(ln.unit_price, cur, places),
                "amount": money(ln.amount, cur, places),
            }
            for ln in q.lines.all()
        ],
    }


def return_dict(r: ReturnRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "order": r.order.number,
        "kind": r.kind,
        "reason": r.reason,
        "performance_fault": r.performance_fault,
        "purchase_date": _s(r.purchase_date and r.purchase_date.isoformat()),
        "fault_date": r.fault_date.isoformat(),
        "same_fault_repairs": r.same_fault_repairs,
        "eligible": r.eligible,
        "eligibility_reason": r.eligibility_reason,
        "status": r.status,
        "requested_by": r.requested_by.username,
        "decided_by": r.decided_by.username if r.decided_by else None,
        "decision": r.decision,
        "decision_reason": r.decision_reason,
        "alternative": r.alternative,
        "alternative_amount": _s(r.alternative_amount),
        "alternative_currency": r.alternative_currency,
        "extension_months": r.extension_months,
        "photos": [
            {"id": p.pk, "content_type": p.content_type, "size": p.size} for p in r.photos.all()
        ],
    }


def compensation_dict(c: Compensation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "order": c.order.number,
        "cause": c.cause,
        "amount_asked": str(c.amount_asked),
        "amount_approved": _s(c.amount_approved),
        "currency": c.currency,
        "status": c.status,
        "escalation_level": c.escalation_level,
        "note": c.note,
    }


def complaint_dict(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "order": c.order.number if c.order else None,
        "person": c.person.username if c.person else None,
        "channel": c.channel,
        "category": c.category,
        "summary": c.summary,
        "status": c.status,
        "at_fault": c.at_fault,
        "received_at": c.received_at.isoformat(),
        "steps": [
            {"kind": s.kind, "note": s.note, "at": s.at.isoformat(), "by": s.by.username}
            for s in c.steps.all()
        ],
    }


def entry_dict(e: PenaltyEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "person": e.person.username,
        "rule": e.rule.code,
        "kind": e.kind,
        "amount": str(e.amount),
        "currency": e.currency,
        "points": e.points,
        "evidence": e.evidence,
        "order": e.order.number if e.order else None,
        "complaint": e.complaint_id,
        "automatic": e.automatic,
        "decided_by": e.decided_by.username if e.decided_by else None,
        "at": e.at.isoformat(),
        "month": e.month,
    }


def card_dict(c: dict[str, Any]) -> dict[str, Any]:
    person: User = c["person"]
    return {
        "person": person.username,
        "name": str(person),
        **{k: _s(v) for k, v in c.items() if k != "person"},
        **{
            k: money(c[k], c["currency"])
            for k in ("penalties", "rewards", "commission", "earnings")
        },
    }


def trip_dict(t: Trip) -> dict[str, Any]:
    return {
        "id": t.pk,
        "person": t.person.username,
        "day": t.day.isoformat(),
        "order": t.order.number if t.order else None,
        "origin": t.origin,
        "destination": t.destination,
        "km": str(t.km),
        "hours": str(t.hours),
        "note": t.note,
    }


def expense_dict(e: ExpenseClaim) -> dict[str, Any]:
    return {
        "id": e.pk,
        "person": e.person.username,
        "trip": e.trip_id,
        "kind": e.kind,
        "amount": str(e.amount),
        "currency": e.currency,
        "note": e.note,
        "has_receipt": bool(e.receipt),
        "status": e.status,
        "decided_by": e.decided_by.username if e.decided_by else None,
        "decision_reason": e.decision_reason,
    }


def quality_rows(orders: QuerySet[Order]) -> list[dict[str, Any]]:
    """W-5: completed repairs counted by category, model, part and cause."""
    counter: Counter[tuple[str, str, str, str, str]] = Counter()
    for category, model, fault_code, report in orders.values_list(
        "category", "product__model", "fault_code", "report"
    ).iterator(chunk_size=2000):
        report = report or {}
        cause = str(report.get("fault_cause", ""))[:120]
        parts = [str(p.get("name", "")) for p in report.get("parts_replaced", []) or []] or [""]
        for part in parts:
            counter[(category, model or "", part, fault_code or "", cause)] += 1
    return [
        {
            "category": k[0],
            "model": k[1],
            "part": k[2],
            "fault_code": k[3],
            "cause": k[4],
            "count": n,
        }
        for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
