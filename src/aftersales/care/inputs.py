"""Command inputs of care (API bodies and page forms validate through the same models)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aftersales.domain.care import Channel, Outcome, Purpose, parse_class


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Text = Annotated[str, Field(max_length=2000)]


class CustomerFileIn(_In):
    """C-1 basic customer file (only the fields given change)."""

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    region: Annotated[str, Field(max_length=80)] | None = None
    email: (
        Annotated[str, Field(max_length=254, pattern=r"^(|[^@\s]+@[^@\s]+\.[^@\s]+)$")] | None
    ) = None
    services_wanted: Text | None = None
    file_notes: Text | None = None
    care_class: str | None = None
    tracker: Annotated[str, Field(max_length=150)] | None = None

    @field_validator("care_class")
    @classmethod
    def _abc(cls, v: str | None) -> str | None:
        if v is None:
            return None
        c = parse_class(v)
        return c.value if c else ""


class ProductFileIn(_In):
    plate: Annotated[str, Field(max_length=20)] | None = None
    serial: Annotated[str, Field(max_length=80)] | None = None
    model: Annotated[str, Field(max_length=80)] | None = None
    purchase_date: date | None = None
    mileage_km: int | None = Field(default=None, ge=0, le=10_000_000)
    maintenance_interval_days: int | None = Field(default=None, ge=1, le=3650)
    maintenance_interval_km: int | None = Field(default=None, ge=1, le=1_000_000)
    last_service_on: date | None = None
    next_maintenance_due: date | None = None


class ContactIn(_In):
    """C-5 one call, visit, letter or message; `task` logs it against a due task."""

    customer: int | None = None
    task: int | None = None
    order: Annotated[str, Field(max_length=20)] | None = None
    channel: Channel = Channel.PHONE_OUT
    purpose: Purpose | None = None
    outcome: Outcome = Outcome.REACHED
    subject: Annotated[str, Field(max_length=200)] = ""
    key_points: Text = ""
    requests: Text = ""
    wishes: Text = ""
    complaints: Text = ""
    # A question the caller could not answer: becomes an open customer request (C-3).
    open_question: Text = ""
    loss_cause: Annotated[str, Field(max_length=200)] = ""
    # C-2 a mileage told on the call or read at the visit (of `product`, else the customer's
    # only vehicle).
    mileage_km: int | None = Field(default=None, ge=0, le=10_000_000)
    product: int | None = None


class ReadingIn(_In):
    """C-2 a mileage reading (today unless `read_on` is given)."""

    km: int = Field(ge=0, le=10_000_000)
    read_on: date | None = None


class RequestReportIn(_In):
    report: Annotated[str, Field(min_length=1, max_length=2000)]


class RequestSolveIn(_In):
    solution: Annotated[str, Field(min_length=1, max_length=2000)]


class EventFilters(_In):
    care_class: list[str] = Field(default_factory=list, max_length=3)
    category: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list)
    region: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list)
    # Last visit (a completed order) on or before / after these days.
    last_visit_before: date | None = None
    last_visit_after: date | None = None
    tracker: Annotated[str, Field(max_length=150)] | None = None

    @field_validator("care_class")
    @classmethod
    def _abc(cls, v: list[str]) -> list[str]:
        return [c.value for c in (parse_class(x) for x in v) if c]


class EventIn(_In):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Annotated[
        str, Field(pattern="^(free_check|service_month|owner_club|promotion|other)$")
    ] = "other"
    starts_on: date
    place: Annotated[str, Field(min_length=1, max_length=200)]
    message: Text = ""
    filters: EventFilters = Field(default_factory=EventFilters)


class ReplyIn(_In):
    customer: int
    reply: Annotated[str, Field(pattern="^(yes|no)$")]
    note: Text = ""


class SendIn(_In):
    backend: Annotated[str, Field(pattern="^(console|file|email)$")] = "console"


class SubstitutionIn(_In):
    tracker: Annotated[str, Field(min_length=1, max_length=150)]
    substitute: Annotated[str, Field(min_length=1, max_length=150)]
    start: date
    end: date
    reason: Annotated[str, Field(max_length=200)] = ""


def drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
