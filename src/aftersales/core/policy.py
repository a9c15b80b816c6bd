from __future__ import annotations

from aftersales.domain.policy import Policy

from .models import NetworkPolicy
from .refcache import ProcessCache


def _load() -> Policy:
    row = NetworkPolicy.objects.order_by("pk").first()
    return row.as_policy() if row else Policy()


_policy = ProcessCache(_load, models=("core.NetworkPolicy",))


def current_policy() -> Policy:
    """The network's editable numbers (cached per process; see core.refcache)."""
    return _policy.get()
