"""O-3: compare a source's own list of order references with what the system received."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.models import Source
from aftersales.domain.errors import DomainError

from .models import Order, Reconciliation


def read_refs(path: str | Path) -> list[str]:
    """References from a CSV/XLSX with a `source_ref` column, or a plain list, one per line."""
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(p, read_only=True, data_only=True)
        rows = [
            [str(v).strip() if v is not None else "" for v in r]
            for r in wb.worksheets[0].iter_rows(values_only=True)
        ]
        wb.close()
    else:
        with open(p, newline="", encoding="utf-8-sig") as fh:
            rows = [[c.strip() for c in r] for r in csv.reader(fh)]
    if not rows:
        return []
    col = rows[0].index("source_ref") if "source_ref" in rows[0] else None
    body = rows[1:] if col is not None else rows
    idx = col or 0
    return [r[idx] for r in body if len(r) > idx and r[idx]]


def reconcile(
    *,
    source: str,
    refs: Iterable[str],
    day: date | None,
    actor: User | None,
    file_name: str,
    now: datetime,
) -> Reconciliation:
    if not Source.objects.filter(code=source).exists():
        raise DomainError("validation", f"Unknown source {source!r}.", fields={"source": "unknown"})
    refs = list(refs)
    counts = Counter(refs)
    unique = set(counts)
    have: set[str] = set()
    chunk = list(unique)
    for i in range(0, len(chunk), 5000):
        have.update(
            r
            for r in Order.objects.filter(
                source=source, source_ref__in=chunk[i : i + 5000]
            ).values_list("source_ref", flat=True)
            if r is not None
        )
    extra: list[str] = []
    if day is not None:
        tz = timezone.get_current_timezone()
        start = datetime.combine(day, time.min, tzinfo=tz)
        received = (
            Order.objects.filter(
                source=source, created_at__gte=start, created_at__lt=start + timedelta(days=1)
            )
            .exclude(source_ref__isnull=True)
            .values_list("source_ref", flat=True)
        )
        extra = sorted({r for r in received if r is not None} - unique)
    return Reconciliation.objects.create(
        source=source,
        day=day,
        run_at=now,
        run_by=actor,
        file_name=file_name[:255],
        in_file=len(refs),
        missing=sorted(unique - have),
        extra=extra,
        duplicated=sorted(r for r, n in counts.items() if n > 1),
    )
