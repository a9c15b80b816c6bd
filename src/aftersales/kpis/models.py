"""Indicator targets, archived monthly reports (issue 7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.domain.kpis import COMPARISONS, Target

USER = settings.AUTH_USER_MODEL


class KpiPolicy(models.Model):
    """The app's editable numbers (one row, seeded by migration 0002)."""

    cache_seconds = models.PositiveIntegerField(
        _("keep computed figures for (seconds)"),
        default=60,
        help_text=_("0 turns the cache off: every page computes its figures afresh."),
    )
    chart_technicians = models.PositiveIntegerField(
        _("technicians in the per-technician chart"), default=15
    )

    class Meta:
        verbose_name = _("indicator policy")
        verbose_name_plural = _("indicator policy")

    def __str__(self) -> str:
        return str(_("Indicator policy"))


class KpiTarget(models.Model):
    """K-2: one figure's target and its amber margin (seeded with the SPEC's values)."""

    kpi = models.CharField(_("indicator"), max_length=40, unique=True)
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    comparison = models.CharField(
        _("passes when the figure is"),
        max_length=2,
        choices=[(c, c) for c in COMPARISONS],
        default=">=",
    )
    amber = models.DecimalField(
        _("amber margin"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("A figure that misses its target by at most this much shows amber."),
    )

    class Meta:
        ordering = ["kpi"]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")

    def __str__(self) -> str:
        return f"{self.kpi} {self.comparison} {self.value}"

    def target(self) -> Target:
        return Target(self.value, self.comparison, self.amber)


class Report(models.Model):
    """K-1 / C-9: an archived monthly (or yearly) after-sales and product-quality report.

    The figures, the supervisor's summary and the generated PDF and XLSX bytes are stored
    together with a SHA-256 of them; reopening serves these bytes, never a regeneration. A row
    is never changed (save refuses it, a trigger too): a correction is a new version."""

    KINDS = [("monthly", _("Monthly")), ("yearly", _("Yearly"))]

    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    period = models.CharField(_("period"), max_length=7)  # YYYY-MM or YYYY
    outlet = models.ForeignKey(
        "accounts.Outlet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("outlet"),
    )
    scope = models.CharField(max_length=40)  # the outlet's code, or "*" for the network
    version = models.PositiveIntegerField(_("version"))
    figures = models.JSONField(_("figures"))
    summary = models.TextField(_("supervisor's summary"), max_length=20000, blank=True)
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period", "scope", "-version"]
        verbose_name = _("archived report")
        verbose_name_plural = _("archived reports")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "scope", "version"], name="kpis_report_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.scope} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("An archived report is never changed; archive a new version.")
        super().save(*args, **kwargs)
