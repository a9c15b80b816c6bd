"""`aftersales scorecards close-month YYYY-MM`: freeze every technician's card for the month.

Closing a month twice is refused (exit 1, nothing written); a failed close left nothing behind
and can simply be run again. `--preview` prints the live cards without closing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.errors import error_message
from aftersales.domain.errors import DomainError
from aftersales.warranty.people import scorecards_close_month, scorecards_compute


class Command(BaseCommand):
    help = "Close a month's technician scorecards (S-2): YYYY-MM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month")
        parser.add_argument("--as", dest="actor", default=None, help="username recorded as closer")
        parser.add_argument("--preview", action="store_true", help="print the cards, close nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        now = timezone.now()
        month = opts["month"]
        try:
            if opts["preview"]:
                for c in scorecards_compute(month, now=now):
                    f = c["figures"]
                    self.stdout.write(
                        f"{c['person'].username}\tjobs={f['jobs']}\ton_time={f['on_time_rate']}\t"
                        f"earnings={c['earnings']} {c['currency']}"
                    )
                return
            actor = None
            if opts["actor"]:
                actor = User.objects.filter(username=opts["actor"]).first()
                if actor is None:
                    raise CommandError(f"No user {opts['actor']!r}.")
            row = scorecards_close_month(month=month, actor=actor, now=now)
        except DomainError as e:
            raise CommandError(error_message(e)) from None
        self.stdout.write(f"{row.month} closed: {row.cards} scorecards.")
