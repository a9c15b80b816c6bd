"""Customer, task and contact as dicts for the API, the pages and the exports, masked for
roles that do not need personal data."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.customers.models import Customer, CustomerProduct
from aftersales.domain import care as rules
from aftersales.domain.phones import mask_phone, mask_text
from aftersales.domain.warranty import WarrantyVerdict
from aftersales.orders.models import Order
from aftersales.warranty.selectors import product_warranty, products_warranty

from .models import Contact
from .selectors import sees_customer_data


def product_dict(
    p: CustomerProduct, today: date, verdict: WarrantyVerdict | None = None
) -> dict[str, Any]:
    verdict = verdict or product_warranty(p, today)
    due, basis = rules.maintenance_due(p.next_maintenance_due, p.distance_due_on)
    return {
        "id": p.pk,
        "category": p.category,
        "brand": p.brand,
        "model": p.model,
        "serial": p.serial,
        "plate": p.plate,
        "kind": "vehicle" if p.category == "vehicle" or p.plate else "appliance",
        "purchase_date": p.purchase_date,
        "warranty_end": verdict.ends,
        "in_warranty": verdict.in_warranty,
        "mileage_km": p.mileage_km,
        "maintenance_interval_days": p.maintenance_interval_days,
        "maintenance_interval_km": p.maintenance_interval_km,
        "last_service_on": p.last_service_on,
        "next_maintenance_due": p.next_maintenance_due,
        "next_maintenance_km": p.next_maintenance_km,
        # C-2 by distance: the estimate, the projected day the km is reached, and the
        # maintenance due at the earlier of date and distance (with which one it is).
        "daily_km": p.daily_km,
        "distance_due_on": p.distance_due_on,
        "maintenance_due": due,
        "maintenance_due_by": basis.value if basis else None,
    }


def warranty_of_products(customers: list[Customer], today: date) -> dict[int, WarrantyVerdict]:
    """The verdicts of a page of customers' products at once (no query per customer)."""
    products = [p for c in customers for p in c.products.all()]
    verdicts = products_warranty((p, today) for p in products)
    return {p.pk: v for p, v in zip(products, verdicts, strict=True)}


def customer_dict(
    c: Customer,
    user: User,
    *,
    full: bool = False,
    verdicts: dict[int, WarrantyVerdict] | None = None,
) -> dict[str, Any]:
    personal = sees_customer_data(user, c)
    phones = [p.number for p in c.phones.all()]
    today = timezone.localdate()
    if verdicts is None:
        verdicts = warranty_of_products([c], today)
    out: dict[str, Any] = {
        "id": c.pk,
        "name": c.name,
        "phones": phones if personal else [mask_phone(p) for p in phones],
        "address": c.address if personal else mask_text(c.address),
        "email": c.email if personal else mask_text(c.email, 2),
        "region": c.region,
        "care_class": c.care_class,
        "tracker": c.tracker.username if c.tracker_id and c.tracker else None,
        "services_wanted": c.services_wanted,
        "file_notes": c.file_notes,
        "file_updated_at": c.file_updated_at,
        "last_contact_at": c.last_contact_at,
        "next_contact_due": c.next_contact_due,
        "loss_cause": c.loss_cause,
        "erased": c.erased_at is not None,
        "version": c.version,
        "products": [
            product_dict(p, today, verdicts[p.pk])
            for p in sorted(c.products.all(), key=lambda p: p.pk)
        ],
    }
    if full:
        out["history"] = [
            {
                "number": o.number,
                "status": o.status,
                "service_type": o.service_type,
                "product": o.product_id,
                "fault": o.fault,
                "created_at": o.created_at,
                "completed_at": o.completed_at,
                "report": o.report,
            }
            for o in Order.objects.filter(customer=c).order_by("-created_at", "-pk")[:200]
        ]
    return out


def contact_dict(k: Contact, user: User) -> dict[str, Any]:
    personal = sees_customer_data(user, k.customer)
    return {
        "id": k.pk,
        "customer": k.customer_id,
        "customer_name": k.customer.name,
        "at": k.at,
        "actor": k.actor.username if k.actor_id and k.actor else None,
        "channel": k.channel,
        "purpose": k.purpose,
        "outcome": k.outcome,
        "phone": k.phone if personal else (mask_phone(k.phone) if k.phone else ""),
        "address": k.address if personal else mask_text(k.address),
        "subject": k.subject,
        "key_points": k.key_points,
        "requests": k.requests,
        "wishes": k.wishes,
        "complaints": k.complaints,
        "loss_cause": k.loss_cause,
        "order": k.order.number if k.order_id and k.order else None,
        "task": k.task_id,
        "event": k.event_id,
    }
