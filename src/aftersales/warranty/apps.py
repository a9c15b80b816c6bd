from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarrantyConfig(AppConfig):
    name = "aftersales.warranty"
    verbose_name = _("Warranty, complaints and scorecards")
    # Header links: (label, URL name, roles that see it — empty means every signed-in user).
    nav_items: list[tuple[Any, str, frozenset[str]]] = [
        (
            _("Complaints"),
            "warranty:complaints",
            frozenset({"clerk", "dispatcher", "supervisor", "manager"}),
        ),
        (_("Returns"), "warranty:returns", frozenset({"technician", "supervisor", "manager"})),
        (_("Scorecard"), "warranty:scorecards", frozenset({"technician", "supervisor", "manager"})),
        (_("Expenses"), "warranty:expenses", frozenset({"technician", "supervisor", "manager"})),
    ]

    def ready(self) -> None:
        # Receivers of aftersales.orders.signals live in receivers.py when the app has any.
        if find_spec(f"{self.name}.receivers"):
            __import__(f"{self.name}.receivers")
