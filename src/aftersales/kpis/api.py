"""`/api/v1/kpis` and `/api/v1/boards/…` (issue 7)."""

from __future__ import annotations

from typing import Any

ROUTERS: list[tuple[str, Any]] = []
