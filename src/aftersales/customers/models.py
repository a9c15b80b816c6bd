from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """One customer, found by any of their phones (normalised E.164)."""

    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=80, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    tracker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tracked_customers",
        verbose_name=_("tracker"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # C-1 basic customer file.
    email = models.EmailField(_("email"), blank=True)
    services_wanted = models.TextField(_("services the customer wants"), blank=True)
    file_notes = models.TextField(_("file notes"), blank=True)
    file_updated_at = models.DateTimeField(_("file updated"), null=True, blank=True)
    # C-7 class by importance (A/B/C; blank = none) and the cadence queue: the next contact
    # is due on `next_contact_due`; `contact_task_open` is set once run_schedules has made
    # the task for it (the partial index below is the work queue).
    care_class = models.CharField(
        _("class"),
        max_length=1,
        blank=True,
        choices=[("A", "A"), ("B", "B"), ("C", "C")],
    )
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    next_contact_due = models.DateField(_("next contact due"), null=True, blank=True)
    contact_task_open = models.BooleanField(default=False)
    # C-8 a recorded cause when the customer was lost.
    loss_cause = models.CharField(_("loss cause"), max_length=200, blank=True)
    # Erased on request: personal fields pseudonymised, order history kept.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(care_class__in=["", "A", "B", "C"]),
                name="customer_class_abc",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_contact_due"],
                name="customer_contact_queue",
                condition=models.Q(contact_task_open=False, next_contact_due__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class CustomerProduct(models.Model):
    """A product the customer owns: appliance serial or vehicle plate."""

    # No index of its own: the (customer, serial) index below serves lookups by customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="products", db_index=False
    )
    category = models.CharField(_("category"), max_length=40)
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    serial = models.CharField(_("serial / plate"), max_length=80, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)

    # Vehicles (4S networks): plate and mileage; appliances use `serial`.
    plate = models.CharField(_("plate number"), max_length=20, blank=True)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    # C-1/C-2 maintenance: interval in days and/or distance, the last service and the next.
    maintenance_interval_days = models.PositiveIntegerField(
        _("maintenance interval (days)"), null=True, blank=True
    )
    maintenance_interval_km = models.PositiveIntegerField(
        _("maintenance interval (km)"), null=True, blank=True
    )
    last_service_on = models.DateField(_("last service"), null=True, blank=True)
    next_maintenance_due = models.DateField(_("next maintenance due"), null=True, blank=True)
    next_maintenance_km = models.PositiveIntegerField(
        _("next maintenance at (km)"), null=True, blank=True
    )
    # C-2 by distance: the estimated km driven per day (from the mileage readings, see
    # domain.care.daily_distance) and the day the projected mileage reaches
    # `next_maintenance_km`. The reminder is due at the earlier of this and the date.
    daily_km = models.FloatField(_("estimated km per day"), null=True, blank=True)
    distance_due_on = models.DateField(_("distance due (projected)"), null=True, blank=True)
    # Work-queue flags of run_schedules: the reminder (C-2) and the loss call (C-8) for the
    # current `next_maintenance_due` exist; both are cleared when the date moves.
    maintenance_reminded = models.BooleanField(default=False)
    loss_flagged = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("customer product")
        verbose_name_plural = _("customer products")
        indexes = [
            models.Index(fields=["customer", "serial"]),
            models.Index(
                fields=["next_maintenance_due"],
                name="product_reminder_queue",
                condition=models.Q(maintenance_reminded=False, next_maintenance_due__isnull=False),
            ),
            models.Index(
                fields=["distance_due_on"],
                name="product_distance_queue",
                condition=models.Q(maintenance_reminded=False, distance_due_on__isnull=False),
            ),
            models.Index(
                fields=["next_maintenance_due"],
                name="product_loss_queue",
                condition=models.Q(loss_flagged=False, next_maintenance_due__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return " ".join(x for x in (self.brand, self.model, self.serial) if x) or self.category
