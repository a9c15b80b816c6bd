"""Demo data: last month's network report archived with a supervisor's summary, so the
reports page has a past month to reopen on `make run`."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from aftersales.accounts.models import User
from aftersales.domain.errors import DomainError

from .reports import report_archive


def load(stdout: Any, rnd: random.Random, now: datetime) -> None:
    first = now.date().replace(day=1)
    y, m = (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)
    month = f"{y:04d}-{m:02d}"
    author = User.objects.filter(username="supervisor").first()
    try:
        r = report_archive(
            actor=author,
            kind="monthly",
            period=month,
            outlet=None,
            summary=(
                f"{month}: demo summary. Orders closed within the standard time; two repeat "
                "repairs of compressors to follow up with quality."
            ),
            now=now,
        )
    except DomainError as e:  # e.g. no CJK font for the PDF: the demo goes on without it
        stdout.write(f"Indicators: no archived report ({e.message})")
        return
    stdout.write(f"Indicators: archived report {r.period} v{r.version}.")
