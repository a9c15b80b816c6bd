"""Warranty terms, charges and quotes, returns and exchanges, compensation, complaints, rules
with rewards and penalties, scorecards and expenses (W-1…W-5, S-1…S-4).

Every number a network may set differently lives in `WarrantyPolicy` (one row) or in a code
table below, seeded with the SPEC's defaults by migration 0002 and editable in the admin."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.domain.warranty import ThreeGuarantees
from aftersales.domain.warranty_scores import Targets

USER = settings.AUTH_USER_MODEL
MONEY: Any = {"max_digits": 14, "decimal_places": 2}


class WarrantyPolicy(models.Model):
    default_term_months = models.PositiveIntegerField(
        _("default warranty term (months)"), default=12
    )
    currency = models.CharField(_("default currency"), max_length=3, default="CNY")
    return_days = models.PositiveIntegerField(_("return or exchange within (days)"), default=7)
    exchange_days = models.PositiveIntegerField(_("exchange within (days)"), default=15)
    repairs_for_exchange = models.PositiveIntegerField(
        _("exchange after this many repairs of the same fault"), default=2
    )
    photo_max_kb = models.PositiveIntegerField(_("largest photo (KB)"), default=5120)
    photos_max = models.PositiveIntegerField(_("photos per request"), default=10)
    accept_minutes = models.PositiveIntegerField(_("accept an order within (min)"), default=30)
    contact_hours = models.PositiveIntegerField(_("contact the customer within (h)"), default=2)
    late_basis = models.CharField(
        _("late arrival counted after the window's"),
        max_length=5,
        default="end",
        choices=[("start", _("start")), ("end", _("end"))],
    )
    leftover_hours = models.PositiveIntegerField(_("no leftover after (h)"), default=72)

    class Meta:
        verbose_name = _("warranty and scorecard policy")
        verbose_name_plural = _("warranty and scorecard policy")

    def __str__(self) -> str:
        return str(_("Warranty and scorecard policy"))

    def three_guarantees(self) -> ThreeGuarantees:
        return ThreeGuarantees(self.return_days, self.exchange_days, self.repairs_for_exchange)

    def targets(self) -> Targets:
        return Targets(
            accept_minutes=self.accept_minutes,
            contact_hours=self.contact_hours,
            late_basis=self.late_basis,
            leftover_hours=self.leftover_hours,
        )


class Currency(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    decimals = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")

    def __str__(self) -> str:
        return self.code


class WarrantyTerm(models.Model):
    """W-1: the term per category, or per model of a category (model beats category)."""

    category = models.CharField(_("product category"), max_length=40)
    model = models.CharField(_("model (blank: every model)"), max_length=80, blank=True)
    months = models.PositiveIntegerField(_("months"))

    class Meta:
        ordering = ["category", "model"]
        verbose_name = _("warranty term")
        verbose_name_plural = _("warranty terms")
        constraints = [
            models.UniqueConstraint(fields=["category", "model"], name="warranty_term_unique"),
            models.CheckConstraint(condition=Q(months__gte=1), name="warranty_term_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.model or '*'}: {self.months}"


class ExtendedWarranty(models.Model):
    product = models.ForeignKey(
        "customers.CustomerProduct", on_delete=models.PROTECT, related_name="extensions"
    )
    until = models.DateField(_("extended until"))
    reason = models.CharField(_("reason"), max_length=300)
    reference = models.CharField(_("contract / reference"), max_length=80, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-until"]
        verbose_name = _("extended warranty")
        verbose_name_plural = _("extended warranties")

    def __str__(self) -> str:
        return f"{self.product_id} → {self.until}"


class ProofOfPurchase(models.Model):
    KINDS = [
        ("invoice", _("Invoice")),
        ("receipt", _("Receipt")),
        ("warranty_card", _("Warranty card")),
        ("other", _("Other")),
    ]
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="proofs")
    product = models.ForeignKey(
        "customers.CustomerProduct", on_delete=models.PROTECT, related_name="proofs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    reference = models.CharField(_("number / reference"), max_length=80, blank=True)
    purchase_date = models.DateField(_("purchase date"))
    seller = models.CharField(_("seller"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("proof of purchase")
        verbose_name_plural = _("proofs of purchase")

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} {self.purchase_date}"


# --- Charges and quotes (W-2) ---------------------------------------------------------------


class ChargeRule(models.Model):
    COVERAGES = [
        ("in_warranty", _("In warranty, normal use")),
        ("misuse", _("In warranty, misuse or abnormal cause")),
        ("out_of_warranty", _("Out of warranty")),
    ]
    BASES = [("free", _("free")), ("cost", _("at cost")), ("list", _("price list"))]
    coverage = models.CharField(_("coverage"), max_length=20, choices=COVERAGES, unique=True)
    parts = models.CharField(_("parts"), max_length=10, choices=BASES)
    labour_fee = models.DecimalField(_("labour fee"), default=Decimal(0), **MONEY)
    service_fee = models.DecimalField(_("service fee"), default=Decimal(0), **MONEY)
    travel_charged = models.BooleanField(_("travel charged"), default=False)
    quote_required = models.BooleanField(_("quote required"), default=False)

    class Meta:
        ordering = ["coverage"]
        verbose_name = _("charge rule")
        verbose_name_plural = _("charge policy")

    def __str__(self) -> str:
        return self.coverage


class Quote(models.Model):
    STATUSES = [
        ("offered", _("Offered")),
        ("accepted", _("Accepted")),
        ("declined", _("Declined")),
        ("withdrawn", _("Withdrawn")),
    ]
    number = models.CharField(_("number"), max_length=24, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="quotes")
    coverage = models.CharField(_("coverage"), max_length=20, choices=ChargeRule.COVERAGES)
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default="offered")
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="quote_total_ge_0")]

    def __str__(self) -> str:
        return self.number


class QuoteLine(models.Model):
    KINDS = [("part", _("Part")), ("labour", _("Labour")), ("travel", _("Travel"))]
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    part_code = models.CharField(_("part code"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, unit_price__gte=0, amount__gte=0),
                name="quote_line_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.description}"


# --- Returns and exchanges (W-3), compensation (W-4) ----------------------------------------

DECISIONS = [
    ("requested", _("Requested")),
    ("approved", _("Approved")),
    ("rejected", _("Rejected")),
]
ALTERNATIVES = [
    ("", _("None")),
    ("compensation", _("Compensation")),
    ("extension", _("Warranty extension")),
]


class ReturnRequest(models.Model):
    KINDS = [("return", _("Return")), ("exchange", _("Exchange"))]
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    kind = models.CharField(_("asked for"), max_length=10, choices=KINDS)
    reason = models.CharField(_("fault / reason"), max_length=1000)
    performance_fault = models.BooleanField(_("performance fault"), default=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    fault_date = models.DateField(_("fault date"))
    same_fault_repairs = models.PositiveIntegerField(default=0)
    eligible = models.JSONField(default=list)
    eligibility_reason = models.CharField(max_length=30)
    model_chosen = models.CharField(_("model chosen"), max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=DECISIONS, default="requested")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, blank=True)  # return | exchange when approved
    decision_reason = models.CharField(max_length=1000, blank=True)
    alternative = models.CharField(max_length=20, blank=True, choices=ALTERNATIVES)
    alternative_amount = models.DecimalField(null=True, blank=True, **MONEY)
    alternative_currency = models.CharField(max_length=3, blank=True)
    extension_months = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("return / exchange request")
        verbose_name_plural = _("return / exchange requests")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.status}"


class ReturnPhoto(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="returns/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name or ""


class Compensation(models.Model):
    STATUSES = [
        ("asked", _("Asked")),
        ("escalated", _("Escalated")),
        ("approved", _("Approved")),
        ("rejected", _("Rejected")),
        ("carried_back", _("Carried back for testing")),
    ]
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="compensations"
    )
    cause = models.CharField(_("cause"), max_length=1000)
    amount_asked = models.DecimalField(_("amount asked"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    amount_approved = models.DecimalField(null=True, blank=True, **MONEY)
    status = models.CharField(max_length=15, choices=STATUSES, default="asked")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount_asked} {self.currency}"


# --- Complaints (O-16, S-1) -----------------------------------------------------------------


class Complaint(models.Model):
    CHANNELS = [("call", _("Call")), ("letter", _("Letter")), ("visit", _("Visit"))]
    CATEGORIES = [
        ("quarrel", _("Quarrel with the customer")),
        ("soliciting", _("Soliciting (吃拿卡要)")),
        ("delay", _("Delay")),
        ("repeat_repair", _("Repeat repair")),
        ("other", _("Other")),
    ]
    STATUSES = [
        ("open", _("Open")),
        ("investigating", _("Investigating")),
        ("found", _("Finding made")),
        ("closed", _("Closed")),
    ]
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    person = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints_against"
    )
    outlet = models.ForeignKey(
        "accounts.Outlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=CHANNELS)
    category = models.CharField(_("category"), max_length=20, choices=CATEGORIES)
    summary = models.CharField(_("what the customer says"), max_length=2000)
    status = models.CharField(max_length=15, choices=STATUSES, default="open")
    at_fault = models.BooleanField(_("technician at fault"), null=True, blank=True)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [models.Index(fields=["person", "received_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"


class ComplaintStep(models.Model):
    KINDS = [
        ("apology", _("Apology")),
        ("investigation", _("Investigation")),
        ("finding", _("Finding")),
        ("closure", _("Closure")),
    ]
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=15, choices=KINDS)
    note = models.CharField(max_length=2000)
    at = models.DateTimeField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.kind


# --- Rules, rewards and penalties (S-1) -----------------------------------------------------


class PenaltyRule(models.Model):
    KINDS = [("penalty", _("Penalty")), ("reward", _("Reward"))]
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS, default="penalty")
    amount = models.DecimalField(_("amount"), **MONEY)
    min_amount = models.DecimalField(_("least amount"), **MONEY)
    max_amount = models.DecimalField(_("greatest amount"), **MONEY)
    points = models.IntegerField(_("demerit / merit points"), default=0)
    automatic = models.BooleanField(_("applied by the system"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("reward / penalty rule")
        verbose_name_plural = _("reward / penalty rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__lte=models.F("amount"), amount__lte=models.F("max_amount"))
                & Q(min_amount__gte=0),
                name="penalty_rule_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PenaltyEntry(models.Model):
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="penalty_entries")
    rule = models.ForeignKey(PenaltyRule, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=PenaltyRule.KINDS)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    points = models.IntegerField(default=0)
    evidence = models.CharField(_("evidence"), max_length=2000)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    automatic = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    month = models.CharField(max_length=7)
    # Automatic entries carry a key so the same event never counts twice.
    auto_key = models.CharField(max_length=80, null=True, blank=True, unique=True)  # noqa: DJ001

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("reward / penalty entry")
        verbose_name_plural = _("reward / penalty entries")
        indexes = [models.Index(fields=["person", "month"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="penalty_amount_ge_0"),
            models.CheckConstraint(condition=~Q(evidence=""), name="penalty_has_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.rule_id} {self.amount}"


# --- Scorecards (S-2) -----------------------------------------------------------------------


class CommissionTier(models.Model):
    """Commission by speed: a job completed within max_hours of assignment earns amount."""

    max_hours = models.PositiveIntegerField(
        _("within hours (blank: slower)"), null=True, blank=True
    )
    amount = models.DecimalField(_("commission per job"), **MONEY)

    class Meta:
        ordering = ["max_hours"]
        verbose_name = _("commission tier")
        verbose_name_plural = _("commission by speed")

    def __str__(self) -> str:
        return f"≤{self.max_hours or '∞'} h: {self.amount}"


class Scorecard(models.Model):
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="scorecards")
    month = models.CharField(max_length=7)
    figures = models.JSONField(default=dict)
    complaints = models.PositiveIntegerField(default=0)
    complaints_at_fault = models.PositiveIntegerField(default=0)
    penalties = models.DecimalField(default=Decimal(0), **MONEY)
    rewards = models.DecimalField(default=Decimal(0), **MONEY)
    points = models.IntegerField(default=0)
    commission = models.DecimalField(default=Decimal(0), **MONEY)
    earnings = models.DecimalField(default=Decimal(0), **MONEY)
    currency = models.CharField(max_length=3, default="CNY")
    computed_at = models.DateTimeField()
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["month", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="scorecard_person_month")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month}"


class MonthClose(models.Model):
    month = models.CharField(max_length=7, unique=True)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    cards = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")

    def __str__(self) -> str:
        return self.month


# --- Trips and expenses (S-3), knowledge notes (S-4) ----------------------------------------


class Trip(models.Model):
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="trips")
    day = models.DateField(_("day"))
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(_("from"), max_length=200)
    destination = models.CharField(_("to"), max_length=200)
    km = models.DecimalField(_("km"), max_digits=8, decimal_places=1, default=Decimal(0))
    hours = models.DecimalField(_("work hours"), max_digits=5, decimal_places=1, default=Decimal(0))
    note = models.CharField(_("note"), max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("trip")
        verbose_name_plural = _("trip log")

    def __str__(self) -> str:
        return f"{self.day} {self.origin}→{self.destination}"


class ExpenseClaim(models.Model):
    KINDS = [
        ("transport", _("Transport")),
        ("lodging", _("Lodging")),
        ("meals", _("Meals")),
        ("phone", _("Phone")),
        ("other", _("Other")),
    ]
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="expense_claims")
    trip = models.ForeignKey(
        Trip, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    receipt = models.FileField(upload_to="receipts/%Y/%m/", blank=True)
    status = models.CharField(max_length=10, choices=DECISIONS, default="requested")
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class KnowledgeNote(models.Model):
    """S-4: a recurring problem from the weekly meeting and its fix."""

    meeting_date = models.DateField(_("meeting"))
    category = models.CharField(_("product category"), max_length=40, blank=True)
    problem = models.CharField(_("problem"), max_length=1000)
    fix = models.CharField(_("fix"), max_length=2000)
    author = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        verbose_name = _("knowledge note")
        verbose_name_plural = _("knowledge notes")

    def __str__(self) -> str:
        return self.problem[:60]
