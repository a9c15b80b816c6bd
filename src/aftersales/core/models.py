"""Shared kernel: the network's editable policy numbers, code tables and number sequences."""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.domain.policy import Policy


class NetworkPolicy(models.Model):
    """One row of numbers an administrator may change; defaults are the SPEC's values."""

    max_window_minutes = models.PositiveIntegerField(
        _("longest appointment window (min)"), default=180
    )
    min_window_minutes = models.PositiveIntegerField(
        _("shortest appointment window (min)"), default=30
    )
    no_time_days = models.PositiveIntegerField(_("'no time' closing horizon (days)"), default=7)
    backlog_hours = models.JSONField(_("backlog thresholds (hours)"), default=list)
    escalation_days = models.PositiveIntegerField(
        _("escalated order resolved within (days)"), default=3
    )
    parts_request_cutoff = models.TimeField(_("parts request cut-off"), default=time(17, 0))
    repeat_repair_days = models.PositiveIntegerField(_("repeat repair window (days)"), default=30)
    default_sla_hours = models.PositiveIntegerField(_("SLA hours when no rule matches"), default=72)

    class Meta:
        verbose_name = _("network policy")
        verbose_name_plural = _("network policy")

    def __str__(self) -> str:
        return str(_("Network policy"))

    def as_policy(self) -> Policy:
        return Policy(
            max_window_minutes=self.max_window_minutes,
            min_window_minutes=self.min_window_minutes,
            no_time_days=self.no_time_days,
            backlog_hours=tuple(sorted(self.backlog_hours or (48, 72))),
            escalation_days=self.escalation_days,
            parts_request_cutoff=self.parts_request_cutoff,
            repeat_repair_days=self.repeat_repair_days,
            default_sla_hours=self.default_sla_hours,
        )


class CodeTable(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class ProductCategory(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")


class Source(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name = _("order source")
        verbose_name_plural = _("order sources")


class Counter(models.Model):
    """Gap-tolerant number blocks (order numbers) handed out with one conditional update."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
