"""Demo care data: trackers for every customer, A/B/C classes, vehicle maintenance dates,
an event, a substitution, a few logged calls; then run_schedules fills everyone's day."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.customers.models import Customer, CustomerProduct
from aftersales.domain.errors import DomainError

from . import services
from .jobs import run_schedules
from .models import Task

CLERKS = {"qd-01": "clerk", "jn-03": "clerk_jn", "se-01": "clerk_se"}


def load(stdout: Any, rnd: random.Random, now: datetime) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[*CLERKS.values(), "manager"])}
    manager = users.get("manager")
    if manager is None:
        return
    today = timezone.localdate(now)
    n = 0
    for c in Customer.objects.prefetch_related("orders__outlet").order_by("pk"):
        first = next(iter(c.orders.all()), None)
        tracker = users.get(CLERKS.get(first.outlet.code, "")) if first else None
        c.tracker = tracker
        c.care_class = rnd.choice("AABBBCCCCC")
        c.next_contact_due = today - timedelta(days=rnd.randint(0, 10))
        c.contact_task_open = False
        c.save()
        Task.objects.filter(customer=c, open=True).update(assignee=tracker)
        n += 1
    for p in CustomerProduct.objects.order_by("pk"):
        if rnd.random() < 0.5:
            p.maintenance_interval_days = rnd.choice([90, 180, 365])
            p.next_maintenance_due = today + timedelta(days=rnd.randint(-90, 30))
            if p.category == "vehicle" or rnd.random() < 0.3:
                p.plate = p.plate or f"鲁B{rnd.randint(10000, 99999)}"
                p.mileage_km = rnd.randint(5_000, 80_000)
                p.maintenance_interval_km = 5000
            p.save()
    try:
        services.event_create(
            actor=manager,
            data={
                "title": "免费检测周 Free-check week",
                "kind": "free_check",
                "starts_on": (today + timedelta(days=20)).isoformat(),
                "place": "青岛市南服务网点",
                "filters": {"care_class": ["A"]},
            },
            now=now,
        )
        services.substitution_create(
            actor=manager,
            data={
                "tracker": "clerk_jn",
                "substitute": "clerk",
                "start": today.isoformat(),
                "end": (today + timedelta(days=2)).isoformat(),
                "reason": "annual leave",
            },
            now=now,
        )
    except DomainError as e:  # a re-run on a loaded database
        stdout.write(f"care demo: {e.message}")
    report = run_schedules(now=now)
    stdout.write(
        f"Care: {n} customers with trackers and classes; tasks made: "
        + ", ".join(f"{k} {v}" for k, v in sorted(report.created.items()) if v)
    )
