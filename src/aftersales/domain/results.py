"""O-7: intermediate results, one kind each with the fields the seed's remark templates demand.

These are pydantic models (not Django): the API uses them as its request body, the pages
validate their forms through them, and the closing gate (O-8) reads them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from .appointments import AgreedBy, AskedBy
from .errors import gettext_noop


class ResultKind(StrEnum):
    APPOINTMENT = "appointment"
    RESCHEDULED = "rescheduled"
    UNREACHABLE = "unreachable"
    WAITING_PARTS = "waiting_parts"
    CARRIED_IN = "carried_in"
    UNIT_NORMAL_NOT_ACCEPTED = "unit_normal_not_accepted"
    RETURN_PENDING = "return_pending"
    DECLINED_CHARGE = "declined_charge"
    NO_TIME = "no_time"  # O-8 (b)
    REFUSED_REPAIR = "refused_repair"  # O-8 (c)


Text = Annotated[str, Field(min_length=1, max_length=500)]


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AppointmentResult(_Result):
    kind: Literal[ResultKind.APPOINTMENT] = ResultKind.APPOINTMENT
    start: datetime
    end: datetime
    agreed_by: AgreedBy


class RescheduledResult(_Result):
    kind: Literal[ResultKind.RESCHEDULED] = ResultKind.RESCHEDULED
    start: datetime
    end: datetime
    reason: Text
    asked_by: AskedBy
    customer_accepted: bool


class PhoneOutcome(StrEnum):
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    SWITCHED_OFF = "switched_off"


class AddressProblem(StrEnum):
    NO_SUCH_HOUSE_NUMBER = "no_such_house_number"
    NO_SUCH_PERSON = "no_such_person"


class PhoneTry(_Result):
    phone: Annotated[str, Field(min_length=3, max_length=32)]
    outcome: PhoneOutcome


class UnreachableResult(_Result):
    kind: Literal[ResultKind.UNREACHABLE] = ResultKind.UNREACHABLE
    phones: list[PhoneTry] = Field(default_factory=list, max_length=10)
    address_problem: AddressProblem | None = None

    @model_validator(mode="after")
    def _something_tried(self) -> UnreachableResult:
        if not self.phones and self.address_problem is None:
            raise ValueError(gettext_noop("Note each phone tried, or the address problem."))
        return self


class ShippedBy(StrEnum):
    MANUFACTURER = "manufacturer"  # 事业部/工贸 ships
    OUTLET = "outlet"


class WaitingPartsResult(_Result):
    kind: Literal[ResultKind.WAITING_PARTS] = ResultKind.WAITING_PARTS
    part: Text
    shipped_by: ShippedBy
    # Missing promised date is allowed but makes a repeat call a multiple contact (O-11).
    promised_date: date | None = None
    agreed_by: AgreedBy | None = None


class CarriedInResult(_Result):
    kind: Literal[ResultKind.CARRIED_IN] = ResultKind.CARRIED_IN
    promised_return_date: date
    agreed_by: AgreedBy


class Measurement(_Result):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    value: Decimal = Field(max_digits=10, decimal_places=3)
    unit: Annotated[str, Field(min_length=1, max_length=12)]


class UnitNormalResult(_Result):
    kind: Literal[ResultKind.UNIT_NORMAL_NOT_ACCEPTED] = ResultKind.UNIT_NORMAL_NOT_ACCEPTED
    measurements: list[Measurement] = Field(min_length=1, max_length=10)
    next_visit_date: date
    who: AgreedBy


class ReturnPendingResult(_Result):
    kind: Literal[ResultKind.RETURN_PENDING] = ResultKind.RETURN_PENDING
    reason: Text
    purchase_date: date
    approval_needed: bool
    model_chosen: Annotated[str, Field(max_length=100)] = ""
    next_visit_date: date | None = None


class DeclinedChargeResult(_Result):
    kind: Literal[ResultKind.DECLINED_CHARGE] = ResultKind.DECLINED_CHARGE
    purchase_year: int = Field(ge=1950, le=2100)
    part: Text
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    next_contact_date: date | None = None


class NoTimeResult(_Result):
    kind: Literal[ResultKind.NO_TIME] = ResultKind.NO_TIME
    days: int = Field(ge=1, le=365, description="the customer has no time within this many days")
    stated_by: AgreedBy
    note: Annotated[str, Field(max_length=500)] = ""


class RefusedRepairResult(_Result):
    kind: Literal[ResultKind.REFUSED_REPAIR] = ResultKind.REFUSED_REPAIR
    stated_by: AgreedBy
    reason: Text


IntermediateResult = Annotated[
    AppointmentResult
    | RescheduledResult
    | UnreachableResult
    | WaitingPartsResult
    | CarriedInResult
    | UnitNormalResult
    | ReturnPendingResult
    | DeclinedChargeResult
    | NoTimeResult
    | RefusedRepairResult,
    Field(discriminator="kind"),
]

# Kinds recorded through the `result` action; appointments go through `appointment`.
RESULT_ACTION_KINDS = frozenset(ResultKind) - {ResultKind.APPOINTMENT, ResultKind.RESCHEDULED}

result_adapter: TypeAdapter[IntermediateResult] = TypeAdapter(IntermediateResult)
