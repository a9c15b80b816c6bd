from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.domain.codes import (
    OPEN_STATUSES,
    Priority,
    ServiceMode,
    ServiceType,
    Status,
)
from aftersales.domain.contacts import ContactCause
from aftersales.domain.results import ResultKind

USER = settings.AUTH_USER_MODEL

STATUS_LABELS = {
    Status.RECEIVED: _("Received"),
    Status.ASSIGNED: _("Assigned"),
    Status.CONTACTED: _("Appointment agreed"),
    Status.ON_THE_WAY: _("On the way"),
    Status.ON_SITE: _("On site"),
    Status.PENDING: _("Intermediate result"),
    Status.COMPLETED: _("Completed"),
    Status.REVISITED: _("Revisited"),
    Status.CLOSED: _("Closed"),
    Status.CANCELLED: _("Cancelled"),
}
SERVICE_TYPE_LABELS = {
    ServiceType.INSTALL: _("Installation"),
    ServiceType.REPAIR: _("Repair"),
    ServiceType.MAINTENANCE: _("Maintenance"),
    ServiceType.RETURN: _("Return / exchange"),
    ServiceType.CONSULTATION: _("Consultation"),
    ServiceType.COMPLAINT: _("Complaint"),
    ServiceType.INSPECTION: _("Inspection"),
}
SERVICE_MODE_LABELS = {
    ServiceMode.ON_SITE: _("On site"),
    ServiceMode.CARRY_IN_ONE_WAY: _("Carry-in, one way"),
    ServiceMode.CARRY_IN_BOTH_WAYS: _("Carry-in, both ways"),
    ServiceMode.CARRY_IN_ONE_WAY_LOANER: _("Carry-in, one way, with loaner"),
    ServiceMode.CARRY_IN_BOTH_WAYS_LOANER: _("Carry-in, both ways, with loaner"),
    ServiceMode.PICKUP: _("Pickup"),
}
PRIORITY_LABELS = {
    Priority.LOW: _("Low"),
    Priority.NORMAL: _("Normal"),
    Priority.HIGH: _("High"),
    Priority.URGENT: _("Urgent"),
}
RESULT_LABELS = {
    ResultKind.APPOINTMENT: _("Appointment per customer's request"),
    ResultKind.RESCHEDULED: _("Rescheduled"),
    ResultKind.UNREACHABLE: _("Customer unreachable"),
    ResultKind.WAITING_PARTS: _("Waiting for parts"),
    ResultKind.CARRIED_IN: _("Carried in for repair"),
    ResultKind.UNIT_NORMAL_NOT_ACCEPTED: _("Unit normal, customer does not accept"),
    ResultKind.RETURN_PENDING: _("Return/exchange pending"),
    ResultKind.DECLINED_CHARGE: _("Out of warranty, customer declines the charge"),
    ResultKind.NO_TIME: _("Customer has no time in the coming days"),
    ResultKind.REFUSED_REPAIR: _("Customer refused repair on site"),
}
ACTION_LABELS = {
    "receive": _("Received"),
    "pseudonymise": _("Contact data erased"),
    "assign": _("Assign"),
    "appointment": _("Appointment"),
    "result": _("Intermediate result"),
    "start-travel": _("Start travel"),
    "arrive": _("Arrived"),
    "complete": _("Complete"),
    "revisit": _("Revisit"),
    "close": _("Close"),
    "cancel": _("Cancel"),
    "call": _("Repeat call"),
    "escalate": _("Escalate"),
    "part-request": _("Part request"),
    "part-update": _("Part update"),
    "note": _("Note"),
}
CAUSE_LABELS = {
    ContactCause.LATE_FOR_WINDOW: _("Not there by the start of the agreed window"),
    ContactCause.NO_WINDOW: _("No concrete window given"),
    ContactCause.MISSED_RESCHEDULE: _("Rescheduled window missed"),
    ContactCause.UNAGREED_RESCHEDULE: _("Window changed without the customer's consent"),
    ContactCause.PARTS_NO_DATE: _("Waiting for parts without a concrete date"),
    ContactCause.PARTS_DELAY: _("Parts delayed without agreement"),
}


def _choices(labels: dict[Any, Any]) -> list[tuple[str, object]]:
    return [(k.value, v) for k, v in labels.items()]


class SlaRule(models.Model):
    """O-9 standard closing time; an empty list matches anything; lowest rank wins."""

    rank = models.PositiveIntegerField(_("rank"), default=100)
    label = models.CharField(_("label"), max_length=120, blank=True)
    hours = models.PositiveIntegerField(_("hours"))
    categories = models.JSONField(_("product categories"), default=list, blank=True)
    tiers = models.JSONField(_("market tiers"), default=list, blank=True)
    service_types = models.JSONField(_("service types"), default=list, blank=True)
    service_modes = models.JSONField(_("service modes"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)

    class Meta:
        ordering = ["rank", "pk"]
        verbose_name = _("SLA rule")
        verbose_name_plural = _("SLA rules")

    def __str__(self) -> str:
        return f"{self.rank}: {self.label} ({self.hours} h)"


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=40)
    # NULL, not "": orders without a reference stay out of the uniqueness constraint.
    source_ref = models.CharField(_("source reference"), max_length=64, null=True, blank=True)  # noqa: DJ001
    # outlet, product, assignee: served by the composite indexes in Meta that start with them
    # (a second index per column only slowed every insert).
    outlet = models.ForeignKey(
        "accounts.Outlet",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("outlet"),
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders"
    )
    product = models.ForeignKey(
        "customers.CustomerProduct", on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    # Contact as given for this order (the customer's file may change later).
    contact_name = models.CharField(_("contact"), max_length=120)
    contact_phones = models.JSONField(_("phones"), default=list)
    address = models.CharField(_("address"), max_length=300)
    region = models.CharField(_("region"), max_length=80, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    category = models.CharField(_("product category"), max_length=40)
    service_type = models.CharField(
        _("service type"), max_length=20, choices=_choices(SERVICE_TYPE_LABELS)
    )
    service_mode = models.CharField(
        _("service mode"), max_length=30, choices=_choices(SERVICE_MODE_LABELS)
    )
    fault = models.TextField(_("fault description"), max_length=2000, blank=True)
    remarks = models.TextField(_("remarks"), max_length=4000, blank=True)
    requested_at = models.DateTimeField(_("requested time"))
    market_tier = models.PositiveSmallIntegerField(_("market tier"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=_choices(PRIORITY_LABELS), default="normal"
    )

    status = models.CharField(
        _("status"), max_length=20, choices=_choices(STATUS_LABELS), default="received"
    )
    version = models.PositiveIntegerField(default=1)
    received_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_orders",
        verbose_name=_("technician"),
        db_index=False,
    )
    reassigned_flag = models.BooleanField(_("reassigned, contact at once"), default=False)

    appointment_start = models.DateTimeField(null=True, blank=True)
    appointment_end = models.DateTimeField(null=True, blank=True)
    appointment_is_reschedule = models.BooleanField(default=False)
    reschedule_accepted = models.BooleanField(null=True, blank=True)
    last_result_kind = models.CharField(max_length=30, blank=True, choices=_choices(RESULT_LABELS))
    last_result = models.JSONField(default=dict, blank=True)

    # O-15 "six timely" timestamps.
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    travel_started_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    parts_requested_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    revisited_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    sla_hours = models.PositiveIntegerField(_("standard hours"))
    sla_rule = models.CharField(max_length=120, blank=True)
    sla_due_at = models.DateTimeField(_("SLA due"))
    assessed_hours = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    within_sla = models.BooleanField(null=True, blank=True)
    close_ground = models.CharField(max_length=20, blank=True)

    revisit_satisfied = models.BooleanField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    report_complete = models.BooleanField(null=True, blank=True)
    report_missing = models.JSONField(default=list, blank=True)
    fault_code = models.CharField(max_length=40, blank=True)
    # Never looked up by: the R-2 link is read from the repeat, not searched for.
    repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        db_index=False,
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    multiple_contacts = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(_("received"))  # indexed in Meta (order_created)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=Q(source_ref__isnull=False),
                name="order_source_ref_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(market_tier__gte=1, market_tier__lte=4), name="order_tier_1_4"
            ),
            models.CheckConstraint(
                condition=Q(appointment_end__isnull=True)
                | Q(appointment_end__gt=models.F("appointment_start")),
                name="order_window_ordered",
            ),
        ]
        indexes = [
            # On PostgreSQL these two also carry what the KPI figures read by period, so a
            # month's count is an index-only scan (INCLUDE is dropped on SQLite).
            # Lists sort by (created_at, id): an import gives a whole file one received time,
            # so without id in the key the database sorts every tied row for one page.
            models.Index(
                fields=["created_at", "id"],
                name="order_created",
                include=["outlet", "assignee", "category", "multiple_contacts"],
            ),
            models.Index(
                fields=["created_at", "id"],
                name="order_open_age",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                include=["outlet", "assignee", "category", "status"],
            ),
            # A clerk's list: the outlet's open orders, newest first.
            models.Index(
                fields=["outlet", "-created_at", "-id"],
                name="order_outlet_open_age",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            # The overdue filter (open and past due) walks these, most overdue first.
            models.Index(
                fields=["sla_due_at"],
                name="order_open_due",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            models.Index(
                fields=["outlet", "sla_due_at"],
                name="order_outlet_open_due",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            models.Index(fields=["outlet", "status", "created_at"], name="order_outlet_status"),
            models.Index(fields=["assignee", "status"], name="order_assignee_status"),
            models.Index(fields=["status", "created_at"], name="order_status_created"),
            models.Index(fields=["product", "completed_at"], name="order_product_completed"),
            # Scorecards (S-2) read a technician's month of completed orders.
            models.Index(fields=["assignee", "completed_at"], name="order_assignee_completed"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderEvent(models.Model):
    """Append-only history (O-5): who, when, from, to, why. Never updated or deleted."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True, max_length=2000)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["order", "at"])]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        return f"{self.order_id} {self.action} {self.from_status}->{self.to_status}"


class RepeatCall(models.Model):
    """O-11: a customer's repeat call, with the system's verdict and the person it counts on."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="calls")
    at = models.DateTimeField()
    logged_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(max_length=2000, blank=True)
    cause = models.CharField(max_length=30, blank=True, choices=_choices(CAUSE_LABELS))
    counts = models.BooleanField(default=False)
    responsible = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="multiple_contacts"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("repeat call")
        verbose_name_plural = _("repeat calls")

    def __str__(self) -> str:
        return f"{self.order_id} {self.cause or '-'}"


class OrderPart(models.Model):
    """A part requested on an order; its transit times feed the assessed time (O-10, O-13)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="parts")
    part = models.CharField(_("part"), max_length=120)
    quantity = models.PositiveIntegerField(default=1)
    shipped_by = models.CharField(max_length=20)
    requested_at = models.DateTimeField()
    requested_late = models.BooleanField(default=False)
    promised_date = models.DateField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("order part")
        verbose_name_plural = _("order parts")

    def __str__(self) -> str:
        return f"{self.part} × {self.quantity}"


class IdempotencyKey(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    body_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idem_user_key")]

    def __str__(self) -> str:
        return self.key


class Reconciliation(models.Model):
    """O-3: one end-of-day check of a source's feed against the orders received."""

    source = models.CharField(max_length=40)
    day = models.DateField(null=True, blank=True)
    run_at = models.DateTimeField()
    run_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    in_file = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list)  # in the source, not here: lost orders
    extra = models.JSONField(default=list)  # here for that day, not in the source
    duplicated = models.JSONField(default=list)  # repeated in the source file

    class Meta:
        ordering = ["-run_at"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")

    def __str__(self) -> str:
        return f"{self.source} {self.day} ({len(self.missing)} missing)"

    @property
    def is_clean(self) -> bool:
        return not (self.missing or self.extra or self.duplicated)
