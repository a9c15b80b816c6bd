"""`aftersales stock count start|close WAREHOUSE [--as USER]` (P-4)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.domain.errors import DomainError
from aftersales.parts.models import StockCount
from aftersales.parts.services import count_close, count_start

from ._common import actor, fail


class Command(BaseCommand):
    help = "stock count start|close WAREHOUSE [--as USER]"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["count"])
        parser.add_argument("verb", choices=["start", "close"])
        parser.add_argument("warehouse")
        parser.add_argument("--as", dest="username")

    def handle(self, *args: Any, verb: str, warehouse: str, username: str | None, **o: Any) -> None:
        user = actor(username)
        now = timezone.now()
        try:
            if verb == "start":
                c = count_start(actor=user, warehouse=warehouse, now=now)
                self.stdout.write(f"count {c.pk} open for {warehouse}: {c.lines.count()} lines")
                return
            open_count = StockCount.objects.filter(warehouse__code=warehouse, status="open").first()
            if open_count is None:
                raise CommandError(f"No open count for {warehouse}.")
            c = count_close(actor=user, count_pk=open_count.pk, now=now)
            self.stdout.write(f"count {c.pk} closed")
        except DomainError as e:
            raise fail(e) from None
