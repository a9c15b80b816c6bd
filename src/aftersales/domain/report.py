"""R-1 service report completeness and R-2 repeat-repair detection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class PartLine(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[str, Field(min_length=1, max_length=120)]
    quantity: int = Field(ge=1, le=999)


class ServiceReport(BaseModel):
    """What the technician fills after the work. Blank fields are allowed but counted (R-1)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    fault_code: Annotated[str, Field(max_length=40)] = ""
    fault_cause: Annotated[str, Field(max_length=2000)] = ""
    solution: Annotated[str, Field(max_length=2000)] = ""
    parts_replaced: list[PartLine] = Field(default_factory=list, max_length=50)
    customer_opinion: Annotated[str, Field(max_length=2000)] = ""
    test_run_done: bool = False
    customer_signature: Annotated[str, Field(max_length=120)] = ""
    customer_rating: int | None = Field(default=None, ge=1, le=5)
    # Odometer at hand-back (vehicles): a C-2 mileage reading for distance-based reminders.
    mileage_km: int | None = Field(default=None, ge=0, le=10_000_000)


def missing_fields(report: ServiceReport) -> list[str]:
    """R-1: the fields whose absence makes the report incomplete (parts may be none)."""
    missing = [
        name
        for name in ("fault_code", "fault_cause", "solution", "customer_opinion")
        if not getattr(report, name)
    ]
    if not report.test_run_done:
        missing.append("test_run_done")
    if not report.customer_signature and report.customer_rating is None:
        missing.append("customer_signature")
    return missing


@dataclass(frozen=True)
class PastRepair:
    order_id: int
    completed_at: datetime
    fault_code: str


def find_repeat(
    history: Iterable[PastRepair], *, fault_code: str, at: datetime, days: int
) -> PastRepair | None:
    """R-2: the latest earlier repair of the same product with the same fault within `days`."""
    if not fault_code:
        return None
    since = at - timedelta(days=days)
    hits = [h for h in history if h.fault_code == fault_code and since <= h.completed_at <= at]
    return max(hits, key=lambda h: h.completed_at, default=None)
