"""`aftersales followups due [--tracker U]`: follow-up calls due today or earlier."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.care.selectors import followups_due


class Command(BaseCommand):
    help = "List follow-up calls (C-3) due today or earlier, oldest first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tracker", default=None, help="only this tracker's (and covered)")

    def handle(self, *args: Any, **opts: Any) -> None:
        tracker = None
        if opts["tracker"]:
            tracker = User.objects.filter(username=opts["tracker"]).first()
            if tracker is None:
                raise CommandError(f"unknown_user: no user {opts['tracker']!r}")
        today = timezone.localdate()
        n = 0
        for t in followups_due(tracker=tracker, today=today):
            late = " LATE" if t.deadline and t.deadline < today else ""
            self.stdout.write(
                f"{t.due_on}\t{t.kind}\t{t.order.number if t.order else '-'}\t"
                f"{t.customer.name}\t{t.assignee.username if t.assignee else '-'}{late}"
            )
            n += 1
        self.stdout.write(f"{n} follow-up call(s) due")
