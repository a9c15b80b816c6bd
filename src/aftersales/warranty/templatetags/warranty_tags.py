"""`{% load warranty_tags %}{% warranty_badge order %}`: the order page's W-1 verdict line."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.orders.models import Order
from aftersales.warranty.selectors import order_warranty

register = template.Library()


@register.inclusion_tag("warranty/_badge.html")
def warranty_badge(order: Order) -> dict[str, Any]:
    v = order_warranty(order)
    needs_quote = not v.in_warranty and not order.quotes.filter(status="accepted").exists()
    return {"v": v, "order": order, "needs_quote": needs_quote}
