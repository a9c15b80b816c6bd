"""`aftersales report monthly YYYY-MM [--outlet X]` (or `report yearly YYYY`): generate the
K-1 after-sales and product-quality report, archive it as a new version (PDF + XLSX +
figures + SHA-256) and optionally write the two files. `report show ID --pdf F --xlsx F`
writes an archived version's stored bytes, unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.errors import error_message
from aftersales.domain.errors import DomainError
from aftersales.kpis.models import Report
from aftersales.kpis.reports import report_archive


class Command(BaseCommand):
    help = "Archive the monthly/yearly after-sales report (K-1, C-9) or write an archived one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["monthly", "yearly", "show"])
        parser.add_argument("period", help="YYYY-MM (monthly), YYYY (yearly) or a report id (show)")
        parser.add_argument("--outlet", default=None, help="outlet code (default: whole network)")
        parser.add_argument("--summary", default=None, help="the supervisor's summary text")
        parser.add_argument("--summary-file", default=None, help="read the summary from a file")
        parser.add_argument("--as", dest="actor", default=None, help="username recorded as author")
        parser.add_argument("--pdf", default=None, help="also write the PDF here")
        parser.add_argument("--xlsx", default=None, help="also write the XLSX here")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["kind"] == "show":
            row = (
                Report.objects.filter(pk=opts["period"]).first()
                if opts["period"].isdigit()
                else None
            )
            if row is None:
                raise CommandError(f"No archived report {opts['period']!r}.")
        else:
            summary = opts["summary"]
            if opts["summary_file"]:
                summary = Path(opts["summary_file"]).read_text(encoding="utf-8")
            actor = None
            if opts["actor"]:
                actor = User.objects.filter(username=opts["actor"], is_active=True).first()
                if actor is None:
                    raise CommandError(f"No user {opts['actor']!r}.")
            try:
                row = report_archive(
                    actor=actor,
                    kind=opts["kind"],
                    period=opts["period"],
                    outlet=opts["outlet"],
                    summary=summary,
                    now=timezone.now(),
                )
            except DomainError as e:
                raise CommandError(error_message(e)) from None
        if opts["pdf"]:
            Path(opts["pdf"]).write_bytes(bytes(row.pdf))
        if opts["xlsx"]:
            Path(opts["xlsx"]).write_bytes(bytes(row.xlsx))
        self.stdout.write(
            f"Report {row.pk}: {row.kind} {row.period} {row.scope} v{row.version} sha256={row.sha256}"
        )
