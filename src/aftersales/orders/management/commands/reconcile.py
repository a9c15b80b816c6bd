from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.core.errors import error_message
from aftersales.domain.errors import DomainError
from aftersales.orders.reconcile import read_refs, reconcile


class Command(BaseCommand):
    help = (
        "O-3: reconcile a source's list of references (CSV/XLSX with a source_ref column, "
        "or one per line) against received orders. Exit code 1 when anything is off."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source")
        parser.add_argument("file")
        parser.add_argument(
            "--date",
            default=None,
            help="YYYY-MM-DD: also list orders received that day that the source does not know",
        )

    def handle(self, *args: Any, source: str, file: str, date: str | None, **kw: Any) -> None:
        try:
            day = _day(date)
            run = reconcile(
                source=source,
                refs=read_refs(file),
                day=day,
                actor=None,
                file_name=file,
                now=timezone.now(),
            )
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except DomainError as e:
            raise CommandError(error_message(e)) from None
        self.stdout.write(
            f"source={source} in_file={run.in_file} missing={len(run.missing)} "
            f"extra={len(run.extra)} duplicated={len(run.duplicated)}"
        )
        for label, refs in (
            ("MISSING (lost?)", run.missing),
            ("EXTRA (not in source)", run.extra),
            ("DUPLICATED in source", run.duplicated),
        ):
            for ref in refs:
                self.stdout.write(f"{label}: {ref}")
        if not run.is_clean:
            raise SystemExit(1)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {text!r}.") from None
