from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "aftersales.dispatch"
    verbose_name = _("Dispatch")
    # Header links: (label, URL name, roles that see it — empty means every signed-in user).
    nav_items: list[tuple[Any, str, frozenset[str]]] = [
        (
            _("Day board"),
            "dispatch:board",
            frozenset({"clerk", "dispatcher", "supervisor", "manager"}),
        ),
        (_("Clerk's board"), "dispatch:clerk", frozenset({"clerk", "dispatcher", "supervisor"})),
        (_("My day"), "dispatch:my_day", frozenset({"technician"})),
    ]

    def ready(self) -> None:
        # Receivers of aftersales.orders.signals live in receivers.py when the app has any.
        if find_spec(f"{self.name}.receivers"):
            __import__(f"{self.name}.receivers")
