"""Command inputs (the API's bodies and the pages' form targets), validated once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Money = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=14)]
Short = Annotated[str, Field(max_length=500)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProofIn(_In):
    kind: Literal["invoice", "receipt", "warranty_card", "other"]
    reference: Annotated[str, Field(max_length=80)] = ""
    purchase_date: date
    seller: Annotated[str, Field(max_length=120)] = ""


class ExtensionIn(_In):
    until: date
    reason: Annotated[str, Field(min_length=1, max_length=300)]
    reference: Annotated[str, Field(max_length=80)] = ""


class TermIn(_In):
    category: Annotated[str, Field(min_length=1, max_length=40)]
    model: Annotated[str, Field(max_length=80)] = ""
    months: int = Field(ge=1, le=240)


class LineIn(_In):
    kind: Literal["part", "labour", "travel"]
    description: Annotated[str, Field(max_length=200)] = ""
    part_code: Annotated[str, Field(max_length=40)] = ""
    quantity: Annotated[Decimal, Field(allow_inf_nan=False, max_digits=9)] = Decimal(1)
    unit_price: Money | None = None


class QuoteIn(_In):
    lines: list[LineIn] = Field(max_length=50)
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    misuse: bool = False
    note: Short = ""


class QuoteDecisionIn(_In):
    accepted: bool
    note: Short = ""
    # For a decline (O-7 "customer declines the charge") when the product has no purchase date.
    purchase_year: int | None = Field(default=None, ge=1950, le=2100)
    next_contact_date: date | None = None


class ReturnIn(_In):
    kind: Literal["return", "exchange"]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    performance_fault: bool = True
    fault_date: date | None = None
    purchase_date: date | None = None
    model_chosen: Annotated[str, Field(max_length=100)] = ""


class ReturnDecisionIn(_In):
    approve: bool
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    decision: Literal["return", "exchange"] | None = None
    alternative: Literal["", "compensation", "extension"] = ""
    alternative_amount: Money | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    extension_months: int | None = Field(default=None, ge=1, le=120)


class CompensationIn(_In):
    cause: Annotated[str, Field(min_length=1, max_length=1000)]
    amount: Money
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None


class CompensationActIn(_In):
    action: Literal["escalate", "approve", "reject", "carry_back"]
    note: Short = ""
    amount: Money | None = None


class ComplaintIn(_In):
    channel: Literal["call", "letter", "visit"]
    category: Literal["quarrel", "soliciting", "delay", "repeat_repair", "other"]
    summary: Text
    apology: Text  # O-16: the apology is the first logged step
    order: Annotated[str, Field(max_length=20)] | None = None
    person: Annotated[str, Field(max_length=150)] | None = None


class ComplaintStepIn(_In):
    kind: Literal["investigation", "finding", "closure"]
    note: Text
    at_fault: bool | None = None
    serious: bool = False
    amount: Money | None = None


class PenaltyIn(_In):
    person: Annotated[str, Field(min_length=1, max_length=150)]
    rule: Annotated[str, Field(min_length=1, max_length=40)]
    evidence: Annotated[str, Field(max_length=2000)] = ""
    amount: Money | None = None
    order: Annotated[str, Field(max_length=20)] | None = None


class TripIn(_In):
    day: date
    origin: Annotated[str, Field(min_length=1, max_length=200)]
    destination: Annotated[str, Field(min_length=1, max_length=200)]
    km: Annotated[Decimal, Field(ge=0, le=100000, max_digits=8, decimal_places=1)] = Decimal(0)
    hours: Annotated[Decimal, Field(ge=0, le=24, max_digits=5, decimal_places=1)] = Decimal(0)
    order: Annotated[str, Field(max_length=20)] | None = None
    note: Short = ""


class ExpenseIn(_In):
    kind: Literal["transport", "lodging", "meals", "phone", "other"]
    amount: Money
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    trip: int | None = None
    note: Short = ""


class DecisionIn(_In):
    approve: bool
    reason: Short = ""


class NoteIn(_In):
    meeting_date: date
    problem: Annotated[str, Field(min_length=1, max_length=1000)]
    fix: Annotated[str, Field(min_length=1, max_length=2000)]
    category: Annotated[str, Field(max_length=40)] = ""
