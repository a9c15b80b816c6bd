"""Rows of a CSV or XLSX file → OrderIn, streamed (the whole file is never in memory)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from aftersales.domain.errors import DomainError

from .inputs import OrderIn, parse

COLUMNS = (
    "source",
    "source_ref",
    "outlet",
    "customer_name",
    "phones",
    "address",
    "region",
    "latitude",
    "longitude",
    "category",
    "brand",
    "model",
    "serial",
    "purchase_date",
    "service_type",
    "service_mode",
    "fault",
    "requested_at",
    "remarks",
    "market_tier",
    "priority",
)
REQUIRED = (
    "source",
    "source_ref",
    "customer_name",
    "phones",
    "address",
    "category",
    "service_type",
)


def read_rows(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row dict); line 1 is the header."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(p, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(it, ())]
        _check_header(header)
        for i, values in enumerate(it, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            yield i, dict(zip(header, values, strict=False))
        wb.close()
        return
    with open(p, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        _check_header(reader.fieldnames or [])
        for row in reader:
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            yield reader.line_num, row


def _check_header(header: Sequence[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DomainError(
            "import_header",
            f"The file lacks columns: {', '.join(missing)}.",
            fields={c: "missing column" for c in missing},
        )


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _when(v: Any) -> datetime | str | None:
    if v in (None, ""):
        return None
    if isinstance(v, datetime):
        return timezone.make_aware(v) if timezone.is_naive(v) else v
    text = _s(v)
    dt = (
        parse_datetime(text.replace(" ", "T", 1))
        if " " in text and "T" not in text
        else parse_datetime(text)
    )
    if dt is None:
        return text  # let validation report it
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


def row_to_input(row: dict[str, Any]) -> OrderIn:
    """An import row: like the web form's fields, but a source reference is required (O-3)."""
    return flat_to_input(row, require_ref=True)


def flat_to_input(row: Mapping[str, Any], *, require_ref: bool) -> OrderIn:
    """Flat fields (an import row or the web form, same names as COLUMNS) → OrderIn."""
    phones = [
        p
        for p in _s(row.get("phones"))
        .replace("；", ";")
        .replace("，", ";")
        .replace("/", ";")
        .replace(",", ";")
        .split(";")
        if p.strip()
    ]
    purchase = row.get("purchase_date")
    if isinstance(purchase, datetime):
        purchase = purchase.date()
    data = {
        "source": _s(row.get("source")),
        "source_ref": _s(row.get("source_ref")) or None,
        "outlet": _s(row.get("outlet")) or None,
        "customer": {
            "name": _s(row.get("customer_name")),
            "phones": phones,
            "address": _s(row.get("address")),
            "region": _s(row.get("region")),
            "latitude": _s(row.get("latitude")) or None,
            "longitude": _s(row.get("longitude")) or None,
        },
        "product": {
            "category": _s(row.get("category")),
            "brand": _s(row.get("brand")),
            "model": _s(row.get("model")),
            "serial": _s(row.get("serial")),
            "purchase_date": purchase or None,
        },
        "service_type": _s(row.get("service_type")),
        "service_mode": _s(row.get("service_mode")) or "on_site",
        "fault": _s(row.get("fault")),
        "requested_at": _when(row.get("requested_at")),
        "remarks": _s(row.get("remarks")),
        "market_tier": int(_s(row["market_tier"]))
        if _s(row.get("market_tier")).isdigit()
        else None,
        "priority": _s(row.get("priority")) or "normal",
    }
    if require_ref and not data["source_ref"]:
        raise DomainError(
            "validation",
            "Every imported row needs a source_ref (O-3).",
            fields={"source_ref": "required"},
        )
    return parse(OrderIn, data)


def input_rows(path: str | Path) -> Iterator[tuple[int, OrderIn | DomainError]]:
    for line, row in read_rows(path):
        try:
            yield line, row_to_input(row)
        except DomainError as e:
            yield line, e


def write_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS)
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return buf.getvalue()
