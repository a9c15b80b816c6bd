"""One dict per order for the API and exports, with personal data masked per role."""

from __future__ import annotations

from typing import Any

from aftersales.accounts.models import User
from aftersales.domain import lifecycle
from aftersales.domain.codes import Status
from aftersales.domain.phones import mask_phone, mask_text

from .models import Order
from .selectors import sees_personal_data


def contact_for(user: User, order: Order) -> tuple[list[str], str]:
    """The order's phones and address as this user may see them (masked unless needed)."""
    phones = list(order.contact_phones or [])
    if sees_personal_data(user, order):
        return phones, order.address
    return [mask_phone(p) for p in phones], mask_text(order.address)


def order_dict(order: Order, user: User) -> dict[str, Any]:
    phones, address = contact_for(user, order)
    # A location is as personal as the address.
    located = sees_personal_data(user, order)
    product = order.product
    return {
        "number": order.number,
        "status": order.status,
        "version": order.version,
        "outlet": order.outlet.code,
        "source": order.source,
        "source_ref": order.source_ref,
        "customer": {
            "name": order.contact_name,
            "phones": phones,
            "address": address,
            "region": order.region,
            "latitude": order.latitude if located else None,
            "longitude": order.longitude if located else None,
        },
        "product": {
            "category": product.category,
            "brand": product.brand,
            "model": product.model,
            "serial": product.serial,
            "purchase_date": product.purchase_date.isoformat() if product.purchase_date else None,
        },
        "service_type": order.service_type,
        "service_mode": order.service_mode,
        "fault": order.fault,
        "remarks": order.remarks,
        "priority": order.priority,
        "market_tier": order.market_tier,
        "requested_at": order.requested_at,
        "created_at": order.created_at,
        "assignee": order.assignee.username if order.assignee else None,
        "reassigned_flag": order.reassigned_flag,
        "appointment_start": order.appointment_start,
        "appointment_end": order.appointment_end,
        "last_result": order.last_result or {},
        "sla_hours": order.sla_hours,
        "sla_rule": order.sla_rule,
        "sla_due_at": order.sla_due_at,
        "assessed_hours": order.assessed_hours,
        "within_sla": order.within_sla,
        "report_complete": order.report_complete,
        "report_missing": order.report_missing or [],
        "repeat_of": order.repeat_of.number if order.repeat_of_id and order.repeat_of else None,
        "multiple_contacts": order.multiple_contacts,
        "escalation_level": order.escalation_level,
        "allowed_actions": [
            a.value for a in lifecycle.allowed_actions(Status(order.status), user.role_set)
        ],
    }
