from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "nav_extra": []}
    mine = frozenset(r.value for r in user.role_set)
    return {"user_roles": mine, "nav_extra": _nav(mine)}


def _nav(mine: frozenset[str]) -> list[tuple[Any, str]]:
    """Header links the apps declare in their AppConfig.nav_items, for the user's roles."""
    out = []
    for cfg in apps.get_app_configs():
        for label, url_name, who in getattr(cfg, "nav_items", ()):
            if who and not (who & mine) and "admin" not in mine:
                continue
            try:
                out.append((label, reverse(url_name)))
            except NoReverseMatch:
                continue
    return out
