from __future__ import annotations

from datetime import date, time
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.domain.dispatch import DispatchPolicy, Skill

USER = settings.AUTH_USER_MODEL
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def default_shifts() -> dict[str, list[str]]:
    return {d: ["08:30", "17:30"] for d in WEEKDAYS[:6]}


class TechnicianProfile(models.Model):
    """What the planner knows of a technician (one-to-one with a user holding that role)."""

    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="dispatch_profile", verbose_name=_("user")
    )
    # [{"category": "air_conditioner", "level": 2}, …]
    skills = models.JSONField(_("skills"), default=list, blank=True)
    regions = models.JSONField(_("service regions"), default=list, blank=True)
    home_latitude = models.FloatField(_("home base latitude"), null=True, blank=True)
    home_longitude = models.FloatField(_("home base longitude"), null=True, blank=True)
    # {"mon": ["08:30", "17:30"], …}; a weekday missing is a day off.
    shifts = models.JSONField(_("shifts per weekday"), default=default_shifts, blank=True)
    days_off = models.JSONField(_("days off (ISO dates)"), default=list, blank=True)
    max_jobs_per_day = models.PositiveSmallIntegerField(_("maximum jobs per day"), default=8)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("technician profile")
        verbose_name_plural = _("technician profiles")

    def __str__(self) -> str:
        return str(self.user)

    def skill_list(self) -> tuple[Skill, ...]:
        out = []
        for s in self.skills or []:
            if isinstance(s, str):
                out.append(Skill(s, 1))
            elif isinstance(s, dict) and s.get("category"):
                out.append(Skill(str(s["category"]), int(s.get("level") or 1)))
        return tuple(out)

    def shift_on(self, day: date) -> tuple[time, time] | None:
        if not self.active or day.isoformat() in (self.days_off or []):
            return None
        span = (self.shifts or {}).get(WEEKDAYS[day.weekday()])
        if not span or len(span) != 2:
            return None
        start, end = time.fromisoformat(span[0]), time.fromisoformat(span[1])
        return (start, end) if end > start else None


class ServiceDuration(models.Model):
    """How long a job takes on site, by product category and service type (editable)."""

    category = models.CharField(_("product category"), max_length=40)
    service_type = models.CharField(_("service type"), max_length=20)
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        verbose_name = _("service duration")
        verbose_name_plural = _("service durations")
        ordering = ["category", "service_type"]
        constraints = [
            models.UniqueConstraint(fields=["category", "service_type"], name="svc_duration_key")
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.service_type}: {self.minutes} min"


class DispatchSettings(models.Model):
    """One row: the dispatch numbers an administrator may change (defaults: DispatchPolicy)."""

    road_factor = models.FloatField(_("road factor"), default=1.3)
    speed_kmh = models.FloatField(_("average speed (km/h)"), default=30.0)
    default_service_minutes = models.PositiveIntegerField(
        _("service minutes when no duration row matches"), default=60
    )
    weight_workload = models.FloatField(_("weight: workload"), default=40.0)
    weight_distance = models.FloatField(_("weight: distance per km"), default=2.0)
    weight_fairness = models.FloatField(_("weight: fairness"), default=30.0)
    weight_skill = models.FloatField(_("weight: skill level"), default=5.0)
    weight_urgency = models.FloatField(_("weight: urgency per km"), default=3.0)
    fairness_days = models.PositiveIntegerField(_("fairness window (days)"), default=7)
    prize_km = models.FloatField(_("cost of leaving an order out (km)"), default=300.0)
    prize_urgent = models.FloatField(_("prize factor: urgent"), default=4.0)
    prize_high = models.FloatField(_("prize factor: high"), default=2.0)
    prize_normal = models.FloatField(_("prize factor: normal"), default=1.0)
    prize_low = models.FloatField(_("prize factor: low"), default=0.6)
    near_sla_hours = models.PositiveIntegerField(_("near SLA (hours)"), default=24)
    at_risk_hours = models.PositiveIntegerField(_("at risk before due (hours)"), default=4)
    urgent_response_minutes = models.PositiveIntegerField(
        _("urgent orders reached within (min)"), default=60
    )
    plan_seconds = models.FloatField(_("planning time (s)"), default=10.0)
    replan_seconds = models.FloatField(_("replanning time (s)"), default=1.5)

    class Meta:
        verbose_name = _("dispatch settings")
        verbose_name_plural = _("dispatch settings")

    def __str__(self) -> str:
        return str(_("Dispatch settings"))

    def as_policy(self) -> DispatchPolicy:
        names = DispatchPolicy.__dataclass_fields__.keys()
        values: dict[str, Any] = {n: getattr(self, n) for n in names}
        return DispatchPolicy(**values)


class PlanProposal(models.Model):
    """A day plan the planner proposes; nothing is assigned until the dispatcher accepts."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        PARTLY = "partly", _("Partly accepted")
        SUPERSEDED = "superseded", _("Superseded")

    day = models.DateField(_("day"))
    outlet = models.ForeignKey(
        "accounts.Outlet", on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet")
    )
    kind = models.CharField(max_length=10, default="plan")  # plan | replan
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROPOSED)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    valid = models.BooleanField(default=True)
    figures = models.JSONField(default=dict, blank=True)
    unplanned = models.JSONField(default=list, blank=True)  # [{order, reason, message}]
    violations = models.JSONField(default=list, blank=True)  # the solver's, before repair
    must_call = models.JSONField(default=list, blank=True)  # replans: windows to move
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("plan proposal")
        verbose_name_plural = _("plan proposals")

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.day} #{self.pk}"


class PlanLine(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        FIXED = "fixed", _("Started (fixed)")

    proposal = models.ForeignKey(PlanProposal, on_delete=models.CASCADE, related_name="lines")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    order_version = models.PositiveIntegerField()
    technician = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveSmallIntegerField()
    arrival = models.DateTimeField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    travel_m = models.PositiveIntegerField(default=0)
    window_agreed = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["technician_id", "seq"]
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")

    def __str__(self) -> str:
        return f"{self.order_id} → {self.technician_id} #{self.seq}"
