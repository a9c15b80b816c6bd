"""Customer care: tasks (the work queue of trackers), the contact log, customer requests,
events with invitations, substitutions, the editable policy and the scheduler's cursors."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.refcache import ProcessCache
from aftersales.domain import care as rules
from aftersales.domain.care import Channel, Outcome, Purpose, TaskKind

USER = settings.AUTH_USER_MODEL

TASK_LABELS = {
    TaskKind.FOLLOWUP_1: _("First follow-up call"),
    TaskKind.FOLLOWUP_2: _("Second follow-up call"),
    TaskKind.FILE: _("Customer file due"),
    TaskKind.CLASS_CONTACT: _("Class contact"),
    TaskKind.MAINTENANCE: _("Maintenance reminder"),
    TaskKind.REQUEST_REPORT: _("Open request: report to the manager"),
    TaskKind.REQUEST_TELL: _("Tell the customer the solution today"),
    TaskKind.EVENT_CALL: _("Event invitation call"),
    TaskKind.LOSS_CALL: _("Lost customer call"),
}
CHANNEL_LABELS = {
    Channel.PHONE_OUT: _("Outbound call"),
    Channel.PHONE_IN: _("Inbound call"),
    Channel.VISIT: _("Visit"),
    Channel.LETTER_OUT: _("Letter sent"),
    Channel.LETTER_IN: _("Letter received"),
    Channel.MESSAGE: _("Message sent"),
}
PURPOSE_LABELS = {
    Purpose.FOLLOWUP: _("Follow-up"),
    Purpose.CONSULTATION: _("Consultation"),
    Purpose.COMPLAINT: _("Complaint"),
    Purpose.CARE: _("Class contact"),
    Purpose.MAINTENANCE: _("Maintenance"),
    Purpose.EVENT: _("Event"),
    Purpose.LOSS: _("Lost customer"),
    Purpose.REQUEST: _("Request"),
    Purpose.OTHER: _("Other"),
}
OUTCOME_LABELS = {
    Outcome.REACHED: _("Reached"),
    Outcome.NO_ANSWER: _("No answer"),
    Outcome.WRONG_NUMBER: _("Wrong number"),
    Outcome.CALL_BACK: _("Call back later"),
    Outcome.SENT: _("Sent"),
}


def _choices(labels: dict[object, object]) -> list[tuple[str, object]]:
    return [(str(k), v) for k, v in labels.items()]


class CarePolicyRow(models.Model):
    """The care numbers an administrator may change (SPEC defaults seeded by 0002)."""

    file_due_days = models.PositiveIntegerField(_("customer file due (days)"), default=2)
    followup_first_from_days = models.PositiveIntegerField(
        _("first follow-up from (days)"), default=3
    )
    followup_first_to_days = models.PositiveIntegerField(_("first follow-up by (days)"), default=7)
    followup_second_within_days = models.PositiveIntegerField(
        _("second follow-up within (days)"), default=7
    )
    request_report_days = models.PositiveIntegerField(
        _("open request reported within (days)"), default=2
    )
    class_a_days = models.PositiveIntegerField(_("class A cadence (days)"), default=7)
    class_b_days = models.PositiveIntegerField(_("class B cadence (days)"), default=30)
    class_c_days = models.PositiveIntegerField(_("class C cadence (days)"), default=182)
    maintenance_ahead_days = models.PositiveIntegerField(
        _("maintenance reminder ahead (days)"), default=14
    )
    event_call_days_before = models.PositiveIntegerField(
        _("event calls before the event (days)"), default=14
    )
    lost_after_days = models.PositiveIntegerField(
        _("lost after maintenance due + (days)"), default=60
    )
    loyal_period_days = models.PositiveIntegerField(_("loyalty period (days)"), default=365)
    loyal_min_visits = models.PositiveIntegerField(_("loyal: visits at least"), default=3)
    loyal_min_spend = models.DecimalField(
        _("loyal: spend at least"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    mileage_min_readings = models.PositiveIntegerField(
        _("distance estimate: readings at least"), default=2
    )
    mileage_lookback_days = models.PositiveIntegerField(
        _("distance estimate: readings of the last (days)"), default=365
    )

    class Meta:
        verbose_name = _("care policy")
        verbose_name_plural = _("care policy")

    def __str__(self) -> str:
        return str(_("Care policy"))

    def as_policy(self) -> rules.CarePolicy:
        return rules.CarePolicy(
            file_due_days=self.file_due_days,
            followup_first_from_days=self.followup_first_from_days,
            followup_first_to_days=self.followup_first_to_days,
            followup_second_within_days=self.followup_second_within_days,
            request_report_days=self.request_report_days,
            class_a_days=self.class_a_days,
            class_b_days=self.class_b_days,
            class_c_days=self.class_c_days,
            maintenance_ahead_days=self.maintenance_ahead_days,
            event_call_days_before=self.event_call_days_before,
            lost_after_days=self.lost_after_days,
            loyal_period_days=self.loyal_period_days,
            loyal_min_visits=self.loyal_min_visits,
            loyal_min_spend=self.loyal_min_spend,
            mileage_min_readings=self.mileage_min_readings,
            mileage_lookback_days=self.mileage_lookback_days,
        )


def _load_care_policy() -> rules.CarePolicy:
    row = CarePolicyRow.objects.order_by("pk").first()
    return row.as_policy() if row else rules.CarePolicy()


_care_policy = ProcessCache(_load_care_policy, models=("care.CarePolicyRow",))


def care_policy() -> rules.CarePolicy:
    """The care numbers (cached per process like every policy: core.refcache)."""
    return _care_policy.get()


class Event(models.Model):
    """C-4 an event or campaign: free-check week, service month, owner club."""

    KINDS = [
        ("free_check", _("Free-check week")),
        ("service_month", _("Service month")),
        ("owner_club", _("Owner club")),
        ("promotion", _("Promotion")),
        ("other", _("Other")),
    ]
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS, default="other")
    starts_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    message = models.TextField(_("invitation text"), blank=True)
    filters = models.JSONField(_("target filters"), default=dict, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.title} {self.starts_on}"


class Invitation(models.Model):
    REPLIES = [("", _("No reply")), ("yes", _("Coming")), ("no", _("Not coming"))]
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="invitations"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_via = models.CharField(max_length=20, blank=True)
    reply = models.CharField(_("reply"), max_length=3, blank=True, choices=REPLIES)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "customer"], name="invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.customer_id}"


class CustomerRequest(models.Model):
    """C-3 a question not answered on the call: investigated, reported to the manager by the
    deadline if still open, and the customer told the same day it is solved."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="requests"
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.TextField(_("question"), max_length=2000)
    opened_at = models.DateTimeField(_("opened"))
    opened_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    report_due_at = models.DateTimeField(_("report to the manager by"))
    reported_at = models.DateTimeField(_("reported to the manager"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    solution = models.TextField(_("solution"), blank=True)
    told_at = models.DateTimeField(_("customer told"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer request")
        verbose_name_plural = _("customer requests")
        indexes = [
            models.Index(
                fields=["report_due_at"],
                name="request_open_due",
                condition=Q(solved_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.question[:60]


class Task(models.Model):
    """One due thing for a tracker. `key` is the natural key that makes every generator
    idempotent (followup_1:order:17, class_contact:customer:5:2026-12-07 …)."""

    key = models.CharField(max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=_choices(TASK_LABELS))  # type: ignore[arg-type]
    # Few indexes on purpose: run_schedules inserts hundreds of thousands of rows on a first
    # run. Lookups go through (customer, open), (assignee, due_on) open, order and key.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="care_tasks",
        db_index=False,
    )
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_tasks",
        db_index=False,
    )
    due_on = models.DateField(_("due"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    product = models.ForeignKey(
        "customers.CustomerProduct",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
        db_index=False,
    )
    request = models.ForeignKey(
        CustomerRequest,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
        db_index=False,
    )
    # C-2 why a maintenance reminder is due: "date" or "distance" (blank for other kinds).
    basis = models.CharField(_("due by"), max_length=10, blank=True, default="", db_default="")
    open = models.BooleanField(default=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("care task")
        verbose_name_plural = _("care tasks")
        # A constraint, not unique=True: PostgreSQL then has no extra LIKE index on `key`.
        constraints = [models.UniqueConstraint(fields=["key"], name="task_key_unique")]
        indexes = [
            models.Index(
                fields=["assignee", "due_on", "id"],
                name="task_open_assignee",
                condition=Q(open=True),
            ),
            models.Index(fields=["customer", "open"], name="task_customer_open"),
            # Partial: most tasks have no order, event or request and stay out of these.
            models.Index(fields=["order"], name="task_order", condition=Q(order__isnull=False)),
            models.Index(fields=["event"], name="task_event", condition=Q(event__isnull=False)),
            models.Index(
                fields=["request"], name="task_request", condition=Q(request__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.key


class Contact(models.Model):
    """C-5 the contact log: every call (in or out), visit, letter and message."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="contacts"
    )
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=12, choices=_choices(CHANNEL_LABELS))  # type: ignore[arg-type]
    purpose = models.CharField(_("purpose"), max_length=14, choices=_choices(PURPOSE_LABELS))  # type: ignore[arg-type]
    outcome = models.CharField(_("outcome"), max_length=14, choices=_choices(OUTCOME_LABELS))  # type: ignore[arg-type]
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    key_points = models.TextField(_("key points"), blank=True)
    requests = models.TextField(_("requests"), blank=True)
    wishes = models.TextField(_("wishes"), blank=True)
    complaints = models.TextField(_("complaints"), blank=True)
    loss_cause = models.CharField(_("loss cause"), max_length=200, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["customer", "at"], name="contact_customer_at"),
            models.Index(fields=["at"], name="contact_at"),
            models.Index(fields=["actor", "at"], name="contact_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.at:%Y-%m-%d}"


class MileageReading(models.Model):
    """C-2 a vehicle's odometer reading on a day: from a logged contact or visit, or the
    product form / API. The daily distance is estimated from these."""

    SOURCES = [
        ("contact", _("Contact or visit")),
        ("order", _("Order service report")),
        ("form", _("Product form")),
        ("api", _("API")),
    ]
    product = models.ForeignKey(
        "customers.CustomerProduct", on_delete=models.CASCADE, related_name="readings"
    )
    km = models.PositiveIntegerField(_("mileage (km)"))
    read_on = models.DateField(_("read on"))
    source = models.CharField(_("source"), max_length=10, choices=SOURCES)
    contact = models.ForeignKey(
        "Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mileage reading")
        verbose_name_plural = _("mileage readings")
        indexes = [models.Index(fields=["product", "read_on"], name="reading_product_on")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.km} km {self.read_on}"


class Substitution(models.Model):
    """C-6 while `tracker` is away (start…end inclusive) `substitute` gets their due tasks."""

    tracker = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="substituted_by")
    substitute = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="substituting")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("substitution")
        verbose_name_plural = _("substitutions")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="subst_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.tracker_id}→{self.substitute_id} {self.start}–{self.end}"


class ScheduleCursor(models.Model):
    """Watermarks of run_schedules: where each incremental scan stopped."""

    name = models.CharField(max_length=40, unique=True)
    position = models.DateTimeField(null=True, blank=True)
    last_id = models.BigIntegerField(default=0)
    ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
