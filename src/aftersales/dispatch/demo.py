"""Demo data for dispatch: a profile per demo technician and a proposed plan for tomorrow."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.domain.codes import PRODUCT_CATEGORIES, Role

from .models import TechnicianProfile, default_shifts
from .services import plan_propose

CENTRES = {"qd-01": (36.0671, 120.3826), "jn-03": (36.6758, 117.0211), "se-01": (37.5013, 127.0396)}


def load(stdout: Any, rnd: random.Random, now: datetime) -> None:
    techs = [u for u in User.objects.select_related("outlet") if Role.TECHNICIAN in u.role_set]
    for i, u in enumerate(techs):
        lat, lon = CENTRES.get(u.outlet.code if u.outlet else "", (36.0671, 120.3826))
        cats = [c for c in PRODUCT_CATEGORIES if c != "other"]
        skills = [{"category": c, "level": 1 + (i + k) % 3} for k, c in enumerate(cats)]
        TechnicianProfile.objects.update_or_create(
            user=u,
            defaults={
                "skills": skills,
                "home_latitude": round(lat + rnd.uniform(-0.03, 0.03), 5),
                "home_longitude": round(lon + rnd.uniform(-0.03, 0.03), 5),
                "shifts": {**default_shifts(), "sun": ["09:00", "15:00"]},
                "max_jobs_per_day": 8,
            },
        )
    admin = User.objects.filter(username="admin").first() or User(
        username="demo", is_superuser=True
    )
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    made = 0
    for code in CENTRES:
        if User.objects.filter(outlet__code=code).exists():
            plan_propose(actor=admin, day=tomorrow, outlet=code, seconds=1.0, now=now)
            made += 1
    stdout.write(
        f"Dispatch: {len(techs)} technician profiles, {made} plans proposed for {tomorrow}."
    )
