"""The app's API routers, mounted by aftersales.api.main under /api/v1."""

from __future__ import annotations

from ninja import Router

ROUTERS: list[tuple[str, Router]] = []
