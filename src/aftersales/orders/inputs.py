"""Command inputs as pydantic models: the API's request bodies, the pages' form targets and
the importer's row shape are the same objects, so each field rule is written once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from aftersales.domain.appointments import AgreedBy, AskedBy
from aftersales.domain.codes import Priority, ServiceMode, ServiceType
from aftersales.domain.errors import DomainError, gettext_noop
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
            raise ValueError(gettext_noop("Give both latitude and longitude, or neither."))
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
            raise ValueError(gettext_noop("Say why the customer is not satisfied."))
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


def field_message(err: Any) -> str:
    """A pydantic error as a message in the user's language (pydantic's own are English)."""
    from django.utils.translation import gettext as _

    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    messages = {
        "missing": lambda: _("Required."),
        "string_too_short": lambda: (
            _("Required.")
            if ctx.get("min_length") == 1
            else _("At least %(n)s characters.") % {"n": ctx.get("min_length")}
        ),
        "string_too_long": lambda: _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
        "too_short": lambda: _("At least %(n)s entries.") % {"n": ctx.get("min_length")},
        "too_long": lambda: _("At most %(n)s entries.") % {"n": ctx.get("max_length")},
        "greater_than_equal": lambda: _("At least %(n)s.") % {"n": ctx.get("ge")},
        "less_than_equal": lambda: _("At most %(n)s.") % {"n": ctx.get("le")},
        "greater_than": lambda: _("More than %(n)s.") % {"n": ctx.get("gt")},
        "less_than": lambda: _("Less than %(n)s.") % {"n": ctx.get("lt")},
        "int_parsing": lambda: _("Not a whole number."),
        "int_type": lambda: _("Not a whole number."),
        "float_parsing": lambda: _("Not a number."),
        "float_type": lambda: _("Not a number."),
        "bool_parsing": lambda: _("Say yes or no."),
        "bool_type": lambda: _("Say yes or no."),
        "date_from_datetime_parsing": lambda: _("Not a date (YYYY-MM-DD)."),
        "date_parsing": lambda: _("Not a date (YYYY-MM-DD)."),
        "date_type": lambda: _("Not a date (YYYY-MM-DD)."),
        "datetime_parsing": lambda: _("Not a date and time (YYYY-MM-DD HH:MM)."),
        "datetime_from_date_parsing": lambda: _("Not a date and time (YYYY-MM-DD HH:MM)."),
        "datetime_type": lambda: _("Not a date and time (YYYY-MM-DD HH:MM)."),
        "timezone_aware": lambda: _("Give the time with its time zone."),
        "enum": lambda: _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
        "literal_error": lambda: (
            _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
        ),
        "extra_forbidden": lambda: _("Unknown field."),
        "string_type": lambda: _("Not text."),
        "list_type": lambda: _("Not a list."),
        "model_type": lambda: _("Not an object."),
        "dict_type": lambda: _("Not an object."),
    }
    make = messages.get(kind)
    if make is None:
        if kind == "value_error":  # our own validators' messages, marked for translation
            return _(str(ctx.get("error", err.get("msg", ""))))
        return str(err.get("msg", ""))
    return str(make())


def validation_error(exc: ValidationError) -> DomainError:
    fields: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "__all__"
        fields.setdefault(loc, field_message(err))
    return DomainError("validation", "Some fields are not valid.", fields=fields)
