"""Command inputs of the parts app (API bodies, page forms and the importer share them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from aftersales.domain.results import ShippedBy

Code = Annotated[str, Field(min_length=1, max_length=64)]
Short = Annotated[str, Field(max_length=300)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartIn(_In):
    code: Annotated[str, Field(min_length=1, max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    model: Annotated[str, Field(max_length=80)] = ""
    spec: Short = ""
    fits_models: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=200
    )
    substitutes: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=50
    )
    use: Short = ""
    unit_cost: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    list_price: Decimal = Field(default=Decimal(0), ge=0, max_digits=14, decimal_places=2)
    currency: Annotated[str, Field(min_length=3, max_length=3, pattern="^[A-Z]{3}$")] = "CNY"
    barcode: Annotated[str, Field(max_length=64)] = ""


class ReceiptLine(_In):
    part: Code
    bin: Code
    qty: int
    model: Annotated[str, Field(max_length=80)] | None = None  # as read off the box / scanned
    unit_cost: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class ReceiptIn(_In):
    warehouse: Code
    lines: list[ReceiptLine] = Field(min_length=1, max_length=200)
    purchase: bool = True  # debits the outlet's parts account (P-7)
    note: Short = ""


class IssueLine(_In):
    part: Code
    qty: int
    bin: Code | None = None  # None: FIFO over the warehouse's stock bins


class IssueIn(_In):
    warehouse: Code
    lines: list[IssueLine] = Field(min_length=1, max_length=200)
    order: Annotated[str, Field(max_length=20)] | None = None
    issued_to: Annotated[str, Field(max_length=150)] | None = None
    note: Short = ""


class TransferLine(_In):
    part: Code
    qty: int
    from_bin: Code | None = None
    to_bin: Code


class TransferIn(_In):
    from_warehouse: Code
    to_warehouse: Code
    lines: list[TransferLine] = Field(min_length=1, max_length=200)
    note: Short = ""


class PutLine(_In):
    part: Code
    qty: int
    bin: Code


class ReturnIn(_In):
    warehouse: Code
    lines: list[PutLine] = Field(min_length=1, max_length=200)
    order: Annotated[str, Field(max_length=20)] | None = None
    note: Short = ""


class ScrapIn(_In):
    warehouse: Code
    lines: list[PutLine] = Field(min_length=1, max_length=200)
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class RequestIn(_In):
    order: Annotated[str, Field(min_length=1, max_length=20)]
    part: Code
    quantity: int = 1
    shipped_by: ShippedBy = ShippedBy.MANUFACTURER
    promised_date: date | None = None
    warehouse: Code | None = None
    note: Short = ""


class RequestActIn(_In):
    version: int | None = None
    at: AwareDatetime | None = None  # ship/receive: when it happened (not in the future)
    shipped_by: ShippedBy | None = None
    bin: Code | None = None  # receive: where the keeper puts it
    note: Short = ""


class CountEnterIn(_In):
    counted: int = Field(ge=0, le=1_000_000)
    reason: Short = ""


class CountApproveIn(_In):
    reason: Short = ""


class DepositIn(_In):
    outlet: Code
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    note: Short = ""


class ReorderRuleIn(_In):
    part: Code
    warehouse: Code
    min_qty: int | None = Field(default=None, ge=0)
    max_qty: int | None = Field(default=None, ge=0)
    reorder_point: int | None = Field(default=None, ge=0)
    reorder_qty: int | None = Field(default=None, ge=1)
