"""Reads other apps use: whether an order's product is in warranty (W-1).

Parts (P-8 old-part returns, P-9 out-of-warranty ratio) and care (the customer file) call
these; the warranty app's terms table and extended warranties feed them.
"""

from __future__ import annotations

from datetime import date

from aftersales.customers.models import CustomerProduct
from aftersales.domain.warranty import WarrantyVerdict, warranty_verdict
from aftersales.orders.models import Order

# The SPEC's default term (W-1: one year from purchase) until the terms table exists.
DEFAULT_TERM_MONTHS = 12


def product_warranty(product: CustomerProduct, on: date) -> WarrantyVerdict:
    return warranty_verdict(
        purchase_date=product.purchase_date, on=on, term_months=DEFAULT_TERM_MONTHS
    )


def order_warranty(order: Order, on: date | None = None) -> WarrantyVerdict:
    """The verdict on the day the order was received (or `on`)."""
    return product_warranty(order.product, on or order.requested_at.date())
