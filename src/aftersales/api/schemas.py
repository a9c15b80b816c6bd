"""Response shapes of the API (requests are the services' own input models)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    error: ErrorBody


class CustomerOut(Schema):
    name: str
    phones: list[str]
    address: str
    region: str
    latitude: float | None
    longitude: float | None


class ProductOut(Schema):
    category: str
    brand: str
    model: str
    serial: str
    purchase_date: str | None


class OrderOut(Schema):
    number: str
    status: str
    version: int
    outlet: str
    source: str
    source_ref: str | None
    customer: CustomerOut
    product: ProductOut
    service_type: str
    service_mode: str
    fault: str
    remarks: str
    priority: str
    market_tier: int
    requested_at: datetime
    created_at: datetime
    assignee: str | None
    reassigned_flag: bool
    appointment_start: datetime | None
    appointment_end: datetime | None
    last_result: dict[str, Any]
    sla_hours: int
    sla_rule: str
    sla_due_at: datetime
    assessed_hours: Decimal | None
    within_sla: bool | None
    report_complete: bool | None
    report_missing: list[str]
    repeat_of: str | None
    multiple_contacts: int
    escalation_level: int
    allowed_actions: list[str]


class OrderPage(Schema):
    # Exact up to LIST_COUNT_CAP; past it `count` is the cap and `count_capped` is true.
    count: int
    count_capped: bool = False
    page: int
    page_size: int
    results: list[OrderOut]


class EventOut(Schema):
    at: datetime
    actor: str | None
    action: str
    from_status: str
    to_status: str
    reason: str
    data: dict[str, Any]


class BacklogRow(Schema):
    number: str
    status: str
    outlet: str
    responsible: str | None
    age_hours: float
    bucket: int | None
    escalation_level: int
    escalation_overdue: bool
    sla_due_at: datetime


class BacklogOut(Schema):
    older_than_hours: int
    count: int
    by_person: dict[str, int]
    results: list[BacklogRow]


class BatchIn(Schema):
    # Items are validated one by one (a bad order is rejected, not the whole batch).
    orders: list[dict[str, Any]]


class BatchItem(Schema):
    index: int
    number: str


class BatchRejected(Schema):
    index: int
    error: dict[str, Any]


class BatchOut(Schema):
    created: list[BatchItem]
    already_received: list[BatchItem]
    rejected: list[BatchRejected]
