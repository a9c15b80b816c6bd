"""Command inputs as pydantic models: the API's request bodies, the pages' form targets and
the importer's row shape are the same objects, so each field rule is written once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from aftersales.domain.appointments import AgreedBy, AskedBy
from aftersales.domain.codes import Priority, ServiceMode, ServiceType
from aftersales.domain.errors import DomainError
from aftersales.domain.report import ServiceReport
from aftersales.domain.results import ShippedBy

_T = TypeVar("_T", bound=BaseModel)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    phones: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=5
    )
    address: Annotated[str, Field(min_length=1, max_length=300)]
    region: Annotated[str, Field(max_length=80)] = ""
    # WGS-84, entered or imported (no geocoder is reachable); dispatch plans with them.
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates(self) -> CustomerIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("Give both latitude and longitude, or neither.")
        return self


class ProductIn(_In):
    category: Annotated[str, Field(min_length=1, max_length=40)]
    brand: Annotated[str, Field(max_length=80)] = ""
    model: Annotated[str, Field(max_length=80)] = ""
    serial: Annotated[str, Field(max_length=80)] = ""
    purchase_date: date | None = None


class OrderIn(_In):
    customer: CustomerIn
    product: ProductIn
    service_type: ServiceType
    service_mode: ServiceMode = ServiceMode.ON_SITE
    fault: Annotated[str, Field(max_length=2000)] = ""
    requested_at: datetime | None = None
    remarks: Annotated[str, Field(max_length=4000)] = ""
    market_tier: int | None = Field(default=None, ge=1, le=4)
    priority: Priority = Priority.NORMAL
    source: Annotated[str, Field(min_length=1, max_length=40)]
    source_ref: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    outlet: Annotated[str, Field(max_length=40)] | None = None


class AssignIn(_In):
    technician: Annotated[str, Field(min_length=1, max_length=150)]
    reason: Annotated[str, Field(max_length=500)] = ""


class AppointmentIn(_In):
    start: datetime
    end: datetime
    agreed_by: AgreedBy = AgreedBy.CUSTOMER
    # For a reschedule (改约): who asked, why, and whether the customer accepted.
    asked_by: AskedBy | None = None
    reason: Annotated[str, Field(max_length=500)] = ""
    customer_accepted: bool | None = None


class NoteIn(_In):
    note: Annotated[str, Field(max_length=2000)] = ""


class ReasonIn(_In):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class RevisitIn(_In):
    satisfied: bool
    score: int | None = Field(default=None, ge=1, le=5)
    reasons: Annotated[str, Field(max_length=2000)] = ""

    @model_validator(mode="after")
    def _reason_when_unhappy(self) -> RevisitIn:
        if not self.satisfied and not self.reasons:
            raise ValueError("say why the customer is not satisfied")
        return self


class CallIn(_In):
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class PartRequestIn(_In):
    part: Annotated[str, Field(min_length=1, max_length=120)]
    quantity: int = Field(default=1, ge=1, le=999)
    shipped_by: ShippedBy = ShippedBy.MANUFACTURER
    promised_date: date | None = None


class PartUpdateIn(_In):
    part_id: int
    released_at: AwareDatetime | None = None
    shipped_at: AwareDatetime | None = None
    received_at: AwareDatetime | None = None


CompleteIn = ServiceReport


def parse(model: type[_T], data: object) -> _T:
    """Validate or raise the one 422 shape, with a message per field path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


def validation_error(exc: ValidationError) -> DomainError:
    fields: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "__all__"
        fields.setdefault(loc, err["msg"])
    return DomainError("validation", "Some fields are not valid.", fields=fields)
