"""`aftersales parts import FILE` (part master, CSV or XLSX) and
`aftersales parts ageing [--warehouse W] [--export FILE.xlsx|FILE.csv]` (P-5; format by extension)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core import export
from aftersales.domain.errors import DomainError
from aftersales.parts import reports, selectors
from aftersales.parts.models import current_rules
from aftersales.parts.services import parts_import

from ._common import actor, fail


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        head = [str(h or "").strip() for h in next(it, [])]
        return [
            {h: ("" if v is None else str(v)) for h, v in zip(head, row, strict=False) if h}
            for row in it
            if any(v is not None for v in row)
        ]
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


class Command(BaseCommand):
    help = (
        "parts import FILE [--as USER] | parts ageing [--warehouse W] [--export FILE.xlsx|FILE.csv]"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("verb", choices=["import", "ageing"])
        parser.add_argument("file", nargs="?")
        parser.add_argument("--as", dest="username")
        parser.add_argument("--warehouse")
        parser.add_argument("--export")

    def handle(self, *args: Any, verb: str, file: str | None, **o: Any) -> None:
        if verb == "import":
            if not file:
                raise CommandError("parts import FILE")
            path = Path(file)
            if not path.exists():
                raise CommandError(f"No file {file}.")
            try:
                created, updated = parts_import(
                    actor=actor(o["username"]), rows=read_rows(path), now=timezone.now()
                )
            except DomainError as e:
                raise fail(e) from None
            self.stdout.write(f"{created} created, {updated} updated")
            return
        user = actor(o["username"]) if o["username"] else User(username="cli", is_superuser=True)
        now, rules = timezone.now(), current_rules()
        try:
            qs = selectors.ageing_rows(user, warehouse=o["warehouse"], now=now, rules=rules)
        except DomainError as e:
            raise fail(e) from None
        if o["export"]:
            n = reports.export_rows(
                export.format_of(o["export"]),
                o["export"],
                reports.ageing_table(qs.iterator(chunk_size=2000), now=now, rules=rules),
                sheet="ageing",
            )
            self.stdout.write(f"{n} rows written to {o['export']}")
            return
        for r in reports.ageing_dicts(qs.iterator(chunk_size=2000), now=now, rules=rules):
            self.stdout.write(
                f"{r['band']:6} {r['days']:5}d {r['warehouse']:12} {r['bin']:12} "
                f"{r['part']:16} {r['qty']:6} {r['name']}"
            )
