from __future__ import annotations

from aftersales.domain.policy import Policy

from .models import NetworkPolicy


def current_policy() -> Policy:
    row = NetworkPolicy.objects.order_by("pk").first()
    return row.as_policy() if row else Policy()
