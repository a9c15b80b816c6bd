from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "aftersales.kpis"
    verbose_name = _("Indicators and reports")
    # Header links: (label, URL name, roles that see it — empty means every signed-in user).
    nav_items: list[tuple[Any, str, frozenset[str]]] = [
        (_("Dashboard"), "kpis:dashboard", frozenset({"supervisor", "manager"})),
        (
            _("Clerk's board"),
            "kpis:board",
            frozenset({"clerk", "dispatcher", "supervisor", "manager"}),
        ),
        (_("Reports"), "kpis:reports", frozenset({"supervisor", "manager"})),
    ]

    def ready(self) -> None:
        if find_spec(f"{self.name}.receivers"):
            __import__(f"{self.name}.receivers")
