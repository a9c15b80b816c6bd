"""Reactions to order actions (run inside the action's transaction)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from aftersales.domain.codes import Action
from aftersales.orders.signals import order_acted

from .services import old_parts_on_close


@receiver(order_acted, dispatch_uid="parts.old_parts_on_close")
def _on_close(sender: Any, *, order: Any, action: Action, now: Any, **kw: Any) -> None:
    """P-8: closing an in-warranty order makes its replaced parts' old parts due back."""
    if action == Action.CLOSE:
        old_parts_on_close(order, now)
