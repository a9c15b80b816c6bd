from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core import export as exporting
from aftersales.core.policy import current_policy
from aftersales.orders.backlog import HEADERS, backlog_rows, by_person, export_rows


class Command(BaseCommand):
    help = "O-12 backlog: open orders over N hours per responsible person; --export FILE.xlsx|.csv."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=int, default=None)
        parser.add_argument("--export", default=None)
        parser.add_argument(
            "--as",
            dest="username",
            default=None,
            help="see what this user sees (default: the whole network)",
        )

    def handle(
        self, *args: Any, hours: int | None, export: str | None, username: str | None, **kw: Any
    ) -> None:
        hours = hours if hours is not None else current_policy().backlog_hours[0]
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
        else:
            user = User(username="cli", is_superuser=True)
        now = timezone.now()
        if export:
            n = exporting.write(
                exporting.format_of(export),
                export,
                HEADERS,
                export_rows(backlog_rows(user, older_than_hours=hours, now=now)),
                sheet=f"backlog {hours}h",
            )
            self.stdout.write(f"{n} orders written to {export}")
            return
        rows = list(backlog_rows(user, older_than_hours=hours, now=now))
        self.stdout.write(f"Open orders older than {hours} h: {len(rows)}")
        for person, n in by_person(rows).items():
            self.stdout.write(f"  {person:<20} {n}")
        for r in rows:
            over = f">{r.bucket}h" if r.bucket else ""
            self.stdout.write(
                f"{r.number}  {r.responsible or '-':<14} {r.status:<11} "
                f"{r.age_hours:>7.1f}h {over:<5} esc={r.escalation_level}"
            )
