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

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

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

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="products")
    category = models.CharField(_("category"), max_length=40)
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    serial = models.CharField(_("serial / plate"), max_length=80, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer product")
        verbose_name_plural = _("customer products")
        indexes = [models.Index(fields=["customer", "serial"])]

    def __str__(self) -> str:
        return " ".join(x for x in (self.brand, self.model, self.serial) if x) or self.category
