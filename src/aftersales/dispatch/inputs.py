"""Command inputs of the dispatch app (pydantic): the API, pages and CLI share them."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .models import WEEKDAYS


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SkillIn(_In):
    category: Annotated[str, Field(min_length=1, max_length=40)]
    level: Annotated[int, Field(ge=1, le=5)] = 1


class TechnicianIn(_In):
    skills: list[SkillIn] = []
    regions: list[Annotated[str, Field(max_length=80)]] = []
    home_latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    home_longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    shifts: dict[str, tuple[time, time]] = {}
    days_off: list[date] = []
    max_jobs_per_day: Annotated[int, Field(ge=1, le=40)] = 8
    active: bool = True

    @field_validator("shifts")
    @classmethod
    def _shifts(cls, v: dict[str, tuple[time, time]]) -> dict[str, tuple[time, time]]:
        for day, (start, end) in v.items():
            if day not in WEEKDAYS:
                raise ValueError(f"Weekdays are {', '.join(WEEKDAYS)}.")
            if end <= start:
                raise ValueError(f"{day}: the shift must end after it starts.")
        return v


class AssignIn(_In):
    technician: Annotated[str, Field(min_length=1, max_length=150)]
    reason: Annotated[str, Field(max_length=500)] = ""
    version: int | None = None


class AutoAssignIn(_In):
    reason: Annotated[str, Field(max_length=300)] = ""
    version: int | None = None


class PlanIn(_In):
    day: date
    outlet: str | None = None
    seconds: Annotated[float, Field(ge=0.1, le=120)] | None = None


class AcceptIn(_In):
    lines: list[int] | None = None  # None: every proposed line
    version: int | None = None


class MoveIn(_In):
    technician: Annotated[str, Field(min_length=1, max_length=150)]
    position: Annotated[int, Field(ge=0, le=100)] | None = None


class ReplanIn(_In):
    outlet: str | None = None
    urgent_order: str | None = None
    delay_technician: str | None = None
    delay_minutes: Annotated[int, Field(ge=0, le=600)] = 0
    seconds: Annotated[float, Field(ge=0.1, le=60)] | None = None
