from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartsConfig(AppConfig):
    name = "aftersales.parts"
    verbose_name = _("Spare parts")
    # Header links: (label, URL name, roles that see it — empty means every signed-in user).
    nav_items: list[tuple[Any, str, frozenset[str]]] = [
        (_("Parts"), "parts:stock", frozenset({"parts_keeper", "supervisor", "manager"})),
        (_("Part requests"), "parts:requests", frozenset({"parts_keeper", "clerk", "technician"})),
        (_("Arrived today"), "parts:arrived", frozenset({"clerk", "parts_keeper"})),
    ]

    def ready(self) -> None:
        # Receivers of aftersales.orders.signals live in receivers.py when the app has any.
        if find_spec(f"{self.name}.receivers"):
            __import__(f"{self.name}.receivers")
